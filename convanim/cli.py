"""The command line: a thin argparse front over the public API.

Every user mistake ends with exit status 2 and one line on stderr,
``convanim: error: ...``; never a traceback.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from . import __version__
from .cli_messages import missing_dependency_line, show_warning
from .core.checks import MAX_DPI, MAX_DURATION, MAX_INT, MAX_LIMIT, MIN_DURATION
from .core.padding import PADDING_MODES, PADDING_RULES
from .core.spec import Conv, ConvTranspose, Pool

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


class UsageError(Exception):
    """A mistake in what the user typed: reported as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def parse_size(text: str, minimum: int = 0) -> Any:
    """``"5"`` -> ``5``; ``"5x7"`` -> ``(5, 7)`` (height x width); ``"4x8x8"`` -> ``(4, 8, 8)`` (depth x height x
    width); each from ``minimum`` to ``MAX_INT``.

    Examples
    --------
    >>> parse_size("5x7"), parse_size("4x8x8")
    ((5, 7), (4, 8, 8))
    """
    usage = "use 5, 5x7 (height x width) or 4x5x7 (depth x height x width)"
    shown = text if len(text) <= 40 else text[:30] + "..."
    parts = text.lower().split("x")
    if len(parts) > 3 or not all(re.fullmatch(r"\s*[+-]?\d{1,30}\s*", part) for part in parts):
        raise argparse.ArgumentTypeError(f"{shown!r} is not a size: {usage}")
    values = [int(part) for part in parts]
    for v in values:
        if not minimum <= v <= MAX_INT:
            what = "positive" if minimum == 1 else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"{shown!r} is out of range: this option's sizes must be {what}, "
                                             f"at most {MAX_INT}")
    return values[0] if len(values) == 1 else tuple(values)


def parse_padding(text: str) -> Any:
    """``-p``: ``"1"``, ``"1x2"`` (per axis), ``"0:1"`` (before:after, every axis), ``"1:2x0:1"`` (per axis), or a
    rule: ``same``, ``valid``, ``causal``.

    A single entry (``1`` or ``0:1``) applies to every axis; the result is a
    rule name, or a list of entries (ints or ``(before, after)`` pairs).

    Examples
    --------
    >>> parse_padding("same"), parse_padding("0:1"), parse_padding("1:2x0")
    ('same', [(0, 1)], [(1, 2), 0])
    """
    shown = text if len(text) <= 40 else text[:30] + "..."
    low = text.strip().lower()
    if low in PADDING_RULES:
        return low
    usage = "use 1, 1x2 (per axis), 0:1 (before:after), 1:2x0:1 (per axis), same, valid or causal"
    entries: list[Any] = []
    parts = low.split("x")
    if len(parts) > 3:
        raise argparse.ArgumentTypeError(f"{shown!r} is not a padding: {usage}")
    for part in parts:
        sides = part.split(":")
        if len(sides) > 2 or not all(re.fullmatch(r"\s*\d{1,30}\s*", v) for v in sides):
            raise argparse.ArgumentTypeError(f"{shown!r} is not a padding: {usage}")
        values = [int(v) for v in sides]
        if any(v > MAX_INT for v in values):
            raise argparse.ArgumentTypeError(f"{shown!r} is out of range: at most {MAX_INT}")
        entries.append(values[0] if len(values) == 1 else (values[0], values[1]))
    return entries


def _padding_arg(p: Any, ndim: int) -> Any:
    """``-p`` as the ``p`` argument of a spec of rank ``ndim``: a rule, an int, or one entry per axis.

    ``1x2`` is per axis: it needs as many axes as the layer has (in 1D, before:after is ``1:2``; a bare
    ``(1, 2)`` would be read as that pair).
    """
    if isinstance(p, (str, int)):
        return p
    if len(p) == 1:
        return (p[0],) * ndim if isinstance(p[0], tuple) else p[0]
    if len(p) != ndim:
        text = "x".join(str(e) if isinstance(e, int) else f"{e[0]}:{e[1]}" for e in p)
        pair = f"; before:after is -p {p[0]}:{p[1]}" if ndim == 1 and len(p) == 2 and all(
            isinstance(e, int) for e in p) else ""
        raise ValueError(f"-p {text} gives {len(p)} axes (one per 'x'), the layer has {ndim}{pair}")
    return tuple(p)


def _size(minimum: int) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        return parse_size(text, minimum)

    parse.__name__ = "size"
    return parse


