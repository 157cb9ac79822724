"""The command line: a thin argparse front over the public API.

Every user mistake ends with exit status 2 and one line on stderr,
``convanim: error: ...``; never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from . import __version__
from .cli_args import Parser, UsageError, add_spec_options, number, parse_padding, parse_size, spec_from_args
from .cli_messages import missing_dependency_line, show_warning
from .core.checks import MAX_DPI, MAX_DURATION, MAX_INT, MAX_LIMIT, MIN_DURATION
from .drawing.views import view_names

__all__ = ["main", "parse_size", "parse_padding", "build_parser", "gallery_main", "gallery_from_args", "default_catalogue"]

_EPILOG_SHAPE = """examples:
  python -m convanim shape -i 5 -k 3 -s 2 -p 1
  python -m convanim shape -i 6 -k 3 -s 2 -p 1 --transposed
  python -m convanim shape -i 5x7 -k 3 -d 2
  python -m convanim shape -i 5 -k 3 -s 1 --pool max
  python -m convanim shape -i 5 -k 3 --c-in 4 --c-out 8 --groups 2
  python -m convanim shape -i 5 -k 3 --c-in 3 --c-out 4 --separable
  python -m convanim shape -i 6 -k 3 -s 2 -p same
  python -m convanim shape -i 16 --1d -k 2 -d 4 -p causal
  python -m convanim shape -i 8x16x16 -k 3 -p 1
  python -m convanim shape -i 5 -k 3 -p 1:2x0:1 --padding-mode reflect
  python -m convanim shape -i 16 --stack "conv k=3; conv k=3 s=2; maxpool k=2"

