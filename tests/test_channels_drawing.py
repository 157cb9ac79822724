"""Layers with channels in the grid view: the kernel's shade on exactly the group's canvases, at the taps; the
maps outside the group faint; the partial sums written add up to the output, as PyTorch computes it."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.path import Path

import convanim as ca
from convanim.drawing.api import new_stage

GROUPED = ca.Conv(5, 3, s=2, p=1, c_in=4, c_out=4, groups=2)


def _values(spec, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(spec.c_in, *spec.input_shape)).astype(float)
    w = rng.integers(-2, 3, size=spec.weight_shape).astype(float)
    return x, w


def _stage(spec, style, **kw):
    stage = new_stage(spec, style=style, labels=True, **kw)
    painter = stage.painters[0]
    return stage, painter, painter.plan.panels[0]


def _polys(collection):
    return [p.vertices[:4] for p in collection.get_paths()]


def _on_canvas(panel, quad):
    """The input channels whose canvas holds ``quad`` (its centre inside the outline)."""
    centre = quad.mean(axis=0)
    return [ci for ci, o in enumerate(panel.grid_outlines()[:panel.c_in]) if Path(o).contains_point(centre)]


@pytest.mark.parametrize("style", ["paper", "flat"])
def test_kernel_shade_lies_on_exactly_the_group_s_canvases_at_the_taps(style):
    stage, painter, panel = _stage(GROUPED, style)
    sc = ca.scene(GROUPED)
    seen_groups = set()
    for t in (0, 4, 8, 9, 20, 35):
        stage.set_frame(t)
        fr = sc.frames[t]
        quads = _polys(painter.movers["0:kernel"])
        taps = np.asarray(fr.taps)
        assert len(quads) == len(fr.in_channels) * len(taps)
        per_channel: dict = {}
        for q in quads:
            owners = _on_canvas(panel, q)
            assert len(owners) == 1, (t, owners)
            per_channel.setdefault(owners[0], []).append(q)
        assert sorted(per_channel) == list(fr.in_channels)
        for ci, qs in per_channel.items():
            want = panel.canvas_quads(ci, taps[:, 0], taps[:, 1])
            np.testing.assert_allclose(np.sort(np.array(qs).reshape(len(qs), -1), axis=0),
                                       np.sort(want.reshape(len(want), -1), axis=0), atol=1e-9)
        # The highlighted cell is on map j, at the output cell; every other map is under the veil.
        (hl,) = _polys(painter.movers["0:highlight"])
        np.testing.assert_allclose(hl, panel.output_quads(fr.out_channel, [fr.output_cell[0]],
                                                          [fr.output_cell[1]])[0], atol=1e-9)
        veiled = {tuple(np.round(v.mean(axis=0), 6)) for v in _polys(painter.movers["0:veil"])}
        outlines = panel.grid_outlines()
        faint = {ci for ci in range(4) if ci not in fr.in_channels} | {4 + k for k in range(4) if k != fr.out_channel}
        assert veiled == {tuple(np.round(outlines[n].mean(axis=0), 6)) for n in faint}
        seen_groups.add(fr.in_channels)
    assert seen_groups == {(0, 1), (2, 3)}


@pytest.mark.parametrize("spec", [GROUPED, ca.Conv(4, 3, c_in=2, c_out=3), ca.Conv(4, 1, c_in=3, c_out=2),
                                  ca.ConvTranspose(3, 2, s=2, c_in=2, c_out=4, groups=2)])
def test_partial_sums_written_add_up_to_the_output_as_pytorch_computes_it(spec):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    x, w = _values(spec)
    tx, tw = torch.tensor(x), torch.tensor(w)
    kw = dict(stride=spec.s, padding=spec.p, dilation=spec.d, groups=spec.groups)
    if isinstance(spec, ca.ConvTranspose):
        ref = F.conv_transpose2d(tx, tw, output_padding=spec.output_padding, **kw).numpy()
    else:
        ref = F.conv2d(tx, tw, **kw).numpy()
    np.testing.assert_allclose(ca.apply(spec, x, w), ref, atol=1e-9)
    stage, painter, panel = _stage(spec, "flat", numbers=True, x=x, kernel=w)
    sc = ca.scene(spec)
    texts = painter.plan.texts
    R, C = panel.one.canvas_shape
    OH, OW = spec.output_shape
    for t in range(0, len(sc.frames), max(1, len(sc.frames) // 7)):
        stage.set_frame(t)
        fr = sc.frames[t]
        written = [a.get_text() for a in painter.movers["0:sums"]]
        assert all(s.startswith("Σ = ") for s in written)
        sums = [float(s[4:].replace("−", "-")) for s in written]
        assert len(sums) == len(fr.in_channels)
        j, (r, c) = fr.out_channel, fr.output_cell
        assert sum(sums) == pytest.approx(ref[j, r, c], abs=0.05 * len(sums) + 1e-9)
        # Each partial sum is its channel's own: the taps' values times that channel's weights.
        for s, ci in zip(sums, fr.in_channels):
            if isinstance(spec, ca.ConvTranspose):
                own = F.conv_transpose2d(tx[ci:ci + 1], tw[ci:ci + 1, j % (spec.c_out // spec.groups)][:, None],
                                         stride=spec.s, padding=spec.p, dilation=spec.d,
                                         output_padding=spec.output_padding).numpy()[0, r, c]
            else:
                own = F.conv2d(tx[ci:ci + 1], tw[j:j + 1, ci % (spec.c_in // spec.groups)][:, None], stride=spec.s,
                               padding=spec.p, dilation=spec.d).numpy()[0, r, c]
            assert s == pytest.approx(own, abs=0.05)
        # The output cell's number is the total, and it is the one drawn shaded.
        k = spec.c_in * R * C + j * OH * OW + r * OW + c
        assert float(texts[k].text.replace("−", "-")) == pytest.approx(ref[j, r, c], abs=0.05)
        assert k in painter.plan.frame(t).covered


def test_matrix_view_still_refuses_channels_and_grid_draws_them():
    with pytest.raises(ValueError, match=r"^c_in, c_out: .* not drawn here"):
        ca.figure(GROUPED, view="matrix")
    fig = ca.figure(GROUPED, frame=-1, labels=True)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"input channel 3\ngroup 1", "output channel 3\ngroup 1"} <= texts


def test_gallery_cases_take_channels_for_kind_conv_only():
    from convanim.gallery.catalogue import Case

    case = Case("g", {"kind": "conv", "i": 4, "k": 3, "c_in": 4, "c_out": 4, "groups": 2})
    assert case.spec() == ca.Conv(4, 3, c_in=4, c_out=4, groups=2) and case.section == "Channels"
    with pytest.raises(ValueError, match="groups goes with kind = 'conv'"):
        Case("p", {"kind": "pool", "i": 4, "k": 2, "groups": 2}).spec()
    with pytest.raises(ValueError, match="c_in goes with kind"):
        Case("t", {"kind": "conv_transpose", "i": 4, "k": 2, "c_in": 2}).spec()
    with pytest.raises(ValueError, match="c_in must be divisible by groups"):
        Case("b", {"kind": "conv", "i": 4, "k": 3, "c_in": 3, "groups": 2}).spec()


def test_every_canvas_counts_towards_the_size_limit():
    spec = ca.Conv(32, 3, c_in=40)  # 40 canvases of 32x32: 40,960 cells, over the 32,768 drawn by default
    with pytest.raises(ValueError, match=r"^spec has 40 x a canvas of 32x32 = 40960 cells"):
        ca.figure(spec)
    # numbers: 64 canvases of 8x8 and 2 output maps of 6x6 = 4168 texts, over the 3072 written by default
    with pytest.raises(ValueError, match=r"numbers=True writes 4168 numbers"):
        ca.figure(ca.Conv(8, 3, c_in=64, c_out=2), numbers=True)


def test_caption_counts_weights_and_multiply_adds_against_the_standard_convolution():
    import re

    depthwise = ca.Conv(5, 3, c_in=3, c_out=3, groups=3)
    fig = ca.figure(depthwise, frame=0, caption=True)
    caption = [t.get_text() for t in fig.axes[0].texts if "weights" in t.get_text()]
    assert len(caption) == 1
    numbers = [int(n) for n in re.findall(r"(?<![\w{])(\d+)(?![\w}])", caption[0].split("weights", 1)[1])]
    standard = ca.Conv(5, 3, c_in=3, c_out=3)
    # 3x1x3x3 = 27 weights and 3*9*1*9 = 243 multiply-adds, against 81 and 729 for the standard convolution.
    assert numbers[-4:] == [depthwise.n_weights, depthwise.macs, standard.n_weights, standard.macs] == [27, 243, 81, 729]


@pytest.mark.parametrize("style", ["paper", "flat"])
@pytest.mark.parametrize("spec", [GROUPED, ca.ConvTranspose(3, 2, s=2, c_in=2, c_out=4, groups=2)])
def test_weights_written_in_the_taps_are_the_group_s_slices_and_give_the_partial_sums(spec, style):
    x, w = _values(spec)
    stage, painter, panel = _stage(spec, style, numbers=True, x=x, kernel=w)
    sc = ca.scene(spec)
    R, C = panel.one.canvas_shape
    for t in range(0, len(sc.frames), 5):
        stage.set_frame(t)
        fr = sc.frames[t]
        taps = np.asarray(fr.taps)
        arts = painter.movers["0:weights"]
        assert len(arts) == len(fr.in_channels) * len(taps)
        drawn = np.array([float(a.get_text().replace("−", "-")) for a in arts]).reshape(len(fr.in_channels), -1)
        sums = [float(a.get_text()[4:].replace("−", "-")) for a in painter.movers["0:sums"]]
        for n, ci in enumerate(fr.in_channels):
            # The slice of the weights that output channel j applies to input channel ci (a transposed
            # convolution's rotated by 180 degrees in its direct view), in the order of the taps.
            if isinstance(spec, ca.ConvTranspose):
                own = w[ci, fr.out_channel % (spec.c_out // spec.groups)][::-1, ::-1]
            else:
                own = w[fr.out_channel, ci % (spec.c_in // spec.groups)]
            np.testing.assert_array_equal(drawn[n], own.ravel())
            # Each weight sits at its tap on channel ci: inside that canvas cell.
            for a, (r, c) in zip(arts[n * len(taps):(n + 1) * len(taps)], taps):
                centre = np.asarray(a.get_position())
                assert Path(panel.canvas_quads(ci, [r], [c])[0]).contains_point(centre), (t, ci, r, c)
            values = panel.one.canvas_values(x[ci])[taps[:, 0], taps[:, 1]]
            assert sums[n] == pytest.approx(float(values @ drawn[n]), abs=0.05)


@pytest.mark.parametrize("style", ["paper", "flat"])
def test_max_pooling_marks_the_winning_tap_on_its_channel_as_pytorch_picks_it(style):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    spec = ca.Pool(5, 3, s=2, p=1, c_in=3)
    rng = np.random.default_rng(11)
    x = rng.integers(-4, 5, size=(3, 5, 5)).astype(float)
    out, idx = F.max_pool2d(torch.tensor(x), 3, stride=2, padding=1, return_indices=True)
    stage, painter, panel = _stage(spec, style, numbers=True, x=x)
    sc = ca.scene(spec)
    pad = panel.one.canvas_shape[0] - 5
    for t, fr in enumerate(sc.frames):
        stage.set_frame(t)
        (quad,) = _polys(painter.movers["0:winner"])
        j, (r, c) = fr.out_channel, fr.output_cell
        assert fr.in_channels == (j,)
        flat = int(idx[j, r, c])
        row, col = divmod(flat, 5)
        want = panel.canvas_quads(j, [row + pad // 2], [col + pad // 2])[0]
        np.testing.assert_allclose(quad, want, atol=1e-9)
        assert x[j, row, col] == float(out[j, r, c])
