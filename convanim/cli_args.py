"""The command line's arguments: sizes, paddings and the layer options, parsed into a spec.

Every mistake here is a :class:`UsageError` (one line, exit 2 in :mod:`convanim.cli`).
"""
from __future__ import annotations

import argparse
import math
import re
from typing import Any, Callable

from .core.checks import MAX_INT
from .core.padding import PADDING_MODES, PADDING_RULES
from .core.spec import Conv, ConvTranspose, Pool

__all__ = ["UsageError", "Parser", "parse_size", "parse_padding", "add_spec_options", "spec_from_args", "number"]


class UsageError(Exception):
    """A mistake in what the user typed: reported as one line, exit 2."""


class Parser(argparse.ArgumentParser):
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


def number(kind: type, low: float, high: float, unit: str = "") -> Callable[[str], Any]:
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


def add_spec_options(p: argparse.ArgumentParser) -> None:
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
    ch.add_argument("--c-in", dest="c_in", type=number(int, 1, MAX_INT), default=None, metavar="C",
                    help="input channels (default 1; with --transposed, those of the convolution described)")
    ch.add_argument("--c-out", dest="c_out", type=number(int, 1, MAX_INT), default=None, metavar="C",
                    help="output channels (default 1; not with --pool, which keeps its channels)")
    ch.add_argument("--groups", type=number(int, 1, MAX_INT), default=None, metavar="G",
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