a stack (--stack, instead of -k ...): layers separated by ';', each KIND key=value ...
  KIND conv, tconv (transposed), maxpool or avgpool; keys k (required), s, p, d, op (tconv's
  output_padding), c_out, groups, ceil_mode (0/1); sizes 3 or 3x2. -i (and --c-in) is the input of the
  first layer, each next layer takes the previous output. It prints the receptive-field table
  (Araujo, Norris & Sim, Distill 2019): per layer its output, r (receptive field size), j (jump)
  and start (centre of output 0's receptive field), in input cells."""

_EPILOG_RENDER = """examples:
  python -m convanim render -i 5 -k 3 -s 2 -p 1 -o padding_strides.gif
  python -m convanim render -i 6 -k 3 -s 2 -p 1 --transposed --labels -o t.pdf
  python -m convanim render -i 5 -k 3 --numbers --style flat --frame 4 -o f.svg
  python -m convanim render -i 5 -k 3 -o 'f_{frame:02d}.png'
  python -m convanim render -i 4 -k 3 --view matrix -o matrix.gif
  python -m convanim render -i 5 -k 3 --c-in 3 --c-out 4 --separable --numbers -o separable.gif
  python -m convanim render -i 16 --1d -k 2 -d 4 -p causal --style flat -o causal.gif
  python -m convanim render -i 5 -k 3 -p 2 --padding-mode reflect --numbers -o reflect.gif
  python -m convanim render -i 4 -k 3 -s 2 -p 1 --output-padding 1 --view overlap --numbers -o o.png
  python -m convanim render -i 16 --stack "conv k=3; conv k=3 s=2; maxpool k=2" --labels -o rf.gif"""

_EPILOG_GALLERY = """examples:
  python -m convanim gallery --out build/gallery
  python -m convanim gallery -j 2 padding_strides dilation
  python -m convanim gallery --dry-run"""


def build_parser() -> argparse.ArgumentParser:
    """The ``convanim`` argument parser."""
    parser = Parser(
        prog="convanim",
        description="Draw convolution arithmetic (Dumoulin & Visin's guide): sizes, figures, animations.",
        epilog="run 'convanim COMMAND --help' for each command's options and examples",
    )
    parser.add_argument("--version", action="version", version=f"convanim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    shape = sub.add_parser("shape", help="print the output shape, the guide's relationship and its formula",
                           description="Print the output shape, the guide's relationship and its formula with the numbers.",
                           epilog=_EPILOG_SHAPE, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_spec_options(shape)

    render = sub.add_parser("render", help="draw a layer as GIF, PDF, PNG, SVG, an HTML player, video or TikZ",
                            description="Draw a layer: .gif all frames; .pdf a page a frame; .png/.svg one frame "
                                        "(--frame) or all when the name holds {frame}; .tex a tikzpicture a frame.",
                            epilog=_EPILOG_RENDER, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_spec_options(render)
    look = render.add_argument_group("the look")
    look.add_argument("-o", "--output", required=True, metavar="PATH",
                      help="file to write; its suffix picks the format (.gif .pdf .png .svg .webp .html, video: .mp4 "
                           ".mkv .webm, LaTeX: .tex); - for stdout (GIF)")
    look.add_argument("--style", choices=("paper", "flat"), default=None,
                      help="paper: the guide's slanted view (the default); flat: side by side (the default for a 1D layer)")
    look.add_argument("--view", choices=view_names(), default="grid",
                      help="grid: the sliding kernel (default); matrix: the guide's unrolled matrix C; both; "
                           "overlap: how many windows meet at each cell (one frame)")
    look.add_argument("--numbers", action="store_true", help="write input values, kernel weights and outputs")
    look.add_argument("--labels", action="store_true", help="name the input and output maps")
    look.add_argument("--caption", action="store_true", help="write the parameters and the formula")
    look.add_argument("--theme", default="guide", choices=("guide", "colorblind", "dark"),
                      help="colours: guide (default), colorblind, dark")
    look.add_argument("--frame", type=number(int, -MAX_INT, MAX_INT), default=None, metavar="N",
                      help="draw only frame N (0-based)")
    look.add_argument("--duration", type=number(float, MIN_DURATION, MAX_DURATION, " seconds"), default=1.0,
                      metavar="SECONDS", help=f"seconds per frame (default 1; {MIN_DURATION} to {MAX_DURATION})")
    look.add_argument("--dpi", type=number(float, 1, MAX_DPI, " dots per inch"), default=None,
                      help=f"pixels per inch of raster output (1 to {MAX_DPI:g}; default 100)")
    look.add_argument("--max-frames", type=number(int, 1, MAX_LIMIT), default=None, metavar="N",
                      help="raise the limit on frames (default 10000)")
    look.add_argument("--max-matrix", type=number(int, 1, MAX_LIMIT), default=None, metavar="N",
                      help="raise the limit on matrix rows and columns in --view matrix (default 256)")

    gallery = sub.add_parser("gallery", help="build the guide's gallery (incremental, parallel)",
                             description="Build the gallery's GIFs, PDF and PNG frames, index.html and README.md; "
                                         "only what changed is rebuilt.",
                             epilog=_EPILOG_GALLERY, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_gallery_options(gallery)
    return parser


def add_gallery_options(p: argparse.ArgumentParser) -> None:
    """The options shared by ``convanim gallery`` and ``scripts/build_gallery.py``."""
    p.add_argument("names", nargs="*", metavar="NAME", help="build only these cases (default: all)")
    p.add_argument("--catalogue", default=None, metavar="FILE", help="the TOML catalogue (default: the shipped one)")
    p.add_argument("--out", default="gallery", metavar="DIR", help="where to write (default: gallery)")
    p.add_argument("-j", "--jobs", type=number(int, 1, 1024), default=None, metavar="N",
                   help="parallel cases (default: the cores there are)")
    p.add_argument("--force", action="store_true", help="rebuild everything")
    p.add_argument("--dry-run", action="store_true", help="say what would be built, write nothing")
    p.add_argument("--clean", action="store_true", help="remove built files no case produces any more")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="name every file written")


def default_catalogue() -> Path:
    """``gallery/cases.toml`` in the current folder when there is one (a checkout), else the shipped one."""
    from .gallery import DEFAULT_CATALOGUE

    local = Path("gallery") / "cases.toml"
    return local if local.is_file() else DEFAULT_CATALOGUE


def gallery_from_args(args: argparse.Namespace) -> int:
    """``convanim gallery`` / ``scripts/build_gallery.py``: build, print a one-line summary, return the status."""
    from .gallery import build

    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"-j must be at least 1, got {args.jobs}")
    catalogue = Path(args.catalogue) if args.catalogue else default_catalogue()
    report = build(catalogue, args.out, names=args.names, jobs=args.jobs, force=args.force, dry_run=args.dry_run,
                   clean=args.clean, quiet=args.quiet, verbose=args.verbose)
    if not args.quiet or report.failed:
        if args.dry_run:
            print(f"gallery: would build {len(report.built)}, {len(report.up_to_date)} up to date, "
                  f"{len(report.failed)} would fail")
        else:
            print(report.summary())
    return 1 if report.failed else 0


def gallery_main(argv: Optional[Sequence[str]] = None, *, prog: str = "build_gallery.py",
                 description: str = "", epilog: str = "", **defaults: Any) -> int:
    """A stand-alone gallery command (``scripts/build_gallery.py``): the options of ``convanim gallery``, with
    its own defaults; returns the exit status."""
    parser = Parser(prog=prog, description=description, epilog=epilog,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_gallery_options(parser)
    parser.set_defaults(**defaults)
    return _guarded(lambda: gallery_from_args(parser.parse_args(argv)))


def _run(args: argparse.Namespace) -> int:
    if args.command == "shape":
        spec = spec_from_args(args)
        print(spec.describe())
        if spec.channels and spec.kind not in ("separable", "stack"):  # one more line, only then (outputs as they were)
            from .core.channels import channels_text

            print(channels_text(spec))
        return 0
    if args.command == "render":
        from .io.render import render_cli
        return render_cli(spec_from_args(args), args)
    if args.command == "gallery":
        return gallery_from_args(args)
    raise UsageError("a command is required: shape, render or gallery (see convanim --help)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the CLI; return the exit status.

    Examples
    --------
    >>> main(["shape", "-i", "5", "-k", "3"])
    Conv(i=5, k=3): input 5x5 -> output 3x3
    relationship 1 (no zero padding, unit strides): o = (i - k) + 1 = (5 - 3) + 1 = 3
    0
    """
    parser = build_parser()
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show_warning  # restored on leaving: callers of main() keep their own
        return _guarded(lambda: _run(parser.parse_args(argv)))


def _guarded(run: Callable[[], int]) -> int:
    """Run ``run``; a user error becomes one line on stderr and exit 2, never a traceback."""
    try:
        return run()
    except UsageError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help and --version: a status, not an exit, for callers of main()
        return exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        # Whoever read our output went away (| head): stop quietly, and keep Python from complaining at exit.
        _silence_stdout()
        return _fail("standard output was closed before everything was written")
    except (ValueError, TypeError, OSError) as exc:
        return _fail(str(exc))
    except MemoryError:
        return _fail("out of memory; try smaller sizes or a lower --dpi")
    except ModuleNotFoundError as exc:  # not a bug of convanim: a dependency missing from this environment
        print(missing_dependency_line(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("convanim: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("CONVANIM_DEBUG"):
            raise
        print(f"convanim: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
              "(please report it; CONVANIM_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass


def _fail(message: str) -> int:
    line = " ".join(message.split())
    if len(line) > 500:
        line = line[:400] + " ... " + line[-90:]
    print(f"convanim: error: {line}", file=sys.stderr)
    return 2
