"""Plane geometry for laying text out: boxes, convex polygons, and where a box fits inside a cell.

Boxes are ``(x0, y0, x1, y1)``; polygons are ``(n, 2)`` arrays of corners in order.  Pure numpy.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Box", "box_of", "boxes_overlap", "box_in_polygon", "box_hits_polygon", "fit_box",
           "grid_runs", "arrow_head"]

Box = Tuple[float, float, float, float]


def box_of(points: np.ndarray) -> Box:
    """The bounding box of ``(..., 2)`` points."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return (float(x0), float(y0), float(x1), float(y1))


def boxes_overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Whether boxes ``a`` and ``b`` come closer than ``gap``."""
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def _half_planes(poly: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Outward normals ``n`` and offsets ``c`` with the convex polygon = {p : n . p <= c}."""
    p = np.asarray(poly, dtype=float)
    edges = np.roll(p, -1, axis=0) - p
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1)
    if _area(p) < 0:
        normals = -normals
    lengths = np.linalg.norm(normals, axis=1)
    keep = lengths > 1e-12
    normals = normals[keep] / lengths[keep, None]
    return normals, np.einsum("ij,ij->i", normals, p[keep])


def _area(p: np.ndarray) -> float:
    return float(0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]))


def box_in_polygon(box: Box, poly: np.ndarray, tol: float = 1e-9) -> bool:
    """Whether ``box`` lies wholly inside the convex polygon ``poly``."""
    corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]])
    n, c = _half_planes(poly)
    return bool(np.all(corners @ n.T <= c + tol))


def box_hits_polygon(box: Box, poly: np.ndarray, gap: float = 0.0) -> bool:
    """Whether ``box`` (grown by ``gap``) and the convex polygon ``poly`` overlap (separating axes)."""
    b = (box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap)
    corners = np.array([[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]])
    p = np.asarray(poly, dtype=float)
    axes = [np.array([1.0, 0.0]), np.array([0.0, 1.0])] + list(_half_planes(p)[0])
    for ax in axes:
        a, q = corners @ ax, p @ ax
        if a.max() <= q.min() + 1e-12 or q.max() <= a.min() + 1e-12:
            return False
    return True


def fit_box(poly: np.ndarray, w: float, h: float, towards: Optional[Sequence[float]] = None,
            margin: float = 0.0) -> Optional[np.ndarray]:
    """Where the centre of a ``w`` x ``h`` box may go so that the box lies inside the convex ``poly``.

    Returns the centre nearest the polygon's centroid (``towards=None``) or the feasible centre farthest in
    direction ``towards``; ``None`` when the box cannot fit.  The feasible centres are the polygon with each
    edge moved inwards by the box's reach along that edge's normal (plus ``margin``).
    """
    n, c = _half_planes(poly)
    reach = np.abs(n[:, 0]) * w / 2 + np.abs(n[:, 1]) * h / 2 + margin
    c2 = c - reach
    centroid = np.asarray(poly, dtype=float).mean(axis=0)
    # Vertices of the shrunk polygon: intersections of consecutive edges' lines.
    m = len(n)
    verts = []
    for j in range(m):
        a, b = n[j], n[(j + 1) % m]
        det = a[0] * b[1] - a[1] * b[0]
        if abs(det) < 1e-12:
            continue
        x = (c2[j] * b[1] - a[1] * c2[(j + 1) % m]) / det
        y = (a[0] * c2[(j + 1) % m] - c2[j] * b[0]) / det
        verts.append((x, y))
    pts = np.array(verts)
    ok = np.all(pts @ n.T <= c2 + 1e-9, axis=1)
    pts = pts[ok]
    if len(pts) == 0:
        return None
    if towards is None:
        centre = pts.mean(axis=0)
        # The centroid itself when it is feasible (it is for a centred box in a symmetric cell).
        if np.all(n @ centroid <= c2 + 1e-9):
            return centroid
        return centre
    d = np.asarray(towards, dtype=float)
    score = pts @ d
    # Where an edge of the feasible region faces ``towards`` exactly, the middle of that edge.
    return pts[score >= score.max() - 1e-9 * max(1.0, abs(score.max()))].mean(axis=0)


def grid_runs(mask: np.ndarray) -> list[Tuple[int, int]]:
    """Start and end (exclusive) of each run of True in a 1-D ``mask``."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def arrow_head(a: ArrayLike, b: ArrayLike, length: float, width: float) -> np.ndarray:
    """The triangle of an arrow head at ``b`` for the shaft from ``a``: ``(3, 2)``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = b - a
    d = d / max(float(np.linalg.norm(d)), 1e-12)
    side = np.array([-d[1], d[0]])
    base = b - d * length
    return np.array([b, base + side * width / 2, base - side * width / 2])
