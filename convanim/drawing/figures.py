"""The guide's still figures: the kernel alone, several channels, strides as subsampling, counting positions.

Each function returns a new matplotlib Figure (Agg canvas, not registered
with pyplot).  Every number shown is computed (:func:`convanim.apply`), never
written by hand.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from ..core.arithmetic import check_int
from ..core.checks import check_array, check_raster
from ..core.limits import check_still_options
from ..core.numerics import GUIDE_KERNEL, apply, default_input, default_kernel
from ..core.spec import Conv, ConvTranspose, Pool, Spec
from .layout import COL as _COL
from .layout import ROW as _ROW
from .painter import format_value
from .theme import Theme, get_theme

__all__ = ["kernel_figure", "channels_figure", "subsampling_figure", "positions_figure", "StillStage"]

UNIT_PX = 30.0


class _Canvas:
    """A figure being composed in cell units (y up): grids, texts, arrows; sized at the end."""

    def __init__(self, theme: Any = None) -> None:
        self.theme: Theme = get_theme(theme)
        self.items: list[tuple] = []
        self.points: list[np.ndarray] = []

    def grid(self, origin: Sequence[float], shape: tuple[int, int], face: Any, *, slanted: bool = False,
             dashed_mask: Optional[np.ndarray] = None, alpha: float = 1.0, values: Optional[np.ndarray] = None,
             size: float = 0.42, edge: str = "line", z: float = 1, fmt: Any = format_value) -> np.ndarray:
        """A grid of cells; returns their ``(n, 4, 2)`` corners.  ``dashed_mask`` marks empty dashed cells."""
        rows, cols = shape
        rr, cc = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        r = rr.ravel()[:, None] + np.array([0, 0, 1, 1])
        c = cc.ravel()[:, None] + np.array([0, 1, 1, 0])
        if slanted:
            pts = c[..., None] * _COL + r[..., None] * _ROW
        else:
            pts = np.stack([c, -r], axis=-1).astype(float)
        quads = pts + np.asarray(origin, dtype=float)
        dashed = np.zeros(rows * cols, bool) if dashed_mask is None else np.asarray(dashed_mask).ravel()
        self.items.append(("grid", quads, face, dashed, alpha, edge, z))
        if values is not None:
            centres = quads.mean(axis=1)
            for (x, y), v in zip(centres, np.asarray(values).ravel()):
                self.text((x, y), fmt(v) if not isinstance(v, str) else v, size, z=z + 5)
        self.points.append(quads.reshape(-1, 2))
        return quads

    def text(self, xy: Sequence[float], s: str, size: float = 0.5, *, z: float = 6, **kw: Any) -> None:
        self.items.append(("text", np.asarray(xy, dtype=float), s, size, z, kw))
        # Rough extent, so that the figure holds it.
        half = 0.3 * size * max(len(line) for line in s.split("\n"))
        lines = s.count("\n") + 1
        ha = kw.get("ha", "center")
        x0 = xy[0] - half if ha == "center" else (xy[0] if ha == "left" else xy[0] - 2 * half)
        va = kw.get("va", "center")
        h = lines * size * 1.3
        y0 = xy[1] - h / 2 if va == "center" else (xy[1] if va == "bottom" else xy[1] - h)
        self.points.append(np.array([[x0, y0], [x0 + 2 * half, y0 + h]]))

    def arrow(self, a: Sequence[float], b: Sequence[float], *, z: float = 7) -> None:
        self.items.append(("arrow", np.asarray(a, dtype=float), np.asarray(b, dtype=float), z))
        self.points.append(np.array([a, b], dtype=float))

    def lines(self, segments: np.ndarray, *, z: float = 3, width: float = 0.6) -> None:
        self.items.append(("lines", np.asarray(segments, dtype=float), z, width))

    def figure(self, *, figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None,
               margin: float = 0.8) -> Figure:
        pts = np.concatenate(self.points)
        xmin, ymin = pts.min(axis=0) - margin
        xmax, ymax = pts.max(axis=0) + margin
        w, h = xmax - xmin, ymax - ymin
        unit = min(UNIT_PX, 900.0 / max(w, h))
        if figsize is None:
            figsize = (round(w * unit) / 100.0, round(h * unit) / 100.0)
        check_raster(figsize[0], figsize[1], dpi)  # before Agg allocates the buffer
        fig = Figure(figsize=tuple(figsize), dpi=100.0 if dpi is None else float(dpi))
        FigureCanvasAgg(fig)
        th = self.theme
        fig.set_facecolor(th.mpl("background"))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        unit_pt = min(fig.get_figwidth() * 72 / w, fig.get_figheight() * 72 / h)
        lw = float(np.clip(0.065 * unit_pt, 0.25, 1.8))
        for item in self.items:
            kind = item[0]
            if kind == "grid":
                _, quads, face, dashed, alpha, edge, z = item
                solid = ~dashed
                if solid.any():
                    ax.add_collection(PolyCollection(quads[solid], facecolors=[th.mpl(face, alpha)],
                                                     edgecolors=[th.mpl(edge)], linewidths=lw, zorder=z))
                if dashed.any():
                    ax.add_collection(PolyCollection(quads[dashed], facecolors=[th.mpl("padding")],
                                                     edgecolors=[th.mpl(edge)], linewidths=lw,
                                                     linestyles=(0, (4.0, 3.0)), zorder=z - 0.5))
            elif kind == "text":
                _, xy, s, size, z, kw = item
                ax.text(float(xy[0]), float(xy[1]), s, fontsize=size * unit_pt, color=th.mpl("text"), zorder=z,
                        ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), **kw)
            elif kind == "arrow":
                _, a, b, z = item
                ax.add_patch(FancyArrowPatch(tuple(a), tuple(b), arrowstyle="-|>", mutation_scale=0.5 * unit_pt,
                                             color=th.mpl("line"), linewidth=lw, zorder=z, shrinkA=0, shrinkB=0))
            elif kind == "lines":
                _, segs, z, width = item
                ax.add_collection(LineCollection(segs, colors=[th.mpl("line")], linewidths=lw * width, zorder=z))
        fig._convanim_theme = th
        return fig


def kernel_figure(kernel: Any = None, *, theme: Any = None, figsize: Optional[Sequence[float]] = None,
                  dpi: Optional[float] = None) -> Figure:
    """The kernel alone with its weights (the guide's section 1.1).

    Parameters
    ----------
    kernel : array_like, optional
        Default: the guide's 3x3 kernel ``0 1 2 / 2 2 0 / 0 1 2``.

    Examples
    --------
    >>> fig = kernel_figure([[1, 0], [0, -1]])
    """
    w = check_still_options(theme=theme, figsize=figsize, dpi=dpi, kernel=GUIDE_KERNEL if kernel is None else kernel)
    cv = _Canvas(theme)
    cv.grid((0, 0), w.shape, "shade", alpha=cv.theme.shade_alpha, values=w, size=0.5)
    cv.text((w.shape[1] / 2, 0.7), f"kernel {w.shape[0]}x{w.shape[1]}", 0.45, va="bottom")
    return cv.figure(figsize=figsize, dpi=dpi)


def channels_figure(c_in: int = 2, c_out: int = 3, i: int = 5, k: int = 3, *, theme: Any = None,
                    figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """Several input feature maps convolved into several output maps (the guide's Figure 1.3).

    Output map ``j`` is the sum over input maps ``l`` of map ``l`` convolved with
    kernel ``w[j, l]``: a ``c_out x c_in x k x k`` collection of kernels.

    Examples
    --------
    >>> fig = channels_figure(2, 3)
    """
    check_still_options(theme=theme, figsize=figsize, dpi=dpi, c_in=(c_in, 1, 8), c_out=(c_out, 1, 8), i=(i, 1, 64),
                        k=(k, 1, 16))
    c_in, c_out = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1)
    if c_in > 8 or c_out > 8:
        raise ValueError(f"c_in and c_out must be at most 8 to be drawn, got {c_in} and {c_out}")
    spec = Conv(i, k)
    o = spec.output_shape[0]
    cv = _Canvas(theme)
    th = cv.theme
    span = (k * c_in + 1.6 * (c_in - 1))  # one pathway's kernels, with '+' between
    pitch = max(span, o * (1 + _ROW[0])) + 2.0
    total = pitch * c_out - 2.0
    # Input maps: a stack, slanted, at the bottom.
    in_w = i * (_COL[0] + _ROW[0])
    base = np.array([total / 2 - in_w / 2, 0.0])
    tops, starts = [], {}
    for src in reversed(range(c_in)):
        q = cv.grid(base + src * np.array([0.5, 0.9]), (i, i), "input", slanted=True, z=1 + (c_in - src) * 0.01)
        pts = q.reshape(-1, 2)
        tops.append(pts[:, 1].max())
        starts[src] = pts[np.argmax(pts[:, 1])]  # each map's top corner: where its arrows leave
    cv.text((total / 2, -i * abs(_ROW[1]) - 1.2),
            f"input: {c_in} feature map{'s' * (c_in > 1)} of {i}x{i}\n"
            f"kernels w: {c_out}x{c_in}x{k}x{k}; output map j = sum over l of (input map l * w[j,l])", 0.45)
    kern_y = max(tops) + 2.5
    out_y = kern_y + k + 3.0
    for j in range(c_out):
        x0 = j * pitch + (pitch - 2.0 - span) / 2
        for src in range(c_in):
            kx = x0 + src * (k + 1.6)
            cv.grid((kx, kern_y + k), (k, k), "shade", alpha=th.shade_alpha)
            cv.text((kx + k / 2, kern_y - 0.5), f"w[{j + 1},{src + 1}]", 0.4, va="top")
            if src:
                cv.text((kx - 0.8, kern_y + k / 2), "+", 0.7)
            cv.arrow(starts[src] + np.array([0, 0.15]), (kx + k / 2, kern_y - 1.4))
        ox = j * pitch + (pitch - 2.0) / 2 - o * (_COL[0] + _ROW[0]) / 2
        q = cv.grid((ox, out_y + o * abs(_ROW[1])), (o, o), "output", slanted=True)
        cv.arrow((x0 + span / 2, kern_y + k + 0.2), (q.reshape(-1, 2)[:, 0].mean(), out_y + 0.2))
        cv.text((q.reshape(-1, 2)[:, 0].mean(), q.reshape(-1, 2)[:, 1].max() + 0.5), f"output map {j + 1}", 0.45,
                va="bottom")
    return cv.figure(figsize=figsize, dpi=dpi)


def subsampling_figure(i: int = 5, k: int = 3, s: int = 2, *, x: Any = None, kernel: Any = None, theme: Any = None,
                       figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """Strides seen as subsampling (the guide's Figure 1.4).

    Left: the kernel moved by ``s``.  Right: moved by 1, then one output in
    ``s`` kept along each axis.  Both results are computed, and equal.

    Examples
    --------
    >>> fig = subsampling_figure(5, 3, 2)
    """
    check_still_options(theme=theme, figsize=figsize, dpi=dpi, i=(i, 1, 32), k=(k, 1, 32), s=(s, 1, 32))
    s = check_int("s", s, 1)
    strided, unit = Conv(i, k, s=s), Conv(i, k)
    xs = default_input(strided) if x is None else check_array("x", x, strided.input_shape)
    w = default_kernel(strided) if kernel is None else check_array("kernel", kernel, strided.k)
    y_s = apply(strided, xs, w)
    y_1 = apply(unit, xs, w)
    kept = y_1[::s, ::s]
    if not np.array_equal(kept, y_s):  # the identity the figure shows; it always holds
        raise AssertionError("stride-s output differs from the subsampled stride-1 output")
    cv = _Canvas(theme)
    o1 = unit.output_shape[0]
    cv.grid((0, 0), (i, i), "input", values=xs)
    cv.text((i / 2, 0.6), f"input {i}x{i}, kernel {k}x{k}", 0.45, va="bottom")
    left = i + 2.5
    cv.grid((left, -(i - y_s.shape[0]) / 2), y_s.shape, "output", values=y_s, size=0.3,
            fmt=lambda v: format_value(v, 1))
    cv.text((left + y_s.shape[1] / 2, 0.6), f"stride {s}", 0.45, va="bottom")
    right = left + y_s.shape[1] + 3.0
    mask = np.ones_like(y_1, dtype=bool)
    mask[::s, ::s] = False
    cv.grid((right, -(i - o1) / 2), y_1.shape, "output", dashed_mask=mask, values=y_1, size=0.3,
            fmt=lambda v: format_value(v, 1))
    cv.text((right + o1 / 2, 0.6), f"stride 1, keep 1 in {s}", 0.45, va="bottom")
    cv.arrow((i + 0.3, -i / 2), (left - 0.3, -i / 2))
    cv.text((left + y_s.shape[1] + 1.5, -i / 2), "=", 0.8)
    return cv.figure(figsize=figsize, dpi=dpi)


def positions_figure(spec: Spec, *, theme: Any = None, figsize: Optional[Sequence[float]] = None,
                     dpi: Optional[float] = None) -> Figure:
    """Counting kernel positions (the guide's Figure 2.8 a and b): the kernel's moves along the width, then
    the height, each with an arrow, and the count that is the output size.

    Examples
    --------
    >>> from convanim import Conv
    >>> fig = positions_figure(Conv(5, 3, s=2, p=1))
    """
    check_still_options(theme=theme, figsize=figsize, dpi=dpi, spec=spec)
    if isinstance(spec, ConvTranspose):
        spec = spec.transpose()  # the positions of the direct view's convolution are those of its stride-1 view
    if not isinstance(spec, (Conv, Pool)):
        raise TypeError(f"spec must be a Conv or Pool, got {type(spec).__name__}")
    from ..core.geometry import scene

    sc = scene(spec)
    R, C = sc.canvas_shape
    (oh, ow), (sh, sw) = spec.output_shape, spec.s
    eh, ew = sc.window_extent()
    index = sc.input_index()
    cv = _Canvas(theme)
    th = cv.theme
    ext_h, ext_w = eh, ew
    for panel, (axis, count, step, ext) in enumerate([("width", ow, sw, ew), ("height", oh, sh, eh)]):
        x0 = panel * (C + 4.0)
        cv.grid((x0, 0), (R, C), "input", dashed_mask=index < 0)
        # The first position shaded, as in the grid view; every later one as the outline of its window.
        taps = sc.tap_offsets()
        first = np.array([[[x0 + c, -r], [x0 + c + 1, -r], [x0 + c + 1, -r - 1], [x0 + c, -r - 1]]
                          for r, c in taps], dtype=float)
        cv.items.append(("grid", first, "shade", np.zeros(len(first), bool), th.shade_alpha, "line", 2))
        for m in range(1, count):
            dr, dc = (0, m * step) if axis == "width" else (m * step, 0)
            box = np.array([[x0 + dc, -dr], [x0 + dc + ext_w, -dr], [x0 + dc + ext_w, -dr - ext_h],
                            [x0 + dc, -dr - ext_h], [x0 + dc, -dr]], dtype=float)
            cv.lines(np.stack([box[:-1], box[1:]], axis=1), z=3, width=2.2)
        if axis == "width":
            y = 0.9
            for m in range(count - 1):
                cv.arrow((x0 + m * step + ext / 2, y), (x0 + (m + 1) * step + ext / 2, y))
            cv.text((x0 + C / 2, y + 0.8), f"(a) {count} position{'s' * (count > 1)} along the width", 0.45,
                    va="bottom")
        else:
            x = x0 - 0.9
            for m in range(count - 1):
                cv.arrow((x, -(m * step + ext / 2)), (x, -((m + 1) * step + ext / 2)))
            cv.text((x0 + C / 2, 1.7), f"(b) {count} position{'s' * (count > 1)} along the height", 0.45,
                    va="bottom")
    cv.text(((2 * C + 4.0) / 2, -R - 1.0), f"{spec!r}: output {oh}x{ow}", 0.45, va="top")
    return cv.figure(figsize=figsize, dpi=dpi)


class StillStage:
    """A still figure as a one-frame stage, for the encoders and the gallery."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.theme: Theme = getattr(figure, "_convanim_theme", get_theme())
        self.n_frames = 1

    def set_frame(self, t: int) -> None:
        if t not in (0, -1):
            raise IndexError(f"frame {t} is out of range: a still figure has 1 frame (0)")

    def rgb(self) -> np.ndarray:
        self.figure.canvas.draw()
        return np.asarray(self.figure.canvas.buffer_rgba())[..., :3].copy()

    def vector(self) -> Any:
        import contextlib

        return contextlib.nullcontext(self.figure)
