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
from .numerics import apply, conv_matrix
from .spec import Conv, ConvTranspose, Pool

__version__ = "0.1.0"

__all__ = [
    "Conv", "ConvTranspose", "Pool",
    "conv_output_size", "conv_transpose_output_size", "pool_output_size",
    "apply", "conv_matrix",
    "__version__",
]
