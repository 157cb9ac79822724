"""A plan's texts as LaTeX: plain text escaped, matplotlib mathtext turned into LaTeX maths.

Pure string work (no TeX needed).  The document is typeset by pdfLaTeX in the OT1 encoding with Computer Modern
(nothing beyond the base LaTeX fonts), so every character outside ASCII that convanim writes is mapped to a
command the base fonts have, in text as in maths.
"""
from __future__ import annotations

import re
from typing import Dict, List

__all__ = ["latex_lines", "latex_plain", "latex_math", "TEXT_SYMBOLS", "MATH_SYMBOLS"]

#: Characters convanim writes outside ASCII, as LaTeX maths (mathtext takes them inside ``$...$`` too).
MATH_SYMBOLS: Dict[str, str] = {
    "−": "-", "′": "'", "×": r"\times ", "→": r"\rightarrow ", "·": r"\cdot ", "∞": r"\infty ", "Σ": r"\Sigma ",
    "⌊": r"\lfloor ", "⌋": r"\rfloor ", "⌈": r"\lceil ", "⌉": r"\rceil ", "…": r"\ldots ", "°": r"^{\circ}",
    "≤": r"\leq ", "≥": r"\geq ", "≠": r"\neq ", "±": r"\pm ", "÷": r"\div ", "⋆": r"\star ", "∗": "*",
}
#: The same characters in running text: a short piece of maths each (the OT1 text fonts lack them), but for
#: a few that text fonts have.
TEXT_SYMBOLS: Dict[str, str] = {ch: r"\(" + cmd.strip() + r"\)" for ch, cmd in MATH_SYMBOLS.items()}
TEXT_SYMBOLS.update({"…": r"\ldots{}", "′": r"\('\)", "−": r"\(-\)"})

# ASCII that LaTeX reads as commands, or that OT1 draws as another glyph (< > | are inverted marks there).
_ASCII: Dict[str, str] = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
# mathtext's own font commands and their LaTeX equivalents (mathtext's "default" is the text's font).
_MATH_COMMANDS = {r"\mathdefault": None, r"\mathregular": None}
_DOLLAR = re.compile(r"(?<!\\)\$")


def latex_plain(text: str) -> str:
    r"""One line of plain text as LaTeX text: specials escaped, symbols as maths, spaces kept.

    Runs of spaces stay as wide as they were (TeX would fold them into one), and ``--`` is kept from becoming a
    dash.  A character neither ASCII, nor Latin-1 (which LaTeX's UTF-8 input reads), nor one convanim writes
    becomes ``?``: a file that always compiles over one that stops on a character the fonts lack.

    Examples
    --------
    >>> latex_plain("input 5×5 → 50% of x_1")
    'input 5\\(\\times\\)5 \\(\\rightarrow\\) 50\\% of x\\_1'
    """
    out: List[str] = []
    prev = ""
    for ch in text:
        if ch in _ASCII:
            out.append(_ASCII[ch])
        elif ch in TEXT_SYMBOLS:
            out.append(TEXT_SYMBOLS[ch])
        elif ch == " " and prev == " ":
            out.append(r"\ ")
        elif ch == "-" and prev == "-":
            out.append("{}-")
        elif ch == "`" or (ch == "'" and prev == "'"):
            out.append(r"{}'" if ch == "'" else r"\`{}")
        elif ord(ch) < 128 or 0xA0 <= ord(ch) <= 0xFF:
            out.append(ch if ch.isprintable() else " ")
        else:
            out.append("?")
        prev = ch
    return "".join(out)


def latex_math(body: str, *, sans: bool = True) -> str:
    r"""The inside of a mathtext ``$...$`` as LaTeX maths.

    mathtext is LaTeX's maths but for a few commands and for taking Unicode symbols; ``\mathdefault`` (the
    text's own font) becomes ``\mathsf`` next to sans-serif text, else ``\mathrm``.

    Examples
    --------
    >>> latex_math(r"o′ = s(i′ − 1) + k", sans=False)
    "o' = s(i' - 1) + k"
    >>> latex_math(r"\mathdefault{10^{2}}")
    '\\mathsf{10^{2}}'
    """
    for cmd in _MATH_COMMANDS:
        body = body.replace(cmd, r"\mathsf" if sans else r"\mathrm")
    out: List[str] = []
    for ch in body:
        if ch in MATH_SYMBOLS:
            out.append(MATH_SYMBOLS[ch])
        elif ord(ch) < 128 or (ch.isalpha() and ord(ch) <= 0xFF):
            out.append(ch)
        else:
            out.append("?")
    # A command name must not run into the letter after it (r"\times x" kept apart): the table's entries end
    # in a space where that matters; spaces are not seen in maths.
    return "".join(out)


def latex_lines(text: str, math: bool = False, *, sans: bool = True) -> List[str]:
    r"""``text`` (lines split at ``\n``, as matplotlib splits them) as LaTeX, one string per line.

    With ``math``, each line is mathtext: pieces between unescaped ``$`` are maths, the rest plain text (an
    escaped ``\$`` is a dollar sign), as matplotlib parses it.

    Examples
    --------
    >>> latex_lines(r"input $x$, 4×4" + "\n" + "(convolution)", math=True)
    ['input \\(x\\), 4\\(\\times\\)4', '(convolution)']
    """
    lines: List[str] = []
    for line in text.split("\n"):
        if not math or len(_DOLLAR.findall(line)) < 2:
            lines.append(latex_plain(line.replace(r"\$", "$") if math else line))
            continue
        parts = _DOLLAR.split(line)
        if len(parts) % 2 == 0:  # an odd number of $: matplotlib reads the last one as text
            parts = parts[:-2] + [parts[-2] + "$" + parts[-1]]
        pieces = []
        for j, piece in enumerate(parts):
            if j % 2:
                pieces.append(r"\(" + latex_math(piece, sans=sans) + r"\)")
            else:
                pieces.append(latex_plain(piece.replace(r"\$", "$")))
        lines.append("".join(pieces))
    return lines
