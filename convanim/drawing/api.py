"""The drawing API: ``plan`` (the figure as data), ``draw`` (on your Axes) and ``figure`` (a new Figure).

Every call goes through one door (:func:`convanim.drawing.views.checked`: the options checked once, the view
chosen by the registry), then one plan, then one painter.  Figures are built with
:class:`matplotlib.figure.Figure` and an Agg canvas, never through pyplot: no window opens, no global state is
touched, and the caller's rcParams (fonts, styles) are honoured.
"""
from __future__ import annotations

import io
from typing import Any, Optional

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.checks import check_axes, check_raster
from ..core.geometry import MAX_FRAMES
from ..core.matrix import MAX_MATRIX
from ..core.spec import Spec
from .measure import mpl_measure
from .painter import Painter, Stage, axes_box_pt
from .plan import Plan
from .views import checked
from .views import make_plan as view_plan

__all__ = ["draw", "figure", "plan", "make_plan", "new_stage", "new_figure", "stage_of", "ConvFigure"]


def draw(ax: Axes, spec: Spec, frame: int = 0, *, style: Optional[str] = None, numbers: bool = False, x: Any = None,
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
    style : "paper" or "flat", optional
        The guide's slanted view, or input and output side by side; by default flat for a 1D layer (or stack),
        else paper.
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
    check_axes(ax)
    chosen, options = checked(spec, frame, style=style, numbers=numbers, x=x, kernel=kernel, theme=theme,
                              labels=labels, caption=caption, fontsize=fontsize, view=view, max_frames=max_frames,
                              max_matrix=max_matrix)
    painter = Painter(ax, view_plan(spec, options, chosen, measure=mpl_measure, box_pt=axes_box_pt(ax)))
    painter.set_frame(frame)
    return painter


def plan(spec: Spec, **options: Any) -> Plan:
    """The figure of ``spec`` as data: a :class:`~convanim.drawing.plan.Plan` of plain numbers and strings.

    Takes the keywords of :func:`figure` (and ``duration``).  Every frame is decided once; the plan pickles, and
    :func:`convanim.render` takes it wherever it takes a spec, painting from the plan alone.  Texts are measured
    with your fonts (matplotlib's rcParams) now, so render the plan under the same rcParams.

    Examples
    --------
    >>> import convanim as ca
    >>> p = ca.plan(ca.Conv(5, 3, s=2, p=1), numbers=True)
    >>> p.n_frames, p.frame(4).covered[:3]
    (9, (16, 17, 18))
    >>> import pickle; pickle.loads(pickle.dumps(p)).n_frames
    9
    """
    return make_plan(spec, **options)


def make_plan(spec: Spec, *, box_pt: Optional[tuple[float, float]] = None, **options: Any) -> Plan:
    """The finished Plan of ``spec`` with ``options`` checked, measured with matplotlib and the caller's fonts;
    fitted to ``box_pt`` points when given."""
    view, checked_options = checked(spec, **options)
    return view_plan(spec, checked_options, view, measure=mpl_measure, box_pt=box_pt)


class ConvFigure(Figure):
    """A matplotlib Figure that a notebook shows by itself (as a PNG): no ``%matplotlib`` magic needed."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png")
        return buf.getvalue()


def new_figure(plan: Plan) -> Figure:
    """A :class:`ConvFigure` with an Agg canvas and one Axes filling it, of the plan's size and dpi."""
    w, h = plan.figsize()
    check_raster(w, h, plan.dpi)  # before Agg allocates the buffer
    fig = ConvFigure(figsize=(w, h), dpi=plan.dpi)
    FigureCanvasAgg(fig)
    fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig


def stage_of(plan: Plan) -> Stage:
    """A new figure painting ``plan``, as a :class:`Stage` (frame 0 shown)."""
    fig = new_figure(plan)
    painter = Painter(fig.axes[0], plan)
    fig.set_facecolor(painter.theme.mpl("background"))
    return Stage(fig, [painter])


def new_stage(spec: Spec, **kw: Any) -> Stage:
    """A new figure drawing ``spec`` with the keywords of :func:`figure`, as a :class:`Stage`."""
    return stage_of(make_plan(spec, **kw))


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
    view, options = checked(spec, frame, **kw)
    stage = stage_of(view_plan(spec, options, view, measure=mpl_measure))
    stage.set_frame(frame)
    stage.vector_mode()
    return stage.figure
