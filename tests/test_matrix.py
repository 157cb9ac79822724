"""The matrix view: what is drawn is conv_matrix, and frame t is scene frame t."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

import convanim as ca
from convanim.core.geometry import scene
from convanim.core.matrix import matrix_symbols, tap_matrix
from convanim.drawing.api import new_stage

from .strategies import conv_params, transpose_params


def _matrix_panel(stage):
    return stage.painters[0].plan.panels[-1]


def _drawn_entries(stage):
    """Rows and columns of the entries drawn as non-zero, read back from the plan's fills of the structure."""
    mp = _matrix_panel(stage)
    plan = stage.painters[0].plan
    on = [s for s in plan.shapes if s.face == mp.on]
    cells = set()
    for quad in on[0].verts:
        r, c0 = mp.entry_of(quad)
        width = int(round((quad[:, 0].max() - quad[:, 0].min()) / mp.cell_w))
        cells |= {(r, c0 + j) for j in range(width)}
    return cells


SPECS = [ca.Conv(4, 3), ca.Conv((4, 5), (2, 3)), ca.Conv(5, 3, s=2, p=1), ca.Conv(7, 3, d=2),
         ca.Conv(5, 3, s=2, p=1).transpose(), ca.Conv(6, 3, s=2, p=1).transpose(),
         ca.ConvTranspose((2, 3), 2, s=(2, 1), d=(1, 2), output_padding=(1, 1))]


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_drawn_entries_are_exactly_the_matrix_nonzeros(spec):
    kernel = np.arange(1, spec.k[0] * spec.k[1] + 1, dtype=float).reshape(spec.k)  # no zero weight
    stage = new_stage(spec, view="matrix", kernel=kernel)
    mp = _matrix_panel(stage)
    C = ca.conv_matrix(spec, kernel)
    assert C.shape == (mp.R, mp.N)
    expected = {tuple(rc) for rc in np.argwhere(C != 0)}
    assert _drawn_entries(stage) == expected


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_frame_highlights_match_the_scene(spec):
    stage = new_stage(spec, view="matrix")
    painter = stage.painters[0]
    mp = _matrix_panel(stage)
    sc = scene(spec)
    index = sc.input_index()
    iw = spec.input_shape[1]
    for t in range(len(sc.frames)):
        stage.set_frame(t)
        # What the painter's artists hold, read back from matplotlib.
        band = painter.movers["0:band"].get_paths()[0].vertices
        assert mp.entry_of(band[:4])[0] == t  # row t
        frame = sc.frames[t]
        read_from_scene = {int(index[r, c]) for r, c in frame.taps if index[r, c] >= 0}
        read_drawn = set()
        for path in painter.movers["0:read"].get_paths():
            row, col = mp.map_cell(path.vertices[:4], "input")
            read_drawn.add(row * iw + col)
        assert read_drawn == read_from_scene, t
        w = painter.movers["0:write"].get_paths()[0].vertices[:4]
        assert mp.map_cell(w, "output") == frame.output_cell


@given(st.one_of(conv_params(max_i=5), transpose_params(max_i=3)))
def test_tap_matrix_structure_is_the_scene(c):
    spec = ca.ConvTranspose(**c) if "output_padding" in c else ca.Conv(**c)
    taps = tap_matrix(spec)
    sc = scene(spec)
    index = sc.input_index()
    for t, frame in enumerate(sc.frames):
        read = {int(index[r, cc]) for r, cc in frame.taps if index[r, cc] >= 0}
        assert set(np.flatnonzero(taps[t]).tolist()) == read


def test_guide_symbols_4x16():
    sym = matrix_symbols(ca.Conv(4, 3))
    assert sym.shape == (4, 16)
    assert sym[0].tolist() == ["w0,0", "w0,1", "w0,2", "0", "w1,0", "w1,1", "w1,2", "0",
                               "w2,0", "w2,1", "w2,2", "0", "0", "0", "0", "0"]
    assert sym[3, 5] == "w0,0" and sym[3, 15] == "w2,2"


def test_transposed_matrix_is_c_transposed_in_symbols():
    conv = ca.Conv(4, 3)
    assert (matrix_symbols(conv.transpose()) == matrix_symbols(conv).T).all()


def test_svg_of_the_matrix_has_the_symbols(tmp_path):
    out = ca.render(ca.Conv(4, 3), tmp_path / "m.svg", view="matrix")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text())
    # The weights are mathtext (w with a subscript): in SVG, a "w" and its subscript "0,0" in small type.
    svg = out.read_text()
    spans = re.findall(r"<text>\s*(.*?)</text>", svg, flags=re.S)
    weights = ["".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", sp)) for sp in spans]
    assert sorted(w for w in weights if w.startswith("w")) == sorted(f"w{a},{b}" for a in range(3) for b in range(3)
                                                                     for _ in range(4))
    assert sum(t == "0" for t in texts) == 4 * 16 - 4 * 9


def test_numbers_show_values_and_output(tmp_path):
    out = ca.render(ca.Conv(4, 3), tmp_path / "m.svg", view="matrix", numbers=True,
                    x=np.ones((4, 4)), kernel=np.full((3, 3), 2.0))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text())
    assert texts.count("18.0") == 4  # every output is 9 * 2 * 1


def test_both_views_in_one_frame(tmp_path):
    stage = new_stage(ca.Conv(4, 3), view="both")
    plan = stage.painters[0].plan
    assert [type(p).__name__ for p in plan.panels] == ["GridPanel", "MatrixPanel"]
    # One figure model: both panels on one Axes, side by side or one above the other, never overlapping.
    assert len(stage.figure.axes) == 1
    grid, matrix = plan.panels
    g = grid.lay.canvas_outline + grid.offset
    m = matrix._map_quads("output") + matrix.offset
    assert g[:, 0].max() < m[..., 0].min() or g[:, 1].min() > m[..., 1].max()
    out = ca.render(ca.Conv(4, 3), tmp_path / "b.gif", view="both")
    from PIL import Image

    assert Image.open(out).n_frames == 4


@pytest.mark.parametrize("call,match", [
    (lambda: new_stage(ca.Conv(17, 1), view="matrix"), "max_matrix=256"),
    (lambda: new_stage(ca.Pool(4, 2), view="matrix"), "max pooling"),
    (lambda: new_stage(ca.Conv(4, 3), view="table"), "view"),
])
def test_refusals(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_both_views_on_one_axes_of_yours():

    ax = Figure(figsize=(8, 4)).add_subplot()
    painter = ca.draw(ax, ca.Conv(4, 3), view="both", frame=2)
    assert len(painter.plan.panels) == 2 and painter.frame == 2


def test_limit_can_be_raised():
    with pytest.warns(UserWarning, match="entries left out"):
        stage = new_stage(ca.Conv(17, 1), view="matrix", max_matrix=1156)
    mp = _matrix_panel(stage)
    assert (mp.R, mp.N) == (289, 289)


def test_avg_pool_has_a_matrix_view():
    sym = matrix_symbols(ca.Pool(4, 2, mode="avg"))
    assert sym[0, 0] == "1/4" and sym[0, 2] == "0"
