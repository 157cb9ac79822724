"""Padding, one axis at a time: ``(before, after)`` pairs, the named rules, and what the border holds.

A layer's padding is a ``(before, after)`` pair per axis.  It may be given as an
int (both sides, every axis), a tuple with an int or a pair per axis, or a rule:

* ``"valid"``: none;
* ``"same"``: TensorFlow's rule, output ``ceil(i / s)``, total padding
  ``max((ceil(i/s) - 1) * s + d(k - 1) + 1 - i, 0)``, ``total // 2`` before and
  the rest after (at stride 1 this is PyTorch's ``padding='same'``);
* ``"causal"``: ``d(k - 1)`` before, none after (1D only, as Keras' ``Conv1D``).

The border holds zeros, or (``padding_mode``, a convolution's only) copies of
the input: ``"reflect"`` mirrors it without repeating the edge, ``"replicate"``
repeats the edge, ``"circular"`` wraps around, as PyTorch's ``F.pad``.
Pure: no matplotlib.
"""
from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from .checks import check_choice, check_int

__all__ = ["PADDING_MODES", "PADDING_RULES", "Padding", "resolve_padding", "check_padding_mode", "source_index",
           "same_padding"]

#: ``padding_mode`` values, PyTorch's names.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
#: The named padding rules ``p`` takes.
PADDING_RULES = ("valid", "same", "causal")

Padding = Tuple[Tuple[int, int], ...]


