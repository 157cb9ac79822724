"""Text for the SVG painter, laid out by matplotlib exactly as the matplotlib painter lays it out.

A plan's :class:`~convanim.drawing.plan.Text` says where a text is anchored and how (``ha``, ``va``); where its
lines' baselines then fall depends on the font's metrics and, for mathtext, on matplotlib's mathtext layout.  So
the layout is asked of matplotlib itself (a scratch :class:`~matplotlib.text.Text`, never drawn, with the
metrics of its vector renderer), and a formula comes back as glyph outlines placed by matplotlib's mathtext
parser.  Nothing here draws a figure or reads matplotlib's SVG.

Plain text stays ``<text>`` (searchable, selectable, in the figure's font).  A formula becomes outlines: its
glyphs come from matplotlib's math fonts (Computer Modern, STIX, DejaVu at positions only the parser knows),
which a reader's browser does not have, so text would fall back to other fonts and lose its layout.  Each
formula also carries its characters as transparent text stretched over it, so that it can still be found and
copied.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional, Tuple

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.text import Text as MplText
from matplotlib.textpath import TextToPath

from .measure import math_family

__all__ = ["Line", "Glyphs", "text_lines", "math_glyphs", "font_key", "css_family", "path_data"]

#: The generic families CSS knows, for matplotlib's names of them.
_GENERIC = {"sans-serif": "sans-serif", "sans": "sans-serif", "serif": "serif", "monospace": "monospace",
            "cursive": "cursive", "fantasy": "fantasy"}


@dataclass(frozen=True)
class Line:
    """One line of a text: ``x`` where it is anchored (its ``ha`` side) and ``y`` its baseline, both in points
    from the text's anchor (y down); ``width`` in points; ``math`` when it is a formula."""

    text: str
    x: float
    y: float
    width: float
    math: bool


@dataclass(frozen=True)
class Glyphs:
    """A formula as outlines, in points from its baseline's left end (y down).

    ``uses`` are ``(glyph key, x, y, scale)``; ``outlines`` map each glyph key to its outline ``(verts, codes)``
    at scale 1 (y up, as matplotlib's paths are); ``rects`` is the path data of its rules (fraction bars, roots);
    ``chars`` its characters in reading order.
    """

    uses: Tuple[Tuple[str, float, float, float], ...]
    outlines: Any
    rects: str
    chars: str


def font_key() -> tuple:
    """What the current rcParams decide about text (a cache key: the same key, the same layout)."""
    rc = matplotlib.rcParams
    return (tuple(rc["font.family"]), tuple(rc["font.sans-serif"]), tuple(rc["font.serif"]),
            tuple(rc["font.monospace"]), rc["font.size"], rc["font.weight"], rc["font.style"],
            rc["mathtext.fontset"], rc["text.hinting"], math_family())


@lru_cache(maxsize=8)
def css_family(key: tuple) -> str:
    """The CSS ``font-family`` of the figure's text: the font matplotlib resolves, then the generic family."""
    del key  # only caches per rcParams state
    prop = FontProperties()
    name = font_manager.get_font(font_manager.fontManager.findfont(prop)).family_name
    family = matplotlib.rcParams["font.family"]
    first = str(family[0] if isinstance(family, (list, tuple)) and family else family).lower()
    generic = _GENERIC.get(first, "sans-serif")
    return f"'{name}', {generic}" if name.lower() != generic else generic


@lru_cache(maxsize=1)
def _scratch() -> Tuple[Figure, Any]:
    # 72 dpi: one unit is one point.  The vector renderer's metrics are unhinted, as a browser's are.
    return Figure(dpi=72.0), RendererSVG(72.0, 72.0, io.StringIO())


def text_lines(text: str, size: float, ha: str, va: str, *, linespacing: Optional[float] = None,
               key: tuple = ()) -> Tuple[Line, ...]:
    """The lines of ``text`` at ``size`` points anchored by ``ha``/``va``, as matplotlib lays them out.

    ``linespacing`` and the math font family are the matplotlib painter's (``None``: matplotlib's default);
    ``key`` is :func:`font_key` (the layout is cached per key).

    Examples
    --------
    >>> (line,) = text_lines("12", 10.0, "center", "center", key=font_key())
    >>> line.x, 0 < line.y < 5
    (0.0, True)
    """
    return _lines(text, float(size), ha, va, linespacing, key)


