"""The HTML player's file, without a browser: its contract in the markup, its frame data, its size, its bytes.

The browser tests (tests/test_html_browser.py) drive the same pages in Chromium.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import convanim as ca
from convanim.io.html import caption_lines, player_stage, to_html, write_html

ODD_T = ca.Conv(6, 3, s=2, p=1).transpose()
ODD_KW = dict(numbers=True, labels=True, caption=True)


def payload(page: str) -> dict:
    m = re.search(r'<script type="application/json" class="cvp-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def decode(data: dict) -> list[list[tuple[int, list[int]]]]:
    """What the page's script holds at each frame, played from frame 0 (the script's algorithm, in Python)."""
    held: list = [None] * max(len(f) for f in data["frames"][:1])
    out = []
    for entries in data["frames"]:
        for e in entries:
            if len(e) == 3:
                held[e[0]] = (e[1], list(e[2]))
            else:
                tpl, c = held[e[0]]
                held[e[0]] = (tpl, [v + e[1][i % len(e[1])] for i, v in enumerate(c)])
        out.append(list(held))
    return out


def markup(data: dict, state: tuple[int, list[int]]) -> str:
    parts = data["tpl"][state[0]]
    return parts[0] + "".join(f"{c / data['unit']:g}" + p for c, p in zip(state[1], parts[1:]))


def test_root_controls_and_cells_follow_the_contract():
    spec = ca.Conv(5, 3, s=2, p=1)
    page = to_html(spec)
    stage = player_stage(spec)
    assert re.search(r'<figure class="convanim-player [^"]*"[^>]* data-frames="9" data-frame="0"', page)
    for label in ("Play", "Previous frame", "Next frame"):
        assert page.count(f'aria-label="{label}"') == 1
    assert page.count('<input type="range"') == 1 and 'max="8"' in page
    cells = [int(v) for v in re.findall(r'data-cell-frame="(\d+)"', page)]
    assert sorted(cells) == [t for t, _ in stage.output_cells()] == list(range(9))
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page, re.S).group(1)
    assert "Convolution: input 5×5 → output 3×3, k = 3, s = 2, p = 1" in caption
    assert "floor((5 + 2*1 - 3) / 2) + 1 = 3" in caption


def test_cells_sit_where_the_figure_draws_them():
    spec = ca.Conv(4, 3, p=1)
    page = to_html(spec, style="flat")
    stage = player_stage(spec, style="flat")
    fig = stage.figure
    h_pt = fig.get_figheight() * 72
    polys = re.findall(r'<polygon points="([^"]+)" data-cell-frame="(\d+)"', page)
    assert len(polys) == 16
    for (t, px), (points, t_page) in zip(stage.output_cells(), polys):
        pts = np.array([[float(v) for v in p.split(",")] for p in points.split()])
        expect = np.column_stack([px[:, 0] * 72 / fig.dpi, h_pt - px[:, 1] * 72 / fig.dpi])
        assert int(t_page) == t
        np.testing.assert_allclose(pts, expect, atol=0.06)


@pytest.mark.parametrize("kw", [dict(), dict(style="flat", numbers=True), dict(view="both", theme="dark")])
def test_decoded_frames_put_the_kernel_where_the_painter_does(kw):
    """Every frame, played through the deltas and keyframes, puts the shade's corners within 0.02 pt."""
    spec = ca.Conv(9, 3, p=1)  # 81 frames: a keyframe at 64, deltas on both sides
    data = payload(to_html(spec, **kw))
    assert data["key"] == 64 and len(data["frames"]) == 81
    stage = player_stage(spec, **kw)
    shade = stage.moving_artists()[0]  # the grid painter's kernel shade
    fig = stage.figure
    for t, held in enumerate(decode(data)):
        stage.set_frame(t)
        verts = np.array([shade.get_transform().transform(p.vertices[:4]) for p in shade.get_paths()])
        expect = np.stack([verts[..., 0] * 72 / fig.dpi, fig.get_figheight() * 72 - verts[..., 1] * 72 / fig.dpi], -1)
        d = re.findall(r' d="M([^"z]+)z"', markup(data, held[0]))
        got = np.array([[float(v) for v in s.split()] for s in d]).reshape(expect.shape)
        np.testing.assert_allclose(got, expect, atol=0.021, err_msg=f"frame {t}")


