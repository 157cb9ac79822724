"""What a view is, and the one registry that picks the view of a ``(spec, view=...)`` call.

A view is one kind of figure.  It owns, in its own module: which specs it draws, its checks and its cost, its
frame count, its caption and the panels it composes into a :class:`~convanim.drawing.plan.Plan`.  Nothing outside
a view asks what kind of spec it was given, or compares view names: entry points ask the registry.

Adding a kind of figure is one module: subclass :class:`View`, then ``register_view(MyView())``.

Examples
--------
>>> from convanim import Conv
>>> select_view(Conv(5, 3), "matrix").name
'matrix'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Optional, Tuple

from ..textsize import Measure

if TYPE_CHECKING:
    from ..options import Options
    from ..plan import Plan
    from ..theme import Theme

__all__ = ["View", "register_view", "select_view", "view_names", "registered_views"]


class View:
    """One kind of figure.  Subclasses set :attr:`name` (the ``view=`` value) and :attr:`draws` (what it draws,
    for messages) and implement :meth:`accepts`, :meth:`check`, :meth:`n_frames`, :meth:`caption_lines` and
    :meth:`plan`."""

    name: ClassVar[str] = ""
    draws: ClassVar[str] = ""

    def accepts(self, spec: Any) -> bool:
        """Whether this view draws ``spec`` (its kind, not its sizes: :meth:`check` refuses those)."""
        raise NotImplementedError

    def default_style(self, spec: Any) -> str:
        """The style drawn when none is asked for: the guide's slanted ``"paper"`` view."""
        return "paper"

    def refuse(self, spec: Any, view: str) -> str:
        """The message when ``view`` (another view's name) does not draw ``spec`` but this view does."""
        return f"view must be {self.name!r} for {self.draws}, got {view!r}"

    def check(self, spec: Any, options: Options, frame: Optional[int] = None) -> None:
        """Refuse, before any work, what this view cannot draw of ``spec``: its cost, ``x`` and ``kernel``,
        ``frame`` (an int already) out of range."""
        raise NotImplementedError

    def n_frames(self, spec: Any, options: Options) -> int:
        raise NotImplementedError

    def caption_lines(self, spec: Any, options: Options) -> list[str]:
        """The caption in plain text (the player's ``<figcaption>``)."""
        raise NotImplementedError

    def plan(self, spec: Any, options: Options, theme: Theme, *, measure: Measure,
             box_pt: Optional[Tuple[float, float]]) -> Plan:
        """The plan of ``spec`` (checked), its texts measured with ``measure``, fitted to ``box_pt`` points."""
        raise NotImplementedError


_REGISTRY: list[View] = []


def register_view(view: View) -> View:
    """Add ``view`` to the registry.  A view registered later is asked first: registered under a name that
    exists, it takes over the specs it accepts (``view_names`` keeps the order names first came in)."""
    if not view.name:
        raise ValueError("a view needs a name (its view= value)")
    _REGISTRY.append(view)
    return view


def registered_views() -> Tuple[View, ...]:
    return tuple(_REGISTRY)


def view_names() -> Tuple[str, ...]:
    """Every ``view=`` value, in registration order."""
    return tuple(dict.fromkeys(v.name for v in _REGISTRY))


def select_view(spec: Any, view: str) -> View:
    """The view named ``view`` that draws ``spec``; a ``ValueError`` naming ``view`` when there is none.

    A spec no view draws is a ``TypeError`` naming ``spec``.
    """
    for v in reversed(_REGISTRY):
        if v.name == view and v.accepts(spec):
            return v
    takers = [v for v in _REGISTRY if v.accepts(spec)]
    if not takers:
        kinds = "a Conv, ConvTranspose, Pool, Stack or Separable"
        shown = repr(spec)
        if len(shown) > 60:
            shown = shown[:40] + "..." + shown[-10:]
        raise TypeError(f"spec must be {kinds} (e.g. convanim.Conv(5, 3)), got {type(spec).__name__} {shown}")
    raise ValueError(takers[0].refuse(spec, view))
