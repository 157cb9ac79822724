"""The gallery: catalogue, make-like rebuilds, failure isolation, name safety, resuming a killed build."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from convanim import gallery

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build_gallery.py"

# The guide's animated cases: name -> frames (../shared/reference/guide.md).
GUIDE_FRAMES = {
    "no_padding_no_strides": 4, "arbitrary_padding_no_strides": 36, "same_padding_no_strides": 25,
    "full_padding_no_strides": 49, "no_padding_strides": 4, "padding_strides": 9, "padding_strides_odd": 9,
    "no_padding_no_strides_transposed": 16, "arbitrary_padding_no_strides_transposed": 25,
    "same_padding_no_strides_transposed": 25, "full_padding_no_strides_transposed": 25,
    "no_padding_strides_transposed": 25, "padding_strides_transposed": 25, "padding_strides_odd_transposed": 36,
    "dilation": 9, "numerical_no_padding_no_strides": 9, "numerical_padding_strides": 9,
    "numerical_average_pooling": 9, "numerical_max_pooling": 9,
}

# The matrix views and the still figures that the gallery adds (name -> frames).
EXTRA_FRAMES = {"no_padding_no_strides_matrix": 4, "no_padding_no_strides_transposed_matrix": 16,
                "padding_strides_matrix": 9, "kernel": 1, "channels": 1, "subsampling": 1, "positions": 1,
                "channels_standard": 12, "channels_grouped": 16, "channels_depthwise": 12, "channels_pointwise": 32,
                "channels_separable": 28, "conv3d": 27,
                "receptive_field_stack": 9, "checkerboard_uneven": 1, "checkerboard_even": 1,
                "same_padding_strides_tensorflow": 9, "same_padding_strides_tensorflow_transposed": 36,
                "causal_dilated_1d": 16, "reflect_padding_numbers": 49, "wavenet_stack": 16}
ALL_FRAMES = {**GUIDE_FRAMES, **EXTRA_FRAMES}

SMALL = """
[tiny]
kind = "conv"
i = 3
k = 2

[tiny_t]
kind = "conv"
i = 3
k = 2
s = 2
transposed = true

[tiny_pool]
kind = "pool"
i = 4
k = 2
numbers = true
style = "flat"
"""


def run_script(*args, cwd=ROOT):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def snapshot(root):
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_ino, p.stat().st_size)
            for p in sorted(root.rglob("*")) if p.is_file()}


def whole(path):
    data = path.read_bytes()
    if path.suffix == ".gif":
        return data.startswith(b"GIF89a") and data.endswith(b";") and Image.open(path).n_frames >= 1
    if path.suffix == ".png":
        Image.open(path).load()
        return True
    if path.suffix == ".pdf":
        return data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    return True


@pytest.mark.slow
def test_full_gallery_matches_the_guide(built_gallery):
    out, r = built_gallery
    assert f"{len(ALL_FRAMES)} built, 0 up to date, 0 failed" in r.stdout
    assert sorted(p.stem for p in (out / "gif").glob("*.gif")) == sorted(ALL_FRAMES)
    for name, frames in ALL_FRAMES.items():
        assert Image.open(out / "gif" / f"{name}.gif").n_frames == frames, name
        assert len(list((out / "pdf").glob(f"{name}_[0-9][0-9].pdf"))) == frames, name
        assert len(list((out / "png").glob(f"{name}_[0-9][0-9].png"))) == frames, name
    assert (out / "pdf" / "full_padding_no_strides_48.pdf").exists()
    assert not list(out.rglob("*.tmp"))
    # The README's first command builds exactly what the repository commits.
    for committed in (ROOT / "gallery" / "gif").glob("*.gif"):
        assert (out / "gif" / committed.name).read_bytes() == committed.read_bytes(), committed.name


@pytest.mark.slow
def test_index_and_readme_describe_every_case(built_gallery):
    out, _ = built_gallery
    page = (out / "index.html").read_text()
    for name in ALL_FRAMES:
        assert f'src="gif/{name}.gif"' in page
    for section in ("Convolutions", "Transposed convolutions", "Dilated convolutions", "Numbers", "Matrix view",
                    "Still figures", "Receptive fields", "Overlap"):
        assert f"<h2>{section}</h2>" in page
    assert "relationship 14" in page and "input 3x3 (blue, bottom) &rarr; output 6x6 (cyan, top)" in page
    assert "9 frames as PDF and PNG: <code>padding_strides_00</code> &hellip; <code>padding_strides_08</code>" in page
    assert 'href="pdf/' not in page  # the frames are not committed: named, with the command that writes them
    readme = (out / "README.md").read_text()
    assert readme.count("| ![") == len(ALL_FRAMES)


@pytest.mark.slow
def test_noop_rerun_rewrites_nothing(built_gallery):
    out, _ = built_gallery
    before = snapshot(out)
    r = run_script("--out", str(out))
    assert r.returncode == 0
    assert f"0 built, {len(ALL_FRAMES)} up to date" in r.stdout and "nothing to do" in r.stdout
    assert snapshot(out) == before


def _small(tmp_path, text=SMALL):
    cat = tmp_path / "cases.toml"
    cat.write_text(text)
    return cat, tmp_path / "out"


def test_changed_case_alone_is_rebuilt_and_deleted_target_comes_back(tmp_path):
    cat, out = _small(tmp_path)
    r1 = gallery.build(cat, out, jobs=1)
    assert sorted(r1.built) == ["tiny", "tiny_pool", "tiny_t"]
    before = snapshot(out)
    cat.write_text(SMALL.replace("i = 3\nk = 2\n\n[tiny_t]", "i = 4\nk = 2\n\n[tiny_t]"))
    r2 = gallery.build(cat, out, jobs=1)
    assert r2.built == ["tiny"] and sorted(r2.up_to_date) == ["tiny_pool", "tiny_t"]
    after = snapshot(out)
    for rel, stat in before.items():
        if "tiny_t" in rel or "tiny_pool" in rel:
            assert after[rel] == stat, rel
    assert Image.open(out / "gif" / "tiny.gif").n_frames == 9
    (out / "png" / "tiny_t_02.png").unlink()
    r3 = gallery.build(cat, out, jobs=1)
    assert r3.built == ["tiny_t"] and (out / "png" / "tiny_t_02.png").exists()
    assert gallery.build(cat, out, jobs=1, force=True).built == ["tiny", "tiny_t", "tiny_pool"]


def test_dry_run_writes_nothing(tmp_path):
    cat, out = _small(tmp_path)
    report = gallery.build(cat, out, dry_run=True, log=lambda m: None)
    assert sorted(report.built) == ["tiny", "tiny_pool", "tiny_t"]
    assert not out.exists()


def test_bad_cases_fail_by_name_and_the_rest_is_built(tmp_path):
    bad = SMALL + """
