"""Where the matrix view's parts go: the matrix C (or C^T) and, beside it, the input and output maps."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from ..core.spec import Spec

__all__ = ["MatrixLayout", "matrix_layout"]


@dataclass(frozen=True)
class MatrixLayout:
    """Where the matrix and, beside it, the input and output maps go (cell units, y up).

    The matrix's entry ``(r, c)`` spans ``x`` from ``c * cell_w`` to ``(c + 1) * cell_w``
    and ``y`` from ``-(r + 1)`` to ``-r``.
    """

    shape: Tuple[int, int]
    cell_w: float
    input_shape: Tuple[int, int]
    output_shape: Tuple[int, int]
    input_origin: np.ndarray
    output_origin: np.ndarray
    bounds: Tuple[float, float, float, float]

    def entry_quads(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        r = np.asarray(rows, dtype=float).ravel()[:, None]
        c = np.asarray(cols, dtype=float).ravel()[:, None]
        x = np.concatenate([c, c + 1, c + 1, c], axis=1) * self.cell_w
        y = -np.concatenate([r, r, r + 1, r + 1], axis=1)
        return np.stack([x, y], axis=-1)

    def row_band(self, r: int) -> np.ndarray:
        w = self.shape[1] * self.cell_w
        return np.array([[0, -r], [w, -r], [w, -r - 1], [0, -r - 1]], dtype=float)

    def map_quads(self, which: str, rows: Optional[np.ndarray] = None, cols: Optional[np.ndarray] = None) -> np.ndarray:
        """Cells of the ``"input"`` or ``"output"`` map (all of them, row-major, when no cells are given)."""
        shape = self.input_shape if which == "input" else self.output_shape
        origin = self.input_origin if which == "input" else self.output_origin
        if rows is None:
            rr, cc = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
            rows, cols = rr.ravel(), cc.ravel()
        r = np.asarray(rows, dtype=float).ravel()[:, None]
        c = np.asarray(cols, dtype=float).ravel()[:, None]
        x = np.concatenate([c, c + 1, c + 1, c], axis=1) + origin[0]
        y = origin[1] - np.concatenate([r, r, r + 1, r + 1], axis=1)
        return np.stack([x, y], axis=-1)


def matrix_layout(spec: Spec, *, numbers: bool = False) -> MatrixLayout:
    """Place the matrix of ``spec`` and its input and output maps.

    Examples
    --------
    >>> from convanim import Conv
    >>> matrix_layout(Conv(4, 3)).shape
    (4, 16)
    """
    rows = spec.output_shape[0] * spec.output_shape[1]
    cols = spec.input_shape[0] * spec.input_shape[1]
    cell_w = 1.2 if numbers else 1.9
    width = cols * cell_w
    (ih, iw), (oh, ow) = spec.input_shape, spec.output_shape
    gap = 2.0
    x0 = width + gap
    # The input map at the top right, the output map under it.
    input_origin = np.array([x0, 0.0])
    output_origin = np.array([x0, -(ih + 2.0)])
    right = x0 + max(iw, ow)
    bottom = min(-rows, -(ih + 2.0 + oh))
    margin = 1.0
    title_room = 1.2
    return MatrixLayout((rows, cols), cell_w, (ih, iw), (oh, ow), input_origin, output_origin,
                        (-margin, right + margin, bottom - margin, title_room + margin))
