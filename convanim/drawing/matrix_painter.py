"""Draws the matrix view: C (or C^T), with the input and output maps beside it."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection

from ..core.geometry import MAX_FRAMES, scene
from ..core.matrix import (
    MAX_MATRIX,
    check_matrix_size,
    matrix_symbols,
    tap_matrix,
)
from ..core.numerics import conv_matrix, default_input, default_kernel
from ..core.spec import ConvTranspose, Pool, Spec, shape_text
from .matrix_layout import matrix_layout
from .painter import Z_HIGHLIGHT, Z_INPUT, Z_KERNEL, Z_TEXT, format_value
from .theme import Theme, get_theme

__all__ = ["MatrixPainter"]


class MatrixPainter:
    """Draws the matrix of ``spec`` on ``ax``; frame ``t`` highlights row ``t``, the input cells it reads and
    the output cell it writes, in the grid view's colours.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from convanim import Conv
    >>> m = MatrixPainter(Figure().add_subplot(), Conv(4, 3))
    >>> m.n_frames
    4
    """

    def __init__(self, ax: Axes, spec: Spec, *, numbers: bool = False, x: Any = None, kernel: Any = None,
                 theme: Any = None, labels: bool = True, fontsize: Optional[float] = None,
                 max_frames: int = MAX_FRAMES, max_matrix: int = MAX_MATRIX, **_: Any) -> None:
        check_matrix_size(spec, max_matrix)
        self.ax, self.spec = ax, spec
        self.scene = scene(spec, max_frames=max_frames)
        self.theme: Theme = get_theme(theme)
        self.numbers = bool(numbers)
        self.layout = matrix_layout(spec, numbers=numbers)
        if isinstance(spec, Pool):
            self.kernel = None
            self.matrix = conv_matrix(spec)
        else:
            self.kernel = default_kernel(spec) if kernel is None else np.asarray(kernel, dtype=float)
            self.matrix = conv_matrix(spec, self.kernel)
        # Where the kernel's taps put an entry, whatever its value (a weight may be 0).
        self.structure = tap_matrix(spec) > 0
        if numbers:
            self.x = default_input(spec) if x is None else np.asarray(x, dtype=float)
            if self.x.shape != spec.input_shape:
                raise ValueError(f"x must have shape {spec.input_shape}, got {self.x.shape}")
        self._setup_axes()
        self._build(labels, fontsize)
        self.frame = -1
        self.set_frame(0)

    @property
    def figure(self) -> Any:
        return self.ax.figure

    @property
    def n_frames(self) -> int:
        return len(self.scene.frames)

    def _setup_axes(self) -> None:
        ax, (xmin, xmax, ymin, ymax) = self.ax, self.layout.bounds
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        fig, box = ax.figure, ax.get_position()
        self.unit_pt = min(box.width * fig.get_figwidth() * 72 / (xmax - xmin),
                           box.height * fig.get_figheight() * 72 / (ymax - ymin))

    def _text(self, xy: Any, s: str, size: float, color: Any = None, **kw: Any) -> Any:
        return self.ax.text(float(xy[0]), float(xy[1]), s, fontsize=size, ha=kw.pop("ha", "center"),
                            va=kw.pop("va", "center"), color=color or self.theme.mpl("text"),
                            zorder=kw.pop("zorder", Z_TEXT), **kw)

    def _build(self, labels: bool, fontsize: Optional[float]) -> None:
        ax, lay, th = self.ax, self.layout, self.theme
        lw = float(np.clip(0.05 * self.unit_pt, 0.2, 1.4))
        R, N = lay.shape
        rr, cc = np.meshgrid(np.arange(R), np.arange(N), indexing="ij")
        nz = self.structure.ravel()
        quads = lay.entry_quads(rr.ravel(), cc.ravel())
        ax.add_collection(PolyCollection(quads[~nz], facecolors=[th.mpl("padding")],
                                         edgecolors=[th.mpl("line", 0.25)], linewidths=lw * 0.6, zorder=Z_INPUT))
        ax.add_collection(PolyCollection(quads[nz], facecolors=[th.mpl("input", 0.45)],
                                         edgecolors=[th.mpl("line")], linewidths=lw, zorder=Z_INPUT))
        size = 0.42 * self.unit_pt
        centres = quads.mean(axis=1)
        texts = (np.vectorize(format_value)(self.matrix) if self.numbers else matrix_symbols(self.spec)).ravel()
        faint = th.mpl("text", 0.3)
        self.entry_texts = [self._text((x, y), text if on else "0", size * (0.9 if on else 0.8), None if on else faint)
                            for (x, y), text, on in zip(centres, texts, nz)]
        self.input_texts: list[Any] = []
        self.output_texts: list[Any] = []
        # The input and output maps, in the grid view's colours.
        ax.add_collection(PolyCollection(lay.map_quads("input"), facecolors=[th.mpl("input")],
                                         edgecolors=[th.mpl("line")], linewidths=lw, zorder=Z_INPUT))
        ax.add_collection(PolyCollection(lay.map_quads("output"), facecolors=[th.mpl("output")],
                                         edgecolors=[th.mpl("line")], linewidths=lw, zorder=Z_INPUT))
        if self.numbers:
            self.input_texts = [self._text((x, y), format_value(v), size)
                                for (x, y), v in zip(lay.map_quads("input").mean(axis=1), self.x.ravel())]
            y = self.matrix @ self.x.ravel()
            self.output_texts = [self._text((x_, y_), format_value(v, 1), size * 0.8)
                                 for (x_, y_), v in zip(lay.map_quads("output").mean(axis=1), y)]
        shade = [th.mpl("shade", th.shade_alpha)]
        self.band = PolyCollection(np.zeros((1, 4, 2)), facecolors=shade, edgecolors="none", zorder=Z_KERNEL)
        self.read = PolyCollection(np.zeros((0, 4, 2)), facecolors=shade, edgecolors=[th.mpl("line")],
                                   linewidths=lw, zorder=Z_HIGHLIGHT)
        self.write = PolyCollection(np.zeros((1, 4, 2)), facecolors=shade, edgecolors=[th.mpl("line")],
                                    linewidths=lw, zorder=Z_HIGHLIGHT)
        self._moving = [self.band, self.read, self.write]
        for artist in self._moving:
            ax.add_collection(artist)
        if labels:
            name = "C^T" if isinstance(self.spec, ConvTranspose) else "C"
            lsize = fontsize or 0.55 * self.unit_pt
            R_, N_ = lay.shape
            self._text((N_ * lay.cell_w / 2, 0.6), f"{name}: {R_} x {N_}  (y = {name} x)", lsize, va="bottom")
            ix, iy = lay.input_origin
            self._text((ix, iy + 0.4), f"input x {shape_text(self.spec.input_shape)}", lsize, ha="left",
                       va="bottom")
            ox, oy = lay.output_origin
            self._text((ox, oy + 0.4), f"output y {shape_text(self.spec.output_shape)}", lsize, ha="left",
                       va="bottom")

    def set_frame(self, t: int) -> None:
        """Highlight row ``t``, the input cells it reads and the output cell it writes."""
        frame = self.scene.frames[t]
        t = int(t) % self.n_frames
        lay = self.layout
        self.band.set_verts([lay.row_band(t)])
        cols = np.flatnonzero(self.structure[t])
        iw = self.spec.input_shape[1]
        self.read.set_verts(lay.map_quads("input", cols // iw, cols % iw))
        r, c = frame.output_cell
        self.write.set_verts(lay.map_quads("output", [r], [c]))
        self.frame = t

    def cell_frames(self) -> list[tuple[int, np.ndarray]]:
        """``(frame, quad)`` per output cell (row ``t`` of the matrix writes output cell ``t``), data coordinates."""
        quads = self.layout.map_quads("output")
        return list(zip(range(len(quads)), quads))

    @property
    def all_moving(self) -> list[Any]:
        return list(self._moving)

    def moving(self) -> list[Any]:
        """The highlights, then the still texts they cover (so that a blitted frame equals a full draw)."""
        t, N = self.frame, self.layout.shape[1]
        artists = list(self._moving) + self.entry_texts[t * N:(t + 1) * N]
        if self.input_texts:
            artists += [self.input_texts[j] for j in np.flatnonzero(self.structure[t])]
            artists.append(self.output_texts[t])
        return sorted(artists, key=lambda a: a.get_zorder())
