"""The HTML player in a real browser: Debian's chromium driven by selenium through Debian's chromedriver.

Skipped when selenium, chromium or chromedriver is missing (``.ci/run`` installs them).  No timings are
asserted: waits only bound how long a test may take to see what it expects.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

import convanim as ca

# CI sets CONVANIM_REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
REQUIRED = os.environ.get("CONVANIM_REQUIRE_BROWSER") == "1"
try:
    from selenium import webdriver
except ImportError:
    if REQUIRED:
        raise
    pytest.skip("selenium is needed (pip install selenium)", allow_module_level=True)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = next((p for p in (os.environ.get("CONVANIM_CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser"), "/usr/bin/chromium") if p and os.path.exists(p)), None)
CHROMEDRIVER = next((p for p in (os.environ.get("CONVANIM_CHROMEDRIVER"), shutil.which("chromedriver"),
                                 "/usr/bin/chromedriver") if p and os.path.exists(p)), None)
if CHROMIUM is None or CHROMEDRIVER is None:
    (pytest.fail if REQUIRED else pytest.skip)(
        "chromium and chromedriver are needed (apt-get install chromium chromium-driver)", allow_module_level=True)

ROOT_SEL = "figure.convanim-player"
# Recorded from the first instruction of every page: requests the page makes, and policy violations.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.blockedURI); });
"""


@pytest.fixture(scope="module")
def browser():
    opts = webdriver.ChromeOptions()
    profile = tempfile.mkdtemp(prefix="convanim-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1700,1300", "--force-device-scale-factor=1",
                 "--hide-scrollbars"):
        opts.add_argument(flag)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except Exception as exc:
        shutil.rmtree(profile, ignore_errors=True)
        (pytest.fail if REQUIRED else pytest.skip)(f"chromium did not start: {exc}")
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path: Path, *, reduced_motion: bool = True):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
        {"name": "prefers-reduced-motion", "value": "reduce" if reduced_motion else "no-preference"}]})
    driver.get_log("performance")  # forget earlier pages' events
    driver.get(path.resolve().as_uri())
    root = driver.find_element(By.CSS_SELECTOR, ROOT_SEL)
    WebDriverWait(driver, 10).until(lambda d: root.get_attribute("data-ready") == "true")
    return root


def frame(root) -> int:
    return int(root.get_attribute("data-frame"))


def button(driver, label: str):
    return driver.find_element(By.CSS_SELECTOR, f'{ROOT_SEL} button[aria-label="{label}"]')


def moving_markup(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-moving]')).map(function (g) { return g.innerHTML; });")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    made = {
        "odd": ca.render(ca.Conv(6, 3, s=2, p=1).transpose(), out / "odd.html", numbers=True, labels=True,
                         caption=True),
        "fast": ca.render(ca.Conv(5, 3, s=2, p=1), out / "fast.html", duration=0.05),
        "long": ca.render(ca.Conv(10, 3, p=1), out / "long.html", style="flat"),  # 100 frames: keyframes at 0, 64
    }
    return made


def test_buttons_slider_and_data_frame(browser, pages):
    root = open_page(browser, pages["odd"])
    assert root.get_attribute("data-frames") == "36" and frame(root) == 0
    play = button(browser, "Play")
    assert root.get_attribute("data-playing") == "false"  # reduced motion: starts paused
    button(browser, "Next frame").click()
    button(browser, "Next frame").click()
    assert frame(root) == 2
    button(browser, "Previous frame").click()
    assert frame(root) == 1
    button(browser, "Previous frame").click()
    button(browser, "Previous frame").click()
    assert frame(root) == 35  # wraps round, as the GIF loops
    slider = browser.find_element(By.CSS_SELECTOR, f'{ROOT_SEL} input[type="range"]')
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("0", "35")
    slider.send_keys(Keys.HOME)
    assert frame(root) == 0 and slider.get_attribute("value") == "0"
    slider.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert frame(root) == 3
    assert slider.get_attribute("aria-valuetext") == "frame 4 of 36"
    play.click()
    assert play.get_attribute("aria-label") == "Pause"
    speed = browser.find_element(By.CSS_SELECTOR, f"{ROOT_SEL} select[aria-label='Speed']")
    assert "16" in [o.get_attribute("value") for o in speed.find_elements(By.TAG_NAME, "option")]
    button(browser, "Pause").click()
    assert button(browser, "Play").get_attribute("aria-label") == "Play"