def test_frames_are_differences_not_copies():
    data = payload(to_html(ca.Conv(9, 3, p=1)))
    whole = [e for f in data["frames"][1:] for e in f if len(e) == 3]
    # Only the keyframe and the output highlight (a marker whose anchor moves) are stored whole.
    moved = [e for f in data["frames"][1:] for e in f if len(e) == 2 and e[0] == 0]
    assert all(len(e[1]) == 2 for e in moved), "a shade moved as a whole is one [dx, dy]"
    assert len(data["tpl"]) < 10
    assert len(whole) <= 3 + 80  # keyframe 64 (3 artists) + at most one artist per frame


def test_moving_text_stays_above_a_moving_shade_and_still_text_above_too():
    """Draw order is matplotlib's: the shade's placeholder comes before the numbers it covers and the weights."""
    page = to_html(ODD_T, **ODD_KW)
    svg = page[page.index("<svg"):page.index("</svg>")]
    stage = player_stage(ODD_T, **ODD_KW)
    arts = stage.moving_artists()
    painter = stage.painters[0]
    kernel = arts.index(painter.movers["0:kernel"])
    weight = arts.index(painter.movers["0:weights"][0])
    number = arts.index(painter.texts[0])  # a number the shade may cover: it changes colour, so it moves too
    at = {k: svg.index(f'data-moving="{k}"') for k in (kernel, weight, number)}
    assert at[kernel] < at[number] < at[weight]
    labels = [a for a in painter.texts if a.get_text().startswith("input")]
    assert labels and labels[0] not in arts and ">input 3×3</text>" in svg.replace("\n", "")


def test_self_contained_no_reference_outside_the_page():
    page = to_html(ODD_T, **ODD_KW)
    assert not re.search(r"\b(?:src|href|action|srcset)\s*=\s*[\"'](?!#)", page)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    assert "https://" not in page and "@import" not in page and "url(" not in page.replace("url(#", "")
    # A strict policy forbids every request; its hashes are those of the one script and the one style sheet.
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert csp.startswith("default-src 'none';")
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    style = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(script) == 1 and len(style) == 1
    for text in (script[0], style[0]):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    # Inline style attributes would be blocked by that policy: there are none (matplotlib's became classes).
    assert " style=" not in page


def test_svg_parses_and_text_stays_text():
    page = to_html(ODD_T, **ODD_KW)
    svg = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "input 3×3" in texts
    # The numbers change colour under the moving shade, so they come with the frames: as text there too.
    templates = json.dumps(payload(page)["tpl"])
    assert templates.count("<text") > 20 and "</text>" in templates


def test_sizes_odd_transposed_case_is_small():
    page = to_html(ODD_T, **ODD_KW)
    assert len(page.encode()) < 150_000


def test_same_spec_same_bytes_across_processes(tmp_path):
    code = ("import sys, convanim as ca; ca.render(ca.Conv(6, 3, s=2, p=1).transpose(), sys.argv[1], "
            "numbers=True, labels=True, caption=True, view='both')")
    root = Path(__file__).resolve().parents[1]
    for name in ("a.html", "b.html"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, cwd=root)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_render_and_frame_open_paused_on_that_frame(tmp_path):
    out = ca.render(ca.Pool(4, 2), tmp_path / "p.html", frame=-1)
    page = out.read_text()
    assert 'data-frames="4" data-frame="3"' in page
    data = payload(page)
    assert data["start"] == 3 and data["play"] is False
    assert [p.name for p in tmp_path.iterdir()] == ["p.html"]  # no temporary left behind


