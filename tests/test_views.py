"""Issue 19: one view per kind of figure, options checked once at every door, the plan as data, formats as a
registry."""
from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import convanim as ca
from convanim.drawing.views import checked, select_view, view_names

ROOT = Path(__file__).resolve().parents[1]
PS = ca.Conv(5, 3, s=2, p=1)


# ---- the registry ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,view,name", [
    (PS, "grid", "GridView"),
    (PS, "matrix", "MatrixView"),
    (PS, "both", "BothView"),
    (PS, "overlap", "OverlapView"),
    (ca.Conv(5, 3, c_in=2, c_out=3), "grid", "GridView"),
    (ca.Conv((3, 5, 5), 3), "grid", "GridView"),
    (ca.Stack(ca.Conv(8, 3), ca.Pool(6, 2)), "grid", "StackView"),
    (ca.separable(4, 3, 2, 3), "grid", "SeparableView"),
])
def test_the_registry_picks_one_view_per_kind(spec, view, name):
    assert type(select_view(spec, view)).__name__ == name


def test_every_view_name_is_registered_once_and_a_wrong_one_is_refused_by_name():
    assert view_names() == ("grid", "matrix", "both", "overlap")
    with pytest.raises(ValueError, match="view must be one of 'grid', 'matrix', 'both', 'overlap', got 'heat'"):
        checked(PS, view="heat")
    with pytest.raises(ValueError, match=r"view: a Stack is drawn with view='grid'"):
        checked(ca.Stack(ca.Conv(8, 3)), view="overlap")
    with pytest.raises(ValueError, match=r"view must be 'grid' for a separable pair"):
        checked(ca.separable(4, 3, 2, 3), view="both")
    with pytest.raises(TypeError, match="spec must be"):
        checked("Conv(5, 3)")


def test_no_code_outside_a_view_asks_the_kind_of_a_spec_or_compares_view_names():
    """The one place a figure's kind is decided is the view registry (convanim/drawing/views)."""
    asks = re.compile(r"isinstance\([^)]*\b(Stack|Separable)\b|\bview\s*(==|!=|in)\s*[\"'(]|\bview not in\b")
    offenders = []
    for path in sorted((ROOT / "convanim").rglob("*.py")):
        if "views" in path.parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if asks.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_a_new_kind_of_figure_is_one_registered_view():
    from convanim.drawing.views import GridView, register_view
    from convanim.drawing.views.base import _REGISTRY

    class Mirror(GridView):  # the grid view of a layer, under another name
        name = "mirror"

    register_view(Mirror())
    try:
        assert "mirror" in view_names()
        plan = ca.plan(PS, view="mirror")
        assert plan.view == "mirror" and plan.n_frames == 9
    finally:
        _REGISTRY.pop()
    assert "mirror" not in view_names()


# ---- one door: every entry point refuses the same bad option alike ---------------------------------------------

BAD = [
    (dict(numbers="yes"), TypeError, "numbers"),
    (dict(labels=1), TypeError, "labels"),
    (dict(duration=float("inf")), ValueError, "duration"),
    (dict(duration=1e-300), ValueError, "duration"),
    (dict(fontsize=float("nan")), ValueError, "fontsize"),
    (dict(style="slanted"), ValueError, "style"),
    (dict(view="heat"), ValueError, "view"),
    (dict(x=np.ones((4, 4))), ValueError, "x"),
    (dict(kernel=[[1, 2], [3, "a"]]), TypeError, "kernel"),
    (dict(max_frames=3), ValueError, "max_frames"),
    (dict(colour="red"), TypeError, "colour"),
]


