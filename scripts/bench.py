#!/usr/bin/env python
"""Benchmarks, each measured side by side with Pillow doing the encoding alone.

render: a 64x64 input, 3x3 kernel, half padding (4096 frames) to GIF, against
        Pillow encoding the same frames as GIF (its own quantisation), frame by frame.
gallery: the whole gallery from scratch (GIFs, every PDF and PNG frame), against Pillow
        encoding the same GIF and PNG frames on one core; then a no-op rerun.
limits: one frame of the largest figure each default limit lets through (convanim.core.checks), in every
        format, each in a fresh process: seconds and peak memory (the budget is 5 s and 600 MB).

    python scripts/bench.py                 # both
    python scripts/bench.py render --size 32
    python scripts/bench.py gallery -j 2
    python scripts/bench.py limits
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _child_render(size: int, out: str) -> None:
    import resource

    import convanim as ca

    t = time.perf_counter()
    ca.render(ca.Conv(size, 3, p=1), out)
    elapsed = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb}))


def pillow_gif_seconds(frames) -> float:
    """Time Pillow alone to encode each frame as GIF (quantise + LZW), frames produced outside the clock."""
    from PIL import Image

    total = 0.0
    for rgb in frames:
        t = time.perf_counter()
        buf = io.BytesIO()
        Image.fromarray(rgb).quantize().save(buf, format="GIF")
        total += time.perf_counter() - t
    return total


def pillow_png_seconds(frames) -> float:
    from PIL import Image

    total = 0.0
    for rgb in frames:
        t = time.perf_counter()
        Image.fromarray(rgb).save(io.BytesIO(), format="PNG")
        total += time.perf_counter() - t
    return total


def _frames(spec, **kw):
    from convanim.drawing.api import new_stage

    painter = new_stage(spec, **kw)
    for t in range(painter.n_frames):
        painter.set_frame(t)
        yield painter.rgb()


def bench_render(size: int) -> None:
    import convanim as ca

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "big.gif")
        r = subprocess.run([sys.executable, __file__, "_child_render", str(size), out], capture_output=True,
                           text=True, check=True)
        ours = json.loads(r.stdout)
        gif_kb = os.path.getsize(out) / 1024
    spec = ca.Conv(size, 3, p=1)
    base = pillow_gif_seconds(_frames(spec))
    n = size * size
    print(f"render  {size}x{size}, k=3, p=1 ({n} frames) to GIF")
    print(f"  convanim (draw + encode): {ours['seconds']:8.2f} s   peak memory {ours['peak_mb']:.0f} MB   "
          f"file {gif_kb:.0f} KB")
    print(f"  Pillow alone (encode):    {base:8.2f} s")
    print(f"  ratio: {ours['seconds'] / base:.2f}  (budget 2.5)")


#: The largest figure each default limit allows (see convanim.core.checks): name -> (spec code, render keywords).
LIMIT_CASES = {
    "grid, MAX_CELLS canvas": ("ca.Conv(181, 82)", {}),  # 181x181 canvas, 100x100 frames
    "grid + numbers, MAX_TEXTS": ("ca.Conv(38, 3, p=1)", {"numbers": True}),
    "matrix, MAX_MATRIX_ENTRIES": ("ca.Conv(8, 1)", {"view": "matrix"}),
    "raster, MAX_PIXELS": ("ca.Conv(5, 3)", {"figsize": (10.24, 10.24), "dpi": 400}),
}


def _child_limit(code: str, kw: str, out: str) -> None:
    import resource

    import convanim as ca

    t = time.perf_counter()
    ca.render(eval(code, {"ca": ca}), out, frame=0, **json.loads(kw))
    elapsed = time.perf_counter() - t
    print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def bench_limits() -> None:
    print("limits  one frame of the largest figure the default limits allow (budget 5 s, 600 MB)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (code, kw) in LIMIT_CASES.items():
            for fmt in ("png", "gif", "pdf", "svg"):
                r = subprocess.run([sys.executable, __file__, "_child_limit", code, json.dumps(kw),
                                    os.path.join(tmp, f"x.{fmt}")], capture_output=True, text=True)
                if r.returncode:
                    print(f"  {name:30s} {fmt}: failed: {r.stderr.strip().splitlines()[-1]}")
                    continue
                m = json.loads(r.stdout)
                print(f"  {name:30s} {fmt}: {m['seconds']:6.2f} s  {m['peak_mb']:5.0f} MB")


def bench_gallery(jobs: int) -> None:
    from convanim import gallery

    cases = gallery.load_catalogue(gallery.DEFAULT_CATALOGUE)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gallery.py"), "--out", tmp, "-j",
                            str(jobs), "-q"], capture_output=True, text=True)
        full = time.perf_counter() - t
        if r.returncode:
            print(r.stderr)
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_gallery.py"), "--out", tmp, "-q"], check=True)
        noop = time.perf_counter() - t
    gif = png = 0.0
    n = 0
    for case in cases.values():
        frames = list(gallery.case_frames(case))
        n += len(frames)
        gif += pillow_gif_seconds(frames)
        png += pillow_png_seconds(frames)
    base = gif + png
    print(f"gallery  {len(cases)} cases, {n} frames (GIF + PNG + PDF per frame), -j {jobs}")
    print(f"  convanim from scratch:           {full:8.2f} s")
    print(f"  Pillow alone, GIF + PNG, 1 core: {base:8.2f} s  (GIF {gif:.2f} s, PNG {png:.2f} s)")
    print(f"  ratio: {full / base:.2f}  (budget 3.0)")
    print(f"  no-op rerun (Python start-up included): {noop:.2f} s  (budget 1.5)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child_render":
        _child_render(int(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_child_limit":
        _child_limit(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", choices=("render", "gallery", "limits", "all"), default="all")
    ap.add_argument("--size", type=int, default=64, help="input size of the render benchmark (default 64)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if args.what in ("render", "all"):
        bench_render(args.size)
    if args.what in ("gallery", "all"):
        bench_gallery(args.jobs)
    if args.what == "limits":
        bench_limits()


if __name__ == "__main__":
    main()
