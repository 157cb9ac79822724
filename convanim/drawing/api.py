"""The drawing API: ``draw``, ``figure``, ``animation``, ``render``.

Figures are built with :class:`matplotlib.figure.Figure` and an Agg canvas,
never through pyplot: no window opens, no global state is touched, and the
caller's rcParams (fonts, styles) are honoured.
"""
from __future__ import annotations

import io
from functools import partial
from typing import Any, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..core.geometry import MAX_FRAMES, scene
from ..core.matrix import MAX_MATRIX
from ..core.spec import Spec
from .layout import layout
from .painter import Painter, Stage, caption_text

__all__ = ["draw", "figure"]

#: Default pixels per cell unit at 100 dpi (the guide's figures use about 30), and the largest side in pixels.
UNIT_PX = 30.0
MAX_SIDE_PX = 900.0

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
    spec : Conv, ConvTranspose or Pool
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
        Points for labels and captions (default: in proportion to the cells).
    view : "grid" or "matrix"
        The sliding kernel, or the guide's unrolled matrix C (C^T for a transposed
        convolution) with the cells row ``frame`` reads and writes.  (``"both"``
        needs two Axes: use :func:`figure` or :func:`render`.)
    max_frames, max_matrix : int
        Refusal limits for absurd sizes (10,000 frames; a 256-row or -column matrix).

    Returns
    -------
    Painter or MatrixPainter
        Call ``.set_frame(t)`` to move the kernel.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import convanim as ca
    >>> ax = Figure().add_subplot()
    >>> painter = ca.draw(ax, ca.Conv(5, 3, s=2, p=1), frame=4)
    """
    _check_frame_arg(frame)
    if view not in ("grid", "matrix"):
        raise ValueError(f"view must be 'grid' or 'matrix' on one Axes ('both' needs figure() or render()), "
                         f"got {view!r}")
    painter = _make_painter(ax, spec, view, dict(style=style, numbers=numbers, x=x, kernel=kernel, theme=theme,
                                                 labels=labels, caption=caption, fontsize=fontsize,
                                                 max_frames=max_frames, max_matrix=max_matrix))
    painter.set_frame(frame)
    return painter


def _make_painter(ax: Axes, spec: Spec, view: str, kw: dict[str, Any]) -> Any:
    if view == "matrix":
        from .matrix_painter import MatrixPainter

        # The matrix view always names C, x and y: without them the picture cannot be read.
        mkw = {k: v for k, v in kw.items() if k not in ("style", "caption", "labels")}
        return MatrixPainter(ax, spec, labels=True, **mkw)
    return Painter(ax, spec, **{k: v for k, v in kw.items() if k != "max_matrix"})


def _check_frame_arg(frame: Any) -> None:
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)):
        raise TypeError(f"frame must be an int, got {type(frame).__name__}")


VIEWS = ("grid", "matrix", "both")


def _panel_bounds(spec: Spec, view: str, style: str, labels: bool, caption: bool, numbers: bool,
                  max_frames: int, max_matrix: int) -> list[tuple[float, float, float, float]]:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    panels = []
    if view in ("grid", "both"):
        lay = layout(scene(spec, max_frames=max_frames), style, labels=labels,
                     caption=caption_text(spec) if caption else ())
        panels.append(lay.bounds)
    if view in ("matrix", "both"):
        from ..core.matrix import check_matrix_size
        from .matrix_layout import matrix_layout

        check_matrix_size(spec, max_matrix)
        scene(spec, max_frames=max_frames)
        panels.append(matrix_layout(spec, numbers=numbers).bounds)
    return panels


def _new_figure(panels: Sequence[tuple[float, float, float, float]], *,
                figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """A Figure with an Agg canvas and one Axes per panel, side by side, sized so that the drawing fills it at a
    steady scale."""
    widths = [b[1] - b[0] for b in panels]
    heights = [b[3] - b[2] for b in panels]
    w_units, h_units = sum(widths), max(heights)
    dpi = 100.0 if dpi is None else float(dpi)
    if not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    if figsize is None:
        unit = min(UNIT_PX, MAX_SIDE_PX / max(h_units, w_units / len(panels)))
        # Whole pixels at 100 dpi, so every format has the same box.
        figsize = (round(w_units * unit) / 100.0, round(h_units * unit) / 100.0)
    else:
        if len(figsize) != 2 or not all(isinstance(v, (int, float)) and v > 0 for v in figsize):
            raise ValueError(f"figsize must be (width, height) in inches, both positive, got {figsize!r}")
    fig = Figure(figsize=tuple(figsize), dpi=dpi)
    FigureCanvasAgg(fig)
    left = 0.0
    for w in widths:
        fig.add_axes((left / w_units, 0, w / w_units, 1))
        left += w
    return fig


def _painter(spec: Spec, **kw: Any) -> Stage:
    """A new figure drawing ``spec`` with the keywords of :func:`figure`, as a :class:`Stage`."""
    unknown = set(kw) - set(_DRAW_KEYS) - {"figsize", "dpi", "view", "max_matrix"}
    if unknown:
        raise TypeError(f"unexpected keyword argument {sorted(unknown)[0]!r}")
    view = kw.pop("view", "grid")
    figsize, dpi = kw.pop("figsize", None), kw.pop("dpi", None)
    panels = _panel_bounds(spec, view, kw.get("style", "paper"), kw.get("labels", False), kw.get("caption", False),
                           kw.get("numbers", False), kw.get("max_frames", MAX_FRAMES),
                           kw.get("max_matrix", MAX_MATRIX))
    fig = _new_figure(panels, figsize=figsize, dpi=dpi)
    views = ["grid", "matrix"] if view == "both" else [view]
    painters = [_make_painter(ax, spec, v, dict(kw)) for ax, v in zip(fig.axes, views)]
    fig.set_facecolor(painters[0].theme.mpl("background"))
    stage = Stage(fig, painters)
    fig._convanim_stage = stage  # keep the painters alive with their figure
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
    _check_frame_arg(frame)
    kw.pop("duration", None)
    stage = _painter(spec, **kw)
    stage.set_frame(frame)
    stage.vector_mode()
    fig = stage.figure
    # A notebook shows the last line's value through _repr_png_: no %matplotlib magic needed.
    fig._repr_png_ = partial(_figure_png, fig)  # type: ignore[attr-defined]
    return fig


def _figure_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
