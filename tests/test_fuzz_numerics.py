"""Generated layers of every rank, padding mode, channel count and stacks of them: values against PyTorch, and
receptive fields and overlap against PyTorch's autograd (issue 22)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import convanim as ca

from .autograd_oracle import dependencies, jacobian, window_counts

torch = pytest.importorskip("torch")
F = torch.nn.functional

MODES = ("zeros", "reflect", "replicate", "circular")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _axes(draw, ndim, lo, hi):
    return tuple(draw(st.integers(lo, hi)) for _ in range(ndim))


@st.composite
def layers(draw, i=None, c_in=None, channels=True):
    """A Conv (any padding mode, uneven padding), a ConvTranspose (uneven crop, output_padding) or a Pool of
    rank 1, 2 or 3 on input ``i`` (drawn when not given), with channels and groups PyTorch allows."""
    ndim = draw(st.integers(1, 3)) if i is None else len(i)
    i = i or _axes(draw, ndim, 1, 6 if ndim < 3 else 4)
    kind = draw(st.sampled_from(["conv", "conv", "tconv", "pool"]))
    k, s, d = _axes(draw, ndim, 1, 3), _axes(draw, ndim, 1, 3), _axes(draw, ndim, 1, 2)
    groups = draw(st.integers(1, 2)) if channels else 1
    c_in = c_in or (groups * draw(st.integers(1, 2)) if channels else 1)
    assume(c_in % groups == 0)
    c_out = groups * draw(st.integers(1, 2)) if channels else 1
    try:
        if kind == "conv":
            mode = draw(st.sampled_from(MODES))
            top = [n - 1 if mode == "reflect" else n for n in i]
            p = tuple((draw(st.integers(0, min(t, 3))), draw(st.integers(0, min(t, 3)))) for t in top)
            return ca.Conv(i, k, s, p, d, padding_mode=mode, c_in=c_in, c_out=c_out, groups=groups)
        if kind == "tconv":
            op = tuple(draw(st.integers(0, max(a, b) - 1)) for a, b in zip(s, d))
            p = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(ndim))
            return ca.ConvTranspose(i, k, s, p, d, output_padding=op, c_in=c_in, c_out=c_out, groups=groups)
        mode = draw(st.sampled_from(["max", "avg"]))
        d = d if mode == "max" else (1,) * ndim
        p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
        return ca.Pool(i, k, s, p, d, mode=mode, ceil_mode=draw(st.booleans()), c_in=c_in)
    except ValueError:
        assume(False)
        raise


@st.composite
def stacks(draw):
    first = draw(layers(channels=False))
    chain = [first]
    for _ in range(draw(st.integers(1, 2))):
        assume(min(chain[-1].output_shape) >= 1)
        chain.append(draw(layers(i=tuple(chain[-1].output_shape), c_in=1, channels=False)))
    return ca.Stack(*chain)


def torch_apply(spec, x, w):
    """PyTorch on the unbatched ``x`` ``(c_in, *i)``, weights in its layout."""
    n = spec.ndim
    X = torch.tensor(x)[None]
    if isinstance(spec, ca.Pool):
        if spec.mode == "max":
            fn = [F.max_pool1d, F.max_pool2d, F.max_pool3d][n - 1]
            return fn(X, spec.k, spec.s, spec.p, spec.d, ceil_mode=spec.ceil_mode)[0].numpy()
        fn = [F.avg_pool1d, F.avg_pool2d, F.avg_pool3d][n - 1]
        return fn(X, spec.k, spec.s, spec.p, ceil_mode=spec.ceil_mode, count_include_pad=True)[0].numpy()
    W = torch.tensor(w)
    if isinstance(spec, ca.Conv):
        mode = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
        pad = [v for be in reversed(spec.padding) for v in be]
        conv = [F.conv1d, F.conv2d, F.conv3d][n - 1]
        return conv(F.pad(X, pad, mode=mode[spec.padding_mode]), W, stride=spec.s, dilation=spec.d,
                    groups=spec.groups)[0].numpy()
    full = [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][n - 1](
        X, W, stride=spec.s, dilation=spec.d, groups=spec.groups)
    grow = [max(0, b + o - f) for (b, _), o, f in zip(spec.padding, spec.output_shape, full.shape[2:])]
    full = F.pad(full, [v for g in reversed(grow) for v in (0, g)])
    return full[(0, slice(None), *(slice(b, b + o) for (b, _), o in zip(spec.padding, spec.output_shape)))].numpy()


@SETTINGS
@given(spec=layers(), seed=st.integers(0, 2**16))
def test_apply_against_pytorch(spec, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(spec.c_in, *spec.input_shape))
    w = None if isinstance(spec, ca.Pool) else rng.normal(size=spec.weight_shape)
    try:
        ref = torch_apply(spec, x, w)
    except RuntimeError as exc:  # PyTorch refuses what convanim accepts: a finding
        pytest.fail(f"PyTorch refuses {spec!r}: {exc}")
    if not spec.channels:  # a one-channel spec takes and gives its spatial shape alone
        x, w, ref = x[0], None if w is None else w[0, 0], ref[0]
    got = ca.apply(spec, x, w)
    assert got.shape == ref.shape, spec
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10, err_msg=repr(spec))


@SETTINGS
@given(spec=layers(channels=False))
def test_receptive_field_and_overlap_against_autograd(spec):
    J = jacobian([spec], spec.input_shape)
    for cell in itertools.product(*(range(v) for v in spec.output_shape)):
        assert ca.receptive_field(spec, cell) == dependencies(J, cell, spec.ndim), (spec, cell)
    np.testing.assert_array_equal(ca.overlap(spec), window_counts(spec, J), err_msg=repr(spec))


@SETTINGS
@given(stack=stacks())
def test_stack_receptive_fields_against_autograd(stack):
    J = jacobian(stack.layers, stack.input_shape)
    for cell in itertools.product(*(range(v) for v in stack.output_shape)):
        assert ca.receptive_field(stack, cell) == dependencies(J, cell, stack.ndim), (stack, cell)
    assert ca.Stack.from_text(stack.text(), stack.input_shape, c_in=stack.c_in) == stack


@SETTINGS
@given(spec=layers(), seed=st.integers(0, 2**16))
def test_conv_matrix_is_apply_unrolled(spec, seed):
    assume(not (isinstance(spec, ca.Pool) and spec.mode == "max"))  # not linear: no matrix
    from convanim.core.numerics import input_shape, kernel_shape

    rng = np.random.default_rng(seed)
    x = rng.normal(size=input_shape(spec))
    w = None if isinstance(spec, ca.Pool) else rng.normal(size=kernel_shape(spec))
    C = ca.conv_matrix(spec, w)
    np.testing.assert_allclose(C @ x.ravel(), ca.apply(spec, x, w).ravel(), rtol=1e-10, atol=1e-10,
                               err_msg=repr(spec))