@lru_cache(maxsize=8192)
def _lines(text: str, size: float, ha: str, va: str, linespacing: Optional[float], key: tuple) -> Tuple[Line, ...]:
    fig, renderer = _scratch()
    art = MplText(0.0, 0.0, text, fontsize=size, ha=ha, va=va, linespacing=linespacing,
                  math_fontfamily=math_family())
    art.set_figure(fig)
    # The layout matplotlib's Text.draw itself uses (private, but the one that decides where its lines go).
    _, info, _ = art._get_layout(renderer)  # type: ignore[attr-defined]
    lines = []
    for line, (w, _, _), (x, y) in info:
        clean, ismath = art._preprocess_math(line)  # type: ignore[attr-defined]
        if not clean:
            continue
        along = 0.0 if ismath or ha == "left" else (w / 2 if ha == "center" else w)
        lines.append(Line(clean, float(x + along), float(-y), float(w), bool(ismath)))
    return tuple(lines)


def path_data(verts: Any, codes: Any, scale: float = 1.0, flip: bool = True, decimals: int = 2) -> str:
    """SVG path data of a matplotlib path (``verts`` times ``scale``, y negated when ``flip``)."""
    path = Path(np.asarray(verts, dtype=float) * scale, codes)
    out = []
    last = ""
    sy = -1.0 if flip else 1.0
    letters = {Path.MOVETO: "M", Path.LINETO: "L", Path.CURVE3: "Q", Path.CURVE4: "C"}
    for pts, code in path.iter_segments(simplify=False, curves=True):
        if code == Path.CLOSEPOLY:
            out.append("Z")
            last = "Z"
            continue
        pts = pts.reshape(-1, 2)
        letter = letters[code]
        # A command repeated needs no letter (but for a move-to, whose repeats would be line-tos).
        lead = " " if letter == last and letter != "M" else letter
        out.append(lead + " ".join(f"{_num(x, decimals)} {_num(sy * y, decimals)}" for x, y in pts))
        last = letter
    return "".join(out)


def _num(v: float, decimals: int) -> str:
    text = f"{round(float(v), decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_TEXT2PATH = TextToPath()


def math_glyphs(text: str, size: float, *, key: tuple = ()) -> Glyphs:
    """The formula ``text`` (a line with ``$...$``) at ``size`` points, as glyph outlines placed by matplotlib's
    mathtext parser, in the figure's math font family.

    Examples
    --------
    >>> g = math_glyphs("$w_{1,1}$", 9.0, key=font_key())
    >>> g.chars, len(g.uses), len(g.outlines)
    ('w1,1', 4, 3)
    """
    return _glyphs(text, float(size), key)


@lru_cache(maxsize=1024)
def _glyphs(text: str, size: float, key: tuple) -> Glyphs:
    prop = FontProperties(size=_TEXT2PATH.FONT_SCALE, math_fontfamily=math_family())
    infos, outlines, rects = _TEXT2PATH.get_glyphs_mathtext(prop, text)
    f = size / _TEXT2PATH.FONT_SCALE  # the parser lays out at FONT_SCALE points
    uses = tuple((str(gid), float(x) * f, -float(y) * f, float(s) * f) for gid, x, y, s in infos)
    shapes = {str(gid): outlines[gid] for gid in dict.fromkeys(g[0] for g in infos)}
    bars = "".join(path_data(v, c, scale=f) for v, c in rects)
    # The same parse as the glyphs' (matplotlib caches it): the characters, for the text laid over the outlines.
    parsed = _TEXT2PATH.mathtext_parser.parse(text, _TEXT2PATH.DPI, prop)
    chars = "".join(chr(g[2]) if g[2] != 32 else " " for g in sorted(parsed.glyphs, key=lambda g: (g[-2], -g[-1])))
    return Glyphs(uses, shapes, bars, chars)
