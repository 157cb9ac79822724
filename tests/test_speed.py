"""The speed work of issue 20 changes no byte: the GIF palette table, the workers, the split PDFs."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import convanim as ca
from convanim import gallery
from convanim.drawing.theme import THEMES, get_theme
from convanim.io.encoders import KEEP, gif_palette, nearest_lut
from convanim.io.pdf_split import split_pdf


def brute_force_lut(pal: np.ndarray) -> np.ndarray:
    """The table as it was first computed: every cube cell against every colour, int64, first minimum."""
    grid = np.arange(32) * 8 + 4
    red, green, blue = np.meshgrid(grid, grid, grid, indexing="ij")
    cube = np.stack([red.ravel(), green.ravel(), blue.ravel()], axis=1)
    d = ((cube[:, None, :] - np.asarray(pal, dtype=np.int64)[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(d, axis=1).astype(np.uint8)


#: sha256 of palette + table per theme, from the loop this replaced (commit e96111e).
OLD_TABLES = {
    "guide": "91e87833fadf1d21fd4a8e82a0018aacb6316e9bd3627f2aac644465d63b10b0",
    "colorblind": "0c822ab7855ea1a6333da41d90805c023627e89b2443a5a35e409e7ddc0417f2",
    "dark": "1177199fe413ea27f8116f9346090535368c17465be60d7a9f2ab813c553335a",
}


@pytest.mark.parametrize("name", sorted(THEMES))
def test_palette_table_is_the_old_one_byte_for_byte(name):
    pal, lut = gif_palette.__wrapped__(THEMES[name])  # not the cached one
    assert hashlib.sha256(pal + lut.tobytes()).hexdigest() == OLD_TABLES[name]
    assert np.array_equal(lut, brute_force_lut(np.frombuffer(pal, np.uint8).reshape(256, 3)[:KEEP]))


def test_palette_table_of_an_overridden_theme_matches_brute_force():
    pal, lut = gif_palette(get_theme({"input": (10, 200, 30), "output": (250, 5, 128)}))
    assert np.array_equal(lut, brute_force_lut(np.frombuffer(pal, np.uint8).reshape(256, 3)[:KEEP]))


@pytest.mark.parametrize("seed", range(5))
def test_nearest_lut_breaks_ties_as_before(seed):
    rng = np.random.default_rng(seed)
    # Few distinct levels, repeated colours and colours on the cube's cell centres: many exact ties.
    pal = rng.choice(np.array([0, 4, 12, 100, 252, 255]), size=(40, 3))
    pal[5] = pal[3]
    assert np.array_equal(nearest_lut(pal), brute_force_lut(pal))


# ---- the per-frame PDFs, split from one multi-page PDF ---------------------------------------------------

POPPLER = all(shutil.which(t) for t in ("pdfinfo", "pdftotext", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER and not os.environ.get("CI"), reason="poppler-utils not installed")


def _poppler(*args: str) -> bytes:
    return subprocess.run(list(args), check=True, capture_output=True).stdout


def _media_boxes(pdf: bytes) -> list[bytes]:
    return re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    """A multi-page PDF with numbers, labels and a caption (mathtext too), and its pages split."""
    path = tmp_path_factory.mktemp("pdf") / "all.pdf"
    ca.render(ca.Conv(4, 3, s=1, p=1), path, numbers=True, labels=True, caption=True)
    data = path.read_bytes()
    return path, data, split_pdf(data)


def test_split_gives_one_page_per_frame_with_the_same_box(numbered):
    _, data, pages = numbered
    assert len(pages) == 16
    boxes = _media_boxes(data)
    for page in pages:
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", page)) == 1
        assert _media_boxes(page) == boxes[:1]


def test_split_is_byte_identical_across_runs(numbered, tmp_path):
    _, data, pages = numbered
    again = tmp_path / "again.pdf"
    ca.render(ca.Conv(4, 3, s=1, p=1), again, numbers=True, labels=True, caption=True)
    assert again.read_bytes() == data and split_pdf(again.read_bytes()) == pages


@needs_poppler
def test_split_pages_open_keep_their_text_and_draw_as_the_original(numbered, tmp_path):
    path, _, pages = numbered
    for t in (0, 7, 15):
        one = tmp_path / f"p{t}.pdf"
        one.write_bytes(pages[t])
        info = _poppler("pdfinfo", str(one)).decode()
        assert re.search(r"^Pages:\s+1$", info, re.M), info
        original = _poppler("pdfinfo", "-f", str(t + 1), "-l", str(t + 1), str(path)).decode()
        size = re.search(r"Page size:\s+(.*)", info)
        assert size and re.search(rf"Page\s+{t + 1} size:\s+{re.escape(size.group(1))}", original)  # same box
        text = _poppler("pdftotext", str(one), "-").decode()
        assert text == _poppler("pdftotext", "-f", str(t + 1), "-l", str(t + 1), str(path), "-").decode()
        assert "output" in text and re.search(r"\d", text)  # text is text: the numbers are found
        split_png = _poppler("pdftoppm", "-r", "60", "-png", str(one))
        original_png = _poppler("pdftoppm", "-r", "60", "-png", "-f", str(t + 1), "-l", str(t + 1), str(path))
        assert split_png == original_png, t  # pixel for pixel the page it was cut from


def test_split_refuses_what_it_cannot_read():
    with pytest.raises(ValueError, match="startxref"):
        split_pdf(b"%PDF-1.4\nnot really\n")
    with pytest.raises(ValueError, match="cross-reference stream"):
        split_pdf(b"%PDF-1.5\n1 0 obj\n<< /Type /XRef >>\nendobj\nstartxref\n9\n%%EOF\n")


def test_gallery_pdf_frames_are_single_pages_with_text(tmp_path):
    cat = tmp_path / "cases.toml"
    cat.write_text('[nums]\nkind = "conv"\ni = 3\nk = 2\nnumbers = true\n')
    out = tmp_path / "out"
    assert not gallery.build(cat, out, jobs=1, log=lambda m: None).failed
    files = sorted((out / "pdf").glob("nums_*.pdf"))
    assert [f.name for f in files] == [f"nums_0{t}.pdf" for t in range(4)]
    for f in files:
        data = f.read_bytes()
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1 and b"/FontFile2" in data
        if POPPLER:
            assert re.search(r"\d\.\d", _poppler("pdftotext", str(f), "-").decode())
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
