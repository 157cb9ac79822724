"""Channels and groups (issue 10): specs, values, unrolled matrices and frames, against PyTorch and brute force."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import convanim as ca
from convanim.core.numerics import default_input, default_kernel, input_shape, kernel_shape, output_shape

from .strategies import conv_params, pool_params, transpose_params


@st.composite
def channels(draw):
    """``c_in``, ``c_out``, ``groups`` as PyTorch allows them; groups > 1 and c_out != c_in come up often."""
    groups = draw(st.integers(1, 3))
    return dict(c_in=groups * draw(st.integers(1, 3)), c_out=groups * draw(st.integers(1, 3)), groups=groups)


def _rand(shape, seed):
    return np.random.default_rng(seed).normal(size=shape)


def _torch():
    return pytest.importorskip("torch")


def _spec(params, ch):
    if "output_padding" in params:
        return ca.ConvTranspose(**params, **ch)
    if "mode" in params:
        return ca.Pool(**params, c_in=ch["c_in"])
    return ca.Conv(**params, **ch)


def _torch_reference(spec, x, w):
    """PyTorch on the unbatched input ``x`` ``(c_in, h, w)``, weights in its own layout."""
    torch = _torch()
    F = torch.nn.functional
    X = torch.tensor(x)
    if isinstance(spec, ca.Pool):
        if spec.mode == "max":
            return F.max_pool2d(X, spec.k, spec.s, spec.p, spec.d, ceil_mode=spec.ceil_mode).numpy()
        return F.avg_pool2d(X, spec.k, spec.s, spec.p, ceil_mode=spec.ceil_mode, count_include_pad=True).numpy()
    W = torch.tensor(w)
    if isinstance(spec, ca.Conv):
        return F.conv2d(X, W, stride=spec.s, padding=spec.p, dilation=spec.d, groups=spec.groups).numpy()
    return F.conv_transpose2d(X, W, stride=spec.s, padding=spec.p, dilation=spec.d,
                              output_padding=spec.output_padding, groups=spec.groups).numpy()


# ---- specs --------------------------------------------------------------------------------------------------

def test_specs_keep_channels_hashable_and_show_them_only_when_not_1():
    g = ca.Conv(5, 3, c_in=4, c_out=8, groups=2)
    assert repr(g) == "Conv(i=5, k=3, c_in=4, c_out=8, groups=2)"
    assert repr(ca.Conv(5, 3)) == "Conv(i=5, k=3)" and (ca.Conv(5, 3).c_in, ca.Conv(5, 3).groups) == (1, 1)
    assert repr(ca.Conv(5, 3, c_out=8)) == "Conv(i=5, k=3, c_out=8)"
    assert repr(ca.ConvTranspose(3, 3, s=2, output_padding=1, c_in=2)) == \
        "ConvTranspose(i=3, k=3, s=2, output_padding=1, c_in=2)"
    assert repr(ca.Pool(4, 2, c_in=3)) == "Pool(i=4, k=2, mode='max', c_in=3)"
    assert len({g, ca.Conv(5, 3, c_in=4, c_out=8, groups=2), ca.Conv(5, 3, c_in=4, c_out=8)}) == 2
    assert ca.Conv(5, 3) != ca.Conv(5, 3, c_in=2)
    assert pickle.loads(pickle.dumps(g)) == g
    p = ca.Pool(4, 2, c_in=3)
    assert (p.c_in, p.c_out, p.groups, p.weight_shape, p.n_weights) == (3, 3, 3, None, 0)


def test_weight_shapes_counts_and_multiply_adds():
    g = ca.Conv(5, 3, c_in=4, c_out=8, groups=2)
    assert g.weight_shape == (8, 2, 3, 3) and g.n_weights == 144
    # c_out * prod(out) * (c_in / groups) * kh * kw
    assert g.macs == 8 * 9 * 2 * 9
    t = ca.ConvTranspose(3, 3, s=2, c_in=4, c_out=6, groups=2)
    assert t.weight_shape == (4, 3, 3, 3) and t.n_weights == 108
    assert t.macs == 4 * 9 * 3 * 9  # c_in * prod(in) * (c_out / groups) * kh * kw: every input through its weights
    assert ca.Pool(4, 2, c_in=3).macs == 0 and ca.Pool(4, 2, c_in=3).reads == 3 * 4 * 4


def test_transpose_swaps_the_channels_and_keeps_the_weights():
    c = ca.Conv(6, 3, s=2, p=1, c_in=2, c_out=6, groups=2)
    t = c.transpose()
    assert (t.c_in, t.c_out, t.groups) == (6, 2, 2)
    assert t.weight_shape == c.weight_shape and t.transpose() == c


def test_transpose_is_the_adjoint_with_channels():
    c = ca.Conv(6, 3, s=2, p=1, c_in=4, c_out=6, groups=2)
    w = _rand(c.weight_shape, 0)
    x, y = _rand((4, 6, 6), 1), _rand((6, 3, 3), 2)
    # <C x, y> == <x, C^T y> with the same weights: the transposed convolution is C^T.
    assert np.isclose(np.vdot(ca.apply(c, x, w), y), np.vdot(x, ca.apply(c.transpose(), y, w)))


@pytest.mark.parametrize("kw, name, exc", [
    (dict(c_in=3, groups=2), "c_in", ValueError),
    (dict(c_in=4, c_out=3, groups=2), "c_out", ValueError),
    (dict(c_in=0), "c_in", ValueError),
    (dict(c_out=-1), "c_out", ValueError),
    (dict(groups=0), "groups", ValueError),
    (dict(groups=True), "groups", TypeError),
    (dict(c_in=2.0), "c_in", TypeError),
    (dict(c_out="2"), "c_out", TypeError),
])
def test_bad_channels_are_refused_naming_the_parameter(kw, name, exc):
    for make in (lambda: ca.Conv(5, 3, **kw), lambda: ca.ConvTranspose(3, 3, **kw)):
        with pytest.raises(exc, match=rf"^{name}\b"):
            make()


def test_pooling_takes_only_c_in():
    with pytest.raises(ValueError, match=r"^c_in"):
        ca.Pool(4, 2, c_in=0)
    with pytest.raises(TypeError, match="c_out"):
        ca.Pool(4, 2, c_out=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="groups"):
        ca.Pool(4, 2, groups=2)  # type: ignore[call-arg]


# ---- values against PyTorch ---------------------------------------------------------------------------------

@given(st.one_of(conv_params(max_i=6), transpose_params(max_i=4), pool_params(max_i=6)), channels(),
       st.integers(0, 2**31))
@example(dict(i=5, k=3, s=1, p=1, d=1), dict(c_in=4, c_out=6, groups=2), 0)
@example(dict(i=(4, 5), k=2, s=2, p=0, d=1, output_padding=1), dict(c_in=6, c_out=3, groups=3), 1)
@example(dict(i=5, k=3, s=1, p=1, d=1), dict(c_in=3, c_out=3, groups=3), 2)  # depthwise
@example(dict(i=5, k=1, s=1, p=0, d=1), dict(c_in=3, c_out=5, groups=1), 3)  # pointwise
def test_values_and_matrix_against_pytorch(params, ch, seed):
    spec = _spec(params, ch)
    # A one-channel spec takes and gives plain (h, w) arrays: PyTorch sees them with their one channel.
    x = _rand(input_shape(spec), seed)
    w = None if isinstance(spec, ca.Pool) else _rand(kernel_shape(spec), seed + 1)
    ref = _torch_reference(spec, x.reshape(spec.c_in, *spec.input_shape),
                           None if w is None else w.reshape(spec.weight_shape))
    assert ref.shape == (spec.c_out, *spec.output_shape)
    got = ca.apply(spec, x, w)
    assert got.shape == output_shape(spec)
    np.testing.assert_allclose(got, ref.reshape(got.shape), atol=1e-9)
    if not (isinstance(spec, ca.Pool) and spec.mode == "max"):
        C = ca.conv_matrix(spec, w)
        assert C.shape == (ref.size, x.size)
        np.testing.assert_allclose(C @ x.ravel(), ref.ravel(), atol=1e-9)


def test_one_channel_keeps_plain_arrays_and_the_guide_numbers():
    c = ca.Conv(5, 3)
    assert default_input(c).shape == (5, 5) and default_kernel(c).shape == (3, 3)
    assert ca.apply(c, default_input(c))[0].tolist() == [12.0, 12.0, 17.0]  # the guide's Figure 1.1
    assert (input_shape(c), output_shape(c), kernel_shape(c)) == ((5, 5), (3, 3), (3, 3))
    with pytest.raises(ValueError, match=r"^x must have shape \(5, 5\)"):
        ca.apply(c, np.zeros((1, 5, 5)))


def test_multi_channel_shapes_are_pytorch_s_and_refused_otherwise():
    c = ca.Conv(5, 3, c_in=4, c_out=6, groups=2)
    with pytest.raises(ValueError, match=r"^x must have shape \(4, 5, 5\)"):
        ca.apply(c, np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"^kernel must have shape \(6, 2, 3, 3\)"):
        ca.apply(c, np.zeros((4, 5, 5)), np.zeros((3, 3)))
    t = ca.ConvTranspose(3, 3, c_in=4, c_out=6, groups=2)
    with pytest.raises(ValueError, match=r"^kernel must have shape \(4, 3, 3, 3\)"):
        ca.apply(t, np.zeros((4, 3, 3)), np.zeros((6, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"^kernel must be None"):
        ca.apply(ca.Pool(4, 2, c_in=2), np.zeros((2, 4, 4)), np.zeros((2, 2)))


def test_default_values_are_seeded_per_channel():
    a, b = ca.Conv(5, 3, c_in=2, c_out=2), ca.Conv(5, 3, c_in=3, c_out=4)
    xa, xb = default_input(a), default_input(b)
    assert xa.shape == (2, 5, 5) and xb.shape == (3, 5, 5)
    np.testing.assert_array_equal(xa, xb[:2])  # a channel's values do not depend on how many there are
    assert not np.array_equal(xb[0], xb[1])
    assert set(np.unique(xb)) <= {0.0, 1.0, 2.0, 3.0}
    wa, wb = default_kernel(a), default_kernel(b)
    assert wa.shape == (2, 2, 3, 3) and wb.shape == (4, 3, 3, 3)
    np.testing.assert_array_equal(wa, wb[:2, :2])
    np.testing.assert_array_equal(default_input(b), xb)  # the same spec, the same numbers
    assert default_kernel(ca.Pool(4, 2, c_in=2)) is None
    assert ca.apply(b, xb).shape == (4, 3, 3)  # the default kernel fits


# ---- frames against brute force -----------------------------------------------------------------------------

def _brute_frames(spec):
    """Frame t by definition: output channel j outermost, then output cells row-major; the input channels of j's
    group (PyTorch: g = j // (c_out / groups), channels g*(c_in/groups) ...); taps those of one channel's frame."""
    (oh, ow) = spec.output_shape
    one = ca.scene(_one_channel(spec)).frames
    per_in, per_out = spec.c_in // spec.groups, spec.c_out // spec.groups
    out = []
    for j in range(spec.c_out):
        g = j // per_out
        ins = (j,) if isinstance(spec, ca.Pool) else tuple(range(g * per_in, (g + 1) * per_in))
        for r in range(oh):
            for c in range(ow):
                out.append(((r, c), one[r * ow + c].taps, j, ins))
    return out


def _one_channel(spec):
    if isinstance(spec, ca.Pool):
        return ca.Pool(spec.i, spec.k, spec.s, spec.p, spec.d, mode=spec.mode, ceil_mode=spec.ceil_mode)
    if isinstance(spec, ca.ConvTranspose):
        return ca.ConvTranspose(spec.i, spec.k, spec.s, spec.p, spec.d, output_padding=spec.output_padding)
    return ca.Conv(spec.i, spec.k, spec.s, spec.p, spec.d)


@given(st.one_of(conv_params(max_i=6), transpose_params(max_i=4), pool_params(max_i=6)), channels())
@example(dict(i=4, k=3, s=1, p=0, d=1), dict(c_in=4, c_out=6, groups=2))
def test_frames_against_brute_force(params, ch):
    spec = _spec(params, ch)
    frames = ca.scene(spec).frames
    assert len(frames) == spec.c_out * spec.output_shape[0] * spec.output_shape[1]
    assert [tuple(f) for f in frames] == _brute_frames(spec)
    assert frames[-1] == frames[len(frames) - 1]


def test_conv_taps_are_taps_of_pytorch_s_conv():
    """Each frame's taps on its in_channels, weighted by PyTorch's weights, sum to PyTorch's output value."""
    for spec in (ca.Conv(5, 3, s=2, p=1, c_in=4, c_out=6, groups=2), ca.Conv((4, 6), (2, 3), d=(1, 2), c_in=3,
                                                                            c_out=3, groups=3),
                 ca.ConvTranspose(3, 3, s=2, p=1, output_padding=1, c_in=4, c_out=2, groups=2)):
        sc = ca.scene(spec)
        x, w = _rand((spec.c_in, *spec.input_shape), 5), _rand(spec.weight_shape, 6)
        ref = _torch_reference(spec, x, w)
        canvases = [sc.canvas_values(x[c]) for c in range(spec.c_in)]
        per_in, per_out = spec.c_in // spec.groups, spec.c_out // spec.groups
        for f in sc.frames:
            total = 0.0
            for c in f.in_channels:
                wk = w[f.out_channel, c % per_in] if isinstance(spec, ca.Conv) else w[c, f.out_channel % per_out]
                total += sum(canvases[c][r, q] * wt for (r, q), wt in zip(f.taps, sc.tap_weights(wk)))
            assert np.isclose(total, ref[(f.out_channel, *f.output_cell)])


def test_frame_stays_backward_compatible():
    f = ca.Frame((0, 1), ((0, 1),))
    assert (f.out_channel, f.in_channels) == (0, (0,))
    cell, taps, *_ = ca.scene(ca.Conv(4, 3)).frames[1]
    assert cell == (0, 1) and taps[0] == (0, 1)
    assert ca.Frame._fields == ("output_cell", "taps", "out_channel", "in_channels")


def test_frame_count_with_channels_is_limited():
    with pytest.raises(ValueError, match="max_frames"):
        ca.scene(ca.Conv(10, 1, c_out=101))  # 101 * 100 frames > 10,000
    assert len(ca.scene(ca.Conv(10, 1, c_out=101), max_frames=10_100).frames) == 10_100


# ---- the matrix view and positions_figure refuse channels (not drawn yet); the grid view draws them ----------

@pytest.mark.parametrize("spec", [ca.Conv(5, 3, c_in=2, c_out=4), ca.Conv(5, 3, c_out=3),
                                  ca.ConvTranspose(3, 3, c_in=2), ca.Pool(4, 2, c_in=2)])
def test_multi_channel_specs_are_refused_by_the_matrix_view_naming_c_in_c_out(spec, tmp_path):
    import matplotlib.pyplot as plt

    from convanim.drawing.api import make_plan, new_stage

    message = r"^c_in, c_out: .* not drawn here"
    fig, ax = plt.subplots()
    try:
        calls = [lambda: ca.draw(ax, spec, view="matrix"), lambda: ca.figure(spec, view="matrix"),
                 lambda: ca.figure(spec, view="both"), lambda: make_plan(spec, view="matrix"),
                 lambda: make_plan(spec, view="both"), lambda: new_stage(spec, view="both"),
                 lambda: ca.render(spec, tmp_path / "x.png", view="matrix"), lambda: ca.positions_figure(spec),
                 lambda: ca.animation(spec, view="both"), lambda: ca.to_html(spec, view="matrix")]
        for call in calls:
            with pytest.raises(ValueError, match=message):
                call()
    finally:
        plt.close(fig)
    assert not list(tmp_path.iterdir())


# ---- the command line ---------------------------------------------------------------------------------------

def _cli(capsys, *argv):
    from convanim.cli import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_shape_prints_weights_and_multiply_adds_only_with_channels(capsys):
    status, out, err = _cli(capsys, "shape", "-i", "5", "-k", "3", "--c-in", "4", "--c-out", "8", "--groups", "2")
    lines = out.splitlines()
    assert status == 0 and not err
    assert lines[0] == "Conv(i=5, k=3, c_in=4, c_out=8, groups=2): input 5x5 -> output 3x3"
    # c_out * oh*ow * (c_in/groups) * kh*kw = 8 * 9 * 2 * 9
    assert lines[-1] == ("channels: c_in=4 -> c_out=8, groups=2; weights 8x2x3x3 = 144 (bias apart); multiply-adds "
                         "c_out * oh*ow * (c_in/groups) * kh*kw = 8 * 3*3 * 2 * 3*3 = 1296")
    _, plain, _ = _cli(capsys, "shape", "-i", "5", "-k", "3")
    assert len(lines) == len(plain.splitlines()) + 1 and "channels" not in plain
    _, ones, _ = _cli(capsys, "shape", "-i", "5", "-k", "3", "--c-in", "1", "--c-out", "1", "--groups", "1")
    assert ones == plain


def test_cli_channels_for_transposed_and_pooling(capsys):
    # --transposed: the transpose of the convolution described, its channels the other way round.
    status, out, _ = _cli(capsys, "shape", "-i", "6", "-k", "3", "-s", "2", "-p", "1", "--transposed",
                          "--c-in", "4", "--c-out", "2", "--groups", "2")
    assert status == 0 and out.startswith("ConvTranspose(i=3, k=3, s=2, p=1, output_padding=1, c_in=2, c_out=4, "
                                          "groups=2)")
    assert out.splitlines()[-1].endswith("weights 2x2x3x3 = 36 (bias apart); multiply-adds c_in * ih*iw * "
                                         "(c_out/groups) * kh*kw = 2 * 3*3 * 2 * 3*3 = 324")
    t = ca.ConvTranspose(3, 3, s=2, p=1, output_padding=1, c_in=2, c_out=4, groups=2)
    assert t.macs == 324 and t.n_weights == 36
    status, out, _ = _cli(capsys, "shape", "-i", "4", "-k", "2", "--pool", "avg", "--c-in", "3")
    assert status == 0 and "Pool(i=4, k=2, mode='avg', c_in=3)" in out and "no multiply-adds" in out


@pytest.mark.parametrize("argv, words", [
    (["--pool", "max", "--c-out", "3"], "--c-out does not go with --pool"),
    (["--pool", "max", "--groups", "1"], "--groups does not go with --pool"),
    (["--c-in", "3", "--groups", "2"], "c_in must be divisible by groups"),
    (["--c-in", "2", "--c-out", "3", "--groups", "2"], "c_out must be divisible by groups"),
    (["--c-in", "0"], "argument --c-in"),
    (["--groups", "two"], "argument --groups"),
])
def test_cli_refuses_bad_channels_in_one_line(capsys, argv, words):
    for command in (["shape"], ["render", "-o", "never.gif"]):
        status, out, err = _cli(capsys, *command, "-i", "5", "-k", "3", *argv)
        assert status == 2 and not out
        assert err.startswith("convanim: error: ") and words in err and err.count("\n") == 1


def test_cli_render_refuses_channels_in_the_matrix_view_and_writes_nothing(capsys, tmp_path):
    target = tmp_path / "x.gif"
    status, _, err = _cli(capsys, "render", "-i", "5", "-k", "3", "--c-in", "2", "--c-out", "4", "--view", "matrix",
                          "-o", str(target))
    assert status == 2 and err.startswith("convanim: error: c_in, c_out: ") and "not drawn here" in err
    assert not target.exists() and not list(tmp_path.iterdir())


def test_cli_renders_channels_in_the_grid_view(capsys, tmp_path):
    target = tmp_path / "x.png"
    status, _, err = _cli(capsys, "render", "-i", "4", "-k", "3", "--c-in", "2", "--c-out", "3", "--frame", "5",
                          "-o", str(target))
    assert status == 0 and not err and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
