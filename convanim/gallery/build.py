"""The build: every case of a catalogue into a gallery folder, incremental and in parallel.

Each case gives ``gif/NAME.gif``, ``pdf/NAME_NN.pdf`` and ``png/NAME_NN.png``
(one per frame); the gallery also gets ``index.html`` and ``README.md``.  A
case is rebuilt only when :func:`~convanim.gallery.status.why_rebuild` gives a
reason.  Every file is written under a temporary name and renamed, so a build
killed at any moment leaves only whole files and the next run completes it.
"""
from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, Union

from .catalogue import DEFAULT_CATALOGUE, Case, CatalogueError, load_catalogue
from .page import render_index
from .status import (
    MANIFEST,
    case_targets,
    frame_names,
    manifest_bytes,
    read_manifest,
    refuse_links,
    renderer_digest,
    why_rebuild,
    write_if_changed,
)
from .workers import BuildLock, disk_message, run_cases

__all__ = ["build", "build_case", "build_case_safely", "case_frames", "case_plan", "Report"]

Result = tuple[str, Optional[dict[str, Any]], Optional[str]]


def case_plan(case: Case) -> Any:
    """The plan of a case: its layer with its options, checked as every entry point checks them (a still
    figure: its own plan)."""
    if case.still:
        return case.still_plan()
    from ..drawing.api import make_plan

    spec = case.spec()
    assert spec is not None  # every kind that is not a still figure has a layer
    return make_plan(spec, duration=case.duration, **case.look())


def case_frames(case: Case) -> Iterator[Any]:
    """The raster frames of a case, one by one (for benchmarks)."""
    from ..io.formats import PlanStage

    plan = case_plan(case)
    stage = PlanStage(plan)
    for t in range(plan.n_frames):
        stage.set_frame(t)
        yield stage.rgb()


