"""The SVG painter reads only the plan: its picture against the plan's numbers, without a browser.

tests/test_html_browser.py compares its frames with matplotlib's pixels; here the markup itself.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import convanim as ca
from convanim.drawing.api import make_plan
from convanim.drawing.plan import line_scale
from convanim.drawing.svg_painter import SvgPainter, hex_colour


def fitted(spec, **kw):
    plan = make_plan(spec, **kw)
    plan.fit_to(*(v * 72 for v in plan.figsize()))
    return plan


def test_the_picture_has_the_plans_box_and_every_still_polygon_in_points():
    plan = fitted(ca.Conv(5, 3, s=2, p=1), labels=True)
    p = SvgPainter(plan)
    w, h = plan.figsize()
    assert f'width="{round(w * 100)}" height="{round(h * 100)}"' in p.svg
    x0, x1, y0, y1 = plan.bounds
    for s in plan.shapes:
        for quad in s.verts:
            pts = p.points(quad)
            # plan units to points: the unit is points per plan unit, y turned down from the top
            np.testing.assert_allclose(pts[:, 0], (quad[:, 0] - x0) * plan.unit, atol=1e-6)
            np.testing.assert_allclose(pts[:, 1], (y1 - quad[:, 1]) * plan.unit, atol=1e-6)
            first = f"M{pts[0, 0]:.2f}".rstrip("0").rstrip(".")
            assert first in p.svg


def test_line_widths_dashes_joins_and_caps_are_the_matplotlib_painters():
    plan = fitted(ca.Conv(5, 3, s=2, p=1))
    p = SvgPainter(plan)
    css = p.styles.css("x")
    num = lambda v: f"{v:.3f}".rstrip("0").rstrip(".")
    scale = line_scale(plan.unit)
    assert any(st.dashed for st in plan.strokes)
    for st in plan.strokes:  # projecting caps; dashes 4 on, 3 off, scaled by the width as matplotlib does
        lw = st.width * scale
        rule = f"fill:none;stroke:{hex_colour(st.colour)};stroke-width:{num(lw)};" + (
            f"stroke-dasharray:{num(4 * lw)},{num(3 * lw)};" if st.dashed else "") + "stroke-linecap:square"
        assert rule in css
    for sh in plan.shapes:
        if sh.edge is not None:
            assert f"stroke:{hex_colour(sh.edge)};stroke-width:{num(sh.width * scale)}" in css
    assert "stroke-linejoin:miter" in css
    # The projection lines pass behind the output grid: clipped by the box less the grid, even-odd.
    assert any(m.hole is not None for m in plan.movers) and 'clip-rule="evenodd"' in p.svg
    lines = next(k for k, m in enumerate(plan.movers) if m.hole is not None)
    assert re.search(rf'data-moving="{lines}" class="s\d+" clip-path="url\(#c\d+\)"', p.svg)


def test_draw_order_is_z_then_the_plans_order():
    plan = fitted(ca.Conv(6, 3, s=2, p=1).transpose(), numbers=True, labels=True, caption=True)
    svg = SvgPainter(plan).svg
    slots = {m.name: svg.index(f'data-moving="{k}"') for k, m in enumerate(plan.movers)}
    z = {m.name: m.z for m in plan.movers}
    ordered = sorted(slots, key=slots.get)
    assert [z[n] for n in ordered] == sorted(z[n] for n in ordered)
    shaded = [j for j, t in enumerate(plan.texts) if t.shaded is not None]
    for j in shaded:  # a number the shade covers is drawn after the shade (its z is higher)
        assert svg.index(f'data-t="{j}"') > slots["0:kernel"]


def test_frames_follow_the_plan_and_recolour_what_the_shade_covers():
    plan = fitted(ca.Conv(4, 3), numbers=True)
    p = SvgPainter(plan)
    names = [m.name for m in plan.movers]
    for t, (slots, recoloured) in enumerate(p.states()):
        state = plan.frame(t)
        kernel = slots[names.index("0:kernel")]
        np.testing.assert_allclose(kernel.coords.reshape(-1, 2) / 100,
                                   p.points(state.geometry["0:kernel"]).reshape(-1, 2), atol=0.006)
        covered = {j for j in state.covered if plan.texts[j].shaded is not None}
        assert set(recoloured) == covered
        assert all(recoloured[j] == hex_colour(plan.texts[j].shaded) for j in covered)


@pytest.mark.parametrize("spec, kw", [(ca.Conv(4, 3), dict(numbers=True, caption=True)),
                                      (ca.Conv(5, 3, c_in=2, c_out=2), dict(numbers=True, labels=True))])
def test_same_plan_same_markup(spec, kw):
    a, b = SvgPainter(fitted(spec, **kw)), SvgPainter(fitted(spec, **kw))
    assert a.svg == b.svg and a.styles.rules == b.styles.rules
