"""Fuzzing the contract: every bad input is refused with the right exception, naming the parameter; the CLI
answers in one line with exit 2, never a traceback; and nothing is left on disk.

Hypothesis generates the API calls and the CLI argument lists (run in-process through ``convanim.cli.main``;
a few run as real processes in test_hardening.py).  Valid sizes are kept tiny and invalid ones absurd, so that
a call either fails at once or draws a few frames: the whole file stays within seconds on CI.
"""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import convanim as ca
from convanim.cli import main

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ---- values that are never valid for a parameter ----------------------------------------------------------------

# Not a size of any rank (tuples of 1 to 3 are 1D to 3D sizes), nor a padding rule ("same", "valid", "causal").
not_ints = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True),
                     st.text(max_size=5).filter(lambda t: t not in ("same", "valid", "causal")), st.complex_numbers(),
                     st.lists(st.integers(1, 5), min_size=4, max_size=5).map(tuple))
huge_ints = st.one_of(st.integers(min_value=2**31), st.integers(min_value=10**20, max_value=10**400))
negative = st.integers(max_value=-1)
not_bools = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                      st.lists(st.booleans(), max_size=2))
not_reals = st.one_of(st.text(max_size=5), st.complex_numbers(allow_nan=False).filter(lambda z: z.imag),
                      st.booleans())
non_finite = st.sampled_from([math.inf, -math.inf, math.nan])


def refused(call, exc_types, *names):
    """``call()`` raises one of ``exc_types`` whose message names one of ``names``."""
    with pytest.raises(exc_types) as info:
        call()
    assert type(info.value) in (TypeError, ValueError) or exc_types is not (TypeError, ValueError)
    msg = str(info.value)
    assert any(n in msg for n in names), f"{msg!r} names none of {names}"
    return msg


# ---- specs ------------------------------------------------------------------------------------------------------

SPECS = {"Conv": ca.Conv, "ConvTranspose": ca.ConvTranspose, "Pool": ca.Pool}


@FAST
@given(kind=st.sampled_from(sorted(SPECS)), name=st.sampled_from("ikspd"),
       value=st.one_of(not_ints, huge_ints, negative))
def test_spec_sizes_refused_naming_the_parameter(kind, name, value):
    if kind == "Pool" and name == "s" and value is None:
        return  # s=None is the pool's default (its kernel size)
    kw = dict(i=5, k=3)
    kw[name] = value
    msg = refused(lambda: SPECS[kind](**kw), (TypeError, ValueError), name)
    assert len(msg) < 400  # a 400-digit int is not copied whole into the message


@FAST
@given(value=st.one_of(not_ints, huge_ints, negative),
       fn=st.sampled_from([ca.conv_output_size, ca.conv_transpose_output_size, ca.pool_output_size]),
       name=st.sampled_from(["i", "k", "p"]))
def test_size_functions_refuse_bad_ints(value, fn, name):
    kw = dict(i=5, k=3, p=0)
    kw[name] = value
    refused(lambda: fn(**kw), (TypeError, ValueError), name)


# ---- values: apply and conv_matrix ----------------------------------------------------------------------------

bad_arrays = st.one_of(
    st.none(), st.text(max_size=4),
    st.just(np.full((5, 5), 1 + 2j)), st.just(np.full((5, 5), 10**30, dtype=object)),
    st.just([[10**400] * 5] * 5), st.just(np.zeros((5, 5), dtype="U2")),
    st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda s: s != (5, 5)).map(np.zeros),
    st.tuples(st.integers(0, 4), st.integers(0, 4), non_finite).map(
        lambda t: np.where(np.arange(25).reshape(5, 5) == t[0] * 5 + t[1], t[2], 1.0)),
)


@FAST
@given(x=bad_arrays, kind=st.sampled_from(["conv", "avg", "transpose"]))
def test_apply_refuses_bad_inputs_naming_x(x, kind):
    spec = {"conv": ca.Conv(5, 3), "avg": ca.Pool(5, 2, mode="avg"),
            "transpose": ca.ConvTranspose(5, 3)}[kind]
    refused(lambda: ca.apply(spec, x), (TypeError, ValueError), "x")


