"""Hypothesis strategies for layer parameters, square and rectangular."""
from __future__ import annotations

from hypothesis import strategies as st


def pair(lo, hi):
    return st.one_of(st.integers(lo, hi).map(lambda v: (v, v)), st.tuples(st.integers(lo, hi), st.integers(lo, hi)))


@st.composite
def conv_params(draw, max_i=9):
    k, d, s = draw(pair(1, 4)), draw(pair(1, 3)), draw(pair(1, 3))
    p = draw(pair(0, 3))
    keff = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    i = tuple(draw(st.integers(max(1, ke - 2 * pp), max(max_i, ke - 2 * pp))) for ke, pp in zip(keff, p))
    return dict(i=i, k=k, s=s, p=p, d=d)


@st.composite
def transpose_params(draw, max_i=6):
    k, d, s = draw(pair(1, 4)), draw(pair(1, 3)), draw(pair(1, 3))
    i = draw(pair(1, max_i))
    op = tuple(draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
    # p as large as still leaves an output of at least 1
    p = tuple(draw(st.integers(0, ((ii - 1) * ss + dd * (kk - 1) + oo) // 2))
              for ii, kk, ss, dd, oo in zip(i, k, s, d, op))
    return dict(i=i, k=k, s=s, p=p, d=d, output_padding=op)


@st.composite
def pool_params(draw, mode=None, max_i=9):
    mode = mode or draw(st.sampled_from(["max", "avg"]))
    k, s = draw(pair(1, 4)), draw(pair(1, 3))
    d = draw(pair(1, 3)) if mode == "max" else (1, 1)
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    keff = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    i = tuple(draw(st.integers(max(1, ke - 2 * pp), max(max_i, ke - 2 * pp))) for ke, pp in zip(keff, p))
    return dict(i=i, k=k, s=s, p=p, d=d, mode=mode, ceil_mode=draw(st.booleans()))