def build_case(case: Case, out: Union[str, Path]) -> dict[str, Any]:
    """Draw every file of ``case`` into ``out``; return its manifest entry.

    One figure draws each frame once: its pixels go to the GIF and the frame's PNG, the same figure to the
    frame's PDF page (one PDF per frame, split from one multi-page PDF of the case); then the player.
    """
    from ..io.encoders import GifEncoder, PngEncoder
    from ..io.formats import EncoderWriter, PlanStage, VectorWriter
    from ..io.html import write_plan_html
    from ..io.pdf_split import PdfFramesEncoder

    plan = case_plan(case)
    n = plan.n_frames
    root = Path(out)
    for sub in ("gif", "html", "pdf", "png"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    stage = PlanStage(plan)
    # keep_same: a rebuilt file whose bytes did not change keeps its file, times too (no Makefile retriggered)
    names = frame_names(case.name, n)
    # The PDF frames are drawn into one multi-page PDF (each font subset once for the case, not once per
    # frame: that was half the build's time) and split into a file per page when the case is done.
    with EncoderWriter(GifEncoder(root / "gif" / f"{case.name}.gif", plan.theme, plan.duration,
                                  keep_same=True)) as gif, \
            VectorWriter(PdfFramesEncoder([root / "pdf" / f"{name}.pdf" for name in names], keep_same=True),
                         plan, stage) as pdf:
        for t, name in enumerate(names):
            stage.set_frame(t)
            rgba = stage.rgb()
            gif.add_frame(t, rgba)
            with EncoderWriter(PngEncoder(root / "png" / f"{name}.png", keep_same=True)) as png:
                png.add_frame(t, rgba)
            pdf.add_frame(t, None)
    # The page the reader drives: every frame as vector graphics, named by the case's title.
    plan.title = case.title
    if case.still:
        plan.caption_lines = (case.title,)
    write_plan_html(plan, root / "html" / f"{case.name}.html", keep_same=True)
    files = {rel: (root / rel).stat().st_size for rel in case_targets(case, n)}
    return {"digest": case.digest, "frames": n, "files": files}


def build_case_safely(case: Case, out: str) -> Result:
    """``(name, manifest entry, None)``, or ``(name, None, why)`` in one line when the case fails."""
    try:
        return case.name, build_case(case, out), None
    except OSError as exc:  # a full disk names the disk, never a temporary file
        return case.name, None, disk_message(Path(out), exc)
    except (TypeError, ValueError) as exc:  # a mistake in the case: its message names the parameter
        return case.name, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - reported by name, the other cases go on
        return case.name, None, f"{type(exc).__name__}: {exc}"


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


def _progress_bar(total: int, enabled: bool, say: Callable[[str], Any]) -> Any:
    """tqdm's bar on stderr (when it is installed and wanted), else a stand-in that does nothing.

    Either has ``say(text)``: a line printed above the bar, not through it.
    """
    if enabled and total > 0:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            class Bar(tqdm):
                monitor_interval = 0  # no monitor thread: the workers are forked

                def say(self, text: str) -> None:
                    self.write(text, file=sys.stderr)

            return Bar(total=total, unit="case", file=sys.stderr, leave=False, dynamic_ncols=True)

    class Silent:
        def update(self, n: int = 1) -> None:
            pass

        def set_postfix_str(self, text: str) -> None:
            pass

        def close(self) -> None:
            pass

        def say(self, text: str) -> None:
            say(text)

    return Silent()


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
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path, got {type(out).__name__}")
    if not str(out).strip():
        raise ValueError("out must name a folder, got an empty string (use '.' for the current folder)")
    cases = load_catalogue(catalogue)
    unknown = [n for n in names if n not in cases]
    if unknown:
        raise CatalogueError(f"no case named {unknown[0]!r} in {str(catalogue)!r}")
    root = Path(out)
    wanted = [cases[n] for n in names] if names else list(cases.values())
    if dry_run:
        plan = _plan(root, wanted, force)
        for name, why in plan.reasons.items():
            say(f"would build {name}: {why}")
        for name, why in plan.failed.items():
            say(f"convanim: gallery: case {name} would fail: {why}")
        return Report(list(plan.reasons), plan.fresh, plan.failed, time.perf_counter() - start, False, plan.reasons)
    try:
        root.mkdir(parents=True, exist_ok=True)
        refuse_links(root)
        with BuildLock(root, say):
            # Everything below reads and writes the folder alone: another build waits for the lock.
            plan = _plan(root, wanted, force)
            _remove_stale_temporaries(root)
            built = _run_plan(plan, root, jobs, quiet, verbose, progress, say)
            wrote = False
            if clean:
                _clean(root, cases, plan.manifest, say if not quiet else None)
            index, readme = render_index(list(cases.values()), plan.manifest)
            wrote |= write_if_changed(root / "index.html", index)
            wrote |= write_if_changed(root / "README.md", readme)
            wrote |= write_if_changed(root / MANIFEST, manifest_bytes(plan.manifest))
    except OSError as exc:
        raise OSError(exc.errno, disk_message(root, exc)) from None
    for name, why in plan.failed.items():
        shown = name if name.isprintable() else repr(name)  # a name with a newline stays on its one line
        say(f"convanim: gallery: case {shown} failed: {why}")
    return Report(built, plan.fresh, plan.failed, time.perf_counter() - start, wrote, plan.reasons)


@dataclass
class _Plan:
    manifest: dict[str, Any]
    todo: list[Case]
    fresh: list[str]
    failed: dict[str, str]
    reasons: dict[str, str]


def _plan(root: Path, wanted: Sequence[Case], force: bool) -> _Plan:
    """What to build and why, from the manifest in ``root``."""
    manifest = read_manifest(root)
    renderer = renderer_digest()
    renderer_changed = manifest.get("renderer") != renderer
    manifest["renderer"] = renderer
    plan = _Plan(manifest, [], [], {}, {})
    for case in wanted:
        try:
            case.check()
        except ValueError as exc:
            plan.failed[case.name] = str(exc)
            manifest["cases"].pop(case.name, None)  # its old files no longer match its entry
            continue
        entry = manifest["cases"].get(case.name)
        why = "forced" if force else why_rebuild(root, case, entry, renderer_changed)
        if why is None:
            plan.fresh.append(case.name)
        else:
            plan.todo.append(case)
            plan.reasons[case.name] = why
    if renderer_changed:
        # Entries of cases not rebuilt now were made by another renderer: they must not count as up to date.
        todo = {c.name for c in plan.todo}
        manifest["cases"] = {n: e for n, e in manifest["cases"].items() if n in todo}
    return plan


def _run_plan(plan: _Plan, root: Path, jobs: Optional[int], quiet: bool, verbose: bool, progress: Optional[bool],
              say: Callable[[str], Any]) -> list[str]:
    built: list[str] = []
    if not plan.todo:
        return built
    _warm_up(plan.todo)
    bar = _progress_bar(len(plan.todo), (progress if progress is not None else sys.stderr.isatty()) and not quiet, say)
    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(plan.todo)))
    # Longest cases first, so that the last worker is not left with the biggest.
    order = sorted(plan.todo, key=lambda c: -_estimated_frames(c))
    try:
        for name, entry, error in run_cases(build_case_safely, order, str(root), n_jobs):
            bar.update(1)
            bar.set_postfix_str(name)
            if error is not None or entry is None:
                plan.failed[name] = error or "no result"
                plan.manifest["cases"].pop(name, None)
                continue
            plan.manifest["cases"][name] = entry
            built.append(name)
            # Recorded as each case finishes, so that a killed build resumes where it stopped.
            write_if_changed(root / MANIFEST, manifest_bytes(plan.manifest))
            if verbose:
                bar.say(f"built {name} ({plan.reasons[name]}): " + ", ".join(sorted(entry["files"])))
    finally:
        bar.close()
        # Every worker has ended: what a lost one left half-written is garbage now.
        _remove_stale_temporaries(root)
    return built


