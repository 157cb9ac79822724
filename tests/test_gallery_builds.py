"""Gallery builds that survive: unchanged bytes keep their files, lost and orphaned workers, concurrent builds,
a full disk, --out '', --clean of removed cases, the shipped catalogue."""
from __future__ import annotations

import errno
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from convanim import gallery

build_module = importlib.import_module("convanim.gallery.build")  # the package's `build` is the function

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build_gallery.py"

SMALL = """
[tiny]
kind = "conv"
i = 3
k = 2

[tiny_t]
kind = "conv"
i = 3
k = 2
s = 2
transposed = true

[tiny_pool]
kind = "pool"
i = 4
k = 2
numbers = true
"""

# Long enough to be caught mid-build (25 frames each), short enough for CI.
SLOW = "".join(f'\n[slow{n}]\nkind = "conv"\ni = 5\nk = 3\np = 1\ntheme = "{t}"\n'
               for n, t in enumerate(("guide", "dark", "colorblind", "guide")))


def _catalogue(tmp_path: Path, text: str = SMALL) -> tuple[Path, Path]:
    cat = tmp_path / "cases.toml"
    cat.write_text(text)
    return cat, tmp_path / "out"


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_ino, p.stat().st_size)
            for p in sorted(root.rglob("*")) if p.is_file()}


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def start_script(*args: str) -> subprocess.Popen:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.Popen([sys.executable, str(SCRIPT), *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, what: str, seconds: float = 120.0):
    # A deadline against hanging forever, not a speed assertion.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def test_rebuild_with_the_same_bytes_leaves_files_untouched(tmp_path, monkeypatch):
    cat, out = _catalogue(tmp_path)
    gallery.build(cat, out, jobs=2)
    before = snapshot(out)
    report = gallery.build(cat, out, jobs=2, force=True)
    assert sorted(report.built) == ["tiny", "tiny_pool", "tiny_t"]
    assert snapshot(out) == before  # times and inodes too: a paper's Makefile is not retriggered
    # A new renderer (e.g. a matplotlib upgrade) rebuilds every case, and still touches no unchanged file.
    monkeypatch.setattr(build_module, "renderer_digest", lambda: "another renderer")
    report = gallery.build(cat, out, jobs=2)
    assert sorted(report.built) == ["tiny", "tiny_pool", "tiny_t"]
    assert set(report.reasons.values()) == {"the renderer changed"}
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k != ".manifest.json"} == \
        {k: v for k, v in before.items() if k != ".manifest.json"}


def test_reasons_say_why_a_case_is_rebuilt(tmp_path):
    cat, out = _catalogue(tmp_path)
    assert set(gallery.build(cat, out, jobs=1).reasons.values()) == {"new case"}
    (out / "png" / "tiny_t_01.png").unlink()
    cat.write_text(SMALL.replace("i = 4\nk = 2\n", "i = 6\nk = 2\n"))
    lines: list[str] = []
    report = gallery.build(cat, out, jobs=1, dry_run=True, log=lines.append)
    assert report.reasons == {"tiny_t": "png/tiny_t_01.png is missing",
                              "tiny_pool": "its entry in the catalogue changed"}
    assert sorted(lines) == ["would build tiny_pool: its entry in the catalogue changed",
                             "would build tiny_t: png/tiny_t_01.png is missing"]


def test_a_lost_worker_fails_its_case_by_name_and_the_rest_is_built(tmp_path, monkeypatch):
    cat, out = _catalogue(tmp_path)
    real = build_module.build_case

    def dies_on_tiny_t(case, out_dir):
        if case.name == "tiny_t":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(case, out_dir)

    monkeypatch.setattr(build_module, "build_case", dies_on_tiny_t)  # forked workers inherit it
    report = gallery.build(cat, out, jobs=2, log=lambda m: None)
    assert report.failed == {"tiny_t": "its worker process was killed (SIGKILL)"}
    assert sorted(report.built) == ["tiny", "tiny_pool"]
    page = (out / "index.html").read_text()
    assert 'src="gif/tiny.gif"' in page and 'src="gif/tiny_t.gif"' not in page
    monkeypatch.setattr(build_module, "build_case", real)
    assert gallery.build(cat, out, jobs=2).built == ["tiny_t"]


