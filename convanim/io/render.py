"""Writing files: ``render`` (the format chosen by the suffix) and ``animation`` (a matplotlib Animation).

``render`` takes a spec or a :class:`~convanim.drawing.plan.Plan`: a spec is checked and planned once (the one
door of :mod:`convanim.drawing.views`); then each frame is drawn once, its pixels handed to every raster writer,
while vector writers paint it from the plan.  The writers come from the registry of :mod:`convanim.io.formats`
and are entered together in one :class:`contextlib.ExitStack`: all finish, or all abort and leave nothing.
"""
from __future__ import annotations

import base64
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from matplotlib.animation import FuncAnimation

from ..core.checks import check_frame, check_frame_pattern
from ..drawing.api import make_plan, stage_of
from ..drawing.painter import Stage
from ..drawing.plan import Plan
from .atomic import AtomicFile, check_output_path, describe_os_error, terminate_cleanly
from .encoders import GifEncoder
from .formats import EncoderWriter, PlanStage, built_in, every_frame, formats, patternable

__all__ = ["animation", "render", "ConvAnimation", "frame_paths", "REPR_MAX_FRAMES", "write_frames"]

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

    def __init__(self, stage: Stage, duration: float, display: str = "gif") -> None:
        if display not in DISPLAYS:
            raise ValueError(f"display must be one of {', '.join(map(repr, DISPLAYS))}, got {display!r}")
        self.stage = stage
        self.duration = duration
        self.display = display
        super().__init__(stage.figure, self._step, frames=stage.n_frames, interval=duration * 1000,
                         blit=False, repeat=True, cache_frame_data=False)
        # matplotlib warns when an Animation is dropped unshown; convanim's are shown by its own writers (or
        # not at all, which is no mistake): no warning.
        self._draw_was_started = True

    def _step(self, t: int) -> list[Any]:
        self.stage.set_frame(t)
        return []

    def to_gif_bytes(self) -> bytes:
        """The whole animation as GIF bytes."""
        buf = io.BytesIO()
        write_frames(self.stage, range(self.stage.n_frames), [EncoderWriter(GifEncoder(buf, self.stage.theme,
                                                                                            self.duration))])
        self.stage.vector_mode()
        return buf.getvalue()

    def to_player_html(self) -> str:
        """The animation as the player the reader drives: an HTML fragment, self-contained."""
        from .html import plan_html

        html = plan_html(self.stage.plan, full_page=False)
        self.stage.vector_mode()
        return html

    def _repr_html_(self) -> str:
        if self.display == "player":
            return self.to_player_html()
        n = self.stage.n_frames
        if n > REPR_MAX_FRAMES:
            return (f"<p>convanim: {n} frames is more than this notebook preview embeds ({REPR_MAX_FRAMES}); "
                    f"write a file instead: <code>convanim.render(spec, 'out.gif')</code>.</p>")
        data = base64.b64encode(self.to_gif_bytes()).decode("ascii")
        return f'<img src="data:image/gif;base64,{data}" alt="{self.stage.plan.title}"/>'


def animation(spec: Any, *, duration: float = 1.0, display: str = "gif", **kw: Any) -> ConvAnimation:
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
    if display not in DISPLAYS:
        raise ValueError(f"display must be one of {', '.join(map(repr, DISPLAYS))}, got {display!r}")
    plan = make_plan(spec, duration=duration, **kw)
    return ConvAnimation(stage_of(plan), plan.duration, display)


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


def _target(writer: Any) -> Any:
    enc = getattr(writer, "encoder", writer)
    return getattr(enc, "path", None) or getattr(enc, "target", None)


def write_frames(stage: Any, frames: Sequence[int], writers: Sequence[Any], *, name: Optional[Path] = None) -> None:
    """Enter ``writers``, give each every frame of ``frames`` (drawn once, its pixels shared by the raster
    writers), then leave them: all finish, or, on any error, all abort.  A failed write's error names the
    user's file (``name``, where the writer was given a temporary one), never a temporary."""
    pixels = any(getattr(w, "needs_pixels", True) for w in writers)
    current: Any = None
    try:
        with contextlib.ExitStack() as stack:
            for w in writers:
                current = w
                stack.enter_context(w)
            for t in frames:
                current = None
                rgba = None
                if pixels:
                    stage.set_frame(t)
                    rgba = stage.rgb()
                for w in writers:
                    current = w
                    w.add_frame(t, rgba if getattr(w, "needs_pixels", True) else None)
            current = None
    except OSError as exc:
        if current is None and len(writers) == 1:  # failed while finishing: the one file there is
            current = writers[0]
        target = name if name is not None else _target(current)
        if isinstance(target, (str, Path)):
            raise describe_os_error(exc, target) from None
        raise


