"""Where the grids go on the page: the guide's slanted view or side by side, in cell units (pure numbers)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

from ..core.geometry import Scene

__all__ = ["Layout", "layout", "caption_block", "COL", "ROW"]

# ---- layout: where the grids go on the page ---------------------------------------------------------

# The guide's slanted view, measured from its figures: one column step goes right and a little up,
# one row step goes down and right (y grows upwards on the page).
COL = np.array([1.0, 0.487])
ROW = np.array([0.70, -0.644])


@dataclass(frozen=True)
class Layout:
    """Page positions, in cell units with y growing upwards.

    Attributes
    ----------
    style : "paper" or "flat"
    canvas_quads : (rows*cols, 4, 2) array
        The canvas cells' corners, row-major, corners in the order
        top-left, top-right, bottom-right, bottom-left.
    output_quads : (oh*ow, 4, 2) array
    output_outline : (4, 2) array
        The output map's corners.
    input_label, output_label : (2,) arrays
        Where the names of the maps go.
    bounds : (xmin, xmax, ymin, ymax)
        A box holding everything, the same for every frame.
    """

    style: str
    canvas_shape: Tuple[int, ...]
    output_shape: Tuple[int, ...]
    output_offset: np.ndarray
    bounds: Tuple[float, float, float, float]

    def project(self, rows: ArrayLike, cols: ArrayLike, plane: str = "canvas") -> np.ndarray:
        """Page points of grid corners ``(rows, cols)`` on the ``"canvas"`` or ``"output"`` plane; shape ``(..., 2)``."""
        rows, cols = np.asarray(rows, dtype=float), np.asarray(cols, dtype=float)
        if self.style == "paper":
            pts = cols[..., None] * COL + rows[..., None] * ROW
        else:
            pts = np.stack([cols, -rows], axis=-1)
        return pts + (self.output_offset if plane == "output" else 0.0)

    def quads(self, rows: ArrayLike, cols: ArrayLike, plane: str = "canvas",
              height: int = 1, width: int = 1) -> np.ndarray:
        """Corners of the cells (or blocks of ``height`` x ``width`` cells) at ``(rows, cols)``: ``(n, 4, 2)``."""
        r = np.asarray(rows, dtype=float).ravel()[:, None] + np.array([0, 0, height, height])
        c = np.asarray(cols, dtype=float).ravel()[:, None] + np.array([0, width, width, 0])
        return self.project(r, c, plane)

    def grid_quads(self, shape: Tuple[int, ...], plane: str = "canvas") -> np.ndarray:
        r, c = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
        return self.quads(r, c, plane)

    @property
    def canvas_quads(self) -> np.ndarray:
        return self.grid_quads(self.canvas_shape)

    @property
    def output_quads(self) -> np.ndarray:
        return self.grid_quads(self.output_shape, "output")

    @property
    def output_outline(self) -> np.ndarray:
        return self.quads([0], [0], "output", *self.output_shape)[0]

    @property
    def canvas_outline(self) -> np.ndarray:
        return self.quads([0], [0], "canvas", *self.canvas_shape)[0]

    def centres(self, rows: ArrayLike, cols: ArrayLike, plane: str = "canvas") -> np.ndarray:
        """Page points of cell centres."""
        return self.project(np.asarray(rows) + 0.5, np.asarray(cols) + 0.5, plane)

    @property
    def input_label(self) -> np.ndarray:
        if self.style == "paper":
            # Below the canvas's bottom corner.
            return self.project(self.canvas_shape[0], 0) + np.array([-0.2, -0.9])
        return self.project(self.canvas_shape[0], self.canvas_shape[1] / 2) + np.array([0.0, -0.7])

    @property
    def output_label(self) -> np.ndarray:
        if self.style == "paper":
            # Beyond the output map's top corner.
            return self.project(0, self.output_shape[1], "output") + np.array([0.0, 0.8])
        return self.project(self.output_shape[0], self.output_shape[1] / 2, "output") + np.array([0.0, -0.7])


#: Text sizes in cell units: labels, and the widest a caption's letters may be.
LABEL_SIZE = 0.55
CAPTION_SIZE = 0.45
_CHAR_WIDTH = 0.6  # a character's width per unit of font size, roughly, for DejaVu Sans


def caption_block(lines: Sequence[str], width: float) -> Tuple[list[str], float]:
    """Wrap caption ``lines`` to ``width`` cell units; return the lines and their font size in cell units.

    Lines are wrapped at 4.2 characters per unit (at least 30, at most 90 a line), and
    the font shrinks below ``CAPTION_SIZE`` where the widest line would not fit.
    """
    import textwrap

    chars = int(min(90, max(30, 4.2 * width)))
    wrapped: list[str] = []
    for line in lines:
        wrapped += textwrap.wrap(line, chars, subsequent_indent="    ", break_on_hyphens=False) or [""]
    longest = max((len(x) for x in wrapped), default=1)
    return wrapped, min(CAPTION_SIZE, width / (_CHAR_WIDTH * longest))


def layout(sc: Scene, style: str = "paper", *, labels: bool = False, caption: Sequence[str] = (),
           anchor: float = 0.5) -> Layout:
    """Place the canvas and the output map of ``sc`` on the page.

    ``"paper"``: the guide's slanted view, the output map floating above the
    canvas; ``"flat"``: unslanted, the output map to the right (above, for a
    canvas of one row: a 1D layer).  ``labels``
    and ``caption`` (lines of text) make room for the maps' names and a
    caption under the figure.

    Examples
    --------
    >>> from convanim import Conv, scene
    >>> lay = layout(scene(Conv(5, 3, s=2, p=1)))
    >>> lay.canvas_quads.shape, lay.output_quads.shape
    ((49, 4, 2), (9, 4, 2))
    """
    if style not in ("paper", "flat"):
        raise ValueError(f"style must be 'paper' or 'flat', got {style!r}")
    (R, C), (OH, OW) = sc.canvas_shape, sc.output_shape
    probe = Layout(style, sc.canvas_shape, sc.output_shape, np.zeros(2), (0, 0, 0, 0))
    canvas = probe.canvas_outline
    out0 = probe.quads([0], [0], "canvas", OH, OW)[0]
    if style == "paper":
        gap = 0.6 + 0.05 * max(R, C)
        dx = canvas[:, 0].mean() - out0[:, 0].mean()
        dy = canvas[:, 1].max() + gap - out0[:, 1].min()
    elif R == 1 and OH == 1:
        # A row (a 1D layer): the output row above it, as 1D convolutions are drawn.  At unit stride each output
        # cell stands over its window, at ``anchor`` along it (0.5 its middle; 1.0 its last tap: a causal layer's
        # output over the input it ends at).
        gap = 1.2
        extent = sc.window_extent()[1]
        if sc.step[1] == 1:
            dx = anchor * (extent - 1)
        else:
            dx = canvas[:, 0].mean() - out0[:, 0].mean()
        dy = canvas[:, 1].max() + gap - out0[:, 1].min()
    else:
        gap = 1.5 + 0.05 * max(R, C)
        dx = canvas[:, 0].max() + gap - out0[:, 0].min()
        dy = canvas[:, 1].mean() - out0[:, 1].mean()
    offset = np.array([dx, dy])
    pts = [canvas, out0 + offset]
    probe = Layout(style, sc.canvas_shape, sc.output_shape, offset, (0, 0, 0, 0))
    if labels:
        # Two lines of text at most, about 26 characters wide, centred on each label's point.
        half_w, line_h = 0.5 * _CHAR_WIDTH * LABEL_SIZE * 26, 1.3 * LABEL_SIZE
        x, y = probe.input_label
        pts.append(np.array([[x - half_w, y - line_h], [x + half_w, y]]))
        x, y = probe.output_label
        pts.append(np.array([[x - half_w, y], [x + half_w, y + 2 * line_h]]))
    allpts = np.concatenate(pts)
    margin = 0.6
    xmin, ymin = allpts.min(axis=0) - margin
    xmax, ymax = allpts.max(axis=0) + margin
    if caption:
        lines, size = caption_block(caption, xmax - xmin - 2 * margin)
        ymin -= len(lines) * 1.3 * size + margin
    return Layout(style, sc.canvas_shape, sc.output_shape, offset,
                  (float(xmin), float(xmax), float(ymin), float(ymax)))
