"""The figure model: a :class:`Plan` holds everything a figure shows, decided once, as pure numbers.

Every view (the grid in paper or flat style, the matrix, both, the still figures) builds a Plan; one painter
(:mod:`convanim.drawing.painter`) draws any Plan.  Plan units are the views' own (a grid cell is 1 by 1, y up);
``unit`` says how many points one plan unit is on the page, so text sizes (points) and geometry meet here and
the layout rules (legible, inside its cell, no two texts overlapping, labels clear of the grids) can be checked
without drawing a pixel.
"""
from __future__ import annotations

import warnings
import weakref
from dataclasses import dataclass, field
from typing import Optional, Sequence, Tuple

import numpy as np

from .shapes import Box
from .theme import RGB, Theme

__all__ = ["Shapes", "Strokes", "Text", "Mover", "FrameState", "Plan", "MIN_TEXT_PT", "text_box", "text_patches",
           "LABEL_PT", "CAPTION_PT", "DEFAULT_UNIT_PT", "MAX_SIDE_PT", "line_scale", "turn", "warn_notes"]

#: No text is drawn smaller than this, in points.
MIN_TEXT_PT = 6.0
#: Default sizes of the names of the maps and of captions, in points.
LABEL_PT = 10.0
CAPTION_PT = 9.0
#: Points per grid cell when convanim sizes the figure (30 pixels at 100 dpi), and the largest side it makes
#: by itself before numbers are left out.
DEFAULT_UNIT_PT = 21.6
MAX_SIDE_PT = 1728.0  # 24 inches


def line_scale(unit: float) -> float:
    """Line widths (points) are multiplied by this: they follow the cells' size (``unit``), within limits."""
    return float(np.clip(unit / DEFAULT_UNIT_PT, 0.45, 1.5))


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
    faint: Optional[RGB] = None  # its colour while its map is drawn faint (readable on the faint map)


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
    faint: Tuple[int, ...] = ()  # still texts on a map drawn faint: drawn again, in their faint colour
    strings: dict = field(default_factory=dict)  # mover name -> (n,) strings of a "texts" mover that change


@dataclass(eq=False)
class Plan:
    """A figure, decided: still shapes, strokes and texts, movers, and per frame where the movers go.

    Plain data (numbers, strings, numpy arrays): every frame is computed once, when the plan is made, so that a
    painter needs nothing but the plan, and a plan pickles (``pickle.loads(pickle.dumps(plan))`` renders the
    same bytes, in a fresh process too).

    Attributes
    ----------
    bounds : (xmin, xmax, ymin, ymax)
        What the figure shows, in plan units (y up).
    unit : float
        Points per plan unit.
    n_frames : int
    frames : tuple of FrameState
        What changes in each frame; ``frame(t)`` reads it.
    cells : list of (frame, quad)
        The output cells and the frame that computes each (for players that point at cells).
    notes : list of str
        What was left out and how to get it (the painter warns with these).
    title : str
        What is drawn (the layer's repr); names pages and pictures.
    caption_lines : tuple of str
        The caption in plain text (the player's ``<figcaption>``), whether or not the figure draws one.
    view : str
        The view drawn.
    inches : (width, height) or None
        The figure's size, where the caller chose it; else :meth:`figsize` (the drawing in whole pixels).
    dpi : float
        Dots per inch of raster frames.
    duration : float
        Seconds per frame of an animation.
    """

    shapes: list
    strokes: list
    texts: list
    movers: list
    bounds: Tuple[float, float, float, float]
    unit: float
    n_frames: int
    frames: Tuple[FrameState, ...]
    cells: list
    theme: Theme
    notes: list = field(default_factory=list)
    title: str = ""
    caption_lines: Tuple[str, ...] = ()
    view: str = "grid"
    inches: Optional[Tuple[float, float]] = None
    dpi: float = 100.0
    duration: float = 1.0
    #: Panels played one after the other: each panel's ``(first frame, frame count)``; empty when they move
    #: together (see :meth:`local`).
    turns: Tuple[Tuple[int, int], ...] = ()
    #: The panels the plan was composed from: provenance for tests and tools, never read by a painter, and
    #: left out when the plan is pickled (a plan is its numbers, not the objects that computed them).
    panels: list = field(default_factory=list, repr=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["panels"] = []
        return state

    def check(self) -> Plan:
        """``self``, if it holds what a painter needs: at least one frame, and one state per frame."""
        if not isinstance(self.n_frames, int) or self.n_frames < 1 or len(self.frames) != self.n_frames:
            raise ValueError(f"plan: {self.title or 'this plan'} has n_frames={self.n_frames!r} and "
                             f"{len(self.frames)} frame states; a plan needs one state per frame, at least one "
                             f"(make it with convanim.plan)")
        if not self.unit > 0 or len(self.bounds) != 4:
            raise ValueError(f"plan: {self.title or 'this plan'} has no scale or bounds (make it with convanim.plan)")
        return self

    def frame(self, t: int) -> FrameState:
        """What frame ``t`` shows (``0 <= t < n_frames``)."""
        return self.frames[t]

    def local(self, k: int, t: int) -> Tuple[str, int]:
        """What panel ``k`` shows at frame ``t``: ``("play", its frame)``, or, panels played in turn,
        ``("idle", 0)`` before its turn and ``("hold", its last frame)`` after it."""
        return turn(self.turns[k] if self.turns else None, t)

    @property
    def size_pt(self) -> Tuple[float, float]:
        """Width and height in points of the drawing at ``unit``."""
        x0, x1, y0, y1 = self.bounds
        return ((x1 - x0) * self.unit, (y1 - y0) * self.unit)

    def figsize(self) -> Tuple[float, float]:
        """The figure's ``(width, height)`` in inches: as the caller chose it, else the drawing rounded up to
        whole pixels at 100 dpi (so that every format has the same box)."""
        if self.inches is not None:
            return self.inches
        w_pt, h_pt = self.size_pt
        return (float(np.ceil(w_pt / 72.0 * 100.0 - 1e-6) / 100.0), float(np.ceil(h_pt / 72.0 * 100.0 - 1e-6) / 100.0))

    def fit_to(self, width_pt: float, height_pt: float) -> None:
        """Widen the bounds, about the centre, to fill ``width_pt`` x ``height_pt`` at the same scale."""
        x0, x1, y0, y1 = self.bounds
        dw = width_pt / self.unit - (x1 - x0)
        dh = height_pt / self.unit - (y1 - y0)
        self.bounds = (x0 - dw / 2, x1 + dw / 2, y0 - dh / 2, y1 + dh / 2)


_WARNED: weakref.WeakSet[Plan] = weakref.WeakSet()


def warn_notes(plan: Plan) -> None:
    """Say once per plan, as a warning, what it left out and how to get it (its notes), whichever painters draw
    it (the matplotlib figure and the player of one gallery case, say)."""
    if plan in _WARNED:
        return
    _WARNED.add(plan)
    for note in plan.notes:
        warnings.warn(f"convanim: {note}", UserWarning, stacklevel=4)


def turn(first_and_count: Optional[Tuple[int, int]], t: int) -> Tuple[str, int]:
    """What a panel whose turn is ``(first frame, frame count)`` shows at frame ``t`` (``None``: every frame is
    its own): ``("play", u)``, ``("idle", 0)`` before its turn, ``("hold", last)`` after it."""
    if first_and_count is None:
        return "play", t
    first, count = first_and_count
    if t < first:
        return "idle", 0
    if t - first >= count:
        return "hold", count - 1
    return "play", t - first


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