[too_big_kernel]
kind = "conv"
i = 3
k = 5

[typo]
kind = "conv"
i = 3
kernal = 2

["../escape"]
kind = "conv"
i = 3
k = 2

[weird_kind]
kind = "deconv"
i = 3
k = 2

[channels_zero]
kind = "channels"
c_in = 0
"""
    cat, out = _small(tmp_path, bad)
    r = run_script("--catalogue", str(cat), "--out", str(out), "-j", "2")
    assert r.returncode == 1
    assert "3 built" in r.stdout and "5 failed" in r.stdout
    assert "case channels_zero failed: c_in must be positive" in r.stderr
    assert "case too_big_kernel failed: k=5" in r.stderr
    assert "case typo failed: unknown key 'kernal'" in r.stderr
    assert "case ../escape failed: case name" in r.stderr
    assert "case weird_kind failed: kind must be" in r.stderr
    assert "Traceback" not in r.stderr
    assert (out / "gif" / "tiny.gif").exists()
    # nothing outside --out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.toml", "out"]


def test_malformed_catalogue_names_the_line(tmp_path):
    cat, out = _small(tmp_path, SMALL + "\n[broken\nkind = 1\n")
    r = run_script("--catalogue", str(cat), "--out", str(out))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    broken_line = (SMALL + "\n[broken").count("\n") + 1
    assert len(lines) == 1 and f"line {broken_line}," in lines[0] and lines[0].startswith("convanim: error:")
    assert not out.exists()
    r = run_script("--catalogue", str(tmp_path / "missing.toml"), "--out", str(out))
    assert r.returncode == 2 and "cannot be read" in r.stderr


def test_unknown_name_on_the_command_line(tmp_path):
    cat, out = _small(tmp_path)
    r = run_script("--catalogue", str(cat), "--out", str(out), "nope")
    assert r.returncode == 2 and "no case named 'nope'" in r.stderr


def test_clean_removes_what_no_case_makes(tmp_path):
    cat, out = _small(tmp_path)
    gallery.build(cat, out, jobs=1)
    (out / "gif" / "old_case.gif").write_bytes(b"GIF89a;")
    gallery.build(cat, out, jobs=1, clean=True)
    assert not (out / "gif" / "old_case.gif").exists() and (out / "gif" / "tiny.gif").exists()


# For the kill: three small cases, one of each way a case is written (a convolution, a transposed one with its
# inserted zeros, a pooling with numbers), 77 frames in all: long enough to be caught mid-build whatever the load.
KILLED = """
[conv]
kind = "conv"
i = 5
k = 3
p = 1

[transposed]
kind = "conv"
i = 6
k = 3
s = 2
p = 1
transposed = true

[pool_numbers]
kind = "pool"
i = 5
k = 2
s = 1
numbers = true
"""
KILLED_FRAMES = {"conv": 25, "transposed": 36, "pool_numbers": 16}


def test_killed_build_leaves_whole_files_and_resumes(tmp_path):
    cat, out = _small(tmp_path, KILLED)
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--catalogue", str(cat), "--out", str(out), "-j", "2",
                             "-q"], env=env, cwd=ROOT, start_new_session=True)
    # A deadline against hanging forever, not a speed assertion.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("png/*.png"))) < 5 and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "index.html").exists(), "the build had finished: nothing was killed mid-build"
    targets = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert targets, "the build was killed before writing anything"
    for p in targets:
        assert whole(p), p
    r = run_script("--catalogue", str(cat), "--out", str(out), "-j", "2")
    assert r.returncode == 0, r.stderr
    for name, frames in KILLED_FRAMES.items():
        assert Image.open(out / "gif" / f"{name}.gif").n_frames == frames
        assert len(list((out / "png").glob(f"{name}_[0-9][0-9].png"))) == frames
    assert (out / "index.html").exists()
    assert not [p for p in out.rglob(".*.tmp")]


def test_cli_gallery_command_runs_the_same_engine(tmp_path):
    cat, out = _small(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-m", "convanim", "gallery", "--catalogue", str(cat), "--out", str(out),
                        "tiny"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert re.search(r"gallery: 1 built, 0 up to date, 0 failed", r.stdout)
    assert (out / "gif" / "tiny.gif").exists() and not (out / "gif" / "tiny_t.gif").exists()
