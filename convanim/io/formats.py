"""The formats, as a registry: each file suffix maps to a writer factory.

``factory(path, plan)`` returns a context manager with ``add_frame(t, rgba)``: ``rgba`` is frame ``t``'s pixels,
``(height, width, 3 or 4)`` uint8.  Leaving it without an exception finishes the file; leaving it with one aborts
it, leaving nothing behind.  Raster writers (GIF, PNG, WebP, video) encode the pixels they are given, drawn once
per frame for all of them; vector writers (PDF, SVG, the HTML player, TikZ) paint frame ``t`` from the plan and
ignore the pixels (a built-in writer says so with ``needs_pixels = False``, and is then given ``None``).

Examples
--------
>>> sorted(formats())[:4]
['.gif', '.html', '.mkv', '.mp4']
"""
from __future__ import annotations

import re
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, ContextManager, Optional

import numpy as np

from ..drawing.plan import Plan
from .encoders import GifEncoder, PdfEncoder, PngEncoder, SvgEncoder
from .tikz import TikzWriter
from .video import ImageioEncoder

__all__ = ["Factory", "formats", "register_format", "every_frame", "EncoderWriter", "VectorWriter", "HtmlWriter",
           "PlanStage", "patternable", "built_in"]

#: ``factory(path, plan)`` -> a context manager with ``add_frame(t, rgba)``.
Factory = Callable[[Path, Plan], ContextManager[Any]]


class _Pixels:
    """The frame source an encoder reads: given pixels."""

    def __init__(self, rgba: np.ndarray) -> None:
        self.rgba = rgba

    def rgb(self) -> np.ndarray:
        return np.ascontiguousarray(self.rgba[..., :3])


