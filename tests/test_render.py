"""Files: formats, frame and page counts, text in vectors, atomic writes, determinism, the look."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convanim as ca
from convanim.drawing.api import new_stage
from convanim.drawing.theme import THEMES
from convanim.io.encoders import gif_palette, quantize

ROOT = Path(__file__).resolve().parents[1]
PS = ca.Conv(5, 3, s=2, p=1)  # the guide's padding_strides


def pdf_pages(path):
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", Path(path).read_bytes()))


def test_gif_has_every_frame_loops_and_decodes_to_what_was_drawn(tmp_path):
    out = ca.render(PS, tmp_path / "ps.gif", duration=0.5)
    im = Image.open(out)
    assert im.n_frames == 9
    assert im.info["loop"] == 0 and im.info["duration"] == 500
    painter = new_stage(PS)
    _, lut = gif_palette(painter.theme)
    pal = np.frombuffer(gif_palette(painter.theme)[0], dtype=np.uint8).reshape(256, 3)
    for t in range(9):
        im.seek(t)
        got = np.asarray(im.convert("RGB"))
        painter.set_frame(t)
        expected = pal[quantize(painter.rgb(), lut)]
        assert got.shape == expected.shape
        assert np.array_equal(got, expected), t


def test_pdf_has_a_page_per_frame_or_one(tmp_path):
    assert pdf_pages(ca.render(PS, tmp_path / "all.pdf")) == 9
    assert pdf_pages(ca.render(PS, tmp_path / "one.pdf", frame=4)) == 1


def test_frame_pattern_writes_every_frame_with_one_size(tmp_path):
    spec = ca.Conv(4, 3).transpose()
    ca.render(spec, tmp_path / "f_{frame:02d}.png")
    files = sorted(tmp_path.glob("f_*.png"))
    assert [f.name for f in files] == [f"f_{t:02d}.png" for t in range(16)]
    assert len({Image.open(f).size for f in files}) == 1
    ca.render(spec, tmp_path / "s_{frame}.svg")
    assert len(list(tmp_path.glob("s_*.svg"))) == 16


def test_single_png_and_svg_default_to_frame_0(tmp_path):
    a = ca.render(PS, tmp_path / "a.png")
    b = ca.render(PS, tmp_path / "b.png", frame=0)
    assert a.read_bytes() == b.read_bytes()
    assert ca.render(PS, tmp_path / "c.png", frame=3).read_bytes() != a.read_bytes()


def test_svg_keeps_numbers_as_text(tmp_path):
    out = ca.render(PS, tmp_path / "n.svg", frame=4, numbers=True, labels=True, caption=True)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text())
    assert texts, "no <text> elements"
    # The guide's Figure 1.2 outputs, the input's first row, a weight, the labels.
    for value in ["6.0", "17.0", "13.0", "4.0"]:
        assert value in texts
    assert texts.count("3") >= 2
    assert any(t.startswith("input 5×5") for t in texts) and any(t.startswith("output 3×3") for t in texts)


def test_svg_weights_of_a_transposed_view_are_rotated(tmp_path):
    spec = ca.ConvTranspose(2, 2, s=2)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = ca.render(spec, tmp_path / "t.svg", frame=0, numbers=True, x=np.ones((2, 2)) * 5, kernel=kernel)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text())
    # The four weights appear (rotated); the output at frame 0 is 5 * w[0, 0] = 5... drawn as 5.0.
    assert {"1", "2", "3", "4"} <= set(texts)
    assert "5.0" in texts and "20.0" in texts


def test_pdf_keeps_text_as_text(tmp_path):
    out = ca.render(PS, tmp_path / "n.pdf", frame=4, numbers=True)
    data = out.read_bytes()
    assert b"/FontFile2" in data  # an embedded TrueType font, i.e. real text, not paths


@pytest.mark.parametrize("name,kw", [
    ("gif", {}), ("pdf", {}), ("png", {"frame": 2}), ("svg", {"frame": 2, "numbers": True}),
])
def test_same_spec_same_bytes_across_processes(tmp_path, name, kw):
    code = ("import sys, convanim as ca; "
            f"ca.render(ca.Conv(6, 3, s=2, p=1).transpose(), sys.argv[1], labels=True, caption=True, **{kw!r})")
    outs = []
    for j in range(2):
        path = tmp_path / f"{j}.{name}"
        env = dict(os.environ, PYTHONHASHSEED=str(j + 1), MPLBACKEND="Agg")
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, env=env, cwd=ROOT)
        outs.append(path.read_bytes())
    assert outs[0] == outs[1]
    assert b"CreationDate" not in outs[0] or name != "pdf"


@pytest.mark.parametrize("call,match", [
    (lambda d: ca.render(PS, d / "x.bmp"), "unknown suffix"),
    (lambda d: ca.render(PS, d / "x"), "unknown suffix"),
    (lambda d: ca.render(PS, d / "missing" / "x.gif"), "does not exist"),
    (lambda d: ca.render(PS, d / "x.png", frame=9), "frame 9 is out of range"),
    (lambda d: ca.render(PS, d / "x.pdf", frame=-10), "out of range"),
    (lambda d: ca.render(PS, d / "x.gif", numbers=True, x=np.zeros((4, 4))), "x must have shape"),
    (lambda d: ca.render(PS, d / "x.gif", numbers=True, kernel=np.zeros((2, 2))), "kernel must have shape"),
    (lambda d: ca.render(PS, d / "x_{frame}.gif"), "pattern"),
    (lambda d: ca.render(PS, d / "x_{frames}.png"), "only {frame}"),
    (lambda d: ca.render(PS, d / "x.gif", style="slanted"), "style"),
    (lambda d: ca.render(PS, d / "x.gif", theme="neon"), "theme"),
    (lambda d: ca.render(ca.Conv(120, 1), d / "x.gif"), "max_frames"),
])
def test_bad_arguments_write_nothing(tmp_path, call, match):
    with pytest.raises((ValueError, FileNotFoundError)) as info:
        call(tmp_path)
    assert match in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_render_leaves_no_file(tmp_path, monkeypatch):
    from convanim.io import encoders

    calls = {"n": 0}
    real = encoders.GifEncoder.add_rgb

    def boom(self, rgb):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(self, rgb)

    monkeypatch.setattr(encoders.GifEncoder, "add_rgb", boom)
    (tmp_path / "ps.gif").write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        ca.render(PS, tmp_path / "ps.gif")
    assert [p.name for p in tmp_path.iterdir()] == ["ps.gif"]
    assert (tmp_path / "ps.gif").read_bytes() == b"old"  # the previous file is untouched


def test_max_frames_raises_the_limit(tmp_path):
    out = ca.render(ca.Conv(101, 1), tmp_path / "big.png", frame=0, max_frames=20000)
    assert out.exists()


# ---- the look: colours where the guide has them -------------------------------------------------

def _pixel(painter, xy):
    fig = painter.figure
    px, py = painter.ax.transData.transform(xy)
    h = fig.canvas.get_width_height()[1]
    return tuple(int(v) for v in painter.rgb()[int(round(h - py)), int(round(px))])


def _close(a, b, tol=6):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


@pytest.mark.parametrize("theme", ["guide", "colorblind", "dark"])
def test_cells_have_the_theme_colours(theme):
    th = THEMES[theme]
    painter = new_stage(PS, theme=theme)
    painter.set_frame(0)
    centre = painter.plan.panels[0].centre
    assert _close(_pixel(painter, centre(4, 4)), th.input)               # plain input cell
    assert _close(_pixel(painter, centre(6, 6)), th.padding)             # padding cell
    assert _close(_pixel(painter, centre(0, 0)), th.over("padding"))     # kernel over padding
    assert _close(_pixel(painter, centre(1, 2)), th.over("input"))       # kernel over input (off the lines)
    assert _close(_pixel(painter, centre(0, 0, "output")), th.over("output"))  # current output cell
    assert _close(_pixel(painter, centre(1, 1, "output")), th.output)    # other output cells
    painter.set_frame(8)  # the kernel moved: the old spot is plain again, the new one shaded
    assert _close(_pixel(painter, centre(0, 0)), th.padding)
    assert _close(_pixel(painter, centre(4, 5)), th.over("input"))
    assert _close(_pixel(painter, centre(2, 2, "output")), th.over("output"))


def test_transposed_inserted_zeros_are_white_and_input_blue():
    painter = new_stage(ca.Conv(5, 3, s=2).transpose())
    painter.set_frame(24)  # kernel at the bottom-right, away from the cells probed
    panel, th = painter.plan.panels[0], painter.theme
    r0, c0 = min(panel.sc.input_cells)
    assert _close(_pixel(painter, panel.centre(r0, c0)), th.input)
    assert _close(_pixel(painter, panel.centre(r0, c0 + 1)), th.padding)  # an inserted zero


def test_dilated_kernel_shades_taps_not_gaps():
    painter = new_stage(ca.Conv(7, 3, d=2))
    painter.set_frame(0)
    panel, th = painter.plan.panels[0], painter.theme
    assert _close(_pixel(painter, panel.centre(2, 2)), th.over("input"))  # a tap
    assert _close(_pixel(painter, panel.centre(1, 1)), th.input)          # a gap


@pytest.mark.parametrize("spec,kw", [
    (ca.Conv(6, 3, s=2, p=1).transpose(), dict(numbers=True, labels=True)),
    (PS, dict(numbers=True, style="flat", theme="dark", caption=True)),
    (ca.Conv(4, 3), dict(view="both", numbers=True)),
    (ca.Pool(5, 3, s=1), dict(numbers=True, theme="colorblind")),
    (ca.Conv(4, 3, c_in=4, c_out=4, groups=2), dict(numbers=True, labels=True)),
    (ca.Conv(4, 3, c_in=3, c_out=3, groups=3), dict(numbers=True, style="flat", theme="dark")),
], ids=["transposed-paper", "flat-dark", "both", "maxpool", "channels-grouped", "channels-depthwise-flat-dark"])
def test_blitted_frames_equal_full_redraws(spec, kw):
    # The fast path must draw exactly what a plain full draw does: a text drawn again over a moving shade or
    # line is drawn once (over a patch of its background), never twice (which would embolden it).
    fast = new_stage(spec, **kw)
    for t in (0, 2, fast.n_frames - 1):
        fast.set_frame(t)
        blit = fast.rgb()
        slow = new_stage(spec, **kw)
        slow.set_frame(t)
        slow.figure.canvas.draw()
        full = np.asarray(slow.figure.canvas.buffer_rgba())[..., :3]
        diff = np.abs(blit.astype(int) - full.astype(int)).max(axis=2)
        assert np.mean(diff > 2) < 0.0005 and diff.max() <= 24, t
