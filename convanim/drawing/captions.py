"""The words a figure carries: the maps' names and the caption, as whole pieces that lines may break between."""
from __future__ import annotations

import re
from typing import Tuple

from ..core.spec import ConvTranspose, Pool, Spec

__all__ = ["caption_pieces", "map_label", "shape_label"]


def shape_label(shape: Tuple[int, ...]) -> str:
    """``(5, 7)`` -> ``"5×7"`` (a size, not a product to compute)."""
    return "×".join(str(n) for n in shape)


def map_label(spec: Spec) -> Tuple[str, str]:
    """The names of the input and output maps, saying plainly what they are.

    Examples
    --------
    >>> from convanim import Conv
    >>> map_label(Conv(6, 3, s=2, p=1).transpose())
    ('input 3×3', 'output 6×6\\n(transposed convolution)')
    """
    if isinstance(spec, ConvTranspose):
        kind = "transposed convolution"
    elif isinstance(spec, Pool):
        kind = f"{spec.mode} pooling"
    else:
        kind = "convolution"
    return f"input {shape_label(spec.input_shape)}", f"output {shape_label(spec.output_shape)}\n({kind})"


def caption_pieces(spec: Spec) -> Tuple[list, bool]:
    """The caption as lines of whole pieces (a line may break between pieces, never inside one).

    Returns the lines and whether the pieces are mathtext.

    Examples
    --------
    >>> from convanim import Conv
    >>> lines, math = caption_pieces(Conv(5, 3, s=2, p=1))
    >>> lines[1]
    ['relationship 6:', 'o = floor((i + 2p - k) / s) + 1', '= floor((5 + 2*1 - 3) / 2) + 1', '= 3']
    """
    text = spec.describe().splitlines()
    head = text[0].replace(" -> ", " → ")
    head = re.sub(r"(\d+)x(\d+)", r"\1×\2", head)
    out = [[part.strip() + ("," if j < len(head.split(",")) - 1 else "")
            for j, part in enumerate(head.split(","))]]
    for line in text[1:]:
        if line.startswith("direct view"):
            continue
        m = re.match(r"^((?:\w+: )?relationship \d+) \(.*?\):\s*(.*)$", line)
        lead, rest = (m.group(1) + ":", m.group(2)) if m else ("", line)
        parts = [p.strip() for p in rest.split(" = ")]
        pieces = ([lead] if lead else []) + [parts[0] + " = " + parts[1] if len(parts) > 1 else parts[0]]
        pieces += ["= " + p for p in parts[2:]]
        out.append(pieces)
    return out, False