class EncoderWriter:
    """A writer around one of :mod:`convanim.io.encoders`' encoders (``setup``, ``add_frame``, ``finish``,
    ``abort``), fed the pixels of each frame."""

    needs_pixels = True

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder

    def __enter__(self) -> EncoderWriter:
        try:
            self.encoder.setup()
        except BaseException:
            self._abort()  # a setup that fails halfway leaves nothing either
            raise
        return self

    def _abort(self) -> None:
        # The error (or the signal) already on its way is the one to report: one raised while throwing the file
        # away must not replace it (a SIGTERM would become an ordinary error, and the process would not die of it).
        try:
            self.encoder.abort()
        except Exception:  # noqa: BLE001
            pass

    def add_frame(self, t: int, rgba: Optional[np.ndarray]) -> None:
        assert rgba is not None, "a raster writer needs the frame's pixels"
        self.encoder.add_frame(_Pixels(rgba))

    def __exit__(self, kind: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if exc is None:
            try:
                self.encoder.finish()
            except BaseException:
                self._abort()
                raise
        else:
            self._abort()


class PlanStage:
    """The matplotlib figure painting a plan, made when first needed; frame by frame, its pixels
    (:meth:`rgb`, drawing only what moves) or the whole figure for a vector save (:meth:`vector`)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._stage: Any = None
        self.frame = -1

    def set_frame(self, t: int) -> None:
        if self._stage is None:
            from ..drawing.api import stage_of  # matplotlib: only once a frame is drawn

            self._stage = stage_of(self.plan)
        if t != self.frame:
            self._stage.set_frame(t)
            self.frame = t

    def rgb(self) -> np.ndarray:
        return self._stage.rgb()

    def vector(self) -> Any:
        return self._stage.vector()


class VectorWriter(EncoderWriter):
    """A PDF or SVG writer: frame ``t`` painted from the plan by matplotlib (on ``stage``, a
    :class:`PlanStage` shared with other writers of the same plan, else on a figure of its own)."""

    needs_pixels = False

    def __init__(self, encoder: Any, plan: Plan, stage: Optional[PlanStage] = None) -> None:
        super().__init__(encoder)
        self.stage = PlanStage(plan) if stage is None else stage

    def add_frame(self, t: int, rgba: Optional[np.ndarray] = None) -> None:
        self.stage.set_frame(t)
        self.encoder.add_frame(self.stage)


class HtmlWriter:
    """The player the reader drives: every frame of the plan; opened paused on the frame added when only one
    was (``render(..., frame=t)``), else playing from frame 0."""

    needs_pixels = False

    def __init__(self, path: Path, plan: Plan, *, keep_same: bool = False) -> None:
        self.path, self.plan, self.keep_same = Path(path), plan, keep_same
        self.frames: list[int] = []

    def __enter__(self) -> HtmlWriter:
        return self

    def add_frame(self, t: int, rgba: Optional[np.ndarray] = None) -> None:
        self.frames.append(t)

    def __exit__(self, kind: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if exc is not None:
            return
        from .html import write_plan_html

        start = self.frames[0] if len(self.frames) == 1 and self.plan.n_frames > 1 else None
        write_plan_html(self.plan, self.path, frame=start, keep_same=self.keep_same)


def _gif(path: Path, plan: Plan) -> EncoderWriter:
    return EncoderWriter(GifEncoder(path, plan.theme, plan.duration))


def _png(path: Path, plan: Plan) -> EncoderWriter:
    return EncoderWriter(PngEncoder(path))


def _pdf(path: Path, plan: Plan) -> VectorWriter:
    return VectorWriter(PdfEncoder(path), plan)


def _svg(path: Path, plan: Plan) -> VectorWriter:
    return VectorWriter(SvgEncoder(path), plan)


def _imageio(path: Path, plan: Plan) -> EncoderWriter:
    return EncoderWriter(ImageioEncoder(path, plan.duration))


_FORMATS: dict[str, Factory] = {
    ".gif": _gif, ".pdf": _pdf, ".png": _png, ".svg": _svg, ".html": HtmlWriter,
    ".webp": _imageio, ".mp4": _imageio, ".webm": _imageio, ".mkv": _imageio, ".tex": TikzWriter,
}
#: The built-in writers, which write their file atomically themselves (a registered one is given a temporary).
_BUILT_IN = dict(_FORMATS)
#: Formats that hold one frame (``frame=``, default 0) unless the path is a ``{frame}`` pattern.
_ONE_FRAME = {".png", ".svg"}


def formats() -> dict[str, Factory]:
    """Every suffix :func:`convanim.render` writes, with its writer factory (a copy: change it with
    :func:`register_format`)."""
    return dict(_FORMATS)


def register_format(suffix: str, factory: Factory, *, one_frame: bool = False, replace: bool = False) -> None:
    """Make :func:`convanim.render` write ``suffix`` with ``factory(path, plan)``.

    ``factory`` returns a context manager with ``add_frame(t, rgba)`` (``rgba``: frame ``t``'s
    ``(height, width, 3 or 4)`` uint8 pixels); leaving it without an exception finishes the file, with one
    aborts it.  The ``path`` it is given is a temporary beside the target, renamed onto it when the writer
    finishes (removed when it fails), so a half-written file is never left.  ``one_frame``: a file holds one
    frame (``frame=``, default 0), as PNG does; else every frame.  A suffix already registered is refused unless
    ``replace=True``.

    Examples
    --------
    >>> import numpy as np
    >>> class Mean:  # one number per frame: the mean brightness
    ...     def __init__(self, path, plan): self.path, self.rows = path, []
    ...     def __enter__(self): return self
    ...     def add_frame(self, t, rgba): self.rows.append(f"{t} {rgba[..., :3].mean():.1f}")
    ...     def __exit__(self, *exc):
    ...         if exc[0] is None: self.path.write_text("\\n".join(self.rows))
    >>> register_format(".mean", Mean)
    >>> import convanim as ca
    >>> ca.render(ca.Conv(4, 3), "conv.mean").read_text().count("\\n")
    3
    """
    if not isinstance(suffix, str) or not re.fullmatch(r"\.[A-Za-z0-9_-]+", suffix):
        raise ValueError(f"suffix must be like '.ext' (one dot, then letters, digits, '_' or '-'), got {suffix!r}")
    if suffix.lower() in _FORMATS and not replace:
        raise ValueError(f"suffix {suffix!r} is written already; pass replace=True to write it with this factory")
    if not callable(factory):
        raise TypeError(f"factory must be callable as factory(path, plan), got {type(factory).__name__}")
    _FORMATS[suffix.lower()] = factory
    if one_frame:
        _ONE_FRAME.add(suffix.lower())
    else:
        _ONE_FRAME.discard(suffix.lower())


def built_in(suffix: str, factory: Factory) -> bool:
    """Whether ``factory`` is convanim's own writer of ``suffix`` (which writes its file atomically itself)."""
    return _BUILT_IN.get(suffix.lower()) is factory


def patternable(suffix: str) -> bool:
    """Whether a ``{frame}`` pattern may name files of ``suffix``: one file per frame (a one-frame format, or a
    PDF of one page each)."""
    return suffix.lower() in _ONE_FRAME or suffix.lower() == ".pdf"


def every_frame(suffix: str) -> bool:
    """Whether a file of ``suffix`` holds every frame (else one, unless its name is a ``{frame}`` pattern)."""
    return suffix.lower() not in _ONE_FRAME
