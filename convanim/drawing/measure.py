"""Text extents measured by matplotlib itself, with the caller's fonts (rcParams), for the plan to lay out."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Tuple

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["mpl_measure", "math_family"]

_DPI = 144.0
_REF = 48.0  # points: the size texts are measured at


def math_family() -> str:
    """The mathtext font family that goes with the text's: serif text gets serif formulas."""
    import matplotlib

    family = matplotlib.rcParams["font.family"]
    first = (family[0] if isinstance(family, (list, tuple)) and family else str(family)).lower()
    if first in ("serif", "times", "times new roman", "dejavu serif", "stix", "stixgeneral", "cmu serif"):
        return "dejavuserif"
    return str(matplotlib.rcParams["mathtext.fontset"])


@lru_cache(maxsize=1)
def _scratch() -> Tuple[Figure, Any]:
    fig = Figure(dpi=_DPI)
    canvas = FigureCanvasAgg(fig)
    return fig, canvas.get_renderer()


def mpl_measure(text: str, size: float, math: bool = False) -> Tuple[float, float]:
    """``(width, height)`` in points of ``text`` at ``size`` points, as matplotlib lays it out.

    Examples
    --------
    >>> w, h = mpl_measure("12.0", 10.0)
    >>> 20 < w < 25 and 9 < h < 13
    True
    """
    import matplotlib

    # Extents are linear in the size but for the hinting of tiny sizes: measure large, then scale.
    key = (text, bool(math), math_family(), matplotlib.rcParams["font.family"][0],
           tuple(matplotlib.rcParams["font.sans-serif"][:1]), tuple(matplotlib.rcParams["font.serif"][:1]),
           matplotlib.rcParams["text.usetex"])
    w, h = _cached(key)
    return (w * size / _REF, h * size / _REF)


@lru_cache(maxsize=4096)
def _cached(key: tuple) -> Tuple[float, float]:
    text, math, size = key[0], key[1], _REF
    fig, renderer = _scratch()
    s = text if math else text.replace("$", r"\$")
    art = fig.text(0, 0, s, fontsize=size, linespacing=1.25 if "\n" in s else None, math_fontfamily=key[2])
    try:
        box = art.get_window_extent(renderer)
    finally:
        art.remove()
    return (float(box.width) * 72.0 / _DPI, float(box.height) * 72.0 / _DPI)
