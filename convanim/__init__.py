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

from typing import Any

from .arithmetic import conv_output_size, conv_transpose_output_size, pool_output_size
from .geometry import Frame, Scene, layout, scene
from .numerics import apply, conv_matrix
from .spec import Conv, ConvTranspose, Pool

__version__ = "0.1.0"

__all__ = [
    "Conv", "ConvTranspose", "Pool",
    "conv_output_size", "conv_transpose_output_size", "pool_output_size",
    "apply", "conv_matrix",
    "scene", "Scene", "Frame", "layout",
    "__version__",
]

_LAZY = {
    "Theme": ("convanim.theme", "Theme"),
    "THEMES": ("convanim.theme", "THEMES"),
    "draw": ("convanim.api", "draw"),
    "figure": ("convanim.api", "figure"),
    "animation": ("convanim.api", "animation"),
    "render": ("convanim.api", "render"),
    "kernel_figure": ("convanim.figures", "kernel_figure"),
    "channels_figure": ("convanim.figures", "channels_figure"),
    "subsampling_figure": ("convanim.figures", "subsampling_figure"),
    "positions_figure": ("convanim.figures", "positions_figure"),
    "tap_matrix": ("convanim.matrix", "tap_matrix"),
    "sphinx_gallery_scraper": ("convanim.sphinx_gallery", "sphinx_gallery_scraper"),
    "matrix_symbols": ("convanim.matrix", "matrix_symbols"),
}
__all__ += list(_LAZY)


def _get_sg_image_scraper() -> Any:
    """The hook sphinx-gallery calls for ``image_scrapers = ("convanim",)``."""
    from .sphinx_gallery import sphinx_gallery_scraper

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
