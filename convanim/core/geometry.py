"""Pure geometry: what is drawn where, with no matplotlib.

A :class:`Scene` is the grid the kernel slides over (the *canvas*), which of
its cells hold real input, and, for each frame, the output cell written and
the canvas cells under the kernel's taps.

Coordinates are ``(row, col)`` in 2D, ``(0, 0)`` the top-left canvas cell, rows
growing downwards; ``(i,)`` in 1D and ``(depth, row, col)`` in 3D.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple, Sequence, Tuple, overload

import numpy as np

from .checks import MAX_LIMIT, check_int, raise_hint
from .numerics import pool_canvas
from .padding import source_index
from .spec import Conv, ConvTranspose, Pool, Sizes, Spec

__all__ = ["Frame", "Scene", "scene", "check_limits", "MAX_FRAMES", "MAX_CANVAS"]

#: Default refusal limits: more frames than this, or a canvas side longer than
#: MAX_CANVAS cells, is refused unless the caller raises ``max_frames``.
MAX_FRAMES = 10_000
MAX_CANVAS = 1_024

Cell = Tuple[int, ...]


class Frame(NamedTuple):
    """One step of the animation: the output cell written and the canvas cells under the kernel's taps (row-major).

    Cells are tuples with one index per axis (``(row, col)`` in 2D).
    ``out_channel`` is the output channel written and ``in_channels`` the
    input channels read (those of its group; a pooling reads its own), each
    under the same taps.  Both default to channel 0, so that a one-channel
    frame built from its first two fields is what it always was.
    """

    output_cell: Cell
    taps: Tuple[Cell, ...]
    out_channel: int = 0
    in_channels: Tuple[int, ...] = (0,)


class _Frames(Sequence[Frame]):
    """The frames of a scene, computed on demand (a 64x64 output has 4096): ``c_out * prod(output_shape)``, the
    output channel outermost, then the output cells row-major."""

    def __init__(self, sc: Scene) -> None:
        self._scene = sc

    def __len__(self) -> int:
        return self._scene.spec.c_out * math.prod(self._scene.output_shape)

    @overload
    def __getitem__(self, t: int) -> Frame: ...
    @overload
    def __getitem__(self, t: slice) -> list[Frame]: ...
    def __getitem__(self, t):  # type: ignore[no-untyped-def]
        if isinstance(t, slice):
            return [self[j] for j in range(*t.indices(len(self)))]
        n = len(self)
        if not isinstance(t, (int, np.integer)) or isinstance(t, bool):
            raise TypeError(f"frame must be an int, got {type(t).__name__}")
        if not -n <= t < n:
            raise IndexError(f"frame {t} is out of range: this scene has {n} frames (0 to {n - 1})")
        t = int(t) % n
        sc = self._scene
        j, rest = divmod(t, math.prod(sc.output_shape))
        cell = tuple(int(v) for v in np.unravel_index(rest, sc.output_shape))
        taps = sc.taps_of(cell)
        return Frame(cell, tuple(tuple(int(v) for v in tap) for tap in taps), j, sc.spec.group_of(j))

    def __iter__(self) -> Iterator[Frame]:
        for t in range(len(self)):
            yield self[t]


@dataclass(frozen=True)
class Scene:
    """The geometry of one layer: canvas, real input cells, and a frame per output cell.

    Build one with :func:`scene`.  Every attribute has one value per axis.

    Attributes
    ----------
    spec : Conv, ConvTranspose or Pool
    canvas_shape : tuple
        The grid under the kernel.  Conv and Pool: the padded input (extended
        at the end where ``ceil_mode`` lets a pooling window overhang).
        ConvTranspose: the guide's direct-convolution view.
    origin : tuple
        Canvas cell of input unit ``(0, 0)``: the padding before, per axis.
    spread : tuple
        Canvas step between neighbouring input units (``s`` for a transposed
        convolution, whose input is stretched; else 1).
    step : tuple
        How far the kernel moves per output cell (``s``; 1 for a transposed convolution).
    dilation : tuple
        Canvas step between neighbouring taps.
    kernel_flipped : bool
        True for a transposed convolution: in the direct view, tap ``(a, b)``
        carries weight ``w[kh-1-a, kw-1-b]`` (the kernel rotated by 180 degrees).
    """

    spec: Spec
    canvas_shape: Sizes
    origin: Sizes
    spread: Sizes
    step: Sizes
    dilation: Sizes
    kernel_flipped: bool
    frames: Sequence[Frame] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frames", _Frames(self))

    @property
    def ndim(self) -> int:
        return len(self.canvas_shape)

    @property
    def output_shape(self) -> Sizes:
        """The output map's size."""
        return self.spec.output_shape

    @property
    def kernel_shape(self) -> Sizes:
        return self.spec.k

    def input_position(self) -> Tuple[np.ndarray, ...]:
        """Per axis, the canvas index of each input unit (may fall outside a cropped canvas)."""
        return tuple(o + sp * np.arange(n) for o, sp, n in zip(self.origin, self.spread, self.spec.input_shape))

    def input_index(self) -> np.ndarray:
        """A ``canvas_shape`` int array: the flat index of the input unit at each cell, -1 where none."""
        index = np.full(self.canvas_shape, -1, dtype=np.int64)
        pos = self.input_position()
        oks = [(p >= 0) & (p < c) for p, c in zip(pos, self.canvas_shape)]
        flat = np.arange(math.prod(self.spec.input_shape)).reshape(self.spec.input_shape)
        index[np.ix_(*(p[ok] for p, ok in zip(pos, oks)))] = flat[np.ix_(*oks)]
        return index

    def source_index(self) -> np.ndarray:
        """Like :meth:`input_index`, and where the border copies the input (``padding_mode``), the unit it copies.

        A zero-padded layer's is its :meth:`input_index`.

        Examples
        --------
        >>> from convanim import Conv
        >>> scene(Conv((3,), 2, p=1, padding_mode="reflect")).source_index().tolist()
        [1, 0, 1, 2, 1]
        """
        if self.spec.padding_mode == "zeros":
            return self.input_index()
        per_axis = [source_index(np.arange(c) - o, n, self.spec.padding_mode)
                    for c, o, n in zip(self.canvas_shape, self.origin, self.spec.input_shape)]
        grids = np.meshgrid(*per_axis, indexing="ij")
        return np.ravel_multi_index(tuple(grids), self.spec.input_shape).astype(np.int64)

    @property
    def input_cells(self) -> frozenset:
        """The canvas cells holding real input units; the rest is padding or inserted zeros."""
        return frozenset(zip(*(a.tolist() for a in np.nonzero(self.input_index() >= 0))))

    def tap_offsets(self) -> np.ndarray:
        """``(prod(k), ndim)``: each tap's offset from the window's first cell, row-major."""
        grids = np.meshgrid(*(np.arange(k) * d for k, d in zip(self.spec.k, self.dilation)), indexing="ij")
        return np.stack([g.ravel() for g in grids], axis=1)

    def window_origin(self, cell: Cell) -> Sizes:
        """Canvas cell of the kernel's first tap when output ``cell`` is computed."""
        return tuple(c * st for c, st in zip(cell, self.step))

    def taps_of(self, cell: Cell) -> np.ndarray:
        """``(prod(k), ndim)`` canvas cells under the taps for output ``cell``."""
        return self.tap_offsets() + np.array(self.window_origin(cell))

    def taps_array(self) -> np.ndarray:
        """``(prod(output_shape), prod(k), ndim)``: the taps of every output cell at once (those of one channel's
        frames; every output channel repeats them)."""
        grids = np.meshgrid(*(np.arange(o) * st for o, st in zip(self.output_shape, self.step)), indexing="ij")
        origins = np.stack([g.ravel() for g in grids], axis=1)
        return origins[:, None, :] + self.tap_offsets()[None, :, :]

    def window_extent(self) -> Sizes:
        """Cells the kernel's window spans per axis, dilation gaps included."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.spec.k, self.dilation))

    def tap_weights(self, kernel: np.ndarray) -> np.ndarray:
        """The weight drawn at each tap (row-major): the kernel, rotated by 180 degrees in a transposed view."""
        kernel = np.asarray(kernel, dtype=float)
        return (kernel[(slice(None, None, -1),) * kernel.ndim] if self.kernel_flipped else kernel).ravel()

    def canvas_values(self, x: np.ndarray) -> np.ndarray:
        """The canvas filled with ``x`` at the input cells, copies where the border copies, zeros elsewhere (what the
        kernel reads)."""
        index = self.source_index()
        flat = np.asarray(x, dtype=float).ravel()
        out = np.zeros(self.canvas_shape)
        out[index >= 0] = flat[index[index >= 0]]
        return out


def scene(spec: Spec, *, max_frames: int = MAX_FRAMES) -> Scene:
    """The geometry of ``spec``: canvas, real input cells and one frame per output cell (of every output channel).

    Parameters
    ----------
    spec : Conv, ConvTranspose or Pool
    max_frames : int
        Refuse specs with more frames than this (default 10,000) or a canvas
        side over 1,024 cells, before any work is done.

    Examples
    --------
    >>> sc = scene(Conv(5, 3, s=2, p=1))
    >>> sc.canvas_shape, len(sc.frames), sc.frames[1].taps[0]
    ((7, 7), 9, (0, 2))
    >>> t = scene(Conv(5, 3, s=2, p=1).transpose())
    >>> t.canvas_shape, sorted(t.input_cells)[:2]
    ((7, 7), [(1, 1), (1, 3)])
    >>> f = scene(Conv(4, 3, c_in=4, c_out=6, groups=2)).frames
    >>> len(f), f[13].out_channel, f[13].in_channels, f[13].output_cell
    (24, 3, (2, 3), (0, 1))
    >>> scene(Conv((6,), 3, s=2, p="same")).frames[2]
    Frame(output_cell=(2,), taps=((4,), (5,), (6,)), out_channel=0, in_channels=(0,))
    """
    ones = (1,) * getattr(spec, "ndim", 2)
    if isinstance(spec, ConvTranspose):
        pad = spec.view_padding_pairs
        canvas = tuple(s * (i - 1) + 1 + b + e + a
                       for i, s, (b, e), a in zip(spec.i, spec.s, pad, spec.output_padding))
        sc = Scene(spec, canvas, tuple(b for b, _ in pad), spec.s, ones, spec.d, True)
    elif isinstance(spec, Conv):
        canvas = tuple(i + b + e for i, (b, e) in zip(spec.i, spec.padding))
        sc = Scene(spec, canvas, tuple(b for b, _ in spec.padding), ones, spec.s, spec.d, False)
    elif isinstance(spec, Pool):
        sc = Scene(spec, pool_canvas(spec), tuple(b for b, _ in spec.padding), ones, spec.s, spec.d, False)
    else:
        raise TypeError(f"spec must be a Conv, ConvTranspose or Pool, got {type(spec).__name__}")
    check_limits(sc, max_frames)
    return sc


def check_limits(sc: Scene, max_frames: int = MAX_FRAMES) -> None:
    """Refuse absurd sizes at once, saying how to go past the limit.

    The canvas may have ``MAX_CANVAS`` cells a side for the default
    ``max_frames``, and proportionally more when ``max_frames`` is raised.
    """
    max_frames = check_int("max_frames", max_frames, 1, MAX_LIMIT)
    # Not len(sc.frames): past 2**63 frames len() itself overflows.
    n = sc.spec.c_out * math.prod(sc.output_shape)
    if n > max_frames:
        raise ValueError(f"spec has {n} frames, more than max_frames={max_frames}; "
                         f"{raise_hint('max_frames', '--max-frames', n)}")
    side = max(sc.canvas_shape)
    limit = int(MAX_CANVAS * max(1.0, max_frames / MAX_FRAMES))
    if side > limit:
        needed = -(-side * MAX_FRAMES // MAX_CANVAS)
        raise ValueError(f"spec has a canvas of {side} cells a side, more than {limit}; "
                         f"{raise_hint('max_frames', '--max-frames', needed)}")
