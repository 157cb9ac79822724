"""The TikZ painter: the LaTeX text against the plan, and pdfLaTeX compiling it to the figure's pages.

Compiling needs pdflatex (and pdfinfo, pdftoppm to read the pages back); where they are absent these tests skip,
but not in CI (CI=true), where they must run.
"""
from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convanim as ca
from convanim.core.stack import Stack
from convanim.drawing import figures
from convanim.drawing.plan import line_scale
from convanim.drawing.theme import THEMES
from convanim.io.latex_text import latex_lines, latex_math, latex_plain
from convanim.io.tikz import TikzWriter, _Colours, _n, tikz_document

PS = ca.Conv(5, 3, s=2, p=1)
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


def need(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        (pytest.fail if IN_CI else pytest.skip)(f"{', '.join(missing)} needed (Debian: texlive-latex-base "
                                                 "texlive-latex-recommended texlive-pictures poppler-utils)")


def plan_of(spec, **kw):
    return ca.plan(spec, **kw)


def compile_tex(tex: Path) -> Path:
    """pdflatex ``tex`` in its folder; the PDF, after checking the log for missing glyphs and font sizes."""
    need("pdflatex")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tex.parent,
                       capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:]
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "Missing character" not in log
    assert not re.search(r"size <[\d.]+> substituted", log)  # every size drawn as asked (fix-cm)
    return tex.with_suffix(".pdf")


def pages(pdf: Path) -> list:
    """``[(width, height)]`` in points (1/72 in) of every page."""
    need("pdfinfo")
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    sizes = [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)]
    assert len(sizes) == n
    return sizes


def still_plan():
    return figures.subsampling_plan(5, 3, 2)


