"""The gallery: a catalogue of cases (TOML data) and a make-like build.

Each case gives ``gif/NAME.gif``, ``pdf/NAME_NN.pdf`` and ``png/NAME_NN.png``
(one per frame); the gallery also gets ``index.html`` and ``README.md``.  A
case is rebuilt only when its entry, its options or the renderer changed (a
content hash kept in ``.manifest.json``, not file times), or when one of its
files went missing.  Cases are built in parallel, one process per case; every
file is written under a temporary name and renamed, so a build killed at any
moment leaves only whole files and the next run completes it.

Nothing here imports matplotlib until a case is actually drawn, so a no-op
rebuild costs little more than Python's start-up.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

__all__ = ["Case", "CatalogueError", "load_catalogue", "build", "DEFAULT_CATALOGUE", "run_from_args", "case_frames"]

PACKAGE = Path(__file__).resolve().parent
#: The guide's catalogue, in a checkout of the repository.
DEFAULT_CATALOGUE = PACKAGE.parent / "gallery" / "cases.toml"
MANIFEST = ".manifest.json"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")

_SPEC_KEYS = {"kind", "i", "k", "s", "p", "d", "transposed", "output_padding", "mode", "ceil_mode", "c_in", "c_out"}
_LOOK_KEYS = {"numbers", "labels", "caption", "style", "theme", "duration", "x", "kernel", "view"}
LAYER_KINDS = ("conv", "conv_transpose", "pool")
#: The guide's still figures, one frame each.
STILL_KINDS = ("kernel", "channels", "subsampling", "positions")
_PAGE_KEYS = {"section", "title"}
KNOWN_KEYS = _SPEC_KEYS | _LOOK_KEYS | _PAGE_KEYS

SECTIONS = ("Convolutions", "Transposed convolutions", "Dilated convolutions", "Pooling", "Numbers", "Matrix view",
            "Still figures", "Other")


class CatalogueError(ValueError):
    """The catalogue file cannot be read at all (missing, or not TOML): one line, naming the line."""


@dataclass(frozen=True)
class Case:
    """One entry of the catalogue: its name and its table, as written."""

    name: str
    table: dict

    @property
    def digest(self) -> str:
        """Hash of the entry as written; with the renderer's, decides whether it must be rebuilt."""
        return hashlib.sha256(json.dumps(self.table, sort_keys=True).encode()).hexdigest()

    def check(self) -> None:
        """Raise ValueError naming what is wrong with this entry (name, keys, types)."""
        if not NAME_RE.match(self.name):
            raise ValueError(f"case name {self.name!r} must use only letters, digits, '_' and '-'")
        unknown = sorted(set(self.table) - KNOWN_KEYS)
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
        kind = self.table.get("kind")
        if kind not in LAYER_KINDS + STILL_KINDS:
            raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS + STILL_KINDS)}, got {kind!r}")
        if "view" in self.table and self.table["view"] not in ("grid", "matrix", "both"):
            raise ValueError(f"view must be 'grid', 'matrix' or 'both', got {self.table['view']!r}")
        for key in ("c_in", "c_out"):
            if key in self.table and kind != "channels":
                raise ValueError(f"{key} goes with kind = 'channels'")
        for key in ("transposed", "ceil_mode", "numbers", "labels", "caption"):
            if key in self.table and not isinstance(self.table[key], bool):
                raise ValueError(f"{key} must be true or false, got {self.table[key]!r}")
        if "transposed" in self.table and kind != "conv":
            raise ValueError("transposed goes with kind = 'conv' (use kind = 'conv_transpose' for its own input)")
        if "output_padding" in self.table and kind != "conv_transpose":
            raise ValueError("output_padding goes with kind = 'conv_transpose'")
        for key in ("mode", "ceil_mode"):
            if key in self.table and kind != "pool":
                raise ValueError(f"{key} goes with kind = 'pool'")

    def spec(self) -> Any:
        """The layer this case draws."""
        from ..core.spec import Conv, ConvTranspose, Pool

        self.check()
        t = {key: (tuple(v) if isinstance(v, list) else v) for key, v in self.table.items()}
        if t["kind"] in ("kernel", "channels", "subsampling"):
            return None
        if "i" not in t or "k" not in t:
            raise ValueError("i and k are required")
        common = dict(i=t["i"], k=t["k"], p=t.get("p", 0), d=t.get("d", 1))
        if t["kind"] in ("pool",):
            return Pool(s=t.get("s"), mode=t.get("mode", "max"), ceil_mode=t.get("ceil_mode", False), **common)
        if t["kind"] == "conv_transpose":
            return ConvTranspose(s=t.get("s", 1), output_padding=t.get("output_padding", 0), **common)
        conv = Conv(s=t.get("s", 1), **common)  # kind conv, or the layer of a positions figure
        return conv.transpose() if t.get("transposed") else conv

    @property
    def still(self) -> bool:
        return self.table.get("kind") in STILL_KINDS

    def still_figure(self) -> Any:
        """The Figure of a still case (kind kernel, channels, subsampling or positions)."""
        from ..drawing import figures

        self.check()
        t, kind = self.table, self.table["kind"]
        theme = t.get("theme")
        if kind == "kernel":
            return figures.kernel_figure(t.get("kernel"), theme=theme)
        if kind == "channels":
            return figures.channels_figure(t.get("c_in", 2), t.get("c_out", 3), t.get("i", 5), t.get("k", 3),
                                           theme=theme)
        if kind == "subsampling":
            return figures.subsampling_figure(t.get("i", 5), t.get("k", 3), t.get("s", 2), x=t.get("x"),
                                              kernel=t.get("kernel"), theme=theme)
        return figures.positions_figure(self.spec(), theme=theme)

    def look(self) -> dict:
        """The drawing options of this case, as keywords of :func:`convanim.render`."""
        kw = {key: self.table[key] for key in ("numbers", "labels", "caption", "style", "theme", "view")
              if key in self.table}
        for key in ("x", "kernel"):
            if key in self.table:
                kw[key] = self.table[key]
        return kw

    @property
    def duration(self) -> float:
        value = self.table.get("duration", 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"duration must be a positive number of seconds, got {value!r}")
        return float(value)

    @property
    def section(self) -> str:
        if "section" in self.table:
            return str(self.table["section"])
        t = self.table
        if self.still:
            return "Still figures"
        if t.get("view") in ("matrix", "both"):
            return "Matrix view"
        if t.get("numbers"):
            return "Numbers"
        if t.get("kind") == "pool":
            return "Pooling"
        if t.get("transposed") or t.get("kind") == "conv_transpose":
            return "Transposed convolutions"
        if t.get("d", 1) not in (1, [1, 1]):
            return "Dilated convolutions"
        return "Convolutions" if t.get("kind") == "conv" else "Other"


