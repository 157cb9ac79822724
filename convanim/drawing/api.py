"""The drawing API: ``draw`` (on your Axes) and ``figure`` (a new Figure), both through one plan and one painter.

Figures are built with :class:`matplotlib.figure.Figure` and an Agg canvas,
never through pyplot: no window opens, no global state is touched, and the
caller's rcParams (fonts, styles) are honoured.
"""
from __future__ import annotations

import io
from functools import partial
from typing import Any, Optional, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.checks import check_draw_options, check_raster
from ..core.geometry import MAX_FRAMES
from ..core.matrix import MAX_MATRIX
from ..core.separable import Separable
from ..core.spec import Spec
from ..core.stack import Stack
from .captions import caption_pieces
from .channels_plan import ChannelsPanel
from .compose import compose
from .grid_plan import MAX_PLAIN_SIDE_PT, GridPanel
from .matrix_plan import MatrixPanel
from .measure import mpl_measure
from .overlap_plan import OverlapPanel
from .painter import Painter, Stage, axes_box_pt
from .plan import Plan
from .separable_plan import separable_plan
from .stack_plan import StackPanel
from .theme import get_theme
from .volume_plan import VolumePanel

__all__ = ["draw", "figure", "make_plan", "new_stage", "new_figure", "VIEWS"]

_DRAW_KEYS = ("style", "numbers", "x", "kernel", "theme", "labels", "caption", "fontsize", "max_frames",
              "view", "max_matrix")


def draw(ax: Axes, spec: Spec, frame: int = 0, *, style: str = "paper", numbers: bool = False, x: Any = None,
         kernel: Any = None, theme: Any = None, labels: bool = False, caption: bool = False,
         fontsize: Optional[float] = None, view: str = "grid", max_frames: int = MAX_FRAMES,
         max_matrix: int = MAX_MATRIX) -> Any:
    """Draw frame ``frame`` of ``spec`` on your own matplotlib Axes.

    The Axes' limits and aspect are set to hold the figure and its axis is
    turned off; everything else (fonts, rcParams, the figure) stays yours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    spec : Conv, ConvTranspose, Pool or Stack
        A :class:`~convanim.core.stack.Stack` is drawn map above map (``style="flat"``: side by side), a frame
        per cell of its last output with that cell's receptive field shaded on every map below.
    frame : int
        Which output cell the kernel is at (row-major; negative counts from the end).
    style : "paper" or "flat"
        The guide's slanted view, or input and output side by side.
    numbers : bool
        Write input values, kernel weights (small, in each tap's corner) and outputs.
    x, kernel : array_like, optional
        The values to write; the guide's Figure 1.1 numbers where they fit, else seeded integers.
    theme : "guide", "colorblind", "dark", a Theme or a mapping of colours
    labels, caption : bool
        Name the input and output maps; write the parameters and the formula.
    fontsize : float, optional
        Points for labels and captions (default 10 and 9; never under 6).
    view : "grid", "matrix", "both" or "overlap"
        The sliding kernel, the guide's unrolled matrix C (C^T for a transposed
        convolution) with the cells row ``frame`` reads and writes, or both; ``"overlap"``: one frame, a
        heatmap of :func:`~convanim.core.receptive.overlap` (a transposed convolution's output grid, else the
        input grid), its counts written with ``numbers=True``.
    max_frames, max_matrix : int
        Refusal limits for absurd sizes (10,000 frames; a 256-row or -column matrix).

    Returns
    -------
    Painter
        Call ``.set_frame(t)`` to move the kernel.  Text sizes are in points,
        laid out for the Axes' size at the time of the call.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import convanim as ca
    >>> ax = Figure().add_subplot()
    >>> painter = ca.draw(ax, ca.Conv(5, 3, s=2, p=1), frame=4)
    """
    check_draw_options(spec, frame=frame, ax=ax, style=style, numbers=numbers, x=x, kernel=kernel, theme=theme,
                       labels=labels, caption=caption, fontsize=fontsize, view=view, max_frames=max_frames,
                       max_matrix=max_matrix)
    plan = make_plan(spec, view=view, style=style, numbers=numbers, x=x, kernel=kernel, theme=theme, labels=labels,
                     caption=caption, fontsize=fontsize, max_frames=max_frames, max_matrix=max_matrix,
                     box_pt=axes_box_pt(ax))
    painter = Painter(ax, plan)
    painter.set_frame(frame)
    return painter


VIEWS = ("grid", "matrix", "both", "overlap")