@FAST
@given(w=bad_arrays)
def test_apply_refuses_bad_kernels_naming_kernel(w):
    if w is None or (isinstance(w, np.ndarray) and w.shape == (3, 3) and w.dtype == float):
        return  # the default kernel; a valid one
    refused(lambda: ca.apply(ca.Conv(5, 3), np.ones((5, 5)), w), (TypeError, ValueError), "kernel")


def test_max_pooling_takes_infinities_but_not_nan():
    x = np.ones((4, 4))
    x[0, 0] = -np.inf
    assert ca.apply(ca.Pool(4, 2), x)[0, 0] == 1.0
    x[0, 0] = np.nan
    refused(lambda: ca.apply(ca.Pool(4, 2), x), (ValueError,), "x")


@FAST
@given(i=st.integers(70, 10**6), k=st.integers(1, 3))
def test_conv_matrix_refuses_huge_dense_matrices_before_allocating(i, k):
    spec = ca.Conv(i, k)
    msg = refused(lambda: ca.conv_matrix(spec), (ValueError,), "max_entries")
    n = spec.output_shape[0] * spec.output_shape[1] * i * i
    if n <= 10**12:  # the way to raise the limit, where max_entries goes that far
        assert f"max_entries={n}" in msg
    else:  # else no hint the option would refuse: a smaller layer
        assert "max_entries goes up to" in msg and f"max_entries={n}" not in msg


def test_conv_matrix_limit_can_be_raised_and_wrong_specs_named():
    spec = ca.Conv(9, 3)  # 49 x 81
    with pytest.raises(ValueError, match="max_entries=3969"):
        ca.conv_matrix(spec, max_entries=1000)
    assert ca.conv_matrix(spec, max_entries=3969).shape == (49, 81)
    for bad in (None, "Conv(5, 3)", 5):
        # Bound as a default: each lambda is called at once, but the binding says so.
        refused(lambda bad=bad: ca.conv_matrix(bad), (TypeError,), "spec")
        refused(lambda bad=bad: ca.apply(bad, np.zeros((5, 5))), (TypeError,), "spec")


# ---- drawing options --------------------------------------------------------------------------------------------

BAD_OPTIONS = {
    "numbers": not_bools, "labels": not_bools, "caption": not_bools,
    # None is the default (the view chooses: flat for 1D, else paper), not a mistake.
    "style": st.one_of(st.integers(), st.text(max_size=6).filter(lambda s: s not in ("paper", "flat"))),
    "view": st.one_of(st.none(), st.integers(), st.text(max_size=6).filter(lambda s: s not in ("grid", "matrix",
                                                                                                 "both"))),
    "fontsize": st.one_of(not_reals, non_finite, st.floats(max_value=0), st.floats(min_value=501, max_value=1e300)),
    "max_frames": st.one_of(not_ints, huge_ints, st.integers(max_value=0)),
    "max_matrix": st.one_of(not_ints, huge_ints, st.integers(max_value=0)),
    "dpi": st.one_of(not_reals, non_finite, st.floats(max_value=0.99), st.floats(min_value=2401, max_value=1e300)),
    "figsize": st.one_of(st.none().map(lambda _: "3x3"), st.tuples(st.floats(max_value=0), st.just(3.0)),
                         st.tuples(st.just(3.0), non_finite), st.just((3.0,)), st.just((201.0, 3.0))),
    "theme": st.one_of(st.integers(), st.just([1, 2, 3]),
                       st.fixed_dictionaries({"input": st.one_of(
                           st.tuples(st.floats(1.01, 254.9).filter(lambda v: not v.is_integer()),
                                     st.just(0), st.just(0)),
                           st.tuples(st.integers(256, 10**6), st.just(0), st.just(0)),
                           st.tuples(st.integers(max_value=-1), st.just(0), st.just(0)),
                           st.text(max_size=8).filter(lambda s: not s.startswith("#")),
                           st.tuples(non_finite, st.just(0.0), st.just(0.0)))}),
                       st.fixed_dictionaries({"shade_alpha": st.one_of(non_finite, st.floats(1.01, 1e9),
                                                                       st.floats(max_value=-0.01))})),
    "bogus": st.integers(),
}
NAMES = {"theme": ("theme", "input", "shade_alpha"), "figsize": ("figsize",), "bogus": ("bogus",)}


