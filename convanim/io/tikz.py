"""The TikZ painter: a :class:`~convanim.drawing.plan.Plan` as a standalone LaTeX file, one ``tikzpicture`` per
frame.

It reads only the plan and draws what the matplotlib painter shows in a full (vector) draw: the same z-order,
colours, line widths, dashes, joins and caps, texts at the same anchors, every picture the figure's box.
pdfLaTeX makes one page per frame, each exactly ``plan.figsize()`` inches, which the ``animate`` package plays.
The document needs only base LaTeX and TikZ: each picture is shipped out as a page of its own (no ``standalone``
class), in Computer Modern scaled to any size (``fix-cm``); sans-serif next to matplotlib's default sans-serif
text, serif where the caller's matplotlib font is serif.
"""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from types import TracebackType
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Type, Union

import numpy as np

from ..drawing.plan import Plan, line_scale
from ..drawing.theme import RGB, Theme
from .atomic import AtomicFile, describe_os_error
from .latex_text import latex_lines

__all__ = ["TikzWriter", "tikz_document", "DASH_PATTERN"]

#: matplotlib's dashes (on, off), in multiples of the line width (it scales dashes with the width).
DASH_PATTERN = (4.0, 3.0)
#: TeX's point is 1/72.27 inch; matplotlib's (and PDF's) 1/72: ``bp`` in TeX.
PT_PER_BP = 72.27 / 72.0
LINESPACING = 1.25
# matplotlib's text alignment as \pgftext's keys (no key: centred); "center_baseline" is near enough centred.
_HKEYS = {"left": "left", "right": "right"}
_VKEYS = {"top": "top", "bottom": "bottom", "baseline": "base"}


def _n(v: float) -> str:
    """A coordinate in bp: two decimals (1/3600 inch), no trailing zeros, never ``-0``."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


class _Colours:
    """Named colours: the theme's (``caInput``, ``caLine``...), then any other the plan uses (``caRRGGBB``)."""

    def __init__(self, theme: Theme) -> None:
        self.defs: List[Tuple[str, RGB]] = []
        self.names: Dict[RGB, str] = {}
        for f in fields(theme):
            value = getattr(theme, f.name)
            if isinstance(value, tuple):
                name = "ca" + "".join(w.capitalize() for w in f.name.split("_"))
                rgb = tuple(int(c) for c in value)
                self.defs.append((name, rgb))  # type: ignore[arg-type]
                self.names.setdefault(rgb, name)  # type: ignore[arg-type]

    def __call__(self, rgb: Any) -> str:
        key: RGB = (int(rgb[0]), int(rgb[1]), int(rgb[2]))
        if key not in self.names:
            name = "ca" + "".join(f"{c:02X}" for c in key)
            self.defs.append((name, key))
            self.names[key] = name
        return self.names[key]

    def preamble(self) -> str:
        return "".join(f"\\definecolor{{{name}}}{{RGB}}{{{r},{g},{b}}}\n" for name, (r, g, b) in self.defs)


