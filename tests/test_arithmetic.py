"""Sizes, relationships, validation and the spec objects."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convanim as ca

from . import oracles
from .strategies import conv_params, pool_params, transpose_params

# The guide's animated cases: name -> (i, k, s, p, d, o, frames)
GUIDE_CASES = {
    "no_padding_no_strides": (4, 3, 1, 0, 1, 2, 4),
    "arbitrary_padding_no_strides": (5, 4, 1, 2, 1, 6, 36),
    "same_padding_no_strides": (5, 3, 1, 1, 1, 5, 25),
    "full_padding_no_strides": (5, 3, 1, 2, 1, 7, 49),
    "no_padding_strides": (5, 3, 2, 0, 1, 2, 4),
    "padding_strides": (5, 3, 2, 1, 1, 3, 9),
    "padding_strides_odd": (6, 3, 2, 1, 1, 3, 9),
    "dilation": (7, 3, 1, 0, 2, 3, 9),
}


@pytest.mark.parametrize("name", sorted(GUIDE_CASES))
def test_guide_cases_sizes_and_transpose(name):
    i, k, s, p, d, o, frames = GUIDE_CASES[name]
    conv = ca.Conv(i, k, s, p, d)
    assert conv.output_shape == (o, o)
    assert o * o == frames
    t = conv.transpose()
    assert t.input_shape == (o, o)
    assert t.output_shape == conv.input_shape  # the odd cases included
    assert t.transpose() == conv


# One example per relationship, from the guide's figures.
RELATIONSHIP_EXAMPLES = [
    (1, ca.Conv(4, 3)),
    (2, ca.Conv(5, 4, p=2)),
    (3, ca.Conv(5, 3, p=1)),
    (4, ca.Conv(5, 3, p=2)),
    (5, ca.Conv(5, 3, s=2)),
    (6, ca.Conv(5, 3, s=2, p=1)),
    (7, ca.Pool(5, 3, s=1)),
    (8, ca.Conv(4, 3).transpose()),
    (9, ca.Conv(5, 4, p=2).transpose()),
    (10, ca.Conv(5, 3, p=1).transpose()),
    (11, ca.Conv(5, 3, p=2).transpose()),
    (12, ca.Conv(5, 3, s=2).transpose()),
    (13, ca.Conv(5, 3, s=2, p=1).transpose()),
    (14, ca.Conv(6, 3, s=2, p=1).transpose()),
    (15, ca.Conv(7, 3, d=2)),
]


@pytest.mark.parametrize("number,spec", RELATIONSHIP_EXAMPLES, ids=[str(n) for n, _ in RELATIONSHIP_EXAMPLES])
def test_each_relationship_is_recognised(number, spec):
    assert spec.relationship == number
    text = spec.describe()
    assert f"relationship {number} " in text
    assert text.splitlines()[1].endswith(f"= {spec.output_shape[0]}")


def test_relationship_formulas_hold_on_their_examples():
    # The guide's formulas, evaluated literally, give the sizes we compute.
    for number, spec in RELATIONSHIP_EXAMPLES:
        i, k, s, p, d = (v[0] for v in (spec.i, spec.k, spec.s, spec.p, spec.d))
        o = spec.output_shape[0]
        if number in (8, 9, 10, 11, 12, 13, 14):
            a = spec.output_padding[0]
            expected = {8: i + (k - 1), 9: i + (k - 1) - 2 * p, 10: i, 11: i - (k - 1), 12: s * (i - 1) + k,
                        13: s * (i - 1) + k - 2 * p, 14: s * (i - 1) + a + k - 2 * p}[number]
        else:
            expected = {1: i - k + 1, 2: i - k + 2 * p + 1, 3: i, 4: i + k - 1, 5: (i - k) // s + 1,
                        6: (i + 2 * p - k) // s + 1, 7: (i - k) // s + 1,
                        15: (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1}[number]
        assert o == expected, number


def test_rectangular_relationship_is_a_pair():
    spec = ca.Conv((5, 7), 3, s=(1, 2), p=1)
    assert spec.relationship == (3, 6)
    assert spec.output_shape == (5, 4)
    text = spec.describe()
    assert "height: relationship 3" in text and "width: relationship 6" in text


def test_relationship_none_where_the_guide_has_none():
    assert ca.Pool(5, 3, s=1, p=1).relationship is None
    assert ca.ConvTranspose(3, 3, d=2).relationship is None
    assert "o' = (i' - 1)s - 2p + d(k - 1) + output_padding + 1" in ca.ConvTranspose(3, 3, d=2).describe()


def test_transpose_picks_a_and_describes_the_direct_view():
    t = ca.Conv(6, 3, s=2, p=1).transpose()
    assert t.output_padding == (1, 1)
    text = t.describe()
    assert "2(3 - 1) + 1 + 3 - 2*1 = 6" in text
    assert "stretched by s - 1 = 1 zeros" in text and "rotated by 180 degrees" in text


def test_specs_are_immutable_hashable_and_equal_by_value():
    a, b = ca.Conv(5, 3, 2, 1), ca.Conv((5, 5), [3, 3], (2, 2), 1, 1)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != ca.Conv(5, 3, 2, 0)
    assert ca.Conv(4, 3) != ca.Pool(4, 3)
    assert ca.ConvTranspose(2, 3) != ca.ConvTranspose(2, 3, output_padding=0, d=1, s=2)
    with pytest.raises(AttributeError):
        a.i = (3, 3)
    assert (a.i, a.k, a.s, a.p, a.d) == ((5, 5), (3, 3), (2, 2), (1, 1), (1, 1))
    assert ca.Pool(5, 2).s == (2, 2)  # s defaults to k


@given(conv_params())
def test_conv_size_matches_counting_windows(c):
    spec = ca.Conv(**c)
    expected = tuple(oracles.conv_size(*(c[n][a] for n in "iksp"), c["d"][a]) for a in (0, 1))
    assert spec.output_shape == expected
    assert ca.conv_output_size(c["i"][0], c["k"][0], c["s"][0], c["p"][0], c["d"][0]) == expected[0]


@given(conv_params())
def test_transpose_round_trips(c):
    conv = ca.Conv(**c)
    t = conv.transpose()
    assert t.output_shape == conv.input_shape
    assert t.input_shape == conv.output_shape
    assert all(0 <= a < s for a, s in zip(t.output_padding, conv.s))


@given(transpose_params())
def test_transpose_size_matches_scatter(c):
    spec = ca.ConvTranspose(**c)
    x = np.ones(spec.input_shape)
    assert oracles.conv_transpose2d(x, np.ones(spec.k), c["s"], c["p"], c["d"], c["output_padding"]).shape \
        == spec.output_shape


@given(pool_params())
def test_pool_size_matches_windows(c):
    spec = ca.Pool(**c)
    expected = tuple(oracles.pool_size(c["i"][a], c["k"][a], c["s"][a], c["p"][a], c["d"][a], c["ceil_mode"])
                     for a in (0, 1))
    assert spec.output_shape == expected


# ---- bad input: the message names the parameter -------------------------------------------------

@pytest.mark.parametrize("make,exc,name", [
    (lambda: ca.Conv(0, 3), ValueError, "i"),
    (lambda: ca.Conv(5, 0), ValueError, "k"),
    (lambda: ca.Conv(5, 3, s=0), ValueError, "s"),
    (lambda: ca.Conv(5, 3, p=-1), ValueError, "p"),
    (lambda: ca.Conv(5, 3, d=0), ValueError, "d"),
    (lambda: ca.Conv(5, 6), ValueError, "k=6"),
    (lambda: ca.Conv(5, 3, d=3), ValueError, "d=3"),
    (lambda: ca.Conv(True, 3), TypeError, "i"),
    (lambda: ca.Conv(5, 3.0), TypeError, "k"),
    (lambda: ca.Conv(5, "3"), TypeError, "k"),
    (lambda: ca.Conv((5, 5, 5, 5), 3), ValueError, "i"),
    (lambda: ca.Conv((5, 2), (3, 3)), ValueError, "width"),
    (lambda: ca.Conv(5, (3, False)), TypeError, "k[1]"),
    (lambda: ca.ConvTranspose(3, 3, s=2, output_padding=2), ValueError, "output_padding"),
    (lambda: ca.ConvTranspose(3, 3, s=1, output_padding=1), ValueError, "output_padding"),
    (lambda: ca.ConvTranspose(3, 3, s=1, d=2, output_padding=2), ValueError, "output_padding"),
    (lambda: ca.ConvTranspose(1, 1, p=1), ValueError, "p"),
    (lambda: ca.ConvTranspose(3, 3, output_padding=-1), ValueError, "output_padding"),
    (lambda: ca.Pool(5, 3, p=2), ValueError, "p"),
    (lambda: ca.Pool(5, 3, mode="min"), ValueError, "mode"),
    (lambda: ca.Pool(5, 3, mode="avg", d=2), ValueError, "d"),
    (lambda: ca.Pool(5, 3, ceil_mode=1), TypeError, "ceil_mode"),
    (lambda: ca.Pool(2, 3), ValueError, "k=3"),
    (lambda: ca.conv_output_size(5, 3, s=False), TypeError, "s"),
    (lambda: ca.pool_output_size(5, 3, p=2), ValueError, "p"),
    (lambda: ca.conv_transpose_output_size(2, 2, s=2, output_padding=2), ValueError, "output_padding"),
])
def test_invalid_arguments_name_the_parameter(make, exc, name):
    with pytest.raises(exc) as info:
        make()
    assert name in str(info.value)
    assert type(info.value) is exc


def test_numpy_integers_are_accepted():
    assert ca.Conv(np.int64(5), np.int32(3)).output_shape == (3, 3)


@given(st.integers(1, 8), st.integers(1, 5), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3))
def test_conv_accepts_exactly_what_fits(i, k, s, p, d):
    fits = d * (k - 1) + 1 <= i + 2 * p
    if fits:
        assert ca.Conv(i, k, s, p, d).output_shape[0] >= 1
    else:
        with pytest.raises(ValueError, match="k="):
            ca.Conv(i, k, s, p, d)


@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 6), st.integers(1, 3),
       st.integers(0, 4))
def test_transpose_accepts_exactly_the_valid(i, k, s, p, d, a):
    o = (i - 1) * s - 2 * p + d * (k - 1) + a + 1
    if a >= max(s, d):
        with pytest.raises(ValueError, match="output_padding"):
            ca.ConvTranspose(i, k, s, p, d, a)
    elif o < 1:
        with pytest.raises(ValueError, match="p="):
            ca.ConvTranspose(i, k, s, p, d, a)
    else:
        assert ca.ConvTranspose(i, k, s, p, d, a).output_shape == (o, o)
