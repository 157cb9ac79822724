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


def decode(data: dict) -> list[list[dict]]:
    """What the page's script holds at each frame, played from frame 0 (the script's algorithm, in Python)."""
    held = [{"c": [], "m": 0, "f": None, "s": None} for _ in data["kinds"]]
    marks: list = []
    out = []
    for entries in data["frames"]:
        for e in entries:
            if e[0] < 0:
                marks = e[2]
                continue
            s = held[e[0]]
            if e[1] == 0:
                s["c"], s["m"] = list(e[2]), e[3]
            elif e[1] == 1:
                s["c"] = [v + e[2][i % len(e[2])] for i, v in enumerate(s["c"])]
            else:
                s["f" if e[1] == 2 else "s"] = e[2]
        out.append([dict(h) for h in held] + [{"marks": list(marks)}])
    return out


def markup(data: dict, k: int, state: dict) -> str:
    """Slot ``k``'s markup, as the page's script writes it."""
    c, u, kind = state["c"], data["unit"], data["kinds"][k]
    fill = lambda i: f' fill="{data["pal"][state["f"][i % len(state["f"])]]}"' if state["f"] else ""
    if kind == 0:
        per = 2 * state["m"]
        def poly(i: int) -> str:
            xy = [f"{c[i + j] / u:g} {c[i + j + 1] / u:g}" for j in range(0, per, 2)]
            return f'<path d="M{xy[0]}L{" ".join(xy[1:])}Z"{fill(i // per)}/>'

        return "".join(poly(i) for i in range(0, len(c), per)) if per else ""
    if kind == 1:
        d = "".join(f"M{c[i] / u:g} {c[i + 1] / u:g}L{c[i + 2] / u:g} {c[i + 3] / u:g}" for i in range(0, len(c), 4))
        return f'<path d="{d}"/>' if d else ""
    return "".join(f'<text x="{(c[2 * i] + dx) / u:g}" y="{(c[2 * i + 1] + dy) / u:g}"{fill(i)}>{text}</text>'
                   for i in range(len(c) // 2) for dx, dy, text in data["str"][state["s"][i]])


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
    assert cells == [t for t, _ in stage.plan.cells]  # the plan's cells, each with the frame computing it
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


@pytest.mark.parametrize("kw", [dict(), dict(style="flat", numbers=True),
                                dict(view="both", theme="dark", max_matrix=324)])  # 81x81: past the default limit
def test_decoded_frames_put_the_kernel_where_the_painter_does(kw):
    """Every frame, played through the deltas and keyframes, puts the shade's corners within 0.02 pt of where
    matplotlib's painter puts them."""
    spec = ca.Conv(9, 3, p=1)  # 81 frames: a keyframe at 64, deltas on both sides
    data = payload(to_html(spec, **kw))
    assert data["key"] == 64 and len(data["frames"]) == 81
    stage = player_stage(spec, **kw)
    painter = stage.painters[0]
    k = [m.name for m in painter.plan.movers].index("0:kernel")
    shade = painter.movers["0:kernel"]
    fig = stage.figure
    for t, held in enumerate(decode(data)):
        stage.set_frame(t)
        verts = np.array([shade.get_transform().transform(p.vertices[:4]) for p in shade.get_paths()])
        expect = np.stack([verts[..., 0] * 72 / fig.dpi, fig.get_figheight() * 72 - verts[..., 1] * 72 / fig.dpi], -1)
        d = re.findall(r' d="M([^"Z]+)Z"', markup(data, k, held[k]))
        got = np.array([[float(v) for v in s.replace("L", " ").split()] for s in d]).reshape(expect.shape)
        np.testing.assert_allclose(got, expect, atol=0.021, err_msg=f"frame {t}")


def test_frames_are_differences_not_copies():
    data = payload(to_html(ca.Conv(9, 3, p=1)))
    whole = [e for f in data["frames"][1:] for e in f if e[1] == 0]
    moved = [e for f in data["frames"][1:] for e in f if e[1] == 1]
    kernel = data["kinds"].index(0)
    assert all(len(e[2]) == 2 for e in moved if e[0] == kernel), "a shade moved as a whole is one [dx, dy]"
    assert len(moved) >= 3 * 79
    assert len(whole) == 3  # the keyframe at 64, each of its 3 slots; every other frame is differences


def test_moving_text_stays_above_a_moving_shade_and_still_text_above_too():
    """Draw order is matplotlib's: the shade's slot comes before the numbers it covers and the weights."""
    page = to_html(ODD_T, **ODD_KW)
    svg = page[page.index("<svg"):page.index("</svg>")]
    stage = player_stage(ODD_T, **ODD_KW)
    plan = stage.painters[0].plan
    names = [m.name for m in plan.movers]
    covered = next(j for j, t in enumerate(plan.texts) if t.shaded is not None)  # it changes colour per frame
    at = {"kernel": svg.index(f'data-moving="{names.index("0:kernel")}"'), "number": svg.index(f'data-t="{covered}"'),
          "weights": svg.index(f'data-moving="{names.index("0:weights")}"')}
    assert at["kernel"] < at["number"] < at["weights"]
    assert ">input 3×3</text>" in svg


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
    assert "input 3×3" in texts and texts.count("0") > 20  # the numbers are text too
    # A formula is drawn as outlines with its characters as transparent text over it: found by a search.
    assert any(t and t.startswith("Transposed convolution: input 3×3") for t in texts)
    # The moving weights come with the frames, as text.
    assert all(isinstance(line[2], str) for lines in payload(page)["str"] for line in lines)


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

    assert main(["render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(tmp_path / "c.html"),
                 "--view", "matrix"]) == 0
    assert 'data-frames="9"' in (tmp_path / "c.html").read_text()


def test_caption_lines_say_what_describe_says():
    lines = caption_lines(ODD_T)
    assert lines[0] == "Transposed convolution: input 3×3 → output 6×6, k = 3, s = 2, p = 1, output_padding = 1"
    # The formula and the direct view, word for word as describe() has them.
    assert lines[1:] == ODD_T.describe().splitlines()[1:]


def test_sizes_64x64_with_4096_frames_is_under_5_mb(tmp_path):
    path = ca.render(ca.Conv(64, 3, p=1), tmp_path / "big.html")
    page = path.read_text()
    assert 'data-frames="4096"' in page and page.count("data-cell-frame=") == 4096
    assert path.stat().st_size < 5_000_000


def test_still_figure_is_a_one_frame_player_with_hidden_controls(tmp_path):
    from convanim.drawing.api import stage_of
    from convanim.drawing.figures import positions_plan
    from convanim.io.html import write_stage_html

    path = write_stage_html(stage_of(positions_plan(ca.Conv(5, 3, s=2, p=1))), tmp_path / "still.html",
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
    (ca.Conv(9, 3, p=1).transpose(), dict(view="matrix", max_matrix=324)),
], ids=["rect-dilated", "transpose-flat", "maxpool", "avgpool-both", "avgpool-dark", "matrix-81"])
def test_deltas_replay_every_frame_as_drawn_whole(spec, kw):
    """Whatever the view: playing the deltas gives each frame's markup, within 0.02 pt of drawing it whole."""
    from convanim.drawing.svg_painter import COORD_UNIT, SvgPainter
    from convanim.io.player_frames import PlayerFrames

    def data(key: int) -> dict:
        painter = SvgPainter(player_stage(spec, **kw).painters[0].plan)
        f = PlayerFrames(painter, keyframe_every=key)
        return {"frames": f.frames, "kinds": f.kinds, "pal": f.palette, "str": painter.strings, "unit": COORD_UNIT}

    played, whole = data(64), data(1)
    assert all(e[1] != 1 for f in whole["frames"] for e in f)
    for t, (a, b) in enumerate(zip(decode(played), decode(whole))):
        assert a[-1] == b[-1], t  # the same still texts recoloured
        for k, (sa, sb) in enumerate(zip(a[:-1], b[:-1])):
            assert (sa["m"], sa["f"], sa["s"], len(sa["c"])) == (sb["m"], sb["f"], sb["s"], len(sb["c"])), (t, k)
            assert np.abs(np.subtract(sa["c"], sb["c"])).max(initial=0) <= 2, (t, k)


def test_a_stage_that_already_wrote_a_gif_gives_the_same_page():
    """The gallery may reuse the stage it drew the GIF with."""
    import io

    from convanim.io.encoders import GifEncoder
    from convanim.io.formats import EncoderWriter
    from convanim.io.html import stage_html
    from convanim.io.render import write_frames

    stage = player_stage(ODD_T, **ODD_KW)
    write_frames(stage, range(stage.n_frames), [EncoderWriter(GifEncoder(io.BytesIO(), stage.theme, 1.0))])
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


def test_writing_a_player_leaves_xml_namespaces_alone():
    """No process-wide ElementTree state: the page is written as text, not through ElementTree."""
    code = ("import xml.etree.ElementTree as ET, convanim as ca; before = dict(ET._namespace_map); "
            "ca.to_html(ca.Conv(4, 3), numbers=True, caption=True); assert ET._namespace_map == before")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
