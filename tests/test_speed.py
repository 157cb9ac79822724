"""The speed work of issue 20 changes no byte: the GIF palette table, the workers, the split PDFs."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from convanim.drawing.theme import THEMES, get_theme
from convanim.io.encoders import KEEP, gif_palette, nearest_lut


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
