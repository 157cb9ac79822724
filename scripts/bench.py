#!/usr/bin/env python
"""Benchmarks, each measured side by side with a floor run in the same invocation (the machine may be busy:
only the ratios mean something).

render: a 64x64 input, 3x3 kernel, half padding (4096 frames) to GIF, against
        Pillow encoding the same frames as GIF (its own quantisation), frame by frame.
gallery: the whole gallery from scratch (GIFs, every PDF and PNG frame, the players), against Pillow
        encoding the same GIF and PNG frames on one core; then a no-op rerun.
cli:    one `convanim render` of a 9-frame GIF, against a bare `python -c "import matplotlib.pyplot, PIL, numpy"`.
players: each gallery case's HTML player against its GIF, written from the same plan in one process.
limits: one frame of the largest figure each default limit lets through (convanim.core.checks), in every
        format, each in a fresh process: seconds and peak memory (the budget is 5 s and 600 MB).

`all` (the default) runs render, gallery, cli and players and ends with one table: each target of the issue,
its measured value and its budget.

    python scripts/bench.py                 # everything but limits
    python scripts/bench.py render --size 32
    python scripts/bench.py gallery -j 2
    python scripts/bench.py limits
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The issue's targets, filled in as benchmarks run: (target, measured, budget, met).
TARGETS: list[tuple[str, str, str, bool]] = []


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
    """The big render against Pillow encoding its frames; budget: ratio 0.25, peak memory 300 MB."""
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
    ratio = ours['seconds'] / base
    print(f"  ratio: {ratio:.2f}  (budget 0.25, 300 MB)")
    TARGETS.append((f"{size}x{size} ({n} frames) to GIF / its encode-only floor", f"{ratio:.2f}, "
                    f"{ours['peak_mb']:.0f} MB", "<= 0.25, <= 300 MB", ratio <= 0.25 and ours['peak_mb'] <= 300))


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
    """The gallery from a clean folder against the single-core encode-only floor; then the no-op rebuild."""
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
    print(f"  ratio: {full / base:.2f}  (budget 1.3)")
    print(f"  no-op rerun (Python start-up included): {noop:.2f} s  (budget 0.5)")
    TARGETS.append((f"gallery from scratch, -j {jobs} / GIF + PNG encode-only floor, 1 core",
                    f"{full / base:.2f} ({full:.1f} s / {base:.1f} s)", "<= 1.3", full / base <= 1.3))
    TARGETS.append(("gallery no-op rebuild", f"{noop:.2f} s", "< 0.5 s", noop < 0.5))


def _seconds(cmd: list[str], cwd: str) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t


def bench_cli(repeats: int = 5) -> None:
    """`convanim render` of a 9-frame GIF against bare imports, alternated, medians; budget: ratio 1.5."""
    bare = [sys.executable, "-c", "import matplotlib.pyplot, PIL, numpy"]
    ours = [sys.executable, "-m", "convanim", "render", "-i", "5", "-k", "3", "-o", "nine.gif"]
    base: list[float] = []
    cli: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        _seconds(bare, tmp)  # the first run of each warms the disk cache
        _seconds(ours, tmp)
        for _ in range(repeats):  # alternated, so that a burst of load hits both alike
            base.append(_seconds(bare, tmp))
            cli.append(_seconds(ours, tmp))
    b, c = statistics.median(base), statistics.median(cli)
    print(f"cli  `convanim render -i 5 -k 3 -o nine.gif` (9 frames), median of {repeats}")
    print(f"  convanim render:                           {c:6.2f} s")
    print(f"  python -c 'import matplotlib.pyplot, PIL, numpy': {b:6.2f} s")
    print(f"  ratio: {c / b:.2f}  (budget 1.5)")
    TARGETS.append(("CLI render of a 9-frame GIF / bare imports", f"{c / b:.2f} ({c:.2f} s / {b:.2f} s)", "<= 1.5",
                    c / b <= 1.5))


def bench_players() -> None:
    """Each case's HTML player against its GIF, from the same plan, in this process (best of two each)."""
    from convanim import gallery
    from convanim.gallery.build import case_plan
    from convanim.io.encoders import GifEncoder
    from convanim.io.formats import EncoderWriter, PlanStage
    from convanim.io.html import write_plan_html
    from convanim.io.render import write_frames

    cases = gallery.load_catalogue(gallery.DEFAULT_CATALOGUE)
    worst = ("", 0.0, 0.0, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        for name, case in cases.items():
            plan = case_plan(case)
            gif_s: list[float] = []
            html_s: list[float] = []
            for _ in range(2):
                t = time.perf_counter()
                write_frames(PlanStage(plan), list(range(plan.n_frames)),
                             [EncoderWriter(GifEncoder(os.path.join(tmp, "x.gif"), plan.theme, plan.duration))])
                gif_s.append(time.perf_counter() - t)
                t = time.perf_counter()
                write_plan_html(plan, os.path.join(tmp, "x.html"))
                html_s.append(time.perf_counter() - t)
            ratio = min(html_s) / min(gif_s)
            if ratio > worst[1]:
                worst = (name, ratio, min(html_s), min(gif_s))
    name, ratio, h, g = worst
    print(f"players  {len(cases)} cases, each case's HTML player against its GIF")
    print(f"  slowest player against its GIF: {name}, {h:.3f} s against {g:.3f} s, ratio {ratio:.2f}  (budget 1.0)")
    TARGETS.append((f"slowest HTML player / its GIF ({name})", f"{ratio:.2f}", "<= 1.0", ratio <= 1.0))


def print_targets() -> None:
    """The issue's targets side by side, as measured in this run."""
    if not TARGETS:
        return
    print(f"targets  (measured together; nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end)")
    width = max(len(t[0]) for t in TARGETS)
    for target, measured, budget, met in TARGETS:
        print(f"  {target:{width}s}  {measured:28s} {budget:18s} {'met' if met else 'NOT MET'}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child_render":
        _child_render(int(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_child_limit":
        _child_limit(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", choices=("render", "gallery", "cli", "players", "limits", "all"),
                    default="all")
    ap.add_argument("--size", type=int, default=64, help="input size of the render benchmark (default 64)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if args.what in ("render", "all"):
        bench_render(args.size)
    if args.what in ("gallery", "all"):
        bench_gallery(args.jobs)
    if args.what in ("cli", "all"):
        bench_cli()
    if args.what in ("players", "all"):
        bench_players()
    if args.what == "limits":
        bench_limits()
    print_targets()


if __name__ == "__main__":
    main()
