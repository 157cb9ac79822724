"""The SVG painter: any :class:`~convanim.drawing.plan.Plan` as one still SVG picture plus, per frame, what moves.

It reads only the plan (and matplotlib's text layout, :mod:`convanim.drawing.svg_text`) and shows what the
matplotlib painter (:mod:`convanim.drawing.painter`) shows: the same z-order (z, then the order the plan lists
things in), line widths (``width * line_scale(unit)``), dashes (4 on, 3 off, times the line width, as
matplotlib scales them), joins and caps, colours, text anchors, the lines passing behind their ``hole``.

Units: SVG user units are points, y down, the figure's box ``plan.figsize()`` (whole pixels at 100 dpi).  The
moving artists are empty ``<g data-moving="k">`` slots in the still picture (in their place in the z-order);
:meth:`SvgPainter.states` gives, per frame, what each one holds, as integers (1/100 point) the page's script
turns into markup.  Still texts that change colour (under a moving shade, on a faint map) carry ``data-t``.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Sequence, Tuple

import numpy as np

from .plan import FrameState, Plan, Text, line_scale
from .svg_text import Line, css_family, font_key, math_glyphs, path_data, text_lines
from .theme import RGB

__all__ = ["SvgPainter", "MoverState", "COORD_UNIT", "hex_colour"]

#: Coordinates of what moves are integers: points times this.
COORD_UNIT = 100
#: The mover kinds, as the page's script numbers them.
KINDS = {"polys": 0, "lines": 1, "texts": 2}


def hex_colour(c: RGB) -> str:
    """``#rrggbb`` of an RGB triple (0-255)."""
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))


def _num(v: float, decimals: int = 2) -> str:
    text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _poly_d(pts: np.ndarray) -> str:
    """Path data of one closed polygon ``(m, 2)`` in points."""
    xy = [f"{_num(x)} {_num(y)}" for x, y in pts]
    return "M" + xy[0] + "L" + " ".join(xy[1:]) + "Z"


@dataclass
class MoverState:
    """What one moving slot holds at a frame: integer coordinates (1/100 pt), the vertices per polygon, and
    per-item colours and strings (``None``: the slot's own style)."""

    coords: np.ndarray
    per: int = 0
    colours: Optional[Tuple[str, ...]] = None
    strings: Optional[Tuple[int, ...]] = None


@dataclass
class _Styles:
    """Style declarations as classes ``s0``, ``s1`` ...: one CSS rule each (a strict Content-Security-Policy
    forbids style attributes), and a smaller file."""

    rules: dict = field(default_factory=dict)

    def __call__(self, **decl: Any) -> str:
        text = ";".join(f"{k.replace('_', '-')}:{v}" for k, v in decl.items() if v is not None)
        return self.rules.setdefault(text, f"s{len(self.rules)}")

    def css(self, scope: str) -> str:
        return "\n".join(f"{scope} .{name}{{{text}}}" for text, name in self.rules.items())


