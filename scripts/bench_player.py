#!/usr/bin/env python
"""Time writing each gallery case's HTML player against writing its GIF, and report the player's size.

Each timing starts from the case (the figure is made anew), so both include making the plan and the figure;
each is the best of ``--repeat`` runs (the GIF and the player taking turns, so that both meet the same load).

    python scripts/bench_player.py [--repeat N] [--json OUT] [NAME ...]
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from convanim.gallery.build import case_plan
    from convanim.gallery.catalogue import load_catalogue
    from convanim.io.encoders import GifEncoder
    from convanim.io.formats import EncoderWriter, PlanStage
    from convanim.io.html import plan_html
    from convanim.io.render import write_frames

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # the gallery's notes (numbers left out) are not what is measured
    rows = {}
    for name, case in load_catalogue().items():
        if args.names and name not in args.names:
            continue
        gif = html = float("inf")
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            plan = case_plan(case)
            write_frames(PlanStage(plan), range(plan.n_frames),
                         [EncoderWriter(GifEncoder(io.BytesIO(), plan.theme, plan.duration))])
            gif = min(gif, time.perf_counter() - t0)
            t0 = time.perf_counter()
            plan = case_plan(case)
            page = plan_html(plan)
            html = min(html, time.perf_counter() - t0)
        rows[name] = {"frames": plan.n_frames, "gif_s": round(gif, 3), "html_s": round(html, 3),
                      "html_bytes": len(page.encode("utf-8"))}
        print(f"{name:45s} {plan.n_frames:5d} frames  gif {gif:6.2f} s  html {html:6.2f} s  "
              f"{len(page.encode('utf-8')) / 1024:8.1f} KB{'  SLOWER' if html > gif else ''}", flush=True)
    slower = [n for n, r in rows.items() if r["html_s"] > r["gif_s"]]
    print(f"total gif {sum(r['gif_s'] for r in rows.values()):.2f} s, html {sum(r['html_s'] for r in rows.values()):.2f} s,"
          f" html bytes {sum(r['html_bytes'] for r in rows.values())}; players slower than their GIF: {slower}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
