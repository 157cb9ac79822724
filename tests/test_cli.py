"""The command line, through a subprocess as a user runs it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-m", "convanim", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def test_shape_prints_size_relationship_and_formula():
    r = run("shape", "-i", "5", "-k", "3", "-s", "2", "-p", "1")
    assert r.returncode == 0, r.stderr
    assert "input 5x5 -> output 3x3" in r.stdout
    assert "relationship 6" in r.stdout
    assert "floor((5 + 2*1 - 3) / 2) + 1 = 3" in r.stdout
    assert r.stderr == ""


def test_shape_transposed_and_rectangular():
    r = run("shape", "-i", "6", "-k", "3", "-s", "2", "-p", "1", "--transposed")
    assert r.returncode == 0 and "input 3x3 -> output 6x6" in r.stdout and "relationship 14" in r.stdout
    r = run("shape", "-i", "5x7", "-k", "3", "-d", "2")
    assert r.returncode == 0 and "input 5x7 -> output 1x3" in r.stdout and "relationship 15" in r.stdout
    r = run("shape", "-i", "3", "-k", "3", "-s", "2", "--output-padding", "1")
    assert r.returncode == 0 and "output 8x8" in r.stdout
    r = run("shape", "-i", "5", "-k", "2", "--pool", "avg", "--ceil-mode")
    assert r.returncode == 0 and "output 3x3" in r.stdout


@pytest.mark.parametrize("args,needle", [
    (["shape", "-i", "5", "-k", "7"], "k=7"),
    (["shape", "-i", "5x", "-k", "3"], "-i"),
    (["shape", "-i", "5", "-k", "3", "-s", "0"], "s must be positive"),
    (["shape", "-i", "5", "-k", "3", "--pool", "max", "-p", "2"], "p must be at most half"),
    (["shape", "-i", "3", "-k", "3", "-s", "2", "--output-padding", "2"], "output_padding"),
    (["shape", "-i", "5", "-k", "3", "--transposed", "--pool", "max"], "not allowed"),
    (["shape", "-k", "3"], "-i"),
    (["frobnicate"], "invalid choice"),
    ([], "command is required"),
])
def test_user_errors_exit_2_with_one_line(args, needle):
    r = run(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("convanim: error: ")
    assert needle in lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0 and "shape" in r.stdout and "render" in r.stdout
    r = run("shape", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("convanim ")


def test_render_writes_files(tmp_path):
    from PIL import Image

    r = run("render", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "-o", str(tmp_path / "ps.gif"))
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "ps.gif").n_frames == 9
    r = run("render", "-i", "6", "-k", "3", "-s", "2", "-p", "1", "--transposed", "--numbers", "--labels",
            "--caption", "--theme", "dark", "--frame", "3", "-o", str(tmp_path / "t.svg"))
    assert r.returncode == 0, r.stderr
    assert "output 6×6" in (tmp_path / "t.svg").read_text()
    r = run("render", "-i", "4", "-k", "3", "--style", "flat", "-o", str(tmp_path / "f_{frame}.png"))
    assert r.returncode == 0 and len(list(tmp_path.glob("f_*.png"))) == 4


def test_render_to_stdout_is_a_gif():
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-m", "convanim", "render", "-i", "4", "-k", "3", "-o", "-"],
                       capture_output=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith(b"GIF89a") and r.stdout.endswith(b";")


@pytest.mark.parametrize("args,needle", [
    (["-o", "x.bmp"], "unknown suffix"),
    (["-o", "/nonexistent/dir/x.gif"], "does not exist"),
    (["--frame", "99", "-o", "x.png"], "frame 99 is out of range"),
    (["--theme", "neon", "-o", "x.gif"], "theme"),
    (["--style", "3d", "-o", "x.gif"], "--style"),
])
def test_render_user_errors(tmp_path, args, needle):
    r = run("render", "-i", "5", "-k", "3", *args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convanim: error: ") and needle in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_render_refuses_absurd_sizes_with_the_flag_to_raise_it(tmp_path):
    r = run("render", "-i", "120", "-k", "1", "-o", str(tmp_path / "x.gif"))
    assert r.returncode == 2 and "--max-frames" in r.stderr
