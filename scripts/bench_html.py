#!/usr/bin/env python
"""The HTML player in Chromium: how soon a big page is interactive, and a walk through every gallery case.

open:    write the 64x64 case (4,096 frames), open it, and report the file size, the time until the player is
         ready (navigation start to the script's end), first paint, and a jump to the last frame.
gallery: write ``html/NAME.html`` for every case of the catalogue, then in the browser pause, step, and point at
         an output cell of each, checking ``data-frame`` and that no request leaves the page; screenshots go to
         ``OUT/shots``.

    python scripts/bench_html.py open [--size 64]
    python scripts/bench_html.py gallery [--out DIR] [NAME ...]

Needs selenium, chromium and chromedriver (Debian: apt-get install chromium chromium-driver).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1200", "--force-device-scale-factor=1")


def browser(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for flag in FLAGS + (f"--user-data-dir={profile}",):
        opts.add_argument(flag)
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=opts)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-reduced-motion", "value": "reduce"}]})
    return driver


def requests_made(driver) -> list[str]:
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]


def set_frame(driver, t: int) -> None:
    driver.execute_script("var s = document.querySelector('.cvp-slider'); s.value = arguments[0];"
                          "s.dispatchEvent(new Event('input', {bubbles: true}));", t)


def bench_open(size: int) -> None:
    import convanim as ca

    tmp = Path(tempfile.mkdtemp(prefix="convanim-html-"))
    t = time.perf_counter()
    page = ca.render(ca.Conv(size, 3, p=1), tmp / "big.html")
    build = time.perf_counter() - t
    driver = browser(str(tmp / "profile"))
    try:
        runs = []
        for _ in range(3):
            driver.get("about:blank")
            driver.get(page.as_uri())
            timing = driver.execute_script("""
                var nav = performance.getEntriesByType('navigation')[0];
                var paint = performance.getEntriesByType('paint').map(function (p) { return p.startTime; });
                var root = document.querySelector('.convanim-player');
                var s = document.querySelector('.cvp-slider'), t0 = performance.now();
                s.value = s.max; s.dispatchEvent(new Event('input', {bubbles: true}));
                var jump = performance.now() - t0;
                return {ready: root.getAttribute('data-ready') === 'true', dom_ms: nav.domContentLoadedEventEnd,
                        load_ms: nav.loadEventEnd, first_paint_ms: paint.length ? Math.max.apply(null, paint) : null,
                        jump_to_last_ms: jump, frame: root.getAttribute('data-frame')};""")
            runs.append(timing)
        print(json.dumps({"size": size, "frames": size * size, "bytes": page.stat().st_size,
                          "build_seconds": round(build, 2), "runs": runs}, indent=1))
    finally:
        driver.quit()
        shutil.rmtree(tmp, ignore_errors=True)


def walk_gallery(out: Path, names: list[str]) -> int:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from convanim.gallery import load_catalogue
    from convanim.gallery.build import case_plan
    from convanim.io.html import write_html, write_plan_html

    cases = load_catalogue(ROOT / "gallery" / "cases.toml")
    (out / "html").mkdir(parents=True, exist_ok=True)
    (out / "shots").mkdir(exist_ok=True)
    items = []
    for name, case in cases.items():
        if names and name not in names:
            continue
        path = out / "html" / f"{name}.html"
        if case.still:
            write_plan_html(case_plan(case), path)
        else:
            write_html(case.spec(), path, duration=case.duration, **case.look())
        items.append(f'<li><a href="html/{name}.html">{name}</a></li>')
    (out / "index.html").write_text("<!DOCTYPE html><meta charset=utf-8><ul>" + "".join(items) + "</ul>")
    driver = browser(tempfile.mkdtemp(prefix="convanim-chromium-"))
    failures = 0
    try:
        for page in sorted((out / "html").glob("*.html")):
            requests_made(driver)
            driver.get(page.as_uri())
            root = driver.find_element(By.CSS_SELECTOR, ".convanim-player")
            n = int(root.get_attribute("data-frames"))
            notes = []
            if n > 1:
                driver.find_element(By.CSS_SELECTOR, 'button[aria-label="Play"]').click()
                driver.find_element(By.CSS_SELECTOR, 'button[aria-label="Pause"]').click()
                driver.find_element(By.CSS_SELECTOR, 'button[aria-label="Next frame"]').click()
                if root.get_attribute("data-frame") != "1":
                    notes.append("next did not show frame 1")
                cells = driver.find_elements(By.CSS_SELECTOR, "[data-cell-frame]")
                cell = cells[len(cells) // 2]
                ActionChains(driver).move_to_element(cell).click().perform()
                if root.get_attribute("data-frame") != cell.get_attribute("data-cell-frame"):
                    notes.append("pointing did not show the cell's frame")
            urls = requests_made(driver)
            if urls != [page.as_uri()]:
                notes.append(f"requests: {urls}")
            errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            notes += errors
            driver.save_screenshot(str(out / "shots" / f"{page.stem}.png"))
            failures += bool(notes)
            print(f"{page.stem:45s} {n:5d} frames {page.stat().st_size / 1024:8.1f} KB  "
                  f"frame {root.get_attribute('data-frame'):>4s}  {'; '.join(notes) or 'ok'}")
    finally:
        driver.quit()
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    o = sub.add_parser("open")
    o.add_argument("--size", type=int, default=64)
    g = sub.add_parser("gallery")
    g.add_argument("--out", type=Path, default=Path("gallery-html"))
    g.add_argument("names", nargs="*")
    args = ap.parse_args()
    if args.what == "open":
        bench_open(args.size)
        return 0
    return walk_gallery(args.out, args.names)


if __name__ == "__main__":
    sys.exit(main())