CASES = {
    "conv_numbers_labels_caption": lambda: plan_of(PS, numbers=True, labels=True, caption=True),
    "transposed": lambda: plan_of(ca.Conv(4, 3, s=2).transpose(), labels=True, caption=True),
    "three_channels": lambda: plan_of(ca.Conv(4, 3, c_in=3, c_out=2), numbers=True, labels=True, caption=True),
    "stack": lambda: plan_of(Stack.from_text("conv k=3; conv k=3 s=2", 9), labels=True, caption=True),
    "matrix_both": lambda: plan_of(ca.Conv(4, 3), view="both", numbers=True, labels=True, caption=True),
    "flat_dark": lambda: plan_of(PS, style="flat", numbers=True, theme="dark", caption=True),
    "still": still_plan,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pdflatex_compiles_a_page_per_frame_each_the_figures_box(tmp_path, name):
    need("pdflatex", "pdfinfo")
    plan = CASES[name]()
    tex = tmp_path / f"{name}.tex"
    with TikzWriter(tex, plan) as w:
        for t in range(plan.n_frames):
            w.add_frame(t)
    sizes = pages(compile_tex(tex))
    assert len(sizes) == plan.n_frames
    w_in, h_in = plan.figsize()
    for size in sizes:
        assert size == pytest.approx((72 * w_in, 72 * h_in), abs=0.01)


def test_render_and_the_cli_write_tex(tmp_path):
    out = ca.render(PS, tmp_path / "ps.tex", numbers=True)
    assert out == tmp_path / "ps.tex"
    text = out.read_text(encoding="utf-8")
    assert text.count("\\begin{tikzpicture}") == 9 and text.startswith("% Conv(i=5, k=3, s=2, p=1): 9 frames")
    one = ca.render(PS, tmp_path / "one.tex", frame=-1).read_text(encoding="utf-8")
    assert one.count("\\begin{tikzpicture}") == 1 and "% frame 8\n" in one
    assert ".tex" in ca.formats()  # in the registry: a plan renders as a spec does
    plan = ca.plan(PS, numbers=True)
    assert ca.render(plan, tmp_path / "plan.tex").read_text(encoding="utf-8") == text
    from convanim.cli import main

    assert main(["render", "-i", "4", "-k", "3", "-o", str(tmp_path / "cli.tex")]) == 0
    assert (tmp_path / "cli.tex").read_text(encoding="utf-8").count("\\begin{tikzpicture}") == 4


def test_same_plan_same_bytes_and_render_is_deterministic(tmp_path):
    assert tikz_document(plan_of(PS, numbers=True)) == tikz_document(plan_of(PS, numbers=True))
    a = ca.render(PS, tmp_path / "a.tex", labels=True, caption=True).read_bytes()
    b = ca.render(PS, tmp_path / "b.tex", labels=True, caption=True).read_bytes()
    assert a == b


def test_every_text_of_the_plan_is_in_the_document_and_the_theme_defines_the_colours():
    plan = plan_of(PS, numbers=True, labels=True, caption=True, theme="colorblind")
    doc = tikz_document(plan, [0])
    for t in plan.texts:
        for line in latex_lines(t.text, t.math):
            assert line in doc, t.text
    th = THEMES["colorblind"]
    for name, rgb in (("caInput", th.input), ("caOutput", th.output), ("caLine", th.line), ("caText", th.text),
                      ("caBackground", th.background), ("caShade", th.shade)):
        assert f"\\definecolor{{{name}}}{{RGB}}{{{rgb[0]},{rgb[1]},{rgb[2]}}}" in doc
    assert "fill opacity=0.35" in doc  # the kernel's shade, at the theme's alpha
    # the kernel's weights (a mover's texts) are written in the frame
    weights = next(m for m in plan.movers if m.kind == "texts")
    for s in weights.strings:
        assert f"\\convanimstrut {s}}}" in doc


def frame_picture(doc: str, t: int) -> str:
    return doc.split(f"% frame {t}\n")[1].split("\\end{tikzpicture}")[0]


def test_each_frame_puts_the_movers_where_the_plan_says():
    plan = plan_of(PS, numbers=True)
    doc = tikz_document(plan)
    x0, _, y0, _ = plan.bounds
    names = _Colours(plan.theme)  # the theme's names (caText, caBackground...), else caRRGGBB

    def corner(p):
        return f"({_n((p[0] - x0) * plan.unit)},{_n((p[1] - y0) * plan.unit)})"

    for t in range(plan.n_frames):
        picture = frame_picture(doc, t)
        state = plan.frame(t)
        highlight = state.geometry["0:highlight"][0]
        assert " -- ".join(corner(p) for p in highlight) + " -- cycle;" in picture
        for seg in state.geometry["0:lines"]:
            assert f"\\draw {corner(seg[0])} -- {corner(seg[1])};" in picture
        # texts under the shade take their shaded colour this frame
        shaded = {plan.texts[j].shaded for j in state.covered if plan.texts[j].shaded is not None}
        assert shaded
        for j in state.covered:
            tx = plan.texts[j]
            x, y = corner((tx.x, tx.y))[1:-1].split(",")
            assert f"at={{\\pgfqpoint{{{x}bp}}{{{y}bp}}}}]{{\\color{{{names(tx.shaded)}}}" in picture


def test_z_order_widths_dashes_and_the_box():
    plan = plan_of(PS)
    picture = frame_picture(tikz_document(plan, [0]), 0)
    # the padding's dashed edges: 4 and 3 times the line width, as matplotlib scales its dashes
    lw = 1.08 * line_scale(plan.unit)
    assert f"line width={_n(lw)}bp, line cap=rect, dash pattern=on {_n(4 * lw)}bp off {_n(3 * lw)}bp" in picture
    w, h = (72 * v for v in plan.figsize())
    assert f"\\useasboundingbox (0,0) rectangle ({_n(w)},{_n(h)});" in picture
    # input cells (z 1) before the kernel's shade (z 2.5) before the lines to the output (z 3) before the
    # output cell (z 4)
    fills = [picture.index(f"fill={c}") for c in ("caInput", "caShade")]
    assert fills[0] < fills[1] < picture.index("line cap=butt") < picture.index("fill=caOutput")
    assert "\\clip " in picture and "even odd rule" in picture  # the lines pass behind the output cell


def test_a_failed_write_leaves_nothing_and_keeps_the_old_file(tmp_path):
    plan = plan_of(ca.Conv(3, 2))
    target = tmp_path / "x.tex"
    target.write_text("old")
    with pytest.raises(RuntimeError), TikzWriter(target, plan) as w:
        w.add_frame(0)
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tex"]
    with pytest.raises(IndexError), TikzWriter(tmp_path / "y.tex", plan) as w:
        w.add_frame(plan.n_frames)
    with pytest.raises(ValueError, match="at least one frame"), TikzWriter(tmp_path / "z.tex", plan):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tex"]


def test_latex_text_escapes_specials_and_converts_mathtext():
    assert latex_plain("#$%&_{}~^\\") == (r"\#\$\%\&\_\{\}\textasciitilde{}\textasciicircum{}"
                                          r"\textbackslash{}")
    assert latex_plain("a  b--c <|>") == r"a \ b-{}-c \textless{}\textbar{}\textgreater{}"
    assert latex_plain("5×5 → −∞") == r"5\(\times\)5 \(\rightarrow\) \(-\)\(\infty\)"
    assert latex_plain("中") == "?"
    assert latex_math(r"o′ = i′ × 2 − 1") == r"o' = i' \times  2 - 1"
    assert latex_math(r"\mathdefault{10}", sans=False) == r"\mathrm{10}"
    assert latex_lines("cost \\$5, $x_1$\nnext $y$", math=True) == [r"cost \$5, \(x_1\)", r"next \(y\)"]
    assert latex_lines("a $b$ $c", math=True) == [r"a \(b\) \$c"]  # an odd $ is text, as matplotlib reads it
    assert latex_lines("50% of $x$", math=False) == [r"50\% of \$x\$"]


def test_specials_and_symbols_compile(tmp_path):
    need("pdflatex")
    plan = copy.copy(plan_of(ca.Conv(3, 2), labels=True))
    base = plan.texts[0]
    x0, _, y0, y1 = plan.bounds
    left = dict(x=x0, dx=2.0, ha="left", va="top", size=8.0)
    plan.texts = [replace(base, text="#$%&_{}~^\\<>|\na  b--c ``q'' é\n5×5 → −∞ · Σ ⌊x⌋ ′ … °", math=False,
                          y=y1, **left),
                  replace(base, text="$o′ = \\lfloor (i + 2p - k)/s \\rfloor + 1$\n× $\\mathdefault{x}$ 2nd line",
                          math=True, y=(y0 + y1) / 2, **left)]
    tex = tmp_path / "specials.tex"
    tex.write_text(tikz_document(plan, [0]), encoding="utf-8")
    assert len(pages(compile_tex(tex))) == 1


def test_the_compiled_page_looks_like_matplotlibs(tmp_path):
    """Without text (fonts differ), the TikZ page and matplotlib's PDF page, read back by one rasterizer, agree."""
    need("pdflatex", "pdftoppm")
    for style, theme, t in (("paper", "guide", 4), ("flat", "dark", 2)):
        ca.render(PS, tmp_path / f"m_{style}.pdf", frame=t, style=style, theme=theme)
        tex = ca.render(PS, tmp_path / f"t_{style}.tex", frame=t, style=style, theme=theme)
        compile_tex(tex)
        images = []
        for name in (f"m_{style}", f"t_{style}"):
            subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", f"{name}.pdf", name], cwd=tmp_path,
                           check=True, timeout=60)
            images.append(np.asarray(Image.open(tmp_path / f"{name}.png").convert("RGB"), dtype=float))
        a, b = images
        h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
        assert abs(a.shape[0] - b.shape[0]) <= 1 and abs(a.shape[1] - b.shape[1]) <= 1
        diff = np.abs(a[:h, :w] - b[:h, :w]).max(axis=2)
        assert diff.mean() < 2.0, (style, diff.mean())
        assert (diff > 64).mean() < 0.01, (style, (diff > 64).mean())


def test_the_text_font_follows_matplotlibs_family():
    import matplotlib

    plan = plan_of(PS, labels=True)
    assert "\\renewcommand{\\familydefault}{\\sfdefault}" in tikz_document(plan, [0])  # matplotlib's default
    with matplotlib.rc_context({"font.family": "serif"}):
        serif = tikz_document(plan, [0])
    assert "\\sfdefault" not in serif and serif == tikz_document(plan, [0], sans=False)