def same_padding(i: int, k: int, s: int, d: int) -> Tuple[int, int]:
    """TensorFlow's ``"same"`` padding of one axis: ``(total // 2, total - total // 2)``.

    Examples
    --------
    >>> same_padding(5, 3, 2, 1)   # output ceil(5 / 2) = 3: (3 - 1) * 2 + 3 - 5 = 2 zeros, one each side
    (1, 1)
    >>> same_padding(6, 3, 2, 1)   # one zero: it goes at the end
    (0, 1)
    """
    total = max((-(-i // s) - 1) * s + d * (k - 1) + 1 - i, 0)
    return total // 2, total - total // 2


def _side(name: str, value: Any) -> int:
    return check_int(name, value, 0)


def _axis_pair(name: str, value: Any) -> Tuple[int, int]:
    """An int (both sides) or a ``(before, after)`` pair of one axis."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (before, after) pair, got {len(value)} values: {value!r}")
        return _side(f"{name}[0] (before)", value[0]), _side(f"{name}[1] (after)", value[1])
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int or a (before, after) pair of ints, got {type(value).__name__} "
                        f"{value!r}")
    v = _side(name, value)
    return v, v


def resolve_padding(kind: str, p: Any, ndim: int, i: Sequence[int], k: Sequence[int], s: Sequence[int],
                    d: Sequence[int]) -> Tuple[Padding, Optional[str]]:
    """The ``(before, after)`` pair of every axis, and the rule's name if ``p`` was one.

    ``p`` is an int, a tuple of ``ndim`` ints or pairs (in 1D also a bare
    ``(before, after)`` pair), or one of :data:`PADDING_RULES`.  ``kind`` is
    ``"conv"``, ``"conv_transpose"`` (its padding is cropped from the full
    output; ``"valid"`` only) or ``"pool"`` (``"same"`` and ``"valid"``).

    Examples
    --------
    >>> resolve_padding("conv", "same", 1, (6,), (3,), (2,), (1,))
    (((0, 1),), 'same')
    >>> resolve_padding("conv", ((1, 2), 0), 2, (5, 5), (3, 3), (1, 1), (1, 1))
    (((1, 2), (0, 0)), None)
    """
    if isinstance(p, str):
        rules = {"conv": PADDING_RULES, "conv_transpose": ("valid",), "pool": ("valid", "same")}[kind]
        if p in PADDING_RULES and p not in rules:
            hint = {"conv_transpose": f"; for the transpose of a {p!r} convolution use Conv(..., p={p!r}).transpose() "
                                      f"(the command line's --transposed)",
                    "pool": ""}.get(kind, "")
            what = {"conv_transpose": "transposed convolution", "pool": "pooling"}.get(kind, kind)
            raise ValueError(f"p={p!r} is not available for a {what}: use one of "
                             f"{', '.join(map(repr, rules))} or padding pairs{hint}")
        check_choice("p", p, rules)
        if p == "valid":
            return tuple((0, 0) for _ in range(ndim)), "valid"
        if p == "causal":
            if ndim != 1:
                raise ValueError(f"p='causal' is for 1D layers (as Keras' Conv1D), this one is {ndim}D; give "
                                 f"(before, after) pairs instead")
            return ((d[0] * (k[0] - 1), 0),), "causal"
        return tuple(same_padding(*a) for a in zip(i, k, s, d)), "same"
    if isinstance(p, (tuple, list)):
        if ndim == 1 and len(p) == 2 and all(isinstance(v, numbers.Integral) for v in p):
            return (_axis_pair("p", tuple(p)),), None  # 1D: a bare (before, after) pair
        if len(p) != ndim:
            raise ValueError(f"p must be an int, a rule ({', '.join(map(repr, PADDING_RULES))}) or a tuple of "
                             f"{ndim} values (one per axis, each an int or a (before, after) pair), got "
                             f"{len(p)} values: {p!r}")
        return tuple(_axis_pair(f"p[{a}]", v) for a, v in enumerate(p)), None
    if isinstance(p, bool) or not isinstance(p, numbers.Integral):
        raise TypeError(f"p must be an int, a tuple or one of {', '.join(map(repr, PADDING_RULES))}, got "
                        f"{type(p).__name__} {p!r}")
    v = _side("p", p)
    return tuple((v, v) for _ in range(ndim)), None


def check_padding_mode(mode: Any, padding: Padding, i: Sequence[int]) -> str:
    """Refuse a ``padding_mode`` PyTorch refuses for this padding, naming the parameter.

    ``reflect`` needs padding smaller than the input on that axis,
    ``circular`` at most the input.

    Examples
    --------
    >>> check_padding_mode("reflect", ((2, 2),), (3,))
    'reflect'
    """
    mode = check_choice("padding_mode", mode, PADDING_MODES)
    for a, ((before, after), n) in enumerate(zip(padding, i)):
        side = max(before, after)
        where = f" on axis {a}" if len(i) > 1 else ""
        if mode == "reflect" and side >= n:
            raise ValueError(f"padding_mode='reflect' needs padding smaller than the input (as PyTorch): padding "
                             f"{side} >= input size {n}{where}")
        if mode == "circular" and side > n:
            raise ValueError(f"padding_mode='circular' needs padding at most the input size (as PyTorch): padding "
                             f"{side} > input size {n}{where}")
    return mode


def source_index(pos: np.ndarray, n: int, mode: str = "zeros") -> np.ndarray:
    """The input index each position reads (``-1``: a zero), positions counted from the input's first unit.

    Examples
    --------
    >>> source_index(np.arange(-2, 6), 4, "reflect").tolist()
    [2, 1, 0, 1, 2, 3, 2, 1]
    >>> source_index(np.arange(-2, 6), 4, "circular").tolist()
    [2, 3, 0, 1, 2, 3, 0, 1]
    >>> source_index(np.arange(-1, 5), 4).tolist()
    [-1, 0, 1, 2, 3, -1]
    """
    pos = np.asarray(pos, dtype=np.int64)
    inside = (pos >= 0) & (pos < n)
    if mode == "zeros":
        return np.where(inside, pos, -1)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        return np.mod(pos, n)
    if n == 1:  # reflect on a single unit: only zero padding is allowed, so every position is the unit
        return np.zeros_like(pos)
    period = 2 * (n - 1)
    q = np.mod(pos, period)
    return np.where(q < n, q, period - q)
