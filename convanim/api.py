"""The drawing API: ``draw``, ``figure``, ``animation``, ``render``.

Figures are built with :class:`matplotlib.figure.Figure` and an Agg canvas,
never through pyplot: no window opens, no global state is touched, and the
caller's rcParams (fonts, styles) are honoured.
"""
from __future__ import annotations

import base64
import io
import sys
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .encoders import GifEncoder, ImageioEncoder, PdfEncoder, PngEncoder, SvgEncoder
from .geometry import MAX_FRAMES, layout, scene
from .matrix import MAX_MATRIX
from .painter import Painter, Stage, caption_text
from .spec import Spec
from .sphinx_gallery import note

__all__ = ["draw", "figure", "animation", "render", "ConvAnimation", "SUFFIXES", "frame_paths"]

#: What :func:`render` writes, by suffix.
SUFFIXES = (".gif", ".pdf", ".png", ".svg", ".webp", ".mp4", ".webm", ".mkv")

#: Default pixels per cell unit at 100 dpi (the guide's figures use about 30), and the largest side in pixels.
UNIT_PX = 30.0
MAX_SIDE_PX = 900.0

#: The notebook display embeds at most this many frames; past it, it says how to render a file instead.
REPR_MAX_FRAMES = 400

_DRAW_KEYS = ("style", "numbers", "x", "kernel", "theme", "labels", "caption", "fontsize", "max_frames",
              "view", "max_matrix")


def draw(ax: Axes, spec: Spec, frame: int = 0, *, style: str = "paper", numbers: bool = False, x: Any = None,
         kernel: Any = None, theme: Any = None, labels: bool = False, caption: bool = False,
         fontsize: Optional[float] = None, view: str = "grid", max_frames: int = MAX_FRAMES,
         max_matrix: int = MAX_MATRIX) -> Any:
    """Draw frame ``frame`` of ``spec`` on your own matplotlib Axes.

    The Axes' limits and aspect are set to hold the figure and its axis is
    turned off; everything else (fonts, rcParams, the figure) stays yours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    spec : Conv, ConvTranspose or Pool
    frame : int
        Which output cell the kernel is at (row-major; negative counts from the end).
    style : "paper" or "flat"
        The guide's slanted view, or input and output side by side.
    numbers : bool
        Write input values, kernel weights (small, in each tap's corner) and outputs.
    x, kernel : array_like, optional
        The values to write; the guide's Figure 1.1 numbers where they fit, else seeded integers.
    theme : "guide", "colorblind", "dark", a Theme or a mapping of colours
    labels, caption : bool
        Name the input and output maps; write the parameters and the formula.
    fontsize : float, optional
        Points for labels and captions (default: in proportion to the cells).
    view : "grid" or "matrix"
        The sliding kernel, or the guide's unrolled matrix C (C^T for a transposed
        convolution) with the cells row ``frame`` reads and writes.  (``"both"``
        needs two Axes: use :func:`figure` or :func:`render`.)
    max_frames, max_matrix : int
        Refusal limits for absurd sizes (10,000 frames; a 256-row or -column matrix).

    Returns
    -------
    Painter or MatrixPainter
        Call ``.set_frame(t)`` to move the kernel.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import convanim as ca
    >>> ax = Figure().add_subplot()
    >>> painter = ca.draw(ax, ca.Conv(5, 3, s=2, p=1), frame=4)
    """
    _check_frame_arg(frame)
    if view not in ("grid", "matrix"):
        raise ValueError(f"view must be 'grid' or 'matrix' on one Axes ('both' needs figure() or render()), "
                         f"got {view!r}")
    painter = _make_painter(ax, spec, view, dict(style=style, numbers=numbers, x=x, kernel=kernel, theme=theme,
                                                 labels=labels, caption=caption, fontsize=fontsize,
                                                 max_frames=max_frames, max_matrix=max_matrix))
    painter.set_frame(frame)
    return painter


