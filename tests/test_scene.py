"""Geometry against the definitions, without drawing a pixel."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convanim as ca
from convanim.core.geometry import scene
from convanim.drawing.layout import layout

from .strategies import conv_params, pool_params, transpose_params


def _spec(c):
    if "output_padding" in c:
        return ca.ConvTranspose(**c)
    if "mode" in c:
        return ca.Pool(**c)
    return ca.Conv(**c)


def expected_geometry(spec):
    """Canvas, input cells and taps written straight from design.md's definitions, one loop at a time."""
    (ih, iw), (kh, kw), (sh, sw), (ph, pw), (dh, dw) = spec.i, spec.k, spec.s, spec.p, spec.d
    oh, ow = spec.output_shape
    if isinstance(spec, ca.ConvTranspose):
        qh, qw = dh * (kh - 1) - ph, dw * (kw - 1) - pw
        ah, aw = spec.output_padding
        canvas = (sh * (ih - 1) + 1 + 2 * qh + ah, sw * (iw - 1) + 1 + 2 * qw + aw)
        cells = {(qh + sh * r, qw + sw * c) for r in range(ih) for c in range(iw)}
        cells = {(r, c) for r, c in cells if 0 <= r < canvas[0] and 0 <= c < canvas[1]}
        step = (1, 1)
    else:
        canvas = (ih + 2 * ph, iw + 2 * pw)
        if isinstance(spec, ca.Pool):  # ceil_mode may let the last window overhang
            canvas = (max(canvas[0], (oh - 1) * sh + dh * (kh - 1) + 1),
                      max(canvas[1], (ow - 1) * sw + dw * (kw - 1) + 1))
        cells = {(ph + r, pw + c) for r in range(ih) for c in range(iw)}
        step = (sh, sw)
    frames = []
    for r in range(oh):
        for c in range(ow):
            taps = [(r * step[0] + a * dh, c * step[1] + b * dw) for a in range(kh) for b in range(kw)]
            frames.append(((r, c), tuple(taps)))
    return canvas, cells, frames


@given(st.one_of(conv_params(), transpose_params(), pool_params()))
def test_scene_matches_the_definitions(c):
    spec = _spec(c)
    sc = scene(spec)
    canvas, cells, frames = expected_geometry(spec)
    assert sc.canvas_shape == canvas
    assert sc.input_cells == cells
    assert sc.output_shape == spec.output_shape
    assert len(sc.frames) == len(frames)
    assert [(f.output_cell, f.taps) for f in sc.frames] == frames
    assert np.array_equal(sc.taps_array(), np.array([f[1] for f in frames]).reshape(len(frames), -1, 2))
    # every tap lies on the canvas
    for f in sc.frames:
        assert all(0 <= r < canvas[0] and 0 <= cc < canvas[1] for r, cc in f.taps)


@given(st.one_of(conv_params(), transpose_params(), pool_params()), st.integers(0, 2**31))
def test_computing_through_the_drawn_view_gives_apply(c, seed):
    # What the figure shows (values on the canvas, weights on the taps) adds up to the layer's output;
    # for a transposed convolution this needs the kernel rotated by 180 degrees.
    spec = _spec(c)
    sc = scene(spec)
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=spec.input_shape).astype(float)
    canvas = sc.canvas_values(x)
    if isinstance(spec, ca.Pool):
        y = ca.apply(spec, x)
        real = sc.input_index() >= 0
        for f in sc.frames:
            r, cc = np.array(f.taps).T
            vals = np.where(real[r, cc], canvas[r, cc], -np.inf if spec.mode == "max" else 0.0)
            if spec.mode == "max":
                assert vals.max() == y[f.output_cell]
        return
    w = rng.integers(-2, 3, size=spec.k).astype(float)
    y = ca.apply(spec, x, w)
    weights = sc.tap_weights(w)
    for f in sc.frames:
        r, cc = np.array(f.taps).T
        assert np.dot(canvas[r, cc], weights) == pytest.approx(y[f.output_cell])


