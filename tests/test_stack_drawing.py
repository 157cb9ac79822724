"""Drawing stacks and overlap: the figure model's promises on real artists, the frames right to the cell, the CLI
and the catalogue."""
from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convanim as ca
from convanim.cli import main
from convanim.drawing.api import make_plan, new_stage
from convanim.drawing.overlap_plan import OverlapPanel, level_colour
from convanim.drawing.shapes import box_hits_polygon, box_in_polygon
from convanim.drawing.stack_plan import StackPanel, clip_outside
from convanim.drawing.theme import contrast
from convanim.gallery.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ca.Stack.from_text("conv k=3; conv k=3 s=2; maxpool k=2", 16)
ROWS = ca.Stack(ca.Conv((1, 16), (1, 2)), ca.Conv((1, 15), (1, 2), d=(1, 2)), ca.Conv((1, 13), (1, 2), d=(1, 4)),
                ca.Conv((1, 9), (1, 2), d=(1, 8)))
UNEVEN = ca.ConvTranspose(4, 3, s=2, p=1, output_padding=1)
EVEN = ca.ConvTranspose(4, 4, s=2, p=1)

CASES = [
    (GUIDE, {}),
    (GUIDE, {"style": "flat"}),
    (GUIDE, {"theme": "dark"}),
    (ca.Stack.from_text("conv k=3 d=2; tconv k=3 s=2 p=1; avgpool k=2", (9, 7)), {"style": "flat", "theme": "colorblind"}),
    (ROWS, {"style": "flat"}),
    (ROWS, {}),
    (UNEVEN, {"view": "overlap", "numbers": True}),
    (EVEN, {"view": "overlap", "numbers": True, "style": "flat", "theme": "dark"}),
    (ca.Conv(6, 3, s=2, p=1), {"view": "overlap"}),
    (ca.Pool(7, 3, s=2, mode="avg"), {"view": "overlap", "numbers": True, "theme": "colorblind"}),
    (ca.ConvTranspose(3, 1, s=2), {"view": "overlap", "numbers": True, "style": "flat"}),
]
IDS = [f"{spec!r}-{kw}" for spec, kw in CASES]


