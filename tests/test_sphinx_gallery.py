"""A real sphinx-gallery build with the README's conf.py, -W: animations, figures, files and patterns reach the
page; thumbnails are still PNGs.  Skipped where Sphinx or sphinx-gallery is not installed (CI installs both)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")

ROOT = Path(__file__).resolve().parents[1]

EXAMPLE = '''"""
Everything at once
==================

An animation, a figure, a GIF file and a frame pattern.
"""
import convanim as ca

anim = ca.animation(ca.Conv(4, 3))

# %%
# A still figure, kept in a variable (it is not pyplot's).
fig = ca.figure(ca.Conv(5, 3, s=2, p=1), frame=4)

# %%
# Files: a GIF, and every frame as a PNG (one image on the page).
gif = ca.render(ca.Conv(4, 3, s=1), "conv.gif")
ca.render(ca.Conv(4, 3), "frames_{frame:02d}.png")
'''


def readme_conf() -> str:
    """The README's conf.py, verbatim."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    conf = [b for b in blocks if "sphinx_gallery_conf" in b]
    assert len(conf) == 1, "the README shows one conf.py"
    return conf[0]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    src = tmp_path_factory.mktemp("docs")
    (src / "conf.py").write_text('project = "convanim test"\n' + readme_conf())
    (src / "index.rst").write_text("Docs\n====\n\n.. toctree::\n\n   auto_examples/index\n")
    examples = src / "examples"
    shutil.copytree(ROOT / "gallery" / "examples", examples)
    (examples / "plot_everything.py").write_text(EXAMPLE)
    out = src / "_build"
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q", str(src), str(out)],
                       capture_output=True, text=True, env=env, timeout=900)
    return src, out, r


def test_the_readme_conf_builds_with_warnings_as_errors(docs):
    src, out, r = docs
    assert r.returncode == 0, r.stdout + r.stderr
    assert "unpickleable" not in r.stderr
    assert (out / "auto_examples" / "plot_everything.html").exists()


def test_what_an_example_made_reaches_its_page(docs):
    src, out, r = docs
    images = src / "auto_examples" / "images"
    mine = sorted(p.name for p in images.glob("sphx_glr_plot_everything_*"))
    assert mine == ["sphx_glr_plot_everything_001.gif", "sphx_glr_plot_everything_001.png",  # animation + still
                    "sphx_glr_plot_everything_002.png",                                        # the figure
                    "sphx_glr_plot_everything_003.gif", "sphx_glr_plot_everything_003.png",  # conv.gif + still
                    "sphx_glr_plot_everything_004.png"]                                        # one frame, not 4
    assert Image.open(images / "sphx_glr_plot_everything_001.gif").n_frames == 4
    assert (images / "sphx_glr_plot_everything_003.gif").read_bytes() == (src / "examples" / "conv.gif").read_bytes()
    page = (out / "auto_examples" / "plot_everything.html").read_text()
    for name in ("001.gif", "002.png", "003.gif", "004.png"):
        assert f"sphx_glr_plot_everything_{name}" in page
    assert "sphx_glr_plot_everything_001.png" not in page  # the still is for the thumbnail only


def test_thumbnails_are_small_still_pngs(docs):
    src, out, r = docs
    thumbs = sorted((src / "auto_examples" / "images" / "thumb").iterdir())
    assert {p.suffix for p in thumbs} == {".png"}, thumbs
    assert len(thumbs) == len(list((src / "examples").glob("plot_*.py")))
    for p in thumbs:
        with Image.open(p) as im:
            assert im.format == "PNG" and not getattr(im, "is_animated", False)
            assert im.size[0] <= 400 and im.size[1] <= 280