@SLOW
@given(data=st.data(), name=st.sampled_from(sorted(BAD_OPTIONS)),
       entry=st.sampled_from(["draw", "figure", "render", "animation"]))
def test_drawing_options_refused_before_work(data, name, entry, tmp_path):
    value = data.draw(BAD_OPTIONS[name], label=name)
    spec = ca.Conv(5, 3)
    if entry == "draw" and name in ("figsize", "dpi"):
        return  # draw() takes your Axes: it has no figsize or dpi
    calls = {
        "draw": lambda: ca.draw(Figure().add_subplot(), spec, **{name: value}),
        "figure": lambda: ca.figure(spec, **{name: value}),
        "render": lambda: ca.render(spec, tmp_path / "a.png", **{name: value}),
        "animation": lambda: ca.animation(spec, **{name: value}),
    }
    refused(calls[entry], (TypeError, ValueError), *NAMES.get(name, (name,)))
    assert list(tmp_path.iterdir()) == []


@FAST
@given(duration=st.one_of(st.none(), not_reals, non_finite, st.floats(max_value=0.0099), st.floats(655.36, 1e300)))
def test_duration_refused_everywhere(duration, tmp_path):
    refused(lambda: ca.render(ca.Conv(3, 2), tmp_path / "a.gif", duration=duration), (TypeError, ValueError),
            "duration")
    refused(lambda: ca.animation(ca.Conv(3, 2), duration=duration), (TypeError, ValueError), "duration")
    assert list(tmp_path.iterdir()) == []


@FAST
@given(frame=st.one_of(st.none(), st.floats(), st.text(max_size=3), st.booleans(), st.integers(9, 10**40),
                       st.integers(max_value=-10)))
def test_frames_refused_naming_frame(frame, tmp_path):
    spec = ca.Conv(5, 3)  # 9 frames
    if frame is not None:
        refused(lambda: ca.figure(spec, frame=frame), (TypeError, ValueError), "frame")
        refused(lambda: ca.render(spec, tmp_path / "a.png", frame=frame), (TypeError, ValueError), "frame")
    refused(lambda: ca.draw(Figure().add_subplot(), spec, frame=frame), (TypeError, ValueError), "frame")
    assert list(tmp_path.iterdir()) == []


@FAST
@given(ax=st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just(Figure())),
       spec=st.one_of(st.none(), st.integers(), st.text(max_size=3)))
def test_draw_names_ax_then_spec(ax, spec):
    refused(lambda: ca.draw(ax, ca.Conv(5, 3)), (TypeError,), "ax")
    refused(lambda: ca.draw(Figure().add_subplot(), spec), (TypeError,), "spec")


# ---- frame patterns ---------------------------------------------------------------------------------------------

format_specs = st.one_of(st.text(alphabet="0123456789<>^=+-#_,.!:xdfsr[]{}a ", max_size=12),
                         st.sampled_from(["02d", ">4d", "03", "d", "x", "010d", "011d", ">100000000", "!r", "s"]))


@FAST
@given(fmt=format_specs, field=st.sampled_from(["frame", "frame[0]", "frame.real", "0", "", "fram", "frame!r"]))
def test_frame_patterns_accept_only_integer_formats(fmt, field, tmp_path):
    name = f"x_{{{field}{':' + fmt if fmt else ''}}}.png"
    try:
        paths = ca.render(ca.Conv(3, 2), tmp_path / name)
    except ValueError as exc:
        assert "path" in str(exc) and str(tmp_path) in str(exc)
        assert list(tmp_path.iterdir()) == []
        return
    except FileNotFoundError as exc:  # a '/' in the spec makes it a folder that does not exist
        assert "/" in fmt and "path" in str(exc)
        return
    assert field == "frame"
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 4 and all(len(f) <= 30 for f in files) and paths == tmp_path
    for f in files:
        (tmp_path / f).unlink()


