"""A depthwise separable convolution: a depthwise convolution, then a pointwise one on its output.

:class:`Separable` is a pair of layers, frozen and checked: the depthwise ``Conv(i, k, c_in=C, c_out=C,
groups=C)`` and the pointwise ``Conv(o, 1, c_in=C, c_out=M)`` whose input is the depthwise output.  It counts
weights and multiply-adds against the standard ``Conv(i, k, c_in=C, c_out=M)`` it stands in for, and computes
the values of the pair (the pointwise input is exactly the depthwise output).  Its ``layers`` are in order, so
that a general stack of layers can take it over.  Pure: no matplotlib.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Optional, Sequence, Tuple

import numpy as np

from .checks import check_array, check_int, check_spec
from .numerics import apply, check_apply_cost, default_input, default_kernel
from .spec import Conv, Size, shape_text

__all__ = ["Separable", "separable", "pair_kernel"]


def separable(i: Size, k: Size, c_in: int, c_out: int, s: Size = 1, p: Size = 0, d: Size = 1) -> Separable:
    """The depthwise separable convolution standing in for ``Conv(i, k, s, p, d, c_in=c_in, c_out=c_out)``.

    Parameters
    ----------
    i, k, s, p, d : int or (int, int)
        Input size, kernel size, stride, padding and dilation of the depthwise convolution.
    c_in, c_out : int
        Input channels (each convolved alone, ``groups = c_in``) and output channels of the pointwise ``1x1``
        convolution that mixes them.

    Examples
    --------
    >>> sep = separable(5, 3, c_in=3, c_out=4)
    >>> sep.depthwise, sep.pointwise
    (Conv(i=5, k=3, c_in=3, c_out=3, groups=3), Conv(i=3, k=1, c_in=3, c_out=4))
    >>> sep.n_weights, sep.standard.n_weights
    (39, 108)
    """
    c_in = check_int("c_in", c_in, 1)
    c_out = check_int("c_out", c_out, 1)
    depthwise = Conv(i, k, s, p, d, c_in=c_in, c_out=c_in, groups=c_in)
    if depthwise.ndim != 2:
        raise ValueError(f"i: the depthwise separable pair is drawn for 2D layers, got a {depthwise.ndim}D input "
                         f"{i!r}; its two layers work alone in any rank")
    return Separable(depthwise, Conv(depthwise.output_shape, 1, c_in=c_in, c_out=c_out))


@dataclass(frozen=True)
class Separable:
    """A depthwise convolution and the pointwise (``1x1``) convolution that reads its output.

    Parameters
    ----------
    depthwise : Conv
        ``groups == c_in == c_out``: each input channel convolved with its own ``k x k`` slice.
    pointwise : Conv
        A ``1x1`` convolution with ``groups = 1`` whose input is the depthwise output (same channels, same
        size) and that keeps that size.

    Examples
    --------
    >>> sep = Separable(Conv(5, 3, c_in=2, c_out=2, groups=2), Conv(3, 1, c_in=2, c_out=5))
    >>> sep.input_shape, sep.output_shape, sep.n_frames
    ((5, 5), (3, 3), 63)
    >>> print(sep.describe().splitlines()[-1])
    multiply-adds: depthwise 2*3*3*3*3 + pointwise 5*3*3*2 = 162 + 90 = 252 vs 810 standard
    """

    depthwise: Conv
    pointwise: Conv

    kind: ClassVar[str] = "separable"  # what the catalogue calls it; not a field

    def __post_init__(self) -> None:
        dw, pw = check_spec(self.depthwise, "depthwise", (Conv,)), check_spec(self.pointwise, "pointwise", (Conv,))
        if dw.c_in < 2:
            raise ValueError(f"c_in must be at least 2 for a depthwise separable convolution, got {dw.c_in} (with one "
                             f"channel it is a convolution followed by a scaling: draw the two layers alone)")
        if not dw.groups == dw.c_in == dw.c_out:
            raise ValueError(f"depthwise: {dw!r} is not depthwise: it needs groups == c_in == c_out")
        if pw.k != (1, 1) or pw.groups != 1 or pw.output_shape != pw.input_shape:
            raise ValueError(f"pointwise: {pw!r} is not pointwise: it needs k=1, groups=1 and its output the size "
                             f"of its input")
        if pw.c_in != dw.c_out or pw.input_shape != dw.output_shape:
            raise ValueError(f"pointwise: its input ({pw.c_in} channels of {shape_text(pw.input_shape)}) must be the "
                             f"depthwise output ({dw.c_out} channels of {shape_text(dw.output_shape)})")

    def __repr__(self) -> str:
        return f"Separable({self.depthwise!r}, {self.pointwise!r})"

    @property
    def layers(self) -> Tuple[Conv, Conv]:
        """The two layers, in the order they run."""
        return (self.depthwise, self.pointwise)

    @property
    def channels(self) -> bool:
        return True

    @property
    def c_in(self) -> int:
        return self.depthwise.c_in

    @property
    def c_out(self) -> int:
        return self.pointwise.c_out

    @property
    def input_shape(self) -> Tuple[int, ...]:
        return self.depthwise.input_shape

    @property
    def output_shape(self) -> Tuple[int, ...]:
        return self.pointwise.output_shape

    @property
    def relationship(self) -> None:
        """``None``: the guide's relationships are those of one layer (see each of :attr:`layers`)."""
        return None

    @property
    def n_frames(self) -> int:
        """Frames of the animation: the depthwise frames, then the pointwise ones."""
        return sum(layer.c_out * math.prod(layer.output_shape) for layer in self.layers)

    @property
    def standard(self) -> Conv:
        """The standard convolution the pair stands in for: the depthwise sizes, ``c_in`` to ``c_out``, no groups."""
        return self.depthwise.replace(c_out=self.c_out, groups=1)

    @property
    def n_weights(self) -> int:
        """Weights of both layers (bias apart)."""
        return self.depthwise.n_weights + self.pointwise.n_weights

    @property
    def macs(self) -> int:
        """Multiply-adds of both layers (dense, as PyTorch computes them; bias apart)."""
        return self.depthwise.macs + self.pointwise.macs

    def cost_lines(self) -> Tuple[str, str]:
        """Weights and multiply-adds of each layer, their sums, and the standard convolution's, in words.

        Examples
        --------
        >>> print(separable(5, 3, 3, 4).cost_lines()[0])
        weights: depthwise 3*3*3 + pointwise 3*4 = 39 vs 108 standard
        """
        dw, pw, st = self.depthwise, self.pointwise, self.standard
        kh, kw = dw.k
        (oh, ow) = dw.output_shape
        weights = (f"weights: depthwise {dw.c_in}*{kh}*{kw} + pointwise {pw.c_in}*{pw.c_out} = {self.n_weights} vs "
                   f"{st.n_weights} standard")
        macs = (f"multiply-adds: depthwise {dw.c_out}*{oh}*{ow}*{kh}*{kw} + pointwise {pw.c_out}*{oh}*{ow}*{pw.c_in}"
                f" = {dw.macs} + {pw.macs} = {self.macs} vs {st.macs} standard")
        return weights, macs

    def caption_lines(self, math: bool = False) -> list[list[str]]:
        r"""The caption as lines of unbreakable pieces (plain text, or matplotlib mathtext with ``math``): the
        pair and its shapes, then weights and multiply-adds against the standard convolution.

        Examples
        --------
        >>> for line in separable(5, 3, 3, 4).caption_lines():
        ...     print(" ".join(line))
        Depthwise separable convolution: input 3×5×5 → depthwise k = 3, groups = 3 → 3×3×3 → pointwise 1×1 → 4×3×3
        weights: depthwise 3·3·3 + pointwise 3·4 = 39 vs 108 standard;
        multiply-adds: 243 + 108 = 351 vs 972 standard
        """
        dw, pw, st = self.depthwise, self.pointwise, self.standard

        def size(*n: int) -> str:
            return (r"{\times}" if math else "×").join(map(str, n))

        def m(text: str) -> str:
            return f"${text}$" if math else text

        dot = r" \cdot " if math else "·"
        params = [f"{n} = {v[0] if v[0] == v[1] else v}" for n, v in (("k", dw.k), ("s", dw.s), ("p", dw.p),
                                                                        ("d", dw.d))
                  if n == "k" or v != {"s": (1, 1), "p": (0, 0), "d": (1, 1)}[n]]
        head = ["Depthwise separable convolution:", f"input {m(size(self.c_in, *self.input_shape))}",
                f"→ depthwise {', '.join(m(q) for q in params)},",
                m((r"\mathrm{groups}" if math else "groups") + f" = {dw.groups}"),
                f"→ {m(size(dw.c_out, *dw.output_shape))}", f"→ pointwise {m(size(1, 1))}",
                f"→ {m(size(pw.c_out, *pw.output_shape))}"]
        kh, kw = dw.k
        weights = [f"weights: depthwise {m(dot.join(map(str, (dw.c_in, kh, kw))))}",
                   f"+ pointwise {m(dot.join(map(str, (pw.c_in, pw.c_out))) + f' = {self.n_weights}')}",
                   f"vs {m(str(st.n_weights))} standard;"]
        macs = [f"multiply-adds: {m(f'{dw.macs} + {pw.macs} = {self.macs}')}", f"vs {m(str(st.macs))} standard"]
        return [head, weights, macs]

    def describe(self) -> str:
        """The pair in words: each layer's shapes, then what it costs against the standard convolution.

        Examples
        --------
        >>> print(separable(5, 3, 3, 4).describe().splitlines()[0].split(": ")[1])
        input 3x5x5 -> depthwise 3x3x3 -> pointwise 4x3x3
        """
        dw, pw = self.depthwise, self.pointwise
        head = (f"{self!r}: input {dw.c_in}x{shape_text(dw.input_shape)} -> depthwise "
                f"{dw.c_out}x{shape_text(dw.output_shape)} -> pointwise {pw.c_out}x{shape_text(pw.output_shape)}")
        return "\n".join([head, f"depthwise: {dw!r}", f"pointwise: {pw!r}", *self.cost_lines()])

    def default_values(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(x, w1, w2)`` drawn when none are given: each layer's own defaults, except that a pointwise output
        channel whose seeded weights are all 0 gets weights 1 (a map of zeros would show nothing).

        Examples
        --------
        >>> separable(4, 3, 3, 4).default_values()[2][:, :, 0, 0]
        array([[1., 1., 1.],
               [2., 1., 0.],
               [0., 1., 0.],
               [2., 0., 2.]])
        """
        x = default_input(self.depthwise)
        w1, w2 = default_kernel(self.depthwise), default_kernel(self.pointwise)
        assert w1 is not None and w2 is not None
        w2[~w2.any(axis=(1, 2, 3))] = 1.0
        return x, w1, w2

    def apply(self, x: Any = None, kernel: Optional[Sequence[Any]] = None) -> Tuple[np.ndarray, np.ndarray]:
        """The depthwise output and the pointwise output: ``apply(pointwise, apply(depthwise, x, w1), w2)``.

        ``x`` is ``(c_in, h, w)``; ``kernel`` is the pair ``(w1, w2)`` of PyTorch weights, ``(c_in, 1, kh, kw)``
        and ``(c_out, c_in, 1, 1)``.  Missing values are :meth:`default_values`.

        Examples
        --------
        >>> sep = separable(4, 3, 2, 3)
        >>> mid, out = sep.apply()
        >>> mid.shape, out.shape
        ((2, 2, 2), (3, 2, 2))
        """
        # The cost first (both layers, their defaults where they are needed): an absurd pair is refused at once,
        # and no default value is made that is not used.
        for layer in self.layers:
            check_apply_cost(layer, x=x is None, kernel=kernel is None)
        x = default_input(self.depthwise) if x is None else x
        if kernel is not None:
            w1, w2 = pair_kernel(self, kernel)
        else:
            _, w1, w2 = self.default_values()
        mid = apply(self.depthwise, x, w1)
        return mid, apply(self.pointwise, mid, w2)


def pair_kernel(pair: Separable, kernel: Any) -> Tuple[np.ndarray, np.ndarray]:
    """``kernel`` as the pair ``(w1, w2)`` of the depthwise and the pointwise weights, checked."""
    if isinstance(kernel, np.ndarray) or not isinstance(kernel, (tuple, list)) or len(kernel) != 2:
        raise TypeError(f"kernel of a separable pair must be a pair (w1, w2): the depthwise weights "
                        f"{pair.depthwise.weight_shape} and the pointwise weights {pair.pointwise.weight_shape}")
    return (check_array("kernel[0]", kernel[0], pair.depthwise.weight_shape),
            check_array("kernel[1]", kernel[1], pair.pointwise.weight_shape))
