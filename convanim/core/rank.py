"""A 1D layer seen as a 2D one of height 1, so that every 2D view draws it.

The lifted layer has the same frames (with a row index 0 in front), the same
values and the same matrix; only its shapes gain a leading axis of size 1.
Pure: no matplotlib.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .spec import Conv, ConvTranspose, Pool, Spec

__all__ = ["as_2d", "lift_values"]


def as_2d(spec: Spec) -> Spec:
    """``spec`` itself in 2D; a 1D ``spec`` as the 2D layer of height 1 that computes the same.

    Raises
    ------
    ValueError
        For a 3D layer, which has no 2D equivalent.

    Examples
    --------
    >>> as_2d(Conv((8,), 3, p="causal", d=2))
    Conv(i=(1, 8), k=(1, 3), p=(0, (4, 0)), d=(1, 2))
    """
    if spec.ndim == 2:
        return spec
    if spec.ndim != 1:
        raise ValueError(f"spec: a {spec.ndim}D layer has no 2D view; as_2d lifts 1D layers only")
    i, k, s, d = ((1, v[0]) for v in (spec.i, spec.k, spec.s, spec.d))
    pad = ((0, 0), spec.padding[0])
    if isinstance(spec, Pool):
        return Pool(i, k, s, pad, d, mode=spec.mode, ceil_mode=spec.ceil_mode, c_in=spec.c_in)
    if isinstance(spec, ConvTranspose):
        return ConvTranspose(i, k, s, pad, d, output_padding=(0, spec.output_padding[0]), c_in=spec.c_in,
                             c_out=spec.c_out, groups=spec.groups)
    return Conv(i, k, s, pad, d, padding_mode=spec.padding_mode, c_in=spec.c_in, c_out=spec.c_out,
                groups=spec.groups)


def lift_values(spec: Spec, values: Any) -> Any:
    """Values of a 1D ``spec`` (input, weights or output, channels first) shaped for :func:`as_2d`; others as
    they are.

    Examples
    --------
    >>> lift_values(Conv((4,), 3), np.arange(4.0)).shape
    (1, 4)
    """
    if values is None or spec.ndim != 1:
        return values
    arr = np.asarray(values, dtype=float)
    return arr.reshape(arr.shape[:-1] + (1, arr.shape[-1]))
