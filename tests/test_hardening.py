"""Single renders leave nothing behind (killed, failed halfway, full disk), and the CLI's hostile corners, run as
real processes: closed and broken stdout, signals."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import convanim as ca
from convanim.core.checks import check_frame_pattern
from convanim.core.limits import check_canvas_cost as check_cost
from convanim.io import atomic, encoders
from convanim.io.atomic import TEMP_SUFFIX, AtomicFile, clear_stale

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), MPLBACKEND="Agg")


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def dead_pid() -> int:
    """The pid of a process that has just ended."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# ---- temporaries: named after their writer, cleared when it is gone -------------------------------------------

def test_temporaries_name_the_target_and_writer_and_stale_ones_are_cleared(tmp_path):
    target = tmp_path / "a.png"
    f = AtomicFile(target)
    assert f.tmp.name.startswith(f".a.png.{os.getpid()}.") and f.tmp.name.endswith(TEMP_SUFFIX)
    stale = tmp_path / f".a.png.{dead_pid()}.abcd1234{TEMP_SUFFIX}"
    stale.write_bytes(b"half a file")
    user = tmp_path / ".notes.123.abcd1234.tmp"  # not ours (suffix): never touched
    user.write_text("mine")
    assert clear_stale(tmp_path, every=0) == [stale]
    assert f.tmp.exists() and user.exists()  # a live writer's temporary stays
    f.discard()
    assert temporaries(tmp_path) == [user.name]


def test_a_long_name_gets_a_temporary_that_fits(tmp_path):
    target = tmp_path / ("n" * 250 + ".png")
    out = ca.render(ca.Conv(3, 2), target)
    assert out == target and target.stat().st_size > 0 and temporaries(tmp_path) == []


