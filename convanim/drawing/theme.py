"""Colour themes: the guide's palette and two more.

Pure data, no matplotlib: colours are RGB tuples of 0-255 ints.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping, Tuple, Union

from ..core.checks import check_colour

__all__ = ["Theme", "THEMES", "get_theme", "contrast", "luminance"]

RGB = Tuple[int, int, int]

#: WCAG 2 AA: the least contrast ratio for normal text.
AA = 4.5


@dataclass(frozen=True)
class Theme:
    """The colours of a figure.

    Attributes
    ----------
    input, output : RGB
        Real input cells; output cells.
    shade : RGB and shade_alpha : float
        The kernel's translucent shade (over input and output cells alike).
    line : RGB
        Cell edges, the dashed padding, the lines to the output cell.
    background, padding : RGB
        The page; padding and inserted zeros.
    text : RGB
        Numbers, labels and captions.
    """

    input: RGB = (38, 139, 210)
    output: RGB = (42, 161, 152)
    shade: RGB = (7, 54, 66)
    shade_alpha: float = 0.4
    line: RGB = (0, 43, 54)
    background: RGB = (255, 255, 255)
    padding: RGB = (255, 255, 255)
    text: RGB = (0, 0, 0)
    mark: RGB = (220, 50, 47)

    @property
    def copy(self) -> RGB:
        """Border cells holding copies of the input (``padding_mode`` other than zeros): the input colour, paled
        towards the padding's."""
        return tuple(round(0.4 * i + 0.6 * p) for i, p in zip(self.input, self.padding))  # type: ignore[return-value]

    def mpl(self, name: str, alpha: float = 1.0) -> Tuple[float, float, float, float]:
        """A colour as matplotlib's RGBA floats."""
        r, g, b = getattr(self, name)
        return (r / 255, g / 255, b / 255, alpha)

    def over(self, base: str) -> RGB:
        """The shade composited over colour ``base``: what a shaded cell looks like."""
        a = self.shade_alpha
        return tuple(round(a * s + (1 - a) * c) for s, c in zip(self.shade, getattr(self, base)))

    def ink(self, background: RGB) -> RGB:
        """The text colour for ``background``: the theme's text colour, black or white, whichever contrasts most.

        Examples
        --------
        >>> THEMES["guide"].ink(THEMES["guide"].over("input"))
        (255, 255, 255)
        """
        if contrast(self.text, background) >= AA:
            return self.text
        return max((self.text, (0, 0, 0), (255, 255, 255)), key=lambda c: contrast(c, background))

    def key_colours(self) -> list[RGB]:
        """The flat colours a figure is made of, for building a GIF palette."""
        names = ("background", "padding", "input", "output", "line", "text", "mark")
        cols = [getattr(self, n) for n in names] + [(0, 0, 0), (255, 255, 255)]
        cols += [self.over(n) for n in ("input", "output", "padding", "background")]
        seen: list[RGB] = []
        for c in cols:
            if c not in seen:
                seen.append(c)
        return seen


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour of 0-255 ints."""
    def channel(v: float) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21 (AA asks 4.5 for text).

    Examples
    --------
    >>> round(contrast((0, 0, 0), (255, 255, 255)), 1)
    21.0
    """
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


THEMES: dict[str, Theme] = {
    # Dumoulin & Visin's palette (solarized blue and cyan).
    "guide": Theme(),
    # Okabe & Ito's colour-blind-safe palette: sky blue input, orange output.
    "colorblind": Theme(input=(86, 180, 233), output=(230, 159, 0), shade=(0, 0, 0), shade_alpha=0.35,
                        line=(0, 0, 0), mark=(204, 121, 167)),
    # Solarized dark.
    "dark": Theme(background=(0, 43, 54), padding=(0, 43, 54), line=(147, 161, 161), text=(238, 232, 213),
                  shade=(253, 246, 227), shade_alpha=0.35, mark=(203, 75, 22)),
}


def _rgb(name: str, value: Any) -> RGB:
    # One rule for colours everywhere (a 1.5 channel is refused, not rounded): the checking layer's.
    return check_colour(name, value)


def get_theme(theme: Union[str, Theme, Mapping[str, Any], None] = None) -> Theme:
    """A :class:`Theme` from a name (``guide``, ``colorblind``, ``dark``), a Theme, or a mapping of overrides on the guide's.

    Examples
    --------
    >>> get_theme({"input": "#ff0000"}).input
    (255, 0, 0)
    """
    if theme is None:
        return THEMES["guide"]
    if isinstance(theme, Theme):
        return theme
    if isinstance(theme, str):
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
        return THEMES[theme]
    if isinstance(theme, Mapping):
        base = get_theme(theme.get("base", "guide"))
        names = {f.name for f in fields(Theme)}
        changes: dict[str, Any] = {}
        for key, value in theme.items():
            if key == "base":
                continue
            if key not in names:
                raise ValueError(f"theme has no colour {key!r}; known: {', '.join(sorted(names))}")
            if key == "shade_alpha":
                if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise ValueError(f"theme shade_alpha must be a number from 0 to 1, got {value!r}")
                changes[key] = float(value)
            else:
                changes[key] = _rgb(key, value)
        return replace(base, **changes)
    raise TypeError(f"theme must be a name, a Theme or a mapping, got {type(theme).__name__}")
