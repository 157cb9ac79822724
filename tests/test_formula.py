"""Formulas as data: the trees, their plain and mathtext forms, the caption's lines and labels."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.mathtext import MathTextParser

import convanim as ca
from convanim.core.arithmetic import RELATIONSHIPS
from convanim.core.caption import caption, direct_view, layer_line, map_labels, size_text
from convanim.core.formula import (
    RELATIONSHIP_FORMULAS,
    Num,
    Round,
    Sym,
    evaluate,
    formulas,
    join_math,
    render,
    substitute,
)

from .strategies import conv_params, pool_params, transpose_params
from .test_arithmetic import RELATIONSHIP_EXAMPLES

_PARSER = MathTextParser("path")

# The guide's formulas as describe() has always printed them (the table arithmetic.py used to hold).
GUIDE_TEXT = {
    1: "o = (i - k) + 1", 2: "o = (i - k) + 2p + 1", 3: "o = i", 4: "o = i + (k - 1)",
    5: "o = floor((i - k) / s) + 1", 6: "o = floor((i + 2p - k) / s) + 1", 7: "o = floor((i - k) / s) + 1",
    8: "o' = i' + (k - 1)", 9: "o' = i' + (k - 1) - 2p", 10: "o' = i'", 11: "o' = i' - (k - 1)",
    12: "o' = s(i' - 1) + k", 13: "o' = s(i' - 1) + k - 2p", 14: "o' = s(i' - 1) + a + k - 2p",
    15: "o = floor((i + 2p - k - (k - 1)(d - 1)) / s) + 1",
}


def parses(text: str) -> bool:
    _PARSER.parse(text)  # raises ValueError on bad mathtext
    return True


def values_of(spec, axis):
    v = {n: getattr(spec, n)[axis] for n in ("i", "k", "s", "p", "d")}
    v["a"] = spec.output_padding[axis] if spec.kind == "conv_transpose" else 0
    return v


def check_spec(spec):
    """Every invariant of a spec's formulas and caption."""
    fs = formulas(spec)
    assert len(fs) in (1, 2)
    axes = [0] if len(fs) == 1 else [0, 1]
    for ax, f in zip(axes, fs):
        # The substituted tree, evaluated independently of the arithmetic, gives the output size.
        assert evaluate(f.substituted) == f.result == spec.output_shape[ax]
        assert f.substituted == substitute(f.expr, values_of(spec, ax)) or (f.note and "dropped" in f.note)
        assert f.plain() == " ".join(f.parts())
        assert f"{f.lhs.text} = {render(f.expr)}" in f.parts() and f"= {f.result}" in f.parts()
        for piece in f.math_parts(case=True):
            assert piece.count("$") % 2 == 0 and parses(piece)
        assert parses(f.math()) and parses(f.math(case=False))
    if len(fs) == 2:
        assert [f.axis for f in fs] == ["height", "width"]
        assert fs[0].number == spec.relationship[0] if isinstance(spec.relationship, tuple) else True
    cap = caption(spec)
    for line in cap.math(case=True, view=True):
        assert parses(line)
    assert cap.plain(case=True)[1:1 + len(fs)] == [f.plain() for f in fs]
    described = spec.describe().splitlines()
    assert described[1:1 + len(fs)] == [f.plain() for f in fs]
    if cap.direct_view is not None:
        assert described[-1] == cap.direct_view.plain()


@pytest.mark.parametrize("number,spec", RELATIONSHIP_EXAMPLES, ids=[str(n) for n, _ in RELATIONSHIP_EXAMPLES])
def test_each_relationship_is_one_tree_that_renders_and_holds(number, spec):
    assert RELATIONSHIPS[number][1] == GUIDE_TEXT[number] == RELATIONSHIP_FORMULAS[number].plain()
    (f,) = formulas(spec)
    assert f.number == number and f.case == RELATIONSHIPS[number][0]
    # The guide's symbolic formula holds on its example (and the substituted one says the same).
    assert evaluate(f.expr, values_of(spec, 0)) == spec.output_shape[0] == evaluate(f.substituted)
    assert parses(f"${RELATIONSHIP_FORMULAS[number].expr.math()}$")
    check_spec(spec)


