"""The player's frames as data: per frame, what changed in each moving slot, as differences, with keyframes.

:class:`~convanim.drawing.svg_painter.SvgPainter` says what each slot holds at each frame; this module stores
it small: coordinates as integers (1/100 point) that, where a shape moves as a whole, are one ``[dx, dy]``
step from the frame before; colours and strings only when they change; every ``keyframe_every`` frames every
slot whole, so that a jump replays at most that many frames.

A frame is a list of entries ``[k, op, value]``: ``op`` 0 sets slot ``k``'s coordinates (``value``) and its
vertices per polygon (a fourth item), 1 adds ``value`` to them (cyclically), 2 sets its colours (indices into
the palette, or ``None``: its own style), 3 its strings (indices into the painter's laid-out strings).  ``k`` is
-1 for the still texts drawn in another colour: ``value`` is ``[text, colour, text, colour, ...]``.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..drawing.svg_painter import KINDS, SvgPainter

__all__ = ["PlayerFrames", "KEYFRAME_EVERY", "TOLERANCE"]

#: Every this many frames, every slot is stored whole, so that a jump costs at most this many steps.
KEYFRAME_EVERY = 64
#: How far (in 1/100 point) a coordinate the page computes may be from the exact one: a shape that moves as a
#: whole is then one ``[dx, dy]`` per frame although its corners round differently.
TOLERANCE = 2


class PlayerFrames:
    """The frames of ``painter``'s plan, encoded for the page's script.

    Attributes
    ----------
    kinds : list of int
        Per slot, 0 polygons, 1 lines, 2 texts.
    frames : list of list
        Per frame, its entries (see the module's docstring).
    palette : list of str
        The colours the entries refer to.

    Examples
    --------
    >>> from convanim import Conv
    >>> from convanim.drawing.api import make_plan
    >>> plan = make_plan(Conv(4, 3)); plan.fit_to(*(v * 72 for v in plan.figsize()))
    >>> len(PlayerFrames(SvgPainter(plan)).frames)
    4
    """

    def __init__(self, painter: SvgPainter, keyframe_every: int = KEYFRAME_EVERY) -> None:
        self.keyframe_every = int(keyframe_every)
        self.kinds = [KINDS[m.kind] for m in painter.plan.movers]
        self.palette: list[str] = []
        self._colour_index: dict[str, int] = {}
        self.frames: list[list[Any]] = []
        n = len(self.kinds)
        # What the page's script holds after each frame: deltas are taken from it, so errors never add up.
        held: list[Optional[tuple[int, np.ndarray]]] = [None] * n
        colours: list[Any] = [None] * n
        strings: list[Any] = [None] * n
        recoloured: Optional[list[int]] = None
        for t, (slots, texts) in enumerate(painter.states()):
            key = t % self.keyframe_every == 0
            entries: list[Any] = []
            for k, s in enumerate(slots):
                before = held[k]
                if key or before is None or before[0] != s.per or len(before[1]) != len(s.coords):
                    entries.append([k, 0, s.coords.tolist(), s.per])
                    held[k] = (s.per, s.coords)
                else:
                    step = _delta(before[1], s.coords)
                    if step is not None:
                        entries.append([k, 1, step])
                        held[k] = (s.per, before[1] + np.resize(np.asarray(step, dtype=np.int64), len(s.coords)))
                cols = None if s.colours is None else [self._colour(c) for c in s.colours]
                if key or cols != colours[k]:
                    entries.append([k, 2, cols])
                    colours[k] = cols
                strs = None if s.strings is None else list(s.strings)
                if key or strs != strings[k]:
                    entries.append([k, 3, strs])
                    strings[k] = strs
            flat = [v for j in sorted(texts) for v in (j, self._colour(texts[j]))]
            if key or flat != recoloured:
                entries.append([-1, 2, flat])
                recoloured = flat
            self.frames.append(entries)

    def _colour(self, c: str) -> int:
        if c not in self._colour_index:
            self._colour_index[c] = len(self.palette)
            self.palette.append(c)
        return self._colour_index[c]


def _delta(held: np.ndarray, target: np.ndarray) -> Optional[list[int]]:
    """What to add to ``held`` (cyclically) to come within ``TOLERANCE`` of ``target``: the shortest periodic
    step that does, else the exact differences; None when nothing needs to change."""
    diff = target - held
    if not len(diff) or np.abs(diff).max() <= TOLERANCE:
        return None
    n = len(diff)
    for p in range(1, min(n, 16)):
        if n % p:
            continue
        rows = diff.reshape(-1, p)
        step = np.round(np.median(rows, axis=0)).astype(np.int64)
        if np.abs(rows - step).max() <= TOLERANCE:
            return step.tolist()
    return diff.tolist()
