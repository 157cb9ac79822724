"""Output-size formulas as data: one expression tree per relationship, substituted per axis.

Each of the guide's relationships (1..15), and the general forms used where it
has none (a dilated transposed convolution, a pooling with padding, dilation or
``ceil_mode``), is written ONCE here as a small expression tree.  A
:class:`Formula` holds a tree, the same tree with a layer's numbers in place of
its symbols, and the result; it renders as plain text (what ``describe()``
prints) or as matplotlib mathtext (what captions draw), whole or as pieces
between which a caption may break a line.

The trees themselves are :mod:`convanim.core.expr`'s.  Pure: no matplotlib.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Optional, Sequence, Tuple

from .expr import Div, Expr, Group, Num, Prod, Round, Sum, Sym, evaluate, render, substitute
from .sizes import Layer

__all__ = [
    "Expr", "Sym", "Num", "Sum", "Prod", "Div", "Round", "Group",
    "render", "evaluate", "substitute",
    "Relationship", "RELATIONSHIP_FORMULAS", "GENERAL_TRANSPOSED", "general_pool",
    "Formula", "axis_formula", "formulas", "join_math", "AXES", "AXES_BY_RANK", "UNEVEN", "uneven_formula",
]

AXES = ("height", "width")
#: What each axis is called, by rank.
AXES_BY_RANK = {1: ("length",), 2: AXES, 3: ("depth", "height", "width")}


# ---- the relationships, each written once ------------------------------------------------------

i, k, s, p, d, a = (Sym(n, n, n) for n in "ikspda")
i_t = Sym("i", "i'", "i′")  # the transposed convolution's own input: the guide's i'
output_padding = Sym("a", "output_padding", "a")  # typeset as the guide's a (a caption names it)
o, o_t = Sym("o", "o", "o"), Sym("o", "o'", "o′")


@dataclass(frozen=True)
class Relationship:
    """One of the guide's relationships: its number, its case in words, ``lhs = expr``."""

    number: Optional[int]
    case: str
    lhs: Sym
    expr: Expr

    def plain(self) -> str:
        """``"o = floor((i - k) / s) + 1"``."""
        return f"{self.lhs.text} = {self.expr.plain()}"


def _rel(n: int, case: str, lhs: Sym, expr: Expr) -> Tuple[int, Relationship]:
    return n, Relationship(n, case, lhs, expr)


_CONV_15 = Round("floor", (i + 2 * p - k - Prod((k - 1, d - 1))) / s) + 1

#: The guide's relationships: number -> :class:`Relationship`.
RELATIONSHIP_FORMULAS: dict[int, Relationship] = dict([
    _rel(1, "no zero padding, unit strides", o, Group(i - k) + 1),
    _rel(2, "zero padding, unit strides", o, Group(i - k) + 2 * p + 1),
    _rel(3, "half (same) padding, unit strides", o, i),
    _rel(4, "full padding, unit strides", o, i + Group(k - 1)),
    _rel(5, "no zero padding, non-unit strides", o, Round("floor", (i - k) / s) + 1),
    _rel(6, "zero padding, non-unit strides", o, Round("floor", (i + 2 * p - k) / s) + 1),
    _rel(7, "pooling", o, Round("floor", (i - k) / s) + 1),
    _rel(8, "transposed: no zero padding, unit strides", o_t, i_t + Group(k - 1)),
    _rel(9, "transposed: zero padding, unit strides", o_t, i_t + Group(k - 1) - 2 * p),
    _rel(10, "transposed: half (same) padding, unit strides", o_t, i_t),
    _rel(11, "transposed: full padding, unit strides", o_t, i_t - Group(k - 1)),
    _rel(12, "transposed: no zero padding, non-unit strides", o_t, s * (i_t - 1) + k),
    _rel(13, "transposed: zero padding, non-unit strides", o_t, s * (i_t - 1) + k - 2 * p),
    _rel(14, "transposed: zero padding, non-unit strides, any i", o_t, s * (i_t - 1) + a + k - 2 * p),
    _rel(15, "dilated convolution", o, _CONV_15),
])

#: PyTorch's ``conv_transpose2d`` size, where the guide has no relationship (dilation).
GENERAL_TRANSPOSED = Relationship(
    None, "transposed convolution, general form", o_t,
    (i_t - 1) * s - 2 * p + d * (k - 1) + output_padding + 1)


p_before = Sym("p_before", "p_before", r"p_{\mathrm{before}}")
p_after = Sym("p_after", "p_after", r"p_{\mathrm{after}}")
_UNEVEN_CONV = Round("floor", (i + p_before + p_after - d * (k - 1) - 1) / s) + 1

_UNEVEN_PLAIN = Round("floor", (i + p_before + p_after - k) / s) + 1

