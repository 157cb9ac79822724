"""Still figures as panels: grids, texts and arrows placed by a figure function, laid out by the plan."""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .cell_numbers import cell_texts
from .compose import Composer, Label
from .plan import MIN_TEXT_PT, FrameState, Mover, Shapes, Strokes, Text
from .shapes import arrow_head
from .theme import RGB, Theme

__all__ = ["StillPanel", "grid_quads"]


def grid_quads(origin: Sequence[float], shape: tuple, slant: Optional[tuple] = None) -> np.ndarray:
    """Corners of a ``shape`` grid's cells, row-major, from its top-left ``origin`` (flat unless ``slant`` gives
    the column and row steps)."""
    rows, cols = shape
    rr, cc = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    r = rr.ravel()[:, None] + np.array([0, 0, 1, 1])
    c = cc.ravel()[:, None] + np.array([0, 1, 1, 0])
    if slant is None:
        pts = np.stack([c, -r], axis=-1).astype(float)
    else:
        col, row = np.asarray(slant[0], float), np.asarray(slant[1], float)
        pts = c[..., None] * col + r[..., None] * row
    return pts + np.asarray(origin, dtype=float)


class StillPanel:
    """A one-frame panel: grids (with values written in their cells), labels and arrows."""

    n_frames = 1

    def __init__(self, theme: Theme) -> None:
        self.th = theme
        self.offset = np.zeros(2)
        self.shapes: list[Shapes] = []
        self.strokes: list[Strokes] = []
        self.labels: list[Label] = []
        self.outlines: list[np.ndarray] = []
        self.groups: list[tuple[np.ndarray, list[str], list[RGB], float]] = []
        self.numbers = False
        self.measure: Any = None
        self.lw = 1.0

    def grid(self, quads: np.ndarray, face: RGB, *, dashed: Optional[np.ndarray] = None,
             values: Optional[Sequence[str]] = None, size: float = 0.42, z: float = 1.0,
             outline: bool = True) -> np.ndarray:
        """Cells ``quads`` filled with ``face`` (``dashed`` ones empty, with dashed edges); ``values`` written in
        them at up to ``size`` of a cell."""
        th = self.th
        mask = np.zeros(len(quads), bool) if dashed is None else np.asarray(dashed, bool).ravel()
        if (~mask).any():
            self.shapes.append(Shapes(quads[~mask], face, th.line, width=self.lw, z=z))
        if mask.any():
            self.shapes.append(Shapes(quads[mask], th.padding, th.line, width=self.lw, dashed=True, z=z - 0.1))
        if outline:
            pts = quads.reshape(-1, 2)
            self.outlines.append(_hull_box(pts))
        if values is not None:
            bases = [th.padding if m else face for m in mask]
            self.groups.append((quads, list(values), bases, size))
            self.numbers = True
        return quads

    def label(self, text: str, candidates: list, size: float = 10.0, math: bool = False) -> None:
        self.labels.append(Label(text, size, self.th.text, candidates, math=math))

    def arrow(self, a: ArrayLike, b: ArrayLike, head: float = 0.35) -> None:
        tip = arrow_head(a, b, head, head * 0.8)
        base = (tip[1] + tip[2]) / 2
        self.strokes.append(Strokes(np.array([[np.asarray(a, float), base]]), self.th.line, self.lw, z=7.0))
        self.shapes.append(Shapes(tip[None], self.th.line, None, z=7.0))

    def lines(self, segments: np.ndarray, width: float = 1.0, z: float = 3.0) -> None:
        self.strokes.append(Strokes(np.asarray(segments, float), self.th.line, self.lw * width, z=z))

    # ---- the panel protocol ---------------------------------------------------------------------------------

    def add_still(self, comp: Composer) -> None:
        self.measure = comp.measure
        comp.shapes += self.shapes
        comp.strokes += self.strokes
        comp.outlines += self.outlines
        comp.labels += self.labels

    def add_labels(self, comp: Composer, size: float) -> None:
        return None

    def _fractions(self) -> list[float]:
        out = []
        for quads, values, _, cap in self.groups:
            cell = quads[0] - quads[0][0]
            f, _ = cell_texts(values, cell, self.measure, cap=cap)
            out.append(f)
        return out

    def unit_for_numbers(self) -> float:
        return MIN_TEXT_PT / max(min(self._fractions(), default=1.0), 1e-9)

    def drop_numbers(self, comp: Composer, note: str) -> None:
        if self.numbers:
            self.numbers = False
            comp.notes.append(note)

    def number_texts(self, unit: float) -> list[Text]:
        if not self.numbers:
            return []
        texts = []
        for (quads, values, bases, _), f in zip(self.groups, self._fractions()):
            size = f * unit
            for q, s, base in zip(quads + self.offset, values, bases):
                w, h = self.measure(s, size, False)
                c = q.mean(axis=0)
                texts.append(Text(float(c[0]), float(c[1]), s, size, self.th.ink(base), w, h, cell=q))
        return texts

    def movers(self, unit: float) -> list[Mover]:
        return []

    def frame(self, t: int) -> FrameState:
        if t not in (0, -1):
            raise IndexError(f"frame {t} is out of range: a still figure has 1 frame (0)")
        return FrameState({})

    def cells(self) -> list:
        return []


def _hull_box(pts: np.ndarray) -> np.ndarray:
    """A convex outline of a grid's corner points (its four extreme corners)."""
    s, d = pts[:, 0] + pts[:, 1], pts[:, 0] - pts[:, 1]
    corners = [pts[np.argmin(s)], pts[np.argmax(d)], pts[np.argmax(s)], pts[np.argmin(d)]]
    out = np.array(corners)
    # Drop repeats (a flat grid's extreme points are its corners already).
    return out
