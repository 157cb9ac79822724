"""The words a figure carries, from the caption data of :mod:`convanim.core.caption`: the maps' names and the
caption as lines of whole pieces (a line may break between pieces, never inside one)."""
from __future__ import annotations

import re
from typing import Tuple

from ..core.caption import caption, map_labels, size_text
from ..core.formula import join_math
from ..core.spec import ConvTranspose, Pool, Spec

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

    The pieces are grouped so that a line breaks where a reader would: the layer and its sizes, then its
    parameters; the case of the guide, then the formula, then its numbers with the result (never a lone
    "= 3").  ``output_padding`` is named ``a`` as the guide's formula has it.

    Examples
    --------
    >>> from convanim import Conv
    >>> lines, math = caption_pieces(Conv(5, 3, s=2, p=1))
    >>> lines[0][1]
    '$k = 3$, $s = 2$, $p = 1$'
    >>> lines[1][0], math
    ('relationship 6 (zero padding, non-unit strides):', True)
    """
    out = []
    lines = caption(spec).lines(math=True, case=True)
    uses_a = isinstance(spec, ConvTranspose) and any(
        re.search(r"(?<![A-Za-z\\])a(?![A-Za-z])", p.replace(r"\mathrm{output\_padding}", ""))
        for row in lines[1:] for p in row if p.startswith("$"))
    for j, pieces in enumerate(lines):
        if j == 0:
            k = next((n for n, p in enumerate(pieces) if p.startswith("→")), 0) + 1
            params = [p.replace(r"\mathrm{output\_padding} = ", r"\mathrm{output\_padding} = a = ")
                      for p in pieces[k:]]
            if uses_a and not any("output\\_padding" in p for p in params):
                # The formula uses a (the general transposed form does): say what it is.
                a = spec.output_padding  # type: ignore[union-attr]  # only a ConvTranspose's formula has an a
                # One value per axis (1, 2 or 3 of them): one number where they agree.
                value = a[0] if len(set(a)) == 1 else "(" + ", ".join(map(str, a)) + ")"
                params = params[:-1] + [params[-1] + ","] if params else params
                params.append(rf"$\mathrm{{output\_padding}} = a = {value}$")
            out.append([join_math(pieces[:k])] + ([join_math(params)] if params else []))
            continue
        if len(pieces) < 3 or not all(p.startswith("$") for p in pieces[1:]) or pieces[0].startswith("$"):
            lead, maths = ([], pieces) if all(p.startswith("$") for p in pieces) else ([], [])
            if not maths:
                out.append(pieces)  # words (a note): break anywhere between them
                continue
        else:
            lead, maths = [pieces[0]], pieces[1:]
        if len(maths) >= 3:
            maths = maths[:-2] + [join_math(maths[-2:])]  # the numbers and the result stay together
        out.append(lead + maths)
    if getattr(spec, "channels", False) and not isinstance(spec, Pool):
        out.append(_cost_pieces(spec))
    return out, True


def _cost_pieces(spec: Spec) -> list:
    """What the layer costs, against the standard (ungrouped) convolution with the same channels: weights (bias
    apart) and multiply-adds, as caption pieces.

    Examples
    --------
    >>> from convanim import Conv
    >>> print(" | ".join(_cost_pieces(Conv(5, 3, c_in=4, c_out=4, groups=4))))
    weights $4{\\times}1{\\times}3{\\times}3 = 36$, multiply-adds $324$; | a standard convolution: $144$ and $1296$
    """
    shape = r"{\times}".join(str(n) for n in spec.weight_shape)  # type: ignore[union-attr]
    pieces = [f"weights ${shape} = {spec.n_weights}$, multiply-adds ${spec.macs}$"]
    if getattr(spec, "groups", 1) != 1:
        standard = spec.replace(groups=1)
        pieces[0] += ";"
        pieces.append(f"a standard convolution: ${standard.n_weights}$ and ${standard.macs}$")
    return pieces