def _recording_pids(monkeypatch, log: Path, die_on: str = ""):
    """Make each worker note (its pid, the case) before building, and die on ``die_on``."""
    real = build_module.build_case

    def build_case(case, out_dir):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {case.name}\n")
        if case.name == die_on:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(case, out_dir)

    monkeypatch.setattr(build_module, "build_case", build_case)  # forked workers inherit it


def test_one_worker_builds_case_after_case(tmp_path, monkeypatch):
    cat, out = _catalogue(tmp_path)
    _recording_pids(monkeypatch, tmp_path / "pids")
    report = gallery.build(cat, out, jobs=1, log=lambda m: None)
    assert sorted(report.built) == ["tiny", "tiny_pool", "tiny_t"] and not report.failed
    pids = {line.split()[0] for line in (tmp_path / "pids").read_text().splitlines()}
    assert len(pids) == 1 and str(os.getpid()) not in pids  # one warm worker, not the main process


def test_a_dead_worker_is_replaced_and_the_next_cases_built(tmp_path, monkeypatch):
    cat, out = _catalogue(tmp_path)
    _recording_pids(monkeypatch, tmp_path / "pids", die_on="tiny_t")
    report = gallery.build(cat, out, jobs=1, log=lambda m: None)
    assert report.failed == {"tiny_t": "its worker process was killed (SIGKILL)"}
    assert sorted(report.built) == ["tiny", "tiny_pool"]
    runs = [line.split() for line in (tmp_path / "pids").read_text().splitlines()]
    assert sorted(name for _, name in runs) == ["tiny", "tiny_pool", "tiny_t"]  # each case handed out once
    dead = next(pid for pid, name in runs if name == "tiny_t")
    after = [pid for pid, _ in runs[[name for _, name in runs].index("tiny_t") + 1:]]
    assert after and dead not in after  # a new worker took over
    assert not temporaries(out)


