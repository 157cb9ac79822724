"""What every layer spec shares (:class:`LayerBase`): sizes per axis, padding pairs, channels, the derived
shapes, formulas and captions; and the two helpers that check and set them.  :mod:`convanim.core.spec` builds
Conv, ConvTranspose and Pool on it.

Examples
--------
>>> from convanim import Conv
>>> isinstance(Conv(5, 3), LayerBase)
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Tuple

from .caption import direct_view, notes
from .checks import check_int
from .cost import MAX_ELEMENTS
from .formula import formulas
from .padding import Padding, resolve_padding
from .receptive import layer_receptive_field
from .sizes import (
    Sizes,
    fmt_input,
    fmt_sizes,
    one_or_tuple,
    rank_of,
    shape_text,
    sizes,
)

__all__ = ["LayerBase", "set_common", "set_channels"]


@dataclass(frozen=True, init=False, repr=False)
class LayerBase:
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
        >>> from convanim import Conv
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
        >>> from convanim import Conv
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
        >>> from convanim import Conv
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
        >>> from convanim import Conv
        >>> print(Conv(5, 3, s=2, p=1).describe())
        Conv(i=5, k=3, s=2, p=1): input 5x5 -> output 3x3
        relationship 6 (zero padding, non-unit strides): o = floor((i + 2p - k) / s) + 1 = floor((5 + 2*1 - 3) / 2) + 1 = 3
        """
        lines = [f"{self!r}: input {shape_text(self.input_shape)} -> output {shape_text(self.output_shape)}"]
        lines += [f.plain() for f in formulas(self)]
        lines += [n.plain() for n in notes(self)]
        view = direct_view(self)
        if view is not None:
            lines.append(view.plain())
        return "\n".join(lines)


def set_common(obj: LayerBase, kind: str, i: Any, k: Any, s: Any, p: Any, d: Any) -> None:
    ndim = rank_of(i)
    object.__setattr__(obj, "i", sizes("i", i, 1, ndim))
    object.__setattr__(obj, "k", sizes("k", k, 1, ndim))
    object.__setattr__(obj, "s", sizes("s", s, 1, ndim))
    object.__setattr__(obj, "d", sizes("d", d, 1, ndim))
    padding, rule = resolve_padding(kind, p, ndim, obj.i, obj.k, obj.s, obj.d)
    object.__setattr__(obj, "padding", padding)
    object.__setattr__(obj, "padding_rule", rule)


def set_channels(obj: LayerBase, c_in: object, c_out: object, groups: object) -> None:
    """PyTorch's rules: positive counts, both divisible by ``groups``."""
    ci, co, g = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1), check_int("groups", groups, 1)
    for name, value in (("c_in", ci), ("c_out", co)):
        if value % g:
            raise ValueError(f"{name} must be divisible by groups, as in PyTorch: {name}={value} is not a multiple "
                             f"of groups={g}")
    object.__setattr__(obj, "c_in", ci)
    object.__setattr__(obj, "c_out", co)
    object.__setattr__(obj, "groups", g)
