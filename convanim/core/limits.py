"""Costs that scale with what is seen: refuse, before any drawing, what would take more than ~5 s / 600 MB a frame.

The limits were measured with today's painter (``python scripts/bench.py
limits``): it draws every canvas cell as a polygon and every number or
matrix entry as a text, so cost grows with cells.  Each refusal says how to
raise the limit.  Pure: no matplotlib.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from .checks import check_array, check_dpi, check_figsize, check_int, check_one_channel, check_spec, check_theme, raise_hint
from .geometry import MAX_FRAMES, scene
from .matrix import MAX_MATRIX, check_matrix_size

__all__ = ["MAX_CELLS", "MAX_TEXTS", "MAX_MATRIX_ENTRIES", "check_canvas_cost", "check_matrix_cost",
           "check_still_options"]

#: Drawing cost at the default limits (about 5 s and 600 MB per frame, in every format):
#: canvas cells drawn as polygons, numbers written as texts, matrix entries (each a text).
MAX_CELLS = 32_768
MAX_TEXTS = 3_072
MAX_MATRIX_ENTRIES = 4_096


def check_canvas_cost(spec: Any, *, numbers: bool = False, max_frames: int = MAX_FRAMES) -> None:
    """Refuse, before any drawing, a canvas that would cost more than about 5 s and 600 MB a frame.

    The painter draws every canvas cell as a polygon and every number as a
    text: at most ``MAX_CELLS`` cells and ``MAX_TEXTS`` numbers at the
    default ``max_frames`` (both grow in proportion when it is raised).
    """
    sc = scene(spec, max_frames=max_frames)
    cells = math.prod(sc.canvas_shape) * spec.c_in  # a canvas per input channel (per depth slice in 3D)
    scale = max(1.0, max_frames / MAX_FRAMES)
    limit = int(MAX_CELLS * scale)
    if cells > limit:
        needed = -(-cells * MAX_FRAMES // MAX_CELLS)
        times = f"{spec.c_in} x " if spec.c_in > 1 else ""
        size = "x".join(str(v) for v in sc.canvas_shape)
        raise ValueError(f"spec has {times}a canvas of {size} = {cells} cells, more than the {limit} drawn "
                         f"at this limit (about 5 s a frame); {raise_hint('max_frames', '--max-frames', needed)}")
    texts = cells + len(sc.frames)
    t_limit = int(MAX_TEXTS * scale)
    if numbers and texts > t_limit:
        needed = -(-texts * MAX_FRAMES // MAX_TEXTS)
        hint = raise_hint("max_frames", "--max-frames", needed, what="draw them anyway")
        raise ValueError(f"numbers=True writes {texts} numbers for {spec!r}, more than the {t_limit} written "
                         f"at this limit (about 5 s a frame); {hint}, or leave numbers out")


def check_matrix_cost(spec: Any, *, max_matrix: int = MAX_MATRIX, max_frames: int = MAX_FRAMES,
                      what: str = "view='matrix'") -> None:
    """Refuse, before any drawing, an unrolled matrix of more than ``max_matrix`` rows or columns, or more
    entries (one text each) than ``MAX_MATRIX_ENTRIES`` at the default (growing with ``max_matrix`` squared)."""
    m_rows, m_cols = check_matrix_size(spec, max_matrix)
    scene(spec, max_frames=max_frames)
    entries = m_rows * m_cols
    limit = int(MAX_MATRIX_ENTRIES * max(1.0, (max_matrix / MAX_MATRIX) ** 2))
    if entries > limit:
        needed = math.isqrt(-(-entries * MAX_MATRIX**2 // MAX_MATRIX_ENTRIES) - 1) + 1
        raise ValueError(f"{what}: the matrix of {spec!r} has {m_rows}x{m_cols} = {entries} entries, "
                         f"more than the {limit} drawn at this limit (about 5 s a frame); "
                         f"{raise_hint('max_matrix', '--max-matrix', needed)}")


def check_still_options(*, theme: Any = None, figsize: Any = None, dpi: Any = None, kernel: Any = None,
                        spec: Any = None, **sizes: Any) -> Optional[np.ndarray]:
    """The keywords of the still figures, checked before any drawing; returns ``kernel`` as an array.

    ``sizes`` are ``name=(value, minimum, maximum)``: a still figure writes
    every cell, so its sizes are bounded to keep it to seconds.  ``spec``
    (positions_figure) must be a Conv, ConvTranspose or Pool whose canvas
    and kernel moves are small enough to draw.
    """
    for name, (value, low, high) in sizes.items():
        if value is not None:
            try:
                check_int(name, value, low, high)
            except ValueError as exc:
                raise ValueError(f"{exc} (a still figure draws at most {high}: it draws every cell, and larger "
                                 f"ones would take minutes)") from None
    if {"c_in", "c_out", "i", "k"} <= set(sizes):
        # channels_figure: c_in input maps, c_out * c_in kernels and c_out output maps, every cell a polygon.
        c_in, c_out, i, k = (sizes[n][0] for n in ("c_in", "c_out", "i", "k"))
        o = max(i - k + 1, 0)
        cells = c_in * i * i + c_out * c_in * k * k + c_out * o * o
        if cells > MAX_CELLS // 2:
            raise ValueError(f"i, k, c_in, c_out: channels_figure({c_in}, {c_out}, i={i}, k={k}) draws {cells} cells, "
                             f"more than the {MAX_CELLS // 2} it draws in seconds; use a smaller i or fewer channels")
    check_theme(theme)
    check_figsize(figsize)
    check_dpi(dpi)
    if spec is not None:
        check_spec(spec)
        check_one_channel(spec)
        if spec.ndim != 2:
            raise ValueError(f"spec: positions_figure draws 2D layers, {spec!r} is {spec.ndim}D")
        rows, cols = scene(spec).canvas_shape
        oh, ow = spec.output_shape
        if rows * cols > MAX_CELLS // 4 or max(oh, ow) > 128:
            raise ValueError(f"spec: {spec!r} has a {rows}x{cols} canvas and {oh}x{ow} kernel positions, more "
                             f"than positions_figure draws in seconds (at most {MAX_CELLS // 4} cells and 128 "
                             f"positions a side)")
    if kernel is not None:
        w = check_array("kernel", kernel)
        if w.ndim != 2 or w.size == 0 or max(w.shape) > 32:
            raise ValueError(f"kernel must be a 2-D array of numbers, at most 32x32 to be drawn, got shape {w.shape}")
        return w
    return None
