"""One argument-checking layer: types and ranges, checked before any work.

Every public function and CLI option goes through these helpers, so that a
mistake ends in a ``TypeError`` (wrong type) or ``ValueError`` (out of range)
whose message names the parameter and what it allows, never deep in numpy or
matplotlib.  Pure: no matplotlib, no file system; the library's own modules
are imported lazily (the spec and geometry modules use this one).

Size limits are checked before any arithmetic that could overflow or
allocate; what a figure would cost is checked by :mod:`convanim.core.limits`.

Examples
--------
>>> check_int("k", 3, 1)
3
>>> check_bool("numbers", "no")
Traceback (most recent call last):
...
TypeError: numbers must be True or False, got str 'no'
"""
from __future__ import annotations

import dataclasses
import math
import numbers
import re
import string
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    "MAX_INT", "MAX_DPI", "MAX_PIXELS", "MAX_FIGSIZE", "MAX_FONTSIZE", "MIN_DURATION", "MAX_DURATION",
    "MAX_LIMIT", "MAX_PATTERN_WIDTH",
    "check_int", "raise_hint", "check_bool", "check_real", "check_choice", "check_spec", "check_array", "check_colour",
    "check_theme", "check_dpi", "check_figsize", "check_raster", "check_duration", "check_fontsize",
    "check_frame", "check_axes", "check_one_channel", "check_frame_pattern",
]

#: The largest size, stride, padding or dilation: past it a canvas or a frame count no longer fits the
#: 64-bit indices numpy and matplotlib use (and PyTorch indexes sizes with 32-bit ints as well).
MAX_INT = 2**31 - 1
#: Raster limits: dots per inch, and pixels per frame (4096 x 4096; about 200 MB of buffers while drawing).
MAX_DPI = 2400.0
MAX_PIXELS = 4096 * 4096
#: The largest side of a figure, in inches; and the largest font, in points.
MAX_FIGSIZE = 200.0
MAX_FONTSIZE = 500.0
#: Seconds per frame: a GIF counts delays in hundredths of a second, in 16 bits (at most 655.35 s).
MIN_DURATION = 0.01
MAX_DURATION = 655.35
#: The ceiling of the refusal limits a caller may raise (max_frames, max_matrix, max_entries).
MAX_LIMIT = 10**9
#: The ``kind`` of each layer class (Conv, ConvTranspose, Pool).
LAYER_KINDS = ("conv", "conv_transpose", "pool")
#: A ``{frame:FMT}`` pattern pads to at most this many characters.
MAX_PATTERN_WIDTH = 10


def _show(value: Any) -> str:
    """``type value`` for a message, with the value cut short (a 10**5-digit int stays readable)."""
    text = repr(value)
    if len(text) > 60:
        text = text[:40] + "..." + text[-10:]
    return f"{type(value).__name__} {text}"


def raise_hint(name: str, flag: str, needed: int, maximum: int = MAX_LIMIT, what: str = "draw it anyway") -> str:
    """How to go past a limit: ``pass NAME=N (FLAG N) to ...`` where ``N`` is within the option's own range, else
    that it cannot be raised that far (a hint the option would refuse helps nobody).

    Examples
    --------
    >>> raise_hint("max_frames", "--max-frames", 20000)
    'pass max_frames=20000 (--max-frames 20000) to draw it anyway'
    >>> raise_hint("max_frames", "--max-frames", 3221225472)
    'max_frames cannot be raised that far (it would need 3221225472, at most 1000000000): use a smaller size'
    """
    if needed <= maximum:
        return f"pass {name}={needed} ({flag} {needed}) to {what}"
    return f"{name} cannot be raised that far (it would need {needed}, at most {maximum}): use a smaller size"


