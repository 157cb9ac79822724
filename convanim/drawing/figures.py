"""The guide's still figures: the kernel alone, several channels, strides as subsampling, counting positions.

Each function returns a new matplotlib Figure (Agg canvas, not registered with pyplot), built as a plan and
drawn by the one painter.  Every number shown is computed (:func:`convanim.apply`), never written by hand.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..core.arithmetic import check_int
from ..core.caption import caption
from ..core.checks import check_array
from ..core.formula import join_math
from ..core.geometry import scene
from ..core.limits import check_still_options
from ..core.numerics import GUIDE_KERNEL, apply, default_input, default_kernel
from ..core.spec import Conv, ConvTranspose, Pool, Spec
from .captions import shape_label
from .cell_numbers import format_value
from .compose import compose
from .measure import mpl_measure
from .plan import Plan
from .still_plan import StillPanel, grid_quads
from .theme import Theme, get_theme

__all__ = ["kernel_figure", "channels_figure", "subsampling_figure", "positions_figure", "kernel_plan", "channels_plan",
           "subsampling_plan", "positions_plan"]

GAP = 5.0  # points between a grid and its label


def _plan(panel: StillPanel, theme: Theme, figsize: Optional[Sequence[float]], dpi: Optional[float],
          title: str) -> Plan:
    """The finished plan of a still figure: one frame, fitted to ``figsize`` or to whole pixels."""
    box = None if figsize is None else (float(figsize[0]) * 72.0, float(figsize[1]) * 72.0)
    plan = compose([panel], theme, measure=mpl_measure, box_pt=box, title=title)
    plan.caption_lines = (title,)
    plan.view = "still"
    plan.dpi = 100.0 if dpi is None else float(dpi)
    if figsize is not None:
        plan.inches = (float(figsize[0]), float(figsize[1]))
    else:
        w, h = plan.figsize()
        plan.fit_to(w * 72.0, h * 72.0)
    return plan


def _figure(plan: Plan) -> Figure:
    from .api import stage_of  # the API module imports this one for its still figures' names

    return stage_of(plan).figure


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
    return _figure(kernel_plan(kernel, theme=theme, figsize=figsize, dpi=dpi))


def kernel_plan(kernel: Any = None, *, theme: Any = None, figsize: Optional[Sequence[float]] = None,
                  dpi: Optional[float] = None) -> Plan:
    """The plan of :func:`kernel_figure`."""
    w = check_still_options(theme=theme, figsize=figsize, dpi=dpi, kernel=GUIDE_KERNEL if kernel is None else kernel)
    assert w is not None  # the kernel, checked
    th = get_theme(theme)
    panel = StillPanel(th)
    q = panel.grid(grid_quads((0, 0), w.shape), th.over("padding"), values=[format_value(v) for v in w.ravel()],
                   size=0.5)
    panel.label(f"kernel {shape_label(w.shape)}", [_above(q)])
    return _plan(panel, th, figsize, dpi, f"kernel {shape_label(w.shape)}")


def channels_figure(c_in: int = 2, c_out: int = 3, i: int = 5, k: int = 3, *, theme: Any = None,
                    figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """Several input feature maps convolved into several output maps (the guide's Figure 1.3).

    As in the guide, one pathway per output map: in pathway ``j`` input map ``l`` is convolved with kernel
    ``w[j,l]`` and the results are summed into output map ``j``; the output maps together are the output.  One
    arrow leaves the input maps for each pathway, and no two arrows cross.

    The same layer as an animation, the kernel's slice moving on both input maps frame by frame (the gallery's
    ``channels_standard``): ``convanim.render(convanim.Conv(5, 3, c_in=2, c_out=3), "figure_1_3.gif",
    labels=True)``, with ``numbers=True`` for the weights, each map's partial sum and their total.

    Examples
    --------
    >>> fig = channels_figure(2, 3)
    """
    return _figure(channels_plan(c_in, c_out, i, k, theme=theme, figsize=figsize, dpi=dpi))


def channels_plan(c_in: int = 2, c_out: int = 3, i: int = 5, k: int = 3, *, theme: Any = None,
                    figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Plan:
    """The plan of :func:`channels_figure`."""
    check_still_options(theme=theme, figsize=figsize, dpi=dpi, c_in=(c_in, 1, 8), c_out=(c_out, 1, 8), i=(i, 1, 64),
                        k=(k, 1, 16))
    c_in, c_out = check_int("c_in", c_in, 1), check_int("c_out", c_out, 1)
    spec = Conv(i, k)
    o = spec.output_shape[0]
    th = get_theme(theme)
    panel = StillPanel(th)
    plus = 1.6  # room for the "+" between two kernels of a pathway
    path_w = c_in * k + (c_in - 1) * plus
    pitch = max(path_w, o) + 3.0
    total = c_out * pitch - 3.0
    # The input maps: a stack, each map a little up and to the right of the one before, at the bottom centre.
    step = np.array([0.8, 0.8])
    stack_w = i + (c_in - 1) * step[0]
    base = np.array([total / 2 - stack_w / 2, -(c_in - 1) * step[1]])
    for l_ in reversed(range(c_in)):
        panel.grid(grid_quads(base + l_ * step + [0, i], (i, i)), th.input, z=1.0 + 0.01 * (c_in - l_),
                   outline=l_ == c_in - 1)
    top_in = base[1] + (c_in - 1) * step[1] + i
    stack_pts = np.array([[base[0], base[1]], [base[0] + stack_w, top_in]])
    panel.outlines.append(np.array([[stack_pts[0, 0], stack_pts[0, 1]], [stack_pts[1, 0], stack_pts[0, 1]],
                                    [stack_pts[1, 0], stack_pts[1, 1]], [stack_pts[0, 0], stack_pts[1, 1]]]))
    panel.label(f"input: {c_in} map{'s' * (c_in > 1)} of {shape_label((i, i))}",
                [(total / 2, base[1], 0, -GAP, "center", "top")])
    kern_y = top_in + 3.2  # the kernels' bottom edge
    out_y = kern_y + k + 3.6  # the output maps' bottom edge
    start = np.array([total / 2, top_in + 0.15])
    for j in range(c_out):
        x0 = j * pitch + (pitch - 3.0 - path_w) / 2
        for l_ in range(c_in):
            kx = x0 + l_ * (k + plus)
            panel.grid(grid_quads((kx, kern_y + k), (k, k)), th.over("padding"))
            panel.label(f"$w_{{{j},{l_}}}$", [(kx + k / 2, kern_y + k, 0, 3.0, "center", "bottom")],
                        size=9.0, math=True)
            if l_:
                panel.label("+", [(kx - plus / 2, kern_y + k / 2, 0, 0, "center", "center")], size=14.0)
        centre = x0 + path_w / 2
        panel.arrow(start, (centre, kern_y - 0.15))
        oq = panel.grid(grid_quads((centre - o / 2, out_y + o), (o, o)), th.output)
        panel.arrow((centre, kern_y + k + 1.1), (centre, out_y - 0.15))
        panel.label(f"output map {j}", [_above(oq)])  # 0-based, as PyTorch indexes
    sums = " + ".join(f"x_{{{l_}}} \\star w_{{j,{l_}}}" for l_ in range(min(c_in, 3)))
    if c_in > 3:
        sums += r" + \cdots"
    panel.label(f"kernels $w$: {shape_label((c_out, c_in, k, k))};   output map $j$ $= {sums}$",
                [(total / 2, base[1], 0, -GAP - 16.0, "center", "top")], size=9.0, math=True)
    return _plan(panel, th, figsize, dpi, f"channels_figure(c_in={c_in}, c_out={c_out}, i={i}, k={k})")


def subsampling_figure(i: int = 5, k: int = 3, s: int = 2, *, x: Any = None, kernel: Any = None, theme: Any = None,
                       figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """Strides seen as subsampling (the guide's Figure 1.4).

    Left: the kernel moved by ``s``.  Right: moved by 1, then one output in ``s`` kept along each axis.  Both
    results are computed, and equal.

    Examples
    --------
    >>> fig = subsampling_figure(5, 3, 2)
    """
    return _figure(subsampling_plan(i, k, s, x=x, kernel=kernel, theme=theme, figsize=figsize, dpi=dpi))


def subsampling_plan(i: int = 5, k: int = 3, s: int = 2, *, x: Any = None, kernel: Any = None, theme: Any = None,
                       figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Plan:
    """The plan of :func:`subsampling_figure`."""
    check_still_options(theme=theme, figsize=figsize, dpi=dpi, i=(i, 1, 32), k=(k, 1, 32), s=(s, 1, 32))
    s = check_int("s", s, 1)
    strided, unit = Conv(i, k, s=s), Conv(i, k)
    xs = default_input(strided) if x is None else check_array("x", x, strided.input_shape)
    w = default_kernel(strided) if kernel is None else check_array("kernel", kernel, strided.k)
    y_s = apply(strided, xs, w)
    y_1 = apply(unit, xs, w)
    if not np.array_equal(y_1[::s, ::s], y_s):  # the identity the figure shows; it always holds
        raise AssertionError("stride-s output differs from the subsampled stride-1 output")
    th = get_theme(theme)
    panel = StillPanel(th)
    o1 = unit.output_shape[0]
    kq = panel.grid(grid_quads((-(k + 1.5), -(i - k) / 2), (k, k)), th.over("padding"),
                    values=[format_value(v) for v in np.asarray(w).ravel()])
    panel.label(f"kernel {shape_label((k, k))}", [_above(kq)])
    panel.label(r"$\star$", [(-0.75, -i / 2, 0, 0, "center", "center")], size=20.0, math=True)
    q = panel.grid(grid_quads((0, 0), (i, i)), th.input, values=[format_value(v) for v in xs.ravel()])
    panel.label(f"input {shape_label((i, i))}", [_above(q)])
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
    return _plan(panel, th, figsize, dpi, f"subsampling_figure(i={i}, k={k}, s={s})")


def positions_figure(spec: Spec, *, theme: Any = None, figsize: Optional[Sequence[float]] = None,
                     dpi: Optional[float] = None) -> Figure:
    """Counting kernel positions (the guide's Figure 2.8 a and b): the kernel's moves along the width, then the
    height, each with an arrow, and the count that is the output size.

    Examples
    --------
    >>> from convanim import Conv
    >>> fig = positions_figure(Conv(5, 3, s=2, p=1))
    """
    return _figure(positions_plan(spec, theme=theme, figsize=figsize, dpi=dpi))


def positions_plan(spec: Spec, *, theme: Any = None, figsize: Optional[Sequence[float]] = None,
                     dpi: Optional[float] = None) -> Plan:
    """The plan of :func:`positions_figure`."""
    check_still_options(theme=theme, figsize=figsize, dpi=dpi, spec=spec)
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
        real = np.array([index[r, c] >= 0 for r, c in taps])
        # The first position shaded as the grid view shades the kernel: over input, and over padding.
        if real.any():
            panel.grid(first[real], th.over("input"), z=2.0, outline=False)
        if (~real).any():
            panel.grid(first[~real], th.over("padding"), z=2.0, outline=False)
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
    # Typeset as every caption is: the sizes and parameters in maths (issue 21: this one was upright text).
    panel.label(join_math(caption(spec).lines(math=True)[0]), [((2 * C + 4.0) / 2, -R, 0, -GAP, "center", "top")],
                math=True)
    return _plan(panel, th, figsize, dpi, f"positions_figure({spec!r})")
