"""convanim: the convolution arithmetic of Dumoulin & Visin, drawn right.

The pure layers (specs, arithmetic, values, geometry) import without
matplotlib; the drawing functions load it on first use.

Examples
--------
>>> import convanim as ca
>>> ca.Conv(5, 3, s=2, p=1).output_shape
(3, 3)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
)
from .core.geometry import Frame, Scene, scene
from .core.numerics import apply, conv_matrix
from .core.receptive import overlap
from .core.separable import Separable, separable
from .core.spec import Conv, ConvTranspose, Pool
from .core.stack import Stack, receptive_field

if TYPE_CHECKING:
    # What type checkers see for the names loaded on first use (below): their real signatures, not Any.
    from .core.matrix import matrix_symbols, tap_matrix
    from .drawing.api import draw, figure, plan
    from .drawing.figures import channels_figure, kernel_figure, positions_figure, subsampling_figure
    from .drawing.layout import layout
    from .drawing.plan import Plan
    from .drawing.theme import THEMES, Theme
    from .io.formats import formats, register_format
    from .io.html import Player, to_html
    from .io.render import animation, render
    from .io.sphinx_gallery import sphinx_gallery_scraper

__version__ = "0.1.0"

__all__ = [
    "Conv", "ConvTranspose", "Pool",
    "conv_output_size", "conv_transpose_output_size", "pool_output_size",
    "apply", "conv_matrix",
    "scene", "Scene", "Frame",
    "separable", "Separable",
    "Stack", "receptive_field", "overlap",
    "__version__",
    # loaded on first use (see _LAZY): they import matplotlib
    "layout", "Theme", "THEMES", "draw", "figure", "animation", "render",
    "kernel_figure", "channels_figure", "subsampling_figure", "positions_figure",
    "tap_matrix", "sphinx_gallery_scraper", "matrix_symbols", "Player", "to_html",
    "plan", "Plan", "formats", "register_format",
]

_LAZY = {
    "layout": ("convanim.drawing.layout", "layout"),
    "Theme": ("convanim.drawing.theme", "Theme"),
    "THEMES": ("convanim.drawing.theme", "THEMES"),
    "draw": ("convanim.drawing.api", "draw"),
    "figure": ("convanim.drawing.api", "figure"),
    "animation": ("convanim.io.render", "animation"),
    "render": ("convanim.io.render", "render"),
    "kernel_figure": ("convanim.drawing.figures", "kernel_figure"),
    "channels_figure": ("convanim.drawing.figures", "channels_figure"),
    "subsampling_figure": ("convanim.drawing.figures", "subsampling_figure"),
    "positions_figure": ("convanim.drawing.figures", "positions_figure"),
    "tap_matrix": ("convanim.core.matrix", "tap_matrix"),
    "sphinx_gallery_scraper": ("convanim.io.sphinx_gallery", "sphinx_gallery_scraper"),
    "matrix_symbols": ("convanim.core.matrix", "matrix_symbols"),
    "Player": ("convanim.io.html", "Player"),
    "to_html": ("convanim.io.html", "to_html"),
    "plan": ("convanim.drawing.api", "plan"),
    "Plan": ("convanim.drawing.plan", "Plan"),
    "formats": ("convanim.io.formats", "formats"),
    "register_format": ("convanim.io.formats", "register_format"),
}


def _get_sg_image_scraper() -> Any:
    """The hook sphinx-gallery calls for ``image_scrapers = ("convanim",)``."""
    from .io.sphinx_gallery import sphinx_gallery_scraper

    return sphinx_gallery_scraper


def __getattr__(name: str) -> Any:
    # The drawing layer imports matplotlib; load it only when asked, so that
    # `import convanim` (and a no-op gallery rebuild) stays fast.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'convanim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
