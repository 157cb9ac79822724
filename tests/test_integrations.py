"""Where users work: papers (rcParams, equal frame boxes), notebooks, sphinx-gallery, web formats."""
from __future__ import annotations

import base64
import re
import runpy
import sys
from pathlib import Path

import matplotlib
import matplotlib.style
import numpy as np
import pytest
from PIL import Image

import convanim as ca
from convanim.io import render as api

ROOT = Path(__file__).resolve().parents[1]
TS = ca.Conv(6, 3, s=2, p=1).transpose()


def test_caller_rcparams_are_honoured_and_restored(tmp_path):
    before = dict(matplotlib.rcParams)
    with matplotlib.rc_context({"font.family": "serif", "font.serif": ["DejaVu Serif"]}):
        fig = ca.figure(TS, labels=True, caption=True)
        fam = fig.axes[0].texts[0].get_fontfamily()
        assert fam == ["serif"]
        ca.render(TS, tmp_path / "t.svg", labels=True)
        assert "DejaVu Serif" in (tmp_path / "t.svg").read_text()
        ca.render(TS, tmp_path / "t.pdf", frame=0, labels=True)
    assert dict(matplotlib.rcParams) == before


def test_style_sheets_do_not_break_the_look(tmp_path):
    with matplotlib.style.context("dark_background"):
        out = ca.render(ca.Conv(5, 3, s=2, p=1), tmp_path / "a.png", frame=0)
    with matplotlib.style.context("default"):
        ref = ca.render(ca.Conv(5, 3, s=2, p=1), tmp_path / "b.png", frame=0)
    a = np.asarray(Image.open(out).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(ref).convert("RGB"), dtype=int)
    assert a.shape == b.shape and np.mean(np.abs(a - b)) < 3  # the theme, not the style sheet, sets colours


def test_figsize_dpi_and_fontsize(tmp_path):
    fig = ca.figure(TS, figsize=(4, 3), dpi=200, fontsize=7, labels=True)
    assert tuple(fig.get_size_inches()) == (4, 3) and fig.dpi == 200
    assert all(t.get_fontsize() == 7 for t in fig.axes[0].texts)
    out = ca.render(TS, tmp_path / "x.png", frame=0, figsize=(4, 3), dpi=50)
    assert Image.open(out).size == (200, 150)


def test_every_frame_has_the_same_box_in_every_format(tmp_path):
    ca.render(TS, tmp_path / "f_{frame:02d}.png", labels=True, caption=True)
    sizes = {Image.open(p).size for p in tmp_path.glob("f_*.png")}
    assert len(sizes) == 1
    ca.render(TS, tmp_path / "f_{frame:02d}.svg", labels=True, caption=True)
    boxes = {re.search(r'<svg[^>]*width="([^"]+)" height="([^"]+)"', p.read_text()).groups()
             for p in tmp_path.glob("f_*.svg")}
    assert len(boxes) == 1
    pdf = ca.render(TS, tmp_path / "all.pdf", labels=True, caption=True).read_bytes()
    media = set(re.findall(rb"/MediaBox \[ ?([^\]]+)\]", pdf))
    assert len(media) == 1 and len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 36
    # and the PNG's pixels are the PDF's points at 100/72
    w, h = sizes.pop()
    mw, mh = (float(v) for v in media.pop().split()[2:])
    assert abs(w - mw * 100 / 72) < 1 and abs(h - mh * 100 / 72) < 1


# ---- notebooks ----------------------------------------------------------------------------------------

def test_animation_is_a_matplotlib_animation_that_shows_itself():
    from matplotlib.animation import Animation

    anim = ca.animation(ca.Conv(4, 3), duration=0.5)
    assert isinstance(anim, Animation)
    html = anim._repr_html_()
    m = re.match(r'<img src="data:image/gif;base64,([A-Za-z0-9+/=]+)"', html)
    assert m
    gif = base64.b64decode(m.group(1))
    from io import BytesIO

    im = Image.open(BytesIO(gif))
    assert im.n_frames == 4 and im.info["duration"] == 500
    assert "animation.html" not in [k for k, v in matplotlib.rcParams.items() if v != matplotlib.rcParamsDefault[k]]
    assert "<script" in anim.to_jshtml()  # matplotlib's own player still works


def test_notebook_repr_declines_politely_past_its_guard(monkeypatch):
    monkeypatch.setattr(api, "REPR_MAX_FRAMES", 10)
    anim = ca.animation(ca.Conv(6, 3, p=1))
    html = anim._repr_html_()
    assert "36 frames" in html and "render" in html and "base64" not in html
    anim._draw_was_started = True  # declined on purpose: no "deleted without rendering" warning


# ---- docs builds ----------------------------------------------------------------------------------------

class _Paths:
    def __init__(self, folder: Path, stem: str) -> None:
        self.folder, self.stem, self.n = folder, stem, 0

    def __iter__(self):
        return self

    def __next__(self):
        self.n += 1
        return str(self.folder / f"sphx_glr_{self.stem}_{self.n:03d}.png")


def _scrape(images: Path, stem: str, code: str, example_globals: dict, block_vars: dict | None = None) -> str:
    from convanim.io import sphinx_gallery as sg

    block_vars = block_vars if block_vars is not None else {}
    block_vars.update(example_globals=example_globals, image_path_iterator=_Paths(images, stem))
    return sg.sphinx_gallery_scraper(("code", code, 1), block_vars, {"src_dir": str(images.parent.parent)})


