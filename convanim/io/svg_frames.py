"""A figure as one still SVG plus, per frame, what its moving artists draw: the data of the HTML player.

Generic over artists: the still part is matplotlib's own SVG of the figure,
with an empty, numbered ``<g>`` where each moving artist would be drawn (so
the draw order is matplotlib's: a still text above a moving shade stays
above it).  Per frame, each moving artist is drawn alone by matplotlib's SVG
renderer; its markup is split into a *template* (everything but the
coordinates, shared between frames) and its coordinates in tenths of a point,
stored as the difference from the previous frame.  Any artist matplotlib can
write as SVG works, whatever the painter that made it.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterator, Optional, Sequence

import matplotlib
import numpy as np
from matplotlib.backends.backend_svg import RendererSVG

__all__ = ["SvgFrames", "SVG_NS", "KEYFRAME_EVERY"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

#: Every this many frames, every moving artist is stored whole, so that a jump costs at most this many steps.
KEYFRAME_EVERY = 64

#: matplotlib's SVG rc settings for deterministic output with text kept as text.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "convanim", "svg.id": None}

# Attributes whose numbers are coordinates (they move); numbers anywhere else belong to the template.
_COORD_ATTRS = ("d", "x", "y", "transform", "width", "height", "points", "cx", "cy", "r", "x1", "y1", "x2", "y2")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_HOLE = "\x00"  # stands for one coordinate in a template while it is built; never in SVG text
_PLACEHOLDER = "cvm"  # id prefix of the empty groups standing for the moving artists


def _q(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


def _number(value: float, decimals: int) -> str:
    text = f"{round(value, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round_numbers(value: str, decimals: int) -> str:
    """``value`` with every number rounded to ``decimals`` places and runs of white space made one space."""
    return " ".join(_NUMBER.sub(lambda m: _number(float(m.group(0)), decimals), value).split())


_PATH_TOKEN = re.compile(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _path_data(d: str, decimals: int, compact: bool) -> str:
    """Path data, shorter: numbers rounded, implicit line-tos, no spaces around commands (nor, if ``compact``,
    before a minus sign; a template keeps them, since its numbers change sign from frame to frame)."""
    out: list[str] = []
    last = ""
    after_number = False
    for tok in _PATH_TOKEN.findall(d):
        if tok.isalpha():
            if tok == "L" and last in ("M", "L"):
                continue  # coordinates after a move-to or line-to are line-tos
            out.append(tok)
            last, after_number = tok, False
        else:
            num = _number(float(tok), decimals)
            if after_number and not (compact and num.startswith("-")):
                out.append(" ")
            out.append(num)
            after_number = True
    return "".join(out)


def _tidy(root: ET.Element, compact: bool) -> ET.Element:
    """Smaller markup with the same picture: no indentation, no group ids (nothing refers to a group), numbers
    to 1/100 point, no ``rotate(0 ...)``."""
    for el in root.iter():
        if el.tail is not None and not el.tail.strip():
            el.tail = None
        if el.text is not None and not el.text.strip() and el.tag not in (_q("text"), _q("tspan")):
            el.text = None
        if el.tag == _q("g"):
            el.attrib.pop("id", None)
        transform = el.get("transform")
        if transform is not None and re.fullmatch(r"rotate\(-?0(\.0*)? [^ ]+ [^ ]+\)", " ".join(
                transform.replace(",", " ").split())):
            del el.attrib["transform"]
        for name in _COORD_ATTRS:
            if name in el.attrib and el.tag != _q("svg"):
                value = el.get(name) or ""
                el.set(name, _path_data(value, 2, compact) if name == "d" else _round_numbers(value, 2))
    return root


def _hoist(root: ET.Element) -> None:
    """A clip or a style that every child of a group has goes to the group, once (fill, stroke and their
    opacities are inherited; plain ``opacity`` is not, so a style with it stays on each child)."""
    for group in root.iter(_q("g")):
        children = list(group)
        if len(children) < 2:
            continue
        for name in ("clip-path", "class"):
            values = {child.get(name) for child in children}
            if len(values) != 1 or None in values or name in group.attrib:
                continue
            if name == "class" and any(child.tag == _q("g") or child.tag == _q("text") for child in children):
                continue
            value = values.pop()
            assert value is not None
            group.set(name, value)
            for child in children:
                del child.attrib[name]


class _Styles:
    """Turns ``style`` attributes into classes ``s0``, ``s1`` ... (one CSS rule each): smaller files, and a page
    whose only styles are one hashed ``<style>`` element, so a strict Content-Security-Policy can hold."""

    def __init__(self) -> None:
        self.classes: dict[str, str] = {}

    def convert(self, root: ET.Element) -> None:
        for el in root.iter():
            style = el.attrib.pop("style", None)
            if style is not None:
                style = " ".join(style.split())
                name = self.classes.setdefault(style, f"s{len(self.classes)}")
                old = el.get("class")
                el.set("class", f"{old} {name}" if old else name)

    def css(self, scope: str) -> str:
        return "\n".join(f"{scope} .{name}{{{style}}}" for style, name in self.classes.items())


@contextlib.contextmanager
def _dpi(fig: Any, dpi: float) -> Iterator[None]:
    """Draw at ``dpi`` (SVG is written at 72 dots per inch: one unit is one point)."""
    old = fig.dpi
    fig.dpi = dpi
    try:
        yield
    finally:
        fig.dpi = old


class SvgFrames:
    """The still SVG of ``stage`` and the per-frame markup of its moving artists.

    Parameters
    ----------
    stage : Stage
        Has ``figure``, ``n_frames``, ``set_frame(t)``, ``moving_artists()``,
        ``output_cells()`` and ``vector()``.

    Attributes
    ----------
    svg : xml.etree.ElementTree.Element
        The still picture (in points, y down), one empty ``<g id="cvmK">`` per moving artist.
    templates : list of list of str
        Markup pieces; coordinates go between them.
    frames : list of list
        Per frame, per moving artist that changed: ``[k, template, coords]`` (whole) or ``[k, deltas]``
        (coordinates minus the previous frame's; a short list repeats cyclically).
    cells : list of (int, ndarray)
        ``(frame, polygon)`` per output cell, the polygon in points, y down.

    Examples
    --------
    >>> import convanim as ca
    >>> from convanim.io.html import player_stage
    >>> data = SvgFrames(player_stage(ca.Conv(4, 3)))
    >>> len(data.frames)
    4
    """

    def __init__(self, stage: Any, *, keyframe_every: int = KEYFRAME_EVERY) -> None:
        self.stage = stage
        self.keyframe_every = int(keyframe_every)
        #: Coordinates are stored as integers: points times this.
        self.unit = 100
        self.figure = stage.figure
        # A still figure's stage has nothing that moves and no output cell.
        self.moving = list(stage.moving_artists()) if hasattr(stage, "moving_artists") else []
        self.styles = _Styles()
        self.templates: list[list[str]] = []
        self._template_index: dict[tuple[str, ...], int] = {}
        dpi = self.figure.dpi
        self.width_pt = self.figure.get_figwidth() * 72.0
        self.height_pt = self.figure.get_figheight() * 72.0
        self.width_px = round(self.figure.get_figwidth() * dpi)
        self.height_px = round(self.figure.get_figheight() * dpi)
        cells = stage.output_cells() if hasattr(stage, "output_cells") else []
        self.cells = [(int(t), self._to_points(np.asarray(poly, dtype=float), dpi)) for t, poly in cells]
        with matplotlib.rc_context(SVG_RC):  # type: ignore[arg-type]  # svg.id takes None
            self.svg = self._still()
            self._clip_ids = self._known_clips()
            self._new_clips: list[ET.Element] = []
            with _dpi(self.figure, 72.0):
                self.frames = self._frames(keyframe_every)
        if self._new_clips:
            defs = ET.Element(_q("defs"))
            defs.extend(self._new_clips)
            self.svg.insert(0, defs)

    def _to_points(self, poly: np.ndarray, dpi: float) -> np.ndarray:
        pts = poly * (72.0 / dpi)
        pts[:, 1] = self.height_pt - pts[:, 1]
        return pts

    # ---- the still picture -------------------------------------------------------------------------

    def _still(self) -> ET.Element:
        buf = io.StringIO()
        with self.stage.vector() as fig, self._placeholders():
            fig.savefig(buf, format="svg", metadata={"Date": None})
        root = ET.fromstring(buf.getvalue())
        for el in list(root):
            # The metadata names the software; the default style goes to the page's (scoped) style sheet.
            if el.tag == _q("metadata") or (el.tag == _q("defs") and el.find(_q("style")) is not None):
                root.remove(el)
        for group in root.iter(_q("g")):
            gid = group.get("id", "")
            if gid.startswith(_PLACEHOLDER):
                # Marked by an attribute, not an id: the page may prefix every id to keep players apart.
                group.set("data-moving", gid[len(_PLACEHOLDER):])
        _tidy(root, compact=True)
        self.styles.convert(root)
        _hoist(root)
        return root

    @contextlib.contextmanager
    def _placeholders(self) -> Iterator[None]:
        """While the still SVG is written, each moving artist draws only an empty group named after it."""
        def stand_in(k: int) -> Any:
            def draw(renderer: Any) -> None:
                renderer.open_group(_PLACEHOLDER, gid=f"{_PLACEHOLDER}{k}")
                renderer.close_group(_PLACEHOLDER)
            return draw

        for k, artist in enumerate(self.moving):
            artist.draw = stand_in(k)
        try:
            yield
        finally:
            for artist in self.moving:
                del artist.draw

    def _known_clips(self) -> dict[str, str]:
        """Clip paths of the still SVG, by content: a frame's clip with the same content reuses its id."""
        return {self._clip_key(clip): clip.get("id", "") for clip in self.svg.iter(_q("clipPath"))}

    @staticmethod
    def _clip_key(clip: ET.Element) -> str:
        return "".join(ET.tostring(child, encoding="unicode") for child in clip)

    # ---- frames ----------------------------------------------------------------------------------

    def _frames(self, keyframe_every: int) -> list[list[Any]]:
        frames: list[list[Any]] = []
        # What the page's script will hold after each frame: deltas are taken from it, so errors never add up.
        held: list[Optional[tuple[int, np.ndarray]]] = [None] * len(self.moving)
        # Each artist's markup is drawn again only when the artist changed: a frame moves a few of them.
        drawn: list[Optional[tuple[Any, tuple[int, np.ndarray]]]] = [None] * len(self.moving)
        for t in range(self.stage.n_frames):
            self.stage.set_frame(t)
            sigs = [_signature(a) for a in self.moving]
            stale = [k for k, sig in enumerate(sigs)
                     if sig is None or drawn[k] is None or drawn[k][0] != sig]  # type: ignore[index]
            for k, state in self._draw_moving(stale).items():
                drawn[k] = (sigs[k], state)
            entries: list[Any] = []
            for k in range(len(self.moving)):
                tpl, coords = drawn[k][1]  # type: ignore[index]
                before = held[k]
                if t % keyframe_every == 0 or before is None or before[0] != tpl:
                    entries.append([k, tpl, coords.tolist()])
                    held[k] = (tpl, coords)
                    continue
                step = _delta(before[1], coords)
                if step is not None:
                    entries.append([k, step])
                    held[k] = (tpl, before[1] + np.resize(np.asarray(step, dtype=np.int64), len(coords)))
            frames.append(entries)
        return frames

    def _draw_moving(self, which: Sequence[int]) -> dict[int, tuple[int, np.ndarray]]:
        """The moving artists ``which``, each drawn alone by matplotlib's SVG renderer: ``{k: (template index,
        coordinates)}``.

        A new renderer per frame, so that every frame's markup is whole (a renderer writes a marker's
        definition only the first time it is used)."""
        if not which:
            return {}
        buf = io.StringIO()
        renderer = RendererSVG(self.width_pt, self.height_pt, buf, image_dpi=self.figure.dpi)
        for k in which:
            renderer.open_group(_PLACEHOLDER, gid=f"{_PLACEHOLDER}{k}")
            self.moving[k].draw(renderer)
            renderer.close_group(_PLACEHOLDER)
        renderer.finalize()
        root = ET.fromstring(buf.getvalue())
        renames = self._frame_clips(root)
        groups = [g for g in root.iter(_q("g")) if g.get("id", "").startswith(_PLACEHOLDER)]
        states = {}
        for k, group in zip(which, groups):
            _tidy(group, compact=False)
            self.styles.convert(group)
            _hoist(group)
            states[k] = self._template(group, {**renames, **_local_ids(group, f"{_PLACEHOLDER}{k}d")})
        return states

    def _frame_clips(self, root: ET.Element) -> dict[str, str]:
        """Map the clip ids of one frame's renderer (numbered per renderer) to ids named by their content."""
        renames = {}
        for clip in root.iter(_q("clipPath")):
            _tidy(clip, compact=True)
            key = self._clip_key(clip)
            new = self._clip_ids.get(key)
            if new is None:
                new = "cvclip" + hashlib.sha256(key.encode()).hexdigest()[:10]
                self._clip_ids[key] = new
                copy = ET.Element(_q("clipPath"), {"id": new})
                copy.extend(clip)
                self._new_clips.append(copy)
            renames[clip.get("id", "")] = new
        return renames

    def _template(self, group: ET.Element, renames: dict[str, str]) -> tuple[int, np.ndarray]:
        coords: list[int] = []

        def hole(m: re.Match) -> str:
            coords.append(int(round(float(m.group(0)) * self.unit)))
            return _HOLE

        for el in group.iter():
            if el is not group:
                for name in _COORD_ATTRS:
                    if name in el.attrib:
                        el.set(name, _NUMBER.sub(hole, el.get(name) or ""))
            for name, value in el.attrib.items():
                if name == _HREF and value.startswith("#"):
                    el.set(name, "#" + renames.get(value[1:], value[1:]))
                elif "url(#" in value:
                    el.set(name, _URL.sub(lambda m: f"url(#{renames.get(m.group(1), m.group(1))})", value))
        markup = "".join(ET.tostring(child, encoding="unicode") for child in group)
        # ElementTree declares the namespaces on each fragment; the page's <svg> already has them.
        markup = markup.replace(f' xmlns="{SVG_NS}"', "").replace(f' xmlns:xlink="{XLINK_NS}"', "")
        markup = markup.replace(f' xmlns:ns0="{SVG_NS}"', "")
        parts = tuple(markup.split(_HOLE))
        index = self._template_index.get(parts)
        if index is None:
            index = self._template_index[parts] = len(self.templates)
            self.templates.append(list(parts))
        return index, np.asarray(coords, dtype=np.int64)


_HREF = f"{{{XLINK_NS}}}href"
_URL = re.compile(r"url\(#([^)]*)\)")


def _signature(artist: Any) -> Any:
    """What an artist draws, as a value that changes whenever its markup would (``None``: always draw it)."""
    if hasattr(artist, "get_text"):
        return ("text", artist.get_text(), tuple(artist.get_position()), str(artist.get_color()),
                artist.get_visible(), artist.get_fontsize())
    if hasattr(artist, "get_paths") and hasattr(artist, "get_facecolor"):
        paths = b"".join(np.ascontiguousarray(p.vertices).tobytes() for p in artist.get_paths())
        return ("collection", paths, np.asarray(artist.get_facecolor()).tobytes(),
                np.asarray(artist.get_edgecolor()).tobytes(), artist.get_visible())
    return None


def _local_ids(group: ET.Element, prefix: str) -> dict[str, str]:
    """New names for the ids defined inside one artist's markup (a marker, a path used several times): named by
    their order, not by their content, so the markup of a shape that moves stays one template."""
    renames: dict[str, str] = {}
    for el in group.iter():
        old = el.get("id")
        if old is not None and el is not group:
            renames[old] = f"{prefix}{len(renames)}"
            el.set("id", renames[old])
    return renames


#: How far (in 1/100 point) a coordinate the page computes may be from the exact one: a shape that moves as a
#: whole is then one ``[dx, dy]`` per frame although its corners round differently.
TOLERANCE = 2


def _delta(held: np.ndarray, target: np.ndarray) -> Optional[list[int]]:
    """What to add to ``held`` (cyclically) to come within ``TOLERANCE`` of ``target``: the shortest periodic
    step that does, else the exact differences; None when nothing needs to change."""
    diff = target - held
    if not len(diff) or np.abs(diff).max() <= TOLERANCE:
        return None
    n = len(diff)
    for p in range(1, min(n, 16)):
        if n % p:
            continue
        rows = diff.reshape(-1, p)
        step = np.round(np.median(rows, axis=0)).astype(np.int64)
        if np.abs(rows - step).max() <= TOLERANCE:
            return step.tolist()
    return diff.tolist()