def render(spec: Any, path: Union[str, Path], *, frame: Optional[int] = None, **kw: Any) -> Path:
    """Write ``spec`` (or a :class:`~convanim.drawing.plan.Plan`) to ``path``, the format chosen by its suffix.

    - ``.gif``: every frame, looping forever (or only ``frame``);
    - ``.pdf``: one page per frame (or only ``frame``);
    - ``.png`` / ``.svg``: one frame (``frame``, default 0), or every frame when
      the name holds ``{frame}``, e.g. ``x_{frame:02d}.png``;
    - ``.webp``, ``.mp4``, ``.mkv``, ``.webm``: animations, where Pillow's WebP or imageio-ffmpeg is installed;
    - ``.tex``: a standalone LaTeX document, one TikZ picture (page) per frame;
    - ``.html``: a self-contained interactive player (opens paused on ``frame`` when given);
    - any suffix added with :func:`convanim.register_format`.

    Takes the keywords of :func:`figure` and ``duration`` (seconds per frame); a plan carries its own, so with a
    plan only ``frame`` is taken.  Files are written under a temporary name and renamed, so an interrupted
    render leaves no broken file; the same arguments give byte-identical files.

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
    >>> plan = ca.plan(ca.Conv(5, 3, s=2, p=1), numbers=True)
    >>> ca.render(plan, "ps_04.pdf", frame=4).name
    'ps_04.pdf'
    """
    if isinstance(spec, Plan):
        if kw:
            raise TypeError(f"render of a Plan takes only frame (the plan holds its options): got "
                            f"{sorted(kw)[0]!r}; pass it to convanim.plan(spec, ...) instead")
        plan = spec.check()
        if frame is not None:
            check_frame(frame, plan.n_frames, plan.title or "the plan")
    else:
        plan = make_plan(spec, frame=frame, **kw)
    path = check_output_path(path)
    suffix = path.suffix.lower()
    registry = formats()
    if suffix not in registry:
        raise ValueError(f"path {str(path)!r}: unknown suffix {suffix or '(none)'!r}; use one of "
                         f"{', '.join(registry)}")
    pattern = False
    if "{" in path.name or "}" in path.name:
        parts = check_frame_pattern(path.name, str(path))
        pattern = any(spec_ is not None for _, spec_ in parts)
        if not pattern:  # braces written {{ }} and no field: the name with single braces
            path = check_output_path(path.with_name("".join(lit for lit, _ in parts)))
    if pattern and not patternable(suffix):
        raise ValueError(f"path {str(path)!r}: a {{frame}} pattern goes with .png, .svg or .pdf (one file a frame)")
    n = plan.n_frames
    if frame is not None:
        frames = [frame % n]
    else:
        frames = list(range(n)) if pattern or every_frame(suffix) else [0]
    factory = registry[suffix]
    with terminate_cleanly():
        stage = PlanStage(plan)
        if not pattern:
            if built_in(suffix, factory):
                write_frames(stage, frames, [factory(path, plan)])
                return path
            # A registered writer writes a temporary, renamed onto the target only when it finished.
            target = AtomicFile(path)
            try:
                write_frames(stage, frames, [factory(target.tmp, plan)], name=path)
                target.commit()
            except BaseException:
                target.discard()
                raise
            return path
        # One file per frame: each written under a temporary name, all renamed at the end (all, or none).
        targets = [AtomicFile(p) for p in frame_paths(path, frames)]
        try:
            for t, target in zip(frames, targets):
                write_frames(stage, [t], [factory(target.tmp, plan)], name=target.path)
            for target in targets:
                target.commit()
        except BaseException:
            for target in targets:
                target.discard()
            raise
        return path.parent


def render_cli(spec: Any, args: Any) -> int:
    """``convanim render``: ``render`` with the CLI's options; ``-o -`` writes a GIF to stdout."""
    kw: dict[str, Any] = dict(style=args.style, numbers=args.numbers, labels=args.labels, caption=args.caption,
                              theme=args.theme, dpi=args.dpi, view=args.view, duration=args.duration)
    if args.max_frames is not None:
        kw["max_frames"] = args.max_frames
    if args.max_matrix is not None:
        kw["max_matrix"] = args.max_matrix
    if args.output == "-":
        plan = make_plan(spec, frame=args.frame, **kw)
        out = getattr(sys.stdout, "buffer", None)
        if out is None or out.closed:
            raise ValueError("-o -: standard output is closed; give a file name")
        if out.isatty():
            raise ValueError("-o -: standard output is a terminal; redirect it (> out.gif) or give a file name")
        frames = list(range(plan.n_frames)) if args.frame is None else [args.frame % plan.n_frames]
        buf = io.BytesIO()
        write_frames(PlanStage(plan), frames, [EncoderWriter(GifEncoder(buf, plan.theme, plan.duration))])
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
    render(spec, args.output, frame=args.frame, **kw)
    return 0
