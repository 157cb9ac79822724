"""Issue 22 (hardening II), the gallery's files: nothing is written or removed through a symbolic link out of
``--out``, case names are whole names, and titles reach ``README.md`` as text."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from convanim.cli import main
from convanim.gallery import Case
from convanim.gallery.page import render_index
from convanim.gallery.status import write_if_changed

TINY = '[tiny]\nkind = "conv"\ni = 3\nk = 2\n'


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside ``--out`` holding a file the build must never touch."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "stale.gif").write_bytes(b"not the gallery's")
    return d


def gallery(tmp_path: Path, *args: str) -> int:
    cat = tmp_path / "cases.toml"
    cat.write_text(TINY)
    return main(["gallery", "--catalogue", str(cat), "--out", str(tmp_path / "out"), "-j", "1", "-q", *args])


# ---- item 4: symbolic links in --out -------------------------------------------------------------------------

@pytest.mark.parametrize("link", ["gif", "png", ".lock", "index.html", "README.md", ".manifest.json"])
def test_a_link_out_of_out_is_refused_naming_it(link, tmp_path, outside, capsys):
    out = tmp_path / "out"
    out.mkdir()
    target = outside if link in ("gif", "png") else outside / "victim"
    (out / link).symlink_to(target)
    before = snapshot(outside)
    assert gallery(tmp_path, "--clean") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("convanim: error: ") and link in err[0] and "link" in err[0], err
    assert snapshot(outside) == before  # nothing removed, nothing written
    assert not (outside / "victim").exists()  # O_CREAT did not follow the link


def test_a_link_inside_a_subfolder_is_replaced_not_written_through(tmp_path, outside, capsys):
    out = tmp_path / "out"
    (out / "gif").mkdir(parents=True)
    (out / "gif" / "tiny.gif").symlink_to(outside / "stale.gif")
    (out / "gif" / "old.gif").symlink_to(outside / "stale.gif")
    before = snapshot(outside)
    assert gallery(tmp_path, "--clean") == 0, capsys.readouterr().err
    assert snapshot(outside) == before
    assert not (out / "gif" / "tiny.gif").is_symlink() and (out / "gif" / "tiny.gif").stat().st_size > 0
    assert not (out / "gif" / "old.gif").exists()


def test_write_if_changed_never_follows_a_planted_temporary(tmp_path, outside):
    target = tmp_path / "index.html"
    planted = tmp_path / f".index.html.{os.getpid()}.tmp"
    planted.symlink_to(outside / "victim")
    assert write_if_changed(target, b"page")
    assert target.read_bytes() == b"page" and not (outside / "victim").exists()


# ---- item 7: names and titles ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["evil\n", "evil\r", "ev\nil", "\nevil"])
def test_a_name_with_a_newline_is_refused(name):
    with pytest.raises(ValueError, match="case name"):
        Case(name, {"kind": "conv", "i": 3, "k": 2}).check()


def test_a_trailing_newline_never_becomes_a_file(tmp_path, capsys):
    cat = tmp_path / "cases.toml"
    cat.write_text('["evil\\n"]\nkind = "conv"\ni = 3\nk = 2\n')
    assert main(["gallery", "--catalogue", str(cat), "--out", str(tmp_path / "out"), "-j", "1", "-q"]) == 1
    assert not [p for p in (tmp_path / "out").rglob("*") if "\n" in p.name]


@pytest.mark.parametrize("title", ["<script>alert(1)</script>", "a | b | c", "x\n# injected heading",
                                   "x\r\n\r\n## also", "`code` *em* [link](http://x) ~~s~~ \\"])
def test_titles_reach_the_readme_as_text(title):
    case = Case("tiny", {"kind": "conv", "i": 3, "k": 2, "title": title, "section": title})
    page, readme = (b.decode() for b in render_index([case], {"cases": {"tiny": {"frames": 4}}}))
    assert "<script>" not in page and "<script>" not in readme
    lines = readme.splitlines()
    headings = [ln for ln in lines if ln.startswith("#")]
    assert headings == ["# convanim gallery", headings[1]] and len(headings) == 2
    rows = [ln for ln in lines if ln.startswith("| ![")]
    assert len(rows) == 1
    # Four cells: every | the title holds is escaped.
    assert len([c for c in rows[0].replace("\\|", "").split("|")]) == 6
    for mark in ("`code`", "*em*", "[link]", "~~s~~"):
        assert mark not in rows[0]


def test_the_build_lock_never_follows_a_link(tmp_path):
    """The lock itself opens with O_NOFOLLOW: a link raced into place at .lock is refused, its target not made."""
    from convanim.gallery.workers import BuildLock

    target = tmp_path / "elsewhere"
    (tmp_path / ".lock").symlink_to(target)
    with pytest.raises(ValueError, match="is a link"), BuildLock(tmp_path):
        pass
    assert not target.exists()