def check_int(name: str, value: object, minimum: int, maximum: int = MAX_INT) -> int:
    """Return ``value`` as an int from ``minimum`` to ``maximum``, or raise naming ``name``.

    A ``bool`` is refused although Python counts it as an int: ``True`` as a
    kernel size is always a mistake.

    Examples
    --------
    >>> check_int("k", 3, 1)
    3
    >>> check_int("p", 10**20, 0)
    Traceback (most recent call last):
    ...
    ValueError: p must be at most 2147483647 (from 0), got 100000000000000000000
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_show(value)}")
    value = int(value)
    if value < minimum or value > maximum:
        shown = str(value) if abs(value) < 10**30 else f"an int of {len(str(abs(value)))} digits"
        if value < minimum:
            what = "positive" if minimum == 1 else f"at least {minimum}"
            raise ValueError(f"{name} must be {what} (from {minimum} to {maximum}), got {shown}")
        raise ValueError(f"{name} must be at most {maximum} (from {minimum}), got {shown}")
    return value


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False`` (numpy's too); anything else is a ``TypeError``.

    ``"no"`` is truthy: taking it as a flag would silently do the opposite of what was meant.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {_show(value)}")


def check_real(name: str, value: object, low: float, high: float, *, unit: str = "",
               low_open: bool = False) -> float:
    """A finite real number from ``low`` to ``high`` (``low`` excluded when ``low_open``), as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_show(value)}")
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    unit = f" {unit}" if unit else ""
    bound = f"more than {low:g}" if low_open else f"from {low:g}"
    if not math.isfinite(v) or v > high or v < low or (low_open and v == low):
        raise ValueError(f"{name} must be a finite number {bound} to {high:g}{unit}, got {value!r}")
    return v


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """One of ``choices`` (strings); a non-string is a ``TypeError``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, choices))}, got {_show(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_spec(spec: object, name: str = "spec", kinds: Optional[Tuple[type, ...]] = None) -> Any:
    """``spec`` if it is a Conv, ConvTranspose or Pool (or one of ``kinds``).

    The layer classes are known by their ``kind`` (this module sits below :mod:`convanim.core.spec`, which
    uses it).
    """
    if kinds is None:
        ok = getattr(type(spec), "kind", None) in LAYER_KINDS
        names = "Conv, ConvTranspose, Pool"
    else:
        ok = isinstance(spec, kinds)
        names = ", ".join(k.__name__ for k in kinds)
    if not ok:
        raise TypeError(f"{name} must be a {names} (e.g. convanim.Conv(5, 3)), got {_show(spec)}")
    return spec


def check_array(name: str, value: object, shape: Optional[Tuple[int, ...]] = None, *, allow_inf: bool = False,
                max_size: Optional[int] = None) -> np.ndarray:
    """``value`` as a float64 array: real numbers only, of ``shape``, finite unless ``allow_inf``.

    Refused: complex numbers (their imaginary part would be dropped), objects,
    strings, ints too large for a float, NaN (and infinities unless
    ``allow_inf``: ``inf * 0`` in a sum is NaN).
    """
    if value is None:
        raise TypeError(f"{name} must be an array of numbers" + (f" of shape {shape}" if shape else "")
                        + ", got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {_show(value)}")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:  # ragged lists, __array__ raising
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if raw.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "O": "objects (or ints too large for a float)", "U": "strings",
                "S": "bytes", "M": "dates", "m": "time spans", "V": "records"}.get(raw.dtype.kind, str(raw.dtype))
        raise TypeError(f"{name} must be an array of real numbers, got an array of {what} ({raw.dtype})")
    if shape is not None and raw.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {raw.shape}")
    if max_size is not None and raw.size > max_size:
        raise ValueError(f"{name} has {raw.size} values, more than the {max_size} drawn")
    arr = raw.astype(np.float64)
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(v) for v in np.argwhere(bad)[0])
        kind = "NaN" if allow_inf else "NaN or infinite"
        raise ValueError(f"{name} must hold finite numbers, got {kind} {arr[where]} at {where}"
                         + (" (or a float64 overflow)" if raw.dtype.kind in "iu" else ""))
    return arr


def check_colour(name: str, value: object) -> Tuple[int, int, int]:
    """A colour as ``(r, g, b)`` 0-255 ints, from ``'#rrggbb'``, 0-255 ints or matplotlib-style 0-1 floats.

    Mixed 0-255 ints and fractions (``(1.5, 0, 0)``) are refused, not rounded.

    Examples
    --------
    >>> check_colour("input", (0.5, 0.0, 1.0))
    (128, 0, 255)
    """
    msg = f"theme colour {name} must be '#rrggbb', (r, g, b) with 0-255 ints or with 0-1 floats, got {value!r}"
    if isinstance(value, str):
        if re.fullmatch(r"#?[0-9a-fA-F]{6}", value):
            text = value.lstrip("#")
            return tuple(int(text[j:j + 2], 16) for j in (0, 2, 4))  # type: ignore[return-value]
        raise ValueError(msg)
    if not isinstance(value, (tuple, list, np.ndarray)):
        raise TypeError(msg)
    rgb = list(value)
    if len(rgb) != 3 or not all(isinstance(c, numbers.Real) and not isinstance(c, (bool, np.bool_)) for c in rgb):
        raise ValueError(msg)
    if all(isinstance(c, numbers.Integral) for c in rgb):
        if all(0 <= c <= 255 for c in rgb):
            return tuple(int(c) for c in rgb)  # type: ignore[return-value]
        raise ValueError(msg)
    if all(isinstance(c, (float, np.floating)) for c in rgb) and all(0 <= c <= 1 for c in rgb):
        return tuple(int(round(float(c) * 255)) for c in rgb)  # type: ignore[return-value]
    raise ValueError(msg)


def check_theme(theme: object) -> None:
    """A theme: ``None``, a name, a Theme, or a mapping of colours (``base``, ``shade_alpha`` 0-1, colours).

    Names and keys are checked by ``get_theme``; here, the types and every colour value.
    """
    if theme is None or isinstance(theme, str):
        return
    if dataclasses.is_dataclass(theme) and not isinstance(theme, type):
        items: Iterable[Tuple[str, Any]] = ((f.name, getattr(theme, f.name)) for f in dataclasses.fields(theme))
        strict = True
    elif isinstance(theme, Mapping):
        items = theme.items()
        strict = False
    else:
        raise TypeError(f"theme must be a name, a Theme or a mapping of colours, got {_show(theme)}")
    for key, value in items:
        if not isinstance(key, str):
            raise TypeError(f"theme keys must be colour names, got {_show(key)}")
        if key == "base":
            if not isinstance(value, str):
                raise TypeError(f"theme base must be a theme name, got {_show(value)}")
        elif key == "shade_alpha":
            check_real("theme shade_alpha", value, 0.0, 1.0)
        else:
            rgb = check_colour(key, value)
            if strict and tuple(value) != rgb:  # a Theme holds 0-255 ints
                raise ValueError(f"theme colour {key} must be (r, g, b) with 0-255 ints in a Theme, got {value!r}")


def check_dpi(dpi: object) -> Optional[float]:
    """``None`` (100) or a finite number of dots per inch from 1 to ``MAX_DPI``."""
    if dpi is None:
        return None
    return check_real("dpi", dpi, 1.0, MAX_DPI, unit="dots per inch")


def check_figsize(figsize: object) -> Optional[Tuple[float, float]]:
    """``None`` or ``(width, height)`` in inches, each finite, positive and at most ``MAX_FIGSIZE``."""
    if figsize is None:
        return None
    if isinstance(figsize, (str, bytes)) or not isinstance(figsize, (tuple, list, np.ndarray)):
        raise TypeError(f"figsize must be (width, height) in inches, got {_show(figsize)}")
    if len(figsize) != 2:
        raise ValueError(f"figsize must be (width, height) in inches, got {len(figsize)} values")
    w = check_real("figsize width", figsize[0], 0.0, MAX_FIGSIZE, unit="inches", low_open=True)
    h = check_real("figsize height", figsize[1], 0.0, MAX_FIGSIZE, unit="inches", low_open=True)
    return (w, h)


def check_raster(width_in: float, height_in: float, dpi: Optional[float]) -> None:
    """Refuse a figure whose raster would be under a pixel or over ``MAX_PIXELS``, before any buffer exists."""
    dpi = 100.0 if dpi is None else dpi
    w, h = width_in * dpi, height_in * dpi
    if w < 1 or h < 1:
        raise ValueError(f"figsize and dpi give a {w:.2f} x {h:.2f} pixel image; raise dpi or figsize")
    if w * h > MAX_PIXELS:
        raise ValueError(f"figsize and dpi give a {w:.0f} x {h:.0f} pixel image, more than the "
                         f"{MAX_PIXELS} pixels ({math.isqrt(MAX_PIXELS)}x{math.isqrt(MAX_PIXELS)}) a frame may "
                         f"have; lower dpi (at most {math.sqrt(MAX_PIXELS / (width_in * height_in)):.0f} "
                         f"here) or figsize")


def check_duration(duration: object) -> float:
    """Seconds per frame: finite, from 0.01 to 655.35 (a GIF frame's delay is 16 bits of hundredths)."""
    return check_real("duration", duration, MIN_DURATION, MAX_DURATION,
                      unit="seconds per frame (a GIF counts hundredths of a second, at most 655.35 s)")


def check_fontsize(fontsize: object) -> Optional[float]:
    """``None`` (in proportion to the cells) or points, more than 0 and at most ``MAX_FONTSIZE``."""
    if fontsize is None:
        return None
    return check_real("fontsize", fontsize, 0.0, MAX_FONTSIZE, unit="points", low_open=True)


def check_frame(frame: object, n_frames: Optional[int] = None, what: str = "spec") -> int:
    """An int frame number; with ``n_frames``, in ``-n_frames .. n_frames - 1`` (negative counts from the end)."""
    if isinstance(frame, (bool, np.bool_)) or not isinstance(frame, numbers.Integral):
        raise TypeError(f"frame must be an int, got {_show(frame)}")
    frame = int(frame)
    if n_frames is not None and not -n_frames <= frame < n_frames:
        shown = str(frame) if abs(frame) < 10**30 else f"an int of {len(str(abs(frame)))} digits"
        raise ValueError(f"frame {shown} is out of range: {what} has {n_frames} frames (0 to {n_frames - 1}, or "
                         f"-{n_frames} to -1 counting from the end)")
    return frame


def check_axes(ax: object) -> None:
    """A matplotlib Axes (checked by what the painters use, without importing matplotlib)."""
    if not (hasattr(ax, "add_collection") and hasattr(ax, "set_xlim") and getattr(ax, "figure", None) is not None):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. fig.add_subplot()), got {_show(ax)}")


