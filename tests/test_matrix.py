"""The matrix view: what is drawn is conv_matrix, and frame t is scene frame t."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

import convanim as ca
from convanim.drawing.api import _painter
from convanim.core.geometry import scene
from convanim.core.matrix import matrix_symbols, tap_matrix

from .strategies import conv_params, transpose_params


def _drawn_entries(mp):
    """Rows and columns of the entries drawn as non-zero, read back from the collection's polygons."""
    lay = mp.layout
    polys = [p for p in mp.ax.collections[1].get_paths()]
    cells = set()
    for path in polys:
        v = path.vertices[:4]
        x0, y1 = v[:, 0].min(), v[:, 1].max()
        cells.add((int(round(-y1)), int(round(x0 / lay.cell_w))))
    return cells


SPECS = [ca.Conv(4, 3), ca.Conv((4, 5), (2, 3)), ca.Conv(5, 3, s=2, p=1), ca.Conv(7, 3, d=2),
         ca.Conv(5, 3, s=2, p=1).transpose(), ca.Conv(6, 3, s=2, p=1).transpose(),
         ca.ConvTranspose((2, 3), 2, s=(2, 1), d=(1, 2), output_padding=(1, 1))]


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_drawn_entries_are_exactly_the_matrix_nonzeros(spec):
    kernel = np.arange(1, spec.k[0] * spec.k[1] + 1, dtype=float).reshape(spec.k)  # no zero weight
    stage = _painter(spec, view="matrix", kernel=kernel)
    mp = stage.painters[0]
    C = ca.conv_matrix(spec, kernel)
    assert mp.layout.shape == C.shape
    expected = {tuple(rc) for rc in np.argwhere(C != 0)}
    assert _drawn_entries(mp) == expected


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_frame_highlights_match_the_scene(spec):
    stage = _painter(spec, view="matrix")
    mp = stage.painters[0]
    sc = scene(spec)
    index = sc.input_index()
    iw = spec.input_shape[1]
    for t in range(len(sc.frames)):
        stage.set_frame(t)
        band = mp.band.get_paths()[0].vertices
        assert np.isclose(band[:, 1].max(), -t)  # row t
        frame = sc.frames[t]
        read_from_scene = {int(index[r, c]) for r, c in frame.taps if index[r, c] >= 0}
        read_drawn = set()
        for path in mp.read.get_paths():
            v = path.vertices[:4]
            col = int(round(v[:, 0].min() - mp.layout.input_origin[0]))
            row = int(round(mp.layout.input_origin[1] - v[:, 1].max()))
            read_drawn.add(row * iw + col)
        assert read_drawn == read_from_scene, t
        w = mp.write.get_paths()[0].vertices[:4]
        col = int(round(w[:, 0].min() - mp.layout.output_origin[0]))
        row = int(round(mp.layout.output_origin[1] - w[:, 1].max()))
        assert (row, col) == frame.output_cell


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
    assert texts.count("w0,0") == 4 and texts.count("w2,2") == 4
    assert sum(t == "0" for t in texts) == 4 * 16 - 4 * 9


def test_numbers_show_values_and_output(tmp_path):
    out = ca.render(ca.Conv(4, 3), tmp_path / "m.svg", view="matrix", numbers=True,
                    x=np.ones((4, 4)), kernel=np.full((3, 3), 2.0))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text())
    assert texts.count("18.0") == 4  # every output is 9 * 2 * 1


def test_both_views_in_one_frame(tmp_path):
    stage = _painter(ca.Conv(4, 3), view="both")
    assert len(stage.figure.axes) == 2 and len(stage.painters) == 2
    out = ca.render(ca.Conv(4, 3), tmp_path / "b.gif", view="both")
    from PIL import Image

    assert Image.open(out).n_frames == 4


@pytest.mark.parametrize("call,match", [
    (lambda: _painter(ca.Conv(17, 1), view="matrix"), "max_matrix=256"),
    (lambda: _painter(ca.Pool(4, 2), view="matrix"), "max pooling"),
    (lambda: _painter(ca.Conv(4, 3), view="table"), "view"),
    (lambda: ca.draw(Figure().add_subplot(), ca.Conv(4, 3), view="both"), "both"),
])
def test_refusals(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_limit_can_be_raised():
    stage = _painter(ca.Conv(17, 1), view="matrix", max_matrix=289)
    assert stage.painters[0].layout.shape == (289, 289)


def test_avg_pool_has_a_matrix_view():
    sym = matrix_symbols(ca.Pool(4, 2, mode="avg"))
    assert sym[0, 0] == "1/4" and sym[0, 2] == "0"
