"""Issue 22 (hardening II), the command line and the figures: captions of 1D transposed layers, options that do
not apply, and the messages a user reads.  Run as real processes, as a user runs them."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import convanim as ca

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg")


def run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "convanim", *args], capture_output=True, text=True, cwd=cwd,
                          env=env or ENV, timeout=300)


def one_line_error(r: subprocess.CompletedProcess, *needles: str) -> str:
    """The run failed as a user error: exit 2, one line on stderr, no traceback; the line holds ``needles``."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convanim: error: "), r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# ---- item 1: the caption of a 1D transposed layer ---------------------------------------------------------------

@pytest.mark.parametrize("spec", [ca.ConvTranspose((3,), 3, p=(0, 1)), ca.Conv((6,), 3, s=2, p="same").transpose(),
                                  ca.Conv((6,), 3, s=2, p="causal").transpose(),
                                  ca.ConvTranspose((3, 3, 3), 3, s=2, output_padding=(0, 1, 1))])
def test_caption_of_a_transposed_layer_of_any_rank(spec):
    from convanim.drawing.captions import caption_pieces

    lines, _ = caption_pieces(spec)
    text = " ".join(p for line in lines for p in line)
    if len(set(spec.output_padding)) > 1:
        assert "(" + ", ".join(map(str, spec.output_padding)) + ")" in text
    if spec.ndim == 1:
        import matplotlib.pyplot as plt

        plt.close(ca.figure(spec, caption=True))


@pytest.mark.parametrize("p", ["same", "causal", "0:1"])
def test_cli_caption_of_a_1d_transposed_layer(p, tmp_path):
    r = run("render", "-i", "6", "--1d", "-k", "3", "-s", "2", "-p", p, "--transposed", "--caption", "-o",
            str(tmp_path / "t.png"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "t.png").stat().st_size > 0


# ---- item 6: options that do not apply are refused, naming them ------------------------------------------------

@pytest.mark.parametrize("args,needles", [
    (["-i", "5", "-k", "3", "--c-in", "2", "--separable", "--padding-mode", "reflect", "-p", "1"],
     ["--padding-mode reflect", "--separable"]),
    (["-i", "5", "-k", "3", "--c-in", "2", "--separable", "--padding-mode", "circular", "-p", "1"],
     ["--padding-mode circular", "--separable"]),
    (["-i", "5", "-k", "3", "--c-in", "2", "--separable", "--output-padding", "0"], ["--output-padding", "--separable"]),
    (["-i", "5", "-k", "3", "--c-in", "2", "--separable", "--output-padding", "1"], ["--output-padding", "--separable"]),
    (["-i", "6", "--1d", "-k", "3", "-p", "1x2"], ["-p 1x2", "1:2"]),
    (["-i", "6x6", "-k", "3", "-p", "1x2x1"], ["-p 1x2x1", "has 2"]),
])
@pytest.mark.parametrize("command", ["shape", "render"])
def test_options_that_do_not_apply_are_refused(command, args, needles, tmp_path):
    out = ["-o", str(tmp_path / "x.png")] if command == "render" else []
    one_line_error(run(command, *args, *out), *needles)
    assert list(tmp_path.iterdir()) == []


def test_per_axis_padding_still_reads_per_axis():
    r = run("shape", "-i", "6x6", "-k", "3", "-p", "1x2")
    assert r.returncode == 0 and "p=(1, 2)" in r.stdout, r.stderr
    r = run("shape", "-i", "6", "--1d", "-k", "3", "-p", "1:2")
    assert r.returncode == 0 and "(1, 2)" in r.stdout, r.stderr


# ---- item 8: messages -------------------------------------------------------------------------------------------

def test_a_hint_never_exceeds_the_option_s_own_maximum():
    from convanim.core.checks import MAX_LIMIT

    r = run("render", "-i", "2147483647", "-k", "3", "-o", "x.png")
    line = one_line_error(r, "max_frames")
    for number in map(int, re.findall(r"--max-frames (\d+)", line)):
        assert number <= MAX_LIMIT, line
    assert "cannot be raised that far" in line


def test_causal_transposed_gets_its_own_hint():
    line = one_line_error(run("shape", "-i", "6", "--1d", "-k", "3", "-p", "causal", "--output-padding", "1"),
                          "'causal'", "--transposed")
    assert "'same'" not in line


def test_a_missing_dependency_is_named_with_its_install_command(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from convanim.cli import main\n"
            f"sys.exit(main(['render', '-i', '5', '-k', '3', '-o', {str(tmp_path / 'x.png')!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=300)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1, r.stderr
    assert "matplotlib" in lines[0] and "pip install matplotlib" in lines[0]
    assert "internal error" not in lines[0] and "report" not in lines[0]


def test_warnings_are_one_clean_line_without_python_advice(tmp_path):
    r = run("render", "-i", "40", "-k", "3", "--numbers", "--frame", "0", "-o", str(tmp_path / "x.png"))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and all(line.startswith("convanim: warning: ") for line in lines), r.stderr
    assert "UserWarning" not in r.stderr and ".py:" not in r.stderr
    assert not [line for line in lines if "pass figsize=" in line]
