"""The composer: a view's geometry and its texts in points, the scale decided, labels placed clear of the grids
and of each other, the caption wrapped between whole pieces of its formulas.  :func:`~convanim.drawing.compose.
compose` uses one to turn panels into a :class:`~convanim.drawing.plan.Plan`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from ..core.formula import join_math
from .plan import CAPTION_PT, MIN_TEXT_PT, Shapes, Strokes, Text, text_box
from .shapes import Box, box_hits_polygon, box_of, boxes_overlap
from .textsize import Measure, estimate
from .theme import RGB, Theme

__all__ = ["Label", "Composer"]


@dataclass
class Label:
    """A text in points placed beside the geometry: candidates ``(x, y, dx, dy, ha, va)``, the first that
    collides with nothing wins."""

    text: str
    size: float
    colour: RGB
    candidates: Sequence[Tuple[float, float, float, float, str, str]]
    role: str = "label"
    math: bool = False


class Composer:
    """Collects a view's geometry and its texts in points, then decides the scale and where labels go.

    A view adds still shapes and strokes (plan units), labels (points, with candidate places), a caption
    (lines of whole pieces, wrapped to the width) and, once the scale is known, numbers sized to their cells.
    """

    def __init__(self, theme: Theme, measure: Measure = estimate) -> None:
        self.theme = theme
        self.measure = measure
        self.shapes: list[Shapes] = []
        self.strokes: list[Strokes] = []
        self.labels: list[Label] = []
        self.caption: list[list[str]] = []
        self.caption_math = False
        self.caption_size = CAPTION_PT
        self.outlines: list[np.ndarray] = []  # grids' outlines: labels stay clear of them
        self.notes: list[str] = []
        self.text_scale = 1.0  # labels and caption come down in size (not under MIN_TEXT_PT) on a small Axes

    def absorb(self, other: Composer, offset: np.ndarray) -> None:
        """Take ``other``'s shapes, strokes, outlines and labels, moved by ``offset``."""
        off = np.asarray(offset, dtype=float)
        self.shapes += [replace(s, verts=s.verts + off) for s in other.shapes]
        self.strokes += [replace(s, segments=s.segments + off,
                                 hole=None if s.hole is None else s.hole + off) for s in other.strokes]
        self.outlines += [o + off for o in other.outlines]
        self.labels += [replace(lab, candidates=[(x + off[0], y + off[1], dx, dy, ha, va)
                                                 for (x, y, dx, dy, ha, va) in lab.candidates])
                        for lab in other.labels]
        self.notes += other.notes

    def text(self, x: float, y: float, s: str, size: float, colour: RGB, **kw: object) -> Text:
        w, h = self.measure(s, size, bool(kw.get("math", False)))
        return Text(x, y, s, size, colour, w, h, **kw)  # type: ignore[arg-type]

    def geometry_box(self) -> Box:
        pts = [s.verts.reshape(-1, 2) for s in self.shapes if s.verts.size]
        pts += [s.segments.reshape(-1, 2) for s in self.strokes if s.segments.size]
        return box_of(np.concatenate(pts))

    def _label_size(self, size: float) -> float:
        return max(MIN_TEXT_PT, size * self.text_scale)

    def _place_labels(self, unit: float) -> list[Text]:
        """Each label at its first candidate place that is clear of the grids and of the labels placed before;
        failing that, the same places pushed further out; failing that, the place that collides least."""
        placed: list[Text] = []
        gap = 2.0 / unit
        for lab in self.labels:
            size = self._label_size(lab.size)
            best, best_hits = None, None
            for push in (1.0, 2.5, 5.0):
                for (x, y, dx, dy, ha, va) in lab.candidates:
                    grow = push - 1.0
                    t = self.text(x, y, lab.text, size, lab.colour, dx=dx * push + np.sign(dx) * grow * 4.0,
                                  dy=dy * push + np.sign(dy) * grow * 4.0, ha=ha, va=va, role=lab.role,
                                  math=lab.math, z=8.0)
                    b = text_box(t, unit)
                    hits = (sum(box_hits_polygon(b, o, gap) for o in self.outlines)
                            + sum(boxes_overlap(b, text_box(p, unit), gap) for p in placed))
                    if best_hits is None or hits < best_hits:
                        best, best_hits = t, hits
                    if hits == 0:
                        break
                if best_hits == 0:
                    break
            assert best is not None
            placed.append(best)
        return placed

    def _caption_lines(self, width_pt: float, size: float) -> list[str]:
        """Break the caption's pieces into as few lines as fit ``width_pt``, as even as can be, breaking only
        between pieces (so a formula is never split and no line is left with a lone "= 3")."""
        lines: list[str] = []
        for pieces in self.caption:
            n = len(pieces)
            width = {(a, b): self._width(join_math(pieces[a:b]), size) for a in range(n) for b in range(a + 1, n + 1)}
            # best[b] = (lines, widest line) of the best breaking of pieces[:b]; fewest lines first.
            best: list[Any] = [(0, 0.0, [])] + [None] * n
            for b in range(1, n + 1):
                for a in range(b):
                    if best[a] is None:
                        continue
                    w = width[a, b]
                    over = w > width_pt and b - a > 1  # a single piece wider than the line stands alone
                    if over:
                        continue
                    cand = (best[a][0] + 1, max(best[a][1], w), best[a][2] + [(a, b)])
                    if best[b] is None or cand[:2] < best[b][:2]:
                        best[b] = cand
            lines += [join_math(pieces[a:b]) for a, b in best[n][2]]
        return lines

    def _width(self, s: str, size: float) -> float:
        return self.measure(s, size, self.caption_math)[0]

    def widest_piece(self, size: float) -> float:
        return max((self._width(p, size) for pieces in self.caption for p in pieces), default=0.0)

    def layout(self, unit: float, width_pt: Optional[float]) -> Tuple[list[Text], Box]:
        """Labels and caption at ``unit``; the box everything takes, in plan units."""
        texts = self._place_labels(unit)
        gx0, gy0, gx1, gy1 = self.geometry_box()
        for t in texts:
            bx = text_box(t, unit)
            gx0, gy0, gx1, gy1 = min(gx0, bx[0]), min(gy0, bx[1]), max(gx1, bx[2]), max(gy1, bx[3])
        margin = 6.0 / unit
        gx0, gy0, gx1, gy1 = gx0 - margin, gy0 - margin, gx1 + margin, gy1 + margin
        if self.caption:
            size = self._label_size(self.caption_size)
            avail = (width_pt if width_pt is not None else (gx1 - gx0) * unit) - 12.0
            avail = max(avail, self.widest_piece(size) + 1.0) if width_pt is None else avail
            lines = self._caption_lines(avail, size)
            cap = self.text((gx0 + gx1) / 2, gy0, "\n".join(lines), size, self.theme.text,
                            va="top", dy=-2.0, role="caption", math=self.caption_math, z=8.0)
            texts.append(cap)
            cb = text_box(cap, unit)
            gx0, gx1 = min(gx0, cb[0] - margin), max(gx1, cb[2] + margin)
            gy0 = cb[1] - margin
        return texts, (gx0, gy0, gx1, gy1)

    def solve(self, box_pt: Optional[Tuple[float, float]], unit: Optional[float]) -> Tuple[float, list[Text], Box]:
        """The scale: ``unit`` as given (convanim sizes the figure), or the largest that fits ``box_pt``.

        In a box, the texts around the geometry take about the same points whatever the scale, so the scale is
        what is left of the box after them.  Where they would leave the drawing less than half of the box,
        their size comes down (not under ``MIN_TEXT_PT``), then the caption, then the labels are left out, each
        with a note.
        """
        if box_pt is None:
            assert unit is not None
            texts, b = self.layout(unit, None)
            return unit, texts, b
        W, H = box_pt
        gx0, gy0, gx1, gy1 = self.geometry_box()
        gw, gh = max(gx1 - gx0, 1e-9), max(gy1 - gy0, 1e-9)
        bare = min(W / gw, H / gh)
        while True:
            u = self._fit(W, H, gw, gh, bare)
            if u is not None:
                texts, b = self.layout(u, W)
                return u, texts, b
            if self.text_scale * max([lab.size for lab in self.labels] + [self.caption_size]) > MIN_TEXT_PT + 1e-9:
                self.text_scale *= 0.85
            elif self.caption:
                self.caption = []
                self.notes.append("caption left out: the Axes is too small for it; draw it larger, or give the "
                                  "formula in your own caption (spec.describe())")
            elif self.labels:
                self.labels = []
                self.notes.append("labels left out: the Axes is too small for them; draw it larger")
            else:
                texts, b = self.layout(bare, W)
                return bare, texts, b

    def _fit(self, W: float, H: float, gw: float, gh: float, bare: float) -> Optional[float]:
        """The largest scale at which the geometry and the texts around it fit ``W`` x ``H`` points, or ``None``
        where the texts would leave the geometry under half the room it would have alone."""
        u = bare
        for _ in range(60):
            _, b = self.layout(u, W)
            over_w = (b[2] - b[0] - gw) * u  # points the texts and margins take beyond the geometry
            over_h = (b[3] - b[1] - gh) * u
            nu = min((W - over_w) / gw, (H - over_h) / gh)
            if nu < bare / 2:
                return None
            if abs(nu - u) < 1e-5 * u:
                break
            u = 0.5 * (u + nu)
        # Make sure of the fit (label places may jump as the scale changes).
        for _ in range(80):
            _, b = self.layout(u, W)
            if (b[2] - b[0]) * u <= W * 1.0001 and (b[3] - b[1]) * u <= H * 1.0001:
                return u
            u *= 0.98
            if u < bare / 2:
                return None
        return None