def test_play_advances_and_stepping_pauses(browser, pages):
    root = open_page(browser, pages["fast"])
    button(browser, "Play").click()
    WebDriverWait(browser, 10).until(lambda d: frame(root) >= 3)
    button(browser, "Next frame").click()
    assert root.get_attribute("data-playing") == "false"
    assert button(browser, "Play").get_attribute("aria-label") == "Play"
    stopped = frame(root)
    browser.execute_script("return new Promise(function (r) { setTimeout(r, 300); });")  # 6 frame times
    assert frame(root) == stopped


def test_plays_unless_the_reader_prefers_reduced_motion(browser, pages):
    root = open_page(browser, pages["fast"], reduced_motion=False)
    assert root.get_attribute("data-playing") == "true"
    WebDriverWait(browser, 10).until(lambda d: frame(root) > 0)
    root = open_page(browser, pages["fast"], reduced_motion=True)
    assert root.get_attribute("data-playing") == "false" and frame(root) == 0


def test_keyboard_space_left_right(browser, pages):
    root = open_page(browser, pages["odd"])
    keys = ActionChains(browser)
    keys.send_keys(Keys.ARROW_RIGHT).perform()  # nothing focused: the page's only player takes the keys
    assert frame(root) == 1
    keys.send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_RIGHT).perform()
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    assert frame(root) == 2
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert root.get_attribute("data-playing") == "true"
    ActionChains(browser).send_keys(Keys.SPACE).perform()
    assert root.get_attribute("data-playing") == "false"
    # With the player focused too, and the right arrow pauses a playing player.
    root.send_keys(Keys.SPACE)
    assert root.get_attribute("data-playing") == "true"
    at = frame(root)
    root.send_keys(Keys.ARROW_RIGHT)
    assert root.get_attribute("data-playing") == "false" and frame(root) == (at + 1) % 36
    root.send_keys(Keys.END)
    assert frame(root) == 35


def test_pointing_shows_and_clicking_pins_the_cells_frame(browser, pages):
    root = open_page(browser, pages["odd"])
    cells = browser.find_elements(By.CSS_SELECTOR, "[data-cell-frame]")
    assert sorted(int(c.get_attribute("data-cell-frame")) for c in cells) == list(range(36))
    button(browser, "Next frame").click()
    button(browser, "Play").click()  # pointing pauses a playing player
    target = next(c for c in cells if c.get_attribute("data-cell-frame") == "20")
    ActionChains(browser).move_to_element(target).perform()
    assert frame(root) == 20 and root.get_attribute("data-playing") == "false"
    caption = browser.find_element(By.CSS_SELECTOR, f"{ROOT_SEL} figcaption")
    ActionChains(browser).move_to_element(caption).perform()
    assert frame(root) != 20  # pointing away gives back the frame shown before
    ActionChains(browser).move_to_element(target).click().perform()
    ActionChains(browser).move_to_element(caption).perform()
    assert frame(root) == 20  # pinned
    assert "cvp-pinned" in target.get_attribute("class")
    other = next(c for c in cells if c.get_attribute("data-cell-frame") == "7")
    ActionChains(browser).move_to_element(other).perform()
    assert frame(root) == 20  # pinned stays pinned while pointing elsewhere
    ActionChains(browser).move_to_element(other).click().perform()
    assert frame(root) == 7 and "cvp-pinned" not in target.get_attribute("class")
    button(browser, "Next frame").click()
    assert frame(root) == 8 and not browser.find_elements(By.CSS_SELECTOR, ".cvp-pinned")


def test_any_route_to_a_frame_draws_the_same(browser, pages):
    """Stepping through every frame, jumping with the slider (across keyframes) and going back all draw a frame
    the same way."""
    root = open_page(browser, pages["long"])
    stepped = {0: moving_markup(browser)}
    nxt = button(browser, "Next frame")
    for t in range(1, 100):
        nxt.click()
        if t in (1, 63, 64, 65, 99):
            stepped[t] = moving_markup(browser)
    assert frame(root) == 99
    for t in (65, 1, 64, 99, 0, 63):
        browser.execute_script("var s = arguments[0]; s.value = arguments[1];"
                               "s.dispatchEvent(new Event('input', {bubbles: true}));",
                               browser.find_element(By.CSS_SELECTOR, ".cvp-slider"), t)
        assert frame(root) == t
        assert moving_markup(browser) == stepped[t], f"frame {t}"
    assert stepped[64] != stepped[63]


def test_no_request_outside_the_page_and_no_error(browser, pages):
    for name, path in pages.items():
        open_page(browser, path)
        button(browser, "Next frame").click()
        urls = [json.loads(e["message"])["message"]["params"]["request"]["url"]
                for e in browser.get_log("performance")
                if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"]
        assert urls == [path.resolve().as_uri()], name
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
        assert browser.execute_script("return window.__violations") == [], name
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], name