def _entry_points(tmp_path):
    ax = Figure().add_subplot()
    return {
        "render": lambda **kw: ca.render(PS, tmp_path / "x.gif", **kw),
        "render-html": lambda **kw: ca.render(PS, tmp_path / "x.html", **kw),
        "figure": lambda **kw: ca.figure(PS, **kw),
        "draw": lambda **kw: ca.draw(ax, PS, **{k: v for k, v in kw.items() if k != "duration"}),
        "animation": lambda **kw: ca.animation(PS, **kw),
        "plan": lambda **kw: ca.plan(PS, **kw),
        "to_html": lambda **kw: ca.to_html(PS, **kw),
        "Player": lambda **kw: ca.Player(PS, **kw),
    }


@pytest.mark.parametrize("bad,exc,name", BAD, ids=[next(iter(b)) + str(i) for i, (b, _, _) in enumerate(BAD)])
def test_every_entry_point_refuses_a_bad_option_alike(tmp_path, bad, exc, name):
    messages = {}
    for door, call in _entry_points(tmp_path).items():
        if door == "draw" and "duration" in bad:
            continue  # draw takes no duration: an unexpected keyword there
        with pytest.raises(exc) as info:
            call(**bad)
        assert name in str(info.value), (door, str(info.value))
        messages[door] = str(info.value)
    if "colour" in bad:  # draw's own signature: Python names the unknown keyword, in its words
        messages.pop("draw")
    assert len(set(messages.values())) == 1, messages  # the same words at every door
    assert list(tmp_path.iterdir()) == []