def test_scraper_finds_what_the_block_made_through_its_globals_and_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    images = tmp_path / "auto_examples" / "images"
    images.mkdir(parents=True)
    code = """anim = ca.animation(ca.Conv(4, 3))
fig = ca.figure(ca.Conv(4, 3), frame=2)
gif = ca.render(ca.Conv(4, 3), "x.gif")
ca.render(ca.Conv(4, 3), "x.pdf")
ca.render(ca.Conv(4, 3), "f_{frame:02d}.png")
"""
    g: dict = {"ca": ca}
    exec(code, g)
    block_vars: dict = {}
    rst = _scrape(images, "plot_x", code, g, block_vars)
    made = sorted(p.name for p in images.iterdir())
    assert made == ["sphx_glr_plot_x_001.gif", "sphx_glr_plot_x_001.png",  # the animation and its still
                    "sphx_glr_plot_x_002.png",                              # the figure
                    "sphx_glr_plot_x_003.gif", "sphx_glr_plot_x_003.png",  # x.gif and its still
                    "sphx_glr_plot_x_004.png"]                              # the pattern: one image, frame 0
    assert Image.open(images / "sphx_glr_plot_x_001.gif").n_frames == 4
    assert (images / "sphx_glr_plot_x_003.gif").read_bytes() == (tmp_path / "x.gif").read_bytes()
    assert (images / "sphx_glr_plot_x_004.png").read_bytes() == (tmp_path / "f_00.png").read_bytes()
    assert Image.open(images / "sphx_glr_plot_x_002.png").size == Image.open(tmp_path / "f_00.png").size
    for n in (1, 2, 3, 4):
        assert f"auto_examples/images/sphx_glr_plot_x_00{n}." in rst
    # The next block made nothing new: nothing is scraped twice; a file written again is.
    assert _scrape(images, "plot_x", "y = 1", {**g, "y": 1}, block_vars) == ""
    ca.render(ca.Conv(5, 3), "x.gif")
    again = tmp_path / "auto_examples" / "again"
    again.mkdir()
    assert "sphx_glr_plot_x_001.gif" in _scrape(again, "plot_x", 'ca.render(ca.Conv(5, 3), "x.gif")', g, block_vars)
    assert sorted(p.name for p in again.iterdir()) == ["sphx_glr_plot_x_001.gif", "sphx_glr_plot_x_001.png"]
    assert Image.open(again / "sphx_glr_plot_x_001.gif").n_frames == 9


def test_the_core_keeps_no_list_for_the_scraper():
    from convanim.io import render, sphinx_gallery

    assert not hasattr(sphinx_gallery, "_MADE") and not hasattr(sphinx_gallery, "note")
    assert "sphinx_gallery" not in Path(render.__file__).read_text()


@pytest.mark.parametrize("script", sorted((ROOT / "gallery" / "examples").glob("plot_*.py")), ids=lambda p: p.name)
def test_examples_run_and_make_something_to_scrape(script, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script)])
    g = runpy.run_path(str(script), run_name="__main__")
    images = tmp_path / "a" / "images"
    images.mkdir(parents=True)
    rst = _scrape(images, script.stem, script.read_text(), g)
    assert list(images.glob("*.gif")) or list(images.glob("*.png")), "the example made nothing to show"
    assert ".gif" in rst or ".png" in rst
    del g


# ---- web formats ----------------------------------------------------------------------------------------

def test_gif_palette_is_shared_and_small(tmp_path):
    out = ca.render(ca.Conv(5, 3, p=1), tmp_path / "s.gif")
    im = Image.open(out)
    assert "transparency" in im.info or im.n_frames == 25
    data = out.read_bytes()
    assert data.count(b"\x2c") >= 25 and len(data) < 25 * 20_000  # frames carry only what changed


def test_webp_when_pillow_has_it(tmp_path):
    from PIL import features

    if not features.check("webp"):
        pytest.skip("Pillow without WebP")
    out = ca.render(ca.Conv(4, 3), tmp_path / "a.webp")
    im = Image.open(out)
    assert im.format == "WEBP" and im.n_frames == 4


def test_video_names_the_missing_plugin(tmp_path):
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="imageio-ffmpeg"):
            ca.render(ca.Conv(4, 3), tmp_path / "a.mp4")
        assert list(tmp_path.iterdir()) == []
    else:
        out = ca.render(ca.Conv(4, 3), tmp_path / "a.mp4")
        assert out.stat().st_size > 0


def test_a_figure_shows_itself_in_a_notebook_without_magic():
    """The last line of a cell: IPython's display formatter finds a PNG, with no %matplotlib inline."""
    pytest.importorskip("IPython")
    from io import BytesIO

    from IPython.core.formatters import DisplayFormatter

    fig = ca.figure(ca.Conv(5, 3, s=2, p=1), frame=4)
    data, _ = DisplayFormatter().format(fig)
    assert "image/png" in data
    im = Image.open(BytesIO(data["image/png"]))
    w, h = fig.get_size_inches() * fig.dpi
    assert im.format == "PNG" and im.size == (round(w), round(h))
    import pickle

    assert pickle.loads(pickle.dumps(fig)).get_size_inches().tolist() == fig.get_size_inches().tolist()