def test_describe_is_todays_text():
    assert ca.Conv(5, 3, s=2, p=1).describe().splitlines()[1] == (
        "relationship 6 (zero padding, non-unit strides): o = floor((i + 2p - k) / s) + 1"
        " = floor((5 + 2*1 - 3) / 2) + 1 = 3")
    assert ca.Conv(6, 3, s=2, p=1).transpose().describe() == (
        "ConvTranspose(i=3, k=3, s=2, p=1, output_padding=1): input 3x3 -> output 6x6\n"
        "relationship 14 (transposed: zero padding, non-unit strides, any i): o' = s(i' - 1) + a + k - 2p"
        " = 2(3 - 1) + 1 + 3 - 2*1 = 6\n"
        "direct view: the kernel rotated by 180 degrees, unit stride, over the input stretched by s - 1 = 1 zeros"
        " between units, p' = d(k - 1) - p = 1 zeros of padding on each side, output_padding = 1 more at the"
        " bottom and right")
    assert ca.ConvTranspose(3, 3, s=2, d=2).describe().splitlines()[1] == (
        "o' = (i' - 1)s - 2p + d(k - 1) + output_padding + 1 = (3 - 1)*2 - 2*0 + 2(3 - 1) + 0 + 1 = 9")
    assert ca.Conv((5, 7), 3, s=(1, 2), p=1).describe().splitlines()[1:] == [
        "height: relationship 3 (half (same) padding, unit strides): o = i = 5",
        "width: relationship 6 (zero padding, non-unit strides): o = floor((i + 2p - k) / s) + 1"
        " = floor((7 + 2*1 - 3) / 2) + 1 = 4"]
    assert ca.Pool(5, 3, s=1, p=1).describe().splitlines()[1:] == [
        "o = floor((i + 2p - d(k - 1) - 1) / s) + 1 = floor((5 + 2*1 - 1(3 - 1) - 1) / 1) + 1 = 5",
        "max pooling pads with -inf"]
    assert ca.Pool(5, 2, ceil_mode=True).describe().splitlines()[1] == (
        "o = ceil((i + 2p - d(k - 1) - 1) / s) + 1 = ceil((5 + 2*0 - 1(2 - 1) - 1) / 2) + 1 = 3"
        " (ceil_mode: no window may start in the right padding)")


def test_ceil_mode_dropping_the_last_window_is_an_honest_equation():
    # ceil((4 + 2 - 1 - 1) / 3) + 1 = 3, but the third window would start in the right padding.
    spec = ca.Pool(4, 2, s=3, p=1, ceil_mode=True)
    assert spec.output_shape == (2, 2)
    (f,) = formulas(spec)
    assert f.plain() == ("o = ceil((i + 2p - d(k - 1) - 1) / s) + 1 = ceil((4 + 2*1 - 1(2 - 1) - 1) / 3) + 1 - 1 = 2"
                         " (ceil_mode: the last window would start in the right padding, so it is dropped)")
    assert evaluate(f.expr, values_of(spec, 0)) == 3 and evaluate(f.substituted) == 2
    check_spec(spec)


def test_products_are_juxtaposed_unless_digits_meet():
    i, k, s, p = (Sym(n, n, n) for n in "iksp")
    assert render(2 * p) == "2p" and render(Num(2) * 1) == "2*1"
    assert render(s * (i - 1)) == "s(i - 1)" and render(Num(2) * (Num(3) - 1)) == "2(3 - 1)"
    assert render((i - 1) * s) == "(i - 1)s" and render((Num(3) - 1) * 2) == "(3 - 1)*2"
    assert render(Num(2) * 1, math=True) == r"2 \cdot 1"
    assert render(Round("ceil", (i - k) / s), math=True) == r"\lceil (i - k)/s \rceil"
    assert render(i - (k - 1)) == "i - (k - 1)"  # a subtracted sum keeps its parentheses


def test_math_forms_use_floor_brackets_primes_and_one_segment():
    t = ca.Conv(6, 3, s=2, p=1).transpose()
    (f,) = formulas(t)
    assert f.math_parts(case=False) == [
        "relationship 14:", "$o′ = s(i′ - 1) + a + k - 2p$", r"$= 2(3 - 1) + 1 + 3 - 2 \cdot 1$", "$= 6$"]
    assert f.math(case=False) == r"relationship 14: $o′ = s(i′ - 1) + a + k - 2p = 2(3 - 1) + 1 + 3 - 2 \cdot 1 = 6$"
    (g,) = formulas(ca.Conv(5, 3, s=2, p=1))
    assert r"\lfloor (i + 2p - k)/s \rfloor + 1" in g.math()
    assert join_math(["a", "$x$", "$= 1$", "b", "$y$"]) == "a $x = 1$ b $y$"
    # The formula's pieces: the head, "lhs = symbolic", "= substituted", "= result".
    assert len(f.parts(case=False)) == 4 and f.parts(case=False)[1] == "o' = s(i' - 1) + a + k - 2p"


