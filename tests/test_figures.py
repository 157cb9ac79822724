"""The guide's still figures: computed values, refusals, and their text."""
from __future__ import annotations

import numpy as np
import pytest

import convanim as ca
from convanim.core.numerics import GUIDE_INPUT, GUIDE_KERNEL
from convanim.drawing import figures


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_kernel_figure_shows_the_weights():
    fig = figures.kernel_figure()
    t = texts(fig)
    assert t.count("2") == 4 and t.count("0") == 3 and "kernel 3×3" in t
    assert texts(figures.kernel_figure([[1.5, -1]])) == ["1.5", "−1", "kernel 1×2"]
    with pytest.raises(ValueError, match="kernel"):
        figures.kernel_figure(np.zeros((0, 3)))


def test_subsampling_figure_values_are_computed():
    fig = figures.subsampling_figure(5, 3, 2)
    t = texts(fig)
    strided = ca.apply(ca.Conv(5, 3, s=2), GUIDE_INPUT, GUIDE_KERNEL)
    full = ca.apply(ca.Conv(5, 3), GUIDE_INPUT, GUIDE_KERNEL)
    np.testing.assert_array_equal(full[::2, ::2], strided)
    for v in full.ravel():
        assert f"{v:.1f}" in t
    assert "stride 2" in t and "stride 1, keep 1 in 2" in t
    # a different stride and input, still consistent
    figures.subsampling_figure(7, 2, 3)


def _segments_cross(a, b):
    """Whether segments a and b cross at a point that is not an end of both (a shared start is not a crossing)."""
    (p, q), (r, s_) = a, b

    def orient(u, v, w):
        return np.sign((v[0] - u[0]) * (w[1] - u[1]) - (v[1] - u[1]) * (w[0] - u[0]))

    if np.allclose(p, r) or np.allclose(p, s_) or np.allclose(q, r) or np.allclose(q, s_):
        return False
    return orient(p, q, r) != orient(p, q, s_) and orient(r, s_, p) != orient(r, s_, q)


def test_channels_figure_counts_maps_and_kernels_and_no_arrows_cross():
    fig = figures.channels_figure(2, 3)
    t = texts(fig)
    assert sorted(s for s in t if s.startswith("$w_")) == sorted(f"$w_{{{j},{l_}}}$" for j in (0, 1, 2)
                                                                for l_ in (0, 1))
    # 0-based, as PyTorch indexes and as every other view numbers its maps (issue 21, item 10).
    assert sorted(s for s in t if s.startswith("output map")) == ["output map 0", "output map 1", "output map 2"]
    assert any("3×2×3×3" in s for s in t)
    plan = figures.channels_plan(2, 3)
    shafts = [seg for st in plan.strokes for seg in st.segments]
    assert len(shafts) == 2 * 3  # one arrow from the inputs to each pathway, one from each pathway to its output
    for j in range(len(shafts)):
        for m in range(j + 1, len(shafts)):
            assert not _segments_cross(shafts[j], shafts[m]), (j, m)
    t = texts(figures.channels_figure(1, 4, i=4, k=2))
    assert sum(s.startswith("$w_") for s in t) == 4


@pytest.mark.parametrize("call,exc,match", [
    (lambda: figures.channels_figure(0, 3), ValueError, "c_in"),
    (lambda: figures.channels_figure(2, 0), ValueError, "c_out"),
    (lambda: figures.channels_figure(2, 9), ValueError, "at most 8"),
    (lambda: figures.channels_figure(2, True), TypeError, "c_out"),
    (lambda: figures.subsampling_figure(5, 3, 0), ValueError, "s"),
    (lambda: figures.positions_figure("conv"), TypeError, "spec"),
])
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_positions_figure_counts_are_the_output_size():
    spec = ca.Conv((5, 7), 3, s=(2, 1), p=1)
    t = texts(figures.positions_figure(spec))
    assert "(a) 7 positions along the width" in t and "(b) 3 positions along the height" in t
    # Its caption is typeset as every caption: parameters in maths, not upright text (issue 21, item 9).
    assert any(s.startswith("Convolution:") and "$k = 3$" in s for s in t)


def test_a_still_figure_is_a_one_frame_plan():
    from convanim.drawing.api import stage_of

    plan = figures.kernel_plan()
    assert plan.n_frames == len(plan.frames) == 1 and plan.view == "still"
    stage = stage_of(plan)
    assert stage.rgb().shape[2] == 3
    with pytest.raises(IndexError):
        stage.set_frame(1)
    # The figure function draws the same plan: no attribute is patched onto the Figure.
    fig = figures.kernel_figure()
    assert not any(name.startswith("_convanim") for name in vars(fig))
