"""The grid view of a 3D layer as a panel: the padded input's depth slices, the kernel a box spanning its slices,
the output volume's slices.

``style="paper"``: the guide's slanted planes stacked one above the other (depth 0 at the bottom), the output
volume's slices stacked above them; frame t shades the kernel's taps on every slice its window reads, outlines
the box from its first slice to its last, and veils the slices it does not read.  ``"flat"``: the slices side by
side, each output slice above the input slices its window spans (as a 1D layer's output row stands over its
input).  Padding slices are padding throughout (dashed, the padding colour); a ``padding_mode`` border holds
pale copies of the input, as in the 2D grid view.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..core.geometry import MAX_FRAMES, scene
from ..core.numerics import apply, default_input, default_kernel
from ..core.padding import source_index
from ..core.spec import ConvTranspose, Pool, Spec
from .captions import shape_label
from .cell_numbers import fit_numbers, format_value
from .compose import Composer, Label
from .layout import Layout
from .plan import DEFAULT_UNIT_PT, MIN_TEXT_PT, FrameState, Mover, Shapes, Strokes, Text, text_box, text_patches
from .slices import slice_edges, slice_label_places, slice_runs, stack_lift
from .textsize import Measure, estimate
from .theme import Theme, get_theme

__all__ = ["VolumePanel"]

Z_FILL, Z_EDGE, Z_COVER, Z_KERNEL, Z_BOX, Z_OUTPUT, Z_VEIL, Z_FCOVER, Z_HIGHLIGHT, Z_TEXT, Z_MARK, Z_WEIGHT = (
    1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 4.2, 4.3, 5.0, 6.0, 6.6, 7.0)
#: How much of the background covers a slice the frame does not read.
VEIL_ALPHA = 0.6
#: Cells of room between two stacked slices (paper), and between slices side by side (flat).
SLICE_GAP = 1.0


class VolumePanel:
    """The grid view of a one-channel 3D layer as a panel of a plan (see :mod:`convanim.drawing.compose`).

    Examples
    --------
    >>> from convanim import Conv
    >>> panel = VolumePanel(Conv((3, 5, 5), 3, p=1))
    >>> panel.n_frames, len(panel.in_off), len(panel.out_off)
    (75, 5, 3)
    """

    def __init__(self, spec: Spec, *, style: str = "paper", numbers: bool = False, x: Any = None,
                 kernel: Any = None, theme: Any = None, max_frames: int = MAX_FRAMES) -> None:
        if style not in ("paper", "flat"):
            raise ValueError(f"style must be 'paper' or 'flat', got {style!r}")
        if getattr(spec, "ndim", 2) != 3:
            raise ValueError(f"spec: the volume view draws 3D layers, {spec!r} is {getattr(spec, 'ndim', 2)}D")
        if spec.channels:
            raise ValueError(f"c_in, c_out: {spec!r} has {spec.c_in} input and {spec.c_out} output channels; 3D "
                             f"with channels is not drawn yet (its values, matrix and frames work: apply, "
                             f"conv_matrix, scene)")
        th: Theme = get_theme(theme)
        self.spec, self.th, self.style = spec, th, style
        self.sc = sc = scene(spec, max_frames=max_frames)
        D, R, C = sc.canvas_shape
        OD, OH, OW = sc.output_shape
        self.lay = lay = Layout(style, (R, C), (OH, OW), np.zeros(2), (0.0, 0.0, 0.0, 0.0))
        self.offset = np.zeros(2)
        self.n_frames = len(sc.frames)
        self.numbers = bool(numbers)
        self.is_max = isinstance(spec, Pool) and spec.mode == "max"
        self.real = sc.input_index() >= 0
        self.copies = (sc.source_index() >= 0) & ~self.real
        canvas, out = lay.canvas_outline, lay.quads([0], [0], "canvas", OH, OW)[0]
        if style == "paper":
            lift_in, lift_out = stack_lift(canvas, canvas, SLICE_GAP), stack_lift(out, out, SLICE_GAP)
            self.in_off = [np.array([0.0, z * lift_in]) for z in range(D)]
            # The output volume above, centred over the input's slices, clear of the last by two gaps.
            dx = (canvas[:, 0].min() + canvas[:, 0].max()) / 2 - (out[:, 0].min() + out[:, 0].max()) / 2
            base = self.in_off[-1] + np.array([dx, stack_lift(canvas, out + [dx, 0.0], 2 * SLICE_GAP)])
            self.out_off = [base + np.array([0.0, z * lift_out]) for z in range(OD)]
        else:
            step = C + SLICE_GAP
            self.in_off = [np.array([z * step, 0.0]) for z in range(D)]
            # Each output slice centred over the input slices its window spans (1.5 cells above them).
            ez = sc.window_extent()[0]
            self.out_off = [np.array([(zo * sc.step[0] + (ez - 1) / 2) * step + (C - OW) / 2, OH + 1.5])
                            for zo in range(OD)]
        self.x: Any = None
        self.kernel: Any = None
        self.y: Any = None
        self.cvals: Any = None
        if self.numbers or x is not None or kernel is not None or self.is_max:
            self.x = default_input(spec) if x is None else np.asarray(x, dtype=float)
            if isinstance(spec, Pool):
                self.y = apply(spec, self.x)
            else:
                self.kernel = default_kernel(spec) if kernel is None else np.asarray(kernel, dtype=float)
                self.y = apply(spec, self.x, self.kernel)
            self.cvals = sc.canvas_values(self.x)
            if self.is_max:  # a max pooling pads with -inf, as PyTorch
                self.cvals = np.where(self.real, self.cvals, -np.inf)
        self.lw = float(np.clip(0.05 * DEFAULT_UNIT_PT, 0.4, 1.2))
        self.canvas_strings: list[str] = []
        self.output_strings: list[str] = []
        self.weight_strings: list[str] = []
        if self.numbers:
            self.canvas_strings = [format_value(v) for v in self.cvals.ravel()]
            self.output_strings = [format_value(v, 1) for v in self.y.ravel()]
            if self.kernel is not None:
                self.weight_strings = [format_value(w) for w in sc.tap_weights(self.kernel)]
        self._fractions: Optional[dict] = None
        self.measure: Measure = estimate
        self._texts: list[Text] = []
        self._unit = 1.0
        self._boxes = np.zeros((0, 4))

    # ---- where things are ---------------------------------------------------------------------------------

    def canvas_quads(self, z: Any, rows: Any, cols: Any) -> np.ndarray:
        """Plan corners of canvas cells ``(z, rows, cols)`` (depth slice, row, column): ``(n, 4, 2)``."""
        off = np.array([self.in_off[int(v)] for v in np.atleast_1d(z)])
        return self.lay.quads(rows, cols) + off[:, None, :] + self.offset

    def output_quads(self, z: int, rows: Any, cols: Any) -> np.ndarray:
        """Plan corners of cells ``(rows, cols)`` of output slice ``z``: ``(n, 4, 2)``."""
        return self.lay.quads(rows, cols) + self.out_off[z] + self.offset

    def grid_outlines(self) -> list[np.ndarray]:
        """The outlines of every input and output slice, in plan units."""
        OH, OW = self.sc.output_shape[1:]
        out = self.lay.quads([0], [0], "canvas", OH, OW)[0]
        return ([self.lay.canvas_outline + o + self.offset for o in self.in_off]
                + [out + o + self.offset for o in self.out_off])

    def veiled(self, colour: Any) -> tuple[int, int, int]:
        """``colour`` under the veil of a slice the frame does not read."""
        r, g, b = (round(VEIL_ALPHA * v + (1 - VEIL_ALPHA) * c) for v, c in zip(self.th.background, colour))
        return (r, g, b)

    def _base(self, z: int, r: int, c: int) -> str:
        return "input" if self.real[z, r, c] else ("copy" if self.copies[z, r, c] else "padding")

    # ---- still part ---------------------------------------------------------------------------------------

    def add_still(self, comp: Composer) -> None:
        th, lay = self.th, self.lay
        self.measure = comp.measure
        fills: dict[str, list] = {"padding": [], "copy": [], "input": []}
        solid, dashed = [], []
        for z, off in enumerate(self.in_off):
            real, copies = self.real[z], self.copies[z]
            fills["padding"] += [q + off for q in slice_runs(~real & ~copies, lay)]
            fills["copy"] += [q + off for q in slice_runs(copies, lay)]
            fills["input"] += [q + off for q in slice_runs(real, lay)]
            solid.append(slice_edges(real, lay, True) + off)
            dashed.append(slice_edges(real, lay, False) + off)
            comp.outlines.append(lay.canvas_outline + off)
        for name, quads in fills.items():
            if quads:
                comp.shapes.append(Shapes(np.array(quads), getattr(th, name), z=Z_FILL))
        dash = np.concatenate(dashed)
        if len(dash):
            comp.strokes.append(Strokes(dash, th.line, self.lw, dashed=True, z=Z_EDGE))
        comp.strokes.append(Strokes(np.concatenate(solid), th.line, self.lw, z=Z_EDGE))
        OH, OW = self.sc.output_shape[1:]
        orr, occ = np.meshgrid(np.arange(OH), np.arange(OW), indexing="ij")
        for off in self.out_off:
            q = lay.quads(orr.ravel(), occ.ravel()) + off
            comp.shapes.append(Shapes(q, th.output, edge=th.line, width=self.lw, z=Z_OUTPUT))
            comp.outlines.append(lay.quads([0], [0], "canvas", OH, OW)[0] + off)

    def slice_names(self) -> tuple[list[str], list[str]]:
        """What each input (canvas) slice and each output slice is called."""
        spec, sc = self.spec, self.sc
        D = sc.canvas_shape[0]
        n = spec.input_shape[0]
        pos = (np.arange(D) - sc.origin[0]) / sc.spread[0]
        mode = getattr(spec, "padding_mode", "zeros")
        # Which input slice a border slice copies (reflect, replicate, circular); none for zeros.
        src = source_index(np.arange(D) - sc.origin[0], n, mode) if mode != "zeros" else np.full(D, -1)
        names = []
        for z in range(D):
            if pos[z].is_integer() and 0 <= pos[z] < n:
                j = int(pos[z])
                names.append(f"input {shape_label(spec.input_shape)}\ndepth slice 0" if j == 0
                             else f"depth slice {j}")
            elif src[z] >= 0:
                names.append(f"padding\n(copies slice {src[z]})")
            elif isinstance(spec, ConvTranspose) and 0 < pos[z] < n - 1:
                names.append("inserted zeros")
            else:
                names.append("padding")
        outs = [f"output {shape_label(spec.output_shape)}\nslice 0" if z == 0 else f"output slice {z}"
                for z in range(len(self.out_off))]
        return names, outs

    def add_labels(self, comp: Composer, size: float) -> None:
        names, outs = self.slice_names()
        OH, OW = self.sc.output_shape[1:]
        out = self.lay.quads([0], [0], "canvas", OH, OW)[0]
        for name, off in zip(names, self.in_off):
            comp.labels.append(Label(name, size, self.th.text, slice_label_places(self.lay.canvas_outline + off, self.style,
                                                                       "in")))
        for name, off in zip(outs, self.out_off):
            comp.labels.append(Label(name, size, self.th.text, slice_label_places(out + off, self.style, "out")))

    # ---- numbers ------------------------------------------------------------------------------------------

    def _corner(self) -> tuple[float, float]:
        """Where in a cell a weight goes: its bottom-right corner (flat); facing the middle of the cell's
        lower-right edge (paper), as the grid view puts it."""
        if self.style == "paper":
            along = self.lay.project(1.0, 1.0) - self.lay.project(1.0, 0.0)
            return (float(along[1]), -float(along[0]))
        return (1.0, -1.0)

    def fractions(self) -> dict:
        """Text sizes per unit of scale of the canvas numbers, the outputs and the weights; where in a cell a
        weight goes (:func:`~convanim.drawing.cell_numbers.fit_numbers`, as every grid)."""
        key = (id(self.measure), len(self.weight_strings), len(self.canvas_strings))
        if self._fractions is None or self._fractions["key"] != key:
            lay = self.lay
            cell = lay.quads([0], [0])[0] - lay.project(0, 0)
            fit = fit_numbers(self.canvas_strings, self.output_strings, self.weight_strings, cell, cell, self.measure,
                              self._corner())
            self._fractions = {"key": key, **fit}
        return self._fractions

    def unit_for_numbers(self) -> float:
        f = self.fractions()
        smallest = min(f["number"], f["output"], f["weight"] if self.weight_strings else 1.0)
        return MIN_TEXT_PT / max(smallest, 1e-9)

    def degrade(self, comp: Composer, how: str) -> None:
        """Leave out the weights (the smallest text) first, then every number, saying why and how."""
        if self.weight_strings:
            self.weight_strings = []
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
        m, f = self.measure, self.fractions()
        D, R, C = self.sc.canvas_shape
        texts: list[Text] = []
        for k, s in enumerate(self.canvas_strings):
            z, r, c = (int(v) for v in np.unravel_index(k, (D, R, C)))
            cell = self.canvas_quads(z, [r], [c])[0]
            base = self._base(z, r, c)
            texts.append(self._text(cell, s, f["number"] * unit, base, m))
        OD, OH, OW = self.sc.output_shape
        for k, s in enumerate(self.output_strings):
            zo, ro, co = (int(v) for v in np.unravel_index(k, (OD, OH, OW)))
            texts.append(self._text(self.output_quads(zo, [ro], [co])[0], s, f["output"] * unit, "output", m))
        self._texts, self._unit = texts, unit
        self._boxes = np.array([text_box(t, unit) for t in texts[:D * R * C]])
        return texts

    def _text(self, cell: np.ndarray, s: str, size: float, base: str, m: Measure) -> Text:
        th = self.th
        x, y = cell.mean(axis=0)
        w, h = m(s, size, False)
        bg = getattr(th, base)
        return Text(float(x), float(y), s, size, th.ink(bg), w, h, z=Z_TEXT, cell=cell,
                    role="output" if base == "output" else "number", shaded=th.ink(th.over(base)), bg=bg,
                    faint=th.ink(self.veiled(bg)))

    # ---- what moves ---------------------------------------------------------------------------------------

    def movers(self, unit: float) -> list[Mover]:
        th, lw = self.th, self.lw
        ms: list[Mover] = []
        if self.numbers:
            ms.append(Mover("cover", "polys", z=Z_COVER, faces=True))
            ms.append(Mover("ocover", "polys", face=th.output, z=Z_OUTPUT + 0.5))
            # Over the box's lines where they cross a number: the lines pass behind it.
            ms.append(Mover("xcover", "polys", z=Z_BOX + 0.5, faces=True))
        ms.append(Mover("kernel", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=lw, z=Z_KERNEL))
        ms.append(Mover("box", "lines", edge=th.line, width=lw * 0.8, z=Z_BOX))
        ms.append(Mover("highlight", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=lw,
                        z=Z_HIGHLIGHT))
        ms.append(Mover("veil", "polys", face=th.background, alpha=VEIL_ALPHA, z=Z_VEIL))
        if self.numbers:
            ms.append(Mover("fcover", "polys", z=Z_FCOVER, faces=True))
        if self.is_max:
            ms.append(Mover("winner", "polys", edge=th.mark, width=lw * 2.2, z=Z_MARK))
        if self.weight_strings:
            ms.append(Mover("weights", "texts", z=Z_WEIGHT, size=self.fractions()["weight"] * unit,
                            strings=tuple(self.weight_strings)))
        return ms

    def cells(self) -> list:
        OD, OH, OW = self.sc.output_shape
        zz, rr, cc = (a.ravel() for a in np.meshgrid(np.arange(OD), np.arange(OH), np.arange(OW), indexing="ij"))
        return [(n, self.output_quads(int(z), [r], [c])[0]) for n, (z, r, c) in enumerate(zip(zz, rr, cc))]

    def weight_cells(self, t: int) -> list[np.ndarray]:
        """The cell each weight of frame ``t`` is written in (plan units), in the order of the weights."""
        taps = np.asarray(self.sc.frames[t].taps)
        return list(self.canvas_quads(taps[:, 0], taps[:, 1], taps[:, 2]))

    def box(self, t: int) -> np.ndarray:
        """The kernel's box at frame ``t`` as segments ``(n, 2, 2)``: its window's outline on the first and the
        last slice it reads, and the four edges joining them."""
        sc, lay = self.sc, self.lay
        z0, r0, c0 = sc.window_origin(sc.frames[t].output_cell)
        ez, eh, ew = sc.window_extent()
        face = lay.quads([r0], [c0], "canvas", eh, ew)[0]
        low, top = face + self.in_off[z0] + self.offset, face + self.in_off[z0 + ez - 1] + self.offset
        segs = [np.stack([q, np.roll(q, -1, axis=0)], axis=1) for q in (low, top)]
        if ez > 1:
            segs.append(np.stack([low, top], axis=1))
        if self.style == "paper":
            # The guide's four lines, from the box's top face to the output cell (behind the slices between).
            zo, ro, co = sc.frames[t].output_cell
            segs.append(np.stack([top, self.output_quads(zo, [ro], [co])[0]], axis=1))
        return np.concatenate(segs)

    def crossed(self, segments: np.ndarray, skip: set) -> tuple[int, ...]:
        """The canvas numbers whose text the lines ``segments`` cross (drawn again over them), less ``skip``."""
        if not len(self._boxes):
            return ()
        hits: set[int] = set()
        for a, b in segments:
            n = int(np.ceil(np.linalg.norm(b - a) * 8)) + 2
            pts = a + np.linspace(0.0, 1.0, n)[:, None] * (b - a)
            bx = self._boxes
            inside = ((pts[:, None, 0] >= bx[None, :, 0]) & (pts[:, None, 0] <= bx[None, :, 2])
                      & (pts[:, None, 1] >= bx[None, :, 1]) & (pts[:, None, 1] <= bx[None, :, 3]))
            hits.update(np.flatnonzero(inside.any(axis=0)).tolist())
        return tuple(sorted(hits - skip))

    def frame(self, t: int) -> FrameState:
        sc, th = self.sc, self.th
        fr = sc.frames[t]
        taps = np.asarray(fr.taps)
        D, R, C = sc.canvas_shape
        OD, OH, OW = sc.output_shape
        zo, ro, co = fr.output_cell
        kquads = self.canvas_quads(taps[:, 0], taps[:, 1], taps[:, 2])
        read = set(taps[:, 0].tolist())
        outline = self.grid_outlines()
        veil = [outline[z] for z in range(D) if z not in read] + [outline[D + z] for z in range(OD) if z != zo]
        geo: dict[str, Any] = {"kernel": kquads, "highlight": self.output_quads(zo, [ro], [co]), "box": self.box(t),
                               "veil": np.array(veil) if veil else np.zeros((0, 4, 2))}
        colours: dict[str, Any] = {}
        covered: tuple[int, ...] = ()
        faint: tuple[int, ...] = ()
        crossed: tuple[int, ...] = ()
        n_canvas = D * R * C
        if self.numbers:
            faint = tuple(z * R * C + n for z in range(D) if z not in read for n in range(R * C))
            faint += tuple(n_canvas + z * OH * OW + n for z in range(OD) if z != zo for n in range(OH * OW))
            geo["fcover"], under = text_patches(self._texts, faint, self._unit)
            colours["fcover"] = [self.veiled(c) for c in under]
            covered = tuple(int(z * R * C + r * C + c) for z, r, c in taps)
            covered += (n_canvas + (zo * OH + ro) * OW + co,)
            geo["cover"], colours["cover"] = text_patches(self._texts, covered[:-1], self._unit)
            geo["ocover"], _ = text_patches(self._texts, covered[-1:], self._unit)
            hit = self.crossed(geo["box"], set(faint))
            geo["xcover"], _ = text_patches(self._texts, hit, self._unit, margin_pt=2.0)
            # A number under the kernel's shade keeps the shaded colour around it (and is drawn again already).
            shade = set(covered)
            colours["xcover"] = [th.over(self._base(*(int(v) for v in np.unravel_index(j, (D, R, C))))) if j in shade
                                 else self._texts[j].bg for j in hit]
            crossed = tuple(j for j in hit if j not in shade)
        if self.is_max:
            vals = np.where(self.real[taps[:, 0], taps[:, 1], taps[:, 2]],
                            self.cvals[taps[:, 0], taps[:, 1], taps[:, 2]], -np.inf)
            # The winning tap (the first in scan order where several tie, as PyTorch); none over padding only.
            best = int(np.argmax(vals))
            geo["winner"] = kquads[best:best + 1] if np.isfinite(vals[best]) else np.zeros((0, 4, 2))
        if self.weight_strings:
            pos = np.array([self.in_off[z] for z in taps[:, 0]])
            geo["weights"] = self.lay.project(taps[:, 1], taps[:, 2]) + pos + self.fractions()["weight_pos"] + self.offset
            colours["weights"] = [th.ink(th.over(self._base(z, r, c))) for z, r, c in taps]
        return FrameState(geo, colours, covered, crossed, faint)
