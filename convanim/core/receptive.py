"""Which input cells an output cell depends on, and how many windows meet at each cell: exact, per axis.

A layer's connectivity is separable: output cell ``(o_0, o_1, ...)`` reads the product of one set of input
indices per axis.  Everything here is written per axis and rank-generic (``len(spec.input_shape)`` axes), and
reads a layer's padding through :func:`padding_pairs` only, so that it holds for 1D, 2D and 3D layers with
per-axis ``(before, after)`` padding.

Definitions (one axis; ``k' = d(k - 1) + 1`` the dilated kernel's extent, ``b`` the padding before):

- Conv and Pool: output ``o`` reads input ``x = o*s - b + t*d`` for each tap ``t`` in ``0 .. k-1``, when
  ``0 <= x < i`` (zero padding is left out; a dilated kernel's holes stay holes).  A Conv whose
  ``padding_mode`` copies the input into the border reads, at a border position, the input cell copied there
  (:func:`convanim.core.padding.source_index`): a reflected or wrapped-around cell is a dependency too.
- ConvTranspose: input ``x`` writes cell ``x*s + t*d`` of the full output ``(i - 1)s + k'``; the output is that
  full output with ``b`` cells cropped at the start (and ``output_padding`` extending the end), so output ``o``
  is written by every ``x`` with ``x*s + t*d = o + b``, ``0 <= x < i``.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import numpy as np

from .checks import check_spec
from .cost import MAX_ELEMENTS, PY_CELL, axis_sources_cost, check_elements, check_max_elements, overlap_cost
from .padding import source_index

__all__ = ["padding_pairs", "rank", "axis_inputs", "axis_reads", "layer_receptive_field", "overlap",
           "check_cell"]

Cell = Tuple[int, ...]


def padding_pairs(spec: Any) -> Tuple[Tuple[int, int], ...]:
    """``(before, after)`` padding per axis (a ConvTranspose: what is cropped from each end of its full output).

    Examples
    --------
    >>> from convanim import Conv
    >>> padding_pairs(Conv(5, 3, p=(1, 0)))
    ((1, 1), (0, 0))
    """
    return tuple(spec.padding)


def rank(spec: Any) -> int:
    """How many spatial axes ``spec`` has (1, 2 or 3)."""
    return int(spec.ndim)


def axis_inputs(spec: Any, axis: int, o: int) -> list[int]:
    """The input indices output index ``o`` reads along ``axis`` (sorted, zero padding left out; a border cell
    copied from the input, by ``padding_mode``, counts as the input cell it copies).

    Examples
    --------
    >>> from convanim import Conv, ConvTranspose
    >>> axis_inputs(Conv(7, 3, d=2), 0, 1)
    [1, 3, 5]
    >>> axis_inputs(ConvTranspose(4, 3, s=2, p=1), 0, 1), axis_inputs(ConvTranspose(4, 3, s=2, p=1), 0, 2)
    ([0, 1], [1])
    >>> axis_inputs(Conv((5,), 3, p=1, padding_mode="circular"), 0, 0)
    [0, 1, 4]
    """
    return sorted(set(_axis_sources(spec, axis, np.array([o]))[0].tolist()) - {-1})


def _axis_sources(spec: Any, axis: int, outs: np.ndarray) -> np.ndarray:
    """Per output index in ``outs`` (rows), per tap (columns): the input index it reads along ``axis`` (-1: none).

    A Conv reads ``source_index`` of each padded position (what ``padding_mode`` copies there, PyTorch's
    ``F.pad``); a Pool reads zeros (or -inf) there; a ConvTranspose is written by ``x`` where ``x*s + t*d``
    is the output index plus the cropped ``before``.  A window's taps are distinct positions but may share a
    source (a copied border); callers that count windows count each source once.
    """
    i, k, s, d = spec.input_shape[axis], spec.k[axis], spec.s[axis], spec.d[axis]
    before = padding_pairs(spec)[axis][0]
    taps = np.arange(k, dtype=np.int64)[None, :] * d
    outs = np.asarray(outs, dtype=np.int64)[:, None]
    if spec.kind == "conv_transpose":
        full = outs + before - taps
        x = np.floor_divide(full, s)
        return np.where((full % s == 0) & (x >= 0) & (x < i), x, -1)
    return source_index(outs * s - before + taps, i, getattr(spec, "padding_mode", "zeros"))


def axis_reads(spec: Any, axis: int) -> list[list[int]]:
    """``axis_inputs`` of every output index along ``axis``."""
    return [axis_inputs(spec, axis, o) for o in range(spec.output_shape[axis])]


def check_cell(cell: Any, shape: Sequence[int], name: str = "cell") -> Cell:
    """``cell`` as a tuple of ints inside ``shape`` (negative indices count from the end, as numpy's)."""
    if isinstance(cell, (int, np.integer)) and not isinstance(cell, bool) and len(shape) == 1:
        cell = (cell,)
    if not isinstance(cell, (tuple, list)) or len(cell) != len(shape):
        raise TypeError(f"{name} must be a tuple of {len(shape)} ints (an output cell of a "
                        f"{'x'.join(map(str, shape))} map), got {cell!r}")
    out = []
    for a, (v, n) in enumerate(zip(cell, shape)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name}[{a}] must be an int, got {type(v).__name__} {v!r}")
        if not -n <= v < n:
            raise ValueError(f"{name} {tuple(cell)!r} is outside the {'x'.join(map(str, shape))} output "
                             f"(axis {a} has {n} cells: 0 to {n - 1})")
        out.append(int(v) % n)
    return tuple(out)


def axis_union(spec: Any, axis: int, outs: Sequence[int]) -> list[int]:
    """The input indices any of the output indices ``outs`` reads along ``axis`` (sorted; numpy, not a loop)."""
    src = _axis_sources(spec, axis, np.asarray(outs, dtype=np.int64))
    return [int(v) for v in np.unique(src[src >= 0])]


def check_cells_cost(name: str, what: str, per_axis_sizes: Sequence[int], max_elements: int) -> None:
    """Refuse a set of cells (Python tuples) larger than ``max_elements`` allows, before it is built."""
    n = 1
    for v in per_axis_sizes:
        n *= int(v)
    check_elements(name, f"{what}: {n} cells of a Python set ({'x'.join(map(str, per_axis_sizes))}),", n * PY_CELL,
                   max_elements, "ask for a smaller layer, or for its size per axis (spec.receptive_field is a set)")


def layer_receptive_field(spec: Any, cell: Any, *, max_elements: int = MAX_ELEMENTS) -> frozenset:
    """The input cells output ``cell`` of one layer reads: a dependency set, not a bounding box.

    Examples
    --------
    >>> from convanim import Conv
    >>> sorted(layer_receptive_field(Conv(5, 3, s=2, p=1), (0, 0)))
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    """
    check_spec(spec)
    max_elements = check_max_elements(max_elements)
    cell = check_cell(cell, spec.output_shape)
    for a in range(rank(spec)):
        check_elements("spec", f"receptive_field({spec!r}): the taps of axis {a}", axis_sources_cost(spec, a, 1),
                       max_elements)
    per_axis = [axis_union(spec, a, [o]) for a, o in enumerate(cell)]
    check_cells_cost("spec", f"receptive_field({spec!r})", [len(v) for v in per_axis], max_elements)
    return frozenset(product_cells(per_axis))


def product_cells(per_axis: Sequence[Sequence[int]]) -> list[Cell]:
    """Every cell of the product of per-axis index sets, row-major."""
    if any(len(v) == 0 for v in per_axis):
        return []
    grids = np.meshgrid(*[np.asarray(v, dtype=np.int64) for v in per_axis], indexing="ij")
    return [tuple(int(x) for x in row) for row in np.stack([g.ravel() for g in grids], axis=1)]


def axis_counts(spec: Any, axis: int) -> np.ndarray:
    """Per axis: how many windows read each input index (Conv, Pool; a window reading a cell and its copy in
    the border counts once), or how many input indices write each output index (ConvTranspose)."""
    src = _axis_sources(spec, axis, np.arange(spec.output_shape[axis]))
    keep = src >= 0
    if getattr(spec, "padding_mode", "zeros") != "zeros":
        # Only a copied border repeats a source within a window: count it once there.
        src = np.sort(src, axis=1)
        keep[:, 1:] &= src[:, 1:] != src[:, :-1]
    if spec.kind == "conv_transpose":
        return keep.sum(axis=1).astype(np.int64)
    return np.bincount(src[keep], minlength=spec.input_shape[axis]).astype(np.int64)


def overlap(spec: Any, *, max_elements: int = MAX_ELEMENTS) -> np.ndarray:
    """How many windows meet at each cell: an int array.

    For a ConvTranspose, of its output shape: how many input units write each output cell (where this count
    varies in the interior, a transposed convolution leaves a checkerboard: Odena, Dumoulin & Olah, 2016).  For
    a Conv or a Pool, of its input shape: how many windows (output cells) read each input cell.  Padding is left
    out; channels do not change it.  Past ``max_elements`` (:mod:`convanim.core.cost`) it is refused at once.

    Examples
    --------
    >>> from convanim import ConvTranspose, Conv
    >>> overlap(ConvTranspose(3, 3, s=2))[:3, :5]
    array([[1, 1, 2, 1, 2],
           [1, 1, 2, 1, 2],
           [2, 2, 4, 2, 4]])
    >>> overlap(Conv(4, 3)).tolist()[0]
    [1, 2, 2, 1]
    """
    check_spec(spec)
    what, n = overlap_cost(spec)
    check_elements("spec", f"overlap({spec!r}): {what}", n, check_max_elements(max_elements))
    out = np.ones((), dtype=np.int64)
    for a in range(rank(spec)):
        out = np.multiply.outer(out, axis_counts(spec, a))
    return out
