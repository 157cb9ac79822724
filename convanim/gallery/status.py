"""Up-to-date status: the manifest, the renderer's fingerprint, and why a case must be rebuilt.

A case is up to date when its manifest entry holds the digest of its table as
written, the manifest was written by the same renderer (convanim's drawing
code and the versions of what draws and encodes), and every file the entry
lists is there with its recorded size.  Content hashes, not file times: a
checkout, a copy or a touched file does not trigger a rebuild.
"""
from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Optional

from .catalogue import Case
from .workers import LOCK

__all__ = ["MANIFEST", "renderer_digest", "read_manifest", "manifest_bytes", "why_rebuild", "write_if_changed",
           "frame_names", "case_targets", "refuse_links", "OWN_NAMES"]

MANIFEST = ".manifest.json"
PACKAGE = Path(__file__).resolve().parents[1]
#: What draws a case: the pure layers, the drawing, the encoders and the gallery's own build.
_RENDERER_FILES = ("core", "drawing", "io", "gallery/build.py", "gallery/status.py")


def renderer_digest() -> str:
    """Hash of convanim's drawing code and the versions of what draws and encodes.

    Examples
    --------
    >>> len(renderer_digest())
    64
    """
    h = hashlib.sha256()
    for part in _RENDERER_FILES:
        p = PACKAGE / part
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(f.relative_to(PACKAGE).as_posix().encode() + b"\0" + f.read_bytes())
    for dist in ("matplotlib", "numpy", "pillow"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def frame_names(name: str, n: int) -> list[str]:
    """``NAME_NN`` for each frame, as the reference repository numbers them (two digits at least).

    Examples
    --------
    >>> frame_names("dilation", 3)
    ['dilation_00', 'dilation_01', 'dilation_02']
    """
    width = max(2, len(str(n - 1)))
    return [f"{name}_{t:0{width}d}" for t in range(n)]


def case_targets(case: Case, n_frames: int) -> list[str]:
    """The files a case writes, relative to the gallery folder.

    Examples
    --------
    >>> case_targets(Case("kernel", {"kind": "kernel"}), 1)
    ['gif/kernel.gif', 'html/kernel.html', 'pdf/kernel_00.pdf', 'png/kernel_00.png']
    """
    names = frame_names(case.name, n_frames)
    return ([f"gif/{case.name}.gif", f"html/{case.name}.html"] + [f"pdf/{n}.pdf" for n in names]
            + [f"png/{n}.png" for n in names])


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest in ``root`` (an empty one when it is missing or unreadable)."""
    try:
        data = json.loads((root / MANIFEST).read_text())
        if isinstance(data, dict) and isinstance(data.get("cases"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"renderer": None, "cases": {}}


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as written: sorted keys, so that the same state gives the same bytes."""
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()


def why_rebuild(root: Path, case: Case, entry: Optional[dict[str, Any]], renderer_changed: bool) -> Optional[str]:
    """Why ``case`` must be rebuilt into ``root`` (None when it is up to date).

    Examples
    --------
    >>> case = Case("tiny", {"kind": "conv", "i": 3, "k": 2})
    >>> why_rebuild(Path("nowhere"), case, None, False)
    'new case'
    >>> why_rebuild(Path("nowhere"), case, {"digest": "0", "files": {}}, False)
    'its entry in the catalogue changed'
    """
    if not entry:
        return "new case"
    if renderer_changed:
        return "the renderer changed"
    if entry.get("digest") != case.digest:
        return "its entry in the catalogue changed"
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return "no files recorded"
    for rel, size in sorted(files.items()):
        try:
            if (root / rel).stat().st_size != size:
                return f"{rel} changed size"
        except OSError:
            return f"{rel} is missing"
    return None


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds exactly it; say whether it wrote.

    On a failed write (a full disk) the temporary file is removed before the error goes on.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        # O_EXCL and O_NOFOLLOW: a link planted under the temporary's (predictable) name is never followed;
        # os.replace then puts the file in place of the target, never writing through a link there.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileExistsError:
            tmp.unlink()  # a temporary of a dead build of this pid, or a planted link: ours to remove
            fd = os.open(tmp, flags, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
        raise
    return True


#: What the build writes or removes directly in ``out``: none of them may be a link (it could lead out of ``out``).
OWN_NAMES = (LOCK, MANIFEST, "index.html", "README.md", "gif", "html", "pdf", "png")


def refuse_links(root: Path) -> None:
    """Refuse a folder whose own files or subfolders are symbolic links: the build would write or remove through
    them, out of ``root``.  ``root`` itself may be a link (the user named it); a link inside ``gif/`` and the
    others is replaced by the file written there (a rename), never written through.

    The lock file is created here with ``O_NOFOLLOW``, so that a link planted between the check and the lock
    is not followed either.
    """
    for name in OWN_NAMES:
        path = root / name
        if path.is_symlink():
            raise ValueError(f"out: {str(path)!r} is a symbolic link (to {os.readlink(path)!r}); the gallery never "
                             f"writes through a link out of its folder: remove the link, or build elsewhere")
    try:
        fd = os.open(root / LOCK, os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError:
        if (root / LOCK).is_symlink():  # planted since the check (ELOOP)
            raise ValueError(f"out: {str(root / LOCK)!r} is a symbolic link; remove it") from None
        raise
    os.close(fd)