#: The general forms of an axis padded (or, for a transposed convolution, cropped) unevenly, without dilation.
UNEVEN_UNDILATED: dict[str, Relationship] = {
    "conv": Relationship(None, "uneven padding", o, _UNEVEN_PLAIN),
    "pool": Relationship(None, "uneven padding", o, _UNEVEN_PLAIN),
    "conv_transpose": Relationship(None, "uneven cropping", o_t,
                                   (i_t - 1) * s - p_before - p_after + k + output_padding),
}
#: The general forms of an axis padded (or, for a transposed convolution, cropped) unevenly.
UNEVEN: dict[str, Relationship] = {
    "conv": Relationship(None, "uneven padding", o, _UNEVEN_CONV),
    "pool": Relationship(None, "uneven padding", o, _UNEVEN_CONV),
    "conv_transpose": Relationship(None, "uneven cropping", o_t,
                                   (i_t - 1) * s - p_before - p_after + d * (k - 1) + output_padding + 1),
}


def general_pool(ceil_mode: bool) -> Relationship:
    """PyTorch's ``max_pool2d`` size, where relationship 7 does not apply (padding, dilation, ceil_mode)."""
    rnd = "ceil" if ceil_mode else "floor"
    return Relationship(None, f"pooling, general form ({rnd} mode)", o,
                        Round(rnd, (i + 2 * p - d * (k - 1) - 1) / s) + 1)


# ---- a formula for one axis of one layer ----------------------------------------------------------

_CEIL_NOTE = "(ceil_mode: no window may start in the right padding)"


@dataclass(frozen=True)
class Formula:
    """The output size of one axis: ``lhs = expr = substituted = result``.

    ``number`` is the guide's relationship (``None`` for a general form), ``axis``
    ``"height"`` / ``"width"`` when the two axes differ, else ``None``.

    Examples
    --------
    >>> f = axis_formula("conv", 6, dict(i=5, k=3, s=2, p=1, d=1, a=0), 3)
    >>> f.parts()[0], f.parts()[1:]
    ('relationship 6 (zero padding, non-unit strides):', ['o = floor((i + 2p - k) / s) + 1', \
'= floor((5 + 2*1 - 3) / 2) + 1', '= 3'])
    """

    number: Optional[int]
    case: str
    lhs: Sym
    expr: Expr
    substituted: Expr
    result: int
    axis: Optional[str] = None
    note: Optional[str] = None
    named: bool = False  # a general form whose case is always said ("uneven padding")

    def head(self, case: bool = True) -> Optional[str]:
        """``"height: relationship 6 (case):"``; without ``case``: ``"height: relationship 6:"``."""
        words = [f"{self.axis}:"] if self.axis else []
        if self.named:
            words.append(f"{self.case}:")
        elif self.number is not None:
            words.append(f"relationship {self.number} ({self.case}):" if case else f"relationship {self.number}:")
        return " ".join(words) or None

    def _pieces(self, math: bool) -> list[str]:
        wrap = (lambda t: f"${t}$") if math else (lambda t: t)
        lhs = self.lhs.tex if math else self.lhs.text
        # The left-hand side stays with its expression: a line never ends on a bare "o =".
        out = [wrap(f"{lhs} = {render(self.expr, math)}")]
        if not isinstance(self.substituted, Num):  # "o = i = 5", not "o = i = 5 = 5"
            out.append(wrap("= " + render(self.substituted, math)))
        out.append(wrap(f"= {self.result}"))
        if self.note:
            out += self.note.split()  # words: a caption may break between them
        return out

    def parts(self, case: bool = True) -> list[str]:
        """The plain text as whole pieces; a line may break between two pieces, never inside one."""
        head = self.head(case)
        return ([head] if head else []) + self._pieces(math=False)

    def math_parts(self, case: bool = True) -> list[str]:
        """:meth:`parts` as matplotlib text: words plain, each formula piece one ``$...$`` segment."""
        head = self.head(case)
        return ([head] if head else []) + self._pieces(math=True)

    def plain(self, case: bool = True) -> str:
        """The line ``describe()`` prints."""
        return " ".join(self.parts(case))

    def math(self, case: bool = True) -> str:
        r"""The line as mathtext: ``relationship 6: $o = \lfloor (i + 2p - k)/s \rfloor + 1 = ...$``."""
        return join_math(self.math_parts(case))


