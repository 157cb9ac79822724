from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import settings

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption("--update-references", action="store_true", default=False,
                     help="rewrite tests/reference/*.png from the current renderer (when the look changes on purpose)")


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_gallery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The whole shipped gallery, built once per session by the README's first command (the script, ``-j 2``,
    into a temporary folder): the longest single step of the suite, so every test that reads a built gallery
    shares this one and must not change it. Those tests are marked ``slow``."""
    out = tmp_path_factory.mktemp("gallery")
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gallery.py"), "--out", str(out), "-j", "2"],
                       capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"), cwd=ROOT, timeout=1800)
    assert r.returncode == 0, r.stderr + r.stdout
    return out, r