def test_the_cli_and_a_gallery_case_refuse_through_the_same_checks(tmp_path):
    from convanim.gallery.build import build

    r = subprocess.run([sys.executable, "-m", "convanim", "render", "-i", "5", "-k", "3", "--duration", "1e-300",
                        "-o", str(tmp_path / "x.gif")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "duration" in r.stderr
    cat = tmp_path / "cases.toml"
    cat.write_text('[ok]\nkind = "conv"\ni = 4\nk = 3\n\n'
                   '[inf]\nkind = "conv"\ni = 4\nk = 3\nnumbers = "yes"\n\n'
                   '[huge_stack]\nkind = "stack"\ni = 120\nlayers = "conv k=1"\n\n'
                   '[stack_numbers]\nkind = "stack"\ni = 8\nlayers = "conv k=3"\nnumbers = true\n\n'
                   '[stack_matrix]\nkind = "stack"\ni = 8\nlayers = "conv k=3"\nview = "matrix"\n\n'
                   '[many_channels]\nkind = "conv"\ni = 5\nk = 3\nc_in = 1000000\n\n'
                   '[text_x]\nkind = "conv"\ni = 4\nk = 3\nnumbers = true\nx = "abc"\n\n'
                   '[ragged]\nkind = "conv"\ni = 4\nk = 2\nnumbers = true\nkernel = [[1, 2], [3]]\n')
    report = build(catalogue=cat, out=tmp_path / "g", jobs=1, quiet=True)
    assert report.built == ["ok"]
    assert report.failed["stack_numbers"].startswith("numbers:")
    assert report.failed["stack_matrix"].startswith("view:")
    assert "cells" in report.failed["many_channels"]
    assert report.failed["text_x"].startswith("x must be")
    assert report.failed["ragged"].startswith("kernel must be")
    assert "numbers must be true or false" in report.failed["inf"].lower()
    assert "max_frames" in report.failed["huge_stack"]  # refused before drawing 14,400 frames


def test_the_player_refuses_what_render_refuses():
    with pytest.raises(TypeError, match="full_page"):
        ca.to_html(PS, full_page="no")
    with pytest.raises(TypeError, match="spec"):
        ca.to_html(None)
    with pytest.raises(ValueError, match="duration"):
        ca.to_html(PS, duration=float("inf"))


# ---- the plan is data -------------------------------------------------------------------------------------------

def test_a_plan_holds_every_frame_as_data_and_pickles():
    plan = ca.plan(ca.Conv(4, 3), numbers=True, labels=True, caption=True)
    assert isinstance(plan, ca.Plan) and len(plan.frames) == plan.n_frames == 4
    again = pickle.loads(pickle.dumps(plan))
    assert again.panels == [] and again.n_frames == 4
    for t in range(4):
        a, b = plan.frame(t), again.frame(t)
        assert a.covered == b.covered and a.geometry.keys() == b.geometry.keys()
        for name in a.geometry:
            np.testing.assert_array_equal(np.asarray(a.geometry[name]), np.asarray(b.geometry[name]))
    assert [t.text for t in plan.texts] == [t.text for t in again.texts]
    assert again.caption_lines[0].startswith("Convolution: input 4×4")


def test_a_plan_unpickled_in_a_fresh_process_renders_the_same_bytes(tmp_path):
    spec = ca.Conv(5, 3, s=2, p=1).transpose()
    kw = dict(numbers=True, labels=True, caption=True, theme="dark")
    (tmp_path / "plan.pickle").write_bytes(pickle.dumps(ca.plan(spec, **kw)))
    code = ("import pickle, sys, convanim as ca\n"
            "plan = pickle.loads(open(sys.argv[1], 'rb').read())\n"
            "for suffix in ('gif', 'pdf', 'png', 'svg', 'html'):\n"
            "    ca.render(plan, sys.argv[2] + '.' + suffix, **({'frame': 7} if suffix in ('png', 'svg') else {}))\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "plan.pickle"), str(tmp_path / "from_plan")],
                   check=True, cwd=tmp_path)
    for suffix in ("gif", "pdf", "png", "svg", "html"):
        frame = {"frame": 7} if suffix in ("png", "svg") else {}
        direct = ca.render(spec, tmp_path / f"direct.{suffix}", **frame, **kw)
        assert direct.read_bytes() == (tmp_path / f"from_plan.{suffix}").read_bytes(), suffix


def test_painting_needs_nothing_but_the_plan(tmp_path):
    plan = ca.plan(ca.Conv(5, 3, c_in=2, c_out=2), numbers=True)
    before = ca.render(plan, tmp_path / "a.gif").read_bytes()
    plan.panels = []  # what composed it, gone: the painter never asks
    assert ca.render(plan, tmp_path / "b.gif").read_bytes() == before


def test_render_of_a_plan_takes_only_the_frame(tmp_path):
    plan = ca.plan(PS)
    with pytest.raises(TypeError, match="numbers"):
        ca.render(plan, tmp_path / "x.gif", numbers=True)
    with pytest.raises(ValueError, match="frame 9 is out of range"):
        ca.render(plan, tmp_path / "x.png", frame=9)
    assert list(tmp_path.iterdir()) == []


# ---- formats, as a registry --------------------------------------------------------------------------------------

def test_the_registry_lists_every_built_in_format():
    assert {".gif", ".pdf", ".png", ".svg", ".html", ".webp", ".mp4", ".webm", ".mkv", ".tex"} <= set(ca.formats())


def test_a_registered_format_gets_every_frames_pixels_and_a_failure_leaves_nothing(tmp_path):
    seen = []

    class Sums:
        def __init__(self, path, plan):
            self.path, self.plan, self.rows = Path(path), plan, []

        def __enter__(self):
            return self

        def add_frame(self, t, rgba):
            assert rgba.dtype == np.uint8 and rgba.ndim == 3 and rgba.shape[2] in (3, 4)
            w, h = self.plan.figsize()
            assert rgba.shape[:2] == (round(h * self.plan.dpi), round(w * self.plan.dpi))
            seen.append(t)
            if t == 2 and "fail" in self.path.name:
                raise RuntimeError("broken writer")
            self.rows.append(int(rgba[..., :3].sum()))

        def __exit__(self, kind, exc, tb):
            if exc is None:
                self.path.write_text(" ".join(map(str, self.rows)))

    ca.register_format(".sums", Sums)
    try:
        out = ca.render(ca.Conv(4, 3), tmp_path / "ok.sums")
        assert seen == [0, 1, 2, 3] and len(out.read_text().split()) == 4
        assert len(set(out.read_text().split())) > 1  # the frames differ: the kernel moved
        with pytest.raises(RuntimeError, match="broken writer"):
            ca.render(ca.Conv(4, 3), tmp_path / "fail.sums")
        assert not (tmp_path / "fail.sums").exists()
    finally:
        from convanim.io.formats import _FORMATS

        _FORMATS.pop(".sums")


def test_register_format_refuses_a_bad_suffix_or_factory():
    with pytest.raises(ValueError, match="suffix"):
        ca.register_format("gif", lambda path, plan: None)
    with pytest.raises(TypeError, match="factory"):
        ca.register_format(".x", "not callable")


def test_a_frame_pattern_writes_every_file_or_none(tmp_path):
    class Fails:
        def __init__(self, path, plan):
            self.path = path

        def __enter__(self):
            return self

        def add_frame(self, t, rgba):
            if t == 3:
                raise OSError(28, "No space left on device")
            Path(self.path).write_bytes(b"frame")

        def __exit__(self, *exc):
            return None

    ca.register_format(".fr", Fails, one_frame=True)
    try:
        with pytest.raises(OSError, match=r"f_03\.fr"):  # the user's name, never a temporary
            ca.render(ca.Conv(4, 2), tmp_path / "f_{frame:02d}.fr")
        assert list(tmp_path.iterdir()) == []
    finally:
        from convanim.io.formats import _FORMATS, _ONE_FRAME

        _FORMATS.pop(".fr")
        _ONE_FRAME.discard(".fr")


# ---- one number-fitting routine ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [ca.Conv(5, 3, p=1), ca.Conv(5, 3, p=2, padding_mode="reflect"),
                                  ca.Conv(5, 3, s=2, p=1, c_in=2, c_out=1), ca.Conv((2, 5, 5), 3, p=1)],
                         ids=["grid", "grid-reflect", "channels", "3d"])
