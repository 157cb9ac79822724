"""Frozen, validated descriptions of the layers convanim draws.

A spec holds every size as an ``(h, w)`` pair, whatever the caller passed, so
that two specs describing the same layer compare (and hash) equal.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Optional, Tuple, Union

from . import arithmetic as ar
from .caption import direct_view, notes
from .checks import check_bool, check_choice
from .formula import formulas

__all__ = ["Conv", "ConvTranspose", "Pool", "Spec", "Size", "Pair"]

Pair = Tuple[int, int]
Size = Union[int, Tuple[int, int]]
_AXES = ("height", "width")


def _pair(name: str, value: Any, minimum: int) -> Pair:
    """Normalise an int or an ``(h, w)`` pair, naming ``name`` in any error."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {len(value)} values: {value!r}")
        return (ar.check_int(f"{name}[0] (height)", value[0], minimum),
                ar.check_int(f"{name}[1] (width)", value[1], minimum))
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or an (h, w) pair of ints, got {type(value).__name__} {value!r}")
    v = ar.check_int(name, value, minimum)
    return (v, v)


def _axes(fn: Callable[..., int], *pairs: Pair) -> Pair:
    """Apply a one-axis function to both axes, naming the axis in any error."""
    out = []
    for axis in (0, 1):
        try:
            out.append(fn(*(p[axis] for p in pairs)))
        except ValueError as exc:
            if pairs[0][0] == pairs[0][1] and all(p[0] == p[1] for p in pairs):
                raise
            raise ValueError(f"{exc} (on the {_AXES[axis]} axis)") from None
    return (out[0], out[1])


