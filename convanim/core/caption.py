"""What a figure's caption and labels say, as data: plain text and matplotlib mathtext.

A caption is a layer line ("Convolution: input 5×5 → output 3×3, k = 3, s = 2,
p = 1"), one :class:`~convanim.core.formula.Formula` per distinct axis, notes
(pooling's padding) and, for a transposed convolution, the direct view.  Every
line comes as pieces: a caption may break a line between two pieces, never
inside one, so a formula is never split.  Pure: no matplotlib.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple, cast

from .formula import AXES_BY_RANK, Formula, Sym, d, formulas, join_math, k, p, render, s
from .sizes import Layer

__all__ = ["size_text", "LayerLine", "MapLabel", "Note", "Caption",
           "layer_line", "map_labels", "direct_view", "notes", "padding_notes", "caption"]

Pair = Tuple[int, int]
Token = Tuple[str, str]  # (plain, mathtext) of one unbreakable piece

_KIND_WORDS = {"conv": "convolution", "conv_transpose": "transposed convolution"}


def size_text(shape: Tuple[int, ...], math: bool = False) -> str:
    r"""``(5, 7)`` -> ``"5×7"``, or ``"5{\times}7"`` for mathtext (no ``$``); ``(8,)`` -> ``"8"``.

    The braces make the cross an ordinary symbol: a size reads "5×7", not the
    spaced product "5 × 7".

    Examples
    --------
    >>> size_text((5, 7)), size_text((4, 4), math=True), size_text((3, 8, 8))
    ('5×7', '4{\\times}4', '3×8×8')
    """
    return ("{\\times}" if math else "×").join(str(v) for v in shape)


def _value(values: Tuple[Any, ...]) -> str:
    """One value when every axis agrees (or there is one axis), else the tuple."""
    if len(values) == 1 or (len(set(values)) == 1 and not isinstance(values[0], tuple)):
        v = values[0]
        return f"({v[0]}, {v[1]})" if isinstance(v, tuple) else str(v)
    return "(" + ", ".join(_value((v,)) for v in values) + ")"


def _math_value(values: Tuple[Any, ...]) -> str:
    # A rule's name ("same") is a word, upright, not a product of italic letters.
    return rf"\mathrm{{{values[0]}}}" if isinstance(values[0], str) else _value(values)


def _kind_words(spec: Layer) -> str:
    if spec.kind == "pool":
        return "max pooling" if cast(Any, spec).mode == "max" else "average pooling"
    return _KIND_WORDS[spec.kind]


class _Pieces:
    """Text made of unbreakable tokens, each with a plain and a mathtext form."""

    def tokens(self) -> list[Token]:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def parts(self) -> list[str]:
        """The plain pieces; ``" ".join(parts())`` is :meth:`plain`."""
        return [t[0] for t in self.tokens()]

    def math_parts(self) -> list[str]:
        """The mathtext pieces (each a valid matplotlib string)."""
        return [t[1] for t in self.tokens()]

    def plain(self) -> str:
        return " ".join(self.parts())

    def math(self) -> str:
        return join_math(self.math_parts())


def _words(text: str) -> list[Token]:
    return [(w, w) for w in text.split()]


def _eq(plain: str, math: str) -> Token:
    return (plain, f"${math}$")


@dataclass(frozen=True)
class LayerLine(_Pieces):
    """``Convolution: input 5×5 → output 3×3, k = 3, s = 2, p = 1`` as data.

    ``params``: (name, value) in the order written; ``flags``: words such as ``ceil_mode``.
    """

    name: str
    input_shape: Tuple[int, ...]
    output_shape: Tuple[int, ...]
    params: Tuple[Tuple[str, Tuple[Any, ...]], ...]
    flags: Tuple[str, ...] = ()

    def tokens(self) -> list[Token]:
        out: list[Token] = [(f"{self.name}:", f"{self.name}:"),
                            (f"input {size_text(self.input_shape)}", f"input ${size_text(self.input_shape, True)}$"),
                            (f"→ output {size_text(self.output_shape)}",
                             f"→ output ${size_text(self.output_shape, True)}$")]
        items = [_eq(f"{n} = {_value(v)}", f"{_PARAM_TEX.get(n, n)} = {_math_value(v)}") for n, v in self.params]
        items += [(f, f) for f in self.flags]
        for plain, math in items:  # a comma after every item but the last, kept with it
            out[-1] = (out[-1][0] + ",", out[-1][1] + ",")
            out.append((plain, math))
        return out


_PARAM_TEX = {"output_padding": r"\mathrm{output\_padding}"}


def layer_line(spec: Layer) -> LayerLine:
    """The caption's first line: what the layer is, its sizes and its parameters.

    ``k``, ``s`` and ``p`` are always given (the guide's arithmetic needs them),
    ``d`` and ``output_padding`` when they are not the default.

    Examples
    --------
    >>> from convanim.core.spec import Conv
    >>> layer_line(Conv((5, 7), 3, s=(2, 1), p=1)).plain()
    'Convolution: input 5×7 → output 3×7, k = 3, s = (2, 1), p = 1'
    """
    rule = spec.padding_rule
    p: Tuple[Any, ...] = (rule,) if rule in ("same", "causal") else spec.p
    params = [("k", spec.k), ("s", spec.s), ("p", p)]
    if any(v != 1 for v in spec.d):
        params.append(("d", spec.d))
    if spec.kind == "conv_transpose" and any(cast(Any, spec).output_padding):
        params.append(("output_padding", cast(Any, spec).output_padding))
    flags: Tuple[str, ...] = ("ceil_mode",) if getattr(spec, "ceil_mode", False) else ()
    if spec.padding_mode != "zeros":
        flags += (f"{spec.padding_mode} padding",)
    name = _kind_words(spec)
    return LayerLine(name[0].upper() + name[1:], spec.input_shape, spec.output_shape, tuple(params), flags)


@dataclass(frozen=True)
class MapLabel:
    """What a map's label says: ``input 4×4``, ``output 2×2 (transposed convolution)``."""

    role: str
    shape: Tuple[int, ...]
    kind: Optional[str] = None

    def lines(self, math: bool = False) -> list[str]:
        """One line for the name and size, a second for the kind, if any."""
        size = f"${size_text(self.shape, True)}$" if math else size_text(self.shape)
        return [f"{self.role} {size}"] + ([f"({self.kind})"] if self.kind else [])

    def plain(self) -> str:
        return " ".join(self.lines())

    def math(self) -> str:
        return " ".join(self.lines(math=True))


def map_labels(spec: Layer) -> tuple[MapLabel, MapLabel]:
    """The input's and the output's labels; the output's names the operation.

    Examples
    --------
    >>> from convanim.core.spec import Conv
    >>> [lab.plain() for lab in map_labels(Conv(6, 3, s=2, p=1).transpose())]
    ['input 3×3', 'output 6×6 (transposed convolution)']
    """
    border = _BORDER_WORDS.get(spec.padding_mode) if any(b or e for b, e in spec.padding) else None
    return MapLabel("input", spec.input_shape, border), MapLabel("output", spec.output_shape, _kind_words(spec))


_BORDER_WORDS = {"reflect": "border: the input mirrored", "replicate": "border: the edge repeated",
                 "circular": "border: the input wrapped around"}


_P_PRIME = Sym("p'", "p'", "p'")
_S_MINUS_1 = s - 1
_P_VIEW = d * (k - 1) - p  # the zeros on each side of the stretched input, in the direct view


@dataclass(frozen=True)
class Note(_Pieces):
    """A note in words; ``tokens`` holds its unbreakable pieces."""

    items: Tuple[Token, ...]

    def tokens(self) -> list[Token]:
        return list(self.items)


def direct_view(spec: Layer) -> Optional[Note]:
    """How the guide draws a transposed convolution as a direct one, or ``None`` for other layers.

    Examples
    --------
    >>> from convanim.core.spec import Conv
    >>> direct_view(Conv(6, 3, s=2, p=1).transpose()).plain()[:70]
    'direct view: the kernel rotated by 180 degrees, unit stride, over the '
    """
    if spec.kind != "conv_transpose":
        return None
    t: Any = spec  # a ConvTranspose: its view padding and output_padding
    pad = _value(t.view_padding)
    toks: list[list[Token]] = []
    if any(v != 1 for v in spec.s):
        stretch = _value(tuple(v - 1 for v in spec.s))
        toks.append(_words("the input stretched by") + [_eq(f"s - 1 = {stretch}", f"{render(_S_MINUS_1, True)} = {stretch}")]
                    + _words("zeros between units"))
    pv = f"{render(_P_VIEW)} = {pad}", f"{_P_PRIME.tex} = {render(_P_VIEW, True)} = {pad}"
    sides = "on each side" if spec.symmetric else "(before, after)"
    if all(b >= 0 and e >= 0 for b, e in t.view_padding_pairs):
        toks.append([_eq(f"p' = {pv[0]}", pv[1])] + _words(f"zeros of padding {sides}"))
    else:
        toks.append([_eq(f"p' = {pv[0]}", pv[1])] + _words("(negative: the stretched input is cropped)"))
    if any(t.output_padding):
        op = _value(t.output_padding)
        where = {1: "at the end", 2: "at the bottom and right"}.get(spec.ndim, "at the end of each axis")
        toks.append([_eq(f"output_padding = {op}", rf"\mathrm{{output\_padding}} = {op}")] + _words(f"more {where}"))
    items = _words("direct view: the kernel rotated by") + [("180 degrees", "180°")]
    if any(v != 1 for v in spec.d):
        items += _words("dilated by") + [(_value(spec.d), _value(spec.d))]
    items[-1] = (items[-1][0] + ",", items[-1][1] + ",")
    items += _words("unit stride, over")
    for n, group in enumerate(toks):
        if n < len(toks) - 1:
            group[-1] = (group[-1][0] + ",", group[-1][1] + ",")
        items += group
    return Note(tuple(items))


_MODE_WORDS = {
    "reflect": "reflect padding: the border mirrors the input, the edge not repeated",
    "replicate": "replicate padding: the border repeats the edge",
    "circular": "circular padding: the border wraps around to the other end",
}


def _pairs_text(spec: Layer) -> str:
    pairs = spec.padding
    if len(set(pairs)) == 1:
        return _value((pairs[0],))
    names = AXES_BY_RANK[len(pairs)]
    return ", ".join(f"{n} {_value((pr,))}" for n, pr in zip(names, pairs))


def padding_notes(spec: Layer) -> list[Note]:
    """What the padding is, where a caption's ``p = ...`` does not say it all: a rule, uneven sides, copies.

    Examples
    --------
    >>> from convanim.core.spec import Conv
    >>> padding_notes(Conv((6,), 3, s=2, p="same"))[0].plain()
    "same (TensorFlow's rule): output ceil(i / s), padding (before, after) = (0, 1), the odd zero after"
    """
    out = []
    rule, text = spec.padding_rule, _pairs_text(spec)
    crop = spec.kind == "conv_transpose"
    if rule == "same":
        odd = "" if spec.symmetric else ", the odd zero after"
        out.append(Note(tuple(_words("same (TensorFlow's rule): output") + [("ceil(i / s),", r"$\lceil i/s \rceil$,")]
                              + _words(f"padding (before, after) = {text}{odd}"))))
    elif rule == "causal":
        before = spec.padding[0][0]
        out.append(Note(tuple(_words("causal:") + [_eq(f"d(k - 1) = {before}", f"d(k - 1) = {before}")]
                              + _words("zeros before, none after: no output reads a later input"))))
    elif not spec.symmetric:
        what = "cropped from the full output" if crop else "padding"
        out.append(Note(tuple(_words(f"{what} (before, after) = {text}"))))
    if spec.padding_mode != "zeros" and any(b or e for b, e in spec.padding):
        out.append(Note(tuple(_words(_MODE_WORDS[spec.padding_mode] + "; sizes as with zero padding"))))
    return out


def notes(spec: Layer) -> list[Note]:
    """Notes a caption keeps (padding rules and modes, pooling's padding), the direct view excluded."""
    out = padding_notes(spec)
    if spec.kind != "pool" or not any(b or e for b, e in spec.padding):
        return out
    if cast(Any, spec).mode == "max":
        return out + [Note(tuple(_words("max pooling pads with") + [("-inf", r"$-\infty$")]))]
    return out + [Note(tuple(_words("average pooling divides by the window size, padding included")))]


@dataclass(frozen=True)
class Caption:
    """A caption as data: the layer line, a formula per distinct axis, notes, the direct view."""

    layer: LayerLine
    formulas: Tuple[Formula, ...]
    notes: Tuple[Note, ...]
    direct_view: Optional[Note] = None

    def lines(self, math: bool = False, case: bool = False, view: bool = False) -> list[list[str]]:
        """Each line as its unbreakable pieces; ``case`` names each formula's case,
        ``view`` adds the transposed convolution's direct view."""
        rows = [self.layer.math_parts() if math else self.layer.parts()]
        rows += [f.math_parts(case) if math else f.parts(case) for f in self.formulas]
        extra = list(self.notes) + ([self.direct_view] if view and self.direct_view else [])
        rows += [n.math_parts() if math else n.parts() for n in extra]
        return rows

    def plain(self, case: bool = False, view: bool = False) -> list[str]:
        """The lines as plain text."""
        return [" ".join(r) for r in self.lines(False, case, view)]

    def math(self, case: bool = False, view: bool = False) -> list[str]:
        """The lines as matplotlib mathtext strings."""
        return [join_math(r) for r in self.lines(True, case, view)]


def caption(spec: Layer) -> Caption:
    """The caption of a figure of ``spec``, as data.

    Examples
    --------
    >>> from convanim.core.spec import Conv
    >>> print("\\n".join(caption(Conv(5, 3, s=2, p=1)).plain()))
    Convolution: input 5×5 → output 3×3, k = 3, s = 2, p = 1
    relationship 6: o = floor((i + 2p - k) / s) + 1 = floor((5 + 2*1 - 3) / 2) + 1 = 3
    """
    return Caption(layer_line(spec), tuple(formulas(spec)), tuple(notes(spec)), direct_view(spec))
