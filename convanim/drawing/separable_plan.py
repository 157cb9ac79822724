"""The figure of a depthwise separable pair: the depthwise panel, then the pointwise panel, played in sequence.

Both panels are :class:`~convanim.drawing.channels_plan.ChannelsPanel`s composed into one plan with
``timeline="sequence"``: first the depthwise frames (the pointwise panel idle), then the pointwise frames (the
depthwise panel at rest again, so that one output is current at a time).  The pointwise panel's input is the
depthwise output, value for value.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from ..core.geometry import MAX_FRAMES
from ..core.numerics import apply
from ..core.separable import Separable, pair_kernel
from .channels_plan import ChannelsPanel
from .compose import compose
from .grid_plan import MAX_PLAIN_SIDE_PT
from .plan import Plan
from .textsize import Measure, estimate
from .theme import get_theme

__all__ = ["separable_plan", "separable_panels"]


def separable_panels(pair: Separable, *, style: str = "paper", numbers: bool = False, x: Any = None,
                     kernel: Any = None, theme: Any = None,
                     max_frames: int = MAX_FRAMES) -> Tuple[ChannelsPanel, ChannelsPanel]:
    """The depthwise and the pointwise panel; the pointwise input is ``apply(depthwise, x, w1)``.

    Examples
    --------
    >>> from convanim import separable
    >>> dw, pw = separable_panels(separable(4, 3, 2, 3))
    >>> bool((pw.x == dw.y).all()), dw.n_frames + pw.n_frames
    (True, 20)
    """
    xs, w1, w2 = pair.default_values()
    if x is not None:
        xs = np.asarray(x, dtype=float)
    if kernel is not None:
        w1, w2 = pair_kernel(pair, kernel)
    th = get_theme(theme)
    dw, pw = pair.layers
    kh, kw = dw.k
    first = ChannelsPanel(dw, style=style, numbers=numbers, x=xs, kernel=w1, theme=th, max_frames=max_frames,
                          names=("input channel", "depthwise output"), group_lines=False,
                          title=f"1. depthwise {kh}×{kw}, groups = {dw.groups}")
    second = ChannelsPanel(pw, style=style, numbers=numbers, x=apply(dw, xs, w1), kernel=w2, theme=th,
                           max_frames=max_frames, names=("depthwise output", "output channel"),
                           title="2. pointwise 1×1")
    return first, second


def separable_plan(pair: Separable, *, style: str = "paper", numbers: bool = False, x: Any = None, kernel: Any = None,
                   theme: Any = None, labels: bool = False, caption: bool = False, fontsize: Optional[float] = None,
                   max_frames: int = MAX_FRAMES, box_pt: Optional[Tuple[float, float]] = None,
                   measure: Measure = estimate) -> Plan:
    """The Plan of a depthwise separable pair: two panels (side by side; flat: one above the other), played one
    after the other.

    Examples
    --------
    >>> from convanim import separable
    >>> plan = separable_plan(separable(4, 3, 2, 3), numbers=True)
    >>> plan.n_frames, len(plan.frames)
    (20, 20)
    """
    th = get_theme(theme)
    panels = separable_panels(pair, style=style, numbers=numbers, x=x, kernel=kernel, theme=th,
                              max_frames=max_frames)
    plan = compose(list(panels), th, measure=measure, labels=labels,
                   caption=(pair.caption_lines(math=True), True) if caption else None, fontsize=fontsize,
                   box_pt=box_pt, max_plain_side=MAX_PLAIN_SIDE_PT, title=repr(pair),
                   arrange="row" if style == "paper" else "column",  # flat: two long rows, one above the other
                   timeline="sequence")
    return plan
