"""Writing files: ``render`` (the format chosen by the suffix) and ``animation`` (a matplotlib Animation).

Frames come from the one painter of :mod:`convanim.draw`; the encoders of
:mod:`convanim.io.encoders` write them atomically.
"""
from __future__ import annotations

import base64
import io
import os
import sys
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from matplotlib.animation import FuncAnimation

from ..core.checks import check_draw_options, check_frame, check_frame_pattern
from ..core.spec import Spec
from ..drawing.api import new_stage
from ..drawing.painter import Stage
from .atomic import check_output_path, describe_os_error, terminate_cleanly
from .encoders import GifEncoder, PdfEncoder, PngEncoder, SvgEncoder
from .video import ImageioEncoder

__all__ = ["animation", "render", "run_encoders", "ConvAnimation", "SUFFIXES", "frame_paths", "REPR_MAX_FRAMES"]

#: What :func:`render` writes, by suffix.
SUFFIXES = (".gif", ".pdf", ".png", ".svg", ".webp", ".mp4", ".webm", ".mkv", ".html")

#: The notebook display embeds at most this many frames; past it, it says how to render a file instead.
REPR_MAX_FRAMES = 400
#: How an animation shows itself in a notebook or a docs page.
DISPLAYS = ("gif", "player")


class ConvAnimation(FuncAnimation):
    """A matplotlib :class:`~matplotlib.animation.FuncAnimation` that shows itself in notebooks.

    Its ``_repr_html_`` embeds the animation as a GIF (``display="gif"``, whatever
    ``rcParams['animation.html']`` says; past ``REPR_MAX_FRAMES`` frames it
    declines politely and says how to write a file instead), or as the player
    the reader drives (``display="player"``: play, pause, step, point at a cell;
    vector graphics, any number of frames).
    """

    def __init__(self, painter: Stage, duration: float, display: str = "gif") -> None:
        if display not in DISPLAYS:
            raise ValueError(f"display must be one of {', '.join(map(repr, DISPLAYS))}, got {display!r}")
        self.painter = painter
        self.duration = duration
        self.display = display
        super().__init__(painter.figure, self._step, frames=painter.n_frames, interval=duration * 1000,
                         blit=False, repeat=True, cache_frame_data=False)
        # matplotlib warns when an Animation is dropped unshown; convanim's are shown by its own writers (or
        # not at all, which is no mistake): no warning.
        self._draw_was_started = True

    def _step(self, t: int) -> list[Any]:
        self.painter.set_frame(t)
        return []

    def to_gif_bytes(self) -> bytes:
        """The whole animation as GIF bytes."""
        buf = io.BytesIO()
        run_encoders(self.painter, range(self.painter.n_frames), [GifEncoder(buf, self.painter.theme, self.duration)])
        self.painter.vector_mode()
        return buf.getvalue()

    def to_player_html(self) -> str:
        """The animation as the player the reader drives: an HTML fragment, self-contained."""
        from .html import caption_lines, stage_html

        spec = self.painter.spec
        html = stage_html(self.painter, caption=caption_lines(spec, self.painter.plan.view), title=repr(spec),
                          duration=self.duration,
                          full_page=False)
        self.painter.vector_mode()
        return html

    def _repr_html_(self) -> str:
        if self.display == "player":
            return self.to_player_html()
        n = self.painter.n_frames
        if n > REPR_MAX_FRAMES:
            return (f"<p>convanim: {n} frames is more than this notebook preview embeds ({REPR_MAX_FRAMES}); "
                    f"write a file instead: <code>convanim.render(spec, 'out.gif')</code>.</p>")
        data = base64.b64encode(self.to_gif_bytes()).decode("ascii")
        return f'<img src="data:image/gif;base64,{data}" alt="{self.painter.spec!r}"/>'


def animation(spec: Spec, *, duration: float = 1.0, display: str = "gif", **kw: Any) -> ConvAnimation:
    """A matplotlib Animation of every frame of ``spec`` (notebooks show it inline).

    Takes the keywords of :func:`figure`; ``duration`` is seconds per frame; ``display`` is how a notebook (and
    the sphinx-gallery scraper) shows it: ``"gif"`` or ``"player"`` (the HTML player the reader drives).

    Examples
    --------
    >>> import convanim as ca
    >>> anim = ca.animation(ca.Conv(4, 3))
    >>> anim.to_gif_bytes()[:6]
    b'GIF89a'
    >>> html = anim.to_jshtml()  # matplotlib's own player
    """
    check_draw_options(spec, duration=duration, **kw)
    if display not in DISPLAYS:
        raise ValueError(f"display must be one of {', '.join(map(repr, DISPLAYS))}, got {display!r}")
    return ConvAnimation(new_stage(spec, **kw), duration, display)


# ---- files ---------------------------------------------------------------------------------------

