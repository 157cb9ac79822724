"""The matrix view as a panel: the guide's unrolled matrix C (C^T for a transposed convolution), with the input
and output maps beside it; frame ``t`` highlights row ``t``, the input cells it reads and the output cell it writes.
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from ..core.geometry import MAX_FRAMES, scene
from ..core.matrix import MAX_MATRIX, check_matrix_size, tap_matrix, tap_name
from ..core.numerics import conv_matrix, default_input, default_kernel
from ..core.rank import as_2d, lift_values
from ..core.spec import ConvTranspose, Pool, Spec
from .captions import shape_label
from .cell_numbers import cell_texts, format_value
from .compose import Composer, Label
from .plan import MIN_TEXT_PT, FrameState, Mover, Shapes, Strokes, Text, text_patches
from .shapes import grid_runs
from .theme import RGB, Theme, get_theme

__all__ = ["MatrixPanel", "matrix_entry_texts"]

Z_FILL, Z_EDGE, Z_COVER, Z_SHADE, Z_TEXT = 1.0, 1.5, 2.0, 2.5, 6.0


def matrix_entry_texts(spec: Spec, matrix: Optional[np.ndarray], numbers: bool) -> list[str]:
    """The text of every entry, row-major: the weight as ``w_{a,b}`` (mathtext, the guide's notation) or its value
    with ``numbers``; ``0`` off the structure; ``1/n`` for an average pooling."""
    taps = tap_matrix(spec)
    if numbers and matrix is not None:
        return [format_value(v) if t else "0" for v, t in zip(matrix.ravel(), taps.ravel())]
    if isinstance(spec, Pool):
        n = math.prod(spec.k)
        return [f"1/{n}" if t else "0" for t in taps.ravel()]
    names = ["0"] + [f"$w_{{{tap_name(spec, t)}}}$" for t in range(math.prod(spec.k))]
    return [names[t] for t in taps.ravel()]


def _grid_lines(x0: float, y0: float, rows: int, cols: int, w: float) -> np.ndarray:
    """Every row and column line of a ``rows`` x ``cols`` block of ``w``-wide, 1-high cells from its top-left."""
    segs = [((x0, y0 - r), (x0 + cols * w, y0 - r)) for r in range(rows + 1)]
    segs += [((x0 + c * w, y0), (x0 + c * w, y0 - rows)) for c in range(cols + 1)]
    return np.array(segs, dtype=float)


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(int(round(t * x + (1 - t) * y)) for x, y in zip(a, b))  # type: ignore[return-value]


class MatrixPanel:
    """The matrix C (or C^T) and the maps it connects, as a panel of a plan.

    The entries are always written (symbols, or values with ``numbers``): without them the picture cannot be
    read; they are left out, with a note, only where they could not be legible.
    """

    def __init__(self, spec: Spec, *, numbers: bool = False, x: Any = None, kernel: Any = None, theme: Any = None,
                 max_frames: int = MAX_FRAMES, max_matrix: int = MAX_MATRIX) -> None:
        check_matrix_size(spec, max_matrix)
        self.spec = spec
        geo = as_2d(spec)  # a 1D layer's vectors are drawn as rows of height 1; its matrix is its own
        self.sc = scene(geo, max_frames=max_frames)
        self.th: Theme = get_theme(theme)
        self.n_frames = len(self.sc.frames)
        self.offset = np.zeros(2)
        self.show_values = bool(numbers)
        if isinstance(spec, Pool):
            self.matrix = conv_matrix(spec)
        else:
            w = default_kernel(spec) if kernel is None else np.asarray(kernel, dtype=float)
            self.matrix = conv_matrix(spec, w)
        self.structure = tap_matrix(spec) > 0
        self.x = None
        if numbers:
            self.x = default_input(spec) if x is None else np.asarray(x, dtype=float)
            if self.x.shape != spec.input_shape:
                raise ValueError(f"x must have shape {spec.input_shape}, got {self.x.shape}")
            self.x = lift_values(spec, self.x)
        self.entries = matrix_entry_texts(spec, self.matrix, self.show_values)
        self.numbers = True  # the entries are this panel's numbers
        self.R, self.N = self.matrix.shape
        self.ih, self.iw = geo.input_shape
        self.oh, self.ow = geo.output_shape
        self.on = _blend(self.th.input, self.th.padding, 0.45)  # a structural entry's fill
        self.measure: Any = None
        self.f = 0.42
        self.cell_w = 1.0

    # ---- geometry -------------------------------------------------------------------------------------------

    def _entry_quads(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        r = np.asarray(rows, dtype=float).ravel()[:, None]
        c = np.asarray(cols, dtype=float).ravel()[:, None]
        xs = np.concatenate([c, c + 1, c + 1, c], axis=1) * self.cell_w
        ys = -np.concatenate([r, r, r + 1, r + 1], axis=1)
        return np.stack([xs, ys], axis=-1)

    def _map_origin(self, which: str) -> np.ndarray:
        x0 = self.N * self.cell_w + 2.0
        if which == "input":
            return np.array([x0, 0.0])
        return np.array([x0 + self.iw + 2.0, 0.0])

    def _map_quads(self, which: str, rows: Any = None, cols: Any = None) -> np.ndarray:
        shape = (self.ih, self.iw) if which == "input" else (self.oh, self.ow)
        if rows is None:
            rr, cc = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
            rows, cols = rr.ravel(), cc.ravel()
        o = self._map_origin(which)
        r = np.asarray(rows, dtype=float).ravel()[:, None]
        c = np.asarray(cols, dtype=float).ravel()[:, None]
        xs = np.concatenate([c, c + 1, c + 1, c], axis=1) + o[0]
        ys = o[1] - np.concatenate([r, r, r + 1, r + 1], axis=1)
        return np.stack([xs, ys], axis=-1)

    def map_cell(self, quad: np.ndarray, which: str) -> tuple:
        """``(row, col)`` of the ``"input"`` or ``"output"`` map cell whose corners are ``quad`` (plan coordinates)."""
        o = self._map_origin(which) + self.offset
        q = np.asarray(quad)
        return (int(round(o[1] - q[:, 1].max())), int(round(q[:, 0].min() - o[0])))

    def entry_of(self, quad: np.ndarray) -> tuple:
        """``(row, col)`` of the matrix entry whose top-left corner ``quad`` starts at (plan coordinates)."""
        q = np.asarray(quad) - self.offset
        return (int(round(-q[:, 1].max())), int(round(q[:, 0].min() / self.cell_w)))

    def add_still(self, comp: Composer) -> None:
        th = self.th
        self.measure = comp.measure
        # The entries' width: the widest entry at the text fraction, with room on each side.
        w1 = max(comp.measure(s, 1.0, "$" in s)[0] for s in set(self.entries))
        self.cell_w = max(1.0, w1 * self.f + 0.3)
        rows = []
        for r in range(self.R):
            for a, b in grid_runs(self.structure[r]):
                x0, x1 = a * self.cell_w, b * self.cell_w
                rows.append([[x0, -r], [x1, -r], [x1, -r - 1], [x0, -r - 1]])
        whole = np.array([[0, 0], [self.N * self.cell_w, 0], [self.N * self.cell_w, -self.R], [0, -self.R]], float)
        comp.shapes.append(Shapes(whole[None], th.padding, z=Z_FILL))
        if rows:
            comp.shapes.append(Shapes(np.array(rows), self.on, z=Z_FILL + 0.1))
        comp.strokes.append(Strokes(_grid_lines(0.0, 0.0, self.R, self.N, self.cell_w), th.line, 0.6, z=Z_EDGE))
        for which, face, (h, w) in (("input", th.input, (self.ih, self.iw)), ("output", th.output, (self.oh, self.ow))):
            o = self._map_origin(which)
            outline = np.array([[o[0], o[1]], [o[0] + w, o[1]], [o[0] + w, o[1] - h], [o[0], o[1] - h]], float)
            comp.shapes.append(Shapes(outline[None], face, z=Z_FILL))
            comp.strokes.append(Strokes(_grid_lines(o[0], o[1], h, w, 1.0), th.line, 1.0, z=Z_EDGE))
            comp.outlines.append(outline)
        comp.outlines.append(whole)
        self.add_labels(comp, 10.0)

    def add_labels(self, comp: Composer, size: float) -> None:
        if getattr(self, "_labelled", False):
            return
        self._labelled = True
        th = self.th
        name = "C^T" if isinstance(self.spec, ConvTranspose) else "C"
        mname = r"$C^{T}$" if name == "C^T" else "$C$"
        g = 5.0
        comp.labels.append(Label(f"matrix {mname}, {self.R}×{self.N}:  $y = {mname.strip('$')}\\,x$", size, th.text,
                                 [(self.N * self.cell_w / 2, 0.0, 0, g, "center", "bottom")], math=True))
        for which, sym, shape, size_of in (("input", "x", (self.ih, self.iw), self.spec.input_shape),
                                           ("output", "y", (self.oh, self.ow), self.spec.output_shape)):
            o = self._map_origin(which)
            comp.labels.append(Label(f"{which} ${sym}$, {shape_label(size_of)}", size, th.text,
                                     [(o[0] + shape[1] / 2, o[1], 0, g, "center", "bottom"),
                                      (o[0] + shape[1] / 2, o[1] - shape[0], 0, -g, "center", "top")], math=True))

    # ---- texts ----------------------------------------------------------------------------------------------

    def unit_for_numbers(self) -> float:
        # The output values (one decimal) are written at 0.8 of the entries' size.
        return MIN_TEXT_PT / min(self.f, self._f_out())

    def _f_out(self) -> float:
        """The size, per unit of scale, at which the output values (one decimal) fit their cells."""
        if self.x is None:
            return self.f
        if not hasattr(self, "_fo"):
            y = self.matrix @ self.x.ravel()
            cell = np.array([[0, 0], [1, 0], [1, -1], [0, -1]], dtype=float)
            self._fo = cell_texts([format_value(v, 1) for v in y], cell, self.measure, cap=self.f)[0] * 0.92
        return float(self._fo)

    def drop_numbers(self, comp: Composer, note: str) -> None:
        if self.numbers:
            self.numbers = False
            comp.notes.append(note.replace("numbers", "the matrix's entries", 1))

    def number_texts(self, unit: float) -> list[Text]:
        if not self.numbers:
            return []
        th, m, size = self.th, self.measure, self.f * unit
        texts = []
        rr, cc = np.meshgrid(np.arange(self.R), np.arange(self.N), indexing="ij")
        quads = self._entry_quads(rr.ravel(), cc.ravel()) + self.offset
        for s, q, on in zip(self.entries, quads, self.structure.ravel()):
            base = self.on if on else th.padding
            w, h = m(s, size, "$" in s)
            c = q.mean(axis=0)
            texts.append(Text(float(c[0]), float(c[1]), s, size, th.ink(base), w, h, z=Z_TEXT, math="$" in s,
                              cell=q, shaded=th.ink(_over(th, base)), bg=base))
        if self.x is not None:
            y = self.matrix @ self.x.ravel()
            for which, vals, base, dec in (("input", self.x.ravel(), th.input, 0), ("output", y, th.output, 1)):
                for v, q in zip(vals, self._map_quads(which) + self.offset):
                    s = format_value(v, dec)
                    sz = self._f_out() * unit if dec else size
                    w, h = m(s, sz, False)
                    c = q.mean(axis=0)
                    texts.append(Text(float(c[0]), float(c[1]), s, sz, th.ink(base), w, h, z=Z_TEXT, cell=q,
                                      role="output" if dec else "number", shaded=th.ink(_over(th, base)), bg=base))
        self._texts, self._unit = texts, unit
        return texts

    # ---- frames ---------------------------------------------------------------------------------------------

    def movers(self, unit: float) -> list[Mover]:
        th = self.th
        out = []
        if self.numbers:
            out.append(Mover("cover", "polys", z=Z_COVER, faces=True))
        out += [Mover("band", "polys", face=th.shade, alpha=th.shade_alpha, z=Z_SHADE),
                Mover("read", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=1.0, z=Z_SHADE),
                Mover("write", "polys", face=th.shade, alpha=th.shade_alpha, edge=th.line, width=1.0, z=Z_SHADE)]
        return out

    def cells(self) -> list:
        return list(zip(range(self.oh * self.ow), self._map_quads("output") + self.offset))

    def frame(self, t: int) -> FrameState:
        fr = self.sc.frames[t]
        t = int(t) % self.n_frames
        w = self.N * self.cell_w
        band = np.array([[[0, -t], [w, -t], [w, -t - 1], [0, -t - 1]]], dtype=float)
        cols = np.flatnonzero(self.structure[t])
        read = self._map_quads("input", cols // self.iw, cols % self.iw)
        r, c = fr.output_cell
        write = self._map_quads("output", [r], [c])
        geo = {"band": band, "read": read, "write": write}
        colours: dict = {}
        covered: tuple = ()
        if self.numbers:
            cov = list(range(t * self.N, (t + 1) * self.N))
            if self.x is not None:
                n_entries = self.R * self.N
                cov += [n_entries + int(j) for j in cols]
                cov.append(n_entries + self.ih * self.iw + r * self.ow + c)
            covered = tuple(cov)
        geo = {k: v + self.offset for k, v in geo.items()}
        if self.numbers:
            geo["cover"], colours["cover"] = text_patches(self._texts, covered, self._unit)
        return FrameState(geo, colours, covered, ())


def _over(th: Theme, base: RGB) -> RGB:
    a = th.shade_alpha
    return tuple(int(round(a * s + (1 - a) * c)) for s, c in zip(th.shade, base))  # type: ignore[return-value]
