"""Numbers in cells, fitted once per figure: how a value is written, the largest size at which strings fit a
cell, and the one routine that sizes a grid's values, outputs and kernel weights together (every grid view,
one map, channels or depth slices, uses it, so that the same layer is written alike in each).
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from .shapes import fit_box
from .textsize import Measure

__all__ = ["format_value", "cell_texts", "fit_numbers"]


def format_value(v: float, decimals: int = 0) -> str:
    """How a number is written in a cell: integers plainly (or with ``decimals``), others with one decimal.

    Examples
    --------
    >>> format_value(3.0), format_value(2.5), format_value(17.0, 1), format_value(float("-inf"))
    ('3', '2.5', '17.0', '−∞')
    """
    if np.isinf(v):
        return "−∞" if v < 0 else "∞"
    if decimals == 0 and float(v).is_integer():
        text = str(int(v))
    else:
        text = f"{v:.{max(decimals, 1)}f}"
    return text.replace("-", "−")  # a real minus sign


def cell_texts(strings: list[str], cell: np.ndarray, measure: Measure, towards: Optional[Tuple[float, float]] = None,
               avoid: Optional[Tuple[float, float]] = None, cap: float = 0.45) -> Tuple[float, np.ndarray]:
    """The largest size (points per plan unit) at which every string fits the cell ``cell`` (a quad with its
    corner 0 at the origin), and where its centre goes (offset from corner 0).

    ``towards`` pushes the box into a corner (weights); ``avoid`` is the ``(w, h)`` of a centred box it must
    not overlap.  Sizes are linear in the scale, so this is decided once per figure.
    """
    widest = max(strings, key=lambda s: measure(s, 1.0, False)[0]) if strings else "0"
    w1, h1 = measure(widest, 1.0, False)
    centre = cell.mean(axis=0)
    lo, hi, best = 0.0, cap, None
    for _ in range(24):
        f = (lo + hi) / 2
        pos = fit_box(cell, w1 * f, h1 * f, towards=towards, margin=0.07)
        ok = pos is not None
        if pos is not None and avoid is not None:
            aw, ah = avoid
            ok = (abs(pos[0] - centre[0]) >= (aw + w1 * f) / 2 + 0.02
                  or abs(pos[1] - centre[1]) >= (ah + h1 * f) / 2 + 0.02)
        if ok:
            lo, best = f, pos
        else:
            hi = f
    if best is None:
        return 0.0, centre
    return lo, best


def fit_numbers(canvas_strings: Sequence[str], output_strings: Sequence[str], weight_strings: Sequence[str],
                cell: np.ndarray, ocell: np.ndarray, measure: Measure, corner: Tuple[float, float]) -> dict[str, Any]:
    """Text sizes per unit of scale of a grid's canvas values (``"number"``), outputs (``"output"``) and kernel
    weights (``"weight"``), and where in a cell a weight goes (``"weight_pos"``, towards ``corner``).

    Where weights and values cannot both be legible, the values come down, step by step, until the weights are at
    least 0.7 of them; failing that, the split whose smaller text is the largest.

    Examples
    --------
    >>> from convanim.drawing.textsize import estimate
    >>> quad = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    >>> f = fit_numbers(["3", "12"], ["40"], ["2"], quad, quad, estimate, (1.0, -1.0))
    >>> f["weight"] < f["number"] <= 0.42
    True
    """
    m = measure
    fn, _ = cell_texts(list(canvas_strings), cell, m, cap=0.42)
    fo, _ = cell_texts(list(output_strings), ocell, m, cap=0.38)
    fw, wpos = 1.0, cell.mean(axis=0)
    if weight_strings:
        widest = max(canvas_strings, key=lambda s: m(s, 1.0, False)[0])
        best: Any = None
        for shrink in (1.0, 0.9, 0.8, 0.7, 0.6):
            fw, wpos = cell_texts(list(weight_strings), cell, m, towards=corner, avoid=m(widest, fn * shrink, False),
                                  cap=0.3)
            if best is None or min(fn * shrink, fw) > min(best[0], best[1]) + 1e-9:
                best = (fn * shrink, fw, wpos)
            if fw >= 0.7 * fn * shrink:
                best = (fn * shrink, fw, wpos)
                break
        fn, fw, wpos = best
    return {"number": fn, "output": fo, "weight": fw, "weight_pos": wpos}
