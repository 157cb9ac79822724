"""The words a figure carries, from the caption data of :mod:`convanim.core.caption`: the maps' names and the
caption as lines of whole pieces (a line may break between pieces, never inside one)."""
from __future__ import annotations

from typing import Tuple

from ..core.caption import caption, map_labels, size_text
from ..core.spec import Spec

__all__ = ["caption_pieces", "map_label", "shape_label"]


def shape_label(shape: Tuple[int, ...]) -> str:
    """``(5, 7)`` -> ``"5×7"`` (a size, not a product to compute).

    Examples
    --------
    >>> shape_label((2, 3, 3, 3))
    '2×3×3×3'
    """
    if len(shape) == 2:
        return size_text((shape[0], shape[1]))
    return "×".join(str(n) for n in shape)


def map_label(spec: Spec) -> Tuple[str, str]:
    """The names of the input and output maps, saying plainly what they are.

    Examples
    --------
    >>> from convanim import Conv
    >>> map_label(Conv(6, 3, s=2, p=1).transpose())
    ('input 3×3', 'output 6×6\\n(transposed convolution)')
    """
    inp, out = map_labels(spec)
    return "\n".join(inp.lines()), "\n".join(out.lines())


def caption_pieces(spec: Spec) -> Tuple[list, bool]:
    """The caption as lines of whole mathtext pieces, and ``True`` (they are mathtext).

    Examples
    --------
    >>> from convanim import Conv
    >>> lines, math = caption_pieces(Conv(5, 3, s=2, p=1))
    >>> lines[1][0], math
    ('relationship 6:', True)
    """
    return caption(spec).lines(math=True), True
