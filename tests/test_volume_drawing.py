"""3D layers in the grid view: the kernel's shade on exactly the slices and cells of each frame's taps, a frame per
output cell, the values written those PyTorch computes, the figure model's promises in both styles, and files
that are the same bytes twice."""
from __future__ import annotations

import math

import numpy as np
import pytest

import convanim as ca
from convanim.drawing.api import make_plan
from convanim.drawing.cell_numbers import format_value
from convanim.drawing.layout import COL, ROW
from tests import test_figure_model as fm

SPECS = [
    ca.Conv((3, 5, 5), 3, p=1),
    ca.Conv((4, 6, 6), (2, 3, 3), s=(1, 2, 2), p=((0, 1), (1, 1), (0, 1))),
    ca.Conv((3, 4, 4), 2, p=1, padding_mode="reflect"),
    ca.Conv((5, 5, 5), 2, d=(2, 1, 2)),
    ca.Conv((3, 3, 3), 3, s=2, p=1).transpose(),
    ca.Pool((4, 4, 4), 2),
    ca.Pool((3, 4, 4), 2, s=1, p=1, mode="avg"),
]
IDS = [repr(s) for s in SPECS]


def _cell_of(panel, quad):
    """The (slice, row, col) of the canvas cell ``quad`` covers, found from the page alone: the slice whose outline
    holds its centre, then the cell by inverting the projection."""
    from matplotlib.path import Path

    centre = quad.mean(axis=0)
    D = panel.sc.canvas_shape[0]
    owners = [z for z, o in enumerate(panel.grid_outlines()[:D]) if Path(o).contains_point(centre)]
    assert len(owners) == 1, owners
    z = owners[0]
    local = centre - panel.in_off[z] - panel.offset
    if panel.style == "paper":
        r, c = np.linalg.solve(np.stack([ROW, COL], axis=1), local)
    else:
        r, c = -local[1], local[0]
    return (z, int(np.floor(r)), int(np.floor(c))), (r % 1, c % 1)