def _toml_loads(text: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def load_catalogue(path: os.PathLike | str) -> dict[str, Case]:
    """Read a catalogue: ``{name: Case}`` in file order.

    Raises
    ------
    CatalogueError
        If the file is missing or is not valid TOML (the message names the line).
        A table that is not a case (a bare key at the top) is an error too;
        mistakes inside a case are reported when that case is built.

    Examples
    --------
    >>> cases = load_catalogue(DEFAULT_CATALOGUE)  # doctest: +SKIP
    >>> cases["padding_strides"].spec()  # doctest: +SKIP
    Conv(i=5, k=3, s=2, p=1)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"catalogue {str(path)!r} cannot be read: {exc.strerror or exc}") from None
    try:
        data = _toml_loads(text)
    except Exception as exc:  # tomllib.TOMLDecodeError: its message says "(at line N, column M)"
        raise CatalogueError(f"catalogue {str(path)!r} is not valid TOML: {exc}") from None
    cases = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            line = next((n for n, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith(name)), "?")
            raise CatalogueError(f"catalogue {str(path)!r}, line {line}: {name!r} is not a [case] table")
        cases[name] = Case(name, table)
    return cases


# ---- the renderer's fingerprint -----------------------------------------------------------------------

def renderer_digest() -> str:
    """Hash of convanim's drawing code and the versions of what draws and encodes."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for f in sorted(PACKAGE.glob("*.py")):
        if f.name not in ("cli.py", "gallery.py", "__main__.py"):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    for dist in ("matplotlib", "numpy", "pillow"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


# ---- building one case (in a worker process) ------------------------------------------------------------

def frame_names(name: str, n: int) -> list[str]:
    """``NAME_NN`` for each frame, as the reference repository numbers them (two digits at least)."""
    width = max(2, len(str(n - 1)))
    return [f"{name}_{t:0{width}d}" for t in range(n)]


def case_targets(case: Case, n_frames: int) -> list[str]:
    """The files a case writes, relative to the gallery folder."""
    names = frame_names(case.name, n_frames)
    return [f"gif/{case.name}.gif"] + [f"pdf/{n}.pdf" for n in names] + [f"png/{n}.png" for n in names]


def case_frames(case: Case) -> Iterator[Any]:
    """The raster frames of a case, one by one (for benchmarks)."""
    from ..drawing.api import _painter
    from ..drawing.figures import StillStage

    painter = StillStage(case.still_figure()) if case.still else _painter(case.spec(), **case.look())
    for t in range(painter.n_frames):
        painter.set_frame(t)
        yield painter.rgb()


def build_case(case: Case, out: str) -> dict:
    """Draw every file of ``case`` into ``out``; return its manifest entry."""
    from ..drawing.api import _painter
    from ..io.encoders import GifEncoder, PdfEncoder, PngEncoder
    from ..io.render import _run

    duration = case.duration
    if case.still:
        from ..drawing.figures import StillStage

        painter: Any = StillStage(case.still_figure())
    else:
        painter = _painter(case.spec(), **case.look())
    n = painter.n_frames
    root = Path(out)
    for sub in ("gif", "pdf", "png"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    names = frame_names(case.name, n)

    class _Both:
        """Per frame: the PDF page and the PNG, from one drawing."""

        def __init__(self, name: str) -> None:
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
            self.png.abort()
            self.pdf.abort()

    gif = GifEncoder(root / "gif" / f"{case.name}.gif", painter.theme, duration)
    _run(painter, range(n), [gif], [_Both(name) for name in names])
    files = {rel: (root / rel).stat().st_size for rel in case_targets(case, n)}
    return {"digest": case.digest, "frames": n, "files": files}


def _build_case_safely(case: Case, out: str) -> tuple[str, Optional[dict], Optional[str]]:
    try:
        return case.name, build_case(case, out), None
    except Exception as exc:  # noqa: BLE001 - reported by name, the other cases go on
        return case.name, None, f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)


# ---- the manifest ------------------------------------------------------------------------------------------

def _read_manifest(root: Path) -> dict:
    try:
        data = json.loads((root / MANIFEST).read_text())
        if isinstance(data, dict) and isinstance(data.get("cases"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"renderer": None, "cases": {}}


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds exactly it; say whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()


def _up_to_date(root: Path, entry: Optional[dict], case: Case, renderer: str, manifest: dict) -> bool:
    if not entry or manifest.get("renderer") != renderer or entry.get("digest") != case.digest:
        return False
    for rel, size in entry.get("files", {}).items():
        try:
            if (root / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return bool(entry.get("files"))


def _remove_stale_temporaries(root: Path) -> None:
    # What a killed build left behind: hidden temporary files, never a target.
    for sub in ("", "gif", "pdf", "png"):
        d = root / sub
        if d.is_dir():
            for f in d.glob(".*.tmp"):
                try:
                    f.unlink()
                except OSError:
                    pass


# ---- the page and the README ---------------------------------------------------------------------------------

def _case_info(case: Case) -> dict:
    spec = case.spec()
    if spec is None or case.still:
        kind = case.table["kind"]
        what = {"kernel": "the kernel alone, with its weights (section 1.1)",
                "channels": "several input maps convolved into several output maps (Figure 1.3)",
                "subsampling": "strides seen as subsampling (Figure 1.4)",
                "positions": "counting kernel positions (Figure 2.8)"}[kind]
        extra = [spec.describe().splitlines()[1]] if spec is not None else []
        return {"spec": repr(spec) if spec is not None else f"{kind}_figure", "lines": [what] + extra,
                "relationship": spec.relationship if spec is not None else None,
                "input": "", "output": ""}
    lines = spec.describe().splitlines()
    rel = spec.relationship
    return {"spec": lines[0].split(":")[0], "lines": lines[1:], "relationship": rel,
            "input": "x".join(map(str, spec.input_shape)), "output": "x".join(map(str, spec.output_shape))}


def render_index(cases: Sequence[Case], manifest: dict) -> tuple[bytes, bytes]:
    """``index.html`` and ``README.md`` for the cases that have been built."""
    built = [c for c in cases if c.name in manifest["cases"]]
    by_section: dict[str, list[Case]] = {}
    for c in built:
        by_section.setdefault(c.section, []).append(c)
    order = [s for s in SECTIONS if s in by_section] + [s for s in by_section if s not in SECTIONS]
    h = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
         "<title>convanim gallery: convolution arithmetic</title>",
         "<style>body{font-family:sans-serif;margin:2em;color:#073642}"
         "section{margin-bottom:2em}.grid{display:flex;flex-wrap:wrap;gap:1.5em}"
         "figure{margin:0;width:320px}figure img{max-width:100%}figcaption{font-size:.85em}"
         "code{font-size:.95em}.frames a{margin-right:.3em}</style></head><body>",
         "<h1>Convolution arithmetic</h1>",
         "<p>The figures of Dumoulin &amp; Visin, <em>A guide to convolution arithmetic for deep learning</em>, "
         "drawn by convanim. Blue: the input; dashed: padding (and the zeros a transposed convolution inserts); "
         "the dark shade: the kernel; cyan: the output.</p>"]
    md = ["# convanim gallery", "",
          "The animations of Dumoulin & Visin's *A guide to convolution arithmetic for deep learning*, drawn by "
          "convanim. Blue: the input (bottom); dashed: padding and inserted zeros; shade: the kernel; "
          "cyan: the output (top).", ""]
    for section in order:
        h.append(f'<section><h2>{html.escape(section)}</h2><div class="grid">')
        md += [f"## {section}", "", "| | case | input -> output | relationship, formula |", "|---|---|---|---|"]
        for c in by_section[section]:
            info = _case_info(c)
            entry = manifest["cases"][c.name]
            names = frame_names(c.name, entry["frames"])
            rel = info["relationship"]
            rel_text = "none in the guide" if rel is None else f"relationship {rel}"
            maps = (f"input {info['input']} (blue, bottom) &rarr; output {info['output']} (cyan, top); "
                    if info["input"] else "")
            title = c.table.get("title", c.name.replace("_", " "))
            links = " ".join(f'<a href="pdf/{n}.pdf">{t}</a>' for t, n in enumerate(names))
            h.append(
                f'<figure id="{c.name}"><img src="gif/{c.name}.gif" alt="{html.escape(title)}">'
                f"<figcaption><strong>{html.escape(title)}</strong><br><code>{html.escape(info['spec'])}</code><br>"
                f"{maps}{html.escape(rel_text)}<br>"
                + "<br>".join(f"<code>{html.escape(line)}</code>" for line in info["lines"])
                + f'<br><span class="frames">PDF frames: {links}</span></figcaption></figure>')
            formula = "<br>".join(f"`{line}`" for line in info["lines"])
            sizes = f"{info['input']} -> {info['output']}" if info["input"] else ""
            md.append(f"| ![{c.name}](gif/{c.name}.gif) | **{title}**<br>`{info['spec']}` | {sizes} | {formula} |")
        h.append("</div></section>")
        md.append("")
    h.append("</body></html>")
    return ("\n".join(h) + "\n").encode(), ("\n".join(md) + "\n").encode()


# ---- the build -----------------------------------------------------------------------------------------------

@dataclass
class Report:
    built: list
    up_to_date: list
    failed: dict
    seconds: float
    wrote_index: bool

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = [f"{len(self.built)} built", f"{len(self.up_to_date)} up to date"]
        parts.append(f"{len(self.failed)} failed")
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


def build(catalogue: os.PathLike | str = DEFAULT_CATALOGUE, out: os.PathLike | str = "gallery", *,
          names: Sequence[str] = (), jobs: Optional[int] = None, force: bool = False, dry_run: bool = False,
          clean: bool = False, quiet: bool = True, verbose: bool = False, progress: Optional[bool] = None,
          log: Any = None) -> Report:
    """Build the gallery: every case of ``catalogue`` (or only ``names``) into ``out``.

    Parameters
    ----------
    catalogue : path
        The TOML catalogue.
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
    gallery: 19 built, 0 up to date, 0 failed in 9.8 s
    """
    start = time.perf_counter()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    cases = load_catalogue(catalogue)
    unknown = [n for n in names if n not in cases]
    if unknown:
        raise CatalogueError(f"no case named {unknown[0]!r} in {str(catalogue)!r}")
    root = Path(out)
    wanted = [cases[n] for n in names] if names else list(cases.values())
    manifest = _read_manifest(root)
    renderer = renderer_digest()
    if manifest.get("renderer") != renderer:
        manifest = {"renderer": renderer, "cases": {}}
    failed: dict[str, str] = {}
    todo: list[Case] = []
    fresh: list[str] = []
    for case in wanted:
        try:
            case.check()
        except ValueError as exc:
            failed[case.name] = str(exc)
            manifest["cases"].pop(case.name, None)  # its old files no longer match its entry
            continue
        if not force and _up_to_date(root, manifest["cases"].get(case.name), case, renderer, manifest):
            fresh.append(case.name)
        else:
            todo.append(case)
    if dry_run:
        for case in todo:
            log(f"would build {case.name}")
        for name, why in failed.items():
            log(f"convanim: gallery: case {name} would fail: {why}")
        return Report([c.name for c in todo], fresh, failed, time.perf_counter() - start, False)
    if todo:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(root)
    built: list[str] = []
    bar = _Progress(len(todo), (progress if progress is not None else sys.stderr.isatty()) and not quiet)
    for name, entry, error in _execute(todo, str(root), jobs):
        bar.step(name)
        if error is not None:
            failed[name] = error
            manifest["cases"].pop(name, None)
            continue
        manifest["cases"][name] = entry
        built.append(name)
        # Recorded as each case finishes, so that a killed build resumes where it stopped.
        write_if_changed(root / MANIFEST, _manifest_bytes(manifest))
        if verbose:
            log(f"built {name}: " + ", ".join(sorted(entry["files"])))
    bar.close()
    wrote = False
    if root.is_dir():
        if clean:
            _clean(root, list(cases.values()), manifest, log if not quiet else None)
        all_cases = list(cases.values())
        index, readme = render_index(all_cases, manifest)
        wrote |= write_if_changed(root / "index.html", index)
        wrote |= write_if_changed(root / "README.md", readme)
        wrote |= write_if_changed(root / MANIFEST, _manifest_bytes(manifest))
    for name, why in failed.items():
        log(f"convanim: gallery: case {name} failed: {why}")
    return Report(built, fresh, failed, time.perf_counter() - start, wrote)


def _execute(todo: Sequence[Case], out: str, jobs: Optional[int]) -> Iterable[tuple[str, Optional[dict], Optional[str]]]:
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo))) if todo else 1
    if jobs == 1 or len(todo) <= 1:
        for case in todo:
            yield _build_case_safely(case, out)
        return
    # Longest cases first, so that the last worker is not left with the biggest.
    order = sorted(todo, key=lambda c: -_estimated_frames(c))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_build_case_safely, case, out) for case in order]
        for fut in as_completed(futures):
            yield fut.result()


