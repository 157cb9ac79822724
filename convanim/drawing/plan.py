"""The figure model: a :class:`Plan` holds everything a figure shows, decided once, as pure numbers.

Every view (the grid in paper or flat style, the matrix, both, the still figures) builds a Plan; one painter
(:mod:`convanim.drawing.painter`) draws any Plan.  Plan units are the views' own (a grid cell is 1 by 1, y up);
``unit`` says how many points one plan unit is on the page, so text sizes (points) and geometry meet here and
the layout rules (legible, inside its cell, no two texts overlapping, labels clear of the grids) can be checked
without drawing a pixel.
"""
from __future__ import annotations

import math as _math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional, Protocol, Sequence, Tuple

import numpy as np

from ..core.formula import join_math
from .shapes import Box, box_hits_polygon, box_of, boxes_overlap
from .textsize import Measure, estimate
from .theme import RGB, Theme

__all__ = ["Shapes", "Strokes", "Text", "Mover", "FrameState", "Plan", "Composer", "Panel", "compose", "MIN_TEXT_PT",
           "text_box", "text_patches", "LABEL_PT", "CAPTION_PT", "DEFAULT_UNIT_PT", "MAX_SIDE_PT"]

#: No text is drawn smaller than this, in points.
MIN_TEXT_PT = 6.0
#: Default sizes of the names of the maps and of captions, in points.
LABEL_PT = 10.0
CAPTION_PT = 9.0
#: Points per grid cell when convanim sizes the figure (30 pixels at 100 dpi), and the largest side it makes
#: by itself before numbers are left out.
DEFAULT_UNIT_PT = 21.6
MAX_SIDE_PT = 1728.0  # 24 inches


@dataclass(frozen=True)
class Shapes:
    """Still polygons of one style: ``verts`` ``(n, m, 2)`` in plan units."""

    verts: np.ndarray
    face: Optional[RGB]
    edge: Optional[RGB] = None
    alpha: float = 1.0
    width: float = 1.0  # edge width in points
    dashed: bool = False
    z: float = 1.0


@dataclass(frozen=True)
class Strokes:
    """Still line segments ``(n, 2, 2)``; ``hole`` is a polygon the lines pass behind (not drawn inside)."""

    segments: np.ndarray
    colour: RGB
    width: float = 1.0
    dashed: bool = False
    z: float = 1.0
    hole: Optional[np.ndarray] = None


@dataclass(frozen=True)
class Text:
    """One text: anchored at ``(x, y)`` plan units plus ``(dx, dy)`` points, ``size`` points.

    ``w`` and ``h`` are its measured extent in points.  ``cell`` is the polygon a number must stay inside;
    ``shaded`` the colour it takes while a moving shade covers it.
    """

    x: float
    y: float
    text: str
    size: float
    colour: RGB
    w: float
    h: float
    ha: str = "center"
    va: str = "center"
    dx: float = 0.0
    dy: float = 0.0
    z: float = 6.0
    role: str = "number"
    math: bool = False
    cell: Optional[np.ndarray] = None
    shaded: Optional[RGB] = None
    bg: Optional[RGB] = None  # what is behind it (a moving frame hides a stale copy under a patch of this)


@dataclass(frozen=True)
class Mover:
    """An artist whose geometry changes between frames.

    ``kind`` is ``"polys"`` (verts ``(n, m, 2)`` per frame), ``"lines"`` (segments ``(n, 2, 2)``) or
    ``"texts"`` (``strings``, drawn at per-frame positions ``(n, 2)`` with per-frame colours).
    """

    name: str
    kind: str
    face: Optional[RGB] = None
    edge: Optional[RGB] = None
    alpha: float = 1.0
    width: float = 1.0
    z: float = 3.0
    size: float = 0.0
    strings: Tuple[str, ...] = ()
    hole: Optional[np.ndarray] = None
    faces: bool = False  # polys whose face colours are given per frame


