"""Composing a Plan: panels side by side, the scale, labels placed clear of the grids, captions wrapped.

:func:`compose` is where every view's figure is decided: given panels (the grid, the matrix, a still figure)
it places them, chooses the scale (or fits the caller's box), sets the numbers' sizes and places the labels
and the caption, all as pure numbers.
"""
from __future__ import annotations

import math as _math
from dataclasses import dataclass, replace
from typing import Any, Optional, Protocol, Sequence, Tuple

import numpy as np

from ..core.formula import join_math
from .plan import (
    CAPTION_PT,
    DEFAULT_UNIT_PT,
    LABEL_PT,
    MAX_SIDE_PT,
    MIN_TEXT_PT,
    FrameState,
    Mover,
    Plan,
    Shapes,
    Strokes,
    Text,
    text_box,
)
from .shapes import Box, box_hits_polygon, box_of, boxes_overlap
from .textsize import Measure, estimate
from .theme import RGB, Theme

__all__ = ["Label", "Composer", "Panel", "compose"]


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

    def absorb(self, other: "Composer", offset: np.ndarray) -> None:
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

    def _place_labels(self, unit: float) -> list[Text]:
        placed: list[Text] = []
        for lab in self.labels:
            choice = None
            for (x, y, dx, dy, ha, va) in lab.candidates:
                t = self.text(x, y, lab.text, lab.size, lab.colour, dx=dx, dy=dy, ha=ha, va=va, role=lab.role,
                              math=lab.math, z=8.0)
                b = text_box(t, unit)
                gap = 2.0 / unit
                if any(box_hits_polygon(b, o, gap) for o in self.outlines):
                    continue
                if any(boxes_overlap(b, text_box(p, unit), gap) for p in placed):
                    continue
                choice = t
                break
            placed.append(choice if choice is not None else self.text(
                *lab.candidates[0][:2], lab.text, lab.size, lab.colour, dx=lab.candidates[0][2],
                dy=lab.candidates[0][3], ha=lab.candidates[0][4], va=lab.candidates[0][5], role=lab.role,
                math=lab.math, z=8.0))
        return placed

    def _caption_lines(self, width_pt: float, size: float) -> list[str]:
        """Wrap the caption's pieces into lines no wider than ``width_pt``, breaking only between pieces."""
        lines: list[str] = []
        for pieces in self.caption:
            current: list[str] = []
            for piece in pieces:
                if current and self._width(join_math(current + [piece]), size) > width_pt:
                    lines.append(join_math(current))
                    current = [piece]
                else:
                    current.append(piece)
            lines.append(join_math(current))
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
            avail = (width_pt if width_pt is not None else (gx1 - gx0) * unit) - 12.0
            avail = max(avail, self.widest_piece(self.caption_size) + 1.0) if width_pt is None else avail
            lines = self._caption_lines(avail, self.caption_size)
            cap = self.text((gx0 + gx1) / 2, gy0, "\n".join(lines), self.caption_size, self.theme.text,
                            va="top", dy=-2.0, role="caption", math=self.caption_math, z=8.0)
            texts.append(cap)
            cb = text_box(cap, unit)
            gx0, gx1 = min(gx0, cb[0] - margin), max(gx1, cb[2] + margin)
            gy0 = cb[1] - margin
        return texts, (gx0, gy0, gx1, gy1)

    def solve(self, box_pt: Optional[Tuple[float, float]], unit: Optional[float]) -> Tuple[float, list[Text], Box]:
        """The scale: ``unit`` as given (convanim sizes the figure), or the largest that fits ``box_pt``."""
        if box_pt is None:
            assert unit is not None
            texts, b = self.layout(unit, None)
            return unit, texts, b
        W, H = box_pt
        gx0, gy0, gx1, gy1 = self.geometry_box()
        u = min(W / max(gx1 - gx0, 1e-9), H / max(gy1 - gy0, 1e-9))
        for _ in range(40):
            texts, b = self.layout(u, W)
            nu = min(W / (b[2] - b[0]), H / (b[3] - b[1]))
            if abs(nu - u) < 1e-6 * u:
                break
            u = min(u, nu)
        texts, b = self.layout(u, W)
        return u, texts, b


class Panel(Protocol):
    """One view's part of a figure (the grid, the matrix, a still figure), as :func:`compose` uses it."""

    numbers: bool
    n_frames: int

    def add_still(self, comp: Composer) -> None: ...
    def add_labels(self, comp: Composer, size: float) -> None: ...
    def unit_for_numbers(self) -> float: ...
    def drop_numbers(self, comp: Composer, note: str) -> None: ...
    def number_texts(self, unit: float) -> list[Text]: ...
    def movers(self, unit: float) -> list[Mover]: ...
    def frame(self, t: int) -> FrameState: ...
    def cells(self) -> list: ...


