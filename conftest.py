"""Doctests (``--doctest-modules`` over ``convanim``) run in a temporary folder: the files they write go there."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _doctests_in_a_temporary_folder(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> None:
    if type(request.node).__name__ == "DoctestItem":
        monkeypatch.chdir(tmp_path)