class _Picture:
    """Frame ``t`` of ``plan`` as TikZ commands, each item with its z (drawn in z order, ties in plan order)."""

    def __init__(self, plan: Plan, colours: _Colours, sans: bool) -> None:
        self.plan, self.colour, self.sans = plan, colours, sans
        x0, _, y0, _ = plan.bounds
        self.origin = np.array([x0, y0], dtype=float)
        self.scale = line_scale(plan.unit)
        self.items: List[Tuple[float, int, str]] = []

    def xy(self, pts: Any) -> List[str]:
        """Plan points ``(..., 2)`` as TikZ coordinates in bp from the box's lower left corner."""
        arr = (np.asarray(pts, dtype=float).reshape(-1, 2) - self.origin) * self.plan.unit
        return [f"({_n(x)},{_n(y)})" for x, y in arr]

    def add(self, z: float, code: str) -> None:
        if code:
            self.items.append((float(z), len(self.items), code))

    def polys(self, verts: Any, face: Optional[RGB], edge: Optional[RGB], alpha: float, width: float,
              dashed: bool = False, faces: Optional[Sequence[RGB]] = None) -> str:
        """Filled and/or outlined polygons, each filled then outlined before the next (as matplotlib does)."""
        verts = np.asarray(verts, dtype=float)
        if verts.size == 0 or (face is None and faces is None and edge is None):
            return ""
        opts = []
        if face is not None and faces is None:
            opts.append(f"fill={self.colour(face)}")
        if face is not None and faces is None and alpha < 1:  # colours given per frame are opaque, as in matplotlib
            opts.append(f"fill opacity={_n(alpha)}")
        if edge is not None:
            lw = width * self.scale
            opts += [f"draw={self.colour(edge)}", f"line width={_n(lw)}bp", "line join=miter"]
            if dashed:
                opts.append(f"dash pattern=on {_n(DASH_PATTERN[0] * lw)}bp off {_n(DASH_PATTERN[1] * lw)}bp")
        filled = face is not None or faces is not None
        cmd = "\\filldraw" if filled and edge is not None else ("\\fill" if filled else "\\draw")
        lines = []
        for j, quad in enumerate(verts):
            own = "" if faces is None else f"[fill={self.colour(faces[j % len(faces)])}]"
            lines.append(f"{cmd}{own} {' -- '.join(self.xy(quad))} -- cycle;")
        return f"\\begin{{scope}}[{', '.join(opts)}]\n" + "\n".join(lines) + "\n\\end{scope}"

    def lines(self, segments: Any, colour: Optional[RGB], width: float, dashed: bool, cap: str,
              hole: Optional[np.ndarray]) -> str:
        """Line segments, each its own path (a dash pattern starts again at each, as matplotlib's does); a
        ``hole`` is cut out of them by an even-odd clip (the page less the hole)."""
        segs = np.asarray(segments, dtype=float)
        if segs.size == 0 or colour is None:
            return ""
        lw = width * self.scale
        opts = [f"draw={self.colour(colour)}", f"line width={_n(lw)}bp", f"line cap={cap}"]
        if dashed:
            opts.append(f"dash pattern=on {_n(DASH_PATTERN[0] * lw)}bp off {_n(DASH_PATTERN[1] * lw)}bp")
        body = [f"\\draw {a} -- {b};" for a, b in (self.xy(s) for s in segs)]
        if hole is not None:
            # The outer box counter-clockwise, the hole clockwise: the same region under either fill rule.
            x0, x1, y0, y1 = self.plan.bounds
            outer = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
            inner = np.asarray(hole, dtype=float)
            area = 0.5 * np.sum(inner[:, 0] * np.roll(inner[:, 1], -1) - np.roll(inner[:, 0], -1) * inner[:, 1])
            if area > 0:
                inner = inner[::-1]
            clip = " -- ".join(self.xy(outer)) + " -- cycle " + " -- ".join(self.xy(inner)) + " -- cycle"
            body.insert(0, f"\\clip {clip};")
            opts.append("even odd rule")  # read by the clip (the lines are not filled)
        return f"\\begin{{scope}}[{', '.join(opts)}]\n" + "\n".join(body) + "\n\\end{scope}"

    def text(self, x: float, y: float, dx: float, dy: float, text: str, size: float, colour: RGB, ha: str,
             va: str, math: bool) -> str:
        """One text, its alignment point at ``(x, y)`` plan units plus ``(dx, dy)`` points.

        ``\\pgftext`` rather than a TikZ node: a figure writes thousands of numbers, and a node costs pdfLaTeX
        several times as long.
        """
        if not text:
            return ""
        lines = latex_lines(text, math, sans=self.sans)
        (pos,) = self.xy([[x + dx / self.plan.unit, y + dy / self.plan.unit]])
        px, py = pos[1:-1].split(",")
        keys = [k for k in (_HKEYS.get(ha), _VKEYS.get(va)) if k] + [f"at={{\\pgfqpoint{{{px}bp}}{{{py}bp}}}}"]
        size_pt = size * PT_PER_BP
        font = f"\\color{{{self.colour(colour)}}}\\fontsize{{{_n(size_pt)}}}{{{_n(LINESPACING * size_pt)}}}\\selectfont"
        if len(lines) == 1:
            body = "\\convanimstrut " + lines[0]
        else:  # matplotlib aligns the lines of a text as the text itself
            side = {"left": "l", "right": "r"}.get(ha, "c")
            body = f"\\convanimlines{{{side}}}{{" + "\\cr ".join(lines) + "}"
        return f"\\pgftext[{','.join(keys)}]{{{font}{body}}}"

    def draw(self, t: int) -> str:
        """The ``tikzpicture`` of frame ``t``, shipped out as a page the size of the figure."""
        plan = self.plan
        for s in plan.shapes:
            self.add(s.z, self.polys(s.verts, s.face, s.edge, s.alpha, s.width, s.dashed))
        for st in plan.strokes:
            self.add(st.z, self.lines(st.segments, st.colour, st.width, st.dashed, "rect", st.hole))
        state = plan.frame(t)
        colours = [t_.colour for t_ in plan.texts]
        for j in state.covered:  # under the kernel's shade: the shaded colour; on a faint map: the faint one
            if plan.texts[j].shaded is not None:
                colours[j] = plan.texts[j].shaded
        for j in state.faint:
            if plan.texts[j].faint is not None:
                colours[j] = plan.texts[j].faint
        # A full draw puts each text once at its z, so a text a moving line crosses (state.crossed) is already
        # above the line: the matplotlib painter draws it again only when blitting.
        for j, tx in enumerate(plan.texts):
            self.add(tx.z, self.text(tx.x, tx.y, tx.dx, tx.dy, tx.text, tx.size, colours[j], tx.ha, tx.va, tx.math))
        for m in plan.movers:
            geo = state.geometry.get(m.name)
            if geo is None:
                continue
            cols = state.colours.get(m.name)
            if m.kind == "polys":
                self.add(m.z, self.polys(geo, m.face, m.edge, m.alpha, m.width,
                                         faces=list(cols) if cols else None))
            elif m.kind == "lines":
                self.add(m.z, self.lines(geo, m.edge, m.width, False, "butt", m.hole))
            else:
                strings = state.strings.get(m.name, m.strings)
                for j, s in enumerate(strings):
                    colour = plan.theme.text if cols is None else cols[j]
                    self.add(m.z, self.text(float(geo[j][0]), float(geo[j][1]), 0.0, 0.0, s, m.size, colour,
                                            "center", "center", False))
        w, h = (72.0 * v for v in plan.figsize())
        box = f"(0,0) rectangle ({_n(w)},{_n(h)})"
        out = [f"% frame {t}", "\\shipout\\hbox{%",
               "\\begin{tikzpicture}[x=1bp, y=1bp]",  # coordinates in PostScript points, as the plan's sizes
               f"\\useasboundingbox {box};", f"\\fill[{self.colour(plan.theme.background)}] {box};"]
        out += [code for _, _, code in sorted(self.items)]
        out += ["\\end{tikzpicture}}"]
        return "\n".join(out) + "\n"