def test_every_grid_view_fits_weights_to_at_least_0_7_of_the_values(spec):
    """One routine fits the numbers of every grid (one map, channels, depth slices): where weights and values
    cannot both be legible, the values come down until the weights are at least 0.7 of them.  The grid's own copy
    had drifted: it took 0.8 of the values once and left the weights at 0.64 of them in the slanted view."""
    plan = ca.plan(spec, numbers=True)
    fit = plan.panels[0].fractions()
    assert fit["weight"] >= 0.7 * fit["number"] - 1e-9
    assert fit["number"] <= 0.42 and fit["weight"] <= 0.3


def test_a_1d_layer_or_stack_is_drawn_flat_unless_asked_otherwise(tmp_path):
    """A row of cells reads best flat (issue 21): the view's default style, at every door."""
    row = ca.Conv((16,), 3)
    assert ca.plan(row).panels[0].lay.style == "flat"
    assert ca.plan(row, style="paper").panels[0].lay.style == "paper"
    assert ca.plan(ca.Conv(5, 3)).panels[0].lay.style == "paper"
    assert ca.plan(ca.Stack.from_text("conv k=2 p=causal; conv k=2 d=2 p=causal", (16,))).panels[0].style == "flat"
    default = tmp_path / "default.png"
    flat = tmp_path / "flat.png"
    for path, extra in ((default, []), (flat, ["--style", "flat"])):
        subprocess.run([sys.executable, "-m", "convanim", "render", "-i", "16", "--1d", "-k", "3", "-o", str(path),
                        *extra], check=True)
    assert default.read_bytes() == flat.read_bytes()


