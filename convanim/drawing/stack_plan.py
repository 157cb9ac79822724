"""A :class:`~convanim.core.stack.Stack` as a panel: every map of the stack, and per frame one cell of the last
output with its receptive field shaded on every map below and the paths it travels.

``style="paper"``: the maps as slanted planes one above the other, the input at the bottom (the guide's look).
``"flat"``: unslanted maps side by side, the input on the left; when every map is one row high (a 1D stack)
they are one above the other instead, as the WaveNet figure draws them.

Paths: in a stack of rows (1D), a line from every shaded cell to every shaded cell it feeds; in 2D, the lines
from the corners of the shaded region on one map to those of the shaded region on the next (as the guide joins
the kernel's window to the output cell), passing behind the map above; side by side (flat), two lines from the
region's right corners to the next region's left corners.
"""
from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from ..core.receptive import axis_inputs, product_cells
from ..core.spec import ConvTranspose
from ..core.stack import Stack, fraction_text, receptive_fields_per_map
from ..core.stack_text import layer_text
from .compose import Composer, Label
from .layout import COL, ROW, Layout
from .plan import DEFAULT_UNIT_PT, FrameState, Mover, Shapes, Text
from .theme import Theme, get_theme

__all__ = ["StackPanel", "stack_caption", "clip_outside"]

Z_FILL, Z_EDGE, Z_LINES, Z_SHADE = 1.0, 1.5, 3.0, 5.0


def _plane(shape: Tuple[int, ...]) -> Tuple[int, int]:
    """The grid a map is drawn on: a 1D map of ``n`` cells is one row of ``n``."""
    if len(shape) == 1:
        return (1, int(shape[0]))
    if len(shape) != 2:
        raise ValueError(f"a stack of {len(shape)}D layers is not drawn (1D and 2D are); its table and receptive "
                         f"fields work (Stack.describe(), receptive_field)")
    return (int(shape[0]), int(shape[1]))


