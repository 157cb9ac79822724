"""Values and the unrolled matrix, against loop oracles and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convanim as ca
from convanim.core.numerics import GUIDE_INPUT, GUIDE_KERNEL, default_input, default_kernel

from . import oracles
from .strategies import conv_params, pool_params, transpose_params


def _rand(shape, seed):
    return np.random.default_rng(seed).normal(size=shape)


@given(conv_params(), st.integers(0, 2**31))
def test_conv_values_match_loops(c, seed):
    spec = ca.Conv(**c)
    x, w = _rand(spec.input_shape, seed), _rand(spec.k, seed + 1)
    np.testing.assert_allclose(ca.apply(spec, x, w), oracles.conv2d(x, w, c["s"], c["p"], c["d"]), atol=1e-12)


@given(transpose_params(), st.integers(0, 2**31))
def test_transpose_values_match_scatter(c, seed):
    spec = ca.ConvTranspose(**c)
    x, w = _rand(spec.input_shape, seed), _rand(spec.k, seed + 1)
    expected = oracles.conv_transpose2d(x, w, c["s"], c["p"], c["d"], c["output_padding"])
    np.testing.assert_allclose(ca.apply(spec, x, w), expected, atol=1e-12)


@given(transpose_params(), st.integers(0, 2**31))
def test_transpose_is_the_adjoint_of_the_conv(c, seed):
    # <conv(y), x> == <y, conv_transpose(x)>, the definition of the transpose
    # (the conv's surplus outputs, where output_padding >= s, are dropped).
    spec = ca.ConvTranspose(**c)
    x, w = _rand(spec.input_shape, seed), _rand(spec.k, seed + 1)
    y = _rand(spec.output_shape, seed + 2)
    direct = oracles.conv2d(y, w, c["s"], c["p"], c["d"])[: spec.i[0], : spec.i[1]]
    assert np.isclose(np.sum(direct * x), np.sum(y * ca.apply(spec, x, w)))


@given(pool_params(), st.integers(0, 2**31))
def test_pool_values_match_loops(c, seed):
    spec = ca.Pool(**c)
    x = _rand(spec.input_shape, seed)
    expected = oracles.pool2d(x, c["k"], c["s"], c["p"], c["d"], c["mode"], c["ceil_mode"])
    np.testing.assert_allclose(ca.apply(spec, x), expected, atol=1e-12)


def test_max_pool_pads_with_minus_infinity():
    x = -np.ones((3, 3))
    out = ca.apply(ca.Pool(3, 2, s=1, p=1), x)
    assert np.all(out == -1.0)  # zero padding would have given 0 at the borders


@given(st.one_of(conv_params(max_i=6), transpose_params(max_i=4)), st.integers(0, 2**31))
def test_matrix_times_unrolled_input_is_the_output(c, seed):
    spec = ca.ConvTranspose(**c) if "output_padding" in c else ca.Conv(**c)
    x, w = _rand(spec.input_shape, seed), _rand(spec.k, seed + 1)
    C = ca.conv_matrix(spec, w)
    assert C.shape == (np.prod(spec.output_shape), np.prod(spec.input_shape))
    np.testing.assert_allclose(C @ x.ravel(), ca.apply(spec, x, w).ravel(), atol=1e-12)


@given(conv_params(max_i=6), st.integers(0, 2**31))
def test_transposed_matrix_is_c_transposed(c, seed):
    conv = ca.Conv(**c)
    w = _rand(conv.k, seed)
    np.testing.assert_array_equal(ca.conv_matrix(conv.transpose(), w), ca.conv_matrix(conv, w).T)


def test_guide_matrix_4x16():
    # Section 4.1: 4x4 input, 3x3 kernel: C is 4x16; row 0 holds w0,0 w0,1 w0,2 0 w1,0 ...
    w = np.arange(1, 10, dtype=float).reshape(3, 3)
    C = ca.conv_matrix(ca.Conv(4, 3), w)
    assert C.shape == (4, 16)
    np.testing.assert_array_equal(C[0], [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(C[3], [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9])


def test_avg_pool_has_a_matrix_and_max_pool_refuses():
    spec = ca.Pool(5, 3, s=2, p=1, mode="avg")
    x = _rand(spec.input_shape, 3)
    np.testing.assert_allclose(ca.conv_matrix(spec) @ x.ravel(), ca.apply(spec, x).ravel())
    with pytest.raises(ValueError, match="max pooling"):
        ca.conv_matrix(ca.Pool(5, 3))


def test_guide_figure_values():
    # Figure 1.1's output (the guide's numerical_no_padding_no_strides) and Figure 1.6's max pooling.
    spec = ca.Conv(5, 3)
    np.testing.assert_array_equal(ca.apply(spec, GUIDE_INPUT, GUIDE_KERNEL),
                                  [[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    np.testing.assert_array_equal(ca.apply(ca.Conv(5, 3, s=2, p=1), GUIDE_INPUT, GUIDE_KERNEL),
                                  [[6, 17, 3], [8, 17, 13], [6, 4, 4]])
    np.testing.assert_array_equal(ca.apply(ca.Pool(5, 3, s=1), GUIDE_INPUT),
                                  [[3, 3, 3], [3, 3, 3], [3, 2, 3]])
    np.testing.assert_array_equal(default_input(spec), GUIDE_INPUT)
    np.testing.assert_array_equal(default_kernel(spec), GUIDE_KERNEL)
    np.testing.assert_array_equal(ca.apply(spec, GUIDE_INPUT), ca.apply(spec, GUIDE_INPUT, GUIDE_KERNEL))


def test_defaults_are_deterministic_integers():
    spec = ca.Conv((6, 7), (2, 4))
    a, b = default_input(spec), default_input(ca.Conv((6, 7), (2, 4)))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (6, 7) and np.all(a == np.round(a)) and a.min() >= 0 and a.max() <= 3
    assert default_kernel(ca.Pool(5, 3)) is None


@pytest.mark.parametrize("call,name", [
    (lambda: ca.apply(ca.Conv(5, 3), np.zeros((4, 5))), "x"),
    (lambda: ca.apply(ca.Conv(5, 3), np.zeros((5, 5)), np.zeros((3, 2))), "kernel"),
    (lambda: ca.apply(ca.Pool(5, 3), np.zeros((5, 5)), np.zeros((3, 3))), "kernel"),
    (lambda: ca.conv_matrix(ca.Conv(5, 3), np.zeros(9)), "kernel"),
])
def test_bad_operands_are_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---- PyTorch as an oracle, where it is installed -------------------------------------------------

def _torch():
    return pytest.importorskip("torch")


@given(st.one_of(conv_params(), transpose_params(), pool_params()), st.integers(0, 2**31))
def test_against_pytorch(c, seed):
    torch = _torch()
    F = torch.nn.functional
    if "output_padding" in c:
        spec = ca.ConvTranspose(**c)
    elif "mode" in c:
        spec = ca.Pool(**c)
    else:
        spec = ca.Conv(**c)
    x = _rand(spec.input_shape, seed)
    X = torch.tensor(x)[None, None]
    if isinstance(spec, ca.Pool):
        if spec.mode == "max":
            ref = F.max_pool2d(X, spec.k, spec.s, spec.p, spec.d, ceil_mode=spec.ceil_mode)
        else:
            ref = F.avg_pool2d(X, spec.k, spec.s, spec.p, ceil_mode=spec.ceil_mode, count_include_pad=True)
        got = ca.apply(spec, x)
    else:
        w = _rand(spec.k, seed + 1)
        W = torch.tensor(w)[None, None]
        if isinstance(spec, ca.Conv):
            ref = F.conv2d(X, W, stride=spec.s, padding=spec.p, dilation=spec.d)
        else:
            ref = F.conv_transpose2d(X, W, stride=spec.s, padding=spec.p, dilation=spec.d,
                                     output_padding=spec.output_padding)
        got = ca.apply(spec, x, w)
        np.testing.assert_allclose(ca.conv_matrix(spec, w) @ x.ravel(), ref.numpy().ravel(), atol=1e-9)
    assert got.shape == tuple(ref.shape[2:]) == spec.output_shape
    np.testing.assert_allclose(got, ref[0, 0].numpy(), atol=1e-9)


def _torch_accepts(torch, kind, i, k, s, p, d, extra):
    F = torch.nn.functional
    X = torch.zeros(1, 1, i, i)
    try:
        if kind == "conv":
            F.conv2d(X, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
        elif kind == "conv_transpose":
            out = F.conv_transpose2d(X, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d,
                                     output_padding=extra)
            # PyTorch returns an empty map where o' = 0; a layer with no output is refused here, as the issue asks.
            return out.numel() > 0
        else:
            F.max_pool2d(X, k, s, p, d, ceil_mode=bool(extra))
    except (RuntimeError, ValueError):
        return False
    return True


@given(st.sampled_from(["conv", "conv_transpose", "pool"]), st.integers(1, 7), st.integers(1, 5),
       st.integers(1, 3), st.integers(0, 4), st.integers(1, 3), st.integers(0, 3))
def test_accepts_exactly_what_pytorch_accepts(kind, i, k, s, p, d, extra):
    torch = _torch()
    make = {"conv": lambda: ca.Conv(i, k, s, p, d),
            "conv_transpose": lambda: ca.ConvTranspose(i, k, s, p, d, output_padding=extra),
            "pool": lambda: ca.Pool(i, k, s, p, d, ceil_mode=bool(extra % 2))}[kind]
    ours = True
    try:
        make()
    except ValueError:
        ours = False
    theirs = _torch_accepts(torch, kind, i, k, s, p, d, extra if kind != "pool" else extra % 2)
    assert ours == theirs, (kind, i, k, s, p, d, extra)
