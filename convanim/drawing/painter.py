"""The one painter: turns any :class:`~convanim.drawing.plan.Plan` into matplotlib artists on an Axes.

It decides nothing about geometry or sizes (the plan did); per frame it moves only what moves, and a
:class:`Stage` keeps the still part of a figure as a bitmap so that a raster frame redraws only that (blitting).
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.path import Path
from matplotlib.transforms import ScaledTranslation

from .measure import math_family
from .plan import Plan, line_scale, warn_notes
from .theme import RGB, Theme

__all__ = ["Painter", "Stage", "root_figure", "axes_box_pt", "line_scale"]

DASHES = (0, (4.0, 3.0))


def root_figure(ax: Axes) -> Any:
    """The top-level Figure of ``ax``, also when ``ax`` lives in a SubFigure."""
    fig = ax.figure
    while getattr(fig, "figure", fig) is not fig and fig is not None:
        fig = fig.figure
    return fig


def axes_box_pt(ax: Axes) -> tuple[float, float]:
    """``(width, height)`` of ``ax`` in points."""
    fig = root_figure(ax)
    box = ax.get_window_extent()
    return (box.width * 72.0 / fig.dpi, box.height * 72.0 / fig.dpi)


def _rgba(c: Optional[RGB], alpha: float = 1.0) -> Any:
    if c is None:
        return "none"
    return (c[0] / 255, c[1] / 255, c[2] / 255, alpha)


def _hole_clip(bounds: Sequence[float], hole: np.ndarray) -> Path:
    """The plan's box less ``hole`` (the lines pass behind it).  Bounded by the drawing, so that matplotlib's
    tight bounding box is the drawing's."""
    x0, x1, y0, y1 = bounds
    outer = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    inner = np.asarray(hole, dtype=float)
    area = 0.5 * np.sum(inner[:, 0] * np.roll(inner[:, 1], -1) - np.roll(inner[:, 0], -1) * inner[:, 1])
    if area > 0:
        inner = inner[::-1]
    verts = np.concatenate([outer, outer[:1], inner, inner[:1]])
    codes = ([Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]) * 2
    return Path(verts, codes)


class Painter:
    """Draws ``plan`` on ``ax`` and moves it frame by frame.

    The Axes' limits and aspect are set to the plan's and its axis is turned off; nothing else of the Axes or
    its figure is touched.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from convanim import Conv
    >>> from convanim.drawing.grid_plan import grid_plan
    >>> p = Painter(Figure().add_subplot(), grid_plan(Conv(5, 3, s=2, p=1)))
    >>> p.set_frame(4); p.frame
    4
    """

    def __init__(self, ax: Axes, plan: Plan) -> None:
        self.ax, self.plan = ax, plan
        self.theme: Theme = plan.theme
        x0, x1, y0, y1 = plan.bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        scale = line_scale(plan.unit)
        fig = root_figure(ax)
        for s in plan.shapes:
            ax.add_collection(PolyCollection(list(s.verts), facecolors=[_rgba(s.face, s.alpha)],
                                             edgecolors=[_rgba(s.edge)], linewidths=s.width * scale if s.edge else 0,
                                             linestyles=DASHES if s.dashed else "solid", zorder=s.z,
                                             joinstyle="miter"))
        for st in plan.strokes:
            lc = LineCollection(list(st.segments), colors=[_rgba(st.colour)], linewidths=st.width * scale,
                                linestyles=DASHES if st.dashed else "solid", zorder=st.z, capstyle="projecting")
            if st.hole is not None:
                lc.set_clip_path(_hole_clip(plan.bounds, st.hole), ax.transData)
            ax.add_collection(lc)
        self.texts = []
        math_font = math_family()
        for t in plan.texts:
            transform = ax.transData
            if t.dx or t.dy:
                transform = ax.transData + ScaledTranslation(t.dx / 72.0, t.dy / 72.0, fig.dpi_scale_trans)
            self.texts.append(ax.text(t.x, t.y, t.text, fontsize=t.size, color=_rgba(t.colour), ha=t.ha, va=t.va,
                                      zorder=t.z, transform=transform, math_fontfamily=math_font,
                                      linespacing=1.25 if "\n" in t.text else None))
        self.movers: dict[str, Any] = {}
        for m in plan.movers:
            art: Any
            if m.kind == "polys":
                art = PolyCollection(list(np.zeros((0, 4, 2))), facecolors=[_rgba(m.face, m.alpha)],
                                          edgecolors=[_rgba(m.edge)], linewidths=m.width * scale, zorder=m.z,
                                          joinstyle="miter")
                ax.add_collection(art)
            elif m.kind == "lines":
                art = LineCollection(list(np.zeros((0, 2, 2))), colors=[_rgba(m.edge)], linewidths=m.width * scale,
                                     zorder=m.z)
                if m.hole is not None:
                    art.set_clip_path(_hole_clip(plan.bounds, m.hole), ax.transData)
                ax.add_collection(art)
            else:
                art = [ax.text(0, 0, s, fontsize=m.size, ha="center", va="center", zorder=m.z,
                               color=_rgba(self.theme.text)) for s in m.strings]
            self.movers[m.name] = art
        self._covered: tuple[int, ...] = ()
        self._faint: tuple[int, ...] = ()
        self._crossed: tuple[int, ...] = ()
        self.frame = -1
        warn_notes(plan)
        self.set_frame(0)

    @property
    def figure(self) -> Any:
        return self.ax.figure

    @property
    def n_frames(self) -> int:
        return self.plan.n_frames

    def set_frame(self, t: int) -> None:
        """Move everything that moves to frame ``t`` (negative counts from the end)."""
        n = self.n_frames
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"frame must be an int, got {type(t).__name__}")
        if not -n <= t < n:
            raise IndexError(f"frame {t} is out of range: this figure has {n} frames (0 to {n - 1})")
        t = int(t) % n
        state = self.plan.frame(t)
        for name, art in self.movers.items():
            geo = state.geometry.get(name)
            if isinstance(art, list):
                if geo is None:
                    continue
                cols = state.colours.get(name)
                strs = state.strings.get(name)
                for j, text in enumerate(art):
                    text.set_position((float(geo[j][0]), float(geo[j][1])))
                    if strs is not None:
                        text.set_text(strs[j])
                    if cols is not None:
                        text.set_color(_rgba(cols[j]))
            elif isinstance(art, LineCollection):
                art.set_segments(list(np.zeros((0, 2, 2)) if geo is None else geo))
            else:
                art.set_verts(np.zeros((0, 4, 2)) if geo is None else geo)
                cols = state.colours.get(name)
                if cols is not None:
                    art.set_facecolors([_rgba(c) for c in cols])
        self._shade(state.covered, state.faint)
        self._crossed = state.crossed
        self.frame = t

    def _shade(self, covered: tuple[int, ...], faint: tuple[int, ...] = ()) -> None:
        for j in self._covered + self._faint:
            self.texts[j].set_color(_rgba(self.plan.texts[j].colour))
        for j in covered:
            shaded = self.plan.texts[j].shaded
            if shaded is not None:
                self.texts[j].set_color(_rgba(shaded))
        for j in faint:
            colour = self.plan.texts[j].faint
            if colour is not None:
                self.texts[j].set_color(_rgba(colour))
        self._covered, self._faint = covered, faint

    @contextlib.contextmanager
    def neutral(self) -> Iterator[None]:
        """Every still text in its own colour (for the blitting background), the frame's colours after."""
        covered, faint = self._covered, self._faint
        self._shade(())
        try:
            yield
        finally:
            self._shade(covered, faint)

    def cell_frames(self) -> list:
        """``(frame, quad)`` for every output cell: the frame that computes it, its corners (data coordinates)."""
        return list(self.plan.cells)

    @property
    def all_moving(self) -> list:
        """Every artist that can change between frames (left out of the still background)."""
        out: list = []
        for art in self.movers.values():
            out += art if isinstance(art, list) else [art]
        return out

    def moving(self) -> list:
        """What to draw over the still background for the current frame, in draw order."""
        extra = [self.texts[j] for j in self._covered + self._crossed + self._faint]
        return sorted(self.all_moving + extra, key=lambda a: a.get_zorder())


