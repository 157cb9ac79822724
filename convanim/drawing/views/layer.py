"""The views of one layer (a Conv, ConvTranspose or Pool): the sliding kernel, the unrolled matrix, both, and
the overlap heatmap.

The grid view draws a one-map layer as the guide does (:class:`~convanim.drawing.grid_plan.GridPanel`), a layer
with channels as a canvas per channel (:class:`~convanim.drawing.channels_plan.ChannelsPanel`) and a 3D layer as
depth slices (:class:`~convanim.drawing.volume_plan.VolumePanel`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

from ...core.caption import caption
from ...core.checks import check_array, check_frame
from ...core.limits import check_canvas_cost, check_matrix_cost
from ...core.spec import Conv, ConvTranspose, Pool
from ..captions import caption_pieces
from ..channels_plan import ChannelsPanel
from ..compose import compose
from ..grid_plan import MAX_PLAIN_SIDE_PT, GridPanel
from ..matrix_plan import MatrixPanel
from ..overlap_plan import OverlapPanel, overlap_caption
from ..textsize import Measure
from ..volume_plan import VolumePanel
from .base import View, register_view

if TYPE_CHECKING:
    from ..options import Options
    from ..plan import Plan
    from ..theme import Theme

__all__ = ["GridView", "MatrixView", "BothView", "OverlapView"]


class LayerView(View):
    """What the views of one layer share: the kinds they draw, the frame count, the checks of values."""

    draws = "one layer"

    def accepts(self, spec: Any) -> bool:
        return isinstance(spec, (Conv, ConvTranspose, Pool))

    def default_style(self, spec: Any) -> str:
        # A row of cells reads best flat: slanted, a 1D layer is two thin diagonal ribbons in an empty canvas.
        return "flat" if spec.ndim == 1 else "paper"

    def n_frames(self, spec: Any, options: Options) -> int:
        n = spec.c_out
        for v in spec.output_shape:
            n *= v
        return int(n)

    def check(self, spec: Any, options: Options, frame: Optional[int] = None) -> None:
        self.check_cost(spec, options)
        if frame is not None:
            check_frame(frame, self.n_frames(spec, options), repr(spec))
        x, kernel = options.x, options.kernel
        # With channels, PyTorch's unbatched layout: x (c_in, *spatial), the weights spec.weight_shape.
        if x is not None:
            is_max = isinstance(spec, Pool) and spec.mode == "max"
            check_array("x", x, (spec.c_in, *spec.input_shape) if spec.channels else spec.input_shape,
                        allow_inf=is_max)
        if kernel is not None:
            if isinstance(spec, Pool):
                raise ValueError("kernel must be None for a pooling, which has no weights")
            check_array("kernel", kernel, spec.weight_shape if spec.channels else spec.k)

    def check_cost(self, spec: Any, options: Options) -> None:
        raise NotImplementedError

    def caption_lines(self, spec: Any, options: Options) -> list[str]:
        return caption(spec).plain(case=True, view=True)

    def grid_panel(self, spec: Any, options: Options, theme: Theme, *, channels: bool) -> Any:
        """The panel of the sliding kernel: depth slices in 3D, a canvas per channel, else the guide's grid."""
        kw: dict[str, Any] = dict(style=options.drawn_style, numbers=options.numbers, x=options.x, kernel=options.kernel,
                                  theme=theme, max_frames=options.max_frames)
        if spec.ndim == 3:
            return VolumePanel(spec, **kw)
        if channels and spec.channels:
            return ChannelsPanel(spec, **kw)
        return GridPanel(spec, **kw)

    def matrix_panel(self, spec: Any, options: Options, theme: Theme) -> MatrixPanel:
        return MatrixPanel(spec, numbers=options.numbers, x=options.x, kernel=options.kernel, theme=theme,
                           max_frames=options.max_frames, max_matrix=options.max_matrix)

    def compose(self, spec: Any, panels: list, options: Options, theme: Theme, measure: Measure,
                box_pt: Optional[Tuple[float, float]], arrange: str = "row") -> Plan:
        return compose(panels, theme, measure=measure, labels=options.labels,
                       caption=caption_pieces(spec) if options.caption else None, fontsize=options.fontsize,
                       box_pt=box_pt, max_plain_side=MAX_PLAIN_SIDE_PT, arrange=arrange, title=repr(spec))


class GridView(LayerView):
    """The sliding kernel over the input, the output beside or above (the guide's animations)."""

    name = "grid"

    def check_cost(self, spec: Any, options: Options) -> None:
        check_canvas_cost(spec, numbers=options.numbers, max_frames=options.max_frames)

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        return self.compose(spec, [self.grid_panel(spec, options, theme, channels=True)], options, theme, measure,
                            box_pt)


class MatrixView(LayerView):
    """The guide's unrolled matrix C (C^T for a transposed convolution), row t lit in frame t."""

    name = "matrix"

    def check_cost(self, spec: Any, options: Options) -> None:
        check_matrix_cost(spec, max_matrix=options.max_matrix, max_frames=options.max_frames,
                          what=f"view={self.name!r}")

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        return self.compose(spec, [self.matrix_panel(spec, options, theme)], options, theme, measure, box_pt)


class BothView(LayerView):
    """The grid and the matrix in one figure, moving together."""

    name = "both"

    def check_cost(self, spec: Any, options: Options) -> None:
        check_canvas_cost(spec, numbers=options.numbers, max_frames=options.max_frames)
        check_matrix_cost(spec, max_matrix=options.max_matrix, max_frames=options.max_frames,
                          what=f"view={self.name!r}")

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        grid = self.grid_panel(spec, options, theme, channels=False)
        matrix = self.matrix_panel(spec, options, theme)
        # A matrix more than twice as wide as tall goes under the grid, else beside it.
        arrange = "column" if matrix.N > 2 * matrix.R else "row"
        return self.compose(spec, [grid, matrix], options, theme, measure, box_pt, arrange)


class OverlapView(LayerView):
    """One frame: how many windows read each input cell (a transposed convolution: how many input units write
    each output cell), as a heatmap."""

    name = "overlap"

    def check_cost(self, spec: Any, options: Options) -> None:
        # The heatmap draws a grid no larger than the canvas.
        check_canvas_cost(spec, numbers=options.numbers, max_frames=options.max_frames)

    def n_frames(self, spec: Any, options: Options) -> int:
        return 1

    def check(self, spec: Any, options: Options, frame: Optional[int] = None) -> None:
        self.check_cost(spec, options)
        for name in ("x", "kernel"):
            if getattr(options, name) is not None:
                raise ValueError(f"{name}: view='overlap' counts windows, which no input or kernel changes; leave "
                                 f"{name} out")
        if frame is not None:
            check_frame(frame, 1, repr(spec))

    def caption_lines(self, spec: Any, options: Options) -> list[str]:
        return [" ".join(pieces) for pieces in overlap_caption(spec)]

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        panel = OverlapPanel(spec, style=options.drawn_style, numbers=options.numbers, theme=theme)
        lines = panel.caption() if options.caption else None
        return compose([panel], theme, measure=measure, labels=options.labels,
                       caption=(lines, False) if lines else None, fontsize=options.fontsize,
                       box_pt=box_pt, max_plain_side=MAX_PLAIN_SIDE_PT, title=repr(spec))


for _view in (GridView(), MatrixView(), BothView(), OverlapView()):
    register_view(_view)