def join_math(pieces: Sequence[str]) -> str:
    r"""Join pieces with spaces, merging neighbouring ``$...$`` pieces into one math segment.

    Mathtext spaces a relation on both sides even at a segment's edge, so
    ``$o =$ $i$`` would show a double space; one segment spaces it as TeX does.

    Examples
    --------
    >>> join_math(["relationship 3:", "$o = i$", "$= 5$"])
    'relationship 3: $o = i = 5$'
    """
    out = ""
    for piece in pieces:
        if out.endswith("$") and piece.startswith("$"):
            out = out[:-1] + " " + piece[1:]  # close and reopen: one segment
        else:
            out += (" " if out else "") + piece
    return out


def axis_formula(kind: str, number: Optional[int], values: Mapping[str, int], result: int,
                 ceil_mode: bool = False, axis: Optional[str] = None) -> Formula:
    """The formula of one axis of a layer of ``kind`` (``"conv"``, ``"conv_transpose"``, ``"pool"``).

    ``values`` maps ``i k s p d a`` (``a``: output_padding) to this axis' numbers,
    ``number`` is the relationship the arithmetic found (``None``: the general form)
    and ``result`` the output size it computed.

    Raises
    ------
    ValueError
        If ``kind`` is unknown or ``number`` is not a relationship.
    """
    if number is not None:
        if number not in RELATIONSHIP_FORMULAS:
            raise ValueError(f"number must be a relationship 1..15 or None, got {number!r}")
        rel = RELATIONSHIP_FORMULAS[number]
    elif kind == "conv_transpose":
        rel = GENERAL_TRANSPOSED
    elif kind == "pool":
        rel = general_pool(ceil_mode)
    else:
        raise ValueError(f"kind {kind!r} has a relationship on every axis; number must not be None")
    sub = substitute(rel.expr, values)
    note = None
    if kind == "pool" and number is None and ceil_mode:
        note = _CEIL_NOTE
        if evaluate(sub) == result + 1:
            # The last window would start in the right padding: PyTorch drops it, and the
            # equation must say so rather than state ceil(...) + 1 = result falsely.
            sub = sub - 1
            note = "(ceil_mode: the last window would start in the right padding, so it is dropped)"
    return Formula(rel.number, rel.case, rel.lhs, rel.expr, sub, result, axis, note)


def formulas(spec: Layer) -> list[Formula]:
    """One formula per distinct axis of ``spec``: one when every axis agrees, else one per axis, named.

    An axis padded unevenly (``(before, after)`` pairs, ``"same"``, ``"causal"``)
    gets the general form with ``p_before + p_after`` in place of ``2p``.

    Examples
    --------
    >>> from convanim.core.spec import Conv
    >>> for f in formulas(Conv((5, 7), 3, s=(2, 1), p=1)):
    ...     print(f.plain(case=False))
    height: relationship 6: o = floor((i + 2p - k) / s) + 1 = floor((5 + 2*1 - 3) / 2) + 1 = 3
    width: relationship 3: o = i = 7
    >>> print(formulas(Conv((6,), 3, s=2, p="same"))[0].plain())
    uneven padding: o = floor((i + p_before + p_after - k) / s) + 1 = floor((6 + 0 + 1 - 3) / 2) + 1 = 3
    """
    rel = spec.relationship
    ndim = len(spec.input_shape)
    numbers = rel if isinstance(rel, tuple) else (rel,) * ndim
    out = []
    for ax in range(ndim):
        before, after = spec.padding[ax]
        values = {n: getattr(spec, n)[ax] for n in ("i", "k", "s", "d")}
        values["a"] = getattr(spec, "output_padding", (0,) * ndim)[ax]  # a transposed convolution's only
        if before == after:
            values["p"] = before
            out.append(axis_formula(spec.kind, numbers[ax], values, spec.output_shape[ax],
                                    ceil_mode=getattr(spec, "ceil_mode", False)))
        else:
            values.update(p_before=before, p_after=after)
            out.append(uneven_formula(spec.kind, values, spec.output_shape[ax]))
    if all(f == out[0] for f in out):
        return out[:1]
    names = AXES_BY_RANK[ndim]
    return [replace(f, axis=names[ax]) for ax, f in enumerate(out)]


def uneven_formula(kind: str, values: Mapping[str, int], result: int) -> Formula:
    """The formula of an axis padded (or, transposed, cropped) unevenly: ``values`` has ``p_before`` and ``p_after``.

    Examples
    --------
    >>> uneven_formula("conv", dict(i=5, k=3, s=1, d=2, p_before=4, p_after=0), 5).plain()
    'uneven padding: o = floor((i + p_before + p_after - d(k - 1) - 1) / s) + 1 = \
floor((5 + 4 + 0 - 2(3 - 1) - 1) / 1) + 1 = 5'
    """
    rel = (UNEVEN_UNDILATED if values.get("d", 1) == 1 else UNEVEN)[kind]
    return Formula(None, rel.case, rel.lhs, rel.expr, substitute(rel.expr, values), result, named=True)
