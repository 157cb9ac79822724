"""Worker processes and the build lock: builds that survive kills, lost workers and each other.

- ``jobs`` worker processes, each taking case after case, so that font and
  mathtext caches stay warm.  A worker that dies (killed, out of memory, a crash
  in a C library) fails the case it was building, by name, and is replaced; the
  other cases are still built.
- Workers die with the main process: on Linux the kernel sends them SIGTERM
  when it goes (``PR_SET_PDEATHSIG``); elsewhere a watchdog thread notices.
  SIGTERM becomes ``SystemExit`` in a worker, so that its encoders remove their
  temporary files on the way out.
- :class:`BuildLock` serialises builds into one folder: the second waits, and
  says who it waits for.
"""
from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterator, Optional, Sequence

from .catalogue import Case

__all__ = ["BuildLock", "run_cases", "disk_message", "LOCK"]

LOCK = ".lock"
Result = tuple[str, Optional[dict[str, Any]], Optional[str]]
Work = Callable[[Case, str], Result]


def disk_message(root: Path, exc: OSError) -> str:
    """One line for a failed write: for a full disk, which disk and how much is free."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        mount = Path(os.path.abspath(root))
        while not os.path.ismount(mount) and mount != mount.parent:
            mount = mount.parent
        try:
            free = f"{shutil.disk_usage(mount).free / 1e6:.1f} MB free"
        except OSError:
            free = "free space unknown"
        what = "no space left" if exc.errno == errno.ENOSPC else "disk quota exceeded"
        return f"{what} on the disk holding {str(root)!r} (mounted at {str(mount)!r}, {free})"
    return f"cannot write into {str(root)!r}: {exc.strerror or exc}"


# ---- the lock ------------------------------------------------------------------------------------------------

class BuildLock:
    """An exclusive lock on a gallery folder (``DIR/.lock``), held for a whole build.

    The second build into a folder waits for the first (and says so through
    ``log``, naming the process that holds it where the system tells), then
    finds what the first built up to date.  The lock is the kernel's
    (``flock``): a killed build releases it.  The file stays, empty and never
    rewritten, so that a no-op build changes nothing in the folder.
    """

    def __init__(self, root: Path, log: Optional[Callable[[str], Any]] = None) -> None:
        self.path = root / LOCK
        self.log = log
        self._fd: Optional[int] = None

    def __enter__(self) -> BuildLock:
        # O_NOFOLLOW: a link put at .lock is never followed out of the folder (nor its target created).
        try:
            self._fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            if os.path.islink(self.path):
                raise ValueError(f"--out: {str(self.path)!r} is a link; remove it (the build never follows links "
                                 f"out of its folder)") from None
            raise exc
        try:
            import fcntl
        except ImportError:  # Windows: no flock; builds into one folder are then the user's to keep apart
            return self
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.log:
                self.log(f"gallery: waiting for another build into {str(self.path.parent)!r} "
                         f"({self._holder()}holds {str(self.path)!r})")
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def _holder(self) -> str:
        """``process N `` from /proc/locks (Linux), else nothing."""
        assert self._fd is not None
        inode = os.fstat(self._fd).st_ino
        try:
            with open("/proc/locks") as fh:
                for line in fh:
                    fields = line.split()
                    # "1: FLOCK  ADVISORY  WRITE 4242 08:01:2146388 0 EOF" (a waiter's line has "->")
                    if "->" not in fields and len(fields) > 5 and fields[5].rsplit(":", 1)[-1] == str(inode):
                        return f"process {fields[4]} "
        except (OSError, IndexError):
            pass
        return ""

    def __exit__(self, kind: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


# ---- the workers ---------------------------------------------------------------------------------------------

def _context() -> Any:
    # fork: a worker starts in milliseconds with what the main process already imported (matplotlib).
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _die_with(parent: int) -> None:
    """Make this process end when ``parent`` does."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    if os.getppid() != parent:  # the parent went before the line above took effect
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _worker(work: Work, cases: Sequence[Case], out: str, conn: Connection, parent: int) -> None:
    """Build case after case, as the main process hands out their indices, until it sends ``None`` or goes.

    One process for many cases keeps matplotlib's font and mathtext caches, and ours, warm from one case to
    the next.
    """
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it ends us
    _die_with(parent)
    while True:
        try:
            index = conn.recv()
        except (EOFError, OSError):  # the main process is gone: nothing more to do
            break
        if index is None:
            break
        conn.send(work(cases[index], out))
    conn.close()


def _death(exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"its worker process was killed ({name})"
    return f"its worker process ended without a result (exit status {exitcode})"


@dataclass
class _Slot:
    """A worker process, its end of the pipe, and the index of the case it is building (None when idle)."""

    proc: Any
    conn: Connection
    current: Optional[int] = None
    eof: bool = False  # its pipe is closed: the process is going, its sentinel will say when


def run_cases(work: Work, cases: Sequence[Case], out: str, jobs: int) -> Iterator[Result]:
    """Run ``work(case, out)`` for each case in ``jobs`` worker processes; yield results as they come.

    Each worker takes case after case (their indices, through a pipe), so that its caches stay warm.  A
    worker that ends without a result gives ``(name, None, why)`` for the case it was building, and another
    takes its place while cases remain.  When the caller stops (an error, Ctrl-C), the workers are terminated.
    """
    ctx = _context()
    pending = deque(range(len(cases)))
    slots: dict[Any, _Slot] = {}  # sentinel -> slot

    def give(slot: _Slot) -> None:
        """Hand ``slot`` the next case, or tell it to stop."""
        slot.current = pending.popleft() if pending else None
        try:
            slot.conn.send(slot.current)
        except OSError:  # it died already: its sentinel reports its case
            slot.eof = True

    def start() -> None:
        here, there = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_worker, args=(work, cases, out, there, os.getpid()), daemon=True,
                           name="convanim-gallery-worker")
        proc.start()
        there.close()
        slot = _Slot(proc, here)
        slots[proc.sentinel] = slot
        give(slot)

    try:
        for _ in range(min(jobs, len(pending))):
            start()
        while slots:
            by_conn = {slot.conn: slot for slot in slots.values() if not slot.eof}
            for ready in wait(list(slots) + list(by_conn)):
                if ready in by_conn:
                    slot = by_conn[ready]
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        slot.eof = True
                        continue
                    slot.current = None
                    give(slot)  # the worker goes on while the caller records this result
                    yield result
                elif ready in slots:
                    yield from _ended(slots.pop(ready), cases)
                    if pending:
                        start()  # a fresh worker in place of the lost one
    finally:
        for slot in slots.values():
            slot.proc.terminate()
        for slot in slots.values():
            slot.proc.join(10)  # time to remove its temporary files (SIGTERM is SystemExit in a worker)
            if slot.proc.is_alive():
                slot.proc.kill()
                slot.proc.join()
            slot.conn.close()


def _ended(slot: _Slot, cases: Sequence[Case]) -> Iterator[Result]:
    """What an ended worker leaves: a result it sent before it went, else its case failed by its death."""
    if not slot.eof:
        try:
            while slot.conn.poll():
                yield slot.conn.recv()
                slot.current = None
        except (EOFError, OSError):
            pass
    slot.proc.join()
    slot.conn.close()
    if slot.current is not None:
        yield cases[slot.current].name, None, _death(slot.proc.exitcode)
