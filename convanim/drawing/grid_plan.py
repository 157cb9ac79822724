"""The grid view as a Plan: the canvas under the kernel, the output map, the kernel moving frame by frame.

``style="paper"`` is the guide's slanted view (the output map above the canvas, four lines from the kernel's
corners to the output cell); ``"flat"`` puts the two side by side.
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from ..core.geometry import MAX_FRAMES, scene
from ..core.numerics import apply, default_input, default_kernel
from ..core.rank import as_2d, lift_values
from ..core.spec import Pool, Spec
from .captions import caption_pieces, map_label
from .cell_numbers import cell_texts, fit_numbers, format_value
from .compose import Composer, Label, compose
from .layout import Layout, layout
from .plan import (
    DEFAULT_UNIT_PT,
    MIN_TEXT_PT,
    FrameState,
    Mover,
    Plan,
    Shapes,
    Strokes,
    Text,
    text_patches,
)
from .shapes import grid_runs
from .textsize import Measure, estimate
from .theme import Theme, get_theme

__all__ = ["grid_plan", "GridPanel", "format_value", "cell_texts", "MAX_PLAIN_SIDE_PT"]


#: Without numbers, convanim keeps a figure's longer side under this many points (900 pixels at 100 dpi).
MAX_PLAIN_SIDE_PT = 648.0
Z_FILL, Z_EDGE, Z_COVER, Z_KERNEL, Z_LINES, Z_OUTPUT, Z_HIGHLIGHT, Z_TEXT, Z_MARK, Z_WEIGHT = (
    1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 6.5, 7.0)


def _edge_segments(real: np.ndarray, lay: Layout, plane: str, solid: bool) -> np.ndarray:
    """Grid edges in straight runs: ``solid`` ones touch a real cell; the others (dashed) touch none."""
    R, C = real.shape
    padded = np.pad(real, 1, constant_values=False)
    segs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for r in range(R + 1):
        touch = padded[r, 1:-1] | padded[r + 1, 1:-1]
        segs += [((r, a), (r, b)) for a, b in grid_runs(touch if solid else ~touch)]
    for c in range(C + 1):
        touch = padded[1:-1, c] | padded[1:-1, c + 1]
        segs += [((a, c), (b, c)) for a, b in grid_runs(touch if solid else ~touch)]
    if not segs:
        return np.zeros((0, 2, 2))
    arr = np.array(segs, dtype=float)
    return lay.project(arr[..., 0], arr[..., 1], plane)


def _run_quads(mask: np.ndarray, lay: Layout, plane: str) -> np.ndarray:
    """Fills of the True cells of ``mask``, one quad per run along a row (the cost grows with the side)."""
    quads = [lay.quads([r], [a], plane, 1, b - a)[0] for r in range(mask.shape[0]) for a, b in grid_runs(mask[r])]
    return np.array(quads) if quads else np.zeros((0, 4, 2))


def grid_plan(spec: Spec, *, style: str = "paper", numbers: bool = False, x: Any = None, kernel: Any = None,
              theme: Any = None, labels: bool = False, caption: bool = False, fontsize: Optional[float] = None,
              max_frames: int = MAX_FRAMES, box_pt: Optional[Tuple[float, float]] = None,
              measure: Measure = estimate) -> Plan:
    """The Plan of the grid view of ``spec``.

    ``box_pt`` is the ``(width, height)`` in points to fit (the caller's Axes); without it convanim chooses the
    size: 21.6 points a cell, more where the numbers need it to stay at least 6 points, and numbers left out
    (with a note saying how to get them) where even a 24-inch figure would not hold them.

    Examples
    --------
    >>> from convanim import Conv
    >>> plan = grid_plan(Conv(5, 3, s=2, p=1), numbers=True)
    >>> plan.n_frames, min(t.size for t in plan.texts) >= 6
    (9, True)
    """
    th = get_theme(theme)
    panel = GridPanel(spec, style=style, numbers=numbers, x=x, kernel=kernel, theme=th, max_frames=max_frames)
    return compose([panel], th, measure=measure, labels=labels, caption=caption_pieces(spec) if caption else None,
                   fontsize=fontsize, box_pt=box_pt, max_plain_side=MAX_PLAIN_SIDE_PT, title=repr(spec))


class GridPanel:
    """The grid view of one layer as a panel of a plan: the still part, the numbers, the frames."""

    def __init__(self, spec: Spec, *, style: str = "paper", numbers: bool = False, x: Any = None,
                 kernel: Any = None, theme: Any = None, max_frames: int = MAX_FRAMES) -> None:
        if style not in ("paper", "flat"):
            raise ValueError(f"style must be 'paper' or 'flat', got {style!r}")
        th: Theme = get_theme(theme)
        # A 1D layer is drawn as the 2D layer of height 1 that computes the same; its values are its own.
        sc = scene(as_2d(spec), max_frames=max_frames)
        # A causal layer (all its padding before) stands each output over the last input it reads.
        causal = spec.ndim == 1 and spec.padding[0] == (spec.d[0] * (spec.k[0] - 1), 0) and spec.padding[0][0] > 0
        lay = layout(sc, style, anchor=1.0 if causal else 0.5)
        self.spec, self.sc, self.lay, self.th = spec, sc, lay, th
        self.offset = np.zeros(2)
        self.n_frames = len(sc.frames)
        self.numbers = bool(numbers)
        self.index = sc.input_index()
        self.real = self.index >= 0
        self.copies = (sc.source_index() >= 0) & ~self.real
        self.is_max = isinstance(spec, Pool) and spec.mode == "max"
        needs = self.numbers or self.is_max
        self.x: Any = None
        self.kernel: Any = None
        self.y: Any = None
        self.canvas_values: Any = None
        if needs or x is not None or kernel is not None:
            x1 = default_input(spec) if x is None else np.asarray(x, dtype=float)
            if isinstance(spec, Pool):
                self.kernel = None
                self.y = lift_values(spec, apply(spec, x1))
            else:
                k1 = default_kernel(spec) if kernel is None else np.asarray(kernel, dtype=float)
                self.y = lift_values(spec, apply(spec, x1, k1))
                self.kernel = lift_values(spec, k1)
            self.x = lift_values(spec, x1)
            self.canvas_values = sc.canvas_values(self.x)
            if self.is_max:
                self.canvas_values = np.where(self.real, self.canvas_values, -np.inf)
        self.lw = float(np.clip(0.05 * DEFAULT_UNIT_PT, 0.4, 1.2))
        self.canvas_strings: list[str] = []
        self.output_strings: list[str] = []
        self.weight_strings: list[str] = []
        if self.numbers:
            self.canvas_strings = [format_value(v) for v in self.canvas_values.ravel()]
            self.output_strings = [format_value(v, 1) for v in self.y.ravel()]
            if self.kernel is not None:
                self.weight_strings = [format_value(w) for w in sc.tap_weights(self.kernel)]
        self._fractions: Optional[dict] = None
        self.measure: Measure = estimate

    def centre(self, rows: Any, cols: Any, plane: str = "canvas") -> np.ndarray:
        """Plan coordinates of the centres of cells ``(rows, cols)`` of the ``"canvas"`` or ``"output"``."""
        return self.lay.centres(np.asarray(rows), np.asarray(cols), plane) + self.offset

    # ---- still part ---------------------------------------------------------------------------------------

    def add_still(self, comp: Composer) -> None:
        lay, th, real = self.lay, self.th, self.real
        self.measure = comp.measure
        oshape = self.sc.output_shape
        if (~real & ~self.copies).any():
            comp.shapes.append(Shapes(_run_quads(~real & ~self.copies, lay, "canvas"), th.padding, z=Z_FILL))
        if self.copies.any():
            # Copies of the input (reflect, replicate, circular): pale input, dashed edges like any padding.
            comp.shapes.append(Shapes(_run_quads(self.copies, lay, "canvas"), th.copy, z=Z_FILL))
        comp.shapes.append(Shapes(_run_quads(real, lay, "canvas"), th.input, z=Z_FILL))
        dashed = _edge_segments(real, lay, "canvas", solid=False)
        if len(dashed):
            comp.strokes.append(Strokes(dashed, th.line, self.lw, dashed=True, z=Z_EDGE))
        comp.strokes.append(Strokes(_edge_segments(real, lay, "canvas", solid=True), th.line, self.lw, z=Z_EDGE))
        out = np.ones(oshape, dtype=bool)
        comp.shapes.append(Shapes(np.array([lay.output_outline]), th.output, z=Z_OUTPUT))
        comp.strokes.append(Strokes(_edge_segments(out, lay, "output", solid=True), th.line, self.lw,
                                    z=Z_OUTPUT + 0.1))
        comp.outlines += [lay.canvas_outline, lay.output_outline]

    def add_labels(self, comp: Composer, size: float) -> None:
        lay, th = self.lay, self.th
        names = map_label(self.spec)
        c = lay.canvas_outline
        o = lay.output_outline
        gap = 6.0
        if lay.style == "paper":
            low = c[np.argmin(c[:, 1])]
            left = c[np.argmin(c[:, 0])]
            top = o[np.argmax(o[:, 1])]
            right = o[np.argmax(o[:, 0])]
            inp = [(low[0], low[1], 0, -gap, "center", "top"), (left[0], left[1], -gap, 0, "right", "center")]
            outp = [(top[0], top[1], 0, gap, "center", "bottom"), (right[0], right[1], gap, 0, "left", "center")]
        else:
            inp = [((c[:, 0].min() + c[:, 0].max()) / 2, c[:, 1].min(), 0, -gap, "center", "top"),
                   ((c[:, 0].min() + c[:, 0].max()) / 2, c[:, 1].max(), 0, gap, "center", "bottom")]
            ox = (o[:, 0].min() + o[:, 0].max()) / 2
            outp = [(ox, o[:, 1].min(), 0, -gap, "center", "top"), (ox, o[:, 1].max(), 0, gap, "center", "bottom"),
                    (o[:, 0].max(), (o[:, 1].min() + o[:, 1].max()) / 2, gap, 0, "left", "center")]
        comp.labels.append(Label(names[0], size, th.text, inp))
        comp.labels.append(Label(names[1], size, th.text, outp))

    # ---- numbers ------------------------------------------------------------------------------------------

    def fractions(self) -> dict:
        """Text sizes per unit of scale: canvas numbers, weights, outputs; and the weights' offset in a cell."""
        if self._fractions is None:
            cell = self.lay.quads([0], [0])[0] - self.lay.project(0, 0)
            ocell = self.lay.quads([0], [0], "output")[0] - self.lay.project(0, 0, "output")
            self._fractions = fit_numbers(self.canvas_strings, self.output_strings, self.weight_strings, cell, ocell,
                                          self.measure, self._corner())
            self._fractions.update(cell=cell, ocell=ocell)
        return self._fractions

    def _corner(self) -> tuple[float, float]:
        """Where in a cell a weight goes, as in the guide: its bottom-right corner; in the slanted view, the middle
        of the cell's lower-right edge, so that the weight sits below the value, never beside it."""
        if self.lay.style == "paper":
            # Facing the cell's lower-right edge, in its middle: clear of the corners the projection lines
            # leave from.
            along = self.lay.project(1.0, 1.0) - self.lay.project(1.0, 0.0)
            return (float(along[1]), -float(along[0]))
        return (1.0, -1.0)

    def unit_for_numbers(self) -> float:
        f = self.fractions()
        smallest = min(f["number"], f["output"], f["weight"] if self.weight_strings else 1.0)
        return MIN_TEXT_PT / max(smallest, 1e-9)

    def degrade(self, comp: Composer, how: str) -> None:
        """Leave out the kernel's weights (the smallest text) first, then every number, saying why and how."""
        if self.weight_strings:
            self.weight_strings = []
            self._fractions = None
            comp.notes.append(f"kernel weights left out: {how}")
        else:
            self.drop_numbers(comp, f"numbers left out: {how}")

    def drop_numbers(self, comp: Composer, note: str) -> None:
        if self.numbers:
            self.numbers = False
            self.canvas_strings, self.output_strings, self.weight_strings = [], [], []
            comp.notes.append(note)

    def number_texts(self, unit: float) -> list[Text]:
        if not self.numbers:
            return []
        f, th, lay, real = self.fractions(), self.th, self.lay, self.real.ravel()
        m = self.measure
        R, C = self.sc.canvas_shape
        rr, cc = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
        centres = lay.centres(rr.ravel(), cc.ravel()) + self.offset
        corner = lay.project(rr.ravel(), cc.ravel())
        size = f["number"] * unit
        texts = []
        copies = self.copies.ravel()
        for j, (s, (x, y)) in enumerate(zip(self.canvas_strings, centres)):
            base = "input" if real[j] else ("copy" if copies[j] else "padding")
            w, h = m(s, size, False)
            texts.append(Text(float(x), float(y), s, size, th.ink(getattr(th, base)), w, h, z=Z_TEXT,
                              cell=f["cell"] + corner[j] + self.offset, shaded=th.ink(th.over(base)),
                              bg=getattr(th, base)))
        oh, ow = self.sc.output_shape
        orr, occ = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
        ocentres = lay.centres(orr.ravel(), occ.ravel(), "output") + self.offset
        ocorner = lay.project(orr.ravel(), occ.ravel(), "output")
        osize = f["output"] * unit
        for j, (s, (x, y)) in enumerate(zip(self.output_strings, ocentres)):
            w, h = m(s, osize, False)
            texts.append(Text(float(x), float(y), s, osize, th.ink(th.output), w, h, z=Z_TEXT, role="output",
                              cell=f["ocell"] + ocorner[j] + self.offset, shaded=th.ink(th.over("output")),
                              bg=th.output))
        self._texts, self._unit = texts, unit
        return texts

    # ---- what moves ---------------------------------------------------------------------------------------

    def movers(self, unit: float) -> list[Mover]:
        th, lw = self.th, self.lw
        ms: list[Mover] = []
        if self.numbers:
            # Opaque cells under the shade: a blitted frame then shows the shaded colour of the numbers only.
            ms.append(Mover("cover", "polys", z=Z_COVER, faces=True))
            ms.append(Mover("ocover", "polys", face=th.output, z=Z_OUTPUT + 0.5))
            if self.lay.style == "paper":
                # Over the projection lines where they cross a number: the lines pass behind it.
                ms.append(Mover("xcover", "polys", z=Z_LINES + 0.5, faces=True))
        ms.append(Mover("kernel", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=lw, z=Z_KERNEL))
        if self.lay.style == "paper":
            ms.append(Mover("lines", "lines", edge=th.line, width=lw * 0.8, z=Z_LINES,
                            hole=self.lay.output_outline + self.offset))
        ms.append(Mover("highlight", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=lw,
                        z=Z_HIGHLIGHT))
        if self.is_max:
            ms.append(Mover("winner", "polys", edge=th.mark, width=lw * 2.2, z=Z_MARK))
        if self.weight_strings:
            ms.append(Mover("weights", "texts", z=Z_WEIGHT, size=self.fractions()["weight"] * unit,
                            strings=tuple(self.weight_strings)))
        return ms

    def cells(self) -> list:
        oh, ow = self.sc.output_shape
        rr, cc = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
        return list(zip(range(oh * ow), self.lay.quads(rr.ravel(), cc.ravel(), "output") + self.offset))

    def frame(self, t: int) -> FrameState:
        sc, lay, th = self.sc, self.lay, self.th
        fr = sc.frames[t]
        taps = np.asarray(fr.taps)
        kquads = lay.quads(taps[:, 0], taps[:, 1])
        orow, ocol = fr.output_cell
        oquad = lay.quads([orow], [ocol], "output")
        geo: dict[str, Any] = {"kernel": kquads, "highlight": oquad}
        colours: dict[str, Any] = {}
        R, C = sc.canvas_shape
        inside = (taps[:, 0] >= 0) & (taps[:, 0] < R) & (taps[:, 1] >= 0) & (taps[:, 1] < C)
        tr, tc = taps[:, 0].clip(0, R - 1), taps[:, 1].clip(0, C - 1)
        tap_real = self.real[tr, tc] & inside
        if lay.style == "paper":
            r0, c0 = sc.window_origin(fr.output_cell)
            eh, ew = sc.window_extent()
            window = lay.quads([r0], [c0], "canvas", eh, ew)[0]
            geo["lines"] = np.stack([window, oquad[0]], axis=1)
        if self.is_max:
            vals = np.where(tap_real, self.canvas_values[tr, tc], -np.inf)
            if tap_real.any():
                best = int(np.argmax(vals))
                geo["winner"] = kquads[best:best + 1]
            else:
                geo["winner"] = np.zeros((0, 4, 2))
        covered: Tuple[int, ...] = ()
        crossed: Tuple[int, ...] = ()
        if self.numbers:
            n_canvas = R * C
            covered = tuple(int(r * C + c) for r, c in taps[inside]) + (n_canvas + orow * sc.output_shape[1] + ocol,)
            if "lines" in geo:
                crossed = self._crossed(geo["lines"], set(covered))
        if self.weight_strings:
            geo["weights"] = lay.project(taps[:, 0], taps[:, 1]) + self.fractions()["weight_pos"]
            tap_copy = self.copies[tr, tc] & inside
            colours["weights"] = [th.ink(th.over("input" if r else ("copy" if c else "padding")))
                                  for r, c in zip(tap_real, tap_copy)]
        geo = {name: v + self.offset for name, v in geo.items()}
        if self.numbers:
            geo["cover"], colours["cover"] = text_patches(self._texts, covered[:-1], self._unit)
            if self.lay.style == "paper":
                geo["xcover"], colours["xcover"] = text_patches(self._texts, crossed, self._unit, margin_pt=2.0)
            geo["ocover"], _ = text_patches(self._texts, covered[-1:], self._unit)
        return FrameState(geo, colours, covered, crossed)

    def _crossed(self, segments: np.ndarray, skip: set) -> Tuple[int, ...]:
        """Canvas numbers whose cells the projection lines cross (they are drawn again over the lines)."""
        lay = self.lay
        R, C = self.sc.canvas_shape
        out = []
        for seg in segments:
            a, b = seg
            # Sample the line at a fine step; collect the cells it passes over.
            n = int(np.ceil(np.linalg.norm(b - a) * 6)) + 2
            pts = a[None, :] + np.linspace(0, 1, n)[:, None] * (b - a)[None, :]
            rc = _unproject(lay, pts)
            ok = (rc[:, 0] >= 0) & (rc[:, 0] < R) & (rc[:, 1] >= 0) & (rc[:, 1] < C)
            for r, c in np.unique(np.floor(rc[ok]).astype(int), axis=0):
                j = int(r * C + c)
                if j not in skip:
                    out.append(j)
        return tuple(sorted(set(out)))


def _unproject(lay: Layout, pts: np.ndarray) -> np.ndarray:
    """Canvas ``(row, col)`` of page points (inverse of the canvas projection)."""
    origin = lay.project(0.0, 0.0)
    e_col = lay.project(0.0, 1.0) - origin
    e_row = lay.project(1.0, 0.0) - origin
    M = np.stack([e_row, e_col], axis=1)
    return np.linalg.solve(M, (pts - origin).T).T
