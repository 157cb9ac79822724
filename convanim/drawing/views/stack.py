"""The view of a :class:`~convanim.core.stack.Stack`: its maps, and per frame the receptive field of one cell
of its last output, shaded on every map below."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

from ...core.checks import check_frame
from ...core.geometry import MAX_FRAMES
from ...core.limits import MAX_CELLS
from ...core.stack import Stack, check_stack_cost
from ..compose import compose
from ..grid_plan import MAX_PLAIN_SIDE_PT
from ..stack_plan import StackPanel, stack_caption
from ..textsize import Measure
from .base import View, register_view

if TYPE_CHECKING:
    from ..options import Options
    from ..plan import Plan
    from ..theme import Theme

__all__ = ["StackView"]


class StackView(View):
    """Layers in a row and their receptive fields; drawn without values."""

    name = "grid"
    draws = "a Stack"

    def accepts(self, spec: Any) -> bool:
        return isinstance(spec, Stack)

    def default_style(self, spec: Any) -> str:
        return "flat" if len(spec.input_shape) == 1 else "paper"

    def refuse(self, spec: Any, view: str) -> str:
        return (f"view: a Stack is drawn with view='grid' (its receptive fields), got {view!r}; the matrix and "
                f"overlap views draw one layer (e.g. stack.layers[0])")

    def n_frames(self, spec: Any, options: Options) -> int:
        n = 1
        for v in spec.output_shape:
            n *= v
        return n

    def check(self, spec: Any, options: Options, frame: Optional[int] = None) -> None:
        check_stack_cost(spec, options.max_frames, MAX_CELLS * max(1.0, options.max_frames / MAX_FRAMES))
        for name, value in (("numbers", options.numbers), ("x", options.x), ("kernel", options.kernel)):
            if value is not None and value is not False:
                raise ValueError(f"{name}: a Stack is drawn without values (its receptive fields are cells); draw "
                                 f"one layer to see its numbers")
        if frame is not None:
            check_frame(frame, self.n_frames(spec, options), repr(spec))

    def caption_lines(self, spec: Any, options: Options) -> list[str]:
        return [" ".join(pieces) for pieces in stack_caption(spec)]

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        panel = StackPanel(spec, style=options.drawn_style, theme=theme)
        return compose([panel], theme, measure=measure, labels=options.labels,
                       caption=(panel.caption(), False) if options.caption else None, fontsize=options.fontsize,
                       box_pt=box_pt, max_plain_side=MAX_PLAIN_SIDE_PT, title=repr(spec))


register_view(StackView())