def _remove_stale_temporaries(root: Path) -> None:
    # What a killed build left behind: hidden temporary files, never a target.
    for sub in ("", "gif", "html", "pdf", "png"):
        d = root / sub
        if d.is_dir():
            for f in d.glob(".*.tmp"):
                f.unlink(missing_ok=True)


def _warm_up(cases: Sequence[Case]) -> None:
    """Load once, in the main process, what every worker needs: forked workers then start warm.

    matplotlib and the painters, the fonts (a first drawing, vector and raster), and
    the GIF palette of each theme.
    """
    from ..core.spec import Conv
    from ..drawing.api import figure
    from ..drawing.theme import get_theme
    from ..io.encoders import gif_palette

    fig = figure(Conv(3, 2), numbers=True, labels=True, caption=True)
    fig.canvas.draw()
    for theme in {repr(c.table.get("theme")): c.table.get("theme") for c in cases}.values():
        try:
            gif_palette(get_theme(theme))
        except (TypeError, ValueError):
            pass  # that case fails, and says why, in its worker


def _estimated_frames(case: Case) -> int:
    """Frames the case will draw (its view's count), for the progress bar and the order of work; 0 for a case
    that will fail (it is reported, by name, when built)."""
    if case.still:
        return 1
    from ..drawing.views import checked

    try:
        spec = case.spec()
        view, options = checked(spec, duration=case.duration, **case.look())
        return view.n_frames(spec, options)
    except (TypeError, ValueError):
        return 0


def _clean(root: Path, cases: dict[str, Case], manifest: dict[str, Any], log: Optional[Callable[[str], Any]]) -> None:
    """Forget cases no longer in the catalogue, then remove every output no remaining entry lists.

    A case still in the catalogue keeps its files even where this build failed it (a typo in its table must not
    wipe its last good build): only what the catalogue no longer has is removed.
    """
    for name in [n for n in manifest["cases"] if n not in cases]:
        del manifest["cases"][name]
        if log:
            log(f"forgot {name}: no longer in the catalogue")
    keep = {rel for entry in manifest["cases"].values() for rel in entry.get("files", {})}
    listed = [name for name in cases if name not in manifest["cases"]]  # in the catalogue, not built now
    own = re.compile("|".join(rf"{re.escape(n)}(_\d+)?\.(gif|html|pdf|png)" for n in listed) or r"(?!)")
    for sub, ext in (("gif", ".gif"), ("html", ".html"), ("pdf", ".pdf"), ("png", ".png")):
        d = root / sub
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            rel = f"{sub}/{f.name}"
            if f.is_file() and f.suffix == ext and rel not in keep and not own.fullmatch(f.name):
                f.unlink()
                if log:
                    log(f"removed {rel}")