def _estimated_frames(case: Case) -> int:
    try:
        spec = case.spec()
        if spec is None or case.still:
            return 1
        return spec.output_shape[0] * spec.output_shape[1]
    except Exception:  # noqa: BLE001 - it will fail, and be reported, when built
        return 0


def _clean(root: Path, cases: Sequence[Case], manifest: dict, log: Any) -> None:
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


def _default_catalogue() -> Path:
    local = Path("gallery") / "cases.toml"
    return local if local.is_file() else DEFAULT_CATALOGUE


def run_from_args(args: Any) -> int:
    """``convanim gallery`` / ``scripts/build_gallery.py``: build, print a one-line summary, return the status."""
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"-j must be at least 1, got {args.jobs}")
    catalogue = Path(args.catalogue) if args.catalogue else _default_catalogue()
    report = build(catalogue, args.out, names=args.names, jobs=args.jobs, force=args.force, dry_run=args.dry_run,
                   clean=args.clean, quiet=args.quiet, verbose=args.verbose)
    if not args.quiet or report.failed:
        if args.dry_run:
            print(f"gallery: would build {len(report.built)}, {len(report.up_to_date)} up to date, "
                  f"{len(report.failed)} would fail")
        else:
            print(report.summary())
    return 1 if report.failed else 0
