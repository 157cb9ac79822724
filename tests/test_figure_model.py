"""The figure model's promises, checked on the real artists of real figures (window extents, pixels).

At the default size: every text at least 6 pt; no two texts overlapping; a number wholly inside its cell;
labels and captions clear of every grid; every text readable against what is behind it (WCAG AA, 4.5:1);
the tight bounding box of a figure is its drawing; matplotlib's layouts and SubFigures work without warnings.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import convanim as ca
from convanim.drawing.api import new_stage
from convanim.drawing.shapes import box_hits_polygon, box_in_polygon
from convanim.drawing.theme import contrast

CASES = [
    (ca.Conv(5, 3, s=2, p=1), {}),
    (ca.Conv(5, 3, s=2, p=1), {"style": "flat"}),
    (ca.Conv(5, 3, s=2, p=1), {"theme": "dark"}),
    (ca.Conv(5, 3, s=2, p=1), {"style": "flat", "theme": "colorblind"}),
    (ca.Conv((5, 7), (3, 2), s=(2, 1), p=(1, 0)), {}),
    (ca.Conv((5, 7), (3, 2), s=(2, 1), p=(1, 0)), {"style": "flat", "theme": "dark"}),
    (ca.Conv(1, 1), {}),
    (ca.Conv(1, 1), {"style": "flat"}),
    (ca.Conv(7, 3, d=2), {"theme": "colorblind"}),
    (ca.Conv(7, 3, d=2), {"style": "flat"}),
    (ca.Conv(6, 3, s=2, p=1).transpose(), {}),
    (ca.Conv(6, 3, s=2, p=1).transpose(), {"style": "flat", "theme": "dark"}),
    (ca.Conv(4, 3).transpose(), {"theme": "colorblind"}),
    (ca.ConvTranspose(3, 2, s=2), {"style": "flat"}),
    (ca.Pool(5, 3, s=1), {}),
    (ca.Pool(5, 3, s=1, mode="avg"), {"style": "flat", "theme": "dark"}),
    (ca.Pool(5, 3, s=2, p=1), {"theme": "colorblind"}),
    (ca.Conv(5, 3, p=2), {}),
    (ca.Conv(32, 3, p=1), {"style": "flat"}),
    (ca.Conv(4, 3), {"view": "matrix"}),
    (ca.Conv(4, 3), {"view": "matrix", "theme": "dark"}),
    (ca.Conv(5, 3), {"view": "matrix", "theme": "colorblind"}),
    (ca.Conv(4, 3).transpose(), {"view": "matrix"}),
    (ca.Conv(4, 3), {"view": "both"}),
    (ca.Conv(4, 3), {"view": "both", "style": "flat", "theme": "dark"}),
    (ca.Pool(4, 2, mode="avg"), {"view": "matrix"}),
    (ca.Conv(4, 3, c_in=2, c_out=3), {}),
    (ca.Conv(4, 3, c_in=4, c_out=4, groups=2), {"style": "flat"}),
    (ca.Conv(4, 3, c_in=3, c_out=3, groups=3), {"theme": "dark"}),
    (ca.Conv(4, 1, c_in=3, c_out=2), {"style": "flat", "theme": "colorblind"}),
    (ca.Conv(5, 3, s=2, p=1, c_in=4, c_out=2, groups=2), {}),
    (ca.ConvTranspose(3, 2, s=2, c_in=2, c_out=2), {"style": "flat", "theme": "dark"}),
    (ca.Pool(4, 2, s=1, p=1, c_in=2), {}),
    (ca.separable(4, 3, c_in=3, c_out=4), {}),
    (ca.separable(4, 3, c_in=3, c_out=4), {"style": "flat", "theme": "dark"}),
    (ca.separable(5, 3, c_in=2, c_out=3, s=2, p=1), {"theme": "colorblind"}),
    # issue 11: every padding, 1D
    (ca.Conv(6, 3, s=2, p="same"), {}),
    (ca.Conv((5, 6), 3, p=((1, 2), (2, 0)), padding_mode="reflect"), {"style": "flat", "theme": "dark"}),
    (ca.Conv(5, 3, p=2, padding_mode="circular"), {"theme": "colorblind"}),
    (ca.Conv(6, 3, s=2, p="same").transpose(), {"style": "flat"}),
    (ca.Conv((16,), 2, d=4, p="causal"), {"style": "flat"}),
    (ca.Conv((9,), 3, s=2, p="same", padding_mode="replicate"), {}),
    (ca.Conv((9,), 3, s=2, p="same").transpose(), {"theme": "dark"}),
    (ca.Pool((7,), 2, p="same"), {"style": "flat", "theme": "colorblind"}),
    (ca.Conv((6,), 3, p=1), {"view": "both"}),
    (ca.Conv((6,), 3, c_in=2, c_out=2, groups=2), {"style": "flat"}),
]
IDS = [f"{spec!r}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for spec, kw in CASES]


def _drawn(spec, kw, frame=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at the default size: everything fits
        stage = new_stage(spec, numbers=True, labels=True, caption=True, **kw)
    stage.set_frame(stage.n_frames // 2 if frame is None else frame)
    stage.vector_mode()
    fig = stage.figure
    fig.canvas.draw()
    return stage, fig, fig.canvas.get_renderer()


def _visible_texts(painter):
    plan_texts = painter.plan.texts
    return [(art, plan_texts[j] if j < len(plan_texts) else None) for j, art in enumerate(painter.texts)
            if art.get_visible() and art.get_text()]


def _extent(art, renderer):
    b = art.get_window_extent(renderer)
    return (b.x0, b.y0, b.x1, b.y1)


@pytest.mark.parametrize("spec,kw", CASES, ids=IDS)
def test_text_is_legible_inside_its_cell_and_never_collides(spec, kw):
    stage, fig, renderer = _drawn(spec, kw)
    painter = stage.painters[0]
    to_px = painter.ax.transData.transform
    texts = _visible_texts(painter)
    moving = [t for t in painter.all_moving if hasattr(t, "get_text") and t.get_text()]
    every = [a for a, _ in texts] + moving
    assert every, "nothing written"
    for art in every:
        assert art.get_fontsize() >= 6.0, art.get_text()
    boxes = [(_extent(a, renderer), a.get_text()) for a in every]
    for j in range(len(boxes)):
        for m in range(j + 1, len(boxes)):
            (a, ta), (b, tb) = boxes[j], boxes[m]
            overlap = not (a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5)
            assert not overlap, (ta, tb)
    outlines = [to_px(o) for o in _outlines(painter)]
    for art, t in texts:
        box = _extent(art, renderer)
        if t is not None and t.cell is not None:
            assert box_in_polygon(box, to_px(t.cell), tol=0.75), art.get_text()
        else:  # a label or the caption
            for o in outlines:
                assert not box_hits_polygon(box, o), art.get_text()
    # The weights lie inside the cells of the taps they belong to.
    for k, panel in enumerate(painter.plan.panels):
        weights = [a for a in painter.movers.get(f"{k}:weights", []) if a.get_text()]
        if not weights:
            continue
        state = painter.plan.frame(painter.frame)
        what, t = painter.plan.local(k, painter.frame)
        if hasattr(panel, "weight_cells"):  # a layer with channels: the taps on every channel of the group
            cells = panel.weight_cells(t)
        else:
            cells = [panel.lay.quads([r], [c])[0] + panel.offset for r, c in panel.sc.frames[t].taps]
        assert len(cells) == len(weights)
        for art, cell in zip(weights, cells):
            assert box_in_polygon(_extent(art, renderer), to_px(cell), tol=0.75), art.get_text()
        assert f"{k}:weights" in state.geometry


def _outlines(painter):
    plan = painter.plan
    out = []
    for p in plan.panels:
        if hasattr(p, "grid_outlines"):  # a layer with channels: its canvases and output maps
            out += p.grid_outlines()
        elif hasattr(p, "lay"):
            out += [p.lay.canvas_outline + p.offset, p.lay.output_outline + p.offset]
        else:
            w = p.N * p.cell_w
            out.append(np.array([[0, 0], [w, 0], [w, -p.R], [0, -p.R]], float) + p.offset)
            out += [p._map_quads(which).reshape(-1, 2)[[0, -1]] for which in ()]
    return out


@pytest.mark.parametrize("spec,kw", CASES[::3], ids=IDS[::3])
def test_every_text_contrasts_with_the_pixels_behind_it(spec, kw):
    stage, fig, renderer = _drawn(spec, kw)
    painter = stage.painters[0]
    arts = [a for a, _ in _visible_texts(painter)]
    arts += [t for t in painter.all_moving if hasattr(t, "get_text") and t.get_text()]
    # What is behind each text: the same frame drawn with every text hidden.
    for a in arts:
        a.set_visible(False)
    fig.canvas.draw()
    bare = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    for a in arts:
        a.set_visible(True)
    h = bare.shape[0]
    worst = 21.0
    for a in arts:
        x0, y0, x1, y1 = _extent(a, renderer)
        patch = bare[int(h - y1) + 1:int(h - y0) - 1, int(x0) + 1:int(x1) - 1].reshape(-1, 3)
        if not len(patch):
            continue
        behind = tuple(int(v) for v in np.median(patch, axis=0))
        ink = tuple(int(round(255 * v)) for v in a.get_color()[:3]) if not isinstance(a.get_color(), str) else None
        if ink is None:
            continue
        ratio = contrast(ink, behind)
        worst = min(worst, ratio)
        assert ratio >= 4.5, (a.get_text(), ink, behind, round(ratio, 2))
    assert worst < 21.0


@pytest.mark.parametrize("spec,kw", CASES[::4], ids=IDS[::4])
def test_tight_bounding_box_is_the_drawing(spec, kw):
    stage, fig, renderer = _drawn(spec, kw)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0)
    tight = Image.open(buf).size
    w, h = fig.canvas.get_width_height()
    # The drawing fills its figure: a tight crop is the figure, give or take the margin convanim leaves.
    assert 0.85 * w <= tight[0] <= w + 2 and 0.85 * h <= tight[1] <= h + 2, (tight, (w, h))


def test_matplotlib_layouts_and_subfigures_work_without_warnings():
    import matplotlib.pyplot as plt

    spec = ca.Conv(5, 3, s=2, p=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, (a, b) = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
        ca.draw(a, spec, frame=4, labels=True)
        ca.draw(b, spec.transpose(), frame=4, labels=True, style="flat")
        fig.savefig(io.BytesIO(), format="png")
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
        plt.close(fig)

        fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4.5))
        ca.draw(a, spec, frame=4, labels=True, caption=True)
        ca.draw(b, spec, frame=4, numbers=True, style="flat")
        fig.tight_layout()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)

        fig = Figure(figsize=(8, 4))
        left, right = fig.subfigures(1, 2)
        p = ca.draw(left.add_subplot(), spec, frame=2, labels=True)
        ca.draw(right.add_subplot(), spec, style="flat", labels=True)
        fig.savefig(io.BytesIO(), format="png")
        assert p.frame == 2
        # The tight box of the subfigures' figure is the drawing, not three times it (the old clip path).
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        w, h = Image.open(buf).size
        assert w <= fig.get_figwidth() * fig.dpi + 2 and h <= fig.get_figheight() * fig.dpi + 2


def test_numbers_that_cannot_be_legible_are_left_out_with_one_warning():
    with pytest.warns(UserWarning, match="numbers left out") as record:
        stage = new_stage(ca.Conv(64, 3, p=1), numbers=True, max_frames=27514)  # past the cost check's limit
    assert len([w for w in record if "numbers left out" in str(w.message)]) == 1
    assert "figsize" in str(record[0].message)
    painter = stage.painters[0]
    assert not [a for a in painter.texts if a.get_text().isdigit()]
    # On a small Axes of the user's, the same: left out, saying how much more room they need.
    ax = Figure(figsize=(2, 2)).add_subplot()
    with pytest.warns(UserWarning, match="times the room"):
        ca.draw(ax, ca.Conv(9, 3), numbers=True)


def test_a_32x32_input_gets_a_figure_big_enough_for_its_numbers():
    stage = new_stage(ca.Conv(32, 3, p=1), numbers=True)
    painter = stage.painters[0]
    sizes = [a.get_fontsize() for a in painter.texts if a.get_text()]
    assert len(sizes) >= 34 * 34 and min(sizes) >= 6.0
    assert stage.figure.get_figwidth() <= 24.01


def test_svg_formulas_use_only_fonts_a_browser_has(tmp_path):
    # Mathtext's prime comes from cmsy10, a TeX font no browser has (it showed as a raised 0): primes are the
    # Unicode prime in the text's own font.
    out = ca.render(ca.Conv(6, 3, s=2, p=1).transpose(), tmp_path / "t.svg", frame=3, labels=True, caption=True)
    svg = out.read_text()
    assert "′" in svg and "cmsy10" not in svg and "cmmi10" not in svg
