"""The grid view of a layer with channels as a panel: the input channels' canvases, the output maps, the kernel.

Frame t is (output channel j, output cell): the kernel's slice is shaded on every input channel of j's group,
the output cell of map j is highlighted, and the maps outside the group are drawn faint.  ``style="flat"`` puts
the canvases side by side and the output maps to their right; ``"paper"`` slants them as the guide does, the
canvases one behind the other and the output maps above.  With numbers, the weights of the kernel's slice are
written in the corners of its taps on each channel (as the grid view does for one), each input channel's partial
sum by its canvas, and the output cell holds their total; a max pooling marks the winning tap.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..core.channels import one_channel
from ..core.geometry import MAX_FRAMES, scene
from ..core.numerics import apply, default_input, default_kernel
from ..core.rank import as_2d, lift_values
from ..core.spec import ConvTranspose, Pool, Spec
from .cell_numbers import fit_numbers, format_value
from .compose import Composer, Label
from .layout import COL, ROW, layout
from .plan import DEFAULT_UNIT_PT, LABEL_PT, MIN_TEXT_PT, FrameState, Mover, Shapes, Text, text_patches
from .slices import map_label_places
from .textsize import Measure, estimate
from .theme import Theme, get_theme

__all__ = ["ChannelsPanel"]

# The veil over faint maps lies over every fill and grid line but under the numbers, which are drawn again in a
# colour readable on it (over an opaque patch of the faint colour, so that a blitted frame is a full draw).
Z_FILL, Z_COVER, Z_KERNEL, Z_OUTPUT, Z_VEIL, Z_FCOVER, Z_HIGHLIGHT, Z_TEXT, Z_SUM, Z_MARK, Z_WEIGHT = (
    1.0, 2.0, 2.5, 4.0, 4.2, 4.3, 5.0, 6.0, 6.5, 6.6, 7.0)
#: How much of the background covers a map outside the current group.
VEIL_ALPHA = 0.6
#: Points of the partial sums written by the canvases.
SUM_PT = LABEL_PT - 1.0


class ChannelsPanel:
    """The grid view of a multi-channel layer as a panel of a plan (see :mod:`convanim.drawing.compose`).

    Examples
    --------
    >>> from convanim import Conv
    >>> panel = ChannelsPanel(Conv(4, 3, c_in=4, c_out=4, groups=2))
    >>> panel.n_frames, panel.sc.frames[9].in_channels
    (16, (2, 3))
    """

    def __init__(self, spec: Spec, *, style: str = "paper", numbers: bool = False, x: Any = None,
                 kernel: Any = None, theme: Any = None, max_frames: int = MAX_FRAMES,
                 names: tuple[str, str] = ("input channel", "output channel"), title: str = "",
                 group_lines: bool = True) -> None:
        if style not in ("paper", "flat"):
            raise ValueError(f"style must be 'paper' or 'flat', got {style!r}")
        th: Theme = get_theme(theme)
        self.spec, self.th, self.style = spec, th, style
        # What the maps are called, and a title over the panel (a panel of a pair names its layer).
        self.names, self.title, self.group_lines = names, title, group_lines
        self.is_max = isinstance(spec, Pool) and spec.mode == "max"
        # A 1D layer is drawn as the 2D layer of height 1 that computes the same; its values are its own.
        geo = as_2d(spec)
        self.sc = scene(geo, max_frames=max_frames)
        self.one = scene(one_channel(geo))
        self.lay = layout(self.one, style)
        self.offset = np.zeros(2)
        self.n_frames = len(self.sc.frames)
        self.numbers = bool(numbers)
        self.c_in, self.c_out = spec.c_in, spec.c_out
        self.real = self.one.input_index() >= 0
        R, C = self.one.canvas_shape
        OW = self.one.output_shape[1]
        # Where each canvas and each output map goes (added to the one-channel layout's points).
        if style == "flat":
            self.in_off = [np.array([ci * (C + 1.0), 0.0]) for ci in range(self.c_in)]
            self.out_off = [self.in_off[-1] + np.array([j * (OW + 1.0), 0.0]) for j in range(self.c_out)]
        else:
            # Planes one behind the other (up and to the left); the output maps above the last, in a row.
            self.in_off = [-ci * (R + 1.5) * ROW for ci in range(self.c_in)]
            self.out_off = [self.in_off[-1] + np.array([0.0, 1.5]) + j * (OW + 1.0) * COL for j in range(self.c_out)]
        self.x: Any = None
        self.kernel: Any = None
        self.y: Any = None
        if self.numbers or x is not None or kernel is not None or self.is_max:  # a max pooling marks its winner
            x1 = default_input(spec) if x is None else np.asarray(x, dtype=float)
            if isinstance(spec, Pool):
                self.y = lift_values(spec, apply(spec, x1))
            else:
                k1 = default_kernel(spec) if kernel is None else np.asarray(kernel, dtype=float)
                self.y = lift_values(spec, apply(spec, x1, k1))
                self.kernel = lift_values(spec, k1)
            self.x = lift_values(spec, x1)
            # What the kernel reads on each channel (a max pooling pads with -inf, as PyTorch).
            self.cvals = np.stack([self.one.canvas_values(self.x[ci]) for ci in range(self.c_in)])
            if self.is_max:
                self.cvals = np.where(self.real, self.cvals, -np.inf)
        self.lw = float(np.clip(0.05 * DEFAULT_UNIT_PT, 0.4, 1.2))
        self.canvas_strings: list[str] = []
        self.output_strings: list[str] = []
        self.weight_strings: list[str] = []
        if self.numbers:
            self.canvas_strings = [format_value(v) for v in self.cvals.ravel()]
            self.output_strings = [format_value(v, 1) for v in self.y.ravel()]
            if self.kernel is not None:
                self.weight_strings = sorted({format_value(w) for w in self.kernel.ravel()})
        self.per_group = 1 if isinstance(spec, Pool) else spec.c_in // spec.groups
        self._fractions: Optional[dict] = None
        self.measure: Measure = estimate
        self._texts: list[Text] = []
        self._unit = 1.0

    # ---- where things are ---------------------------------------------------------------------------------

    def canvas_quads(self, ci: int, rows: Any, cols: Any) -> np.ndarray:
        """Plan corners of cells ``(rows, cols)`` of input channel ``ci``'s canvas: ``(n, 4, 2)``."""
        return self.lay.quads(rows, cols) + self.in_off[ci] + self.offset

    def output_quads(self, j: int, rows: Any, cols: Any) -> np.ndarray:
        """Plan corners of cells ``(rows, cols)`` of output map ``j``: ``(n, 4, 2)``."""
        return self.lay.quads(rows, cols, "output") + self.out_off[j] + self.offset

    def veiled(self, colour: Any) -> tuple[int, int, int]:
        """``colour`` under the veil of a faint map."""
        bg = self.th.background
        r, g, b = (round(VEIL_ALPHA * v + (1 - VEIL_ALPHA) * c) for v, c in zip(bg, colour))
        return (r, g, b)

    def grid_outlines(self) -> list[np.ndarray]:
        """The outlines of every canvas and output map, in plan units."""
        return ([self.lay.canvas_outline + o + self.offset for o in self.in_off]
                + [self.lay.output_outline + o + self.offset for o in self.out_off])

    def tap_weights(self, j: int, ci: int) -> np.ndarray:
        """The weights drawn at the taps (row-major) on input channel ``ci`` for output channel ``j``."""
        if isinstance(self.spec, ConvTranspose):
            w = self.kernel[ci, j % (self.c_out // self.spec.groups)]
        else:
            w = self.kernel[j, ci % self.per_group]
        return self.one.tap_weights(w)

    def partial_sums(self, t: int) -> list[float]:
        """What each input channel of frame ``t``'s group adds to its output cell (their total is the output)."""
        fr = self.sc.frames[t]
        taps = np.asarray(fr.taps)
        R, C = self.one.canvas_shape
        inside = (taps[:, 0] >= 0) & (taps[:, 0] < R) & (taps[:, 1] >= 0) & (taps[:, 1] < C)
        return [float(np.dot(self.cvals[ci][taps[inside, 0], taps[inside, 1]],
                             self.tap_weights(fr.out_channel, ci)[inside])) for ci in fr.in_channels]

    # ---- still part ---------------------------------------------------------------------------------------

    def add_still(self, comp: Composer) -> None:
        th, lay, real = self.th, self.lay, self.real
        self.measure = comp.measure
        R, C = self.one.canvas_shape
        rr, cc = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
        OH, OW = self.one.output_shape
        orr, occ = np.meshgrid(np.arange(OH), np.arange(OW), indexing="ij")
        for ci in range(self.c_in):
            q = lay.quads(rr.ravel(), cc.ravel()) + self.in_off[ci]
            pad = ~real.ravel()
            if pad.any():
                comp.shapes.append(Shapes(q[pad], th.padding, edge=th.line, width=self.lw, dashed=True, z=Z_FILL))
            comp.shapes.append(Shapes(q[~pad], th.input, edge=th.line, width=self.lw, z=Z_FILL + 0.1))
            comp.outlines.append(lay.canvas_outline + self.in_off[ci])
        for j in range(self.c_out):
            q = lay.quads(orr.ravel(), occ.ravel(), "output") + self.out_off[j]
            comp.shapes.append(Shapes(q, th.output, edge=th.line, width=self.lw, z=Z_OUTPUT))
            comp.outlines.append(lay.output_outline + self.out_off[j])
        if self._sums_shown():
            # Room for the partial sums (drawn per frame): inside the figure, and labels keep clear of it.
            unit = self.unit_for_numbers()
            widest = max((f"Σ = {format_value(v, 1)}" for t in range(self.n_frames) for v in self.partial_sums(t)),
                         key=lambda s: comp.measure(s, SUM_PT, False)[0])
            w, h = comp.measure(widest, SUM_PT, False)
            w, h = (w + 4.0) / unit, (h + 4.0) / unit
            for ci in range(self.c_in):
                x, y = self.sum_place(ci)
                box = np.array([[x - w / 2, y - h / 2], [x + w / 2, y - h / 2], [x + w / 2, y + h / 2],
                                [x - w / 2, y + h / 2]])
                comp.shapes.append(Shapes(box[None], None, z=Z_FILL))
                comp.outlines.append(box)

    def _group_line(self, g: int) -> str:
        shown = self.group_lines and not isinstance(self.spec, Pool) and self.spec.groups > 1
        return f"\ngroup {g}" if shown else ""

    def add_labels(self, comp: Composer, size: float) -> None:
        th, lay, gap = self.th, self.lay, 6.0
        groups = 1 if isinstance(self.spec, Pool) else self.spec.groups
        inp, out = self.names
        if self.title:  # over everything the panel draws (its partial sums too), else under it
            pts = np.concatenate(self.grid_outlines() + ([self.sum_places(t) for t in (0, self.n_frames - 1)]
                                                         if self._sums_shown() else [])) - self.offset
            cx, top, low = float((pts[:, 0].min() + pts[:, 0].max()) / 2), float(pts[:, 1].max()), float(pts[:, 1].min())
            comp.labels.append(Label(self.title, size, th.text, [(cx, top, 0, 3 * gap, "center", "bottom"),
                                                                 (cx, low, 0, -3 * gap, "center", "top")]))
        for ci in range(self.c_in):
            comp.labels.append(Label(f"{inp} {ci}" + self._group_line(ci // (self.c_in // groups)), size,
                                     th.text, map_label_places(lay.canvas_outline + self.in_off[ci], self.style, "in", gap)))
        for j in range(self.c_out):
            places = map_label_places(lay.output_outline + self.out_off[j], self.style, "out", gap)
            comp.labels.append(Label(f"{out} {j}" + self._group_line(j // (self.c_out // groups)), size, th.text,
                                     places))

    # ---- numbers ------------------------------------------------------------------------------------------

    def fractions(self) -> dict:
        """Text sizes per unit of scale of the canvas numbers, the outputs and the weights; where in a cell a
        weight goes (:func:`~convanim.drawing.cell_numbers.fit_numbers`, as every grid)."""
        key = (id(self.measure), len(self.weight_strings), len(self.canvas_strings))
        if self._fractions is None or self._fractions["key"] != key:
            lay = self.lay
            cell = lay.quads([0], [0])[0] - lay.project(0, 0)
            ocell = lay.quads([0], [0], "output")[0] - lay.project(0, 0, "output")
            # Each tap's bottom-right corner, as the guide (no projection lines here).
            fit = fit_numbers(self.canvas_strings, self.output_strings, self.weight_strings, cell, ocell,
                              self.measure, (1.0, -1.0))
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
        th, lay, m = self.th, self.lay, self.measure
        f = self.fractions()
        fn, fo = f["number"], f["output"]
        R, C = self.one.canvas_shape
        OH, OW = self.one.output_shape
        texts: list[Text] = []
        rr, cc = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
        quads = lay.quads(rr.ravel(), cc.ravel())
        real = self.real.ravel()
        for k, s in enumerate(self.canvas_strings):
            ci, n = divmod(k, R * C)
            cell = quads[n] + self.in_off[ci] + self.offset
            x, y = cell.mean(axis=0)
            base = "input" if real[n] else "padding"
            w, h = m(s, fn * unit, False)
            texts.append(Text(float(x), float(y), s, fn * unit, th.ink(getattr(th, base)), w, h, z=Z_TEXT, cell=cell,
                              shaded=th.ink(th.over(base)), bg=getattr(th, base),
                              faint=th.ink(self.veiled(getattr(th, base)))))
        orr, occ = np.meshgrid(np.arange(OH), np.arange(OW), indexing="ij")
        oquads = lay.quads(orr.ravel(), occ.ravel(), "output")
        for k, s in enumerate(self.output_strings):
            j, n = divmod(k, OH * OW)
            cell = oquads[n] + self.out_off[j] + self.offset
            x, y = cell.mean(axis=0)
            w, h = m(s, fo * unit, False)
            texts.append(Text(float(x), float(y), s, fo * unit, th.ink(th.output), w, h, z=Z_TEXT, role="output",
                              cell=cell, shaded=th.ink(th.over("output")), bg=th.output,
                              faint=th.ink(self.veiled(th.output))))
        self._texts, self._unit = texts, unit
        return texts

    # ---- what moves ---------------------------------------------------------------------------------------

    def _sums_shown(self) -> bool:
        return self.numbers and self.kernel is not None

    def movers(self, unit: float) -> list[Mover]:
        th, lw = self.th, self.lw
        ms: list[Mover] = []
        if self.numbers:
            ms.append(Mover("cover", "polys", z=Z_COVER, faces=True))
            ms.append(Mover("ocover", "polys", face=th.output, z=Z_OUTPUT + 0.5))
        ms.append(Mover("kernel", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=lw, z=Z_KERNEL))
        ms.append(Mover("highlight", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=lw,
                        z=Z_HIGHLIGHT))
        ms.append(Mover("veil", "polys", face=th.background, alpha=VEIL_ALPHA, z=Z_VEIL))
        if self.numbers:
            ms.append(Mover("fcover", "polys", z=Z_FCOVER, faces=True))
        if self._sums_shown():
            # The widest a partial sum can be, so that the painter's texts start with a sensible extent.
            ms.append(Mover("sums", "texts", z=Z_SUM, size=SUM_PT, strings=("Σ = 0",) * self.per_group))
        if self.is_max:
            ms.append(Mover("winner", "polys", edge=th.mark, width=lw * 2.2, z=Z_MARK))
        if self.weight_strings:
            n = self.per_group * len(self.sc.frames[0].taps)
            ms.append(Mover("weights", "texts", z=Z_WEIGHT, size=self.fractions()["weight"] * unit,
                            strings=("",) * n))
        return ms

    def idle(self) -> FrameState:
        """The panel before its turn (in a figure that plays panels in sequence): nothing shaded, nothing
        written by the taps."""
        geo: dict[str, Any] = {}
        strings: dict[str, Any] = {}
        if self._sums_shown():
            geo["sums"], strings["sums"] = self.sum_places(0), ("",) * self.per_group
        if self.weight_strings:
            n = self.per_group * len(self.sc.frames[0].taps)
            geo["weights"], strings["weights"] = np.zeros((n, 2)) + self.offset, ("",) * n
        return FrameState(geo, {}, (), (), (), strings)

    def weight_cells(self, t: int) -> list[np.ndarray]:
        """The cell each weight of frame ``t`` is written in (plan units), in the order of the weights."""
        fr = self.sc.frames[t]
        taps = np.asarray(fr.taps)
        return [q for ci in fr.in_channels for q in self.canvas_quads(ci, taps[:, 0], taps[:, 1])]

    def cells(self) -> list:
        OH, OW = self.one.output_shape
        rr, cc = np.meshgrid(np.arange(OH), np.arange(OW), indexing="ij")
        return [(j * OH * OW + n, q) for j in range(self.c_out)
                for n, q in enumerate(self.output_quads(j, rr.ravel(), cc.ravel()))]

    def sum_place(self, ci: int) -> tuple[float, float]:
        """Where input channel ``ci``'s partial sum is centred (plan units, before the panel's offset): above
        its canvas (flat), right of its right corner (paper)."""
        o = self.lay.canvas_outline + self.in_off[ci]
        if self.style == "flat":
            return float((o[:, 0].min() + o[:, 0].max()) / 2), float(o[:, 1].max() + 0.45)
        right = o[np.argmax(o[:, 0])]
        return float(right[0] + 1.3), float(right[1] + 0.2)

    def sum_places(self, t: int) -> np.ndarray:
        """Where frame ``t``'s partial sums go (plan units)."""
        return np.array([self.sum_place(ci) for ci in self.sc.frames[t].in_channels], dtype=float) + self.offset

    def frame(self, t: int) -> FrameState:
        fr = self.sc.frames[t]
        taps = np.asarray(fr.taps)
        j = fr.out_channel
        R, C = self.one.canvas_shape
        OH, OW = self.one.output_shape
        kquads = np.concatenate([self.canvas_quads(ci, taps[:, 0], taps[:, 1]) for ci in fr.in_channels])
        orow, ocol = fr.output_cell
        geo: dict[str, Any] = {"kernel": kquads, "highlight": self.output_quads(j, [orow], [ocol])}
        lay = self.lay
        veil = [lay.canvas_outline + self.in_off[ci] for ci in range(self.c_in) if ci not in fr.in_channels]
        veil += [lay.output_outline + self.out_off[k] for k in range(self.c_out) if k != j]
        geo["veil"] = np.array(veil) + self.offset if veil else np.zeros((0, 4, 2))
        colours: dict[str, Any] = {}
        strings: dict[str, Any] = {}
        covered: tuple[int, ...] = ()
        faint: tuple[int, ...] = ()
        if self.numbers:
            faint = tuple(ci * R * C + n for ci in range(self.c_in) if ci not in fr.in_channels for n in range(R * C))
            faint += tuple(self.c_in * R * C + k * OH * OW + n for k in range(self.c_out) if k != j
                           for n in range(OH * OW))
            geo["fcover"], under = text_patches(self._texts, faint, self._unit)
            colours["fcover"] = [self.veiled(c) for c in under]
            inside = (taps[:, 0] >= 0) & (taps[:, 0] < R) & (taps[:, 1] >= 0) & (taps[:, 1] < C)
            covered = tuple(int(ci * R * C + r * C + c) for ci in fr.in_channels for r, c in taps[inside])
            covered += (self.c_in * R * C + j * OH * OW + orow * OW + ocol,)
            geo["cover"], colours["cover"] = text_patches(self._texts, covered[:-1], self._unit)
            geo["ocover"], _ = text_patches(self._texts, covered[-1:], self._unit)
        if self._sums_shown():
            geo["sums"] = self.sum_places(t)
            strings["sums"] = tuple(f"Σ = {format_value(v, 1)}" for v in self.partial_sums(t))
            colours["sums"] = [self.th.text] * self.per_group
        tap_real = self.real[taps[:, 0].clip(0, R - 1), taps[:, 1].clip(0, C - 1)]
        if self.is_max:
            # The winning tap on each channel read (the first in scan order where several tie, as PyTorch).
            wins = [self.canvas_quads(ci, taps[[b], 0], taps[[b], 1])[0] for ci in fr.in_channels
                    if tap_real.any() for b in [int(np.argmax(np.where(tap_real, self.cvals[ci][taps[:, 0], taps[:, 1]],
                                                                       -np.inf)))]]
            geo["winner"] = np.array(wins) if wins else np.zeros((0, 4, 2))
        if self.weight_strings:
            corner = self.fractions()["weight_pos"]
            geo["weights"] = np.concatenate([lay.project(taps[:, 0], taps[:, 1]) + self.in_off[ci] + corner
                                             for ci in fr.in_channels]) + self.offset
            strings["weights"] = tuple(format_value(w) for ci in fr.in_channels for w in self.tap_weights(j, ci))
            ink = [self.th.ink(self.th.over("input" if r else "padding")) for r in tap_real]
            colours["weights"] = ink * len(fr.in_channels)
        return FrameState(geo, colours, covered, (), faint, strings)
