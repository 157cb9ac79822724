"""The HTML player's script and style sheet, as text (inlined into every page: nothing is fetched)."""
from __future__ import annotations

__all__ = ["PLAYER_JS", "PLAYER_CSS", "ICONS"]

#: Starts every ``.convanim-player`` on the page that has not started yet (a notebook may hold several).
PLAYER_JS = r"""
(function () {
  "use strict";
  var players = [];

  function start(root) {
    root.setAttribute("data-ready", "true");
    var data = JSON.parse(root.querySelector("script.cvp-data").textContent);
    var n = data.n, key = data.key, frames = data.frames, unit = data.unit;
    var kinds = data.kinds, pal = data.pal, strs = data.str;
    var groups = [], shown = [], state = [], texts = {}, recoloured = [], marks = [];
    root.querySelectorAll("[data-moving]").forEach(function (g) {
      groups[+g.getAttribute("data-moving")] = g;
    });
    root.querySelectorAll("[data-t]").forEach(function (g) { texts[g.getAttribute("data-t")] = g; });
    for (var k0 = 0; k0 < kinds.length; k0++) state[k0] = {c: [], m: 0, f: null, s: null};
    var q = function (sel) { return root.querySelector(sel); };
    var playBtn = q(".cvp-play"), prevBtn = q(".cvp-prev"), nextBtn = q(".cvp-next");
    var slider = q(".cvp-slider"), speed = q(".cvp-speed"), status = q(".cvp-status");
    var cells = root.querySelectorAll("[data-cell-frame]");
    var cur = -1, playing = false, timer = null, pinned = null, before = null;

    // Frame t's state: from the keyframe at or before t (or from the current frame), one step at a time.
    function apply(t) {
      frames[t].forEach(function (e) {
        if (e[0] < 0) { marks = e[2]; return; }
        var s = state[e[0]], op = e[1];
        if (op === 0) { s.c = e[2].slice(); s.m = e[3]; }
        else if (op === 1) { var c = s.c, d = e[2], m = d.length; for (var i = 0; i < c.length; i++) c[i] += d[i % m]; }
        else if (op === 2) s.f = e[2];
        else s.s = e[2];
      });
    }
    function seek(t) {
      var from = t - t % key;
      if (cur >= from && cur <= t) from = cur + 1; else apply(from++);
      for (var u = from; u <= t; u++) apply(u);
    }
    function fill(s, i) { return s.f ? ' fill="' + pal[s.f[i % s.f.length]] + '"' : ""; }
    // A slot's markup: its polygons, its lines (one path) or its texts, in points.
    function markup(k) {
      var s = state[k], c = s.c, out = "", i, j;
      if (kinds[k] === 0) {
        var per = 2 * s.m;
        for (i = 0; per && i * per < c.length; i++) {
          out += '<path d="M';
          for (j = 0; j < per; j += 2) {
            out += (j === 2 ? "L" : j ? " " : "") + c[i * per + j] / unit + " " + c[i * per + j + 1] / unit;
          }
          out += 'Z"' + fill(s, i) + "/>";
        }
      } else if (kinds[k] === 1) {
        for (i = 0; i < c.length; i += 4) {
          out += "M" + c[i] / unit + " " + c[i + 1] / unit + "L" + c[i + 2] / unit + " " + c[i + 3] / unit;
        }
        if (out) out = '<path d="' + out + '"/>';
      } else {
        for (i = 0; 2 * i < c.length; i++) {
          var lines = strs[s.s[i]];
          for (j = 0; j < lines.length; j++) {
            out += '<text x="' + (c[2 * i] + lines[j][0]) / unit + '" y="' + (c[2 * i + 1] + lines[j][1]) / unit +
              '"' + fill(s, i) + ">" + lines[j][2] + "</text>";
          }
        }
      }
      return out;
    }
    // Still texts under a moving shade or on a faint map take another colour (as a style property: the page's
    // policy allows no style attribute, but a script may set one).
    function recolour() {
      recoloured.forEach(function (g) { g.style.fill = ""; });
      recoloured = [];
      for (var i = 0; i < marks.length; i += 2) {
        var g = texts[marks[i]];
        if (g) { g.style.fill = pal[marks[i + 1]]; recoloured.push(g); }
      }
    }
    function show(t) {
      t = ((t % n) + n) % n;
      if (t !== cur) {
        seek(t);
        cur = t;
        for (var k = 0; k < groups.length; k++) {
          var html = markup(k);
          if (html !== shown[k]) { groups[k].innerHTML = html; shown[k] = html; }
        }
        recolour();
      }
      root.setAttribute("data-frame", String(t));
      slider.value = String(t);
      var text = "frame " + (t + 1) + " of " + n;
      slider.setAttribute("aria-valuetext", text);
      status.textContent = text;
    }
    function interval() { return data.ms / parseFloat(speed.value); }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(function () { if (playing) { show(cur + 1); schedule(); } }, interval());
    }
    function setPlaying(on) {
      playing = on;
      root.setAttribute("data-playing", on ? "true" : "false");
      playBtn.setAttribute("aria-label", on ? "Pause" : "Play");
      playBtn.classList.toggle("cvp-on", on);
      if (on) schedule(); else clearTimeout(timer);
    }
    function unpin() {
      if (pinned) pinned.classList.remove("cvp-pinned");
      pinned = null; before = null;
    }
    function step(by) { setPlaying(false); unpin(); show(cur + by); }

    playBtn.addEventListener("click", function () { unpin(); setPlaying(!playing); });
    prevBtn.addEventListener("click", function () { step(-1); });
    nextBtn.addEventListener("click", function () { step(1); });
    slider.addEventListener("input", function () { setPlaying(false); unpin(); show(+slider.value); });
    speed.addEventListener("change", function () { if (playing) schedule(); });

    // Pointing at an output cell shows the frame that computes it until the pointer leaves; a click pins it.
    function cellOf(node) { return node && node.closest ? node.closest("[data-cell-frame]") : null; }
    root.addEventListener("pointerover", function (e) {
      var cell = cellOf(e.target);
      if (!cell || pinned) return;
      if (before === null) before = cur;
      setPlaying(false);
      show(+cell.getAttribute("data-cell-frame"));
    });
    root.addEventListener("pointerout", function (e) {
      if (!cellOf(e.target) || cellOf(e.relatedTarget) || pinned) return;
      if (before !== null) show(before);
      before = null;
    });
    root.addEventListener("click", function (e) {
      var cell = cellOf(e.target);
      if (!cell) return;
      var again = cell === pinned;
      unpin();
      setPlaying(false);
      if (!again) { pinned = cell; cell.classList.add("cvp-pinned"); }
      show(+cell.getAttribute("data-cell-frame"));
    });

    function onKey(e) {
      if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
      var tag = e.target && e.target.tagName;
      if (tag === "SELECT") return;
      if (e.key === " " || e.key === "Spacebar") {
        if (tag === "BUTTON") return;  // the focused button does its own job
        e.preventDefault(); unpin(); setPlaying(!playing);
      } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        if (tag === "INPUT") return;  // the slider moves itself
        e.preventDefault(); step(e.key === "ArrowLeft" ? -1 : 1);
      } else if (e.key === "Home" || e.key === "End") {
        if (tag === "INPUT") return;
        e.preventDefault(); setPlaying(false); unpin(); show(e.key === "Home" ? 0 : n - 1);
      }
    }
    root.addEventListener("keydown", onKey);

    show(data.start);
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    setPlaying(data.play && !still && n > 1);
    return {root: root, onKey: onKey};
  }

  document.querySelectorAll(".convanim-player:not([data-ready])").forEach(function (root) {
    players.push(start(root));
  });
  // With one player on the page, keys pressed with nothing focused drive it.
  if (!window.__convanimKeys) {
    window.__convanimKeys = true;
    document.addEventListener("keydown", function (e) {
      var all = document.querySelectorAll(".convanim-player[data-ready]");
      if (all.length !== 1 || (e.target !== document.body && e.target !== document.documentElement)) return;
      var root = all[0];
      root.dispatchEvent(new KeyboardEvent("keydown", {key: e.key, bubbles: false, cancelable: true}));
      e.preventDefault();
    });
  }
})();
"""

