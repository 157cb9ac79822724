"""The matrix view, pure part: the guide's unrolled matrix C as symbols and page positions.

A convolution is ``y = C x`` with ``x`` and ``y`` the input and output unrolled
row-major; a transposed convolution is ``y = C^T x`` with C the matrix of the
convolution it transposes.  Row ``t`` of the matrix is frame ``t`` of the
animation: the output cell it writes and the input cells it reads.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from .checks import check_one_channel
from .numerics import conv_matrix
from .spec import Pool, Spec

__all__ = ["MAX_MATRIX", "tap_matrix", "matrix_symbols", "check_matrix_size"]

#: The largest matrix drawn (rows or columns) unless the caller raises ``max_matrix``.
MAX_MATRIX = 256


def check_matrix_size(spec: Spec, max_matrix: int = MAX_MATRIX) -> Tuple[int, int]:
    """``(rows, cols)`` of the matrix of ``spec``; refuse it past ``max_matrix``, for a max pooling, or with channels
    (not drawn yet)."""
    check_one_channel(spec)
    if isinstance(spec, Pool) and spec.mode == "max":
        raise ValueError("view='matrix': a max pooling is not linear and has no matrix; use mode='avg'")
    rows = spec.output_shape[0] * spec.output_shape[1]
    cols = spec.input_shape[0] * spec.input_shape[1]
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
    ids = np.arange(1, spec.k[0] * spec.k[1] + 1, dtype=float).reshape(spec.k)
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
        n = spec.k[0] * spec.k[1]
        return np.where(taps > 0, f"1/{n}", "0")
    kw = spec.k[1]
    names = np.array(["0"] + [f"w{t // kw},{t % kw}" for t in range(spec.k[0] * kw)])
    return names[taps]