# ---- the CLI, in-process ---------------------------------------------------------------------------------------

GOOD_SIZES = st.sampled_from(["1", "2", "3", "4", "3x4", "2x1"])
BAD_SIZES = st.one_of(st.sampled_from(["0", "-1", "4000000000", "99999999999999999999", "3x", "x3", "3x4x5", "",
                                       "1e3", "nan", "3.5", " ", "0x0", "9" * 5000, "٣"]),
                      st.text(max_size=6))
BAD_NUMBERS = st.sampled_from(["inf", "-inf", "nan", "0", "-1", "100000", "700", "1e400", "", "x", "9" * 5000,
                               "655.36", "2401", "1e-9", "1_000"])
OPTIONS = [("-i", GOOD_SIZES, BAD_SIZES), ("-k", GOOD_SIZES, BAD_SIZES), ("-s", GOOD_SIZES, BAD_SIZES),
           ("-p", st.sampled_from(["0", "1", "1x2", "0:1", "1:2x0", "same", "causal"]), BAD_SIZES),
           ("-d", st.sampled_from(["1", "2"]), BAD_SIZES),
           ("--padding-mode", st.sampled_from(["zeros", "reflect", "circular"]), st.text(max_size=5)),
           ("--c-in", st.sampled_from(["1", "2"]), BAD_NUMBERS),
           ("--dpi", st.sampled_from(["50", "72"]), BAD_NUMBERS),
           ("--duration", st.sampled_from(["0.5", "1", "655.35"]), BAD_NUMBERS),
           ("--frame", st.sampled_from(["0", "-1", "1"]), BAD_NUMBERS),
           ("--max-frames", st.sampled_from(["100", "20000"]), BAD_NUMBERS),
           ("--max-matrix", st.sampled_from(["64"]), BAD_NUMBERS),
           ("--theme", st.sampled_from(["guide", "dark"]), st.text(max_size=5)),
           ("--style", st.sampled_from(["paper", "flat"]), st.text(max_size=5)),
           ("--view", st.sampled_from(["grid", "matrix", "both"]), st.text(max_size=5)),
           ("--pool", st.sampled_from(["max", "avg"]), st.text(max_size=5)),
           ("--output-padding", st.sampled_from(["0", "1"]), BAD_SIZES)]
FLAGS = ["--numbers", "--labels", "--caption", "--transposed", "--ceil-mode", "--separable", "--1d"]
OUTPUTS = st.sampled_from(["a.png", "a.svg", "a.gif", "a.pdf", "f_{frame:02d}.png", "f_{frame[0]}.png",
                           "f_{frame!r:>100000000}.png", "a", "a.txt", ".", "sub", "/proc/x.png", "n" * 300 + ".png",
                           "missing/a.png", "f_{frame:>99}.png", "a\u00e9.png"])


@st.composite
def cli_args(draw):
    args = [draw(st.sampled_from(["render", "render", "shape"]))]
    for opt, good, bad in OPTIONS:
        r = draw(st.integers(0, 9))
        if r < 2 and opt not in ("-i", "-k"):
            continue
        args += [opt, draw(bad if r == 9 else good)]
    args += draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True))
    if args[0] == "render":
        args += ["-o", draw(OUTPUTS)]
    return args


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=cli_args())
def test_cli_never_a_traceback_and_leaves_only_its_output(args, tmp_path, capsys, monkeypatch):
    work = tmp_path / "w"
    work.mkdir(exist_ok=True)
    (work / "sub").mkdir(exist_ok=True)
    monkeypatch.chdir(work)
    before = set(os.listdir(work))
    rc = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    left = set(os.listdir(work)) - before
    if rc == 0:  # at most warnings, one clean line each
        assert all(line.startswith("convanim: warning: ") for line in err.splitlines()), (args, err)
        assert not [f for f in left if f.endswith(".tmp")]
    else:
        assert rc == 2, (args, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("convanim: error: "), (args, err)
        assert out == ""
        assert left == set(), (args, left)
    for f in left:
        p = work / f
        if p.is_file():
            p.unlink()