def compose(panels: Sequence[Any], theme: Theme, *, measure: Measure = estimate, labels: bool = False,
            caption: Optional[Tuple[list, bool]] = None, fontsize: Optional[float] = None,
            box_pt: Optional[Tuple[float, float]] = None, max_plain_side: float = 648.0,
            arrange: str = "row", title: str = "") -> Plan:
    """The Plan of ``panels`` side by side (``arrange="row"``) or one above the other (``"column"``).

    ``box_pt`` is the ``(width, height)`` in points to fit (the caller's Axes); without it convanim chooses the
    scale: ``DEFAULT_UNIT_PT`` a cell, more where numbers need it to stay at least ``MIN_TEXT_PT``, and numbers
    left out (with a note saying how to get them) where even a ``MAX_SIDE_PT`` figure would not hold them.
    """
    comp = Composer(theme, measure)
    label_pt = LABEL_PT if fontsize is None else float(fontsize)
    cursor = 0.0
    for k, panel in enumerate(panels):
        sub = Composer(theme, measure)
        panel.add_still(sub)
        if labels:
            panel.add_labels(sub, label_pt)
        if k:
            # Place this panel beside (or under) what is there, centred across, a gap between.
            have, new = comp.geometry_box(), sub.geometry_box()
            gap = 2.0
            if arrange == "row":
                off = np.array([have[2] + gap - new[0], (have[1] + have[3]) / 2 - (new[1] + new[3]) / 2])
            else:
                off = np.array([(have[0] + have[2]) / 2 - (new[0] + new[2]) / 2, have[1] - gap - new[3]])
        else:
            off = np.zeros(2)
        panel.offset = off
        comp.absorb(sub, off)
        cursor += 1
    if caption is not None:
        comp.caption, comp.caption_math = caption
        comp.caption_size = max(MIN_TEXT_PT, (label_pt - 1.0) if fontsize is None else float(fontsize))
    unit: Optional[float] = None
    need = max((p.unit_for_numbers() for p in panels if p.numbers), default=0.0)
    if box_pt is None:
        gx0, gy0, gx1, gy1 = comp.geometry_box()
        extent = max(gx1 - gx0, gy1 - gy0) + 2.0
        unit = min(DEFAULT_UNIT_PT, max_plain_side / extent)
        if need and need * extent > MAX_SIDE_PT:
            for p in panels:
                p.drop_numbers(comp, f"numbers left out: at {MIN_TEXT_PT:g} pt they need a figure of about "
                                     f"{need * extent / 72:.0f} inches; pass figsize= (inches) at least that "
                                     f"large to draw them")
        elif need:
            unit = max(unit, need)
    plan = _finish(comp, panels, box_pt, unit, title)
    if need and plan.unit < need - 1e-9 and any(p.numbers for p in panels):
        for p in panels:
            p.drop_numbers(comp, f"numbers left out: at this size they would be under {MIN_TEXT_PT:g} pt; give "
                                 f"the figure or Axes at least {need / plan.unit:.1f} times the room")
        plan = _finish(comp, panels, box_pt, unit, title)
    return plan


def _finish(comp: Composer, panels: Sequence[Any], box_pt: Optional[Tuple[float, float]], unit: Optional[float],
            title: str) -> Plan:
    """Decide the scale, place labels and caption, add the numbers at that scale: the Plan."""
    u, texts, b = comp.solve(box_pt, unit)
    if u <= 0 or not _math.isfinite(u):
        raise ValueError("the Axes is too small to draw on")
    x0, y0, x1, y1 = b
    if box_pt is not None:
        # Centre the drawing in the box: the Axes keeps an equal aspect.
        W, H = box_pt
        extra_w, extra_h = W / u - (x1 - x0), H / u - (y1 - y0)
        x0, x1 = x0 - extra_w / 2, x1 + extra_w / 2
        y0, y1 = y0 - extra_h / 2, y1 + extra_h / 2
    numbers: list[Text] = []
    movers: list[Mover] = []
    starts = []
    for k, p in enumerate(panels):
        starts.append(len(numbers))
        numbers += p.number_texts(u)
        movers += [replace(m, name=f"{k}:{m.name}") for m in p.movers(u)]
    n = panels[0].n_frames

    def frame(t: int) -> FrameState:
        geo: dict = {}
        colours: dict = {}
        covered: list[int] = []
        crossed: list[int] = []
        for k, p in enumerate(panels):
            st = p.frame(t)
            geo.update({f"{k}:{name}": v for name, v in st.geometry.items()})
            colours.update({f"{k}:{name}": v for name, v in st.colours.items()})
            covered += [starts[k] + j for j in st.covered]
            crossed += [starts[k] + j for j in st.crossed]
        return FrameState(geo, colours, tuple(covered), tuple(crossed))

    cells = [c for p in panels for c in p.cells()]
    return Plan(list(comp.shapes), list(comp.strokes), numbers + texts, movers, (x0, x1, y0, y1), u, n,
                frame, cells, comp.theme, list(dict.fromkeys(comp.notes)), title, panels=list(panels))
