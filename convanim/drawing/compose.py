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
    turn,
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
            arrange: str = "row", title: str = "", timeline: str = "together") -> Plan:
    """The Plan of ``panels`` side by side (``arrange="row"``) or one above the other (``"column"``).

    ``timeline="together"``: every panel has as many frames and they move together (a view and its matrix).
    ``"sequence"``: the panels play one after the other, ``sum(n_frames)`` frames in all; a panel shows its idle
    state (its ``idle()``: nothing shaded) before and after its turn; a panel without one shows its first frame before
    and holds its last frame after.

    ``box_pt`` is the ``(width, height)`` in points to fit (the caller's Axes); without it convanim chooses the
    scale: ``DEFAULT_UNIT_PT`` a cell, more where numbers need it to stay at least ``MIN_TEXT_PT``, and numbers
    left out (with a note saying how to get them) where even a ``MAX_SIDE_PT`` figure would not hold them.
    """
    if timeline not in ("together", "sequence"):
        raise ValueError(f"timeline must be 'together' or 'sequence', got {timeline!r}")
    if timeline == "together" and len({p.n_frames for p in panels}) > 1:
        raise ValueError("panels that move together must have as many frames (or use timeline='sequence')")
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
    def need() -> float:
        return max((p.unit_for_numbers() for p in panels if p.numbers), default=0.0)

    unit: Optional[float] = None
    if box_pt is None:
        gx0, gy0, gx1, gy1 = comp.geometry_box()
        extent = max(gx1 - gx0, gy1 - gy0) + 2.0
        unit = min(DEFAULT_UNIT_PT, max_plain_side / extent)
        while need() and need() * extent > MAX_SIDE_PT:
            how = (f"at {MIN_TEXT_PT:g} pt they need a figure of about {need() * extent / 72:.0f} inches; pass "
                   f"figsize= (inches) at least that large to draw them")
            if not _degrade(panels, comp, how):
                break
        if need():
            unit = max(unit, need())
    plan = _finish(comp, panels, box_pt, unit, title, timeline)
    while box_pt is not None and need() and plan.unit < need() - 1e-9:
        how = (f"at this size they would be under {MIN_TEXT_PT:g} pt; give the figure or Axes at least "
               f"{need() / plan.unit:.1f} times the room")
        if not _degrade(panels, comp, how):
            break
        plan = _finish(comp, panels, box_pt, unit, title, timeline)
    return plan


class _Frames:
    """Frame ``t`` of panels composed into one plan: their movers' names prefixed with the panel's number, their
    texts' indices moved past the texts of the panels before; used once, to decide every frame of a plan.

    ``firsts`` (panels in sequence): the frame at which each panel's turn begins; ``None`` when they move together.
    """

    def __init__(self, panels: list, starts: list[int], firsts: Optional[list[int]] = None) -> None:
        self.panels, self.starts, self.firsts = panels, starts, firsts

    def local(self, k: int, t: int) -> Tuple[str, int]:
        """What panel ``k`` shows at frame ``t`` (:func:`~convanim.drawing.plan.turn`)."""
        return turn(None if self.firsts is None else (self.firsts[k], self.panels[k].n_frames), t)

    def state(self, k: int, t: int) -> FrameState:
        """Panel ``k``'s own state at frame ``t`` (its names and indices not yet moved)."""
        p = self.panels[k]
        what, u = self.local(k, t)
        # Outside its turn a panel rests (nothing shaded): one figure then shows one current output, not two.
        if what in ("idle", "hold") and hasattr(p, "idle"):
            return p.idle()
        return p.frame(u)

    def __call__(self, t: int) -> FrameState:
        geo: dict = {}
        colours: dict = {}
        covered: list[int] = []
        crossed: list[int] = []
        strings: dict = {}
        faint: list[int] = []
        for k in range(len(self.panels)):
            st = self.state(k, t)
            strings.update({f"{k}:{name}": v for name, v in st.strings.items()})
            geo.update({f"{k}:{name}": v for name, v in st.geometry.items()})
            colours.update({f"{k}:{name}": v for name, v in st.colours.items()})
            covered += [self.starts[k] + j for j in st.covered]
            crossed += [self.starts[k] + j for j in st.crossed]
            faint += [self.starts[k] + j for j in st.faint]
        return FrameState(geo, colours, tuple(covered), tuple(crossed), tuple(faint), strings)


def _degrade(panels: Sequence[Any], comp: Composer, how: str) -> bool:
    """Leave out the next level of numbers (a grid's weights first, then its values) of the panel that needs
    the most room; ``False`` when there is nothing left to leave out."""
    live = [p for p in panels if p.numbers]
    if not live:
        return False
    p = max(live, key=lambda q: q.unit_for_numbers())
    if hasattr(p, "degrade"):
        p.degrade(comp, how)
    else:
        p.drop_numbers(comp, f"numbers left out: {how}")
    return True


def _finish(comp: Composer, panels: Sequence[Any], box_pt: Optional[Tuple[float, float]], unit: Optional[float],
            title: str, timeline: str = "together") -> Plan:
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
    firsts: Optional[list[int]] = None
    if timeline == "sequence":
        firsts = [sum(p.n_frames for p in panels[:k]) for k in range(len(panels))]
        n = sum(p.n_frames for p in panels)
    frame = _Frames(list(panels), starts, firsts)
    # Each output cell with the figure's frame that computes it.
    cells = [(t + (firsts[k] if firsts else 0), q) for k, p in enumerate(panels) for t, q in p.cells()]
    # Every frame decided now: the plan is data, and painters never call back into the panels.
    frames = tuple(frame(t) for t in range(n))
    return Plan(list(comp.shapes), list(comp.strokes), numbers + texts, movers, (x0, x1, y0, y1), u, n,
                frames, cells, comp.theme, list(dict.fromkeys(comp.notes)), title, panels=list(panels),
                turns=tuple((f, p.n_frames) for f, p in zip(firsts, panels)) if firsts else ())