def test_two_players_on_one_page_share_no_id():
    a = to_html(ca.Conv(4, 3), full_page=False)
    b = to_html(ca.Conv(5, 3, s=2), full_page=False)
    ids = lambda s: set(re.findall(r' id="([^"]+)"', s)) | set(re.findall(r'id=\\"([^"\\]+)', s))
    assert ids(a) and not ids(a) & ids(b)
    assert "<html" not in a and "Content-Security-Policy" not in a


@pytest.mark.parametrize("call, exc, match", [
    (lambda p: ca.render(ca.Conv(4, 3), p / "x.html", frame=4), ValueError, "frame 4 is out of range"),
    (lambda p: ca.render(ca.Conv(4, 3), p / "x.html", duration=0), ValueError, "duration"),
    (lambda p: write_html(ca.Conv(4, 3), p / "x.html", duration="fast"), TypeError, "duration"),
    (lambda p: ca.render(ca.Conv(4, 3), p / "x_{frame}.html"), ValueError, "pattern"),
    (lambda p: ca.render(ca.Conv(4, 3), p / "x.html", view="side"), ValueError, "view"),
])
def test_bad_arguments_write_nothing(tmp_path, call, exc, match):
    with pytest.raises(exc, match=match):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    import convanim.io.html as h

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(h.AtomicFile, "commit", boom)
    with pytest.raises(KeyboardInterrupt):
        write_html(ca.Conv(4, 3), tmp_path / "x.html")
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_html(tmp_path):
    from convanim.cli import main

    argv = ["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(tmp_path / "c.html"), "--view", "matrix"]
    assert main(argv) == 0
    assert 'data-frames="9"' in (tmp_path / "c.html").read_text()


def test_caption_lines_say_what_describe_says():
    lines = caption_lines(ODD_T)
    assert lines[0] == "Transposed convolution: input 3×3 → output 6×6, k = 3, s = 2, p = 1, output_padding = 1"
    # The formula and the direct view, word for word as describe() has them.
    assert lines[1:] == ODD_T.describe().splitlines()[1:]


@pytest.mark.slow  # draws 4096 frames
def test_sizes_64x64_with_4096_frames_is_under_5_mb(tmp_path):
    path = ca.render(ca.Conv(64, 3, p=1), tmp_path / "big.html")
    page = path.read_text()
    assert 'data-frames="4096"' in page and page.count("data-cell-frame=") == 4096
    assert path.stat().st_size < 5_000_000


def test_still_figure_is_a_one_frame_player_with_hidden_controls(tmp_path):
    from convanim.drawing.figures import StillStage, positions_figure
    from convanim.io.html import write_stage_html

    path = write_stage_html(StillStage(positions_figure(ca.Conv(5, 3, s=2, p=1))), tmp_path / "still.html",
                            caption=["counting positions"], title="positions")
    page = path.read_text()
    assert 'data-frames="1" data-frame="0"' in page and "data-cell-frame=" not in page
    assert 'aria-label="Animation controls" hidden>' in page
    assert "<figcaption><code>counting positions</code></figcaption>" in page
    assert ">(a) 3 positions along the width</text>" in page


def test_stage_html_needs_a_caption():
    from convanim.io.html import stage_html

    with pytest.raises(ValueError, match="caption"):
        stage_html(player_stage(ca.Conv(4, 3)), caption=[" "], title="x")


def test_player_shows_itself_in_a_notebook(tmp_path):
    from convanim.io.html import Player

    p = Player(ca.Conv(4, 3), numbers=True, theme="dark")
    fragment = p._repr_html_()
    assert fragment.startswith("<style>") and 'data-frames="4"' in fragment and "<html" not in fragment
    assert p.save(tmp_path / "p.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("spec, kw", [
    (ca.Conv((5, 7), (3, 2), s=(2, 1), p=(1, 0), d=(1, 2)), dict(numbers=True)),
    (ca.ConvTranspose(3, 3, s=2, p=1, output_padding=1), dict(style="flat", numbers=True, theme="colorblind")),
    (ca.Pool(6, 2, mode="max"), dict(numbers=True)),
    (ca.Pool(4, 2, mode="avg"), dict(view="both", numbers=True)),
    (ca.Pool(5, 3, s=2, p=1, mode="avg", ceil_mode=True), dict(labels=True, caption=True, theme="dark")),
    pytest.param(ca.Conv(9, 3, p=1).transpose(), dict(view="matrix"), marks=pytest.mark.slow),  # 81 frames, each whole
], ids=["rect-dilated", "transpose-flat", "maxpool", "avgpool-both", "avgpool-dark", "matrix-81"])
def test_deltas_replay_every_frame_as_drawn_whole(spec, kw):
    """Whatever the view: playing the deltas gives each frame's markup, within 0.02 pt of drawing it whole."""
    from convanim.io.svg_frames import SvgFrames

    played = SvgFrames(player_stage(spec, **kw))
    whole = SvgFrames(player_stage(spec, **kw), keyframe_every=1)
    assert all(len(e) == 3 for f in whole.frames for e in f)
    data = lambda f: {"frames": f.frames, "tpl": f.templates, "unit": f.unit}
    for t, (a, b) in enumerate(zip(decode(data(played)), decode(data(whole)))):
        for k, (sa, sb) in enumerate(zip(a, b)):
            assert played.templates[sa[0]] == whole.templates[sb[0]], (t, k)
            assert np.abs(np.subtract(sa[1], sb[1])).max(initial=0) <= 2, (t, k)


