"""``view="overlap"`` as a panel: how many windows meet at each cell, as a heatmap on the grid.

A transposed convolution's output grid, each cell coloured by how many input units write it (uneven counts
in the interior are the checkerboard of Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts",
Distill 2016); a convolution's or a pooling's input grid, each cell coloured by how many windows read it.
Colours go from light to dark in the theme's own colour (the output's for a transposed convolution, the
input's otherwise); a legend of swatches gives each count, and ``numbers=True`` writes it in every cell.
One frame.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ..core.receptive import overlap
from ..core.spec import ConvTranspose, Spec
from .captions import map_label
from .cell_numbers import cell_texts
from .compose import Composer, Label
from .layout import Layout
from .plan import DEFAULT_UNIT_PT, MIN_TEXT_PT, FrameState, Mover, Shapes, Text
from .textsize import Measure, estimate
from .theme import RGB, Theme, get_theme

__all__ = ["OverlapPanel", "overlap_caption", "level_colour", "CHECKERBOARD_REF"]

CHECKERBOARD_REF = 'Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016'
Z_FILL, Z_TEXT = 1.0, 6.0


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    r, g, bl = (round((1 - t) * x + t * y) for x, y in zip(a, b))
    return (r, g, bl)


def level_colour(th: Theme, base: str, count: int, most: int) -> RGB:
    """The colour of ``count`` on a scale up to ``most``: the page for 0, then from a light tint of the theme's
    ``base`` colour to that colour darkened towards the theme's line colour.

    Examples
    --------
    >>> from convanim.drawing.theme import THEMES
    >>> th = THEMES["guide"]
    >>> level_colour(th, "input", 0, 4) == th.padding, level_colour(th, "input", 1, 1)
    (True, (38, 139, 210))
    """
    if count <= 0:
        return th.padding
    colour = getattr(th, base)
    if most <= 1:
        return colour
    light, dark = _mix(th.background, colour, 0.3), _mix(colour, th.line, 0.45)
    t = (count - 1) / (most - 1)
    return _mix(light, colour, 2 * t) if t <= 0.5 else _mix(colour, dark, 2 * t - 1)


def overlap_caption(spec: Spec) -> list[list[str]]:
    """The caption of the overlap view: what is counted, its range, and for a transposed convolution whether
    its kernel is a multiple of its stride (even overlap) or not (a checkerboard), citing Odena et al.

    Examples
    --------
    >>> from convanim import ConvTranspose
    >>> overlap_caption(ConvTranspose(4, 3, s=2, p=1))[1][0]
    'k = 3 is not a multiple of s = 2: uneven overlap, a checkerboard'
    """
    counts = overlap(spec)
    what = ("input units writing each output cell" if isinstance(spec, ConvTranspose)
            else "windows reading each input cell")
    lines = [[f"{spec!r}:", f"{what}: {int(counts.min())} to {int(counts.max())}"]]
    if isinstance(spec, ConvTranspose):
        ext = [d * (k - 1) + 1 for k, d in zip(spec.k, spec.d)]
        uneven = [(e, s) for e, s in zip(ext, spec.s) if e % s]
        ktext = "k" if all(d == 1 for d in spec.d) else "d(k−1)+1"
        if uneven:
            e, s = uneven[0]
            lines.append([f"{ktext} = {e} is not a multiple of s = {s}: uneven overlap, a checkerboard",
                          f"({CHECKERBOARD_REF})"])
        else:
            e, s = ext[0], spec.s[0]
            lines.append([f"{ktext} = {e} is a multiple of s = {s}: even overlap away from the borders",
                          f"({CHECKERBOARD_REF})"])
    return lines


class OverlapPanel:
    """The overlap heatmap of one layer as a panel of a plan (see :mod:`convanim.drawing.compose`).

    Examples
    --------
    >>> from convanim import ConvTranspose
    >>> panel = OverlapPanel(ConvTranspose(4, 3, s=2, p=1, output_padding=1))
    >>> panel.counts.shape, panel.levels
    ((8, 8), [1, 2, 4])
    """

    def __init__(self, spec: Spec, *, style: str = "paper", numbers: bool = False, theme: Any = None) -> None:
        if style not in ("paper", "flat"):
            raise ValueError(f"style must be 'paper' or 'flat', got {style!r}")
        self.spec, self.style = spec, style
        self.th: Theme = get_theme(theme)
        self.counts = overlap(spec)
        if self.counts.ndim == 1:  # a 1D layer: a grid one cell high
            self.counts = self.counts[None, :]
        if self.counts.ndim != 2:
            raise ValueError(f"view='overlap' draws 1D and 2D layers; {spec!r} has {self.counts.ndim} axes")
        self.transposed = isinstance(spec, ConvTranspose)
        self.base = "output" if self.transposed else "input"
        self.levels = sorted(int(v) for v in np.unique(self.counts))
        self.most = max(self.levels)
        R, C = self.counts.shape
        self.lay = Layout(style, (R, C), (R, C), np.zeros(2), (0.0, 0.0, 0.0, 0.0))
        # The legend's swatches grow with the grid, so that their numbers stay legible at the figure's scale.
        self.swatch = max(1.2, 0.045 * (max(R, C) + 2))
        self.offset = np.zeros(2)
        self.n_frames = 1
        self.cell_numbers = bool(numbers)
        self.numbers = True  # the legend's numbers are always written
        self.lw = float(np.clip(0.05 * DEFAULT_UNIT_PT, 0.4, 1.2))
        self.measure: Measure = estimate

    def colour(self, count: int) -> RGB:
        return level_colour(self.th, self.base, count, self.most)

    # ---- where things are ---------------------------------------------------------------------------------

    def legend_quads(self) -> np.ndarray:
        """The swatches, one per count, in a row under the grid (plan units, before the panel's offset)."""
        o = self.lay.canvas_outline
        w, gap = self.swatch, 0.25 * self.swatch
        total = len(self.levels) * w + (len(self.levels) - 1) * gap
        x0 = (o[:, 0].min() + o[:, 0].max()) / 2 - total / 2
        y1 = o[:, 1].min() - 0.8 * w
        return np.array([[[x, y1], [x + w, y1], [x + w, y1 - w], [x, y1 - w]]
                         for x in (x0 + n * (w + gap) for n in range(len(self.levels)))], dtype=float)

    def grid_outlines(self) -> list[np.ndarray]:
        return [self.lay.canvas_outline + self.offset] + list(self.legend_quads() + self.offset)

    # ---- still part ---------------------------------------------------------------------------------------

    def add_still(self, comp: Composer) -> None:
        th = self.th
        self.measure = comp.measure
        R, C = self.counts.shape
        rr, cc = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
        quads = self.lay.quads(rr.ravel(), cc.ravel())
        flat = self.counts.ravel()
        for level, swatch in zip(self.levels, self.legend_quads()):
            mask = flat == level
            dashed = level == 0  # cells no window reaches are drawn as the guide draws padding
            comp.shapes.append(Shapes(quads[mask], self.colour(level), edge=th.line, width=self.lw, dashed=dashed,
                                      z=Z_FILL))
            comp.shapes.append(Shapes(swatch[None], self.colour(level), edge=th.line, width=self.lw, dashed=dashed,
                                      z=Z_FILL))
        comp.outlines.append(self.lay.canvas_outline)
        comp.outlines += list(self.legend_quads())
        legend = self.legend_quads()
        what = "input units writing each cell" if self.transposed else "windows reading each cell"
        left = legend[0]
        comp.labels.append(Label(what, 9.0, th.text, [(left[0, 0], (left[0, 1] + left[2, 1]) / 2, -6.0, 0.0,
                                                       "right", "center"),
                                                      (legend[:, :, 0].mean(), left[2, 1], 0.0, -5.0, "center", "top")],
                                 role="legend"))

    def add_labels(self, comp: Composer, size: float) -> None:
        name = map_label(self.spec)[1 if self.transposed else 0]
        o = self.lay.canvas_outline
        if self.style == "paper":
            top = o[np.argmax(o[:, 1])]
            right = o[np.argmax(o[:, 0])]
            places = [(top[0], top[1], 0.0, 6.0, "center", "bottom"), (right[0], right[1], 6.0, 0.0, "left", "center")]
        else:
            cx = (o[:, 0].min() + o[:, 0].max()) / 2
            places = [(cx, o[:, 1].max(), 0.0, 6.0, "center", "bottom"),
                      (o[:, 0].max(), (o[:, 1].min() + o[:, 1].max()) / 2, 6.0, 0.0, "left", "center")]
        comp.labels.append(Label(name, size, self.th.text, places))

    # ---- numbers ------------------------------------------------------------------------------------------

    def _strings(self) -> list[str]:
        return [str(v) for v in self.levels]

    def fractions(self) -> tuple[float, float]:
        """Text sizes per unit of scale: in a grid cell, in a swatch."""
        cell = self.lay.quads([0], [0])[0] - self.lay.project(0, 0)
        swatch = self.legend_quads()[0]
        fc, _ = cell_texts(self._strings(), cell, self.measure, cap=0.42)
        fs, _ = cell_texts(self._strings(), swatch - swatch[0], self.measure, cap=0.42 * self.swatch)
        return fc, fs

    def unit_for_numbers(self) -> float:
        fc, fs = self.fractions()
        return MIN_TEXT_PT / max(min(fc, fs) if self.cell_numbers else fs, 1e-9)

    def degrade(self, comp: Composer, how: str) -> None:
        """Leave out the numbers in the cells first (the legend says the same), then the legend's."""
        if self.cell_numbers:
            self.cell_numbers = False
            comp.notes.append(f"numbers left out: {how}")
        else:
            self.drop_numbers(comp, f"legend numbers left out: {how}")

    def drop_numbers(self, comp: Composer, note: str) -> None:
        if self.numbers:
            self.numbers = self.cell_numbers = False
            comp.notes.append(note)

    def number_texts(self, unit: float) -> list[Text]:
        if not self.numbers:
            return []
        fc, fs = self.fractions()
        texts: list[Text] = []
        m = self.measure
        if self.cell_numbers:
            R, C = self.counts.shape
            for r in range(R):
                for c in range(C):
                    quad = self.lay.quads([r], [c])[0] + self.offset
                    s, bg = str(int(self.counts[r, c])), self.colour(int(self.counts[r, c]))
                    w, h = m(s, fc * unit, False)
                    x, y = quad.mean(axis=0)
                    texts.append(Text(float(x), float(y), s, fc * unit, self.th.ink(bg), w, h, z=Z_TEXT, cell=quad,
                                      bg=bg))
        for level, quad in zip(self.levels, self.legend_quads() + self.offset):
            s, bg = str(level), self.colour(level)
            w, h = m(s, fs * unit, False)
            x, y = quad.mean(axis=0)
            texts.append(Text(float(x), float(y), s, fs * unit, self.th.ink(bg), w, h, z=Z_TEXT, cell=quad, bg=bg,
                              role="legend"))
        return texts

    # ---- frames -------------------------------------------------------------------------------------------

    def movers(self, unit: float) -> list[Mover]:
        return []

    def frame(self, t: int) -> FrameState:
        return FrameState({})

    def cells(self) -> list:
        return []

    def caption(self) -> Optional[list[list[str]]]:
        return overlap_caption(self.spec)
