"""Frozen, validated descriptions of the layers convanim draws.

A spec's rank comes from its input size: an int is a square 2D input, a tuple
of 1, 2 or 3 ints a 1D, 2D or 3D one (:attr:`ndim`).  Every size reads back
as a tuple of that length, whatever the caller passed, so that two specs
describing the same layer compare (and hash) equal.  Padding reads back as a
``(before, after)`` pair per axis (:attr:`padding`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Tuple, Union

from . import arithmetic as ar
from .caption import direct_view, notes
from .checks import check_bool, check_choice, check_int
from .cost import MAX_ELEMENTS
from .formula import formulas
from .padding import Padding, check_padding_mode, resolve_padding
from .receptive import layer_receptive_field
from .sizes import (
    AXIS_NAMES,
    Pair,
    Size,
    Sizes,
    fmt_input,
    fmt_sizes,
    one_or_tuple,
    per_axis,
    rank_of,
    shape_text,
    sizes,
)

__all__ = ["Conv", "ConvTranspose", "Pool", "Spec", "Size", "Pair", "Sizes", "AXIS_NAMES", "shape_text"]


@dataclass(frozen=True, init=False, repr=False)
class _Spec:
    i: Sizes
    k: Sizes
    s: Sizes
    padding: Padding
    d: Sizes
    c_in: int
    c_out: int
    groups: int
    #: The rule ``p`` was given as (``"same"``, ``"valid"``, ``"causal"``), else ``None``; shown, not compared.
    padding_rule: Optional[str] = field(default=None, compare=False)

    kind: ClassVar[str] = "spec"  # what the catalogue calls it; not a field

    @property
    def ndim(self) -> int:
        """The spatial rank: 1, 2 or 3."""
        return len(self.i)

    @property
    def p(self) -> Tuple[Any, ...]:
        """The padding of each axis: an int where both sides agree, else the ``(before, after)`` pair.

        See :attr:`padding` for the pairs of every axis.
        """
        return tuple(b if b == a else (b, a) for b, a in self.padding)

    @property
    def symmetric(self) -> bool:
        """True when every axis pads (or crops) as much before as after."""
        return all(b == a for b, a in self.padding)

    @property
    def padding_mode(self) -> str:
        """What the border holds: ``"zeros"`` (a convolution may copy the input; see :class:`Conv`)."""
        return "zeros"

    @property
    def channels(self) -> bool:
        """True when the layer has more than one input or output channel (``c_in`` or ``c_out`` not 1)."""
        return self.c_in != 1 or self.c_out != 1

    @property
    def weight_shape(self) -> Optional[Tuple[int, ...]]:
        """PyTorch's weight shape: ``(c_out, c_in // groups, *k)`` (Conv), ``(c_in, c_out // groups, *k)``
        (ConvTranspose); ``None`` for a pooling, which has no weights."""
        return None

    @property
    def n_weights(self) -> int:
        """How many weights (bias apart): the product of :attr:`weight_shape`, 0 for a pooling."""
        shape = self.weight_shape
        return 0 if shape is None else math.prod(shape)

    @property
    def macs(self) -> int:
        """Multiply-adds, dense (taps on padding counted, as PyTorch computes them; bias apart).

        Conv: ``c_out * prod(output_shape) * (c_in / groups) * prod(k)``.  ConvTranspose (it scatters every input
        unit through the weights of its group): ``c_in * prod(input_shape) * (c_out / groups) * prod(k)``.  A
        pooling: 0 (it multiplies nothing; see :attr:`reads`).
        """
        return 0

    @property
    def reads(self) -> int:
        """Input values read, one per tap per output value: ``c_out * prod(output_shape) * (c_in / groups) * prod(k)``
        (a pooling reads only its own channel: ``c_in * prod(output_shape) * prod(k)``)."""
        return self.c_out * math.prod(self.output_shape) * (self.c_in // self.groups) * math.prod(self.k)

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
    def input_shape(self) -> Sizes:
        """The layer's input size, one value per axis."""
        return self.i

    @property
    def output_shape(self) -> Sizes:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @property
    def relationship(self) -> Any:
        """The guide's relationship number (1..15), a tuple of them (one per axis) when the axes differ, or ``None``.

        An axis padded unevenly has none (the guide pads both sides alike).
        """
        return one_or_tuple(tuple(self._axis_relationship(a) if self.padding[a][0] == self.padding[a][1] else None
                                   for a in range(self.ndim)))

    def _axis(self, a: int) -> dict[str, int]:
        return {"i": self.i[a], "k": self.k[a], "s": self.s[a], "p": self.padding[a][0], "d": self.d[a]}

    def _axis_relationship(self, a: int) -> Optional[int]:  # pragma: no cover
        raise NotImplementedError

    def _p_text(self) -> Optional[str]:
        if self.padding_rule is not None:
            return None if self.padding_rule == "valid" else repr(self.padding_rule)
        if self.symmetric:
            return None if all(b == 0 for b, _ in self.padding) else fmt_sizes(self.p)
        if self.ndim == 1:
            return str(self.padding[0])
        return fmt_sizes(self.p)

    def _stride_shown(self) -> bool:
        return any(v != 1 for v in self.s)

    def _params(self) -> str:
        parts = [f"i={fmt_input(self.i)}", f"k={fmt_sizes(self.k)}"]
        if self._stride_shown():
            parts.append(f"s={fmt_sizes(self.s)}")
        p = self._p_text()
        if p is not None:
            parts.append(f"p={p}")
        if any(v != 1 for v in self.d):
            parts.append(f"d={fmt_sizes(self.d)}")
        return ", ".join(parts)

    def _channel_params(self) -> list[str]:
        # Shown only when not 1, so that every one-channel repr (and the README's outputs) stays as it was.
        return [f"{n}={getattr(self, n)}" for n in ("c_in", "c_out", "groups") if getattr(self, n) != 1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join([self._params()] + self._channel_params())})"

    def receptive_field(self, cell: Any, *, max_elements: int = MAX_ELEMENTS) -> frozenset:
        """The input cells output ``cell`` depends on: exact (padding left out, dilation's holes left as holes;
        a copied border cell counts as the cell it copies); refused past ``max_elements`` cells.

        Examples
        --------
        >>> sorted(Conv((8,), 2, d=2, p="causal").receptive_field((5,)))
        [(3,), (5,)]
        """
        return layer_receptive_field(self, cell, max_elements=max_elements)

    def _init_args(self) -> dict[str, Any]:
        p = self.padding_rule if self.padding_rule is not None else self.padding
        return dict(i=self.i, k=self.k, s=self.s, p=p, d=self.d, c_in=self.c_in, c_out=self.c_out,
                    groups=self.groups)

    def replace(self, **changes: Any) -> Any:
        """The same layer with some arguments changed (the constructor's names: ``i k s p d``, ...), checked anew.

        (:func:`dataclasses.replace` does not apply: ``p`` is read back as :attr:`padding`.)

        Examples
        --------
        >>> Conv(5, 3, c_in=4, c_out=4, groups=4).replace(groups=1)
        Conv(i=5, k=3, c_in=4, c_out=4)
        """
        kw = self._init_args()
        unknown = sorted(set(changes) - set(kw))
        if unknown:
            raise TypeError(f"replace() got an unexpected keyword argument {unknown[0]!r}; known: {', '.join(kw)}")
        kw.update(changes)
        return type(self)(**kw)

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
        lines += [n.plain() for n in notes(self)]  # type: ignore[arg-type]
        view = direct_view(self)  # type: ignore[arg-type]
        if view is not None:
            lines.append(view.plain())
        return "\n".join(lines)


