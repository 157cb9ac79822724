"""Expressions as small trees: symbols, numbers, sums, products, quotients, floors and ceilings; rendered as plain
text or matplotlib mathtext, substituted, evaluated exactly (fractions).  The formulas of
:mod:`convanim.core.formula` are written with them.  Pure: no matplotlib, no other convanim module.

Examples
--------
>>> x, y = Sym("x", "x", "x"), Sym("y", "y", "y")
>>> e = Round("floor", (x + 2 * y) / 3) + 1
>>> render(e), evaluate(e, {"x": 5, "y": 1})
('floor((x + 2y) / 3) + 1', Fraction(3, 1))
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Optional, Tuple, Union

__all__ = ["Expr", "ExprLike", "Sym", "Num", "Sum", "Prod", "Div", "Round", "Group", "render", "evaluate",
           "substitute"]


class Expr:
    """A node of a formula's expression tree (see the subclasses)."""

    def __add__(self, other: ExprLike) -> Sum:
        return _sum(self, 1, other)

    def __sub__(self, other: ExprLike) -> Sum:
        return _sum(self, -1, other)

    def __mul__(self, other: ExprLike) -> Prod:
        return Prod((self, _expr(other)))

    def __rmul__(self, other: ExprLike) -> Prod:
        return Prod((_expr(other), self))

    def __truediv__(self, other: ExprLike) -> Div:
        return Div(self, _expr(other))

    def plain(self) -> str:
        """The expression as plain text: ``floor((i + 2p - k) / s) + 1``."""
        return render(self, math=False)

    def math(self) -> str:
        """The expression as mathtext, without the ``$`` delimiters."""
        return render(self, math=True)


ExprLike = Union[Expr, int]


@dataclass(frozen=True)
class Sym(Expr):
    """A symbol: ``key`` names the value it stands for; ``text`` / ``tex`` how it is written."""

    key: str
    text: str
    tex: str


@dataclass(frozen=True)
class Num(Expr):
    """An integer (never negative here: signs belong to the sum)."""

    value: int


@dataclass(frozen=True)
class Sum(Expr):
    """``terms``: (sign, term) pairs, sign +1 or -1."""

    terms: Tuple[Tuple[int, Expr], ...]


@dataclass(frozen=True)
class Prod(Expr):
    """A product; written by juxtaposition (``2p``, ``s(i' - 1)``) unless a number follows."""

    factors: Tuple[Expr, ...]


@dataclass(frozen=True)
class Div(Expr):
    """An exact division (only ever inside a :class:`Round`)."""

    num: Expr
    den: Expr


@dataclass(frozen=True)
class Round(Expr):
    """``floor`` or ``ceil`` of ``arg``."""

    kind: str
    arg: Expr


@dataclass(frozen=True)
class Group(Expr):
    """Parentheses the guide writes although precedence does not need them: ``(i - k) + 1``."""

    inner: Expr


def _expr(x: ExprLike) -> Expr:
    return Num(x) if isinstance(x, int) else x


def _sum(left: Expr, sign: int, right: ExprLike) -> Sum:
    # Build sums flat, so that a - b - c is one Sum and not a nest needing parentheses.
    terms = left.terms if isinstance(left, Sum) else ((1, left),)
    return Sum(terms + ((sign, _expr(right)),))


def _prec(e: Expr) -> int:
    return 1 if isinstance(e, Sum) else 2 if isinstance(e, (Prod, Div)) else 3


def render(e: Expr, math: bool = False) -> str:
    """Write ``e`` as plain text or as mathtext (no ``$``), with parentheses by precedence.

    Examples
    --------
    >>> i, k, s = (Sym(n, n, n) for n in "iks")
    >>> render(Round("floor", (i - k) / s) + 1)
    'floor((i - k) / s) + 1'
    >>> render(Round("floor", (Num(5) - 3) / 2) + 1, math=True)
    '\\\\lfloor (5 - 3)/2 \\\\rfloor + 1'
    """
    def sub(x: Expr, paren_below: int) -> str:
        text = render(x, math)
        return f"({text})" if _prec(x) <= paren_below else text

    if isinstance(e, Sym):
        return e.tex if math else e.text
    if isinstance(e, Num):
        return str(e.value)
    if isinstance(e, Group):
        return f"({render(e.inner, math)})"
    if isinstance(e, Round):
        arg = render(e.arg, math)
        return rf"\l{e.kind} {arg} \r{e.kind}" if math else f"{e.kind}({arg})"
    if isinstance(e, Div):
        sep = "/" if math else " / "
        return sub(e.num, 2) + sep + sub(e.den, 2)
    if isinstance(e, Prod):
        out = sub(e.factors[0], 2)
        for f in e.factors[1:]:
            right = sub(f, 2)
            # Juxtapose ("2p", "d(k - 1)", "(i' - 1)s") unless digits would run together ("2*1").
            juxtapose = right[0] == "(" or ((right[0].isalpha() or right[0] == "\\") and not out[-1].isalpha())
            out += right if juxtapose else (r" \cdot " if math else "*") + right
        return out
    if isinstance(e, Sum):
        out = ""
        for n, (sign, term) in enumerate(e.terms):
            text = sub(term, 1)
            out += ("-" + text if sign < 0 else text) if n == 0 else (" - " if sign < 0 else " + ") + text
        return out
    raise TypeError(f"e must be an Expr, got {type(e).__name__}")


def substitute(e: Expr, values: Mapping[str, int]) -> Expr:
    """``e`` with every symbol replaced by ``values[symbol.key]``."""
    if isinstance(e, Sym):
        return Num(values[e.key])
    if isinstance(e, Sum):
        return Sum(tuple((sign, substitute(t, values)) for sign, t in e.terms))
    if isinstance(e, Prod):
        return Prod(tuple(substitute(f, values) for f in e.factors))
    if isinstance(e, Div):
        return Div(substitute(e.num, values), substitute(e.den, values))
    if isinstance(e, Round):
        return Round(e.kind, substitute(e.arg, values))
    return Group(substitute(e.inner, values)) if isinstance(e, Group) else e  # a Num stays


def evaluate(e: Expr, values: Optional[Mapping[str, int]] = None) -> Fraction:
    """The exact value of ``e`` (symbols looked up in ``values``).

    Examples
    --------
    >>> evaluate(Round("ceil", Num(5) / 2) + 1)
    Fraction(4, 1)
    """
    v = values or {}
    if isinstance(e, Sym):
        return Fraction(v[e.key])
    if isinstance(e, Num):
        return Fraction(e.value)
    if isinstance(e, Group):
        return evaluate(e.inner, v)
    if isinstance(e, Sum):
        return sum((sign * evaluate(t, v) for sign, t in e.terms), Fraction(0))
    if isinstance(e, Prod):
        out = Fraction(1)
        for f in e.factors:
            out *= evaluate(f, v)
        return out
    if isinstance(e, Div):
        return evaluate(e.num, v) / evaluate(e.den, v)
    if isinstance(e, Round):
        x = evaluate(e.arg, v)
        return Fraction(x.numerator // x.denominator if e.kind == "floor" else -(-x.numerator // x.denominator))
    raise TypeError(f"e must be an Expr, got {type(e).__name__}")
