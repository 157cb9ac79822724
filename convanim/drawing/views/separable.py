"""The view of a depthwise separable pair: the depthwise panel, then the pointwise panel, played in sequence
(:mod:`convanim.drawing.separable_plan`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

from ...core.checks import check_array, check_frame
from ...core.separable import Separable, pair_kernel
from ..separable_plan import separable_plan
from ..textsize import Measure
from .base import View, register_view
from .layer import GridView

if TYPE_CHECKING:
    from ..options import Options
    from ..plan import Plan
    from ..theme import Theme

__all__ = ["SeparableView"]


class SeparableView(View):
    """Two layers, each drawn as the grid view draws a layer with channels, one after the other."""

    name = "grid"
    draws = "a separable pair (its two layers are drawn in the grid view)"

    def accepts(self, spec: Any) -> bool:
        return isinstance(spec, Separable)

    def n_frames(self, spec: Any, options: Options) -> int:
        return int(spec.n_frames)

    def check(self, spec: Any, options: Options, frame: Optional[int] = None) -> None:
        layer_options = options.replace(x=None, kernel=None)
        for layer in spec.layers:  # each layer's cost, as the grid view's of any layer
            GridView().check(layer, layer_options)
        if spec.n_frames > options.max_frames:
            raise ValueError(f"{spec!r} has {spec.n_frames} frames, more than max_frames={options.max_frames}")
        if frame is not None:
            check_frame(frame, spec.n_frames, repr(spec))
        if options.x is not None:
            check_array("x", options.x, (spec.c_in, *spec.input_shape))
        if options.kernel is not None:
            pair_kernel(spec, options.kernel)

    def caption_lines(self, spec: Any, options: Options) -> list[str]:
        return [" ".join(line) for line in spec.caption_lines()]

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        return separable_plan(spec, style=options.drawn_style, numbers=options.numbers, x=options.x, kernel=options.kernel,
                              theme=theme, labels=options.labels, caption=options.caption, fontsize=options.fontsize,
                              max_frames=options.max_frames, box_pt=box_pt, measure=measure)


register_view(SeparableView())