def _drawn(spec, kw, frame=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at the default size: everything fits
        stage = new_stage(spec, labels=True, caption=True, **kw)
    stage.set_frame(stage.n_frames // 2 if frame is None else frame)
    stage.vector_mode()
    fig = stage.figure
    fig.canvas.draw()
    return stage, fig, fig.canvas.get_renderer()


def _extent(art, renderer):
    b = art.get_window_extent(renderer)
    return (b.x0, b.y0, b.x1, b.y1)


@pytest.mark.parametrize("spec,kw", CASES, ids=IDS)
def test_texts_are_legible_inside_their_cells_clear_of_the_grids_and_never_collide(spec, kw):
    stage, fig, renderer = _drawn(spec, kw)
    painter = stage.painters[0]
    to_px = painter.ax.transData.transform
    texts = [(a, painter.plan.texts[j]) for j, a in enumerate(painter.texts) if a.get_visible() and a.get_text()]
    assert texts
    boxes = [(_extent(a, renderer), a.get_text()) for a, _ in texts]
    for a, _ in texts:
        assert a.get_fontsize() >= 6.0, a.get_text()
    for j in range(len(boxes)):
        for m in range(j + 1, len(boxes)):
            (a, ta), (b, tb) = boxes[j], boxes[m]
            assert a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5, (ta, tb)
    outlines = [to_px(o) for p in painter.plan.panels for o in p.grid_outlines()]
    for art, t in texts:
        box = _extent(art, renderer)
        if t.cell is not None:
            assert box_in_polygon(box, to_px(t.cell), tol=0.75), art.get_text()
        else:
            for o in outlines:
                assert not box_hits_polygon(box, o), art.get_text()
    # The tight bounding box is the drawing.
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0)
    tight = Image.open(buf).size
    w, h = fig.canvas.get_width_height()
    assert 0.85 * w <= tight[0] <= w + 2 and 0.85 * h <= tight[1] <= h + 2, (tight, (w, h))


@pytest.mark.parametrize("spec,kw", CASES[::2], ids=IDS[::2])
def test_every_text_contrasts_with_what_is_behind_it(spec, kw):
    stage, fig, renderer = _drawn(spec, kw)
    painter = stage.painters[0]
    arts = [a for a in painter.texts if a.get_visible() and a.get_text()]
    for a in arts:
        a.set_visible(False)
    fig.canvas.draw()
    bare = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    for a in arts:
        a.set_visible(True)
    h = bare.shape[0]
    for a in arts:
        x0, y0, x1, y1 = _extent(a, renderer)
        patch = bare[int(h - y1) + 1:int(h - y0) - 1, int(x0) + 1:int(x1) - 1].reshape(-1, 3)
        behind = tuple(int(v) for v in np.median(patch, axis=0))
        ink = tuple(int(round(255 * v)) for v in a.get_color()[:3])
        assert contrast(ink, behind) >= 4.5, (a.get_text(), ink, behind)


@pytest.mark.parametrize("stack", [GUIDE, ROWS, ca.Stack.from_text("conv k=3 d=2; tconv k=3 s=2 p=1; conv k=2", 9)])
@pytest.mark.parametrize("style", ["paper", "flat"])
def test_each_frame_shades_the_receptive_field_on_every_map(stack, style):
    panel = StackPanel(stack, style=style)
    oh, ow = stack.output_shape
    assert panel.n_frames == oh * ow
    for t in range(panel.n_frames):
        cell = divmod(t, ow)
        state = panel.frame(t)
        quads = state.geometry["rf"]
        expected = []
        # Map by map: the cells output `cell` depends on, through the layers above that map.
        for m in range(len(stack.layers) + 1):
            if m == len(stack.layers):
                cells = [cell]
            else:
                cells = sorted(ca.receptive_field(ca.Stack(*stack.layers[m:]), cell))
            expected += [panel.quads(m, [c])[0] for c in cells]
        np.testing.assert_allclose(quads, np.array(expected).reshape(-1, 4, 2))
        assert len(state.geometry["lines"]) > 0


def test_rows_draw_a_path_for_every_dependency_of_the_shaded_cells():
    panel = StackPanel(ROWS, style="flat")
    lines = panel.frame(0).geometry["lines"]
    # Dilations 1, 2, 4, 8 and k = 2: 2 + 4 + 8 + 16 paths into the cells of the binary tree.
    assert len(lines) == 30
    assert panel.n_frames == 1 and len(ca.receptive_field(ROWS, (0, 0))) == 16
    # Every path goes up, from the top of a cell below to the bottom of the one it feeds.
    assert np.all(lines[:, 1, 1] > lines[:, 0, 1])


def test_paths_in_paper_style_pass_behind_the_map_above():
    panel = StackPanel(GUIDE, style="paper")
    lines = panel.frame(4).geometry["lines"]
    outlines = [panel.outline(m) for m in range(len(GUIDE.layers) + 1)]
    assert len(lines) >= 12
    for a, b in lines:
        top = b if b[1] > a[1] else a
        # The map a path goes up to: the highest whose bottom lies below the path's upper end.
        above = max((o for o in outlines if o[:, 1].min() <= top[1] + 1e-9), key=lambda o: o[:, 1].min())
        for t in np.linspace(0.02, 0.98, 25):
            x, y = a + t * (b - a)
            assert not box_in_polygon((x, y, x, y), above, tol=-1e-6)


def test_clip_outside_keeps_what_is_outside():
    sq = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    segs = np.array([[[-1, 1], [3, 1]], [[-1, 3], [3, 3]], [[0.5, 0.5], [1.5, 1.5]], [[1, 1], [1, 4]]], float)
    out = clip_outside(segs, sq)
    np.testing.assert_allclose(out, [[[-1, 1], [0, 1]], [[2, 1], [3, 1]], [[-1, 3], [3, 3]], [[1, 2], [1, 4]]])


@pytest.mark.parametrize("spec", [UNEVEN, EVEN, ca.Conv(6, 3, s=2, p=1), ca.Pool(7, 3, s=2), ca.ConvTranspose(3, 1, s=2)])
def test_overlap_heatmap_colours_each_cell_by_its_count(spec):
    panel = OverlapPanel(spec, numbers=True)
    from convanim.drawing.compose import Composer

    comp = Composer(panel.th)
    panel.add_still(comp)
    counts = ca.overlap(spec)
    assert counts.shape == (spec.output_shape if isinstance(spec, ca.ConvTranspose) else spec.input_shape)
    R, C = counts.shape
    seen = 0
    for shapes in comp.shapes:
        for quad in shapes.verts:
            centre = quad.mean(axis=0)
            if not box_in_polygon((*centre, *centre), panel.lay.canvas_outline):
                continue  # a legend swatch
            r, c = int(np.floor(-centre[1])), int(np.floor(centre[0]))
            if panel.style == "paper":
                rc = np.linalg.solve(np.stack([panel.lay.project(1, 0), panel.lay.project(0, 1)], axis=1), centre)
                r, c = int(np.floor(rc[0])), int(np.floor(rc[1]))
            assert shapes.face == level_colour(panel.th, panel.base, int(counts[r, c]), int(counts.max()))
            seen += 1
    assert seen == R * C
    # Light to dark: more windows, darker (in the guide's theme).
    from convanim.drawing.theme import luminance

    lum = [luminance(panel.colour(v)) for v in panel.levels if v > 0]
    assert lum == sorted(lum, reverse=True)
    # The numbers written are the counts, and the legend lists every count.
    texts = panel.number_texts(30.0)
    assert [t.text for t in texts[:R * C]] == [str(v) for v in counts.ravel()]
    assert [t.text for t in texts[R * C:]] == [str(v) for v in panel.levels]


def test_overlap_caption_cites_odena_and_says_uneven_or_even():
    plan = make_plan(UNEVEN, view="overlap", caption=True)
    text = " ".join(t.text for t in plan.texts if t.role == "caption")
    assert "uneven overlap, a checkerboard" in text and "Odena, Dumoulin & Olah" in text and "Distill 2016" in text
    plan = make_plan(EVEN, view="overlap", caption=True)
    text = " ".join(t.text for t in plan.texts if t.role == "caption")
    assert "k = 4 is a multiple of s = 2" in text
    assert plan.n_frames == 1


def test_draw_figure_render_and_animation_take_a_stack(tmp_path):
    from matplotlib.figure import Figure

    painter = ca.draw(Figure().add_subplot(), GUIDE, frame=-1, labels=True)
    assert painter.frame == 8
    fig = ca.figure(GUIDE, frame=3, style="flat")
    assert fig.get_figwidth() > fig.get_figheight()
    gif = ca.render(GUIDE, tmp_path / "s.gif")
    assert Image.open(gif).n_frames == 9
    assert ca.animation(GUIDE).to_gif_bytes()[:6] == b"GIF89a"
    a, b = ca.render(GUIDE, tmp_path / "a.png", frame=2), ca.render(GUIDE, tmp_path / "b.png", frame=2)
    assert a.read_bytes() == b.read_bytes()
    html = ca.render(GUIDE, tmp_path / "s.html").read_text()
    assert 'data-frames="9"' in html and "receptive field of an output cell: 7×7" in html
    png = ca.render(UNEVEN, tmp_path / "o.png", view="overlap")
    assert Image.open(png).size[0] > 100


@pytest.mark.parametrize("kw,match", [
    ({"view": "overlap"}, "view: a Stack is drawn with view='grid'"),
    ({"view": "matrix"}, "view: a Stack"),
    ({"numbers": True}, "numbers: a Stack is drawn without values"),
    ({"x": np.zeros((16, 16))}, "x: a Stack"),
    ({"frame": 9}, "frame 9 is out of range"),
])
def test_stack_drawing_refusals_name_the_parameter(kw, match):
    frame = kw.pop("frame", 0)
    with pytest.raises(ValueError, match=match):
        ca.figure(GUIDE, frame, **kw)


def test_overlap_refuses_values_and_other_frames():
    with pytest.raises(ValueError, match="kernel: view='overlap'"):
        ca.figure(UNEVEN, view="overlap", kernel=np.ones((3, 3)))
    with pytest.raises(ValueError, match="frame 1 is out of range"):
        ca.figure(UNEVEN, 1, view="overlap")
    with pytest.raises(ValueError, match="view must be"):
        ca.figure(UNEVEN, view="heat")


def test_stack_cost_is_refused_before_drawing():
    big = ca.Stack(ca.Conv(200, 1))
    with pytest.raises(ValueError, match="max_frames"):
        ca.figure(big)


# ---- CLI ------------------------------------------------------------------------------------------------------


def test_cli_shape_prints_the_table(capsys):
    assert main(["shape", "-i", "16", "--stack", "conv k=3; conv k=3 s=2; maxpool k=2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Stack of 3 layers: input 16x16 -> output 3x3")
    assert out[1].split() == ["#", "layer", "output", "r", "j", "start"]
    assert out[5].split() == ["3", "maxpool", "k=2", "3x3", "7", "4", "3"]


@pytest.mark.parametrize("argv,match", [
    (["shape", "-i", "16", "--stack", "conv k=3; conv k=30"], "layer 2 ('conv k=30')"),
    (["shape", "-i", "16", "--stack", "conv k=3; blur k=3"], "layer 2 ('blur k=3'): unknown kind"),
    (["shape", "-i", "16", "--stack", "conv k=3", "-s", "2"], "-s does not go with --stack"),
    (["shape", "-i", "16"], "-k/--kernel (or --stack)"),
    (["render", "-i", "16", "--stack", "conv k=3", "--numbers", "-o", "x.gif"], "numbers: a Stack"),
])
def test_cli_refuses_bad_stacks_with_one_line(argv, match, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("convanim: error: ") and match in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_cli_renders_a_stack_and_an_overlap(tmp_path):
    out = tmp_path / "rf.gif"
    r = subprocess.run([sys.executable, "-m", "convanim", "render", "-i", "8", "--stack", "conv k=3; maxpool k=2",
                        "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert Image.open(out).n_frames == 9
    assert main(["render", "-i", "4", "-k", "3", "-s", "2", "-p", "1", "--output-padding", "1", "--view", "overlap",
                 "--numbers", "-o", str(tmp_path / "o.png")]) == 0
    assert (tmp_path / "o.png").stat().st_size > 1000


# ---- the catalogue ----------------------------------------------------------------------------------------------


def test_catalogue_has_the_stack_and_the_checkerboard_pair():
    cases = load_catalogue(ROOT / "gallery" / "cases.toml")
    stack = cases["receptive_field_stack"].spec()
    assert stack == GUIDE and cases["receptive_field_stack"].section == "Receptive fields"
    assert cases["checkerboard_uneven"].spec() == UNEVEN and cases["checkerboard_even"].spec() == EVEN
    assert cases["checkerboard_uneven"].look()["view"] == "overlap"
    assert cases["checkerboard_even"].section == "Overlap"


@pytest.mark.parametrize("table,match", [
    ({"kind": "stack", "i": 8}, "layers"),
    ({"kind": "stack", "i": 8, "layers": "conv k=3", "k": 3}, "k does not go with kind = 'stack'"),
    ({"kind": "conv", "i": 8, "k": 3, "layers": "conv k=3"}, "layers goes with kind = 'stack'"),
    ({"kind": "stack", "i": 8, "layers": "conv k=3; conv k=9"}, "layer 2"),
    ({"kind": "conv", "i": 8, "k": 3, "view": "heat"}, "view must be"),
])
def test_catalogue_refuses_bad_stack_cases(table, match):
    from convanim.gallery.build import case_plan
    from convanim.gallery.catalogue import Case

    # Refused by the catalogue, or by the options every entry point checks, before anything is drawn.
    with pytest.raises(ValueError, match=match):
        case_plan(Case("x", table))


def test_the_player_of_an_overlap_view_carries_the_overlap_caption(tmp_path):
    spec = ca.ConvTranspose(4, 3, s=2, p=1, output_padding=1)
    page = ca.render(spec, tmp_path / "o.html", view="overlap").read_text()
    assert "checkerboard" in page and "Odena" in page
    assert "direct view" not in page  # the grid view's caption, not what this figure shows
    grid = ca.render(spec, tmp_path / "g.html").read_text()
    assert "direct view" in grid and "Odena" not in grid


def test_flat_stack_labels_sit_under_the_bottom_aligned_maps_where_no_path_goes():
    from convanim.drawing.api import make_plan

    stack = ca.Stack(ca.Conv(9, 3), ca.Conv(7, 3, s=2), ca.Pool(3, 2, s=1))
    plan = make_plan(stack, style="flat", labels=True)
    panel = plan.panels[0]
    bottoms = [float((panel.lays[m].canvas_outline + panel.offs[m])[:, 1].min()) for m in range(len(panel.lays))]
    assert max(bottoms) - min(bottoms) < 1e-9  # one common bottom line
    labels = [t for t in plan.texts if t.role == "label"]
    assert len(labels) == 4
    for t in labels:  # anchored at the bottom line, hanging below it
        assert t.va == "top" and t.dy < 0 and t.y == pytest.approx(bottoms[0])


def test_a_stack_caption_writes_a_real_minus_sign():
    """The WaveNet stack's field is centred on input −7.5: typeset, with U+2212, not a hyphen (issue 21, item 9)."""
    from convanim.drawing.stack_plan import stack_caption

    stack = ca.Stack.from_text("conv k=2 p=causal; conv k=2 d=2 p=causal; conv k=2 d=4 p=causal; "
                               "conv k=2 d=8 p=causal", (16,))
    text = " ".join(" ".join(line) for line in stack_caption(stack))
    assert "−7.5" in text and "-7.5" not in text