#: The player's look; ``{scope}`` is the player's own class, so that several players and the host page's
#: style sheets stay apart.  The theme's colours come in as CSS variables.
PLAYER_CSS = """
{scope}{{--bg:{bg};--fg:{fg};--line:{line};--accent:{accent};display:inline-block;margin:0;padding:12px;
background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
max-width:100%;box-sizing:border-box;border-radius:6px}}
{scope}:focus-visible{{outline:2px solid var(--accent);outline-offset:2px}}
{scope} svg.cvp-figure{{display:block;max-width:100%;max-height:85vh;height:auto}}
{scope} svg.cvp-figure{{stroke-linejoin:round;stroke-linecap:butt}}
{scope} .cvp-cells polygon{{fill:transparent;stroke:none;pointer-events:all;cursor:pointer}}
{scope} .cvp-cells polygon:hover{{stroke:var(--fg);stroke-width:1.2;stroke-dasharray:2 1.5}}
{scope} .cvp-cells polygon.cvp-pinned{{stroke:var(--fg);stroke-width:2;stroke-dasharray:3 2}}
{scope} .cvp-controls{{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:8px}}
{scope} .cvp-controls[hidden]{{display:none}}
{scope} .cvp-controls button{{display:inline-flex;align-items:center;justify-content:center;width:34px;height:30px;
padding:0;border:1px solid var(--line);border-radius:4px;background:transparent;color:var(--fg);cursor:pointer}}
{scope} .cvp-controls button:focus-visible,{scope} .cvp-controls input:focus-visible,
{scope} .cvp-controls select:focus-visible{{outline:2px solid var(--accent);outline-offset:1px}}
{scope} .cvp-controls svg{{width:14px;height:14px;fill:currentColor}}
{scope} .cvp-play .cvp-icon-pause,{scope} .cvp-play.cvp-on .cvp-icon-play{{display:none}}
{scope} .cvp-play.cvp-on .cvp-icon-pause{{display:inline}}
{scope} .cvp-slider{{flex:1 1 160px;min-width:100px;accent-color:var(--accent)}}
{scope} .cvp-controls select{{background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:4px}}
{scope} .cvp-status{{font-variant-numeric:tabular-nums;min-width:9em}}
{scope} figcaption{{margin-top:6px;font-size:13px}}
{scope} figcaption code{{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}}
"""

#: Inline icons for the buttons (no icon font, no image files).
ICONS = {
    "prev": '<path d="M2 2h2v10H2zM12 2v10L5 7z"/>',
    "play": '<path d="M3 1.5v11l9-5.5z"/>',
    "pause": '<path d="M3 2h3v10H3zM8 2h3v10H8z"/>',
    "next": '<path d="M10 2h2v10h-2zM2 2v10l7-5z"/>',
}
