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
from .checks import check_bool, check_choice, check_int
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
    c_in: int
    c_out: int
    groups: int

    kind: ClassVar[str] = "spec"  # what the catalogue calls it; not a field

    @property
    def channels(self) -> bool:
        """True when the layer has more than one input or output channel (``c_in`` or ``c_out`` not 1)."""
        return self.c_in != 1 or self.c_out != 1

    @property
    def weight_shape(self) -> Optional[Tuple[int, int, int, int]]:
        """PyTorch's weight shape: ``(c_out, c_in // groups, kh, kw)`` (Conv), ``(c_in, c_out // groups, kh, kw)``
        (ConvTranspose); ``None`` for a pooling, which has no weights."""
        return None

    @property
    def n_weights(self) -> int:
        """How many weights (bias apart): the product of :attr:`weight_shape`, 0 for a pooling."""
        shape = self.weight_shape
        return 0 if shape is None else shape[0] * shape[1] * shape[2] * shape[3]

    @property
    def macs(self) -> int:
        """Multiply-adds, dense (taps on padding counted, as PyTorch computes them; bias apart).

        Conv: ``c_out * prod(output_shape) * (c_in / groups) * kh * kw``.  ConvTranspose (it scatters every input
        unit through the weights of its group): ``c_in * prod(input_shape) * (c_out / groups) * kh * kw``.  A
        pooling: 0 (it multiplies nothing; see :attr:`reads`).
        """
        return 0

    @property
    def reads(self) -> int:
        """Input values read, one per tap per output value: ``c_out * prod(output_shape) * (c_in / groups) * kh * kw``
        (a pooling reads only its own channel: ``c_in * prod(output_shape) * kh * kw``)."""
        (oh, ow), (kh, kw) = self.output_shape, self.k
        return self.c_out * oh * ow * (self.c_in // self.groups) * kh * kw

    def group_of(self, out_channel: int) -> Tuple[int, ...]:
        """The input channels output channel ``out_channel`` reads: those of its group (a pooling: its own).

        Examples
        --------
        >>> Conv(5, 3, c_in=4, c_out=6, groups=2).group_of(4)
        (2, 3)
        """
        j = check_int("out_channel", out_channel, 0, self.c_out - 1)
        per_in, per_out = self.c_in // self.groups, self.c_out // self.groups
        g = j // per_out
        return tuple(range(g * per_in, (g + 1) * per_in))

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

    def _channel_params(self) -> list[str]:
        # Shown only when not 1, so that every one-channel repr (and the README's outputs) stays as it was.
        return [f"{n}={getattr(self, n)}" for n in ("c_in", "c_out", "groups") if getattr(self, n) != 1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join([self._params()] + self._channel_params())})"

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
    c_in, c_out, groups : int
        Input and output channels and groups, as PyTorch's ``Conv2d``: both
        channel counts divisible by ``groups``; output channel ``j`` reads the
        ``c_in // groups`` input channels of its group.  ``groups = c_in``
        is a depthwise convolution, ``k = 1`` a pointwise one.

    Raises
    ------
    ValueError
        Naming the parameter, when a value is out of range, a channel count is
        not divisible by ``groups``, or the dilated kernel ``d(k - 1) + 1``
        does not fit the padded input ``i + 2p``.
    TypeError
        When a value is not an int (``bool`` included) or a pair of ints.

    Examples
    --------
    >>> c = Conv(5, 3, s=2, p=1)
    >>> c.output_shape, c.relationship
    ((3, 3), 6)
    >>> c.transpose().output_shape
    (5, 5)
    >>> g = Conv(5, 3, c_in=4, c_out=8, groups=2)
    >>> g.weight_shape, g.n_weights
    ((8, 2, 3, 3), 144)
    """

    kind = "conv"

    def __init__(self, i: Size, k: Size, s: Size = 1, p: Size = 0, d: Size = 1, *, c_in: int = 1,
                 c_out: int = 1, groups: int = 1) -> None:
        _set_common(self, i, k, s, p, d)
        _set_channels(self, c_in, c_out, groups)
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
        # Its channels run the other way: it takes this one's c_out and gives back c_in, with the same weights.
        return ConvTranspose(self.output_shape, self.k, self.s, self.p, self.d, output_padding=(a[0], a[1]),
                             c_in=self.c_out, c_out=self.c_in, groups=self.groups)

    @property
    def weight_shape(self) -> Optional[Tuple[int, int, int, int]]:
        return (self.c_out, self.c_in // self.groups, self.k[0], self.k[1])

    @property
    def macs(self) -> int:
        return self.reads

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.conv_relationship(**self._axis(a))


@dataclass(frozen=True, init=False, repr=False)
class ConvTranspose(_Spec):
    """A transposed convolution, with PyTorch's ``ConvTranspose2d`` semantics.

    ``i`` is the transposed convolution's own input size (the guide's ``i'``).
    ``output_padding`` (< ``max(s, d)``) adds rows and columns at the bottom and
    right of the output.  ``c_in``, ``c_out`` and ``groups`` are as for
    :class:`Conv`, with PyTorch's ``ConvTranspose2d`` weight layout
    ``(c_in, c_out // groups, kh, kw)``.

    Examples
    --------
    >>> t = ConvTranspose(3, 3, s=2, p=1, output_padding=1)
    >>> t.output_shape, t.relationship
    ((6, 6), 14)
    >>> ConvTranspose(3, 3, c_in=4, c_out=6, groups=2).weight_shape
    (4, 3, 3, 3)
    """

    output_padding: Pair

    kind = "conv_transpose"

    def __init__(
        self, i: Size, k: Size, s: Size = 1, p: Size = 0, d: Size = 1, output_padding: Size = 0, *,
        c_in: int = 1, c_out: int = 1, groups: int = 1,
    ) -> None:
        _set_common(self, i, k, s, p, d)
        _set_channels(self, c_in, c_out, groups)
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
        return Conv(self.output_shape, self.k, self.s, self.p, self.d, c_in=self.c_out, c_out=self.c_in,
                    groups=self.groups)

    @property
    def weight_shape(self) -> Optional[Tuple[int, int, int, int]]:
        return (self.c_in, self.c_out // self.groups, self.k[0], self.k[1])

    @property
    def macs(self) -> int:
        (ih, iw), (kh, kw) = self.i, self.k
        return self.c_in * ih * iw * (self.c_out // self.groups) * kh * kw

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
    A pooling works on each of its ``c_in`` channels alone: ``c_out`` and
    ``groups`` are ``c_in`` (as a depthwise layer), and it has no weights.

    Examples
    --------
    >>> Pool(5, 3, s=1, mode="avg").output_shape
    (3, 3)
    >>> p = Pool(4, 2, c_in=3)
    >>> p, p.c_out, p.group_of(2)
    (Pool(i=4, k=2, mode='max', c_in=3), 3, (2,))
    """

    mode: str
    ceil_mode: bool

    kind = "pool"

    def __init__(
        self, i: Size, k: Size, s: Optional[Size] = None, p: Size = 0, d: Size = 1,
        mode: str = "max", ceil_mode: bool = False, *, c_in: int = 1,
    ) -> None:
        check_choice("mode", mode, ("max", "avg"))
        check_bool("ceil_mode", ceil_mode)
        ceil_mode = bool(ceil_mode)
        _set_common(self, i, k, k if s is None else s, p, d)
        c = check_int("c_in", c_in, 1)
        _set_channels(self, c, c, c)
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

    def _channel_params(self) -> list[str]:
        return [f"c_in={self.c_in}"] if self.c_in != 1 else []  # c_out and groups follow from it

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


def _set_channels(obj: _Spec, c_in: object, c_out: object, groups: object) -> None:
    """PyTorch's rules: positive counts, both divisible by ``groups``."""
    ci, co, g = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1), check_int("groups", groups, 1)
    for name, value in (("c_in", ci), ("c_out", co)):
        if value % g:
            raise ValueError(f"{name} must be divisible by groups, as in PyTorch: {name}={value} is not a multiple "
                             f"of groups={g}")
    object.__setattr__(obj, "c_in", ci)
    object.__setattr__(obj, "c_out", co)
    object.__setattr__(obj, "groups", g)


Spec = Union[Conv, ConvTranspose, Pool]