def _make_painter(ax: Axes, spec: Spec, view: str, kw: dict[str, Any]) -> Any:
    if view == "matrix":
        from .matrix_painter import MatrixPainter

        # The matrix view always names C, x and y: without them the picture cannot be read.
        mkw = {k: v for k, v in kw.items() if k not in ("style", "caption", "labels")}
        return MatrixPainter(ax, spec, labels=True, **mkw)
    return Painter(ax, spec, **{k: v for k, v in kw.items() if k != "max_matrix"})


def _check_frame_arg(frame: Any) -> None:
    if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)):
        raise TypeError(f"frame must be an int, got {type(frame).__name__}")


VIEWS = ("grid", "matrix", "both")


def _panel_bounds(spec: Spec, view: str, style: str, labels: bool, caption: bool, numbers: bool,
                  max_frames: int, max_matrix: int) -> list[tuple[float, float, float, float]]:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    panels = []
    if view in ("grid", "both"):
        lay = layout(scene(spec, max_frames=max_frames), style, labels=labels,
                     caption=caption_text(spec) if caption else ())
        panels.append(lay.bounds)
    if view in ("matrix", "both"):
        from .matrix import check_matrix_size, matrix_layout

        check_matrix_size(spec, max_matrix)
        scene(spec, max_frames=max_frames)
        panels.append(matrix_layout(spec, numbers=numbers).bounds)
    return panels


def _new_figure(panels: Sequence[tuple[float, float, float, float]], *,
                figsize: Optional[Sequence[float]] = None, dpi: Optional[float] = None) -> Figure:
    """A Figure with an Agg canvas and one Axes per panel, side by side, sized so that the drawing fills it at a
    steady scale."""
    widths = [b[1] - b[0] for b in panels]
    heights = [b[3] - b[2] for b in panels]
    w_units, h_units = sum(widths), max(heights)
    dpi = 100.0 if dpi is None else float(dpi)
    if not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    if figsize is None:
        unit = min(UNIT_PX, MAX_SIDE_PX / max(h_units, w_units / len(panels)))
        # Whole pixels at 100 dpi, so every format has the same box.
        figsize = (round(w_units * unit) / 100.0, round(h_units * unit) / 100.0)
    else:
        if len(figsize) != 2 or not all(isinstance(v, (int, float)) and v > 0 for v in figsize):
            raise ValueError(f"figsize must be (width, height) in inches, both positive, got {figsize!r}")
    fig = Figure(figsize=tuple(figsize), dpi=dpi)
    FigureCanvasAgg(fig)
    left = 0.0
    for w in widths:
        fig.add_axes((left / w_units, 0, w / w_units, 1))
        left += w
    return fig


def _painter(spec: Spec, **kw: Any) -> Stage:
    """A new figure drawing ``spec`` with the keywords of :func:`figure`, as a :class:`Stage`."""
    unknown = set(kw) - set(_DRAW_KEYS) - {"figsize", "dpi", "view", "max_matrix"}
    if unknown:
        raise TypeError(f"unexpected keyword argument {sorted(unknown)[0]!r}")
    view = kw.pop("view", "grid")
    figsize, dpi = kw.pop("figsize", None), kw.pop("dpi", None)
    panels = _panel_bounds(spec, view, kw.get("style", "paper"), kw.get("labels", False), kw.get("caption", False),
                           kw.get("numbers", False), kw.get("max_frames", MAX_FRAMES),
                           kw.get("max_matrix", MAX_MATRIX))
    fig = _new_figure(panels, figsize=figsize, dpi=dpi)
    views = ["grid", "matrix"] if view == "both" else [view]
    painters = [_make_painter(ax, spec, v, dict(kw)) for ax, v in zip(fig.axes, views)]
    fig.set_facecolor(painters[0].theme.mpl("background"))
    stage = Stage(fig, painters)
    fig._convanim_stage = stage  # keep the painters alive with their figure
    return stage