def _sans() -> bool:
    """Whether the caller's matplotlib text (which the plan was measured in) is sans-serif."""
    from ..drawing.measure import math_family

    return math_family() != "dejavuserif"


def tikz_document(plan: Plan, frames: Optional[Iterable[int]] = None, *, sans: Optional[bool] = None) -> str:
    r"""The standalone LaTeX document drawing ``frames`` of ``plan`` (default: every frame), one
    ``tikzpicture`` (one page, once compiled) each.

    Parameters
    ----------
    plan : Plan
        A plan fitted to its figure (its bounds fill ``plan.figsize()``).
    frames : iterable of int, optional
        Frame numbers, ``0 <= t < plan.n_frames``, in page order.
    sans : bool, optional
        Sans-serif text (Computer Modern Sans) or serif (Computer Modern); default: as matplotlib's font.

    Returns
    -------
    str
        The document; the same plan and frames give the same text.

    Examples
    --------
    >>> import convanim as ca
    >>> plan = ca.plan(ca.Conv(4, 3))
    >>> doc = tikz_document(plan)
    >>> doc.count(r"\begin{tikzpicture}")
    4
    """
    ts = list(range(plan.n_frames)) if frames is None else [int(t) for t in frames]
    if not ts:
        raise ValueError("a TikZ document needs at least one frame")
    for t in ts:
        if not 0 <= t < plan.n_frames:
            raise IndexError(f"frame {t} is out of range: this figure has {plan.n_frames} frames (0 to "
                             f"{plan.n_frames - 1})")
    sans = _sans() if sans is None else bool(sans)
    colours = _Colours(plan.theme)
    pictures = [_Picture(plan, colours, sans).draw(t) for t in ts]
    w, h = plan.figsize()
    title = " ".join((plan.title or "convanim figure").split())  # one comment line
    head = [
        f"% {title}: {len(ts)} frame{'s' if len(ts) != 1 else ''}, drawn by convanim, one tikzpicture each.",
        f"% pdflatex makes one page per frame, each {w:g} x {h:g} in; the animate package plays them:",
        "%   \\usepackage{graphicx,animate} ... \\animategraphics[controls,loop]{1}{<this file's name, no .pdf>}{}{}",
        "\\documentclass{article}",
        "\\usepackage{fix-cm}% Computer Modern at any size",
        "\\usepackage{tikz}",
        *(["\\renewcommand{\\familydefault}{\\sfdefault}% sans-serif text, as the figure's"] if sans else []),
        "% Every line as tall as the letters lp, as matplotlib lays text out; lines \\baselineskip apart, aligned",
        "% l, c or r: \\convanimlines{c}{line\\cr line}.",
        "\\newcommand*{\\convanimstrut}{\\vphantom{lp}}",
        "\\newcommand{\\convanimlines}[2]{\\vbox{\\halign{\\if l#1\\else\\hfil\\fi\\convanimstrut##\\if r#1\\else\\hfil\\fi"
        "\\cr#2\\crcr}}}",
        "% Each picture is a page of its own: no margins, the page the figure's box.",
        "\\pagestyle{empty}",
        "\\setlength{\\hoffset}{-1in}\\setlength{\\voffset}{-1in}",
        "\\ifdefined\\pdfpagewidth\\else\\let\\pdfpagewidth\\pagewidth\\let\\pdfpageheight\\pageheight\\fi% LuaTeX's names",
        f"\\setlength{{\\pdfpagewidth}}{{{_n(72.0 * w)}bp}}\\setlength{{\\pdfpageheight}}{{{_n(72.0 * h)}bp}}",
        f"\\setlength{{\\paperwidth}}{{{_n(72.0 * w)}bp}}\\setlength{{\\paperheight}}{{{_n(72.0 * h)}bp}}",
    ]
    return ("\n".join(head) + "\n" + colours.preamble() + "\\begin{document}\n" + "".join(pictures)
            + "\\end{document}\n")