class Stage:
    """One figure and the painters on it, moved together frame by frame.

    The still part of the figure is drawn once and kept as a bitmap; a raster frame restores it and draws only
    what moves (blitting).  Attributes not found here are looked up on the first painter.
    """

    def __init__(self, figure: Any, painters: Sequence[Any]) -> None:
        self.figure = figure
        self.painters = list(painters)
        self._background: Any = None
        counts = {p.n_frames for p in self.painters}
        if len(counts) != 1:
            raise ValueError("the painters of one figure must have as many frames")

    def __getattr__(self, name: str) -> Any:
        if name == "painters":
            raise AttributeError(name)
        return getattr(self.painters[0], name)

    @property
    def n_frames(self) -> int:
        return int(self.painters[0].n_frames)

    @property
    def theme(self) -> Theme:
        return self.painters[0].theme

    def set_frame(self, t: int) -> None:
        for p in self.painters:
            p.set_frame(t)

    def moving_artists(self) -> list:
        """Every artist that may change between frames; the rest of the figure is the same in every frame."""
        return [a for p in self.painters for a in p.all_moving] + [
            p.texts[j] for p in self.painters if hasattr(p, "texts") for j in range(len(p.texts))
            if getattr(p.plan.texts[j], "shaded", None) is not None]

    def output_cells(self) -> list:
        """``(frame, polygon)`` per output cell: the frame that computes it, its corners in figure pixels (y up)."""
        cells = []
        for p in self.painters:
            for t, quad in p.cell_frames():
                cells.append((t, p.ax.transData.transform(quad)))
        return cells

    def rgb(self) -> np.ndarray:
        """The current frame as an ``(h, w, 3)`` uint8 array (Agg), drawing only what moves."""
        canvas = self.figure.canvas
        if self._background is None:
            for p in self.painters:
                for artist in p.all_moving:
                    artist.set_animated(True)
            with contextlib.ExitStack() as stack:
                for p in self.painters:
                    if hasattr(p, "neutral"):
                        stack.enter_context(p.neutral())
                canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for p in self.painters:
            for artist in p.moving():
                artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())[..., :3].copy()

    @contextlib.contextmanager
    def vector(self) -> Iterator[Any]:
        """The figure with every artist in a normal draw (for PDF / SVG); the blitting state is kept."""
        artists = [a for p in self.painters for a in p.all_moving]
        flags = [a.get_animated() for a in artists]
        for artist in artists:
            artist.set_animated(False)
        try:
            yield self.figure
        finally:
            for artist, flag in zip(artists, flags):
                artist.set_animated(flag)

    def vector_mode(self) -> None:
        """Make every artist part of a normal draw again (interactive use, notebooks)."""
        for p in self.painters:
            for artist in p.all_moving:
                artist.set_animated(False)
        self._background = None
