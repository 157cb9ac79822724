"""Writing files: ``render`` (the format chosen by the suffix) and ``animation`` (a matplotlib Animation).

Frames come from the one painter of :mod:`convanim.draw`; the encoders of
:mod:`convanim.io.encoders` write them atomically.
"""
from __future__ import annotations

import base64
import io
import sys
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from matplotlib.animation import FuncAnimation

from ..core.spec import Spec
from ..drawing.api import _check_frame_arg, _painter
from ..drawing.painter import Stage
from .encoders import GifEncoder, PdfEncoder, PngEncoder, SvgEncoder
from .video import ImageioEncoder

__all__ = ["animation", "render", "ConvAnimation", "SUFFIXES", "frame_paths", "REPR_MAX_FRAMES"]

#: What :func:`render` writes, by suffix.
SUFFIXES = (".gif", ".pdf", ".png", ".svg", ".webp", ".mp4", ".webm", ".mkv")

#: The notebook display embeds at most this many frames; past it, it says how to render a file instead.
REPR_MAX_FRAMES = 400


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
    >>> anim.to_gif_bytes()[:6]
    b'GIF89a'
    >>> html = anim.to_jshtml()  # matplotlib's own player
    """
    if not duration > 0:
        raise ValueError(f"duration must be positive, got {duration!r}")
    return ConvAnimation(_painter(spec, **kw), duration)


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
    >>> ca.render(ca.Conv(5, 3, s=2, p=1), "padding_strides.gif").name
    'padding_strides.gif'
    >>> sorted(p.name for p in ca.render(ca.Conv(3, 2), "f_{frame:02d}.png").glob("f_*.png"))
    ['f_00.png', 'f_01.png', 'f_02.png', 'f_03.png']
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
        return path.parent
    _run(painter, frames, [_encoder_for(path, suffix, painter, duration)])
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