def check_one_channel(spec: Any, what: str = "drawn") -> None:
    """Refuse a multi-channel spec where only one channel is drawn, rather than draw it as if it had one.

    Examples
    --------
    >>> from convanim import Conv
    >>> check_one_channel(Conv(5, 3, c_in=2, c_out=4))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: c_in, c_out: Conv(i=5, k=3, c_in=2, c_out=4) has 2 input and 4 output channels, which are not drawn...
    """
    if spec.channels:
        raise ValueError(f"c_in, c_out: {spec!r} has {spec.c_in} input and {spec.c_out} output channels, which are "
                         f"not {what} here (this draws one-channel layers; the grid view draws channels); its values, "
                         f"matrix and frames work (apply, conv_matrix, scene)")


_INT_SPEC = re.compile(r"(?:[0_ -]?[<>=^])?[+\- ]?0?(?P<width>\d{1,2})?[dxXob]?")


def check_frame_pattern(name: str, where: str) -> list[Tuple[str, Optional[str]]]:
    """The parts of a ``{frame}`` file-name pattern: ``(literal, format_spec)`` pairs; refuse anything else.

    Only ``{frame}`` and ``{frame:FMT}`` with an integer format (``02d``,
    ``>4d``; a width of at most ``MAX_PATTERN_WIDTH``) are fields; ``{{`` and
    ``}}`` are literal braces.  ``where`` (the path) is named in any error.

    Examples
    --------
    >>> check_frame_pattern("x_{frame:02d}.png", "x_{frame:02d}.png")
    [('x_', '02d'), ('.png', None)]
    """
    try:
        parsed = list(string.Formatter().parse(name))
    except ValueError as exc:
        raise ValueError(f"path {where!r}: not a valid {{frame}} pattern ({exc}); write braces as {{{{ }}}}") \
            from None
    parts: list[Tuple[str, Optional[str]]] = []
    for literal, field, spec, conversion in parsed:
        if field is None:
            if parts and parts[-1][1] is None:  # "{{" splits the literal text: join it again
                parts[-1] = (parts[-1][0] + literal, None)
            else:
                parts.append((literal, None))
            continue
        if field != "frame" or conversion is not None or (spec and "{" in spec):
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"path {where!r}: only {{frame}} or {{frame:FMT}} with an integer format (e.g. "
                             f"{{frame:02d}}) may appear in a file name, got {shown[:40]!r}")
        m = _INT_SPEC.fullmatch(spec or "")
        if m is None or (m.group("width") and int(m.group("width")) > MAX_PATTERN_WIDTH):
            raise ValueError(f"path {where!r}: {{frame:{(spec or '')[:20]}}} is not an integer format of width at most "
                             f"{MAX_PATTERN_WIDTH} (e.g. 02d, >4d)")
        parts.append((literal, spec or ""))
    return parts
