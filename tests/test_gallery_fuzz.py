"""Hostile catalogues and `convanim gallery` argument lists: a case fails by name in one line, a command exits
0, 1 or 2 with no traceback, and nothing temporary is ever left behind."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convanim.cli import main
from convanim.gallery import Case
from convanim.gallery.catalogue import KNOWN_KEYS

build_module = importlib.import_module("convanim.gallery.build")

SMALL = '[tiny]\nkind = "conv"\ni = 3\nk = 2\n\n[tiny_pool]\nkind = "pool"\ni = 4\nk = 2\n'

small_ints = st.integers(-2, 6)
values = st.one_of(small_ints, st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from(["", "max", "avg", "paper", "flat", "dark", "grid", "matrix", "both", "x" * 300]),
                   st.lists(small_ints, max_size=3), st.lists(st.lists(small_ints, max_size=3), max_size=3),
                   st.dictionaries(st.sampled_from(["input", "zz"]), st.text(max_size=3), max_size=2))
layer_values = st.one_of(values, st.sampled_from([10**30, -(10**30), 2**63]))
keys = st.sampled_from(sorted(KNOWN_KEYS - {"kind"}) + ["kernal", "frame"])


@st.composite
def cases(draw) -> Case:
    kind = draw(st.sampled_from(["conv", "conv_transpose", "pool", "kernel", "channels", "subsampling",
                                 "positions", "deconv", 3]))
    # Absurd sizes only where a layer checks them before any work; still figures' size guards are issue 15's.
    table = draw(st.dictionaries(keys, layer_values if kind in ("conv", "conv_transpose", "pool") else values,
                                 max_size=6))
    table.update(kind=kind)
    if draw(st.booleans()):
        table.setdefault("i", draw(st.integers(1, 6)))
        table.setdefault("k", draw(st.integers(1, 3)))
    name = draw(st.sampled_from(["ok", "a-b_c", "../up", "sp ace", "x" * 200, ""]))
    return Case(name, table)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_a_hostile_case_fails_by_name_in_one_line_and_leaves_nothing(case, tmp_path):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    name, entry, error = build_module.build_case_safely(case, str(out))
    assert name == case.name
    if error is None:
        assert entry is not None and entry["frames"] >= 1
        assert all((out / rel).is_file() for rel in entry["files"])
    else:
        assert entry is None and "\n" not in error and error.strip()
        assert ".tmp" not in error and "Traceback" not in error
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    if out.exists():  # the next example starts clean
        for p in sorted(out.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()


TOKENS = ["--force", "--dry-run", "--clean", "-q", "-v", "tiny", "tiny_pool", "nope", "--bogus", "-j", "0", "-1",
          "2", "x", "--out", "", "out", "sub/dir", "-o", "--catalogue"]


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("catalogues")
    (base / "good.toml").write_text(SMALL)
    (base / "bad.toml").write_text(SMALL + "\n[broken\n")
    (base / "binary.toml").write_bytes(b"\xff\xfe\x00\x01" * 10)
    (base / "flat.toml").write_text("kind = 'conv'\n")
    return {"good": str(base / "good.toml"), "bad": str(base / "bad.toml"), "binary": str(base / "binary.toml"),
            "flat": str(base / "flat.toml"), "missing": str(base / "missing.toml"), "dir": str(base)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["good", "good", "good", "bad", "binary", "flat", "missing", "dir"]),
       args=st.lists(st.sampled_from(TOKENS), max_size=6))
def test_gallery_command_lines(which, args, catalogues, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    monkeypatch.chdir(work)
    argv = ["gallery", "--catalogue", catalogues[which], *args]
    if "--out" not in args:
        argv += ["--out", "out"]  # never the shipped catalogue's whole gallery into ./gallery
    status = main(argv)
    captured = capsys.readouterr()
    assert status in (0, 1, 2), argv
    assert "Traceback" not in captured.err
    if status == 2:
        lines = captured.err.strip().splitlines()
        assert lines[-1].startswith("convanim: error: "), (argv, captured.err)
        assert not [ln for ln in lines if not ln.startswith(("convanim: error: ", "gallery: waiting"))], captured.err
    if which != "good":
        assert status == 2, argv
    assert not [p for p in work.rglob("*") if p.name.endswith(".tmp")]
    assert not [p for p in Path(catalogues["dir"]).iterdir() if p.name.startswith(".")]  # nothing next to a catalogue


# ---- a hostile --out tree: links to a folder outside, wherever the build writes or removes (issue 22) ---------

OWN = [".lock", ".manifest.json", "index.html", "README.md", "gif", "html", "pdf", "png"]
INSIDE = ["gif/tiny.gif", "gif/old.gif", "png/tiny_00.png", "html/tiny.html", "pdf/old_00.pdf"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(own=st.lists(st.sampled_from(OWN), max_size=2, unique=True),
       inside=st.lists(st.sampled_from(INSIDE), max_size=3, unique=True),
       dangling=st.booleans(), clean=st.booleans())
def test_a_hostile_out_tree_never_leads_a_build_outside(own, inside, dangling, clean, catalogues, tmp_path,
                                                        capsys):
    import shutil

    base = tmp_path / "t"
    shutil.rmtree(base, ignore_errors=True)
    outside, out = base / "outside", base / "out"
    outside.mkdir(parents=True)
    (outside / "keep.gif").write_bytes(b"theirs")
    for rel in own + [r for r in inside if r.split("/")[0] not in own]:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        target = outside / ("missing" if dangling else "keep.gif")
        (out / rel).symlink_to(outside if rel in ("gif", "html", "pdf", "png") else target)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    status = main(["gallery", "--catalogue", catalogues["good"], "--out", str(out), "-j", "1", "-q", "tiny"]
                  + (["--clean"] if clean else []))
    err = capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before  # nothing written, removed or created
    if own:
        assert status == 2 and err.count("\n") == 1 and "link" in err, err
    else:
        assert status == 0, err
        assert not [p for p in out.rglob("*") if p.is_symlink() and p.name.startswith("tiny")]