def test_a_stage_that_already_wrote_a_gif_gives_the_same_page():
    """The gallery may reuse the stage it drew the GIF with."""
    import io

    from convanim.io.encoders import GifEncoder
    from convanim.io.html import stage_html
    from convanim.io.render import run_encoders

    stage = player_stage(ODD_T, **ODD_KW)
    run_encoders(stage, range(stage.n_frames), [GifEncoder(io.BytesIO(), stage.theme, 1.0)])
    assert stage_html(stage, caption=caption_lines(ODD_T), title=repr(ODD_T)) == to_html(ODD_T, **ODD_KW)


def test_notebook_and_docs_can_show_the_player():
    from convanim.io.sphinx_gallery import sphinx_gallery_scraper

    anim = ca.animation(ca.Conv(4, 3), display="player")
    html = anim._repr_html_()
    assert 'data-frames="4"' in html and "<img" not in html.split("<svg")[0]
    assert 'data-frames="4"' in ca.Player(ca.Conv(4, 3))._repr_html_()
    assert ca.animation(ca.Conv(4, 3))._repr_html_().startswith('<img src="data:image/gif;base64,')
    with pytest.raises(ValueError, match="display"):
        ca.animation(ca.Conv(4, 3), display="video")

    # The scraper embeds a player kept in a variable, and leaves its first frame as the thumbnail.
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    paths = iter(folder / f"sphx_glr_x_{n:03d}.png" for n in range(1, 10))
    rst = sphinx_gallery_scraper(("code", "anim = 1", 1), {"example_globals": {"anim": anim},
                                                           "image_path_iterator": paths}, {"src_dir": str(folder)})
    assert ".. raw:: html" in rst and 'data-frames="4"' in rst
    assert (folder / "sphx_glr_x_001.png").read_bytes()[:4] == b"\x89PNG"


def test_a_player_refuses_bad_options_when_made():
    with pytest.raises(TypeError, match="numbers"):
        ca.Player(ca.Conv(4, 3), numbers="yes")
    with pytest.raises(ValueError, match="c_in"):
        ca.Player(ca.Conv(4, 3, c_in=2), view="matrix")  # the grid view draws channels; the matrix view not yet