def figure(spec: Spec, frame: int = 0, **kw: Any) -> Figure:
    """A new matplotlib Figure showing frame ``frame`` of ``spec``.

    Takes the keywords of :func:`draw`, plus ``figsize`` (inches) and ``dpi``.
    The Figure is not registered with pyplot: save it with ``fig.savefig``.

    Examples
    --------
    >>> import convanim as ca
    >>> fig = ca.figure(ca.Conv(5, 3, s=2, p=1), frame=4, labels=True)
    >>> fig.savefig("padding_strides.pdf")  # doctest: +SKIP
    """
    _check_frame_arg(frame)
    kw.pop("duration", None)
    stage = _painter(spec, **kw)
    stage.set_frame(frame)
    stage.vector_mode()
    return stage.figure


class ConvAnimation(FuncAnimation):
    """A matplotlib :class:`~matplotlib.animation.FuncAnimation` that shows itself in notebooks.

    Its ``_repr_html_`` embeds the animation as a GIF, whatever
    ``rcParams['animation.html']`` says; past ``REPR_MAX_FRAMES`` frames it
    declines politely and says how to write a file instead.
    """

    def __init__(self, painter: Stage, duration: float) -> None:
        self.painter = painter
        self.duration = duration
        super().__init__(painter.figure, self._step, frames=painter.n_frames, interval=duration * 1000,
                         blit=False, repeat=True, cache_frame_data=False)

    def _step(self, t: int) -> list[Any]:
        self.painter.set_frame(t)
        return []

    def to_gif_bytes(self) -> bytes:
        """The whole animation as GIF bytes."""
        buf = io.BytesIO()
        _run(self.painter, range(self.painter.n_frames), [GifEncoder(buf, self.painter.theme, self.duration)])
        self.painter.vector_mode()
        self._draw_was_started = True  # it has been shown: no "deleted without rendering" warning
        return buf.getvalue()

    def _repr_html_(self) -> str:
        n = self.painter.n_frames
        if n > REPR_MAX_FRAMES:
            return (f"<p>convanim: {n} frames is more than this notebook preview embeds ({REPR_MAX_FRAMES}); "
                    f"write a file instead: <code>convanim.render(spec, 'out.gif')</code>.</p>")
        data = base64.b64encode(self.to_gif_bytes()).decode("ascii")
        return f'<img src="data:image/gif;base64,{data}" alt="{self.painter.spec!r}"/>'


def animation(spec: Spec, *, duration: float = 1.0, **kw: Any) -> ConvAnimation:
    """A matplotlib Animation of every frame of ``spec`` (notebooks show it inline).

    Takes the keywords of :func:`figure`; ``duration`` is seconds per frame.

    Examples
    --------
    >>> import convanim as ca
    >>> anim = ca.animation(ca.Conv(4, 3))
    >>> anim.to_jshtml()  # doctest: +SKIP
    """
    if not duration > 0:
        raise ValueError(f"duration must be positive, got {duration!r}")
    anim = ConvAnimation(_painter(spec, **kw), duration)
    note("animation", anim)
    return anim


# ---- files ---------------------------------------------------------------------------------------

def frame_paths(path: Union[str, Path], frames: Sequence[int]) -> list[Path]:
    """The file names a ``{frame}`` pattern gives, e.g. ``x_{frame:02d}.png`` -> ``x_00.png`` ..."""
    p = Path(path)
    try:
        return [p.with_name(p.name.format(frame=t)) for t in frames]
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"path {str(path)!r}: only {{frame}} (e.g. {{frame:02d}}) may be formatted: {exc}") from None


def _run(painter: Stage, frames: Sequence[int], encoders: Sequence[Any], per_frame: Sequence[Any] = ()) -> None:
    """Feed ``frames`` to ``encoders`` (all frames each) and ``per_frame[k]`` (frame k only), atomically."""
    started: list[Any] = []
    try:
        for enc in encoders:
            enc.setup()
            started.append(enc)
        for j, t in enumerate(frames):
            painter.set_frame(t)
            for enc in encoders:
                enc.add_frame(painter)
            if per_frame:
                enc = per_frame[j]
                enc.setup()
                started.append(enc)
                enc.add_frame(painter)
                enc.finish()
                started.remove(enc)
        for enc in encoders:
            enc.finish()
            started.remove(enc)
    except BaseException:
        for enc in started:
            enc.abort()
        raise


