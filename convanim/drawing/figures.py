"""The guide's still figures: the kernel alone, several channels, strides as subsampling, counting positions.

Each function returns a new matplotlib Figure (Agg canvas, not registered with pyplot), built as a plan and
drawn by the one painter.  Every number shown is computed (:func:`convanim.apply`), never written by hand.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..core.arithmetic import check_int
from ..core.geometry import scene
from ..core.numerics import GUIDE_KERNEL, apply, default_input, default_kernel
from ..core.spec import Conv, ConvTranspose, Pool, Spec
from .captions import shape_label
from .compose import compose
from .grid_plan import format_value
from .measure import mpl_measure
from .painter import Painter, Stage
from .still_plan import StillPanel, grid_quads
from .theme import Theme, get_theme

__all__ = ["kernel_figure", "channels_figure", "subsampling_figure", "positions_figure", "StillStage"]

GAP = 5.0  # points between a grid and its label


def _figure(panel: StillPanel, theme: Theme, figsize: Optional[Sequence[float]], dpi: Optional[float]) -> Figure:
    from .api import _new_figure

    box = None if figsize is None else (float(figsize[0]) * 72.0, float(figsize[1]) * 72.0)
    plan = compose([panel], theme, measure=mpl_measure, box_pt=box)
    fig, plan = _new_figure(plan, figsize, dpi)
    painter = Painter(fig.axes[0], plan)
    fig.set_facecolor(painter.theme.mpl("background"))
    fig._convanim_stage = Stage(fig, [painter])  # type: ignore[attr-defined]
    return fig


def _above(quads: np.ndarray) -> tuple:
    pts = quads.reshape(-1, 2)
    return ((pts[:, 0].min() + pts[:, 0].max()) / 2, pts[:, 1].max(), 0, GAP, "center", "bottom")


def _below(quads: np.ndarray) -> tuple:
    pts = quads.reshape(-1, 2)
    return ((pts[:, 0].min() + pts[:, 0].max()) / 2, pts[:, 1].min(), 0, -GAP, "center", "top")


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
    w = GUIDE_KERNEL if kernel is None else np.asarray(kernel, dtype=float)
    if w.ndim != 2 or w.size == 0:
        raise ValueError(f"kernel must be a 2-D array of numbers, got shape {w.shape}")
    th = get_theme(theme)
    panel = StillPanel(th)
    q = panel.grid(grid_quads((0, 0), w.shape), th.over("padding"), values=[format_value(v) for v in w.ravel()],
                   size=0.5)
    panel.label(f"kernel {shape_label(w.shape)}", [_above(q)])
    return _figure(panel, th, figsize, dpi)


def channels_figure(c_in: int = 2, c_out: int = 3, i: int = 5, k: int = 3, *, theme: Any = None,
                    figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """Several input feature maps convolved into several output maps (the guide's Figure 1.3).

    Output map ``j`` is the sum over input maps ``l`` of map ``l`` convolved with kernel ``w[j,l]``: a
    ``c_out x c_in x k x k`` collection of kernels.  Input map ``l`` runs along row ``l`` through its kernels;
    column ``j`` sums them into output map ``j``; no two paths cross.

    Examples
    --------
    >>> fig = channels_figure(2, 3)
    """
    c_in, c_out = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1)
    if c_in > 8 or c_out > 8:
        raise ValueError(f"c_in and c_out must be at most 8 to be drawn, got {c_in} and {c_out}")
    spec = Conv(i, k)
    o = spec.output_shape[0]
    th = get_theme(theme)
    panel = StillPanel(th)
    pitch_r = max(i, k) + 2.5
    pitch_c = max(k, o) + 3.5
    x_k0 = i + 3.5
    kernel_quads = {}
    for l_ in range(c_in):
        top = -l_ * pitch_r
        q = panel.grid(grid_quads((0, top), (i, i)), th.input)
        panel.label(f"input map {l_ + 1}", [(0.0, top - i / 2, -GAP, 0, "right", "center"), _below(q)])
        yc = top - i / 2
        prev_x = float(i)
        for j in range(c_out):
            kx = x_k0 + j * pitch_c
            kq = panel.grid(grid_quads((kx, yc + k / 2), (k, k)), th.over("padding"))
            kernel_quads[j, l_] = kq
            panel.label(f"w[{j + 1},{l_ + 1}]", [(kx, yc - k / 2, 0, -3.0, "left", "top")], size=9.0)
            panel.arrow((prev_x + 0.15, yc), (kx - 0.1, yc))
            prev_x = kx + k
    top_y = k / 2 - i / 2  # the first row's kernels' top edge
    out_bottom = top_y + 3.0
    for j in range(c_out):
        kx = x_k0 + j * pitch_c
        xline = kx + k - 0.6
        for l_ in range(c_in - 1, 0, -1):
            y_from = -l_ * pitch_r - i / 2 + k / 2
            y_to = -(l_ - 1) * pitch_r - i / 2 - k / 2
            panel.arrow((xline, y_from + 0.1), (xline, y_to - 0.1))
        panel.label("Σ", [(xline, top_y + 1.2, 0, 0, "center", "center")], size=12.0)
        panel.arrow((xline, top_y + 0.1), (xline, top_y + 0.75))
        ox = kx + k / 2 - o / 2
        q = panel.grid(grid_quads((ox, out_bottom + o), (o, o)), th.output)
        panel.arrow((xline, top_y + 1.65), (xline, out_bottom - 0.1))
        panel.label(f"output map {j + 1}", [_above(q)])
    width = x_k0 + (c_out - 1) * pitch_c + k
    bottom = -(c_in - 1) * pitch_r - i
    panel.label(f"{c_in} input map{'s' * (c_in > 1)} of {shape_label((i, i))}; kernels w: "
                f"{shape_label((c_out, c_in, k, k))}\noutput map j = Σ over l of (input map l ⋆ w[j,l])",
                [(width / 2, bottom - 1.0, 0, -GAP, "center", "top")], size=9.0)
    return _figure(panel, th, figsize, dpi)


def subsampling_figure(i: int = 5, k: int = 3, s: int = 2, *, x: Any = None, kernel: Any = None, theme: Any = None,
                       figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """Strides seen as subsampling (the guide's Figure 1.4).

    Left: the kernel moved by ``s``.  Right: moved by 1, then one output in ``s`` kept along each axis.  Both
    results are computed, and equal.

    Examples
    --------
    >>> fig = subsampling_figure(5, 3, 2)
    """
    s = check_int("s", s, 1)
    strided, unit = Conv(i, k, s=s), Conv(i, k)
    xs = default_input(strided) if x is None else np.asarray(x, dtype=float)
    w = default_kernel(strided) if kernel is None else np.asarray(kernel, dtype=float)
    y_s = apply(strided, xs, w)
    y_1 = apply(unit, xs, w)
    if not np.array_equal(y_1[::s, ::s], y_s):  # the identity the figure shows; it always holds
        raise AssertionError("stride-s output differs from the subsampled stride-1 output")
    th = get_theme(theme)
    panel = StillPanel(th)
    o1 = unit.output_shape[0]
    q = panel.grid(grid_quads((0, 0), (i, i)), th.input, values=[format_value(v) for v in xs.ravel()])
    panel.label(f"input {shape_label((i, i))}, kernel {shape_label((k, k))}", [_above(q)])
    left = i + 2.5
    q = panel.grid(grid_quads((left, -(i - y_s.shape[0]) / 2), y_s.shape), th.output,
                   values=[format_value(v, 1) for v in y_s.ravel()], size=0.34)
    panel.label(f"stride {s}", [_above(q)])
    right = left + y_s.shape[1] + 3.0
    mask = np.ones_like(y_1, dtype=bool)
    mask[::s, ::s] = False
    q = panel.grid(grid_quads((right, -(i - o1) / 2), y_1.shape), th.output, dashed=mask,
                   values=[format_value(v, 1) for v in y_1.ravel()], size=0.34)
    panel.label(f"stride 1, keep 1 in {s}", [_above(q)])
    panel.arrow((i + 0.3, -i / 2), (left - 0.3, -i / 2))
    panel.label("=", [(left + y_s.shape[1] + 1.5, -i / 2, 0, 0, "center", "center")], size=14.0)
    return _figure(panel, th, figsize, dpi)


def positions_figure(spec: Spec, *, theme: Any = None, figsize: Optional[Sequence[float]] = None,
                     dpi: Optional[float] = None) -> Figure:
    """Counting kernel positions (the guide's Figure 2.8 a and b): the kernel's moves along the width, then the
    height, each with an arrow, and the count that is the output size.

    Examples
    --------
    >>> from convanim import Conv
    >>> fig = positions_figure(Conv(5, 3, s=2, p=1))
    """
    if isinstance(spec, ConvTranspose):
        spec = spec.transpose()  # the positions of the direct view's convolution are those of its stride-1 view
    if not isinstance(spec, (Conv, Pool)):
        raise TypeError(f"spec must be a Conv or Pool, got {type(spec).__name__}")
    sc = scene(spec)
    R, C = sc.canvas_shape
    (oh, ow), (sh, sw) = spec.output_shape, spec.s
    eh, ew = sc.window_extent()
    index = sc.input_index()
    th = get_theme(theme)
    panel = StillPanel(th)
    taps = sc.tap_offsets()
    for n, (axis, count, step, ext) in enumerate([("width", ow, sw, ew), ("height", oh, sh, eh)]):
        x0 = n * (C + 4.0)
        panel.grid(grid_quads((x0, 0), (R, C)), th.input, dashed=index < 0)
        first = np.array([[[x0 + c, -r], [x0 + c + 1, -r], [x0 + c + 1, -r - 1], [x0 + c, -r - 1]]
                          for r, c in taps], dtype=float)
        panel.grid(first, th.over("input"), z=2.0, outline=False)
        boxes = []
        for m in range(1, count):
            dr, dc = (0, m * step) if axis == "width" else (m * step, 0)
            box = np.array([[x0 + dc, -dr], [x0 + dc + ew, -dr], [x0 + dc + ew, -dr - eh],
                            [x0 + dc, -dr - eh], [x0 + dc, -dr]], dtype=float)
            boxes.append(np.stack([box[:-1], box[1:]], axis=1))
        if boxes:
            panel.lines(np.concatenate(boxes), width=2.2)
        if axis == "width":
            for m in range(count - 1):
                panel.arrow((x0 + m * step + ext / 2, 0.9), (x0 + (m + 1) * step + ext / 2, 0.9))
            where = (x0 + C / 2, 1.4, 0, GAP, "center", "bottom")
        else:
            for m in range(count - 1):
                panel.arrow((x0 - 0.9, -(m * step + ext / 2)), (x0 - 0.9, -((m + 1) * step + ext / 2)))
            where = (x0 + C / 2, 1.4, 0, GAP, "center", "bottom")
        panel.label(f"({'ab'[n]}) {count} position{'s' * (count > 1)} along the {axis}", [where])
    panel.label(f"{spec!r}: output {shape_label((oh, ow))}", [((2 * C + 4.0) / 2, -R, 0, -GAP, "center", "top")])
    return _figure(panel, th, figsize, dpi)


class StillStage:
    """A still figure as a one-frame stage, for the encoders and the gallery."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self._stage: Stage = figure._convanim_stage  # type: ignore[attr-defined]
        self.theme: Theme = self._stage.theme
        self.n_frames = 1

    def set_frame(self, t: int) -> None:
        self._stage.set_frame(t)

    def rgb(self) -> np.ndarray:
        return self._stage.rgb()

    def vector(self) -> Any:
        return self._stage.vector()

    def moving_artists(self) -> list:
        return []

    def output_cells(self) -> list:
        return []