@dataclass(frozen=True)
class FrameState:
    """What frame ``t`` looks like: each mover's geometry, and the still texts a moving shade covers."""

    geometry: dict
    colours: dict = field(default_factory=dict)  # mover name -> (n,) list of RGB (texts, or faces)
    covered: Tuple[int, ...] = ()  # still texts under a shade: drawn in their shaded colour
    crossed: Tuple[int, ...] = ()  # still texts a moving line crosses: drawn again on top of it


@dataclass
class Plan:
    """A figure, decided: still shapes, strokes and texts, movers, and per frame where the movers go.

    Attributes
    ----------
    bounds : (xmin, xmax, ymin, ymax)
        What the Axes shows, in plan units.
    unit : float
        Points per plan unit.
    n_frames : int
    frame : callable
        ``frame(t) -> FrameState``.
    cells : list of (frame, quad)
        The output cells and the frame that computes each (for players that point at cells).
    notes : list of str
        What was left out and how to get it (the painter warns with these).
    """

    shapes: list
    strokes: list
    texts: list
    movers: list
    bounds: Tuple[float, float, float, float]
    unit: float
    n_frames: int
    frame: Callable[[int], FrameState]
    cells: list
    theme: Theme
    notes: list = field(default_factory=list)
    title: str = ""
    spec: Any = None
    panels: list = field(default_factory=list)

    @property
    def size_pt(self) -> Tuple[float, float]:
        """Width and height in points of the drawing at ``unit``."""
        x0, x1, y0, y1 = self.bounds
        return ((x1 - x0) * self.unit, (y1 - y0) * self.unit)

    def fit_to(self, width_pt: float, height_pt: float) -> None:
        """Widen the bounds, about the centre, to fill ``width_pt`` x ``height_pt`` at the same scale."""
        x0, x1, y0, y1 = self.bounds
        dw = width_pt / self.unit - (x1 - x0)
        dh = height_pt / self.unit - (y1 - y0)
        self.bounds = (x0 - dw / 2, x1 + dw / 2, y0 - dh / 2, y1 + dh / 2)

    def text_boxes(self) -> list:
        """Every still text's box in plan units."""
        return [text_box(t, self.unit) for t in self.texts]

    def grid_outlines(self) -> list:
        """The outline of every grid (panels' convex outlines) that labels must stay clear of."""
        return [s.verts.reshape(-1, 2) for s in self.shapes if s.verts.size]


def text_box(t: Text, unit: float) -> Box:
    """The box ``t`` covers, in plan units, at ``unit`` points per unit."""
    w, h = t.w / unit, t.h / unit
    x, y = t.x + t.dx / unit, t.y + t.dy / unit
    x0 = x - w / 2 if t.ha == "center" else (x if t.ha == "left" else x - w)
    y0 = y - h / 2 if t.va in ("center", "center_baseline") else (y if t.va == "bottom" else y - h)
    return (x0, y0, x0 + w, y0 + h)


def text_patches(texts: Sequence[Text], indices: Sequence[int], unit: float,
                 margin_pt: float = 1.5) -> Tuple[np.ndarray, list]:
    """Opaque patches, each the box of ``texts[j]`` (plus a margin) in its background colour.

    A blitted frame draws them first over the still bitmap, so that a text drawn again on top (in its shaded
    colour, or over a moving line) is drawn once, exactly as a full draw does; in a full draw they hide nothing.
    """
    quads, colours = [], []
    for j in indices:
        t = texts[j]
        if t.bg is None:
            continue
        x0, y0, x1, y1 = text_box(t, unit)
        m = margin_pt / unit
        quads.append([[x0 - m, y0 - m], [x1 + m, y0 - m], [x1 + m, y1 + m], [x0 - m, y1 + m]])
        colours.append(t.bg)
    return (np.array(quads, dtype=float) if quads else np.zeros((0, 4, 2))), colours


# ---- composing a plan -----------------------------------------------------------------------------------------


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


def with_texts(plan: Plan, texts: list[Text]) -> Plan:
    """A copy of ``plan`` with other texts."""
    return replace(plan, texts=texts)
