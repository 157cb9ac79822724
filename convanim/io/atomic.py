"""Atomic writes that leave nothing behind: temporaries named after their writer, cleared when it is gone.

A file is written under a temporary name beside its target,
``.NAME.PID.XXXXXXXX.convanim.tmp``, and renamed onto it when complete.  A
writer stopped by SIGTERM or SIGHUP removes its temporaries (see
:func:`terminate_cleanly`); one killed outright (SIGKILL, a power cut) cannot,
so every new writer first removes the temporaries in its folder whose writing
process no longer exists.  Errors name the user's path, never a temporary.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Union

__all__ = ["AtomicFile", "TEMP_SUFFIX", "clear_stale", "check_output_path", "terminate_cleanly", "Terminated",
           "describe_os_error"]

TEMP_SUFFIX = ".convanim.tmp"
#: ``.LABEL.PID.RANDOM.convanim.tmp``; mkstemp's random part is 8 characters of [a-z0-9_].
_TEMP_RE = re.compile(r"^\..+\.(?P<pid>\d+)\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + r"$")
#: Room kept in a file name for the temporary's decorations (dot, pid, random part, suffix).
_LABEL_MAX = 150
_scanned: dict[str, float] = {}


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid < 2**22  # someone else's live process (or an absurd number: not a pid, leave it)
    return True


def clear_stale(directory: Union[str, Path], *, every: float = 1.0) -> list[Path]:
    """Remove the temporaries in ``directory`` whose writer process is gone; return them.

    Scanned at most once per ``every`` seconds per folder and process, so
    that writing many frames into one folder does not rescan it each time.
    """
    key = os.path.abspath(directory)
    now = time.monotonic()
    if now - _scanned.get(key, -every - 1.0) < every:
        return []
    _scanned[key] = now
    removed = []
    try:
        entries = list(os.scandir(key))
    except OSError:
        return []
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if m and not _pid_alive(int(m.group("pid"))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _name_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def check_output_path(path: Union[str, Path, Any], name: str = "path") -> Path:
    """``path`` as a Path a file can be written to, or an error naming it (before any drawing).

    Refused: a non-path (``TypeError``); an empty name, a directory, a name
    longer than the file system allows, a NUL byte (``ValueError``); a
    missing or read-only folder (``FileNotFoundError`` / ``PermissionError``).
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or a pathlib.Path, got {type(path).__name__}")
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str or a pathlib.Path, got bytes")
    shown = text if len(text) < 200 else text[:120] + "..." + text[-40:]
    if "\0" in text:
        raise ValueError(f"{name} {shown!r}: a file name cannot hold a NUL character")
    if not text or text.endswith(os.sep):
        raise ValueError(f"{name} {shown!r}: give a file name (with its suffix), not a folder")
    p = Path(text)
    try:
        encoded = os.fsencode(p.name)
    except UnicodeError:
        raise ValueError(f"{name} {shown!r}: the name cannot be encoded for this file system") from None
    limit = _name_max(p.parent if p.parent.is_dir() else Path("."))
    if len(encoded) > limit:
        raise ValueError(f"{name} {shown!r}: the file name is {len(encoded)} bytes, more than the {limit} "
                         f"the file system allows")
    if len(os.fsencode(text)) >= 4096:
        raise ValueError(f"{name} {shown!r}: the path is {len(os.fsencode(text))} bytes, more than the 4095 allowed")
    if p.is_dir():
        raise ValueError(f"{name} {shown!r} is a directory; give a file name inside it")
    if not p.parent.is_dir():
        raise FileNotFoundError(f"{name} {shown!r}: directory {str(p.parent)!r} does not exist")
    if not os.access(p.parent, os.W_OK):
        raise PermissionError(f"{name} {shown!r}: directory {str(p.parent)!r} is not writable")
    return p


def describe_os_error(exc: OSError, path: Union[str, Path]) -> OSError:
    """The same error, its message naming ``path`` (the user's) and, for a full disk, the disk."""
    if getattr(exc, "convanim_path", None) is not None:
        return exc  # already says which file
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason += f" (the disk holding {str(Path(path).parent)!r} is full)"
    new = type(exc)(f"cannot write {str(path)!r}: {reason}")
    new.errno = exc.errno  # kept for callers; strerror stays unset, so str() is the message above
    new.convanim_path = str(path)  # type: ignore[attr-defined]
    return new


class AtomicFile:
    """A temporary file beside ``path``, renamed onto it by :meth:`commit`, removed by :meth:`discard`.

    The temporary is named after the target and this process's id, so that a
    later writer can tell it from a live one's and remove it once this
    process is gone (:func:`clear_stale`).  With ``keep_same=True``, a commit
    whose bytes equal the file already there leaves that file untouched (its
    times too), so that a Makefile that depends on it is not retriggered.

    Examples
    --------
    >>> f = AtomicFile("out.png")  # doctest: +SKIP
    >>> f.tmp.write_bytes(b"..."); f.commit()  # doctest: +SKIP
    """

    def __init__(self, path: Union[str, Path], *, keep_same: bool = False) -> None:
        self.path = check_output_path(path)
        self.keep_same = keep_same
        parent = self.path.parent
        clear_stale(parent)
        label = self.path.name
        if len(os.fsencode(label)) > _LABEL_MAX:
            # Keep the temporary's name within the file system's limit; the digest keeps targets apart.
            digest = hashlib.sha1(os.fsencode(label)).hexdigest()[:12]
            label = os.fsdecode(os.fsencode(label)[:_LABEL_MAX - 13]).rstrip("\udcff") + "-" + digest
        try:
            fd, name = tempfile.mkstemp(prefix=f".{label}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=parent)
        except OSError as exc:
            raise describe_os_error(exc, self.path) from None
        os.close(fd)
        self.tmp = Path(name)
        _LIVE.add(self)

    def commit(self) -> None:
        """Rename the temporary onto the target (permissions as a normal file's), or drop it where ``keep_same``
        and the target already holds these bytes."""
        try:
            if self.keep_same and _same_bytes(self.tmp, self.path):
                self.discard()
                return
            os.chmod(self.tmp, 0o644)
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise describe_os_error(exc, self.path) from None
        _LIVE.discard(self)

    def discard(self) -> None:
        """Remove the temporary (the target, if it existed, is untouched)."""
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()
        _LIVE.discard(self)


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                chunk = fa.read(1 << 20)
                if chunk != fb.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False


#: The temporaries of this process not yet committed or discarded: removed on SIGTERM / SIGHUP.
_LIVE: set[AtomicFile] = set()


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM or SIGHUP, so that every writer's clean-up runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Terminated` (clean-up runs) instead of killing at once.

    Only where the signal would otherwise kill the process (its default
    handler) and only in the main thread: an application's own handlers are
    left alone.  Temporaries still open when it is raised are removed, then
    the process dies of the signal as it would have.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum: int, _frame: Any) -> None:
        raise Terminated(signum)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    except Terminated as exc:
        for f in list(_LIVE):
            f.discard()
        for sig, old in previous.items():
            signal.signal(sig, old)
        previous.clear()
        # Die of the signal, as without us (exit status 128 + n for the shell), now that nothing is left behind.
        os.kill(os.getpid(), exc.signum)
        raise  # pragma: no cover - only reached if the signal is blocked
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