class SvgPainter:
    """Paints ``plan`` as SVG: :attr:`svg` (the still picture), :meth:`states` (what moves, frame by frame).

    Parameters
    ----------
    plan : Plan
        Fitted to its figure (its bounds fill ``figsize`` at its unit), as for the matplotlib painter.
    figsize : (width, height), optional
        Inches; default ``plan.figsize()``.  The plan is centred in it at the largest scale that fits, as
        matplotlib's equal-aspect Axes does.
    dpi : float
        Pixels per inch of the picture's width and height attributes (its user units stay points).

    Examples
    --------
    >>> from convanim import Conv
    >>> from convanim.drawing.api import make_plan
    >>> plan = make_plan(Conv(4, 3))
    >>> plan.fit_to(*(v * 72 for v in plan.figsize()))
    >>> p = SvgPainter(plan)
    >>> p.svg.count("data-moving=")
    3
    """

    def __init__(self, plan: Plan, figsize: Optional[Sequence[float]] = None, dpi: float = 100.0,
                 label: str = "") -> None:
        self.plan = plan
        fw, fh = plan.figsize() if figsize is None else (float(figsize[0]), float(figsize[1]))
        self.width_pt, self.height_pt = fw * 72.0, fh * 72.0
        self.width_px, self.height_px = round(fw * dpi), round(fh * dpi)
        x0, x1, y0, y1 = plan.bounds
        self.scale = min(self.width_pt / (x1 - x0), self.height_pt / (y1 - y0))
        # matplotlib's equal-aspect Axes: the plan's box, centred in the figure.
        self._ox = (self.width_pt - (x1 - x0) * self.scale) / 2 - x0 * self.scale
        self._oy = (self.height_pt - (y1 - y0) * self.scale) / 2 + y1 * self.scale
        self.lw = line_scale(plan.unit)
        self.key = font_key()
        self.family = css_family(self.key)
        self.styles = _Styles()
        self.strings: list = []  # laid-out strings of moving texts: [[dx, dy, escaped line], ...]
        self._string_index: dict = {}
        self._glyph_ids: dict = {}
        self._defs: list = []
        self._clips: dict = {}
        self.label = label
        self.svg = self._still()

    # ---- coordinates --------------------------------------------------------------------------------

    def points(self, xy: Any) -> np.ndarray:
        """Plan units ``(..., 2)`` to points in the picture (y down)."""
        a = np.asarray(xy, dtype=float)
        out = np.empty_like(a)
        out[..., 0] = self._ox + a[..., 0] * self.scale
        out[..., 1] = self._oy - a[..., 1] * self.scale
        return out

    def cells(self) -> list:
        """``(frame, polygon in points)`` per output cell of the plan."""
        return [(int(t), self.points(quad)) for t, quad in self.plan.cells]

    # ---- the still picture ---------------------------------------------------------------------------

    def _still(self) -> str:
        plan, body = self.plan, []
        items: list = [(s.z, 0, i) for i, s in enumerate(plan.shapes)]
        items += [(st.z, 1, i) for i, st in enumerate(plan.strokes)]
        items += [(t.z, 2, i) for i, t in enumerate(plan.texts)]
        items += [(m.z, 3, i) for i, m in enumerate(plan.movers)]
        # matplotlib draws by zorder, ties in the order the painter added the artists: shapes, strokes, texts,
        # movers.
        order = sorted(range(len(items)), key=lambda n: items[n][0])
        changing = self._changing_texts()
        for n in order:
            _, kind, i = items[n]
            if kind == 0:
                body.append(self._shapes(plan.shapes[i]))
            elif kind == 1:
                body.append(self._strokes(plan.strokes[i]))
            elif kind == 2:
                body.append(self._text(plan.texts[i], i if i in changing else None))
            else:
                body.append(self._slot(i))
        bg = self.styles(fill=hex_colour(plan.theme.background))
        cells = "".join(f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in poly)}" data-cell-frame="{t}"/>'
                        for t, poly in self.cells())
        defs = f"<defs>{''.join(self._defs)}</defs>" if self._defs else ""
        label = html.escape(self.label, quote=True)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(self.width_pt)} {_num(self.height_pt)}" '
                f'width="{self.width_px}" height="{self.height_px}" role="img" aria-label="{label}" '
                f'class="cvp-figure">{defs}<rect width="100%" height="100%" class="{bg}"/>{"".join(body)}'
                f'<g class="cvp-cells">{cells}</g></svg>')

    def _changing_texts(self) -> set:
        """Still texts whose colour may change between frames: those with a shaded or a faint colour."""
        return {j for j, t in enumerate(self.plan.texts) if t.shaded is not None or t.faint is not None}

    def _stroke(self, colour: Optional[RGB], width: float, dashed: bool = False, join: Optional[str] = None,
                cap: Optional[str] = None) -> dict:
        if colour is None or width <= 0:
            return {"stroke": "none"}
        lw = width * self.lw
        dash = f"{_num(4 * lw, 3)},{_num(3 * lw, 3)}" if dashed else None  # matplotlib scales dashes by the width
        return {"stroke": hex_colour(colour), "stroke_width": _num(lw, 3), "stroke_dasharray": dash,
                "stroke_linejoin": join, "stroke_linecap": cap}

    def _fill(self, colour: Optional[RGB], alpha: float = 1.0) -> dict:
        if colour is None:
            return {"fill": "none"}
        return {"fill": hex_colour(colour), "fill_opacity": _num(alpha) if alpha < 1 else None}

    def _shapes(self, s: Any) -> str:
        cls = self.styles(**self._fill(s.face, s.alpha), **self._stroke(s.edge, s.width, s.dashed, "miter"))
        paths = "".join(f'<path d="{_poly_d(p)}"/>' for p in self.points(s.verts))
        return f'<g class="{cls}">{paths}</g>'

    def _clip(self, hole: Any) -> str:
        """A clip path: the plan's box less ``hole`` (even-odd), once per distinct hole."""
        x0, x1, y0, y1 = self.plan.bounds
        box = self.points(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]))
        d = _poly_d(box) + _poly_d(self.points(hole))
        if d not in self._clips:
            self._clips[d] = f"c{len(self._clips)}"
            self._defs.append(f'<clipPath id="{self._clips[d]}"><path d="{d}" clip-rule="evenodd"/></clipPath>')
        return f' clip-path="url(#{self._clips[d]})"'

    def _strokes(self, st: Any) -> str:
        cls = self.styles(fill="none", **self._stroke(st.colour, st.width, st.dashed, cap="square"))
        clip = "" if st.hole is None else self._clip(st.hole)
        segs = self.points(st.segments)
        if st.dashed:  # each segment its own path: its dashes start at its own end, as matplotlib's do
            paths = "".join(f'<path d="M{_num(a[0])} {_num(a[1])}L{_num(b[0])} {_num(b[1])}"/>' for a, b in segs)
        else:
            paths = '<path d="' + "".join(f"M{_num(a[0])} {_num(a[1])}L{_num(b[0])} {_num(b[1])}"
                                          for a, b in segs) + '"/>'
        return f'<g class="{cls}"{clip}>{paths}</g>'

    def _font(self, size: float, ha: str = "left", fill: Optional[RGB] = None) -> str:
        anchor = {"left": None, "center": "middle", "right": "end"}[ha]
        return self.styles(font_size=f"{_num(size, 3)}px", font_family=self.family, text_anchor=anchor,
                           fill=None if fill is None else hex_colour(fill))

    def _lines(self, t: Text) -> Tuple[Line, ...]:
        return text_lines(t.text, t.size, t.ha, t.va, linespacing=1.25 if "\n" in t.text else None, key=self.key)

    def _text(self, t: Text, j: Optional[int]) -> str:
        x, y = self.points((t.x, t.y)) + (t.dx, -t.dy)
        parts = []
        for line in self._lines(t):
            if line.math:
                parts.append(self._formula(line, t.size, x + line.x, y + line.y))
            else:
                cls = self._font(t.size, t.ha)
                parts.append(f'<text x="{_num(x + line.x)}" y="{_num(y + line.y)}" class="{cls}">'
                             f"{html.escape(line.text, quote=False)}</text>")
        colour = self.styles(fill=hex_colour(t.colour))
        marker = "" if j is None else f' data-t="{j}"'  # the page's script recolours it by this index
        return f'<g class="{colour}"{marker}>{"".join(parts)}</g>'

    def _formula(self, line: Line, size: float, x: float, y: float) -> str:
        g = math_glyphs(line.text, size, key=self.key)
        uses = []
        for key, gx, gy, s in g.uses:
            # One outline per glyph and size, so that each glyph drawn is a bare <use> at its place.
            ident = self._glyph_ids.get((key, round(s, 5)))
            if ident is None:
                ident = self._glyph_ids[key, round(s, 5)] = f"g{len(self._glyph_ids)}"
                verts, codes = g.outlines[key]
                self._defs.append(f'<path id="{ident}" d="{path_data(verts, codes, scale=s)}"/>')
            uses.append(f'<use href="#{ident}" x="{_num(x + gx)}" y="{_num(y + gy)}"/>')
        rules = f'<path d="{g.rects}" transform="translate({_num(x)} {_num(y)})"/>' if g.rects else ""
        if not g.chars.strip():
            return "".join(uses) + rules
        # The formula's characters, transparent, stretched over it: found by the browser's search, copied.
        find = self.styles(font_size=f"{_num(size, 3)}px", font_family=self.family, fill_opacity="0")
        return "".join(uses) + rules + (
            f'<text x="{_num(x)}" y="{_num(y)}" class="{find}" textLength="{_num(line.width)}" '
            f'lengthAdjust="spacingAndGlyphs">{html.escape(g.chars, quote=False)}</text>')

    def _slot(self, k: int) -> str:
        m = self.plan.movers[k]
        if m.kind == "polys":
            cls = self.styles(**self._fill(m.face, m.alpha), **self._stroke(m.edge, m.width, join="miter"))
        elif m.kind == "lines":
            cls = self.styles(fill="none", **self._stroke(m.edge, m.width))
        else:
            cls = self._font(m.size, "center", self.plan.theme.text)
        clip = "" if m.kind != "lines" or m.hole is None else self._clip(m.hole)
        return f'<g data-moving="{k}" class="{cls}"{clip}></g>'

    # ---- frames --------------------------------------------------------------------------------------

    def _string(self, s: str, size: float) -> int:
        """The index of ``s`` laid out as a moving text (centred on its position) in :attr:`strings`."""
        key = (s, size)
        if key not in self._string_index:
            lines = text_lines(s, size, "center", "center", key=self.key)
            self._string_index[key] = len(self.strings)
            # Moving texts are numbers; a formula among them would be written as its characters (no outlines).
            self.strings.append([[int(round(ln.x * COORD_UNIT)), int(round(ln.y * COORD_UNIT)), html.escape(
                math_glyphs(ln.text, size, key=self.key).chars if ln.math else ln.text, quote=False)] for ln in lines])
        return self._string_index[key]

    def states(self) -> Iterator[Tuple[list, dict]]:
        """Per frame: each slot's :class:`MoverState`, and the still texts drawn in another colour
        (``{index: "#rrggbb"}``), as the matplotlib painter's ``set_frame`` leaves them."""
        plan = self.plan
        held: list = []
        for m in plan.movers:  # what a slot shows before any frame set it (the painter's new artists)
            strings = tuple(self._string(s, m.size) for s in m.strings) if m.kind == "texts" else None
            coords = self._ints(self.points(np.zeros((len(m.strings) if m.kind == "texts" else 0, 2))))
            held.append(MoverState(coords, 0, None, strings))
        for t in range(plan.n_frames):
            state: FrameState = plan.frame(t)
            for k, m in enumerate(plan.movers):
                geo = state.geometry.get(m.name)
                cur = held[k]
                cols = state.colours.get(m.name)
                if m.kind == "texts":
                    strs = state.strings.get(m.name)
                    if geo is not None:  # the painter leaves texts where they were when a frame has none
                        cur = MoverState(self._ints(self.points(np.asarray(geo, dtype=float)[:, :2])), 0,
                                         cur.colours, cur.strings)
                        if strs is not None:
                            cur.strings = tuple(self._string(s, m.size) for s in strs)
                        if cols is not None:
                            cur.colours = tuple(hex_colour(c) for c in cols)
                else:
                    pts = np.zeros((0, 2, 2)) if geo is None else np.asarray(geo, dtype=float)
                    if pts.ndim != 3 or pts.shape[2] != 2:
                        raise ValueError(f"mover {m.name!r}: frame {t}'s geometry must be (n, m, 2), got {pts.shape}")
                    per = pts.shape[1] if pts.ndim == 3 else 0
                    colours = cur.colours
                    if m.kind == "polys" and cols is not None:
                        colours = tuple(hex_colour(c) for c in cols)
                    cur = MoverState(self._ints(self.points(pts)), per, colours, None)
                held[k] = cur
            yield list(held), self._recoloured(state)

    @staticmethod
    def _ints(pts: np.ndarray) -> np.ndarray:
        return np.round(pts.reshape(-1) * COORD_UNIT).astype(np.int64)

    def _recoloured(self, state: FrameState) -> dict:
        out = {}
        for j in state.covered:
            shaded = self.plan.texts[j].shaded
            if shaded is not None:
                out[j] = hex_colour(shaded)
        for j in state.faint:  # after the shade, as the painter's _shade does
            faint = self.plan.texts[j].faint
            if faint is not None:
                out[j] = hex_colour(faint)
        return out