def _number(kind: type, low: float, high: float, unit: str = "") -> Callable[[str], Any]:
    """An argparse type: an int or a finite float from ``low`` to ``high``, refused at parse time."""
    def parse(text: str) -> Any:
        shown = text if len(text) <= 40 else text[:30] + "..."
        try:
            if len(text) > 40:
                raise ValueError
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{shown!r} is not {'an int' if kind is int else 'a number'}") \
                from None
        if not (math.isfinite(value) and low <= value <= high):
            lo, hi = (f"{low:g}", f"{high:g}") if kind is float else (str(int(low)), str(int(high)))
            raise argparse.ArgumentTypeError(f"{shown!r} is out of range: from {lo} to {hi}{unit}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _add_spec_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("the layer (sizes are 5 or 5x7, height x width; 4x5x7 is 3D, --1d makes -i 1D)")
    g.add_argument("-i", "--input", dest="i", type=_size(1), required=True, metavar="I", help="input size")
    g.add_argument("-k", "--kernel", dest="k", type=_size(1), default=None, metavar="K",
                   help="kernel size (required, unless --stack)")
    g.add_argument("-s", "--stride", dest="s", type=_size(1), default=None, metavar="S",
                   help="stride (default 1; for --pool, the kernel size)")
    g.add_argument("-p", "--padding", dest="p", type=parse_padding, default=None, metavar="P",
                   help="padding (default 0): 1, 1x2 per axis, 0:1 before:after (every axis), 1:2x0:1 per axis; "
                        "same (TensorFlow's rule), valid, causal (1D)")
    g.add_argument("--padding-mode", dest="padding_mode", choices=PADDING_MODES, default="zeros",
                   help="what the border holds (a convolution's): zeros (default), reflect, replicate, circular")
    g.add_argument("--1d", dest="one_d", action="store_true", help="a 1D layer: -i 16 --1d is 16 cells in a row")
    g.add_argument("-d", "--dilation", dest="d", type=_size(1), default=None, metavar="D", help="dilation (default 1)")
    g.add_argument("--stack", default=None, metavar="LAYERS",
                   help='layers in a row instead of one, e.g. "conv k=3; conv k=3 s=2; maxpool k=2" (the grammar: '
                        "convanim shape --help)")
    kind = g.add_mutually_exclusive_group()
    kind.add_argument("--transposed", action="store_true",
                      help="the transpose of the convolution described (-i is the convolution's input), as in the guide")
    kind.add_argument("--output-padding", dest="output_padding", type=_size(0), default=None, metavar="A",
                      help="a transposed convolution whose own input is -i, with this output_padding")
    kind.add_argument("--pool", choices=("max", "avg"), default=None, help="a max or average pooling")
    g.add_argument("--ceil-mode", action="store_true", help="with --pool: round the output size up, as PyTorch")
    ch = p.add_argument_group("channels (as PyTorch: both counts divisible by --groups)")
    ch.add_argument("--c-in", dest="c_in", type=_number(int, 1, MAX_INT), default=None, metavar="C",
                    help="input channels (default 1; with --transposed, those of the convolution described)")
    ch.add_argument("--c-out", dest="c_out", type=_number(int, 1, MAX_INT), default=None, metavar="C",
                    help="output channels (default 1; not with --pool, which keeps its channels)")
    ch.add_argument("--groups", type=_number(int, 1, MAX_INT), default=None, metavar="G",
                    help="groups (default 1; --groups equal to --c-in is a depthwise convolution; not with --pool)")
    ch.add_argument("--separable", action="store_true",
                    help="a depthwise separable pair: a depthwise convolution (-i -k -s -p -d, groups = --c-in), "
                         "then a 1x1 pointwise one to --c-out channels, drawn one after the other")


def spec_from_args(args: argparse.Namespace) -> Any:
    """The spec (or the Stack, with ``--stack``) that parsed CLI options describe."""
    if getattr(args, "stack", None) is not None:
        from .core.stack import Stack

        given = [opt for opt, name in (("-k", "k"), ("-s", "s"), ("-p", "p"), ("-d", "d"), ("--pool", "pool"),
                                       ("--output-padding", "output_padding"), ("--c-out", "c_out"),
                                       ("--groups", "groups")) if getattr(args, name, None) is not None]
        given += [opt for opt, name in (("--transposed", "transposed"), ("--ceil-mode", "ceil_mode"))
                  if getattr(args, name, False)]
        if getattr(args, "padding_mode", "zeros") != "zeros":
            given.append("--padding-mode")
        if getattr(args, "separable", False):
            given.append("--separable")
        if given:
            raise ValueError(f"{given[0]} does not go with --stack: give each layer's parameters in it, "
                             f"e.g. --stack \"conv k=3 s=2; maxpool k=2\"")
        if getattr(args, "one_d", False):
            if not isinstance(args.i, int):
                raise ValueError(f"--1d takes one input size (-i 16), got -i {'x'.join(map(str, args.i))}")
            args.i = (args.i,)
        return Stack.from_text(args.stack, args.i, getattr(args, "c_in", None) or 1)
    if args.k is None:
        raise UsageError("the following arguments are required: -k/--kernel (or --stack)")
    args.p = 0 if args.p is None else args.p
    args.d = 1 if args.d is None else args.d
    if args.ceil_mode and not args.pool:
        raise ValueError("--ceil-mode goes with --pool")
    if getattr(args, "one_d", False):
        if not isinstance(args.i, int):
            raise ValueError(f"--1d takes one input size (-i 16), got -i {'x'.join(map(str, args.i))}")
        args.i = (args.i,)
    ndim = len(args.i) if isinstance(args.i, tuple) else 2
    args.p = _padding_arg(args.p, ndim)
    mode = getattr(args, "padding_mode", "zeros")
    if mode != "zeros" and (args.pool or args.output_padding is not None or args.transposed):
        raise ValueError(f"--padding-mode {mode} goes with a convolution: PyTorch's transposed convolutions and "
                         f"poolings pad with zeros (or -inf)")
    c_in = getattr(args, "c_in", None) or 1
    if getattr(args, "separable", False):
        for option, name in (("--transposed", "transposed"), ("--output-padding", "output_padding"),
                             ("--pool", "pool"), ("--groups", "groups")):
            value = getattr(args, name, None)
            if value is not None and value is not False:  # not "in (None, False)": 0 == False
                raise ValueError(f"{option} does not go with --separable: its depthwise layer has groups = --c-in "
                                 f"and its pointwise layer is a 1x1 convolution")
        if mode != "zeros":
            raise ValueError(f"--padding-mode {mode} does not go with --separable: its pair is drawn with zero "
                             f"padding")
        from .core.separable import separable

        return separable(args.i, args.k, c_in, getattr(args, "c_out", None) or 1,
                         s=1 if args.s is None else args.s, p=args.p, d=args.d)
    if args.pool:
        for option, name in (("--c-out", "c_out"), ("--groups", "groups")):
            if getattr(args, name, None) is not None:
                raise ValueError(f"{option} does not go with --pool: a pooling keeps its --c-in channels, each "
                                 f"pooled alone")
        return Pool(args.i, args.k, args.s, args.p, args.d, mode=args.pool, ceil_mode=args.ceil_mode, c_in=c_in)
    ch = dict(c_in=c_in, c_out=getattr(args, "c_out", None) or 1, groups=getattr(args, "groups", None) or 1)
    s = 1 if args.s is None else args.s
    if args.output_padding is not None:
        return ConvTranspose(args.i, args.k, s, args.p, args.d, output_padding=args.output_padding, **ch)
    conv = Conv(args.i, args.k, s, args.p, args.d, padding_mode=mode, **ch)
    return conv.transpose() if args.transposed else conv


def build_parser() -> argparse.ArgumentParser:
    """The ``convanim`` argument parser."""
    parser = _Parser(
        prog="convanim",
        description="Draw convolution arithmetic (Dumoulin & Visin's guide): sizes, figures, animations.",
        epilog="run 'convanim COMMAND --help' for each command's options and examples",
    )
    parser.add_argument("--version", action="version", version=f"convanim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    shape = sub.add_parser("shape", help="print the output shape, the guide's relationship and its formula",
                           description="Print the output shape, the guide's relationship and its formula with the numbers.",
                           epilog=_EPILOG_SHAPE, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_spec_options(shape)

    render = sub.add_parser("render", help="draw a layer as GIF, PDF, PNG, SVG, an HTML player, video or TikZ",
                            description="Draw a layer: .gif all frames; .pdf a page a frame; .png/.svg one frame "
                                        "(--frame) or all when the name holds {frame}; .tex a tikzpicture a frame.",
                            epilog=_EPILOG_RENDER, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_spec_options(render)
    look = render.add_argument_group("the look")
    look.add_argument("-o", "--output", required=True, metavar="PATH",
                      help="file to write; its suffix picks the format (.gif .pdf .png .svg .webp .html, video: .mp4 "
                           ".mkv .webm, LaTeX: .tex); - for stdout (GIF)")
    look.add_argument("--style", choices=("paper", "flat"), default="paper",
                      help="paper: the guide's slanted view (default); flat: side by side")
    look.add_argument("--view", choices=("grid", "matrix", "both", "overlap"), default="grid",
                      help="grid: the sliding kernel (default); matrix: the guide's unrolled matrix C; both; "
                           "overlap: how many windows meet at each cell (one frame)")
    look.add_argument("--numbers", action="store_true", help="write input values, kernel weights and outputs")
    look.add_argument("--labels", action="store_true", help="name the input and output maps")
    look.add_argument("--caption", action="store_true", help="write the parameters and the formula")
    look.add_argument("--theme", default="guide", choices=("guide", "colorblind", "dark"),
                      help="colours: guide (default), colorblind, dark")
    look.add_argument("--frame", type=_number(int, -MAX_INT, MAX_INT), default=None, metavar="N",
                      help="draw only frame N (0-based)")
    look.add_argument("--duration", type=_number(float, MIN_DURATION, MAX_DURATION, " seconds"), default=1.0,
                      metavar="SECONDS", help=f"seconds per frame (default 1; {MIN_DURATION} to {MAX_DURATION})")
    look.add_argument("--dpi", type=_number(float, 1, MAX_DPI, " dots per inch"), default=None,
                      help=f"pixels per inch of raster output (1 to {MAX_DPI:g}; default 100)")
    look.add_argument("--max-frames", type=_number(int, 1, MAX_LIMIT), default=None, metavar="N",
                      help="raise the limit on frames (default 10000)")
    look.add_argument("--max-matrix", type=_number(int, 1, MAX_LIMIT), default=None, metavar="N",
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
    p.add_argument("-j", "--jobs", type=_number(int, 1, 1024), default=None, metavar="N",
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
    parser = _Parser(prog=prog, description=description, epilog=epilog,
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