def _frames(stage: Stage, spec: Spec, frame: Optional[int], every: bool) -> list[int]:
    """Only ``frame`` when given (checked against the range), else every frame or just the first."""
    n = stage.n_frames
    if frame is None:
        return list(range(n)) if every else [0]
    if not -n <= frame < n:
        raise ValueError(f"frame {frame} is out of range: {spec!r} has {n} frames (0 to {n - 1})")
    return [frame % n]


def _encoder_for(path: Path, suffix: str, painter: Stage, duration: float) -> Any:
    if suffix == ".gif":
        return GifEncoder(path, painter.theme, duration)
    if suffix == ".pdf":
        return PdfEncoder(path)
    if suffix == ".png":
        return PngEncoder(path)
    if suffix == ".svg":
        return SvgEncoder(path)
    return ImageioEncoder(path, duration)


def render(spec: Spec, path: Union[str, Path], *, frame: Optional[int] = None, duration: float = 1.0,
           **kw: Any) -> Path:
    """Write ``spec`` to ``path``, the format chosen by its suffix.

    - ``.gif``: every frame, looping forever (or only ``frame``);
    - ``.pdf``: one page per frame (or only ``frame``);
    - ``.png`` / ``.svg``: one frame (``frame``, default 0), or every frame when
      the name holds ``{frame}``, e.g. ``x_{frame:02d}.png``;
    - ``.webp``, ``.mp4``: animations, where Pillow's WebP or imageio-ffmpeg is installed.

    Takes the keywords of :func:`figure`.  Files are written under a temporary
    name and renamed, so an interrupted render leaves no broken file; the same
    arguments give byte-identical files.

    Returns
    -------
    pathlib.Path
        The file written (for a ``{frame}`` pattern, its directory).

    Examples
    --------
    >>> import convanim as ca
    >>> ca.render(ca.Conv(5, 3, s=2, p=1), "padding_strides.gif")  # doctest: +SKIP
    PosixPath('padding_strides.gif')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"path {str(path)!r}: unknown suffix {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}")
    if frame is not None:
        _check_frame_arg(frame)
    if not duration > 0:
        raise ValueError(f"duration must be positive, got {duration!r}")
    pattern = "{frame" in path.name
    if pattern and suffix not in (".png", ".svg", ".pdf"):
        raise ValueError(f"path {str(path)!r}: a {{frame}} pattern goes with .png, .svg or .pdf")
    if suffix in (".webp", ".mp4", ".webm", ".mkv"):
        ImageioEncoder(path, duration)  # fails early, naming a missing plugin
    if not path.parent.is_dir():
        raise FileNotFoundError(f"path {str(path)!r}: directory {str(path.parent)!r} does not exist")
    painter = _painter(spec, **kw)
    frames = _frames(painter, spec, frame, every=pattern or suffix not in (".png", ".svg"))
    if pattern:
        targets = frame_paths(path, frames)
        _run(painter, frames, [], [_encoder_for(p, suffix, painter, duration) for p in targets])
        for p in targets:
            note("file", p)
        return path.parent
    _run(painter, frames, [_encoder_for(path, suffix, painter, duration)])
    note("file", path)
    return path


def render_cli(spec: Spec, args: Any) -> int:
    """``convanim render``: ``render`` with the CLI's options; ``-o -`` writes a GIF to stdout."""
    kw: dict[str, Any] = dict(style=args.style, numbers=args.numbers, labels=args.labels, caption=args.caption,
                              theme=args.theme, dpi=args.dpi, view=args.view)
    if args.max_frames is not None:
        kw["max_frames"] = args.max_frames
    if args.max_matrix is not None:
        kw["max_matrix"] = args.max_matrix
    if args.output == "-":
        painter = _painter(spec, **kw)
        frames = _frames(painter, spec, args.frame, every=True)
        buf = io.BytesIO()
        _run(painter, frames, [GifEncoder(buf, painter.theme, args.duration)])
        sys.stdout.buffer.write(buf.getvalue())
        sys.stdout.flush()
        return 0
    render(spec, args.output, frame=args.frame, duration=args.duration, **kw)
    return 0