@dataclass(frozen=True, init=False, repr=False)
class Conv(_Spec):
    """A direct convolution (a cross-correlation, as in deep-learning frameworks), in 1D, 2D or 3D.

    Parameters
    ----------
    i : int or tuple of 1, 2 or 3 ints
        Input size; an int is a square 2D input, a tuple sets the rank.
    k, s, d : int or tuple
        Kernel size, stride (>= 1), dilation (>= 1): an int for every axis or one value per axis.
    p : int, tuple or str
        Padding: an int (both sides of every axis), a tuple with an int or a
        ``(before, after)`` pair per axis (in 1D also a bare pair), ``"valid"``,
        ``"same"`` (TensorFlow's rule: the odd zero goes after) or ``"causal"``
        (1D: ``d(k - 1)`` before, none after).
    padding_mode : {"zeros", "reflect", "replicate", "circular"}
        What the border holds, as PyTorch's ``Conv2d``: zeros, or copies of the
        input (``reflect`` needs padding smaller than the input, ``circular``
        at most the input).
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
        does not fit the padded input.
    TypeError
        When a value is not an int (``bool`` included) or a tuple of ints.

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
    >>> t = Conv((6,), 3, s=2, p="same")
    >>> t.padding, t.output_shape, t.ndim
    (((0, 1),), (3,), 1)
    """

    _padding_mode: str = field(default="zeros", compare=True)

    kind = "conv"

    def __init__(self, i: Size, k: Size, s: Size = 1, p: Any = 0, d: Size = 1, *, padding_mode: str = "zeros",
                 c_in: int = 1, c_out: int = 1, groups: int = 1) -> None:
        _set_common(self, "conv", i, k, s, p, d)
        _set_channels(self, c_in, c_out, groups)
        object.__setattr__(self, "_padding_mode", check_padding_mode(padding_mode, self.padding, self.i))
        _ = self.output_shape  # computing it validates the combination

    @property
    def padding_mode(self) -> str:
        """``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``: what the border holds."""
        return self._padding_mode

    @property
    def output_shape(self) -> Sizes:
        """The output size: ``floor((i + p_before + p_after - d(k - 1) - 1) / s) + 1`` per axis."""
        return per_axis(lambda i, k, s, pad, d: ar.padded_conv_output_size(i, k, s, pad, d),
                     self.i, self.k, self.s, self.padding, self.d)

    def transpose(self) -> ConvTranspose:
        """The transposed convolution with this kernel and connectivity: the adjoint of this convolution.

        Its input is this convolution's output and its output this one's input:
        it crops this one's padding, and ``output_padding`` is
        ``a = (i + p_before + p_after - d(k - 1) - 1) mod s``, the input this
        convolution leaves unread at the end.  Only zero padding has a
        transposed convolution (a copied border folds back onto the input).

        Examples
        --------
        >>> Conv(6, 3, s=2, p=1).transpose()
        ConvTranspose(i=3, k=3, s=2, p=1, output_padding=1)
        >>> Conv((6,), 3, s=2, p="same").transpose()
        ConvTranspose(i=(3,), k=3, s=2, p=(0, 1))
        """
        if self.padding_mode != "zeros":
            raise ValueError(f"padding_mode={self.padding_mode!r}: only a convolution with padding_mode='zeros' has a "
                             f"transposed convolution (the adjoint of a copied border adds it back onto the input)")
        a = tuple((i + b + e - d * (k - 1) - 1) % s
                  for i, k, s, (b, e), d in zip(self.i, self.k, self.s, self.padding, self.d))
        # Its channels run the other way: it takes this one's c_out and gives back c_in, with the same weights.
        return ConvTranspose(self.output_shape, self.k, self.s, self.padding, self.d, output_padding=a,
                             c_in=self.c_out, c_out=self.c_in, groups=self.groups)

    @property
    def weight_shape(self) -> Optional[Tuple[int, ...]]:
        return (self.c_out, self.c_in // self.groups, *self.k)

    @property
    def macs(self) -> int:
        return self.reads

    def _params(self) -> str:
        text = super()._params()
        return text if self.padding_mode == "zeros" else f"{text}, padding_mode={self.padding_mode!r}"

    def _init_args(self) -> dict[str, Any]:
        return {**super()._init_args(), "padding_mode": self.padding_mode}

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.conv_relationship(**self._axis(a))


@dataclass(frozen=True, init=False, repr=False)
class ConvTranspose(_Spec):
    """A transposed convolution, with PyTorch's ``ConvTranspose1d/2d/3d`` semantics.

    ``i`` is the transposed convolution's own input size (the guide's ``i'``).
    ``p`` is what is cropped from each end of the full output
    ``(i - 1)s + d(k - 1) + 1``: an int, ``(before, after)`` pairs per axis (in
    1D also a bare pair) or ``"valid"``.  ``output_padding`` (< ``max(s, d)``)
    adds cells at the end of each axis.  ``c_in``, ``c_out`` and ``groups`` are as
    for :class:`Conv`, with PyTorch's weight layout ``(c_in, c_out // groups, *k)``.

    Examples
    --------
    >>> t = ConvTranspose(3, 3, s=2, p=1, output_padding=1)
    >>> t.output_shape, t.relationship
    ((6, 6), 14)
    >>> ConvTranspose(3, 3, c_in=4, c_out=6, groups=2).weight_shape
    (4, 3, 3, 3)
    >>> ConvTranspose((3,), 3, s=2, p=(0, 1)).output_shape
    (6,)
    """

    output_padding: Sizes = (0, 0)

    kind = "conv_transpose"

    def __init__(
        self, i: Size, k: Size, s: Size = 1, p: Any = 0, d: Size = 1, output_padding: Size = 0, *,
        c_in: int = 1, c_out: int = 1, groups: int = 1,
    ) -> None:
        _set_common(self, "conv_transpose", i, k, s, p, d)
        _set_channels(self, c_in, c_out, groups)
        object.__setattr__(self, "output_padding", sizes("output_padding", output_padding, 0, self.ndim))
        _ = self.output_shape  # computing it validates the combination

    @property
    def output_shape(self) -> Sizes:
        """The output size: ``(i - 1)s - p_before - p_after + d(k - 1) + output_padding + 1`` per axis."""
        return per_axis(ar.cropped_conv_transpose_output_size, self.i, self.k, self.s, self.padding, self.d,
                     self.output_padding)

    def transpose(self) -> Conv:
        """The direct convolution this one transposes (input: this one's output).

        Examples
        --------
        >>> ConvTranspose(3, 3, s=2, p=1, output_padding=1).transpose()
        Conv(i=6, k=3, s=2, p=1)
        """
        return Conv(self.output_shape, self.k, self.s, self.padding, self.d, c_in=self.c_out, c_out=self.c_in,
                    groups=self.groups)

    @property
    def weight_shape(self) -> Optional[Tuple[int, ...]]:
        return (self.c_in, self.c_out // self.groups, *self.k)

    @property
    def macs(self) -> int:
        return self.c_in * math.prod(self.i) * (self.c_out // self.groups) * math.prod(self.k)

    @property
    def view_padding(self) -> Tuple[Any, ...]:
        """Zeros on each side of the stretched input in the direct view, per axis: ``d(k - 1) - p`` (negative
        crops); a ``(before, after)`` pair where the two sides differ."""
        pairs = self.view_padding_pairs
        return tuple(b if b == a else (b, a) for b, a in pairs)

    @property
    def view_padding_pairs(self) -> Tuple[Tuple[int, int], ...]:
        """``(d(k - 1) - p_before, d(k - 1) - p_after)`` of every axis."""
        return tuple((d * (k - 1) - b, d * (k - 1) - e) for k, (b, e), d in zip(self.k, self.padding, self.d))

    def _init_args(self) -> dict[str, Any]:
        return {**super()._init_args(), "output_padding": self.output_padding}

    def _params(self) -> str:
        text = super()._params()
        if any(self.output_padding):
            text += f", output_padding={fmt_sizes(self.output_padding)}"
        return text

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.conv_transpose_relationship(output_padding=self.output_padding[a], **self._axis(a))


@dataclass(frozen=True, init=False, repr=False)
class Pool(_Spec):
    """A max or average pooling, as PyTorch's ``max_pool1d/2d/3d`` / ``avg_pool1d/2d/3d``.

    ``s`` defaults to ``k``.  Max pooling pads with -inf; average pooling
    counts the padding (``count_include_pad=True``) and has no dilation.
    ``p`` is an int or ``(before, after)`` pairs, each side at most ``k // 2``
    (PyTorch's rule), or ``"valid"``, or ``"same"`` (TensorFlow's rule; max
    pooling only, since TensorFlow's SAME average leaves padding out of the count).
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

    mode: str = "max"
    ceil_mode: bool = False

    kind = "pool"

    def __init__(
        self, i: Size, k: Size, s: Optional[Size] = None, p: Any = 0, d: Size = 1,
        mode: str = "max", ceil_mode: bool = False, *, c_in: int = 1,
    ) -> None:
        check_choice("mode", mode, ("max", "avg"))
        check_bool("ceil_mode", ceil_mode)
        ceil_mode = bool(ceil_mode)
        if isinstance(p, str) and p == "same" and mode == "avg":  # p may be an array: no elementwise ==
            raise ValueError("p='same' is for max pooling: TensorFlow's SAME average pooling leaves the padding out "
                             "of the count, PyTorch's counts it; give the padding pairs to draw PyTorch's")
        _set_common(self, "pool", i, k, k if s is None else s, p, d)
        c = check_int("c_in", c_in, 1)
        _set_channels(self, c, c, c)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "ceil_mode", ceil_mode)
        if mode == "avg" and any(v != 1 for v in self.d):
            raise ValueError(f"d must be 1 for average pooling (PyTorch's avg_pool has no dilation), got "
                             f"{fmt_sizes(self.d)}")
        if mode == "avg" and self.ndim == 3 and any(i < k for i, k in zip(self.i, self.k)):
            # PyTorch's avg_pool3d checks the input itself, padding apart (its pool3d_shape_check); max_pool3d,
            # avg_pool1d and avg_pool2d do not.
            raise ValueError(f"i: PyTorch's avg_pool3d needs an input at least the kernel on every axis, padding "
                             f"apart: input {fmt_sizes(self.i)} is smaller than k={fmt_sizes(self.k)}; use a "
                             f"larger i or a smaller k")
        if ceil_mode and not self.symmetric:
            raise ValueError("ceil_mode=True needs the same padding on both sides (PyTorch pads pools evenly); "
                             f"got p={self._p_text()}")
        _ = self.output_shape  # computing it validates the combination

    @property
    def output_shape(self) -> Sizes:
        """The pooled output size, one value per axis."""
        return per_axis(lambda i, k, s, pad, d: ar.padded_pool_output_size(i, k, s, pad, d, self.ceil_mode),
                     self.i, self.k, self.s, self.padding, self.d)

    def _stride_shown(self) -> bool:
        return self.s != self.k  # a pooling's stride defaults to its kernel

    def _params(self) -> str:
        parts = [super()._params(), f"mode={self.mode!r}"]
        if self.ceil_mode:
            parts.append("ceil_mode=True")
        return ", ".join(parts)

    def _channel_params(self) -> list[str]:
        return [f"c_in={self.c_in}"] if self.c_in != 1 else []  # c_out and groups follow from it

    def _init_args(self) -> dict[str, Any]:
        kw = super()._init_args()
        del kw["c_out"], kw["groups"]
        return {**kw, "mode": self.mode, "ceil_mode": self.ceil_mode}

    def _axis_relationship(self, a: int) -> Optional[int]:
        return ar.pool_relationship(ceil_mode=self.ceil_mode, **self._axis(a))


def _set_common(obj: _Spec, kind: str, i: Any, k: Any, s: Any, p: Any, d: Any) -> None:
    ndim = rank_of(i)
    object.__setattr__(obj, "i", sizes("i", i, 1, ndim))
    object.__setattr__(obj, "k", sizes("k", k, 1, ndim))
    object.__setattr__(obj, "s", sizes("s", s, 1, ndim))
    object.__setattr__(obj, "d", sizes("d", d, 1, ndim))
    padding, rule = resolve_padding(kind, p, ndim, obj.i, obj.k, obj.s, obj.d)
    object.__setattr__(obj, "padding", padding)
    object.__setattr__(obj, "padding_rule", rule)


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