def test_request_check_sees_a_request_when_there_is_one(browser, tmp_path):
    """The check above can fail: a page that loads an image is caught by it."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">')
    browser.get_log("performance")
    browser.get(page.as_uri())
    urls = [json.loads(e["message"])["message"]["params"]["request"]["url"]
            for e in browser.get_log("performance")
            if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"]
    assert "http://127.0.0.1:9/x.png" in urls


LOOKS = [
    ("paper_numbers", ca.Conv(5, 3, s=2, p=1), dict(numbers=True, labels=True, caption=True), 4),
    ("flat", ca.Conv(5, 3, s=2, p=1), dict(style="flat", labels=True), 3),
    ("matrix", ca.Conv(4, 3), dict(view="matrix", numbers=True), 2),
    ("both_dark", ca.Conv(5, 3, s=2, p=1), dict(view="both", theme="dark", numbers=True), 5),
    ("max_pool", ca.Pool(5, 3, s=1), dict(theme="colorblind", numbers=True), 7),
    ("odd_transposed", ca.Conv(6, 3, s=2, p=1).transpose(), dict(numbers=True, labels=True, caption=True), 13),
    # A figure size of the caller's: the plan centred in it, as matplotlib's equal-aspect Axes puts it.
    ("figsize_wide", ca.Conv(5, 3, s=2, p=1), dict(figsize=(8.0, 3.0), labels=True, numbers=True), 3),
    ("avgpool_both_dark", ca.Pool(4, 2, mode="avg"), dict(theme="dark", numbers=True, caption=True, view="both"), 1),
    # The caller's fonts (rcParams at plan time): serif text, and serif formulas with it.
    ("serif", ca.Conv(5, 3, s=2, p=1), dict(numbers=True, labels=True, caption=True, rc={"font.family": "serif"}), 2),
]


@pytest.mark.parametrize("name, spec, kw, t", LOOKS, ids=[c[0] for c in LOOKS])
def test_frame_looks_like_the_png_of_that_frame(browser, tmp_path, name, spec, kw, t):
    import matplotlib
    from PIL import Image

    kw = dict(kw)
    rc = kw.pop("rc", {})
    with matplotlib.rc_context(rc):
        page = ca.render(spec, tmp_path / f"{name}.html", **kw)
    root = open_page(browser, page)
    browser.execute_script("var s = arguments[0]; s.value = arguments[1];"
                           "s.dispatchEvent(new Event('input', {bubbles: true}));",
                           browser.find_element(By.CSS_SELECTOR, ".cvp-slider"), t)
    assert frame(root) == t
    svg = browser.find_element(By.CSS_SELECTOR, "svg.cvp-figure")
    shot = np.asarray(Image.open(io.BytesIO(svg.screenshot_as_png)).convert("RGB")).astype(int)

    def png(frame_: int) -> np.ndarray:
        with matplotlib.rc_context(rc):
            path = ca.render(spec, tmp_path / f"{name}_{frame_}.png", frame=frame_, **kw)
        return np.asarray(Image.open(path).convert("RGB")).astype(int)

    same, other = png(t), png((t + 2) % int(root.get_attribute("data-frames")))
    assert shot.shape == same.shape

    def differ(a: np.ndarray, b: np.ndarray) -> float:
        # A pixel differs when nothing within one pixel of it in the other image is close: the browser and Agg
        # snap thin lines to pixels a little differently; a moved shade or a wrong colour still counts.
        pad = np.pad(b, ((1, 1), (1, 1), (0, 0)), mode="edge")
        h, w = a.shape[:2]
        best = np.full((h, w), np.inf)
        for dy in (0, 1, 2):
            for dx in (0, 1, 2):
                best = np.minimum(best, np.abs(a - pad[dy:dy + h, dx:dx + w]).max(axis=2))
        return float((best > 64).mean())

    # Text is anti-aliased differently by the browser and Agg; shapes and colours must agree.
    assert differ(shot, same) < 0.03
    assert differ(shot, same) < 0.5 * differ(shot, other)
    Image.fromarray(np.concatenate([same, shot], axis=1).astype(np.uint8)).save(tmp_path / f"{name}_side.png")


# Gallery cases, one of each kind of figure: numbers, transposed, both views, channels (faint maps), separable,
# 3D, stacks, overlap, mathtext captions, still figures.
GALLERY_LOOKS = [("numerical_padding_strides", 4), ("padding_strides_odd_transposed", 13),
                 ("no_padding_no_strides_matrix", 2), ("padding_strides_matrix", 5), ("channels_grouped", 9),
                 ("channels_separable", 20), ("conv3d", 13), ("wavenet_stack", 7), ("receptive_field_stack", 4),
                 ("checkerboard_uneven", 0), ("reflect_padding_numbers", 30), ("causal_dilated_1d", 5),
                 ("same_padding_strides_tensorflow", 4), ("channels", 0), ("subsampling", 0), ("positions", 0)]


@pytest.mark.parametrize("name, t", GALLERY_LOOKS, ids=[c[0] for c in GALLERY_LOOKS])
def test_gallery_player_looks_like_the_png_and_points_where_matplotlib_does(browser, tmp_path, name, t):
    """The player, painted from the plan, against the matplotlib painter's PNG of the same frame; its output
    cells where matplotlib's transform puts the plan's cells, each naming the frame that computes it."""

    from convanim.drawing.api import stage_of
    from convanim.gallery.build import case_plan
    from convanim.gallery.catalogue import load_catalogue
    from convanim.io.html import caption_lines, write_stage_html

    case = load_catalogue()[name]
    stage = stage_of(case_plan(case))
    spec = None if case.still else case.spec()
    page = write_stage_html(stage, tmp_path / f"{name}.html", title=case.title,
                            caption=[case.title] if spec is None else caption_lines(spec, stage.plan.view))
    # A viewport tall enough that the style sheet (at most 85% of its height) draws the figure at its own size.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 1700, "height": 1600,
                                                                   "deviceScaleFactor": 1, "mobile": False})
    try:
        root = open_page(browser, page)
        _check_gallery_case(browser, root, stage, spec, name, t, tmp_path)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _check_gallery_case(browser, root, stage, spec, name: str, t: int, tmp_path: Path) -> None:
    from PIL import Image

    browser.execute_script("var s = arguments[0]; s.value = arguments[1];"
                           "s.dispatchEvent(new Event('input', {bubbles: true}));",
                           browser.find_element(By.CSS_SELECTOR, ".cvp-slider"), t)
    assert frame(root) == t
    svg = browser.find_element(By.CSS_SELECTOR, "svg.cvp-figure")
    shot = np.asarray(Image.open(io.BytesIO(svg.screenshot_as_png)).convert("RGB")).astype(int)
    n = stage.n_frames
    stage.set_frame(t)
    same = stage.rgb().astype(int)
    assert shot.shape == same.shape
    Image.fromarray(np.concatenate([same, shot], axis=1).astype(np.uint8)).save(tmp_path / f"{name}_side.png")
    assert _far(shot, same).mean() < 0.03, name
    if n > 2:  # where this frame and another differ, the player shows this one
        stage.set_frame((t + n // 2) % n)
        other = stage.rgb().astype(int)
        moved = np.abs(same - other).max(axis=2) > 64
        assert moved.sum() > 20
        near, far = _far(shot, same)[moved].mean(), _far(shot, other)[moved].mean()
        assert near < 0.1 and far > 2 * near + 0.02, name
    if spec is None:
        return
    boxes = browser.execute_script("""
        var svg = arguments[0], r0 = svg.getBoundingClientRect();
        return Array.from(svg.querySelectorAll('[data-cell-frame]')).map(function (p) {
          var r = p.getBoundingClientRect();
          return [+p.getAttribute('data-cell-frame'), r.left - r0.left, r.top - r0.top, r.right - r0.left,
                  r.bottom - r0.top]; });""", svg)
    cells = stage.output_cells()
    assert [b[0] for b in boxes] == [c[0] for c in cells] == [c[0] for c in stage.plan.cells]
    height = stage.figure.get_figheight() * stage.figure.dpi
    for (_, x0, y0, x1, y1), (_, poly) in zip(boxes, cells):
        expect = [poly[:, 0].min(), height - poly[:, 1].max(), poly[:, 0].max(), height - poly[:, 1].min()]
        np.testing.assert_allclose([x0, y0, x1, y1], expect, atol=0.6)


def _far(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixels of ``a`` with nothing within one pixel of them in ``b`` close in colour (the browser and Agg snap
    thin lines and anti-alias text a little differently; a moved shade or a wrong colour counts)."""
    pad = np.pad(b, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = a.shape[:2]
    best = np.full((h, w), np.inf)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            best = np.minimum(best, np.abs(a - pad[dy:dy + h, dx:dx + w]).max(axis=2))
    return best > 64


def test_text_and_formulas_can_be_found_by_the_browsers_search(browser, pages):
    """Plain text is text, and a formula (drawn as outlines) carries its characters as transparent text."""
    open_page(browser, pages["odd"])
    for words in ("input 3×3", "relationship 14", "output_padding=a=1"):  # the last only in a formula
        browser.execute_script("window.getSelection().removeAllRanges();")
        assert browser.execute_script("return window.find(arguments[0]);", words), words
    assert not browser.execute_script("return window.find('no such words');")