def clip_outside(segments: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """The parts of ``segments`` ``(n, 2, 2)`` outside the convex polygon ``poly`` (Cyrus-Beck clipping).

    Examples
    --------
    >>> sq = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)
    >>> clip_outside(np.array([[[-1, 0.5], [2, 0.5]]]), sq).round(3).tolist()
    [[[-1.0, 0.5], [0.0, 0.5]], [[1.0, 0.5], [2.0, 0.5]]]
    """
    p = np.asarray(poly, dtype=float)
    area = 0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
    edges = np.roll(p, -1, axis=0) - p
    normals = np.stack([edges[:, 1], -edges[:, 0]], axis=1) * (1 if area > 0 else -1)  # outward
    out = []
    for a, b in np.asarray(segments, dtype=float):
        d = b - a
        t0, t1 = 0.0, 1.0
        for n, q in zip(normals, p):
            num, den = float(n @ (q - a)), float(n @ d)
            if abs(den) < 1e-12:
                if num < 0:
                    t0, t1 = 1.0, 0.0  # parallel and outside this edge: no part inside
                    break
                continue
            t = num / den
            if den > 0:
                t1 = min(t1, t)
            else:
                t0 = max(t0, t)
        if t0 >= t1 - 1e-9:
            out.append([a, b])
            continue
        if t0 > 1e-9:
            out.append([a, a + t0 * d])
        if t1 < 1 - 1e-9:
            out.append([a + t1 * d, b])
    return np.array(out, dtype=float) if out else np.zeros((0, 2, 2))


def _axes(values: Any) -> str:
    # A caption is typeset: a real minus sign (U+2212), not the hyphen the CLI's table keeps.
    texts = [fraction_text(v).replace("-", "−") for v in values]
    return texts[0] if len(set(texts)) == 1 else "(" + ", ".join(texts) + ")"


def stack_caption(stack: Stack) -> list[list[str]]:
    """The caption of a stack drawing: its layers, and what one output cell sees (the table's last row)."""
    last = stack.table()[-1]
    size = "×".join(fraction_text(v) for v in last.r)
    shape = "×".join(map(str, stack.output_shape))
    n = len(stack.layers)
    lines = [[f"{n} layer{'s' if n > 1 else ''}: input {'×'.join(map(str, stack.input_shape))} → output {shape}:"]
             + [t + (";" if m < n - 1 else "") for m, t in enumerate(layer_text(x) for x in stack.layers)],
             [f"receptive field of an output cell: {size} input cells,"
              if not any(isinstance(x, ConvTranspose) for x in stack.layers)
              else f"receptive field of an output cell: spans {size} input cells,",
              f"jump {_axes(last.j)},", "output 0's field centred on input", f"{_axes(last.start)}",
              "(Araujo, Norris & Sim, Distill 2019)"]]
    return lines


class StackPanel:
    """The maps of a stack and the receptive field of one output cell per frame, as a panel of a plan.

    Examples
    --------
    >>> from convanim import Conv, Pool
    >>> panel = StackPanel(Stack(Conv(8, 3), Pool(6, 2)))
    >>> panel.n_frames, len(panel.frame(4).geometry["rf"])
    (9, 21)
    """

    def __init__(self, stack: Stack, *, style: str = "paper", theme: Any = None) -> None:
        if style not in ("paper", "flat"):
            raise ValueError(f"style must be 'paper' or 'flat', got {style!r}")
        self.stack, self.style = stack, style
        self.th: Theme = get_theme(theme)
        self.planes = [_plane(s) for s in stack.shapes]
        self.rows = all(h == 1 for h, _ in self.planes)  # a 1D stack (or one of single rows)
        self.lays = [Layout(style, pl, pl, np.zeros(2), (0.0, 0.0, 0.0, 0.0)) for pl in self.planes]
        self.offs = self._place()
        self.offset = np.zeros(2)
        self.n_frames = int(np.prod(stack.output_shape))
        self.numbers = False
        self.lw = float(np.clip(0.05 * DEFAULT_UNIT_PT, 0.4, 1.2))

    def _place(self) -> list[np.ndarray]:
        """Where each map goes: one above the other (paper, and flat rows), else side by side, centred."""
        offs: list[np.ndarray] = []
        side = max(max(pl) for pl in self.planes)
        across = self.style == "flat" and not self.rows
        gap = (2.0 if across else 1.0) + 0.04 * side
        if self.rows:
            gap = 1.6 if self.style == "flat" else 3.2
        for m, lay in enumerate(self.lays):
            o = lay.canvas_outline
            if not offs:
                offs.append(np.zeros(2))
                continue
            prev = self.lays[m - 1].canvas_outline + offs[-1]
            if self.rows and self.style == "paper":
                # Slanted rows stay parallel, centred along their slant, a constant height apart.
                along = (self.planes[m - 1][1] - self.planes[m][1]) / 2 * COL
                offs.append(offs[-1] + along + np.array([0.0, -ROW[1] + gap]))
                continue
            if across:
                # Bottoms aligned: the paths between maps then stay above that line, and the labels under it
                # are never crossed by one.
                dx = prev[:, 0].max() + gap - o[:, 0].min()
                dy = prev[:, 1].min() - o[:, 1].min()
            else:
                dx = (prev[:, 0].min() + prev[:, 0].max()) / 2 - (o[:, 0].min() + o[:, 0].max()) / 2
                dy = prev[:, 1].max() + gap - o[:, 1].min()
            offs.append(np.array([dx, dy]))
        return offs

    # ---- where things are ---------------------------------------------------------------------------------

    def quads(self, m: int, cells: Any, height: int = 1, width: int = 1) -> np.ndarray:
        """Plan corners of ``cells`` (``(n, 2)`` rows and columns on map ``m``'s grid)."""
        cells = np.asarray(cells, dtype=float).reshape(-1, 2)
        return self.lays[m].quads(cells[:, 0], cells[:, 1], "canvas", height, width) + self.offs[m] + self.offset

    def outline(self, m: int) -> np.ndarray:
        return self.lays[m].canvas_outline + self.offs[m] + self.offset

    def grid_outlines(self) -> list[np.ndarray]:
        return [self.outline(m) for m in range(len(self.lays))]

    def _cells(self, per_axis: list[list[int]]) -> list[Tuple[int, int]]:
        cells = product_cells(per_axis)
        return [(0, c[0]) for c in cells] if len(per_axis) == 1 else [(c[0], c[1]) for c in cells]

    # ---- still part ---------------------------------------------------------------------------------------

    def add_still(self, comp: Composer) -> None:
        th = self.th
        for m, (h, w) in enumerate(self.planes):
            rr, cc = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
            q = self.lays[m].quads(rr.ravel(), cc.ravel()) + self.offs[m]
            comp.shapes.append(Shapes(q, th.input if m == 0 else th.output, edge=th.line, width=self.lw, z=Z_FILL))
            comp.outlines.append(self.lays[m].canvas_outline + self.offs[m])

    def _names(self) -> list[str]:
        shapes = ["×".join(map(str, s)) for s in self.stack.shapes]
        return [f"input {shapes[0]}"] + [f"{m}: {layer_text(x)} → {shapes[m]}"
                                          for m, x in enumerate(self.stack.layers, 1)]

    def add_labels(self, comp: Composer, size: float) -> None:
        gap = 6.0
        for m, name in enumerate(self._names()):
            o = self.lays[m].canvas_outline + self.offs[m]
            cy = (o[:, 1].min() + o[:, 1].max()) / 2
            if self.style == "flat" and not self.rows:
                cx = (o[:, 0].min() + o[:, 0].max()) / 2
                # Under the (bottom-aligned) maps, where no path goes: a second row where neighbours are too close.
                places = [(cx, o[:, 1].min(), 0.0, -gap, "center", "top"),
                          (cx, o[:, 1].min(), 0.0, -gap - 1.4 * size, "center", "top"),
                          (cx, o[:, 1].max(), 0.0, gap, "center", "bottom"),
                          (o[:, 0].max(), cy, gap, 0.0, "left", "center")]
            elif self.style == "flat":
                places = [(o[:, 0].max(), cy, gap, 0.0, "left", "center"),
                          (o[:, 0].min(), cy, -gap, 0.0, "right", "center")]
            else:
                right, left = o[np.argmax(o[:, 0])], o[np.argmin(o[:, 0])]
                places = [(right[0], right[1], gap, 0.0, "left", "center"),
                          (left[0], left[1], -gap, 0.0, "right", "center")]
            comp.labels.append(Label(name, size, self.th.text, places))

    # ---- numbers (a stack draws none) ---------------------------------------------------------------------

    def unit_for_numbers(self) -> float:
        return 0.0

    def drop_numbers(self, comp: Composer, note: str) -> None:
        self.numbers = False

    def number_texts(self, unit: float) -> list[Text]:
        return []

    # ---- frames -------------------------------------------------------------------------------------------

    def movers(self, unit: float) -> list[Mover]:
        th = self.th
        return [Mover("lines", "lines", edge=th.line, width=self.lw * 0.8, z=Z_LINES),
                Mover("rf", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=self.lw, z=Z_SHADE)]

    def cell_of(self, t: int) -> Tuple[int, ...]:
        return tuple(int(v) for v in np.unravel_index(int(t), self.stack.output_shape))

    def frame(self, t: int) -> FrameState:
        maps = receptive_fields_per_map(self.stack, self.cell_of(t))
        quads = [self.quads(m, self._cells(per_axis)) for m, per_axis in enumerate(maps) if self._cells(per_axis)]
        rf = np.concatenate(quads) if quads else np.zeros((0, 4, 2))
        lines = self._row_paths(maps) if self.rows else self._region_paths(maps)
        return FrameState({"rf": rf, "lines": lines})

    def _row_paths(self, maps: list[list[list[int]]]) -> np.ndarray:
        """A line from the top of every shaded cell to the bottom of every shaded cell it feeds."""
        segs = []
        last = len(maps[0]) - 1  # the axis along the row
        for m, layer in enumerate(self.stack.layers):
            for y in maps[m + 1][last]:
                for x in axis_inputs(layer, last, y):
                    # From the middle of the lower cell's upper edge to that of the upper cell's lower edge.
                    a = self.lays[m].project(0.0, x + 0.5) + self.offs[m]
                    b = self.lays[m + 1].project(1.0, y + 0.5) + self.offs[m + 1]
                    segs.append([a, b])
        return np.array(segs, dtype=float) + self.offset if segs else np.zeros((0, 2, 2))

    def _region_paths(self, maps: list[list[list[int]]]) -> np.ndarray:
        """Lines from the corners of the shaded region on each map to those of the region it feeds, clipped where
        they would cross a map they pass behind."""
        segs = []
        for m in range(len(self.stack.layers)):
            lo, hi = maps[m], maps[m + 1]
            if not all(lo) or not all(hi):
                continue
            a = self.quads(m, [[lo[0][0], lo[1][0]]], lo[0][-1] - lo[0][0] + 1, lo[1][-1] - lo[1][0] + 1)[0]
            b = self.quads(m + 1, [[hi[0][0], hi[1][0]]], hi[0][-1] - hi[0][0] + 1, hi[1][-1] - hi[1][0] + 1)[0]
            if self.style == "flat":
                # Side by side: the region's right corners to the next region's left corners, over both maps.
                segs.append(np.array([[a[1], b[0]], [a[2], b[3]]]))
            else:
                segs.append(clip_outside(np.stack([a, b], axis=1), self.outline(m + 1)))
        return np.concatenate(segs) if segs else np.zeros((0, 2, 2))

    def cells(self) -> list:
        h, w = self.planes[-1]
        rr, cc = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        return list(zip(range(h * w), self.quads(len(self.lays) - 1, np.stack([rr.ravel(), cc.ravel()], axis=1))))

    def caption(self) -> list[list[str]]:
        return stack_caption(self.stack)
