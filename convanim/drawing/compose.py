"""Composing a Plan: panels side by side, the scale, labels placed clear of the grids, captions wrapped.

:func:`compose` is where every view's figure is decided: given panels (the grid, the matrix, a still figure)
it places them, chooses the scale (or fits the caller's box), sets the numbers' sizes and places the labels
and the caption, all as pure numbers.
"""
from __future__ import annotations

import math as _math
from dataclasses import replace
from typing import Any, Optional, Protocol, Sequence, Tuple

import numpy as np

from .composer import Composer, Label
from .plan import (
    DEFAULT_UNIT_PT,
    LABEL_PT,
    MAX_SIDE_PT,
    MIN_TEXT_PT,
    FrameState,
    Mover,
    Plan,
    Text,
    turn,
)
from .textsize import Measure, estimate
from .theme import Theme

__all__ = ["Label", "Composer", "Panel", "compose"]



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
