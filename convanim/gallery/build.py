"""The build: every case of a catalogue into a gallery folder, incremental and in parallel.

Each case gives ``gif/NAME.gif``, ``pdf/NAME_NN.pdf`` and ``png/NAME_NN.png``
(one per frame); the gallery also gets ``index.html`` and ``README.md``.  A
case is rebuilt only when :func:`~convanim.gallery.status.why_rebuild` gives a
reason.  Every file is written under a temporary name and renamed, so a build
killed at any moment leaves only whole files and the next run completes it.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from .catalogue import DEFAULT_CATALOGUE, Case, CatalogueError, load_catalogue
from .page import render_index
from .status import (MANIFEST, case_targets, frame_names, manifest_bytes, read_manifest, renderer_digest,
                     why_rebuild, write_if_changed)

__all__ = ["build", "build_case", "case_frames", "Report"]

Result = tuple[str, Optional[dict[str, Any]], Optional[str]]


def _stage_for(case: Case) -> Any:
    from ..drawing.api import _painter
    from ..drawing.figures import StillStage

    return StillStage(case.still_figure()) if case.still else _painter(case.spec(), **case.look())


def case_frames(case: Case) -> Iterator[Any]:
    """The raster frames of a case, one by one (for benchmarks)."""
    painter = _stage_for(case)
    for t in range(painter.n_frames):
        painter.set_frame(t)
        yield painter.rgb()


class _Both:
    """Per frame: the PDF page and the PNG, from one drawing."""

    def __init__(self, root: Path, name: str) -> None:
        from ..io.encoders import PdfEncoder, PngEncoder

        self.pdf, self.png = PdfEncoder(root / "pdf" / f"{name}.pdf"), PngEncoder(root / "png" / f"{name}.png")

    def setup(self) -> None:
        self.pdf.setup()
        self.png.setup()

    def add_frame(self, source: Any) -> None:
        self.png.add_frame(source)
        self.pdf.add_frame(source)

    def finish(self) -> None:
        self.png.finish()
        self.pdf.finish()

    def abort(self) -> None:
        try:
            self.png.abort()
        finally:
            self.pdf.abort()


def build_case(case: Case, out: Union[str, Path]) -> dict[str, Any]:
    """Draw every file of ``case`` into ``out``; return its manifest entry."""
    from ..io.encoders import GifEncoder
    from ..io.render import _run

    duration = case.duration
    painter = _stage_for(case)
    n = painter.n_frames
    root = Path(out)
    for sub in ("gif", "pdf", "png"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    gif = GifEncoder(root / "gif" / f"{case.name}.gif", painter.theme, duration)
    _run(painter, range(n), [gif], [_Both(root, name) for name in frame_names(case.name, n)])
    files = {rel: (root / rel).stat().st_size for rel in case_targets(case, n)}
    return {"digest": case.digest, "frames": n, "files": files}


def _build_case_safely(case: Case, out: str) -> Result:
    try:
        return case.name, build_case(case, out), None
    except Exception as exc:  # noqa: BLE001 - reported by name, the other cases go on
        return case.name, None, f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)


# ---- the build -----------------------------------------------------------------------------------------------

@dataclass
class Report:
    """What a build did: the cases built (with why), up to date, failed (with why), and whether the page changed."""

    built: list[str]
    up_to_date: list[str]
    failed: dict[str, str]
    seconds: float
    wrote_index: bool
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line, e.g. ``gallery: 3 built, 23 up to date, 0 failed in 4.1 s``."""
        parts = [f"{len(self.built)} built", f"{len(self.up_to_date)} up to date", f"{len(self.failed)} failed"]
        text = "gallery: " + ", ".join(parts) + f" in {self.seconds:.1f} s"
        if not self.built and not self.failed and not self.wrote_index:
            text += " (nothing to do)"
        return text


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 0

    def step(self, name: str) -> None:
        self.done += 1
        if self.enabled:
            width = 24
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {name[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 80 + "\r")
            sys.stderr.flush()


def build(catalogue: Union[os.PathLike[str], str] = DEFAULT_CATALOGUE, out: Union[os.PathLike[str], str] = "gallery",
          *, names: Sequence[str] = (), jobs: Optional[int] = None, force: bool = False, dry_run: bool = False,
          clean: bool = False, quiet: bool = True, verbose: bool = False, progress: Optional[bool] = None,
          log: Optional[Callable[[str], Any]] = None) -> Report:
    """Build the gallery: every case of ``catalogue`` (or only ``names``) into ``out``.

    Parameters
    ----------
    catalogue : path
        The TOML catalogue (default: the guide's, shipped with convanim).
    out : path
        The gallery folder; nothing is written outside it.
    names : sequence of str
        Build only these cases (the page still lists every built case).
    jobs : int, optional
        Cases built at once, each in its own process; default: the cores there are.
    force : bool
        Rebuild even what is up to date.
    dry_run : bool
        Only say what would be built.
    clean : bool
        Remove files in ``gif/``, ``pdf/``, ``png/`` that no case produces any more.

    Returns
    -------
    Report
        What was built, what was up to date, what failed and why.

    Examples
    --------
    >>> report = build(DEFAULT_CATALOGUE, "build/gallery", jobs=2)  # doctest: +SKIP
    >>> print(report.summary())  # doctest: +SKIP
    gallery: 26 built, 0 up to date, 0 failed in 17.0 s
    """
    start = time.perf_counter()
    say: Callable[[str], Any] = log or (lambda msg: print(msg, file=sys.stderr))
    cases = load_catalogue(catalogue)
    unknown = [n for n in names if n not in cases]
    if unknown:
        raise CatalogueError(f"no case named {unknown[0]!r} in {str(catalogue)!r}")
    root = Path(out)
    wanted = [cases[n] for n in names] if names else list(cases.values())
    manifest = read_manifest(root)
    renderer = renderer_digest()
    renderer_changed = manifest.get("renderer") != renderer
    if renderer_changed:
        manifest = {"renderer": renderer, "cases": {}}
    failed: dict[str, str] = {}
    todo: list[Case] = []
    fresh: list[str] = []
    reasons: dict[str, str] = {}
    for case in wanted:
        try:
            case.check()
        except ValueError as exc:
            failed[case.name] = str(exc)
            manifest["cases"].pop(case.name, None)  # its old files no longer match its entry
            continue
        why = "forced" if force else why_rebuild(root, case, manifest["cases"].get(case.name), False)
        if why is None:
            fresh.append(case.name)
        else:
            todo.append(case)
            reasons[case.name] = why
    if dry_run:
        for case in todo:
            say(f"would build {case.name}: {reasons[case.name]}")
        for name, why in failed.items():
            say(f"convanim: gallery: case {name} would fail: {why}")
        return Report([c.name for c in todo], fresh, failed, time.perf_counter() - start, False, reasons)
    if todo:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(root)
    built: list[str] = []
    bar = _Progress(len(todo), (progress if progress is not None else sys.stderr.isatty()) and not quiet)
    for name, entry, error in _execute(todo, str(root), jobs):
        bar.step(name)
        if error is not None or entry is None:
            failed[name] = error or "no result"
            manifest["cases"].pop(name, None)
            continue
        manifest["cases"][name] = entry
        built.append(name)
        # Recorded as each case finishes, so that a killed build resumes where it stopped.
        write_if_changed(root / MANIFEST, manifest_bytes(manifest))
        if verbose:
            say(f"built {name} ({reasons[name]}): " + ", ".join(sorted(entry["files"])))
    bar.close()
    wrote = False
    if root.is_dir():
        if clean:
            _clean(root, manifest, say if not quiet else None)
        index, readme = render_index(list(cases.values()), manifest)
        wrote |= write_if_changed(root / "index.html", index)
        wrote |= write_if_changed(root / "README.md", readme)
        wrote |= write_if_changed(root / MANIFEST, manifest_bytes(manifest))
    for name, why in failed.items():
        say(f"convanim: gallery: case {name} failed: {why}")
    return Report(built, fresh, failed, time.perf_counter() - start, wrote, reasons)


def _remove_stale_temporaries(root: Path) -> None:
    # What a killed build left behind: hidden temporary files, never a target.
    for sub in ("", "gif", "pdf", "png"):
        d = root / sub
        if d.is_dir():
            for f in d.glob(".*.tmp"):
                f.unlink(missing_ok=True)


def _execute(todo: Sequence[Case], out: str, jobs: Optional[int]) -> Iterable[Result]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo))) if todo else 1
    if n_jobs == 1 or len(todo) <= 1:
        for case in todo:
            yield _build_case_safely(case, out)
        return
    # Longest cases first, so that the last worker is not left with the biggest.
    order = sorted(todo, key=lambda c: -_estimated_frames(c))
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        futures = [pool.submit(_build_case_safely, case, out) for case in order]
        for fut in as_completed(futures):
            yield fut.result()


def _estimated_frames(case: Case) -> int:
    try:
        spec = case.spec()
        if spec is None or case.still:
            return 1
        return int(spec.output_shape[0] * spec.output_shape[1])
    except Exception:  # noqa: BLE001 - it will fail, and be reported, when built
        return 0


def _clean(root: Path, manifest: dict[str, Any], log: Optional[Callable[[str], Any]]) -> None:
    keep = {rel for entry in manifest["cases"].values() for rel in entry.get("files", {})}
    for sub, ext in (("gif", ".gif"), ("pdf", ".pdf"), ("png", ".png")):
        d = root / sub
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            rel = f"{sub}/{f.name}"
            if f.is_file() and f.suffix == ext and rel not in keep:
                f.unlink()
                if log:
                    log(f"removed {rel}")
