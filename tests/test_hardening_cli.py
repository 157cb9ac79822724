"""Issue 22 (hardening II), the command line and the figures: captions of 1D transposed layers, options that do
not apply, and the messages a user reads.  Run as real processes, as a user runs them."""
from __future__ import annotations

import os
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