class TikzWriter:
    """Writes a plan's frames to ``path`` as a standalone LaTeX file (:func:`tikz_document`), atomically.

    A context manager: :meth:`add_frame` names the frames in page order, the file is written when the ``with``
    block ends without an error; on an error nothing is left behind (a file already at ``path`` is untouched).

    Examples
    --------
    >>> import convanim as ca
    >>> plan = ca.plan(ca.Conv(4, 3))
    >>> with TikzWriter("conv.tex", plan) as w:
    ...     for t in range(plan.n_frames):
    ...         w.add_frame(t)
    """

    #: A vector writer: it paints frame ``t`` from the plan and is given no pixels.
    needs_pixels = False

    def __init__(self, path: Union[str, Path], plan: Plan) -> None:
        self.path = Path(path)
        self.plan = plan
        self.frames: List[int] = []
        self._atomic: Optional[AtomicFile] = None

    def __enter__(self) -> TikzWriter:
        self._atomic = AtomicFile(self.path)
        return self

    def add_frame(self, t: int, rgba: Any = None) -> None:
        """Add frame ``t`` (its pixels ``rgba``, which a vector writer has no use for, are ignored)."""
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"frame must be an int, got {type(t).__name__}")
        if not 0 <= t < self.plan.n_frames:
            raise IndexError(f"frame {t} is out of range: this figure has {self.plan.n_frames} frames")
        self.frames.append(int(t))

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        atomic, self._atomic = self._atomic, None
        if atomic is None:
            return
        if exc_type is not None:
            atomic.discard()
            return
        try:
            atomic.tmp.write_bytes(tikz_document(self.plan, self.frames).encode("utf-8"))
        except OSError as err:
            atomic.discard()
            raise describe_os_error(err, self.path) from None  # naming the user's file, not the temporary
        except BaseException:
            atomic.discard()
            raise
        atomic.commit()
