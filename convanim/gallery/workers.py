"""Worker processes and the build lock: builds that survive kills, lost workers and each other.

- One process per case, at most ``jobs`` at once.  A worker that dies (killed,
  out of memory, a crash in a C library) fails its own case, by name; the other
  cases are still built.
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
        self._fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
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


def _worker(work: Work, case: Case, out: str, conn: Connection, parent: int) -> None:
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it ends us
    _die_with(parent)
    result = work(case, out)
    conn.send(result)
    conn.close()


def _death(exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"its worker process was killed ({name})"
    return f"its worker process ended without a result (exit status {exitcode})"


def run_cases(work: Work, cases: Sequence[Case], out: str, jobs: int) -> Iterator[Result]:
    """Run ``work(case, out)`` for each case in its own process, ``jobs`` at once; yield results as they come.

    A process that ends without a result gives ``(name, None, why)``.  When the
    caller stops (an error, Ctrl-C), the workers still running are terminated.
    """
    ctx = _context()
    pending = list(cases)
    running: dict[Any, tuple[Any, Connection, Case]] = {}  # sentinel -> (process, connection, case)
    results: dict[str, Result] = {}
    drained: set[str] = set()  # cases whose connection was read (a result, or nothing: the worker died)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                case = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker, args=(work, case, out, send, os.getpid()), daemon=True,
                                   name=f"convanim-gallery-{case.name}")
                proc.start()
                send.close()
                running[proc.sentinel] = (proc, recv, case)
            conns = {recv: sentinel for sentinel, (_, recv, case) in running.items() if case.name not in drained}
            for ready in wait(list(running) + list(conns)):
                if ready in conns:  # a result: read it now, so that a large one never blocks its writer
                    if conns[ready] not in running:
                        continue
                    _, recv, case = running[conns[ready]]
                    drained.add(case.name)
                    try:
                        results[case.name] = recv.recv()
                    except (EOFError, OSError):
                        pass
                    continue
                if ready not in running:
                    continue
                proc, recv, case = running.pop(ready)
                if case.name not in drained:
                    try:
                        if recv.poll():
                            results[case.name] = recv.recv()
                    except (EOFError, OSError):
                        pass
                proc.join()
                recv.close()
                yield results.pop(case.name, (case.name, None, _death(proc.exitcode)))
    finally:
        for proc, _recv, _ in running.values():
            proc.terminate()
        for proc, recv, _ in running.values():
            proc.join(10)  # time to remove its temporary files (SIGTERM is SystemExit in a worker)
            if proc.is_alive():
                proc.kill()
                proc.join()
            recv.close()
