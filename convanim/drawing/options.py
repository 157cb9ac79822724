"""One options object: the drawing keywords, checked once, whichever door they came in by.

The Python API (``draw``, ``figure``, ``animation``, ``render``, ``plan``, ``to_html``, ``Player``), the CLI and a
gallery case all build an :class:`Options` with :func:`check_options`, so that each refuses the same mistake with
the same exception and a message naming the parameter.  This module checks what needs no layer (types and
ranges); what depends on the layer (which views draw it, its cost, the shapes of ``x`` and ``kernel``, the frame)
is each view's own check (:mod:`convanim.drawing.views`).  Pure: no matplotlib.

Examples
--------
>>> check_options(style="flat", numbers=True).style
'flat'
>>> check_options(numbers="yes")
Traceback (most recent call last):
...
TypeError: numbers must be True or False, got str 'yes'
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Optional, Sequence, Tuple

from ..core.checks import (
    MAX_LIMIT,
    check_bool,
    check_choice,
    check_dpi,
    check_duration,
    check_figsize,
    check_fontsize,
    check_int,
    check_theme,
)
from ..core.geometry import MAX_FRAMES
from ..core.matrix import MAX_MATRIX
from .theme import get_theme

__all__ = ["Options", "OPTION_NAMES", "STYLES", "check_options"]

STYLES = ("paper", "flat")


@dataclass(frozen=True, eq=False)
class Options:
    """The drawing keywords, checked: every field holds a valid value of its own type.

    ``x`` and ``kernel`` are the caller's values, checked against the layer by its view (which keeps them as
    float arrays in :attr:`values`); ``theme`` is as given (a name, a Theme or a mapping), its colours checked.
    """

    view: str = "grid"
    style: Optional[str] = None  # None: the view's default for the spec (flat for 1D layers, else paper)
    numbers: bool = False
    x: Any = None
    kernel: Any = None
    theme: Any = None
    labels: bool = False
    caption: bool = False
    fontsize: Optional[float] = None
    max_frames: int = MAX_FRAMES
    max_matrix: int = MAX_MATRIX
    figsize: Optional[Tuple[float, float]] = None
    dpi: Optional[float] = None
    duration: float = 1.0

    @property
    def drawn_style(self) -> str:
        """The style to draw: decided by the view (:func:`convanim.drawing.views.with_style`) before any plan."""
        assert self.style is not None, "the view decides the style before planning"
        return self.style

    def replace(self, **changes: Any) -> Options:
        """A copy with ``changes``, checked again (the view as it was: the registry chose it)."""
        return check_options(**{**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: The keywords every drawing entry point takes.
OPTION_NAMES = tuple(f.name for f in fields(Options))


def check_options(*, views: Optional[Sequence[str]] = None, **kw: Any) -> Options:
    """The :class:`Options` of keywords ``kw``, every type and range checked.

    Types first (``TypeError``), then ranges (``ValueError``); each message names the parameter.  ``views`` are
    the view names to accept (the registry's, given by :func:`convanim.drawing.views.checked`, which sits above
    this module); without them ``view`` is only checked to be a string, the registry deciding the rest.
    """
    unknown = sorted(set(kw) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}; known: {', '.join(OPTION_NAMES)}")
    o = Options()
    style = None if kw.get("style") is None else check_choice("style", kw["style"], STYLES)
    view = kw.get("view", o.view)
    if views is not None or not isinstance(view, str):
        view = check_choice("view", view, tuple(views or ()))
    numbers = check_bool("numbers", kw.get("numbers", o.numbers))
    labels = check_bool("labels", kw.get("labels", o.labels))
    caption = check_bool("caption", kw.get("caption", o.caption))
    theme = kw.get("theme")
    check_theme(theme)
    get_theme(theme)  # a name or a colour key that does not exist, refused here too
    fontsize = check_fontsize(kw.get("fontsize"))
    max_frames = check_int("max_frames", kw.get("max_frames", o.max_frames), 1, MAX_LIMIT)
    max_matrix = check_int("max_matrix", kw.get("max_matrix", o.max_matrix), 1, MAX_LIMIT)
    figsize = check_figsize(kw.get("figsize"))
    dpi = check_dpi(kw.get("dpi"))
    duration = check_duration(kw.get("duration", o.duration))
    return replace(o, view=view, style=style, numbers=numbers, x=kw.get("x"), kernel=kw.get("kernel"), theme=theme,
                   labels=labels, caption=caption, fontsize=fontsize, max_frames=max_frames, max_matrix=max_matrix,
                   figsize=figsize, dpi=dpi, duration=duration)