def test_a_worker_killed_from_outside_mid_build(tmp_path):
    cat, out = _catalogue(tmp_path, SLOW)
    proc = start_script("--catalogue", str(cat), "--out", str(out), "-j", "2")
    workers = wait_for(lambda: children(proc.pid), "a worker process")
    wait_for(lambda: list(out.glob("png/*.png")), "a first frame")
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr
    assert "3 built, 0 up to date, 1 failed" in stdout
    failed = [ln for ln in stderr.splitlines() if "failed:" in ln]
    assert len(failed) == 1 and "its worker process was killed (SIGKILL)" in failed[0], stderr
    assert "Traceback" not in stderr
    assert (out / "index.html").exists() and not temporaries(out)
    r = subprocess.run([sys.executable, str(SCRIPT), "--catalogue", str(cat), "--out", str(out)],
                       capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"))
    assert r.returncode == 0 and "1 built, 3 up to date" in r.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_main_process(tmp_path, sig):
    cat, out = _catalogue(tmp_path, SLOW)
    proc = start_script("--catalogue", str(cat), "--out", str(out), "-j", "2")
    workers = wait_for(lambda: children(proc.pid), "a worker process")
    wait_for(lambda: list(out.glob("png/*.png")), "a first frame")
    os.kill(proc.pid, sig)  # the main process only, as `kill PID` would
    proc.communicate(timeout=60)
    wait_for(lambda: not any(alive(w) for w in workers), "the workers to end")
    # The workers removed their own temporary files on the way out; the next build completes the gallery.
    assert not [p for p in temporaries(out) if not p.name.startswith(".manifest")]
    r = subprocess.run([sys.executable, str(SCRIPT), "--catalogue", str(cat), "--out", str(out)],
                       capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"))
    assert r.returncode == 0, r.stderr
    assert not temporaries(out)
    assert all(Image.open(out / "gif" / f"slow{n}.gif").n_frames == 25 for n in range(4))


def test_concurrent_builds_into_one_folder_wait_for_each_other(tmp_path):
    cat, out = _catalogue(tmp_path, SLOW)
    first = start_script("--catalogue", str(cat), "--out", str(out), "-j", "1")
    wait_for(lambda: (out / ".lock").exists() and children(first.pid), "the first build to start")
    second = start_script("--catalogue", str(cat), "--out", str(out), "-j", "1")
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "4 built, 0 up to date, 0 failed" in out1
    assert "0 built, 4 up to date, 0 failed" in out2
    assert f"waiting for another build into {str(out)!r} (process {first.pid} holds" in err2
    assert not temporaries(out)


def test_out_must_name_a_folder(tmp_path):
    cat, _ = _catalogue(tmp_path)
    with pytest.raises(ValueError, match="out must name a folder"):
        gallery.build(cat, "")
    r = subprocess.run([sys.executable, str(SCRIPT), "--catalogue", str(cat), "--out", ""], cwd=tmp_path,
                       capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"))
    assert r.returncode == 2 and r.stderr.startswith("convanim: error: out must name a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.toml"]


def test_clean_forgets_cases_removed_from_the_catalogue(tmp_path):
    cat, out = _catalogue(tmp_path)
    gallery.build(cat, out, jobs=2)
    cat.write_text(SMALL.split("[tiny_t]")[0])
    gallery.build(cat, out, jobs=1)
    assert (out / "gif" / "tiny_t.gif").exists()  # without --clean, nothing is removed
    lines: list[str] = []
    gallery.build(cat, out, jobs=1, clean=True, quiet=False, log=lines.append)
    assert sorted(p.name for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")) == \
        sorted(["README.md", "index.html", "tiny.gif", "tiny.html"]
               + [f"tiny_0{t}.{e}" for e in ("pdf", "png") for t in range(4)])
    manifest = gallery.status.read_manifest(out)
    assert sorted(manifest["cases"]) == ["tiny"]
    assert "forgot tiny_t: no longer in the catalogue" in lines and "removed gif/tiny_pool.gif" in lines


def test_bad_title_and_long_name_fail_before_building(tmp_path):
    long_name = "x" * 300
    cat, out = _catalogue(tmp_path, SMALL + f'\n[titled]\nkind = "conv"\ni = 3\nk = 2\ntitle = 5\n'
                                            f'\n[{long_name}]\nkind = "conv"\ni = 3\nk = 2\n')
    report = gallery.build(cat, out, jobs=2, log=lambda m: None)
    assert report.failed["titled"] == "title must be a non-empty string, got 5"
    assert "at most 128 fit a file name" in report.failed[long_name] and ".tmp" not in report.failed[long_name]
    assert sorted(report.built) == ["tiny", "tiny_pool", "tiny_t"] and (out / "index.html").exists()


def test_a_full_disk_leaves_no_temporary_file_and_names_the_disk(tmp_path, monkeypatch):
    from convanim.io import encoders

    cat, out = _catalogue(tmp_path)

    def full(self, rgb):
        self._atomic.tmp.write_bytes(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device", str(self._atomic.tmp))

    monkeypatch.setattr(encoders.PngEncoder, "add_rgb", full)
    report = gallery.build(cat, out, jobs=2, log=lambda m: None)
    assert set(report.failed) == {"tiny", "tiny_t", "tiny_pool"}
    assert all(why.startswith(f"no space left on the disk holding {str(out)!r} (mounted at ")
               for why in report.failed.values()), report.failed
    assert not temporaries(out)


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounts a small tmpfs")
def test_a_really_full_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        cat, _ = _catalogue(tmp_path, SLOW)
        out = disk / "gallery"
        r = subprocess.run([sys.executable, str(SCRIPT), "--catalogue", str(cat), "--out", str(out), "-j", "2"],
                           capture_output=True, text=True, env=dict(os.environ, MPLBACKEND="Agg"), timeout=600)
        assert r.returncode in (1, 2), r.stdout + r.stderr
        assert "Traceback" not in r.stderr
        assert f"no space left on the disk holding {str(out)!r} (mounted at {str(disk)!r}" in r.stderr
        assert not temporaries(disk)
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_the_shipped_catalogue_is_the_repository_one():
    assert gallery.DEFAULT_CATALOGUE.read_bytes() == (ROOT / "gallery" / "cases.toml").read_bytes()
    assert gallery.DEFAULT_CATALOGUE.is_relative_to(Path(gallery.__file__).parent)


def test_the_committed_page_links_only_what_a_checkout_has():
    import re

    page = (ROOT / "gallery" / "index.html").read_text()
    links = set(re.findall(r'(?:href|src)="([^"#:]+)"', page))
    assert links, "no links at all"
    tracked = set(subprocess.run(["git", "ls-files", "gallery"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.split())
    if not tracked:  # an unpacked sdist: the files themselves
        tracked = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gallery").rglob("*")}
    assert {f"gallery/{rel}" for rel in links} <= tracked
    assert "python scripts/build_gallery.py" in page
