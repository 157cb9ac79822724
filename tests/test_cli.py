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
