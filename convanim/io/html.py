"""The interactive HTML player: one self-contained file, no server, no network.

The figure is vector graphics painted from its plan alone (the still part
once, then per frame only what moves, as differences: see
:mod:`convanim.drawing.svg_painter` and :mod:`convanim.io.player_frames`);
play/pause, previous/next, a frame slider, a speed control, the keyboard (space, left, right, Home, End), and pointing at or
clicking an output cell to see the frame that computes it.

Contract (tests and assistive technology rely on it): the root element
``figure.convanim-player`` carries ``data-frames`` and ``data-frame``; the
buttons are named "Play" (then "Pause"), "Previous frame", "Next frame"; the
slider is an ``<input type="range">``; each output cell carries
``data-cell-frame``; a ``<figcaption>`` names the layer, its sizes and its
formula.  Stepping or pointing pauses; ``prefers-reduced-motion`` starts paused.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from ..core.checks import check_bool, check_duration, check_frame
from ..core.spec import Spec
from ..drawing.api import make_plan, stage_of
from ..drawing.painter import Stage
from ..drawing.plan import Plan, warn_notes
from ..drawing.svg_painter import COORD_UNIT, SvgPainter
from ..drawing.views import checked
from .encoders import AtomicFile
from .player_assets import ICONS, PLAYER_CSS, PLAYER_JS
from .player_frames import KEYFRAME_EVERY, PlayerFrames

__all__ = ["player_stage", "to_html", "write_html", "stage_html", "write_stage_html", "plan_html", "player_html",
           "write_plan_html", "caption_lines", "Player", "SPEEDS"]

#: The speed control's choices (multiples of the base speed, ``duration`` seconds per frame).
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)


def player_stage(spec: Spec, **kw: Any) -> Stage:
    """A new figure drawing ``spec`` with the keywords of :func:`convanim.figure`, ready to be moved frame by frame.

    Returns
    -------
    Stage
        ``figure``, ``n_frames``, ``set_frame(t)``, ``moving_artists()``, ``output_cells()``, ``theme``.

    Examples
    --------
    >>> import convanim as ca
    >>> player_stage(ca.Conv(5, 3, s=2, p=1)).n_frames
    9
    """
    return stage_of(make_plan(spec, **kw))


def caption_lines(spec: Spec, view: str = "grid") -> list[str]:
    """What the player's caption says (its view's plain caption): the layer and its sizes, then the formula with
    its numbers (for ``view="overlap"``, what the heatmap counts and whether it is even).

    Examples
    --------
    >>> import convanim as ca
    >>> caption_lines(ca.Conv(4, 3))[0]
    'Convolution: input 4×4 → output 2×2, k = 3, s = 1, p = 0'
    """
    chosen, options = checked(spec, view=view)
    return chosen.caption_lines(spec, options)


def to_html(spec: Spec, *, frame: Optional[int] = None, duration: float = 1.0, full_page: bool = True,
            **kw: Any) -> str:
    """The player of ``spec`` as HTML text.

    Parameters
    ----------
    spec : Conv, ConvTranspose, Pool, Stack, Separable or a Plan
    frame : int, optional
        Open paused on this frame; by default open on frame 0 and play (unless
        the reader prefers reduced motion).
    duration : float
        Seconds per frame at speed 1.
    full_page : bool
        A whole document (with a Content-Security-Policy that forbids every
        request), or only the player (``<style>``, ``<figure>``, ``<script>``) to
        put inside a page: a notebook cell, a documentation page.
    **kw
        The keywords of :func:`convanim.figure` (``view``, ``style``, ``numbers``, ``theme``, ...), checked as
        every entry point checks them.

    Examples
    --------
    >>> import convanim as ca
    >>> page = to_html(ca.Conv(4, 3))
    >>> 'data-frames="4"' in page
    True
    """
    check_bool("full_page", full_page)
    if isinstance(spec, Plan):
        if kw:
            raise TypeError(f"to_html of a Plan takes no drawing keywords (the plan holds them): got {sorted(kw)[0]!r}")
        if frame is not None:
            check_frame(frame, spec.check().n_frames, spec.title or "the plan")
        return plan_html(spec.check(), frame=frame, full_page=full_page)
    return plan_html(make_plan(spec, frame=frame, duration=duration, **kw), frame=frame, full_page=full_page)


def plan_html(plan: Plan, *, frame: Optional[int] = None, full_page: bool = True) -> str:
    """The player of a plan, with what the plan says of itself: its caption lines, its title, its size and its
    seconds per frame.  What the plan left out (its notes) is said once, as a warning, as the figure says it."""
    warn_notes(plan)
    return player_html(plan, caption=list(plan.caption_lines) or [plan.title], title=plan.title, frame=frame,
                       duration=plan.duration, full_page=full_page, figsize=plan.figsize(), dpi=plan.dpi)


def write_plan_html(plan: Plan, path: Union[str, Path], *, frame: Optional[int] = None,
                    keep_same: bool = False) -> Path:
    """Write the player of ``plan`` to ``path`` atomically; with ``keep_same``, a file that already holds these
    bytes is left untouched (its times too)."""
    return _write(Path(path), plan_html(plan, frame=frame), keep_same=keep_same)


def stage_html(stage: Any, *, caption: Sequence[str], title: str, frame: Optional[int] = None,
               duration: float = 1.0, full_page: bool = True) -> str:
    """The player of any stage: one from :func:`player_stage`, or a still figure's one-frame stage.

    ``caption`` is the text alternative (its first line also names the
    picture); ``title`` names the page and errors.  The stage's one plan is
    drawn by :func:`player_html` (nothing of the stage's figure but its size is
    used), so a stage that already wrote a GIF gives the same page.

    Examples
    --------
    >>> from convanim.drawing.api import stage_of
    >>> from convanim.drawing.figures import kernel_plan
    >>> page = stage_html(stage_of(kernel_plan()), caption=["kernel 3x3"], title="kernel")
    >>> 'data-frames="1"' in page
    True
    """
    figure = getattr(stage, "figure", None)
    # The stage's figure only says the box the plan was fitted to; nothing of it is drawn.
    figsize = None if figure is None else tuple(float(v) for v in figure.get_size_inches())
    dpi = 100.0 if figure is None else float(figure.dpi)
    return player_html(_plan_of(stage), caption=caption, title=title, frame=frame, duration=duration,
                       full_page=full_page, figsize=figsize, dpi=dpi)


def _plan_of(stage: Any) -> Plan:
    inner = getattr(stage, "_stage", stage)  # a still figure's stage wraps the figure's own
    painters = getattr(inner, "painters", None)
    if not painters or len(painters) != 1:
        raise ValueError("the player draws a stage of one plan")
    return painters[0].plan


def player_html(plan: Plan, *, caption: Sequence[str], title: str, frame: Optional[int] = None,
                duration: float = 1.0, full_page: bool = True, figsize: Optional[Sequence[float]] = None,
                dpi: float = 100.0, keyframe_every: int = KEYFRAME_EVERY) -> str:
    """The player of a plan, drawn from the plan alone (:class:`~convanim.drawing.svg_painter.SvgPainter`).

    ``plan`` must be fitted to its figure (as :func:`convanim.drawing.api.new_figure` leaves it);
    ``figsize`` (inches, default ``plan.figsize()``) and ``dpi`` give the picture's box and pixel size.  The
    other keywords are those of :func:`stage_html`.

    Examples
    --------
    >>> import convanim as ca
    >>> plan = ca.plan(ca.Conv(4, 3))
    >>> 'data-frames="4"' in player_html(plan, caption=["a convolution"], title="conv")
    True
    """
    if frame is not None:
        check_frame(frame)
    ms = check_duration(duration) * 1000.0
    lines = [str(line) for line in caption if str(line).strip()]
    if not lines:
        raise ValueError("caption must hold at least one line of text")
    n = plan.n_frames
    if frame is not None and not -n <= frame < n:
        raise ValueError(f"frame {frame} is out of range: {title} has {n} frames (0 to {n - 1})")
    painter = SvgPainter(plan, figsize=figsize, dpi=dpi, label=lines[0])
    data = PlayerFrames(painter, keyframe_every=keyframe_every)
    return _page(painter, data, lines, title, start=0 if frame is None else frame % n, play=frame is None, ms=ms,
                 full_page=full_page)


def write_html(spec: Spec, path: Union[str, Path], **kw: Any) -> Path:
    """Write the player of ``spec`` to ``path`` (atomically: a temporary file, then a rename).

    Takes the keywords of :func:`to_html`.  The same arguments give the same bytes.

    Examples
    --------
    >>> import convanim as ca
    >>> write_html(ca.Conv(5, 3, s=2, p=1), "padding_strides.html")  # doctest: +SKIP
    PosixPath('padding_strides.html')
    """
    return _write(Path(path), to_html(spec, **kw))


def write_stage_html(stage: Any, path: Union[str, Path], *, keep_same: bool = False, **kw: Any) -> Path:
    """Write the player of a stage (see :func:`stage_html`, whose keywords it takes) to ``path``, atomically;
    with ``keep_same``, a file that already holds these bytes is left untouched (its times too)."""
    return _write(Path(path), stage_html(stage, **kw), keep_same=keep_same)


def _write(path: Path, text: str, keep_same: bool = False) -> Path:
    target = AtomicFile(path, keep_same=keep_same)
    try:
        target.tmp.write_bytes(text.encode("utf-8"))
        target.commit()
    except BaseException:
        target.discard()
        raise
    return path


class Player:
    """The player of ``spec`` as an object a notebook shows (``_repr_html_``) and that saves itself.

    Takes the keywords of :func:`to_html` (except ``full_page``).

    Examples
    --------
    >>> import convanim as ca
    >>> p = Player(ca.Conv(4, 3), numbers=True)
    >>> p  # doctest: +SKIP
    >>> p.save("conv.html")  # doctest: +SKIP
    """

    def __init__(self, spec: Spec, **kw: Any) -> None:
        kw.pop("full_page", None)
        options = dict(kw)
        checked(spec, options.pop("frame", None), **options)  # refused now, not when shown
        self.spec, self.kw = spec, kw

    def _repr_html_(self) -> str:
        return to_html(self.spec, full_page=False, **self.kw)

    def save(self, path: Union[str, Path]) -> Path:
        return write_html(self.spec, path, **self.kw)


# ---- assembling the page --------------------------------------------------------------------------

def _hex(rgb: Any) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _json(obj: Any) -> str:
    # Inside <script>: no "</" may close it early.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def _prefix_ids(text: str, prefix: str) -> str:
    """Every id and reference to one gets ``prefix``, so that two players on a page never share an id."""
    return (text.replace(' id="', f' id="{prefix}').replace("url(#", f"url(#{prefix}")
            .replace('href="#', f'href="#{prefix}'))


def _button(cls: str, label: str, icons: list[str]) -> str:
    svgs = "".join(f'<svg class="cvp-icon-{name}" viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
                   f"{ICONS[name]}</svg>" for name in icons)
    return f'<button type="button" class="{cls}" aria-label="{label}">{svgs}</button>'


def _page(painter: SvgPainter, data: PlayerFrames, lines: list[str], title: str, *, start: int, play: bool,
          ms: float, full_page: bool) -> str:
    n = painter.plan.n_frames
    frames_json = _json(data.frames)
    uid = "cvp-" + hashlib.sha256((painter.svg + frames_json).encode("utf-8")).hexdigest()[:10]
    svg = _prefix_ids(painter.svg, uid + "-")
    body_json = _json({"n": n, "start": start, "play": play, "ms": round(ms, 3), "key": data.keyframe_every,
                       "unit": COORD_UNIT, "kinds": data.kinds, "pal": data.palette, "str": painter.strings,
                       "frames": data.frames})
    th = painter.plan.theme
    scope = f".convanim-player.{uid}"
    css = (PLAYER_CSS.format(scope=scope, bg=_hex(th.background), fg=_hex(th.text), line=_hex(th.line),
                             accent=_hex(th.input)).strip() + "\n" + painter.styles.css(f"{scope} svg.cvp-figure"))
    speeds = "".join(f'<option value="{v:g}"{" selected" if v == 1.0 else ""}>{v:g}&#215;</option>'
                     for v in SPEEDS)
    controls = (
        # A still figure (one frame) has nothing to play: its controls stay in the page, hidden.
        f'<div class="cvp-controls" role="group" aria-label="Animation controls"{" hidden" if n == 1 else ""}>'
        + _button("cvp-prev", "Previous frame", ["prev"])
        + _button("cvp-play", "Play", ["play", "pause"])
        + _button("cvp-next", "Next frame", ["next"])
        + f'<input type="range" class="cvp-slider" min="0" max="{n - 1}" step="1" value="{start}" '
          f'aria-label="Frame">'
        + f'<select class="cvp-speed" aria-label="Speed">{speeds}</select>'
        + f'<span class="cvp-status">frame {start + 1} of {n}</span></div>')
    caption = "<br>".join(f"<code>{html.escape(line)}</code>" for line in lines)
    figure = (f'<figure class="convanim-player {uid}" tabindex="0" data-frames="{n}" data-frame="{start}" '
              f'data-playing="false">{svg}{controls}<figcaption>{caption}</figcaption>'
              f'<script type="application/json" class="cvp-data">{body_json}</script></figure>')
    script = PLAYER_JS.strip()
    if not full_page:
        return f"<style>{css}</style>{figure}<script>{script}</script>"
    css += f"\nbody{{margin:0;padding:16px;background:{_hex(th.background)}}}"
    csp = (f"default-src 'none'; script-src '{_sha256(script)}'; style-src '{_sha256(css)}'; "
           f"base-uri 'none'; form-action 'none'")
    title = html.escape(f"{title} - convanim")
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{css}</style></head>\n"
            "<body>\n"
            f"{figure}\n<script>{script}</script>\n</body></html>\n")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