def test_clean_keeps_the_last_good_build_of_a_case_that_fails_now(tmp_path):
    from convanim.gallery.build import build

    cat = tmp_path / "cases.toml"
    cat.write_text('[a]\nkind = "conv"\ni = 3\nk = 2\n\n[b]\nkind = "conv"\ni = 3\nk = 2\ns = 1\n\n'
                   '[gone]\nkind = "pool"\ni = 4\nk = 2\n')
    out = tmp_path / "g"
    assert sorted(build(catalogue=cat, out=out, jobs=1, quiet=True).built) == ["a", "b", "gone"]
    cat.write_text('[a]\nkind = "conv"\ni = 3\nk = 2\n\n[b]\nkind = "conv"\ni = 3\nk = 2\ns = 1\nnumbers = "yes"\n')
    report = build(catalogue=cat, out=out, jobs=1, quiet=True, clean=True)
    assert list(report.failed) == ["b"]
    assert (out / "gif" / "b.gif").exists() and (out / "png" / "b_03.png").exists()  # b's last good build stays
    assert not (out / "gif" / "gone.gif").exists() and not list((out / "png").glob("gone_*"))


def test_a_registered_writer_that_fails_halfway_leaves_nothing(tmp_path):
    class Partial:  # writes as it goes, then breaks: the user's file must never be half there
        def __init__(self, path, plan):
            self.fh = open(path, "w")  # noqa: SIM115 - held open across frames on purpose

        def __enter__(self):
            return self

        def add_frame(self, t, rgba):
            self.fh.write(f"frame {t}\n")
            self.fh.flush()
            if t == 2:
                raise RuntimeError("boom")

        def __exit__(self, *exc):
            self.fh.close()

    ca.register_format(".partial", Partial)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            ca.render(ca.Conv(4, 3), tmp_path / "x.partial")
        assert list(tmp_path.iterdir()) == []
        with pytest.raises(ValueError, match="replace=True"):
            ca.register_format(".png", Partial)
        with pytest.raises(ValueError, match="one dot"):
            ca.register_format(".a.b", Partial)
    finally:
        from convanim.io.formats import _FORMATS

        _FORMATS.pop(".partial")


def test_a_broken_plan_is_refused_by_name_and_a_registered_view_reaches_the_cli(tmp_path):
    import dataclasses

    plan = ca.plan(PS)
    for broken in (dataclasses.replace(plan, n_frames=0), dataclasses.replace(plan, n_frames=100)):
        with pytest.raises(ValueError, match=r"plan: .*frame states"):
            ca.render(broken, tmp_path / "x.gif")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="theme"):
        ca.Player(PS, theme="nope")  # refused when made, not when shown
    from convanim.cli import build_parser
    from convanim.drawing.views import GridView, register_view
    from convanim.drawing.views.base import _REGISTRY

    class Mine(GridView):
        name = "mine"

    register_view(Mine())
    try:
        args = build_parser().parse_args(["render", "-i", "5", "-k", "3", "--view", "mine", "-o", "x.gif"])
        assert args.view == "mine"
    finally:
        _REGISTRY.pop()


def test_an_abort_that_fails_never_replaces_the_error_on_its_way():
    """A SIGTERM raised while a frame is written must stay a SIGTERM: throwing the file away may fail too."""
    from convanim.io.atomic import Terminated
    from convanim.io.formats import EncoderWriter

    class Broken:
        def setup(self):
            pass

        def add_frame(self, source):
            raise Terminated(15)

        def abort(self):
            raise ValueError("I/O operation on closed file")

    with pytest.raises(Terminated), EncoderWriter(Broken()) as w:
        w.add_frame(0, np.zeros((2, 2, 4), np.uint8))


def test_a_plans_notes_are_said_once_whichever_painters_draw_it():
    """The gallery draws one plan with matplotlib and as a player: what it left out is said once, not twice."""
    import warnings

    from convanim.drawing.api import stage_of
    from convanim.io.html import plan_html

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        plan = ca.plan(ca.Conv(64, 3, p=1), numbers=True, max_frames=27514)
        stage_of(plan)
        plan_html(plan)
    notes = [str(w.message) for w in seen if "left out" in str(w.message)]
    assert len(notes) == len(set(notes)) == len(plan.notes) >= 1
