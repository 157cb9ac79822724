"""Plane geometry of a 3D layer's depth slices: how far apart slanted slices stack, a slice's grid edges and
fills in runs, where a slice's name goes.  Pure numbers (numpy)."""
from __future__ import annotations

import numpy as np

from .layout import COL, ROW, Layout
from .shapes import grid_runs

__all__ = ["stack_lift", "slice_edges", "slice_runs", "around", "slice_label_places", "map_label_places"]


def stack_lift(lower: np.ndarray, upper: np.ndarray, gap: float) -> float:
    """How far up (page units) the slanted plane ``upper`` must go to clear ``lower`` by ``gap`` cells.

    Both are quads in the slanted projection; the answer is the least vertical lift that puts every corner of
    ``upper`` ``gap`` rows behind ``lower`` or ``gap`` columns to its right (planes nest like tiles, so the
    stack stays as low as it can).

    Examples
    --------
    >>> lay = Layout("paper", (4, 4), (2, 2), np.zeros(2), (0, 0, 0, 0))
    >>> round(stack_lift(lay.canvas_outline, lay.canvas_outline, 1.0), 3)
    4.925
    """
    M = np.stack([ROW, COL], axis=1)  # (row, col) -> page
    inv = np.linalg.inv(M)
    lo = (inv @ np.asarray(lower, dtype=float).T).T
    up = (inv @ np.asarray(upper, dtype=float).T).T
    per = inv @ np.array([0.0, 1.0])  # what one unit of lift does to (row, col): rows go back, cols right
    behind = (up[:, 0].max() - (lo[:, 0].min() - gap)) / -per[0]
    right = ((lo[:, 1].max() + gap) - up[:, 1].min()) / per[1]
    return float(max(0.0, min(behind, right)))


def slice_edges(real: np.ndarray, lay: Layout, solid: bool) -> np.ndarray:
    """A slice's grid edges in straight runs: ``solid`` ones touch a real cell; the others (dashed) touch none."""
    R, C = real.shape
    padded = np.pad(real, 1, constant_values=False)
    segs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for r in range(R + 1):
        touch = padded[r, 1:-1] | padded[r + 1, 1:-1]
        segs += [((r, a), (r, b)) for a, b in grid_runs(touch if solid else ~touch)]
    for c in range(C + 1):
        touch = padded[1:-1, c] | padded[1:-1, c + 1]
        segs += [((a, c), (b, c)) for a, b in grid_runs(touch if solid else ~touch)]
    if not segs:
        return np.zeros((0, 2, 2))
    arr = np.array(segs, dtype=float)
    return lay.project(arr[..., 0], arr[..., 1])


def slice_runs(mask: np.ndarray, lay: Layout) -> list:
    """Fills of a slice's True cells, one quad per run along a row."""
    return [lay.quads([r], [a], "canvas", 1, b - a)[0] for r in range(mask.shape[0]) for a, b in grid_runs(mask[r])]


def around(o: np.ndarray, gap: float) -> dict[str, tuple]:
    """Label places around an outline ``o`` (``(x, y, dx, dy, ha, va)``): ``under``, ``over`` and ``side``
    (right) of its box; ``left``, ``right``, ``low`` and ``top`` beside its extreme corners (a slanted map)."""
    cx, cy = (o[:, 0].min() + o[:, 0].max()) / 2, (o[:, 1].min() + o[:, 1].max()) / 2
    left, right = o[np.argmin(o[:, 0])], o[np.argmax(o[:, 0])]
    low, top = o[np.argmin(o[:, 1])], o[np.argmax(o[:, 1])]
    return {"under": (cx, o[:, 1].min(), 0, -gap, "center", "top"),
            "over": (cx, o[:, 1].max(), 0, gap, "center", "bottom"),
            "side": (o[:, 0].max(), cy, gap, 0, "left", "center"),
            "left": (left[0], left[1], -gap, 0, "right", "center"),
            "right": (right[0], right[1], gap, 0, "left", "center"),
            "low": (low[0], low[1], 0, -gap, "center", "top"),
            "top": (top[0], top[1], 0, gap, "center", "bottom")}


def slice_label_places(o: np.ndarray, style: str, which: str, gap: float = 6.0) -> list:
    """Candidate places of a slice's label around its outline ``o``: beside its left corner first (paper; the
    right corner first for an output slice), under it (flat; over it for an output slice)."""
    order = {("flat", "in"): ("under", "over", "side"), ("flat", "out"): ("over", "side", "under"),
             ("paper", "in"): ("left", "right", "low", "top"), ("paper", "out"): ("right", "left", "top", "low")}
    places = around(o, gap)
    return [places[name] for name in order[style, which]]


def map_label_places(o: np.ndarray, style: str, which: str, gap: float = 6.0) -> list:
    """Candidate places of a map's label around its outline ``o``: under it first for an input (flat), beside its
    left corner first (paper; the top corner first for an output)."""
    order = {("flat", "in"): ("under", "over", "side"), ("flat", "out"): ("under", "side", "over"),
             ("paper", "in"): ("left", "low", "right", "top"), ("paper", "out"): ("top", "right", "low", "left")}
    places = around(o, gap)
    return [places[name] for name in order[style, which]]