@pytest.mark.parametrize("style", ["paper", "flat"])
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_shade_lies_on_exactly_the_slices_and_cells_of_the_taps(spec, style):
    plan = make_plan(spec, style=style)
    panel = plan.panels[0]
    sc = ca.scene(spec)
    assert plan.n_frames == math.prod(spec.output_shape) == len(sc.frames)
    D = sc.canvas_shape[0]
    for t in sorted({0, 1, plan.n_frames // 2, plan.n_frames - 1}):
        st = plan.frame(t)
        fr = sc.frames[t]
        quads = st.geometry["0:kernel"]
        assert len(quads) == len(fr.taps)
        got = []
        for q in quads:
            cell, frac = _cell_of(panel, q)
            np.testing.assert_allclose(frac, (0.5, 0.5), atol=1e-9)  # a whole cell, centred
            got.append(cell)
        assert sorted(got) == sorted(tuple(tap) for tap in fr.taps)
        # The output cell is highlighted on its slice; the veil lies on every slice the window does not read.
        (hl,) = st.geometry["0:highlight"]
        zo, ro, co = fr.output_cell
        np.testing.assert_allclose(hl, panel.output_quads(zo, [ro], [co])[0])
        read = {tap[0] for tap in fr.taps}
        outlines = panel.grid_outlines()
        want = [outlines[z] for z in range(D) if z not in read]
        want += [outlines[D + z] for z in range(spec.output_shape[0]) if z != zo]
        np.testing.assert_allclose(np.asarray(st.geometry["0:veil"]).reshape(-1, 2),
                                   np.asarray(want).reshape(-1, 2))
        # The box joins the window's outline on the first and the last slice it reads.
        z0 = min(read)
        z1 = max(read)
        box = st.geometry["0:box"]
        ends = {tuple(np.round(p, 9)) for seg in box for p in seg}
        for z in (z0, z1):
            r0, c0 = sc.window_origin(fr.output_cell)[1:]
            eh, ew = sc.window_extent()[1:]
            face = panel.lay.quads([r0], [c0], "canvas", eh, ew)[0] + panel.in_off[z] + panel.offset
            assert {tuple(np.round(p, 9)) for p in face} <= ends


def test_padding_slices_are_padding_and_asymmetric_padding_shows():
    spec = ca.Conv((2, 3, 3), 2, p=((1, 2), (0, 1), (1, 0)))
    panel = make_plan(spec).panels[0]
    real = panel.real
    assert real.shape == (5, 4, 4)
    assert not real[0].any() and not real[3].any() and not real[4].any()  # one slice before, two after
    assert real[1:3, :3, 1:].all() and not real[1:3, 3, :].any() and not real[1:3, :, 0].any()
    names, outs = panel.slice_names()
    assert names == ["padding", "input 2×3×3\ndepth slice 0", "depth slice 1", "padding", "padding"]
    assert outs[0].startswith("output 4×3×3")


def test_reflect_padding_slices_say_what_they_copy():
    panel = make_plan(ca.Conv((3, 4, 4), 2, p=1, padding_mode="reflect")).panels[0]
    names, _ = panel.slice_names()
    assert names[0] == "padding\n(copies slice 1)" and names[-1] == "padding\n(copies slice 1)"
    assert panel.copies[0].all() and panel.copies[1][0].all() and not panel.real[0].any()


def _torch_out(spec, x, w):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    xt = torch.tensor(x)[None, None]
    if isinstance(spec, ca.Pool):
        (b, _), = {spec.padding[0]}
        fn = F.max_pool3d if spec.mode == "max" else F.avg_pool3d
        return fn(xt, spec.k, spec.s, b).numpy()[0, 0]
    pads = [v for pair in reversed(spec.padding) for v in pair]
    mode = "constant" if spec.padding_mode == "zeros" else spec.padding_mode
    xt = F.pad(xt, pads, mode=mode)
    return F.conv3d(xt, torch.tensor(w)[None, None], stride=spec.s, dilation=spec.d).numpy()[0, 0]


@pytest.mark.parametrize("spec", [SPECS[0], SPECS[1], SPECS[2], SPECS[5], SPECS[6]], ids=lambda s: repr(s))
def test_values_written_are_pytorch_s(spec):
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, size=spec.input_shape).astype(float)
    w = None if isinstance(spec, ca.Pool) else rng.integers(-2, 3, size=spec.k).astype(float)
    plan = make_plan(spec, numbers=True, x=x, kernel=w)
    outputs = [t.text for t in plan.texts if t.role == "output"]
    want = _torch_out(spec, x, w)
    assert outputs == [format_value(v, 1) for v in want.ravel()]
    # The canvas numbers are the padded input, slice by slice (a max pooling's padding is -inf).
    panel = plan.panels[0]
    canvas = [t.text for t in plan.texts if t.role == "number"]
    sc = ca.scene(spec)
    assert len(canvas) == math.prod(sc.canvas_shape)
    if isinstance(spec, ca.Conv):
        torch = pytest.importorskip("torch")
        pads = [v for pair in reversed(spec.padding) for v in pair]
        mode = "constant" if spec.padding_mode == "zeros" else spec.padding_mode
        padded = torch.nn.functional.pad(torch.tensor(x)[None, None], pads, mode=mode).numpy()[0, 0]
        assert canvas == [format_value(v) for v in padded.ravel()]
    # The weights drawn at frame t are the kernel's, at its taps in order.
    if w is not None and panel.weight_strings:
        assert list(panel.weight_strings) == [format_value(v) for v in w.ravel()]


def test_channels_in_3d_are_refused_naming_c_in():
    with pytest.raises(ValueError, match=r"c_in.*3D with channels is not drawn yet"):
        make_plan(ca.Conv((3, 4, 4), 2, c_in=2, c_out=1))
    with pytest.raises(ValueError, match="c_in"):
        ca.figure(ca.Conv((3, 4, 4), 2, c_in=2, c_out=2))


FIGURES = [
    (SPECS[0], {}), (SPECS[0], {"style": "flat"}),
    (SPECS[1], {"theme": "dark"}), (SPECS[1], {"style": "flat"}),
    (SPECS[2], {"style": "flat", "theme": "colorblind"}), (SPECS[2], {}),
    (SPECS[4], {}), (SPECS[5], {"style": "flat"}), (SPECS[6], {"theme": "colorblind"}),
]
FIG_IDS = [f"{s!r}-{kw}" for s, kw in FIGURES]


@pytest.mark.parametrize("spec,kw", FIGURES, ids=FIG_IDS)
def test_figure_model_promises_hold(spec, kw):
    fm.test_text_is_legible_inside_its_cell_and_never_collides(spec, kw)


@pytest.mark.parametrize("spec,kw", FIGURES[::2], ids=FIG_IDS[::2])
def test_texts_contrast_and_the_tight_box_is_the_drawing(spec, kw):
    fm.test_every_text_contrasts_with_the_pixels_behind_it(spec, kw)
    fm.test_tight_bounding_box_is_the_drawing(spec, kw)


def test_the_legible_default_size_is_sane():
    plan = make_plan(ca.Conv((3, 5, 5), 3, p=1), labels=True, caption=True)
    w, h = plan.size_pt
    assert max(w, h) <= 800 and plan.unit >= 10.0  # the drawing within 9 inches (caption apart), cells 10 pt or more
    plan = make_plan(ca.Conv((3, 5, 5), 3, p=1), numbers=True, style="flat")
    assert min(t.size for t in plan.texts) >= 6.0 and not plan.notes


@pytest.mark.parametrize("suffix", [".gif", ".pdf", ".svg", ".html"])
def test_files_render_and_are_the_same_bytes_twice(tmp_path, suffix):
    spec = ca.Conv((2, 3, 3), 2, p=(1, 0, 0))
    kw = {"numbers": True, "labels": True} if suffix != ".gif" else {"labels": True, "style": "flat"}
    a = ca.render(spec, tmp_path / f"a{suffix}", **kw)
    b = ca.render(spec, tmp_path / f"b{suffix}", **kw)
    data = a.read_bytes()
    assert data == b.read_bytes() and len(data) > 1000
    if suffix == ".gif":
        from PIL import Image

        with Image.open(a) as im:
            assert im.n_frames == math.prod(spec.output_shape)
    if suffix == ".svg":
        assert b"depth slice 1" in data
