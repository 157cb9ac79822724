"""Sizes of every rank: normalising ints and tuples, one axis at a time, and writing them back.

Pure: no matplotlib.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, ClassVar, Optional, Protocol, Tuple, Union

from .checks import check_int

__all__ = ["Pair", "Sizes", "Size", "Layer", "AXIS_NAMES", "rank_of", "sizes", "per_axis", "fmt_sizes", "fmt_input",
           "shape_text", "one_or_tuple"]

Pair = Tuple[int, int]
Sizes = Tuple[int, ...]
Size = Union[int, Tuple[int, ...]]


class Layer(Protocol):
    """What the formulas and captions read of a layer (a Conv, ConvTranspose or Pool), as a type: they sit below
    :mod:`convanim.core.spec`, which builds its captions with them."""

    kind: ClassVar[str]

    @property
    def i(self) -> Sizes: ...
    @property
    def k(self) -> Sizes: ...
    @property
    def s(self) -> Sizes: ...
    @property
    def d(self) -> Sizes: ...
    @property
    def padding(self) -> Tuple[Pair, ...]: ...
    @property
    def padding_rule(self) -> Optional[str]: ...
    @property
    def padding_mode(self) -> str: ...
    @property
    def p(self) -> Tuple[Any, ...]: ...
    @property
    def ndim(self) -> int: ...
    @property
    def symmetric(self) -> bool: ...
    @property
    def input_shape(self) -> Sizes: ...
    @property
    def output_shape(self) -> Sizes: ...
    @property
    def relationship(self) -> Any: ...


#: What each axis is called, by rank.
AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def rank_of(i: Any) -> int:
    """The rank an input size gives: an int is 2D (square), a tuple of 1 to 3 sizes its length."""
    if isinstance(i, (tuple, list)):
        if not 1 <= len(i) <= 3:
            raise ValueError(f"i must be an int (a square 2D input) or a tuple of 1, 2 or 3 sizes (1D, 2D, 3D), "
                             f"got {len(i)} values: {i!r}")
        return len(i)
    return 2


def sizes(name: str, value: Any, minimum: int, ndim: int) -> Sizes:
    """Normalise an int (every axis) or a tuple of ``ndim`` ints, naming ``name`` and the axis in any error."""
    axes = AXIS_NAMES[ndim]
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            shape = "(" + ", ".join(axes) + ")"
            count = "1 value" if ndim == 1 else f"{ndim} values"
            raise ValueError(f"{name} must be an int or a tuple of {count} {shape} (the rank of i), got "
                             f"{len(value)} values: {value!r}")
        return tuple(check_int(f"{name}[{a}] ({axes[a]})", v, minimum) for a, v in enumerate(value))
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or a tuple of ints, got {type(value).__name__} {value!r}")
    v = check_int(name, value, minimum)
    return (v,) * ndim


def per_axis(fn: Callable[..., int], *columns: Tuple[Any, ...]) -> Sizes:
    """Apply a one-axis function to every axis, naming the axis in any error when the axes differ."""
    out = []
    ndim = len(columns[0])
    for a in range(ndim):
        try:
            out.append(fn(*(c[a] for c in columns)))
        except ValueError as exc:
            if ndim == 1 or all(len(set(c)) == 1 for c in columns):
                raise
            raise ValueError(f"{exc} (on the {AXIS_NAMES[ndim][a]} axis)") from None
    return tuple(out)


def fmt_sizes(values: Tuple[Any, ...]) -> str:
    """One int when every axis agrees (``3``), else the tuple (``(3, 5)``, ``((0, 1), (0, 1))``)."""
    if len(set(values)) == 1 and not isinstance(values[0], tuple):
        return str(values[0])
    return str(tuple(values))


def shape_text(shape: Sizes) -> str:
    """``(5, 7)`` -> ``"5x7"``; ``(8,)`` -> ``"8"``."""
    return "x".join(str(v) for v in shape)


def one_or_tuple(values: Tuple[Any, ...]) -> Any:
    """The one value when every axis agrees, else the tuple."""
    return values[0] if len(set(values)) == 1 else values


def fmt_input(i: Sizes) -> str:
    """An input size as a repr writes it: ``5``, ``(5, 7)``; other ranks always as the tuple."""
    # A 2D input keeps its old spelling; other ranks show the tuple, which is what sets the rank.
    return fmt_sizes(i) if len(i) == 2 else str(tuple(i))
