"""The matrix view, pure part: the guide's unrolled matrix C as symbols and page positions.

A convolution is ``y = C x`` with ``x`` and ``y`` the input and output unrolled
row-major; a transposed convolution is ``y = C^T x`` with C the matrix of the
convolution it transposes.  Row ``t`` of the matrix is frame ``t`` of the
animation: the output cell it writes and the input cells it reads.
"""
from __future__ import annotations

import math
from typing import Tuple

import numpy as np

from .checks import check_one_channel
from .numerics import conv_matrix
from .spec import Pool, Spec

__all__ = ["MAX_MATRIX", "tap_matrix", "matrix_symbols", "check_matrix_size", "tap_name"]

#: The largest matrix drawn (rows or columns) unless the caller raises ``max_matrix``.
MAX_MATRIX = 256


def check_matrix_size(spec: Spec, max_matrix: int = MAX_MATRIX) -> Tuple[int, int]:
    """``(rows, cols)`` of the matrix of ``spec``; refuse it past ``max_matrix``, for a max pooling, or with channels
    (not drawn yet)."""
    check_one_channel(spec)
    if spec.ndim == 3:
        raise ValueError(f"view='matrix': {spec!r} is 3D, and its matrix is not drawn (its input and output have no "
                         f"flat picture); conv_matrix(spec) computes it")
    if isinstance(spec, Pool) and spec.mode == "max":
        raise ValueError("view='matrix': a max pooling is not linear and has no matrix; use mode='avg'")
    rows = math.prod(spec.output_shape)
    cols = math.prod(spec.input_shape)
    if max(rows, cols) > max_matrix:
        raise ValueError(f"view='matrix': the matrix of {spec!r} is {rows}x{cols}, more than max_matrix="
                         f"{max_matrix} rows or columns; pass max_matrix={max(rows, cols)} "
                         f"(--max-matrix {max(rows, cols)}) to draw it anyway")
    return rows, cols


def tap_matrix(spec: Spec) -> np.ndarray:
    """The matrix with, at each non-zero entry, ``1 +`` the flat index of the kernel tap that puts it there; 0 elsewhere.

    For a transposed convolution the tap is that of the kernel as given (the
    direct view draws it rotated; the entry is the same weight).

    Examples
    --------
    >>> from convanim import Conv
    >>> tap_matrix(Conv(4, 3))[0, :6]
    array([1, 2, 3, 0, 4, 5])
    """
    check_one_channel(spec, "drawn as a matrix")
    if isinstance(spec, Pool):
        return (conv_matrix(spec) != 0).astype(np.int64)
    ids = np.arange(1, math.prod(spec.k) + 1, dtype=float).reshape(spec.k)
    return np.rint(conv_matrix(spec, ids)).astype(np.int64)


def matrix_symbols(spec: Spec) -> np.ndarray:
    """The text of each entry: ``w0,0`` ... for the weights (the guide's notation), ``0`` elsewhere.

    Examples
    --------
    >>> from convanim import Conv
    >>> matrix_symbols(Conv(4, 3))[0, :4].tolist()
    ['w0,0', 'w0,1', 'w0,2', '0']
    """
    taps = tap_matrix(spec)
    if isinstance(spec, Pool):
        n = math.prod(spec.k)
        return np.where(taps > 0, f"1/{n}", "0")
    names = np.array(["0"] + [f"w{tap_name(spec, t)}" for t in range(math.prod(spec.k))])
    return names[taps]


def tap_name(spec: Spec, t: int) -> str:
    """The index of flat tap ``t`` as the guide writes it under ``w``: ``"1,2"`` in 2D, ``"3"`` in 1D.

    Examples
    --------
    >>> from convanim import Conv
    >>> tap_name(Conv(4, 3), 5), tap_name(Conv((4,), 3), 2)
    ('1,2', '2')
    """
    return ",".join(str(int(v)) for v in np.unravel_index(t, spec.k))
