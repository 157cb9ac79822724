"""Reference images: the look of a few of the guide's frames, pinned.

Run with the rcParams reset to matplotlib's defaults, so that a user's matplotlibrc cannot fail them.  On a
mismatch the test writes the image it got and a diff image beside the reference (``tests/reference/failed/``).
When the look changes on purpose, regenerate the references with::

    python -m pytest tests/test_look.py --update-references
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

import convanim as ca

REFERENCE = Path(__file__).parent / "reference"
PS = ca.Conv(5, 3, s=2, p=1)

CASES = [
    ("padding_strides_00", PS, {}, 0),
    ("padding_strides_odd_transposed_07", ca.Conv(6, 3, s=2, p=1).transpose(), {"labels": True}, 7),
    ("numerical_padding_strides_04", PS, {"numbers": True, "style": "flat", "caption": True}, 4),
    ("numerical_max_pooling_00", ca.Pool(5, 3, s=1), {"numbers": True, "style": "flat"}, 0),
    ("numerical_padding_strides_dark_04", PS, {"numbers": True, "labels": True, "theme": "dark"}, 4),
    ("matrix_both_01", ca.Conv(4, 3), {"view": "both", "numbers": True}, 1),
]


@pytest.fixture
def default_rc():
    with matplotlib.rc_context(rc=matplotlib.rcParamsDefault):
        matplotlib.rcParams["backend"] = "Agg"
        yield


@pytest.mark.parametrize("name,spec,kw,frame", CASES, ids=[c[0] for c in CASES])
def test_matches_the_reference_image(default_rc, request, tmp_path, name, spec, kw, frame):
    out = ca.render(spec, tmp_path / f"{name}.png", frame=frame, **kw)
    ref_path = REFERENCE / f"{name}.png"
    if request.config.getoption("--update-references"):
        ref_path.write_bytes(out.read_bytes())
        pytest.skip(f"reference {ref_path.name} rewritten")
    got = np.asarray(Image.open(out).convert("RGB"), dtype=float)
    ref = np.asarray(Image.open(ref_path).convert("RGB"), dtype=float)
    mean = float(np.mean(np.abs(got - ref))) if got.shape == ref.shape else float("inf")
    far = float(np.mean(np.any(np.abs(got - ref) > 40, axis=2))) if got.shape == ref.shape else 1.0
    # Tolerant of anti-aliasing and font hinting, not of a moved kernel, a moved text or a wrong colour.
    if got.shape != ref.shape or mean >= 2.0 or far >= 0.01:
        failed = REFERENCE / "failed"
        failed.mkdir(exist_ok=True)
        Image.open(out).save(failed / f"{name}-got.png")
        if got.shape == ref.shape:
            diff = np.clip(np.abs(got - ref).max(axis=2) * 4, 0, 255).astype(np.uint8)
            Image.fromarray(diff).save(failed / f"{name}-diff.png")
        pytest.fail(f"{name}: differs from the reference (shape {got.shape} vs {ref.shape}, mean {mean:.2f}, "
                    f"far {far:.4f}); see {failed}; if the change is meant, run "
                    f"'python -m pytest tests/test_look.py --update-references'")