def _fmt(pair: Pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def shape_text(shape: Pair) -> str:
    """``(5, 7)`` -> ``"5x7"``."""
    return f"{shape[0]}x{shape[1]}"


def _one_or_pair(values: Tuple[Any, Any]) -> Any:
    return values[0] if values[0] == values[1] else values


@dataclass(frozen=True, init=False, repr=False)
class _Spec:
    i: Pair
    k: Pair
    s: Pair
    p: Pair
    d: Pair

    kind: ClassVar[str] = "spec"  # what the catalogue calls it; not a field

    @property
    def input_shape(self) -> Pair:
        """``(h, w)`` of the layer's input."""
        return self.i

    @property
    def output_shape(self) -> Pair:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @property
    def relationship(self) -> Any:
        """The guide's relationship number (1..15), an ``(h, w)`` pair of them when the axes differ, or ``None``."""
        return _one_or_pair((self._axis_relationship(0), self._axis_relationship(1)))

    def _axis(self, a: int) -> dict[str, int]:
        return {n: getattr(self, n)[a] for n in ("i", "k", "s", "p", "d")}

    def _axis_relationship(self, a: int) -> Optional[int]:  # pragma: no cover
        raise NotImplementedError

    def _params(self) -> str:
        parts = [f"i={_fmt(self.i)}", f"k={_fmt(self.k)}"]
        for name, default in (("s", (1, 1)), ("p", (0, 0)), ("d", (1, 1))):
            if getattr(self, name) != default:
                parts.append(f"{name}={_fmt(getattr(self, name))}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._params()})"

    def describe(self) -> str:
        """The case in words and its output-size formula with this layer's numbers.

        Examples
        --------
        >>> print(Conv(5, 3, s=2, p=1).describe())
        Conv(i=5, k=3, s=2, p=1): input 5x5 -> output 3x3
        relationship 6 (zero padding, non-unit strides): o = floor((i + 2p - k) / s) + 1 = floor((5 + 2*1 - 3) / 2) + 1 = 3
        """
        lines = [f"{self!r}: input {shape_text(self.input_shape)} -> output {shape_text(self.output_shape)}"]
        lines += [f.plain() for f in formulas(self)]  # type: ignore[arg-type]  # self is one of the Spec kinds
        lines += self._notes()
        return "\n".join(lines)

    def _notes(self) -> list[str]:
        return []


@dataclass(frozen=True, init=False, repr=False)
class Conv(_Spec):
    """A direct convolution (a cross-correlation, as in deep-learning frameworks).

    Parameters
    ----------
    i, k : int or (int, int)
        Input size and kernel size.
    s, p, d : int or (int, int)
        Stride (>= 1), zero padding on each side (>= 0), dilation (>= 1).

    Raises
    ------
    ValueError
        Naming the parameter, when a value is out of range or the dilated
        kernel ``d(k - 1) + 1`` does not fit the padded input ``i + 2p``.
    TypeError
        When a value is not an int (``bool`` included) or a pair of ints.

    Examples
    --------
    >>> c = Conv(5, 3, s=2, p=1)
    >>> c.output_shape, c.relationship
    ((3, 3), 6)
    >>> c.transpose().output_shape
    (5, 5)
    """

    kind = "conv"

    def __init__(self, i: Size, k: Size, s: Size = 1, p: Size = 0, d: Size = 1) -> None:
        _set_common(self, i, k, s, p, d)
        _axes(ar.conv_output_size, self.i, self.k, self.s, self.p, self.d)

    @property
    def output_shape(self) -> Pair:
        """``(h, w)`` of the output: ``floor((i + 2p - d(k - 1) - 1) / s) + 1`` per axis."""
        return _axes(ar.conv_output_size, self.i, self.k, self.s, self.p, self.d)

    def transpose(self) -> ConvTranspose:
        """The transposed convolution with this kernel and connectivity.

        Its input is this convolution's output and its output this one's input:
        ``output_padding`` is ``a = (i + 2p - d(k - 1) - 1) mod s``.

        Examples
        --------
        >>> Conv(6, 3, s=2, p=1).transpose()
        ConvTranspose(i=3, k=3, s=2, p=1, output_padding=1)
        """
        a = tuple((i + 2 * p - d * (k - 1) - 1) % s for i, k, s, p, d in zip(self.i, self.k, self.s, self.p, self.d))
        return ConvTranspose(self.output_shape, self.k, self.s, self.p, self.d, output_padding=(a[0], a[1]))

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.conv_relationship(**self._axis(a))


@dataclass(frozen=True, init=False, repr=False)
class ConvTranspose(_Spec):
    """A transposed convolution, with PyTorch's ``ConvTranspose2d`` semantics.

    ``i`` is the transposed convolution's own input size (the guide's ``i'``).
    ``output_padding`` (< ``max(s, d)``) adds rows and columns at the bottom and
    right of the output.

    Examples
    --------
    >>> t = ConvTranspose(3, 3, s=2, p=1, output_padding=1)
    >>> t.output_shape, t.relationship
    ((6, 6), 14)
    """

    output_padding: Pair

    kind = "conv_transpose"

    def __init__(
        self, i: Size, k: Size, s: Size = 1, p: Size = 0, d: Size = 1, output_padding: Size = 0
    ) -> None:
        _set_common(self, i, k, s, p, d)
        object.__setattr__(self, "output_padding", _pair("output_padding", output_padding, 0))
        _ = self.output_shape  # computing it validates the combination

    @property
    def output_shape(self) -> Pair:
        """``(h, w)``: ``(i - 1)s - 2p + d(k - 1) + output_padding + 1`` per axis."""
        return _axes(ar.conv_transpose_output_size, self.i, self.k, self.s, self.p, self.d, self.output_padding)

    def transpose(self) -> Conv:
        """The direct convolution this one transposes (input: this one's output).

        Examples
        --------
        >>> ConvTranspose(3, 3, s=2, p=1, output_padding=1).transpose()
        Conv(i=6, k=3, s=2, p=1)
        """
        return Conv(self.output_shape, self.k, self.s, self.p, self.d)

    @property
    def view_padding(self) -> Pair:
        """Zeros on each side of the stretched input in the direct view: ``d(k - 1) - p`` (negative crops)."""
        return tuple(d * (k - 1) - p for k, p, d in zip(self.k, self.p, self.d))  # type: ignore[return-value]

    def _params(self) -> str:
        text = super()._params()
        if self.output_padding != (0, 0):
            text += f", output_padding={_fmt(self.output_padding)}"
        return text

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.conv_transpose_relationship(output_padding=self.output_padding[a], **self._axis(a))


    def _notes(self) -> list[str]:
        view = direct_view(self)
        return [view.plain()] if view else []


@dataclass(frozen=True, init=False, repr=False)
class Pool(_Spec):
    """A max or average pooling, as PyTorch's ``max_pool2d`` / ``avg_pool2d``.

    ``s`` defaults to ``k``.  Max pooling pads with -inf; average pooling
    counts the padding (``count_include_pad=True``) and has no dilation.

    Examples
    --------
    >>> Pool(5, 3, s=1, mode="avg").output_shape
    (3, 3)
    """

    mode: str
    ceil_mode: bool

    kind = "pool"

    def __init__(
        self, i: Size, k: Size, s: Optional[Size] = None, p: Size = 0, d: Size = 1,
        mode: str = "max", ceil_mode: bool = False,
    ) -> None:
        check_choice("mode", mode, ("max", "avg"))
        check_bool("ceil_mode", ceil_mode)
        ceil_mode = bool(ceil_mode)
        _set_common(self, i, k, k if s is None else s, p, d)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "ceil_mode", ceil_mode)
        if mode == "avg" and self.d != (1, 1):
            raise ValueError(f"d must be 1 for average pooling (PyTorch's avg_pool2d has no dilation), got {_fmt(self.d)}")
        _ = self.output_shape  # computing it validates the combination

    @property
    def output_shape(self) -> Pair:
        """``(h, w)`` of the pooled output."""
        return _axes(lambda i, k, s, p, d: ar.pool_output_size(i, k, s, p, d, self.ceil_mode),
                     self.i, self.k, self.s, self.p, self.d)

    def _params(self) -> str:
        parts = [f"i={_fmt(self.i)}", f"k={_fmt(self.k)}"]
        if self.s != self.k:
            parts.append(f"s={_fmt(self.s)}")
        if self.p != (0, 0):
            parts.append(f"p={_fmt(self.p)}")
        if self.d != (1, 1):
            parts.append(f"d={_fmt(self.d)}")
        parts.append(f"mode={self.mode!r}")
        if self.ceil_mode:
            parts.append("ceil_mode=True")
        return ", ".join(parts)

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.pool_relationship(ceil_mode=self.ceil_mode, **self._axis(a))


    def _notes(self) -> list[str]:
        return [n.plain() for n in notes(self)]


def _set_common(obj: _Spec, i: Size, k: Size, s: Size, p: Size, d: Size) -> None:
    object.__setattr__(obj, "i", _pair("i", i, 1))
    object.__setattr__(obj, "k", _pair("k", k, 1))
    object.__setattr__(obj, "s", _pair("s", s, 1))
    object.__setattr__(obj, "p", _pair("p", p, 0))
    object.__setattr__(obj, "d", _pair("d", d, 1))


Spec = Union[Conv, ConvTranspose, Pool]
