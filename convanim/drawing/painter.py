"""Draws a scene on a matplotlib Axes.

One :class:`Painter` per animation: its collections are built once from the
layout's arrays, and a frame change only moves the kernel, the lines, the
output highlight and the weights.  For raster output the still part is drawn
once and kept as a bitmap (blitting), so a frame costs only what moves.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.path import Path

from ..core.geometry import MAX_FRAMES, Scene, scene
from ..core.numerics import apply, default_input, default_kernel
from ..core.spec import ConvTranspose, Pool, Spec, shape_text
from .layout import LABEL_SIZE, Layout, caption_block, layout
from .theme import Theme, get_theme

__all__ = ["Painter", "Stage", "format_value"]

# Draw order.  The lines come after the numbers (they are clipped away from the output map, so they only
# ever cross the input), which lets a blitted frame redraw just the numbers under the shades.
Z_INPUT, Z_KERNEL, Z_OUTPUT, Z_HIGHLIGHT, Z_TEXT, Z_LINES, Z_MOVING_TEXT = 1, 2, 4, 5, 6, 6.5, 7


def format_value(v: float, decimals: int = 0) -> str:
    """How a number is written in a cell: integers plainly (or with ``decimals``), others with one decimal."""
    if np.isinf(v):
        return "-inf" if v < 0 else "inf"
    if decimals == 0 and float(v).is_integer():
        return str(int(v))
    return f"{v:.{max(decimals, 1)}f}"


def _dashed_segments(index: np.ndarray, lay: Layout) -> np.ndarray:
    """Grid edges with no real input cell on either side, merged into straight runs (so dashes flow)."""
    R, C = index.shape
    real = np.pad(index >= 0, 1, constant_values=False)
    segs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    # Horizontal edges: line r runs between rows r-1 and r; unit edge c is dashed if neither neighbour is real.
    for r in range(R + 1):
        dashed = ~(real[r, 1:-1] | real[r + 1, 1:-1])
        segs += [((r, a), (r, b)) for a, b in _runs(dashed)]
    for c in range(C + 1):
        dashed = ~(real[1:-1, c] | real[1:-1, c + 1])
        segs += [((a, c), (b, c)) for a, b in _runs(dashed)]
    if not segs:
        return np.zeros((0, 2, 2))
    arr = np.array(segs, dtype=float)  # (n, 2 ends, (row, col))
    return lay.project(arr[..., 0], arr[..., 1])


def _signed_area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start and end of each run of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


class Painter:
    """Draws ``spec`` on ``ax`` and moves it from frame to frame.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    spec : Conv, ConvTranspose or Pool
    style : "paper" or "flat"
    numbers : bool
        Write input values, kernel weights and output values.
    x, kernel : array_like, optional
        The values written; default :func:`convanim.numerics.default_input`
        and :func:`~convanim.numerics.default_kernel`.
    theme : str, Theme or mapping, optional
    labels, caption : bool
        Name the input and output maps; write the parameters and formula.
    fontsize : float, optional
        Points for labels and captions (numbers scale with the cells).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from convanim import Conv
    >>> p = Painter(Figure().add_subplot(), Conv(5, 3, s=2, p=1))
    >>> p.set_frame(4); p.frame
    4
    """

    def __init__(
        self, ax: Axes, spec: Spec, *, style: str = "paper", numbers: bool = False, x: Any = None,
        kernel: Any = None, theme: Any = None, labels: bool = False, caption: bool = False,
        fontsize: Optional[float] = None, max_frames: int = MAX_FRAMES,
    ) -> None:
        self.ax = ax
        self.spec = spec
        self.scene: Scene = scene(spec, max_frames=max_frames)
        self.theme: Theme = get_theme(theme)
        self.style = style
        self.numbers = bool(numbers)
        self.caption_lines = caption_text(spec) if caption else []
        self.layout: Layout = layout(self.scene, style, labels=labels, caption=self.caption_lines)
        self._values(x, kernel)
        self._scale_setup()
        self._moving: list[Any] = []
        self.frame = -1
        self._build(labels, fontsize)
        self.set_frame(0)

    # ---- values --------------------------------------------------------------------------------

    def _values(self, x: Any, kernel: Any) -> None:
        spec, sc = self.spec, self.scene
        needs = self.numbers or (isinstance(spec, Pool) and spec.mode == "max")
        if not needs and x is None and kernel is None:
            self.x = self.kernel = self.y = None
            return
        self.x = default_input(spec) if x is None else np.asarray(x, dtype=float)
        if isinstance(spec, Pool):
            self.kernel = None
            self.y = apply(spec, self.x)  # validates x
        else:
            self.kernel = default_kernel(spec) if kernel is None else np.asarray(kernel, dtype=float)
            self.y = apply(spec, self.x, self.kernel)  # validates x and kernel
        self.canvas_values = sc.canvas_values(self.x)

    # ---- geometry helpers ----------------------------------------------------------------------

    def _scale_setup(self) -> None:
        ax, lay = self.ax, self.layout
        xmin, xmax, ymin, ymax = lay.bounds
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        fig = ax.figure
        box = ax.get_position()
        w_pt = box.width * fig.get_figwidth() * 72
        h_pt = box.height * fig.get_figheight() * 72
        #: points per cell unit on the page, with the equal aspect
        self.unit_pt = min(w_pt / (xmax - xmin), h_pt / (ymax - ymin))

    def _lw(self, factor: float = 1.0) -> float:
        return float(np.clip(0.065 * self.unit_pt, 0.25, 1.8) * factor)

    def _text(self, xy: Sequence[float], s: str, size: float, z: int = Z_TEXT, **kw: Any) -> Any:
        return self.ax.text(float(xy[0]), float(xy[1]), s, fontsize=size, ha=kw.pop("ha", "center"),
                            va=kw.pop("va", "center"), color=self.theme.mpl("text"), zorder=z, **kw)

    # ---- building ------------------------------------------------------------------------------

    def _build(self, labels: bool, fontsize: Optional[float]) -> None:
        ax, lay, sc, th = self.ax, self.layout, self.scene, self.theme
        lw = self._lw()
        index = self._input_index = sc.input_index()  # kept: the max-pool marker looks it up every frame
        real = index.ravel() >= 0
        quads = lay.canvas_quads
        dashed = _dashed_segments(index, lay)
        if (~real).any():
            ax.add_collection(PolyCollection(quads[~real], facecolors=[th.mpl("padding")], edgecolors="none",
                                             linewidths=0, zorder=Z_INPUT))
        ax.add_collection(LineCollection(dashed, colors=[th.mpl("line")], linewidths=lw,
                                         linestyles=(0, (4.0, 3.0)), zorder=Z_INPUT, capstyle="butt"))
        ax.add_collection(PolyCollection(quads[real], facecolors=[th.mpl("input")], edgecolors=[th.mpl("line")],
                                         linewidths=lw, zorder=Z_INPUT, joinstyle="miter"))
        ax.add_collection(PolyCollection(lay.output_quads, facecolors=[th.mpl("output")],
                                         edgecolors=[th.mpl("line")], linewidths=lw, zorder=Z_OUTPUT,
                                         joinstyle="miter"))
        # What moves.
        n_taps = sc.kernel_shape[0] * sc.kernel_shape[1]
        self.kernel_shade = PolyCollection(np.zeros((n_taps, 4, 2)), facecolors=[th.mpl("shade", th.shade_alpha)],
                                           edgecolors=[th.mpl("line")], linewidths=lw, zorder=Z_KERNEL,
                                           joinstyle="miter")
        self.highlight = PolyCollection(np.zeros((1, 4, 2)), facecolors=[th.mpl("shade", th.shade_alpha)],
                                        edgecolors=[th.mpl("line")], linewidths=lw, zorder=Z_HIGHLIGHT)
        self._moving = [self.kernel_shade, self.highlight]
        if lay.style == "paper":
            self.lines = LineCollection(np.zeros((4, 2, 2)), colors=[th.mpl("line")], linewidths=lw * 0.6,
                                        zorder=Z_LINES)
            self.lines.set_clip_path(self._outside_output(), ax.transData)
            self._moving.insert(1, self.lines)
        else:
            self.lines = None
        self.winner = None
        if isinstance(self.spec, Pool) and self.spec.mode == "max":
            self.winner = PolyCollection(np.zeros((1, 4, 2)), facecolors="none", edgecolors=[th.mpl("mark")],
                                         linewidths=lw * 2.2, zorder=Z_HIGHLIGHT)
            self._moving.append(self.winner)
        for artist in self._moving:
            ax.add_collection(artist)
        self._build_numbers()
        if labels:
            # Never smaller than 8 points: on a large canvas the cells get small, the names must not.
            self._build_labels(fontsize or max(8.0, LABEL_SIZE * self.unit_pt))
        if self.caption_lines:
            xmin, xmax, ymin, _ = lay.bounds
            lines, size = caption_block(self.caption_lines, xmax - xmin - 1.2)
            self._text(((xmin + xmax) / 2, ymin + 0.6), "\n".join(lines), fontsize or size * self.unit_pt,
                       va="bottom", linespacing=1.3)

    def _outside_output(self) -> Path:
        # Everything but the output map: the lines pass under it, as in the guide.  The hole must wind
        # the other way round from the outer box for the non-zero rule to leave it out.
        xmin, xmax, ymin, ymax = self.layout.bounds
        w, h = xmax - xmin, ymax - ymin
        outer = np.array([[xmin - w, ymin - h], [xmax + w, ymin - h], [xmax + w, ymax + h], [xmin - w, ymax + h]])
        inner = self.layout.output_outline
        if _signed_area(inner) > 0:
            inner = inner[::-1]
        verts = np.concatenate([outer, outer[:1], inner, inner[:1]])
        codes = ([Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]) * 2
        return Path(verts, codes)

    def _build_numbers(self) -> None:
        self.weight_texts: list[Any] = []
        self.canvas_texts: list[Any] = []
        self.output_texts: list[Any] = []
        if not self.numbers:
            return
        sc, lay = self.scene, self.layout
        size = 0.42 * self.unit_pt
        R, C = sc.canvas_shape
        rr, cc = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
        centres = lay.centres(rr.ravel(), cc.ravel())
        for (x, y), v in zip(centres, self.canvas_values.ravel()):
            self.canvas_texts.append(self._text((x, y), format_value(v), size))
        orr, occ = np.meshgrid(np.arange(sc.output_shape[0]), np.arange(sc.output_shape[1]), indexing="ij")
        out_centres = lay.centres(orr.ravel(), occ.ravel(), "output")
        decimals = 1
        for (x, y), v in zip(out_centres, self.y.ravel()):
            self.output_texts.append(self._text((x, y), format_value(v, decimals), size * 0.8))
        if self.kernel is not None:
            self.tap_weights = self.scene.tap_weights(self.kernel)
            for w in self.tap_weights:
                t = self._text((0, 0), format_value(w), size * 0.55, z=Z_MOVING_TEXT)
                self.weight_texts.append(t)
                self._moving.append(t)

    def _build_labels(self, size: float) -> None:
        spec, lay = self.spec, self.layout
        kind = "transposed convolution" if isinstance(spec, ConvTranspose) else (
            f"{spec.mode} pooling" if isinstance(spec, Pool) else "convolution")
        self._text(lay.input_label, f"input {shape_text(spec.input_shape)}", size, va="top")
        self._text(lay.output_label, f"output {shape_text(spec.output_shape)}\n({kind})", size, va="bottom")

    # ---- frames --------------------------------------------------------------------------------

    @property
    def n_frames(self) -> int:
        return len(self.scene.frames)

    def set_frame(self, t: int) -> None:
        """Move the kernel, the lines and the highlight to frame ``t``."""
        sc, lay = self.scene, self.layout
        frame = sc.frames[t]  # raises IndexError naming the range
        t = int(t) % self.n_frames
        taps = np.asarray(frame.taps)
        self.kernel_shade.set_verts(lay.quads(taps[:, 0], taps[:, 1]))
        orow, ocol = frame.output_cell
        out_quad = lay.quads([orow], [ocol], "output")
        self.highlight.set_verts(out_quad)
        if self.lines is not None:
            r0, c0 = sc.window_origin(frame.output_cell)
            eh, ew = sc.window_extent()
            window = lay.quads([r0], [c0], "canvas", eh, ew)[0]
            self.lines.set_segments(np.stack([window, out_quad[0]], axis=1))
        if self.weight_texts:
            spots = lay.project(taps[:, 0] + 0.8, taps[:, 1] + 0.78)
            for text, (x, y) in zip(self.weight_texts, spots):
                text.set_position((float(x), float(y)))
        if self.winner is not None:
            vals = self.canvas_values[taps[:, 0].clip(0, sc.canvas_shape[0] - 1),
                                      taps[:, 1].clip(0, sc.canvas_shape[1] - 1)]
            inside = self._input_index[taps[:, 0].clip(0, sc.canvas_shape[0] - 1),
                                      taps[:, 1].clip(0, sc.canvas_shape[1] - 1)] >= 0
            if inside.any():
                best = int(np.argmax(np.where(inside, vals, -np.inf)))
                self.winner.set_verts(lay.quads(taps[best:best + 1, 0], taps[best:best + 1, 1]))
            else:
                self.winner.set_verts(np.zeros((0, 4, 2)))
        self.frame = t

    # ---- what a blitted frame redraws ---------------------------------------------------------------

    @property
    def figure(self) -> Any:
        return self.ax.figure

    @property
    def all_moving(self) -> list[Any]:
        """Every artist that can change between frames (left out of the still background)."""
        return list(self._moving)

    def cell_frames(self) -> list[tuple[int, np.ndarray]]:
        """``(frame, quad)`` for every output cell: the frame that computes it and its corners (data coordinates)."""
        oh, ow = self.scene.output_shape
        rr, cc = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
        quads = self.layout.quads(rr.ravel(), cc.ravel(), "output")
        return list(zip(range(oh * ow), quads))

    def moving(self) -> list[Any]:
        """What to draw over the still background for the current frame, in draw order."""
        artists = list(self._moving)
        if self.canvas_texts:
            # The still numbers under this frame's shades go back on top of them.
            frame = self.scene.frames[self.frame]
            C = self.scene.canvas_shape[1]
            artists += [self.canvas_texts[r * C + c] for r, c in frame.taps]
            r, c = frame.output_cell
            artists.append(self.output_texts[r * self.scene.output_shape[1] + c])
        return sorted(artists, key=lambda a: a.get_zorder())


class Stage:
    """One figure and the painters on it, moved together frame by frame.

    The still part of the figure is drawn once and kept as a bitmap; a raster
    frame restores it and draws only what moves (blitting).  Attributes not
    found here are looked up on the first painter.
    """

    def __init__(self, figure: Any, painters: Sequence[Any]) -> None:
        self.figure = figure
        self.painters = list(painters)
        self._background: Any = None
        counts = {p.n_frames for p in self.painters}
        if len(counts) != 1:
            raise ValueError("the painters of one figure must have as many frames")

    def __getattr__(self, name: str) -> Any:
        if name == "painters":
            raise AttributeError(name)
        return getattr(self.painters[0], name)

    @property
    def n_frames(self) -> int:
        return self.painters[0].n_frames

    @property
    def theme(self) -> Theme:
        return self.painters[0].theme

    def set_frame(self, t: int) -> None:
        for p in self.painters:
            p.set_frame(t)

    def moving_artists(self) -> list[Any]:
        """Every artist that may change between frames; the rest of the figure is the same in every frame."""
        return [a for p in self.painters for a in p.all_moving]

    def output_cells(self) -> list[tuple[int, np.ndarray]]:
        """``(frame, polygon)`` per output cell: the frame that computes it, its corners in figure pixels (y up)."""
        cells = []
        for p in self.painters:
            for t, quad in p.cell_frames():
                cells.append((t, p.ax.transData.transform(quad)))
        return cells

    def rgb(self) -> np.ndarray:
        """The current frame as an ``(h, w, 3)`` uint8 array (Agg), drawing only what moves."""
        canvas = self.figure.canvas
        if self._background is None:
            for p in self.painters:
                for artist in p.all_moving:
                    artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for p in self.painters:
            for artist in p.moving():
                artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()

    @contextlib.contextmanager
    def vector(self) -> Iterator[Any]:
        """The figure with every artist in a normal draw (for PDF / SVG); the blitting state is kept."""
        artists = [a for p in self.painters for a in p.all_moving]
        flags = [a.get_animated() for a in artists]
        for artist in artists:
            artist.set_animated(False)
        try:
            yield self.figure
        finally:
            for artist, flag in zip(artists, flags):
                artist.set_animated(flag)

    def vector_mode(self) -> None:
        """Make every artist part of a normal draw again (interactive use, notebooks)."""
        for p in self.painters:
            for artist in p.all_moving:
                artist.set_animated(False)
        self._background = None


def caption_text(spec: Spec) -> list[str]:
    """The caption: the layer and its sizes, then the formula with the numbers (per axis where they differ)."""
    import re

    lines = spec.describe().splitlines()
    formulas = [ln for ln in lines[1:] if not ln.startswith("direct view")]
    # "relationship 6 (zero padding, non-unit strides): o = ..." -> "relationship 6: o = ..."
    return [lines[0]] + [re.sub(r"^((?:\w+: )?relationship \d+) \(.*?\):", r"\1:", ln) for ln in formulas]