def test_guide_transposed_odd_case_puts_the_extra_zeros_bottom_right():
    # padding_strides_odd_transposed: the extra row and column go at the bottom and right, not the top-left.
    sc = scene(ca.Conv(6, 3, s=2, p=1).transpose())
    assert sc.canvas_shape == (8, 8)
    assert min(r for r, _ in sc.input_cells) == 1 and max(r for r, _ in sc.input_cells) == 5
    assert min(c for _, c in sc.input_cells) == 1 and max(c for _, c in sc.input_cells) == 5
    # one padding row above the input, two below it (1 of padding + a = 1)
    assert sc.canvas_shape[0] - 1 - 5 == 2


def test_guide_frame_counts():
    assert len(scene(ca.Conv(5, 4, p=2)).frames) == 36
    assert len(scene(ca.Conv(5, 3, p=2).transpose()).frames) == 25
    assert len(scene(ca.Conv(7, 3, d=2)).frames) == 9


def test_frames_index_like_a_sequence():
    sc = scene(ca.Conv(5, 3, s=2, p=1))
    assert sc.frames[-1] == sc.frames[8]
    assert sc.frames[1].output_cell == (0, 1) and sc.frames[3].output_cell == (1, 0)
    assert sc.frames[1].taps[0] == (0, 2)
    with pytest.raises(IndexError, match="0 to 8"):
        sc.frames[9]
    assert len(sc.frames[2:5]) == 3


def test_absurd_sizes_are_refused_with_the_way_out():
    with pytest.raises(ValueError, match="max_frames"):
        scene(ca.Conv(101, 1))  # 10,201 frames
    assert len(scene(ca.Conv(101, 1), max_frames=20000).frames) == 10201
    with pytest.raises(ValueError, match="canvas of 1100") as info:
        scene(ca.Conv((1100, 1), 1))
    needed = int(info.value.args[0].split("max_frames=")[1].split()[0])
    assert len(scene(ca.Conv((1100, 1), 1), max_frames=needed).frames) == 1100  # the way out works


@pytest.mark.parametrize("style", ["paper", "flat"])
def test_layout_keeps_maps_apart_and_inside_bounds(style):
    sc = scene(ca.Conv(5, 3, s=2, p=1))
    lay = layout(sc, style, labels=True, caption=["a caption line"])
    xmin, xmax, ymin, ymax = lay.bounds
    for quads in (lay.canvas_quads, lay.output_quads):
        assert quads[..., 0].min() > xmin and quads[..., 0].max() < xmax
        assert quads[..., 1].min() > ymin and quads[..., 1].max() < ymax
    if style == "paper":  # the output map floats above the input
        assert lay.output_quads[..., 1].min() > lay.canvas_quads[..., 1].max()
    else:  # side by side
        assert lay.output_quads[..., 0].min() > lay.canvas_quads[..., 0].max()
    # cell (0, 0) of the canvas is the leftmost corner in the slanted view, the top-left one flat
    q = lay.canvas_quads[0]
    assert q[0, 0] == lay.canvas_quads[..., 0].min()


def test_layout_cells_are_congruent_parallelograms():
    lay = layout(scene(ca.Conv((4, 6), 3)), "paper")
    quads = lay.canvas_quads
    edges = quads[:, 1] - quads[:, 0]
    assert np.allclose(edges, edges[0])
    assert np.allclose(quads[:, 2] - quads[:, 1], quads[0, 2] - quads[0, 1])
    assert quads.shape == (24, 4, 2)


def test_public_names_are_functions_and_pure_layers_need_no_matplotlib():
    import subprocess
    import sys

    code = ("import sys, convanim as ca; assert callable(ca.scene) and not isinstance(ca.scene, type(sys)); "
            "ca.scene(ca.Conv(5, 3)); ca.apply(ca.Conv(5, 3), ca.core.numerics.GUIDE_INPUT); "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'; "
            "import convanim.io.render; assert callable(ca.scene) and callable(ca.render) and callable(ca.figure)")
    subprocess.run([sys.executable, "-c", code], check=True)
