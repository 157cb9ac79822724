"""Issue 22 (hardening II), the values: receptive fields and overlap through copied borders (against PyTorch's
autograd), costs refused before any work, and PyTorch's own refusals."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import convanim as ca

from .autograd_oracle import dependencies, jacobian, window_counts

MODES = ("zeros", "reflect", "replicate", "circular")


def _cells(shape):
    return itertools.product(*(range(v) for v in shape))


# ---- item 2: a copied border cell depends on the cell it copies -------------------------------------------------

@pytest.mark.parametrize("spec,cell,seen", [
    (ca.Conv((5,), 3, p=1, padding_mode="circular"), (0,), {0, 1, 4}),
    (ca.Conv((5,), 3, p=2, padding_mode="reflect"), (0,), {0, 1, 2}),
    (ca.Conv((5,), 3, p=2, padding_mode="replicate"), (0,), {0}),
    (ca.Conv((5,), 3, p=2), (0,), {0}),
])
def test_the_issue_s_cases(spec, cell, seen):
    assert ca.receptive_field(spec, cell) == {(v,) for v in seen}


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("mode", MODES)
def test_receptive_field_and_overlap_of_every_padding_mode_against_autograd(ndim, mode):
    rng = np.random.default_rng(hash((ndim, mode)) % 2**32)
    for _ in range(6 if ndim < 3 else 3):
        i = tuple(int(v) for v in rng.integers(2, 7 if ndim < 3 else 5, size=ndim))
        k = tuple(int(v) for v in rng.integers(1, 4, size=ndim))
        s = tuple(int(v) for v in rng.integers(1, 3, size=ndim))
        d = tuple(int(v) for v in rng.integers(1, 3, size=ndim))
        top = [n - 1 if mode == "reflect" else n for n in i]
        p = tuple((int(rng.integers(0, t + 1)), int(rng.integers(0, t + 1))) for t in top)
        try:
            spec = ca.Conv(i, k, s=s, p=p if ndim > 1 else p[0], d=d, padding_mode=mode)
        except ValueError:
            continue  # a kernel larger than the padded input
        J = jacobian([spec], spec.input_shape)
        for cell in _cells(spec.output_shape):
            assert ca.receptive_field(spec, cell) == dependencies(J, cell, ndim), (spec, cell)
        np.testing.assert_array_equal(ca.overlap(spec), window_counts(spec, J), err_msg=repr(spec))


def test_stacks_through_copying_layers_against_autograd():
    for stack in [ca.Stack(ca.Conv((6,), 3, p=1, padding_mode="circular"), ca.Conv((6,), 3, s=2, p=2,
                                                                                     padding_mode="reflect")),
                  ca.Stack(ca.Conv((5, 4), 3, p=(2, 1), padding_mode="replicate"), ca.Pool((7, 4), 2, p=1),
                           ca.Conv((4, 3), 2, p=1, padding_mode="circular")),
                  ca.Stack(ca.Conv((3, 4, 3), 2, p=1, padding_mode="reflect"),
                           ca.ConvTranspose((4, 5, 4), 2, s=2, p=1))]:
        J = jacobian(stack.layers, stack.input_shape)
        for cell in _cells(stack.output_shape):
            assert ca.receptive_field(stack, cell) == dependencies(J, cell, stack.ndim), (stack, cell)


# ---- item 9: the one-line form keeps padding_mode; avg_pool3d's own refusal -------------------------------------

@pytest.mark.parametrize("layers", [
    [ca.Conv((5,), 3, p=2, padding_mode="reflect")],
    [ca.Conv((6, 5), 3, p=(1, (0, 2)), padding_mode="circular"), ca.Pool((6, 5), 2)],
    [ca.Conv((4, 4, 4), 2, p=1, padding_mode="replicate", c_out=2), ca.Conv((5, 5, 5), 3, c_in=2)],
])
def test_stack_text_reads_back_with_its_padding_mode(layers):
    stack = ca.Stack(*layers)
    assert ca.Stack.from_text(stack.text(), stack.input_shape, c_in=stack.c_in) == stack
    assert "padding_mode=" in stack.text()


def test_avg_pool3d_refusals_are_pytorch_s():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    with pytest.raises(ValueError, match=r"^i: .*avg_pool3d"):
        ca.Pool((3, 3, 1), (2, 1, 2), mode="avg", ceil_mode=True)
    for i, k, p, ceil in itertools.product([(3, 3, 1), (1, 3, 3), (2, 3, 3), (4, 2, 3)], [2, (2, 1, 2), (1, 3, 1)],
                                           [0, 1], [False, True]):
        try:
            ref = F.avg_pool3d(torch.ones((1, 1, *i), dtype=torch.float64), k, padding=p, ceil_mode=ceil)[0, 0]
        except RuntimeError:
            ref = None
        try:
            spec = ca.Pool(i, k, p=p, mode="avg", ceil_mode=ceil)
        except ValueError:
            assert ref is None, (i, k, p, ceil)
            continue
        assert ref is not None, spec
        np.testing.assert_allclose(ca.apply(spec, np.ones(i)), ref.numpy(), err_msg=repr(spec))


def test_an_array_padding_is_named_not_an_ambiguous_truth_value():
    for make in (ca.Pool, ca.Conv):
        with pytest.raises(TypeError, match=r"^p must be"):
            make(5, 3, p=np.array([1, 1]))
    with pytest.raises(ValueError, match="k must be at most"):
        ca.Stack.from_text("conv k=99999999999", 5)


# ---- item 5: one cost rule, refused before any work, naming the parameter, the size and the way out ------------

HUGE = [
    (lambda: ca.apply(ca.Conv(5, 3, p=12000), np.ones((5, 5))), "spec", "max_elements="),
    (lambda: ca.apply(ca.Conv(5, 3, p=10**5), np.ones((5, 5))), "spec", "max_elements="),
    (lambda: ca.apply(ca.ConvTranspose(5, 3, s=10**6), np.ones((5, 5))), "spec", "smaller size"),
    (lambda: ca.overlap(ca.Conv((2000,) * 3, 1)), "spec", "max_elements="),
    (lambda: ca.overlap(ca.Conv((10**8,), 3)), "spec", "max_elements="),
    (lambda: ca.receptive_field(ca.Conv((10**8,), 10**8), (0,)), "spec", "max_elements="),
    (lambda: ca.receptive_field(ca.Conv(10**4, 9000), (0, 0)), "spec", "cells of a Python set"),
    (lambda: ca.receptive_field(ca.Stack(ca.Conv((10**6,), 10**5), ca.Conv((900001,), 10**5)), (0,)),
     "layer_or_stack", "layers[0]"),
    (lambda: ca.separable(5, 3, 2**31 - 1, 2**31 - 1).apply(np.ones((2, 5, 5))), "spec", "max_elements="),
    (lambda: ca.apply(ca.Pool(4, 2, c_in=10**7), np.ones((1, 4, 4))), "spec", "max_elements="),  # before x
    (lambda: ca.apply(ca.Conv(4, 3, c_out=10**6), np.ones((1, 4, 4))), "spec", "default kernel"),
    (lambda: ca.conv_matrix(ca.Conv(1, 1, c_in=4096, c_out=4096)), "spec", "max_entries="),
]


@pytest.mark.parametrize("call,name,needle", HUGE)
def test_absurd_numerics_are_refused_at_once_naming_the_parameter_and_the_way_out(call, name, needle):
    # No timing: each of these, computed, would take minutes and gigabytes (the test would hang visibly).
    with pytest.raises(ValueError) as info:
        call()
    text = str(info.value)
    assert text.startswith(f"{name}: ") and needle in text and "elements" in text and "\n" not in text, text


def test_the_limit_can_be_raised_and_is_checked():
    spec = ca.Conv((40,), 3, p=30)
    with pytest.raises(ValueError, match="max_elements="):
        ca.apply(spec, np.ones(40), max_elements=100)
    assert ca.apply(spec, np.ones(40), max_elements=10**4).shape == (98,)
    for bad in (0, -1, 2**62):
        with pytest.raises(ValueError, match="max_elements"):
            ca.overlap(spec, max_elements=bad)
    with pytest.raises(TypeError, match="max_elements"):
        ca.receptive_field(spec, (0,), max_elements=1.5)


def test_a_hint_past_the_largest_limit_says_so():
    with pytest.raises(ValueError, match="goes up to") as info:
        ca.apply(ca.ConvTranspose(5, 3, s=10**6), np.ones((5, 5)))
    assert "pass max_elements" not in str(info.value)


def test_vectorised_apply_keeps_large_channel_counts_and_kernels_exact():
    # Many channels and many taps, within the limit: computed at once (no Python loop over them) and exact
    # (integer values: every order of summation gives the same floats).
    rng = np.random.default_rng(5)
    spec = ca.Conv((6,), 3, c_in=64, c_out=96, groups=32)
    x = rng.integers(-3, 4, size=(64, 6)).astype(float)
    w = rng.integers(-3, 4, size=spec.weight_shape).astype(float)
    ref = np.zeros((96, 4))
    for j in range(96):
        for ci in spec.group_of(j):
            for o in range(4):
                ref[j, o] += x[ci, o:o + 3] @ w[j, ci % 2]
    np.testing.assert_array_equal(ca.apply(spec, x, w), ref)
    big = ca.Conv(60, 60)
    xs = rng.integers(0, 3, size=(60, 60)).astype(float)
    ws = rng.integers(0, 3, size=(60, 60)).astype(float)
    assert ca.apply(big, xs, ws)[0, 0] == (xs * ws).sum()
