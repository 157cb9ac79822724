"""The views: one class per kind of figure, and the registry that picks one for a ``(spec, view=...)`` call.

:func:`checked` is the one door every entry point goes through: the options checked once
(:func:`~convanim.drawing.options.check_options`), the view selected, and its own checks of the spec (cost,
values, frame).  :func:`make_plan` then asks the view for its plan and finishes it as data.

Examples
--------
>>> from convanim import Conv, Stack
>>> view, options = checked(Conv(5, 3, s=2, p=1), view="both", numbers=True)
>>> type(view).__name__, view.n_frames(Conv(5, 3, s=2, p=1), options)
('BothView', 9)
>>> checked(Stack(Conv(8, 3)), view="matrix")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: view: a Stack is drawn with view='grid' (its receptive fields), got 'matrix'; ...
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional, Tuple

from ..options import Options, check_options
from ..plan import Plan
from ..textsize import Measure, estimate
from ..theme import get_theme
from .base import View, register_view, registered_views, select_view, view_names
from .layer import BothView, GridView, MatrixView, OverlapView
from .separable import SeparableView
from .stack import StackView

__all__ = ["View", "register_view", "registered_views", "select_view", "view_names", "checked", "make_plan", "with_style",
           "GridView", "MatrixView", "BothView", "OverlapView", "StackView", "SeparableView"]


def checked(spec: Any, frame: Optional[int] = None, **kw: Any) -> Tuple[View, Options]:
    """The view of ``spec`` and the options ``kw``, every check passed: types and ranges, then whether the view
    draws ``spec``, then the view's own checks (cost, ``x``, ``kernel``, ``frame``)."""
    options = check_options(views=view_names(), **kw)
    view = select_view(spec, options.view)
    options = with_style(view, spec, options)
    view.check(spec, options, frame)
    return view, options


def with_style(view: View, spec: Any, options: Options) -> Options:
    """``options`` with its style decided: as asked, else the view's default for ``spec``."""
    return options if options.style is not None else replace(options, style=view.default_style(spec))


def make_plan(spec: Any, options: Options, view: Optional[View] = None, *, measure: Measure = estimate,
              box_pt: Optional[Tuple[float, float]] = None) -> Plan:
    """The finished plan of ``spec`` (checked, with ``view`` its view): texts measured with ``measure``, the
    drawing fitted to ``box_pt`` points (a caller's Axes), else to ``options.figsize``, else to whole pixels."""
    view = select_view(spec, options.view) if view is None else view
    options = with_style(view, spec, options)
    if box_pt is None and options.figsize is not None:
        box_pt = (options.figsize[0] * 72.0, options.figsize[1] * 72.0)
    plan = view.plan(spec, options, get_theme(options.theme), measure=measure, box_pt=box_pt)
    plan.title = repr(spec)
    plan.caption_lines = tuple(view.caption_lines(spec, options))
    plan.view = view.name
    plan.dpi = 100.0 if options.dpi is None else options.dpi
    plan.duration = options.duration
    if options.figsize is not None:
        plan.inches = options.figsize
    elif box_pt is None:
        w, h = plan.figsize()
        plan.fit_to(w * 72.0, h * 72.0)  # the bounds fill the figure's whole pixels, as every format draws them
    return plan
