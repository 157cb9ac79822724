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
from typing import Any, Optional, Tuple, Union

from . import arithmetic as ar
from .checks import check_bool, check_choice, check_int
from .layer import LayerBase, set_channels, set_common
from .padding import check_padding_mode
from .sizes import (
    AXIS_NAMES,
    Pair,
    Size,
    Sizes,
    fmt_sizes,
    per_axis,
    shape_text,
    sizes,
)

__all__ = ["Conv", "ConvTranspose", "Pool", "Spec", "Size", "Pair", "Sizes", "AXIS_NAMES", "shape_text"]


@dataclass(frozen=True, init=False, repr=False)
class Conv(LayerBase):
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
        set_common(self, "conv", i, k, s, p, d)
        set_channels(self, c_in, c_out, groups)
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
class ConvTranspose(LayerBase):
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
        set_common(self, "conv_transpose", i, k, s, p, d)
        set_channels(self, c_in, c_out, groups)
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
class Pool(LayerBase):
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
        set_common(self, "pool", i, k, k if s is None else s, p, d)
        c = check_int("c_in", c_in, 1)
        set_channels(self, c, c, c)
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


Spec = Union[Conv, ConvTranspose, Pool]