def test_caption_lines_for_the_lead():
    t = ca.Conv(6, 3, s=2, p=1).transpose()
    cap = caption(t)
    assert cap.plain() == [
        "Transposed convolution: input 3×3 → output 6×6, k = 3, s = 2, p = 1, output_padding = 1",
        "relationship 14: o' = s(i' - 1) + a + k - 2p = 2(3 - 1) + 1 + 3 - 2*1 = 6"]
    assert cap.math()[0] == (r"Transposed convolution: input $3{\times}3$ → output $6{\times}6$, $k = 3$, $s = 2$,"
                             r" $p = 1$, $\mathrm{output\_padding} = 1$")
    assert cap.lines()[0] == ["Transposed convolution:", "input 3×3", "→ output 6×6,", "k = 3,", "s = 2,", "p = 1,",
                              "output_padding = 1"]
    assert len(cap.plain(view=True)) == 3 and cap.direct_view.math().startswith(
        r"direct view: the kernel rotated by 180°, unit stride, over the input stretched by $s - 1 = 1$")
    rect = caption(ca.Conv((5, 7), 3, s=(2, 1), p=1))
    assert rect.plain() == [
        "Convolution: input 5×7 → output 3×7, k = 3, s = (2, 1), p = 1",
        "height: relationship 6: o = floor((i + 2p - k) / s) + 1 = floor((5 + 2*1 - 3) / 2) + 1 = 3",
        "width: relationship 3: o = i = 7"]
    assert rect.math()[2] == "width: relationship 3: $o = i = 7$"
    assert direct_view(ca.Conv(5, 3)) is None
    pool = caption(ca.Pool(5, 3, s=1, p=1, ceil_mode=True))
    assert pool.plain()[0] == "Max pooling: input 5×5 → output 5×5, k = 3, s = 1, p = 1, ceil_mode"
    assert pool.math()[-1] == r"max pooling pads with $-\infty$"
    assert layer_line(ca.Conv(7, 3, d=2)).plain() == "Convolution: input 7×7 → output 3×3, k = 3, s = 1, p = 0, d = 2"


def test_labels_say_what_they_name():
    inp, out = map_labels(ca.Conv(4, 3))
    assert (inp.plain(), out.plain()) == ("input 4×4", "output 2×2 (convolution)")
    assert out.lines() == ["output 2×2", "(convolution)"] and inp.math() == r"input $4{\times}4$"
    assert map_labels(ca.Conv(6, 3, s=2, p=1).transpose())[1].plain() == "output 6×6 (transposed convolution)"
    assert map_labels(ca.Pool(5, 2, mode="avg"))[1].plain() == "output 2×2 (average pooling)"
    assert size_text((5, 7)) == "5×7" and parses(f"${size_text((5, 7), math=True)}$")


def test_direct_view_with_cropping_and_dilation_parses():
    t = ca.ConvTranspose(3, 3, s=2, p=2)  # p' = d(k - 1) - p = 0
    t2 = ca.ConvTranspose(5, 3, s=1, p=3)  # p' = -1: cropped
    assert "(negative: the stretched input is cropped)" in direct_view(t2).plain()
    assert "= -1" in direct_view(t2).math() and parses(direct_view(t2).math())
    t3 = ca.ConvTranspose((3, 4), 3, s=2, d=(1, 2), output_padding=(1, 0))
    assert "dilated by (1, 2)," in direct_view(t3).plain() and parses(direct_view(t3).math())
    check_spec(t)
    check_spec(t3)


@settings(max_examples=60, deadline=None)
@given(conv_params())
def test_conv_formulas_hold(c):
    check_spec(ca.Conv(**c))


@settings(max_examples=60, deadline=None)
@given(transpose_params())
def test_transpose_formulas_hold(c):
    check_spec(ca.ConvTranspose(**c))


@settings(max_examples=60, deadline=None)
@given(pool_params())
def test_pool_formulas_hold(c):
    try:
        spec = ca.Pool(**c)
    except ValueError:  # the strategy may draw an impossible pooling; the arithmetic's tests cover refusals
        return
    check_spec(spec)


@given(st.integers(1, 9), st.integers(1, 4), st.integers(1, 3))
def test_pool_ceil_mode_all_cases(i, k, s):
    p = k // 2
    try:
        spec = ca.Pool(i, k, s=s, p=p, ceil_mode=True)
    except ValueError:
        return
    check_spec(spec)