def test_sigkilled_render_leaves_a_temporary_that_the_next_render_clears(tmp_path):
    script = ("import convanim as ca, sys; ca.render(ca.Conv(40, 3, p=1), sys.argv[1], numbers=False)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "big.gif")], env=ENV)
    try:
        deadline = time.monotonic() + 60
        while not temporaries(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert temporaries(tmp_path), "the render never started writing"
        proc.kill()
    finally:
        proc.wait()
    assert len(temporaries(tmp_path)) == 1 and not (tmp_path / "big.gif").exists()
    atomic._scanned.clear()
    ca.render(ca.Conv(3, 2), tmp_path / "small.png")
    assert temporaries(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["small.png"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_clean_up_and_end_the_cli(tmp_path, sig):
    proc = subprocess.Popen([sys.executable, "-m", "convanim", "render", "-i", "40", "-k", "3", "-p", "1", "-o",
                             str(tmp_path / "big.gif")], env=ENV, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not temporaries(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert temporaries(tmp_path)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -sig  # it died of the signal, as without us, but after cleaning up
    assert b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# ---- failures halfway: nothing of this run is left, old files are untouched ------------------------------------

def test_a_frame_pattern_render_that_fails_halfway_leaves_no_frame(tmp_path, monkeypatch):
    old = tmp_path / "f_0.png"
    old.write_bytes(b"from an earlier run")
    calls = []
    real = encoders.PngEncoder.add_frame

    def flaky(self, source):
        calls.append(self.path)
        if len(calls) == 3:
            raise RuntimeError("drawing failed")
        real(self, source)

    monkeypatch.setattr(encoders.PngEncoder, "add_frame", flaky)
    with pytest.raises(RuntimeError):
        ca.render(ca.Conv(3, 2), tmp_path / "f_{frame}.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f_0.png"]
    assert old.read_bytes() == b"from an earlier run"
    monkeypatch.setattr(encoders.PngEncoder, "add_frame", real)
    ca.render(ca.Conv(3, 2), tmp_path / "f_{frame}.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"f_{t}.png" for t in range(4)]


@pytest.mark.parametrize("suffix", [".png", ".gif", ".pdf", ".svg"])
def test_a_full_disk_names_the_users_file_and_the_disk_and_leaves_nothing(tmp_path, monkeypatch, suffix):
    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(encoders.GifEncoder, "add_rgb", full)
    monkeypatch.setattr(encoders.PngEncoder, "add_rgb", full)
    monkeypatch.setattr(encoders.PdfEncoder, "add_frame", full)
    monkeypatch.setattr(encoders.SvgEncoder, "add_frame", full)
    target = tmp_path / f"a{suffix}"
    with pytest.raises(OSError) as info:
        ca.render(ca.Conv(3, 2), target)
    msg = str(info.value)
    assert str(target) in msg and "full" in msg and ".tmp" not in msg and info.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


# ---- paths and patterns ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,needle", [
    ("x_{frame[0]}.png", "only {frame}"), ("x_{frame!r:>100000000}.png", "only {frame}"),
    ("x_{frame:>100000000}.png", "width at most 10"), ("x_{0}.png", "only {frame}"), ("x_{}.png", "only {frame}"),
    ("x_{frame:s}.png", "integer format"), ("x_}.png", "braces"), ("x_{frame:f}.png", "integer format"),
])
def test_frame_patterns_refused_at_once_naming_the_path(tmp_path, name, needle):
    t = time.perf_counter()
    with pytest.raises(ValueError, match="path") as info:
        ca.render(ca.Conv(3, 2), tmp_path / name)
    assert needle in str(info.value)
    assert list(tmp_path.iterdir()) == []
    del t  # no timed assertion: the point is that no 100 MB name is ever built


def test_frame_pattern_parts_and_escaped_braces(tmp_path):
    assert check_frame_pattern("a_{frame:>4d}_{{x}}.png", "p") == [("a_", ">4d"), ("_{x}.png", None)]
    ca.render(ca.Conv(3, 2), tmp_path / "b_{{x}}.png")
    ca.render(ca.Conv(3, 2), tmp_path / "c_{frame:03d}_{{y}}.svg")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["b_{x}.png"] + [f"c_{t:03d}_{{y}}.svg" for t in range(4)]


@pytest.mark.parametrize("make,exc,needle", [
    (lambda d: d, ValueError, "is a directory"),
    (lambda d: d / ("n" * 300 + ".png"), ValueError, "more than the"),
    (lambda d: d / "none" / "a.png", FileNotFoundError, "does not exist"),
    (lambda d: Path("/proc/convanim.png"), OSError, "/proc/convanim.png"),
    (lambda d: str(d / "a\0.png"), ValueError, "NUL"),
    (lambda d: 5, TypeError, "path"),
    (lambda d: b"a.png", TypeError, "path"),
])
def test_bad_output_paths(tmp_path, make, exc, needle):
    with pytest.raises(exc) as info:
        ca.render(ca.Conv(3, 2), make(tmp_path))
    assert needle in str(info.value) and ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


# ---- sizes, costs, values ----------------------------------------------------------------------------------------

def test_costs_are_refused_before_work_with_the_way_out():
    spec = ca.Conv(190, 190)  # one frame, but 36,100 cells: over 5 s a frame as SVG with today's painter
    with pytest.raises(ValueError, match=r"36100 cells") as info:
        ca.figure(spec)
    needed = int(info.value.args[0].split("max_frames=")[1].split()[0])
    assert "--max-frames" in str(info.value)
    check_cost(spec, max_frames=needed)  # the way out works
    with pytest.raises(ValueError):
        check_cost(spec, max_frames=needed - 1)
    with pytest.raises(ValueError, match="numbers"):
        ca.figure(ca.Conv(60, 3), numbers=True)
    with pytest.raises(ValueError, match=r"max_matrix=\d+"):
        ca.figure(ca.Conv(12, 3), view="matrix")
    with pytest.raises(ValueError, match="pixels"):
        ca.figure(ca.Conv(5, 3), dpi=2400)
    with pytest.raises(ValueError, match="at most 64"):
        ca.channels_figure(i=20000)
    with pytest.raises(ValueError, match="at most 32"):
        ca.subsampling_figure(i=100000)
    with pytest.raises(ValueError, match="spec"):
        ca.positions_figure(ca.Conv(200, 1))


def test_theme_colours_are_checked_naming_the_key():
    with pytest.raises(ValueError, match="input"):
        ca.figure(ca.Conv(3, 2), theme={"input": (1.5, 0, 0)})
    with pytest.raises(ValueError, match="line"):
        ca.figure(ca.Conv(3, 2), theme=ca.Theme(line=(300, 0, 0)))
    fig = ca.figure(ca.Conv(3, 2), theme={"input": (0.5, 0.0, 1.0), "output": "#00ff00", "line": (1, 2, 3)})
    assert fig is not None


def test_flags_take_bools_only():
    for name, value in [("numbers", "no"), ("labels", "x"), ("caption", 1)]:
        with pytest.raises(TypeError, match=name):
            ca.figure(ca.Conv(3, 2), **{name: value})
    assert ca.figure(ca.Conv(3, 2), numbers=np.bool_(True)) is not None


# ---- the CLI as a real process ---------------------------------------------------------------------------------

def run(args, **kw):
    return subprocess.run([sys.executable, "-m", "convanim", *args], capture_output=True, env=ENV, timeout=120,
                          **kw)


def test_cli_stdout_closed_or_broken(tmp_path):
    closed = subprocess.run([sys.executable, "-m", "convanim", "render", "-i", "3", "-k", "2", "-o", "-"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, timeout=120,
                            preexec_fn=lambda: os.close(1))
    assert closed.returncode == 2 and closed.stderr.decode().startswith("convanim: error: -o -")
    assert closed.stderr.count(b"\n") == 1
    # A reader that leaves at once: the write breaks the pipe.
    proc = subprocess.Popen([sys.executable, "-m", "convanim", "render", "-i", "6", "-k", "2", "-o", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == 2 and b"Traceback" not in err and err.count(b"\n") == 1, err
    assert b"closed" in err


@pytest.mark.parametrize("args,needle", [
    (["render", "-i", "4000000000", "-k", "1", "-o", "a.png"], "-i/--input"),
    (["shape", "-i", "5", "-k", "3", "-p", "99999999999999999999"], "-p/--padding"),
    (["render", "-i", "5", "-k", "3", "--dpi", "inf", "-o", "a.png"], "--dpi"),
    (["render", "-i", "5", "-k", "3", "--dpi", "100000", "-o", "a.png"], "--dpi"),
    (["render", "-i", "5", "-k", "3", "--duration", "inf", "-o", "a.gif"], "--duration"),
    (["render", "-i", "5", "-k", "3", "--duration", "700", "-o", "a.gif"], "655.35"),
    (["render", "-i", "5", "-k", "3", "-o", "x_{frame[0]}.png"], "x_{frame[0]}.png"),
    (["render", "-i", "5", "-k", "3", "-o", "/proc/x.png"], "/proc/x.png"),
    (["render", "-i", "5", "-k", "3", "-o", "n" * 300 + ".png"], "the file system allows"),
    (["render", "-i", "5", "-k", "3", "-o", "."], "directory"),
    (["render", "-i", "5", "-k", "3", "--max-frames", "9" * 400, "-o", "a.png"], "--max-frames"),
    (["gallery", "-j", "0", "--dry-run"], "-j/--jobs"),
])
def test_cli_hostile_calls_exit_2_in_one_line(tmp_path, args, needle):
    r = run(args, cwd=tmp_path)
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1 and err.startswith("convanim: error: "), err
    assert needle in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path):
    """A 40 KB tmpfs (root only; skipped where mounting is not allowed)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.mark.parametrize("name", ["a.gif", "a.png", "f_{frame}.png", "a.pdf"])
def test_a_real_full_disk_leaves_nothing_and_names_the_file(tiny_disk, name):
    (tiny_disk / "fill").write_bytes(b"\0" * 36 * 1024)
    r = run(["render", "-i", "8", "-k", "3", "-o", str(tiny_disk / name)])
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1 and "is full" in err and ".tmp" not in err, err
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["fill"]
