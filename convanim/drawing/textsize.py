"""How much room a text takes, without matplotlib: advance widths of DejaVu Sans (matplotlib's default font).

The plan lays text out with a *measure*: a function ``(text, size_pt, math) -> (width_pt, height_pt)``.
:func:`estimate` is the pure one, used by the plan's own tests; the painter hands the plan a measure that
asks matplotlib (the user's fonts), so that what is checked here is what gets drawn.
"""
from __future__ import annotations

import re
from typing import Callable, Tuple

__all__ = ["Measure", "estimate", "LINE_HEIGHT", "LINE_SPACING"]

Measure = Callable[[str, float, bool], Tuple[float, float]]

#: A line's height, in ems, as matplotlib's text extents count it (ascent and descent of "lp").
LINE_HEIGHT = 1.2
#: Baseline to baseline, in ems, for text of several lines.
LINE_SPACING = 1.25

_WIDE = 0.838
_ADVANCE = {
    " ": 0.318, "!": 0.401, '"': 0.46, "#": 0.838, "$": 0.636, "%": 0.95, "&": 0.78, "'": 0.275, "(": 0.39,
    ")": 0.39, "*": 0.5, "+": 0.838, ",": 0.318, "-": 0.361, ".": 0.318, "/": 0.337, ":": 0.337, ";": 0.337,
    "<": 0.838, "=": 0.838, ">": 0.838, "?": 0.531, "@": 1.0, "[": 0.39, "\\": 0.337, "]": 0.39, "^": 0.838,
    "_": 0.5, "`": 0.5, "{": 0.636, "|": 0.337, "}": 0.636, "~": 0.838, "×": 0.838, "−": 0.838, "→": 0.838,
    "′": 0.227, "·": 0.318, "…": 1.0, "⌊": 0.39, "⌋": 0.39, "⌈": 0.39, "⌉": 0.39, "Σ": 0.72,
    "A": 0.684, "B": 0.686, "C": 0.698, "D": 0.77, "E": 0.632, "F": 0.575, "G": 0.775, "H": 0.752, "I": 0.295,
    "J": 0.295, "K": 0.656, "L": 0.557, "M": 0.863, "N": 0.748, "O": 0.787, "P": 0.603, "Q": 0.787, "R": 0.695,
    "S": 0.635, "T": 0.611, "U": 0.732, "V": 0.684, "W": 0.989, "X": 0.685, "Y": 0.611, "Z": 0.685,
    "a": 0.613, "b": 0.635, "c": 0.55, "d": 0.635, "e": 0.615, "f": 0.352, "g": 0.635, "h": 0.634, "i": 0.278,
    "j": 0.278, "k": 0.579, "l": 0.278, "m": 0.974, "n": 0.634, "o": 0.612, "p": 0.635, "q": 0.635, "r": 0.411,
    "s": 0.521, "t": 0.392, "u": 0.634, "v": 0.592, "w": 0.818, "x": 0.592, "y": 0.592, "z": 0.525,
}
_DIGIT = 0.636

# Mathtext commands and what they stand for, for estimating only.
_COMMANDS = {
    r"\lfloor": "⌊", r"\rfloor": "⌋", r"\lceil": "⌈", r"\rceil": "⌉", r"\times": "×", r"\cdot": "·",
    r"\rightarrow": "→", r"\to": "→", r"\prime": "′", r"\sum": "Σ", r"\Sigma": "Σ", r"\ ": " ", r"\,": " ",
    r"\;": " ", r"\quad": "  ", r"\!": "", r"\minus": "−",
}


def _plain_width(text: str) -> float:
    return sum(_DIGIT if ch.isdigit() else _ADVANCE.get(ch, 0.7) for ch in text)


def _math_width(text: str) -> float:
    # Mathtext sets letters in italics and puts a little space around operators: count them wide.
    body = text
    for cmd, rep in sorted(_COMMANDS.items(), key=lambda kv: -len(kv[0])):
        body = body.replace(cmd, rep)
    body = re.sub(r"\\(mathrm|mathit|mathbf|text)\{([^}]*)\}", r"\2", body)
    body = re.sub(r"[_^]\{([^}]*)\}", lambda m: "\x00" * len(m.group(1)), body)  # sub/superscripts: smaller
    body = re.sub(r"[_^](.)", "\x00", body)
    body = body.replace("{", "").replace("}", "").replace("$", "")
    small = body.count("\x00") * 0.45
    body = body.replace("\x00", "")
    ops = sum(body.count(op) for op in "+−-=×·→<>")
    return (_plain_width(body) + small + 0.25 * ops) * 1.05


def estimate(text: str, size: float, math: bool = False) -> Tuple[float, float]:
    """``(width, height)`` in points of ``text`` set at ``size`` points (several lines stack).

    Examples
    --------
    >>> w, h = estimate("12.0", 10.0)
    >>> round(w, 1), round(h, 1)
    (22.3, 12.0)
    """
    lines = text.split("\n")
    widths = []
    for line in lines:
        segments = line.split("$")
        w = 0.0
        for j, seg in enumerate(segments):
            w += _math_width(seg) if (math and j % 2 == 1) else _plain_width(seg)
        widths.append(w)
    height = LINE_HEIGHT + LINE_SPACING * (len(lines) - 1)
    if math and any("lfloor" in ln or "lceil" in ln or "_" in ln or "^" in ln for ln in lines):
        height += 0.15
    return max(widths) * size, height * size