def make_plan(spec: Spec, *, view: str = "grid", style: str = "paper", numbers: bool = False, x: Any = None,
              kernel: Any = None, theme: Any = None, labels: bool = False, caption: bool = False,
              fontsize: Optional[float] = None, max_frames: int = MAX_FRAMES, max_matrix: int = MAX_MATRIX,
              box_pt: Optional[tuple[float, float]] = None) -> Plan:
    """The Plan of ``spec`` in ``view``, measured with matplotlib and the caller's fonts.

    Examples
    --------
    >>> import convanim as ca
    >>> make_plan(ca.Conv(4, 3), view="both").n_frames
    4
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if isinstance(spec, Separable):  # two layers, played one after the other
        if view != "grid":
            raise ValueError(f"view must be 'grid' for a separable pair, got {view!r}")
        return separable_plan(spec, style=style, numbers=numbers, x=x, kernel=kernel, theme=theme, labels=labels,
                              caption=caption, fontsize=fontsize, max_frames=max_frames, box_pt=box_pt,
                              measure=mpl_measure)
    th = get_theme(theme)
    if isinstance(spec, Stack) or view == "overlap":
        # One panel each: a stack's maps and receptive fields, or one layer's overlap heatmap.
        one: Any = (StackPanel(spec, style=style, theme=th) if isinstance(spec, Stack)
                    else OverlapPanel(spec, style=style, numbers=numbers, theme=th))
        plan = compose([one], th, measure=mpl_measure, labels=labels, caption=(one.caption(), False) if caption
                       else None, fontsize=fontsize, box_pt=box_pt, max_plain_side=MAX_PLAIN_SIDE_PT, title=repr(spec))
        plan.spec, plan.view = spec, view
        return plan
    panels: list[Any] = []
    if view in ("grid", "both") and spec.ndim == 3:  # depth slices, the kernel a box spanning them
        panels.append(VolumePanel(spec, style=style, numbers=numbers, x=x, kernel=kernel, theme=th,
                                  max_frames=max_frames))
    elif view == "grid" and spec.channels:
        panels.append(ChannelsPanel(spec, style=style, numbers=numbers, x=x, kernel=kernel, theme=th,
                                    max_frames=max_frames))
    elif view in ("grid", "both"):
        panels.append(GridPanel(spec, style=style, numbers=numbers, x=x, kernel=kernel, theme=th,
                                max_frames=max_frames))
    if view in ("matrix", "both"):
        panels.append(MatrixPanel(spec, numbers=numbers, x=x, kernel=kernel, theme=th, max_frames=max_frames,
                                  max_matrix=max_matrix))
    arrange = "row"
    if view == "both":
        rows, cols = panels[1].R, panels[1].N
        arrange = "column" if cols > 2 * rows else "row"
    plan = compose(panels, th, measure=mpl_measure, labels=labels,
                   caption=caption_pieces(spec) if caption else None, fontsize=fontsize, box_pt=box_pt,
                   max_plain_side=MAX_PLAIN_SIDE_PT, arrange=arrange, title=repr(spec))
    plan.spec, plan.view = spec, view
    return plan


def new_figure(plan: Plan, figsize: Optional[Sequence[float]], dpi: Optional[float]) -> tuple[Figure, Plan]:
    """A Figure with an Agg canvas and one Axes filling it, sized to the plan (whole pixels at 100 dpi, so that
    every format has the same box)."""
    dpi = 100.0 if dpi is None else float(dpi)
    if not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    if figsize is None:
        figsize = plan.figsize()
        plan.fit_to(figsize[0] * 72.0, figsize[1] * 72.0)
    check_raster(float(figsize[0]), float(figsize[1]), dpi)  # before Agg allocates the buffer
    fig = Figure(figsize=(float(figsize[0]), float(figsize[1])), dpi=dpi)
    FigureCanvasAgg(fig)
    fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig, plan


def new_stage(spec: Spec, **kw: Any) -> Stage:
    """A new figure drawing ``spec`` with the keywords of :func:`figure`, as a :class:`Stage`."""
    unknown = set(kw) - set(_DRAW_KEYS) - {"figsize", "dpi"}
    if unknown:
        raise TypeError(f"unexpected keyword argument {sorted(unknown)[0]!r}")
    figsize, dpi = kw.pop("figsize", None), kw.pop("dpi", None)
    if figsize is not None:
        if (not isinstance(figsize, (tuple, list)) or len(figsize) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1000
                           for v in figsize)):
            raise ValueError(f"figsize must be (width, height) in inches, both positive, got {figsize!r}")
        kw["box_pt"] = (float(figsize[0]) * 72.0, float(figsize[1]) * 72.0)
    plan = make_plan(spec, **kw)
    fig, plan = new_figure(plan, figsize, dpi)
    painter = Painter(fig.axes[0], plan)
    fig.set_facecolor(painter.theme.mpl("background"))
    stage = Stage(fig, [painter])
    fig._convanim_stage = stage  # type: ignore[attr-defined]  # keeps the painter alive with its figure
    return stage


def figure(spec: Spec, frame: int = 0, **kw: Any) -> Figure:
    """A new matplotlib Figure showing frame ``frame`` of ``spec``.

    Takes the keywords of :func:`draw`, plus ``figsize`` (inches) and ``dpi``.
    The Figure is not registered with pyplot: save it with ``fig.savefig``.

    Examples
    --------
    >>> import convanim as ca
    >>> fig = ca.figure(ca.Conv(5, 3, s=2, p=1), frame=4, labels=True)
    >>> fig.savefig("padding_strides.pdf")  # doctest: +SKIP
    """
    check_draw_options(spec, frame=frame, **kw)
    kw.pop("duration", None)
    stage = new_stage(spec, **kw)
    stage.set_frame(frame)
    stage.vector_mode()
    fig = stage.figure
    # A notebook shows the last line's value through _repr_png_: no %matplotlib magic needed.
    fig._repr_png_ = partial(_figure_png, fig)
    return fig


def _figure_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