def frame_paths(path: Union[str, Path], frames: Sequence[int]) -> list[Path]:
    """The file names a ``{frame}`` pattern gives, e.g. ``x_{frame:02d}.png`` -> ``x_00.png`` ...

    Only ``{frame}`` and ``{frame:FMT}`` with an integer format are fields
    (:func:`convanim.core.checks.check_frame_pattern`); every name made must be
    one the file system takes.

    Examples
    --------
    >>> [p.name for p in frame_paths("x_{frame:02d}.png", [0, 1])]
    ['x_00.png', 'x_01.png']
    """
    p = Path(path)
    parts = check_frame_pattern(p.name, str(path))
    names = ["".join(lit + ("" if spec is None else format(t, spec)) for lit, spec in parts) for t in frames]
    for name in {names[0], names[-1]} if names else ():
        if "/" in name or "\0" in name or name in ("", ".", ".."):
            raise ValueError(f"path {str(path)!r}: the pattern gives {name!r}, not a file name")
        check_output_path(p.with_name(name), "path")
    return [p.with_name(name) for name in names]


def _target(enc: Any) -> Any:
    return getattr(enc, "path", None) or getattr(enc, "target", None)


def run_encoders(painter: Stage, frames: Sequence[int], encoders: Sequence[Any], per_frame: Sequence[Any] = ()) -> None:
    """Feed ``frames`` to ``encoders`` (all frames each) and ``per_frame[k]`` (frame k only), atomically.

    Per-frame writers with ``defer_commit`` set are all committed at the end,
    so that a series that fails halfway leaves none of its files.  A failed
    write's error names the user's file, not its temporary.
    """
    started: list[Any] = []
    pending: list[Any] = []
    current: Any = None
    try:
        for enc in encoders:
            current = enc
            started.append(enc)  # before setup: a setup that fails halfway is aborted too
            enc.setup()
        for j, t in enumerate(frames):
            current = None
            painter.set_frame(t)
            for enc in encoders:
                current = enc
                enc.add_frame(painter)
            if per_frame:
                enc = current = per_frame[j]
                started.append(enc)
                enc.setup()
                enc.add_frame(painter)
                enc.finish()
                started.remove(enc)
                if getattr(enc, "defer_commit", False):
                    pending.append(enc)
        for enc in encoders:
            current = enc
            enc.finish()
            started.remove(enc)
        for enc in pending:
            current = enc
            enc.commit()
        pending.clear()
    except BaseException as exc:
        for enc in started + pending:
            try:
                enc.abort()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
        if isinstance(exc, OSError) and current is not None and isinstance(_target(current), (str, Path)):
            raise describe_os_error(exc, _target(current)) from None
        raise


def _frames(stage: Stage, spec: Spec, frame: Optional[int], every: bool) -> list[int]:
    """Only ``frame`` when given (checked against the range), else every frame or just the first."""
    n = stage.n_frames
    if frame is None:
        return list(range(n)) if every else [0]
    return [check_frame(frame, n, repr(spec)) % n]


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
    - ``.webp``, ``.mp4``: animations, where Pillow's WebP or imageio-ffmpeg is installed;
    - ``.html``: a self-contained interactive player (opens paused on ``frame`` when given).

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
    check_draw_options(spec, frame=frame, duration=duration, **kw)
    path = check_output_path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"path {str(path)!r}: unknown suffix {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}")
    pattern = False
    if "{" in path.name or "}" in path.name:
        parts = check_frame_pattern(path.name, str(path))
        pattern = any(spec_ is not None for _, spec_ in parts)
        if not pattern:  # braces written {{ }} and no field: the name with single braces
            path = check_output_path(path.with_name("".join(lit for lit, _ in parts)))
    if pattern and suffix not in (".png", ".svg", ".pdf"):
        raise ValueError(f"path {str(path)!r}: a {{frame}} pattern goes with .png, .svg or .pdf")
    if suffix in (".webp", ".mp4", ".webm", ".mkv"):
        ImageioEncoder(path, duration)  # fails early, naming a missing plugin
    with terminate_cleanly():
        if suffix == ".html":
            from .html import write_html  # every frame, as vector graphics the reader drives

            write_html(spec, path, frame=frame, duration=duration, **kw)
            return path
        painter = new_stage(spec, **kw)
        frames = _frames(painter, spec, frame, every=pattern or suffix not in (".png", ".svg"))
        if pattern:
            targets = frame_paths(path, frames)
            writers = [_encoder_for(p, suffix, painter, duration) for p in targets]
            for w in writers:
                w.defer_commit = True  # all frames appear at the end, or none
            run_encoders(painter, frames, [], writers)
            return path.parent
        run_encoders(painter, frames, [_encoder_for(path, suffix, painter, duration)])
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
        check_draw_options(spec, frame=args.frame, duration=args.duration, **kw)
        out = getattr(sys.stdout, "buffer", None)
        if out is None or out.closed:
            raise ValueError("-o -: standard output is closed; give a file name")
        if out.isatty():
            raise ValueError("-o -: standard output is a terminal; redirect it (> out.gif) or give a file name")
        painter = new_stage(spec, **kw)
        frames = _frames(painter, spec, args.frame, every=True)
        buf = io.BytesIO()
        run_encoders(painter, frames, [GifEncoder(buf, painter.theme, args.duration)])
        try:
            out.write(buf.getvalue())
            out.flush()
        except BrokenPipeError:
            # The reader went away: say so once, and keep Python from complaining again at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
            os.close(devnull)
            raise ValueError("-o -: the program reading standard output closed it before the GIF was written") \
                from None
        return 0
    render(spec, args.output, frame=args.frame, duration=args.duration, **kw)
    return 0
