"""The gallery's page (``index.html``) and ``README.md``, for the cases that have been built.

The page links only what a checkout of the repository holds (the GIFs and the players); the
PDF and PNG frames, which are not committed, are named with the command that
writes them.
"""
from __future__ import annotations

import html
import re
from typing import Any, Sequence

from .catalogue import SECTIONS, Case
from .status import frame_names

__all__ = ["render_index", "BUILD_HINT"]

#: How to get the frames the page names but does not link.
BUILD_HINT = ("<code>python -m convanim gallery --out DIR</code> (in a checkout: "
              "<code>python scripts/build_gallery.py</code>)")

_STILL_WHAT = {"kernel": "the kernel alone, with its weights (section 1.1)",
               "channels": "several input maps convolved into several output maps (Figure 1.3)",
               "subsampling": "strides seen as subsampling (Figure 1.4)",
               "positions": "counting kernel positions (Figure 2.8)"}


def _case_info(case: Case) -> dict[str, Any]:
    spec = case.spec()
    if spec is None or case.still:
        kind = case.table["kind"]
        extra = [spec.describe().splitlines()[1]] if spec is not None else []
        return {"spec": repr(spec) if spec is not None else f"{kind}_figure", "lines": [_STILL_WHAT[kind]] + extra,
                "relationship": spec.relationship if spec is not None else None, "input": "", "output": ""}
    lines = spec.describe().splitlines()
    if case.table.get("kind") == "stack":  # its table reads badly in a cell: its layers and what one cell sees
        lines = [lines[0], spec.text(), lines[-1]]  # type: ignore[union-attr]
    return {"spec": lines[0].split(":")[0], "lines": lines[1:], "relationship": getattr(spec, "relationship", None),
            "input": "x".join(map(str, spec.input_shape)), "output": "x".join(map(str, spec.output_shape))}


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: str) -> str:
    r"""``text`` as literal Markdown inside a table cell or a heading: on one line, HTML escaped (as ``index.html``
    does), and every character Markdown reads (``|`` ends a cell, ``#`` starts a heading, ``*`` emphasis...) escaped.

    Examples
    --------
    >>> print(md_text("a | b\n# <script>"))
    a \| b # &lt;script&gt;
    """
    one_line = " ".join(str(text).split())  # a newline would end the table row (or the heading)
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


def _frames_text(name: str, n: int) -> str:
    names = frame_names(name, n)
    span = f"<code>{names[0]}</code>" if n == 1 else f"<code>{names[0]}</code> &hellip; <code>{names[-1]}</code>"
    return f"{n} frame{'s' if n != 1 else ''} as PDF and PNG: {span}"


def render_index(cases: Sequence[Case], manifest: dict[str, Any]) -> tuple[bytes, bytes]:
    """``index.html`` and ``README.md`` for the cases of ``cases`` that ``manifest`` lists as built.

    Examples
    --------
    >>> case = Case("tiny", {"kind": "conv", "i": 3, "k": 2, "title": "Tiny"})
    >>> page, readme = render_index([case], {"cases": {"tiny": {"frames": 4}}})
    >>> b'src="gif/tiny.gif"' in page, b"pdf/tiny_00.pdf" in page
    (True, False)
    """
    built = [c for c in cases if c.name in manifest["cases"]]
    by_section: dict[str, list[Case]] = {}
    for c in built:
        by_section.setdefault(c.section, []).append(c)
    order = [s for s in SECTIONS if s in by_section] + [s for s in by_section if s not in SECTIONS]
    h = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         "<title>convanim gallery: convolution arithmetic</title>",
         "<style>body{font-family:sans-serif;margin:2em;color:#073642}"
         "section{margin-bottom:2em}.grid{display:flex;flex-wrap:wrap;gap:1.5em}"
         "figure{margin:0;width:320px}figure img{max-width:100%}figcaption{font-size:.85em}"
         "code{font-size:.95em}</style></head><body>",
         "<h1>Convolution arithmetic</h1>",
         "<p>The figures of Dumoulin &amp; Visin, <em>A guide to convolution arithmetic for deep learning</em>, "
         "drawn by convanim. Blue: the input; dashed: padding (and the zeros a transposed convolution inserts); "
         "the dark shade: the kernel; cyan: the output.</p>",
         f"<p>Each frame is also written as a PDF (in <code>pdf/</code>) and a PNG (in <code>png/</code>); the "
         f"repository keeps only the GIFs: {BUILD_HINT} writes the frames next to this page.</p>"]
    md = ["# convanim gallery", "",
          "The animations of Dumoulin & Visin's *A guide to convolution arithmetic for deep learning*, drawn by "
          "convanim. Blue: the input (bottom); dashed: padding and inserted zeros; shade: the kernel; "
          "cyan: the output (top).", "",
          "Every frame is also written as `pdf/NAME_NN.pdf` and `png/NAME_NN.png` by "
          "`python -m convanim gallery --out DIR` (in a checkout: `python scripts/build_gallery.py`); the "
          "repository keeps only the GIFs.", ""]
    for section in order:
        h.append(f'<section><h2>{html.escape(section)}</h2><div class="grid">')
        md += [f"## {md_text(section)}", "", "| | case | input -> output | relationship, formula |", "|---|---|---|---|"]
        for c in by_section[section]:
            info = _case_info(c)
            frames = int(manifest["cases"][c.name]["frames"])
            rel = info["relationship"]
            rel_text = "none in the guide" if rel is None else f"relationship {rel}"
            maps = (f"input {info['input']} (blue, bottom) &rarr; output {info['output']} (cyan, top); "
                    if info["input"] else "")
            title = c.title
            h.append(
                f'<figure id="{c.name}"><a href="html/{c.name}.html" title="open the player: play, pause, step, '
                f'point at a cell"><img src="gif/{c.name}.gif" alt="{html.escape(title)}"></a>'
                f"<figcaption><strong>{html.escape(title)}</strong><br><code>{html.escape(info['spec'])}</code><br>"
                f"{maps}{html.escape(rel_text)}<br>"
                + "<br>".join(f"<code>{html.escape(line)}</code>" for line in info["lines"])
                + f"<br>{_frames_text(c.name, frames)}</figcaption></figure>")
            formula = "<br>".join(f"`{line}`" for line in info["lines"])
            sizes = f"{info['input']} -> {info['output']}" if info["input"] else ""
            md.append(f"| ![{c.name}](gif/{c.name}.gif) | **{md_text(title)}**<br>`{info['spec']}` | {sizes} | "
                      f"{formula} |")
        h.append("</div></section>")
        md.append("")
    h.append("</body></html>")
    return ("\n".join(h) + "\n").encode(), ("\n".join(md) + "\n").encode()
