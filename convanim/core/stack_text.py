"""A stack of layers in one line of text: the CLI's ``--stack`` and the catalogue's ``layers``.

Grammar (spaces separate, ``;`` ends a layer)::

    stack := layer (";" layer)*
    layer := KIND (KEY "=" VALUE)*
    KIND  := conv | tconv | maxpool | avgpool     (also: convt, conv_transpose = tconv; pool = maxpool)
    KEY   := k | s | p | d | op (output_padding, tconv) | c_out | groups | ceil_mode (pools: 0 or 1)
             | padding_mode (conv: zeros, reflect, replicate, circular)
    VALUE := 3 | 3x2 (height x width) | a word the layer takes (p=same, p=causal) | p=0:1 (before:after)

``k`` is required; every layer's input size and input channels are the previous layer's output (the first
layer's come from the caller).  Example: ``"conv k=3; conv k=3 s=2; maxpool k=2"``.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

from .receptive import padding_pairs
from .spec import Conv, ConvTranspose, Pool

__all__ = ["parse_layers", "layer_text", "stack_text", "KINDS", "GRAMMAR"]

KINDS = {"conv": "conv", "tconv": "tconv", "convt": "tconv", "conv_transpose": "tconv", "maxpool": "maxpool",
         "pool": "maxpool", "avgpool": "avgpool"}
_KEYS = {"conv": ("k", "s", "p", "d", "c_out", "groups", "padding_mode"),
         "tconv": ("k", "s", "p", "d", "op", "output_padding", "c_out", "groups"),
         "maxpool": ("k", "s", "p", "d", "ceil_mode"),
         "avgpool": ("k", "s", "p", "ceil_mode")}
GRAMMAR = ("layers are 'KIND key=value ...' separated by ';', KIND conv, tconv, maxpool or avgpool, keys k (required), "
           "s, p, d, op (tconv), c_out, groups, ceil_mode, padding_mode (conv); "
           "sizes 3 or 3x2, e.g. \"conv k=3; conv k=3 s=2; maxpool k=2\"")


def _value(key: str, text: str, where: str) -> Any:
    if key == "padding_mode" and re.fullmatch(r"[a-z]{1,12}", text):
        return text  # the layer checks the name
    if len(text) > 64:
        raise ValueError(f"{where}: {key}={text[:20]!r}... is too long ({len(text)} characters)")
    # Any number of digits: the layer refuses one too large, naming the parameter and its range.
    if re.fullmatch(r"\d+(x\d+){0,2}", text):
        parts = tuple(int(v) for v in text.split("x"))
        return parts[0] if len(parts) == 1 else parts
    if key == "p" and re.fullmatch(r"[a-z]{1,12}", text):
        return text  # "same", "valid", "causal": the layer says whether it takes it
    if key == "p" and re.fullmatch(r"\d+(:\d+)?(x\d+(:\d+)?){0,2}", text):
        # before:after, per axis as the CLI's -p: "0:1", "1:2x0"; one entry is every axis'
        entries = [tuple(int(v) for v in e.split(":")) for e in text.split("x")]
        return [e[0] if len(e) == 1 else e for e in entries]  # a list: spread over the rank below
    raise ValueError(f"{where}: {key}={text[:20]!r} is not a size (use 3 or 3x2)")


def parse_layers(text: str, i: Any, c_in: int = 1) -> list[Any]:
    """The layers ``text`` describes, the first taking an input of size ``i`` with ``c_in`` channels.

    Every error is a ``ValueError`` of one line naming the layer by its number (from 1) and its text.

    Examples
    --------
    >>> parse_layers("conv k=3; conv k=3 s=2; maxpool k=2", 16)
    [Conv(i=16, k=3), Conv(i=14, k=3, s=2), Pool(i=6, k=2, mode='max')]
    >>> parse_layers("conv k=3; conv s=2", 16)
    Traceback (most recent call last):
    ...
    ValueError: layer 2 ('conv s=2'): k is required (...)
    """
    if not isinstance(text, str):
        raise TypeError(f"layers must be a string such as \"conv k=3; maxpool k=2\", got {type(text).__name__}")
    chunks = [c.strip() for c in text.split(";")]
    if chunks and chunks[-1] == "":
        chunks.pop()  # a trailing ';'
    if not chunks or len(chunks) > 64:
        raise ValueError(f"layers: give 1 to 64 layers ({GRAMMAR})")
    layers: list[Any] = []
    size, channels = i, c_in
    for n, chunk in enumerate(chunks, 1):
        where = f"layer {n} ({chunk[:40]!r})"
        words = chunk.split()
        if not words:
            raise ValueError(f"layer {n} is empty: two ';' in a row ({GRAMMAR})")
        kind = KINDS.get(words[0].lower())
        if kind is None:
            raise ValueError(f"{where}: unknown kind {words[0][:20]!r}; use conv, tconv, maxpool or avgpool")
        kw: dict[str, Any] = {}
        for word in words[1:]:
            key, eq, value = word.partition("=")
            key = key.lower()
            if not eq or not value:
                raise ValueError(f"{where}: {word[:20]!r} is not key=value (e.g. k=3)")
            if key not in _KEYS[kind]:
                raise ValueError(f"{where}: {kind} takes {', '.join(_KEYS[kind])}, not {key[:20]!r}")
            key = "output_padding" if key == "op" else key
            if key in kw:
                raise ValueError(f"{where}: {key} is given twice")
            kw[key] = _value(key, value.lower(), where)
        if "k" not in kw:
            raise ValueError(f"{where}: k is required ({GRAMMAR})")
        if "ceil_mode" in kw:
            if kw["ceil_mode"] not in (0, 1):
                raise ValueError(f"{where}: ceil_mode must be 0 or 1, got {kw['ceil_mode']!r}")
            kw["ceil_mode"] = bool(kw["ceil_mode"])
        rank = len(size) if isinstance(size, tuple) else 2
        if isinstance(kw.get("p"), list):
            entries = kw["p"]
            kw["p"] = ((entries[0],) * rank if isinstance(entries[0], tuple) else entries[0]) if len(entries) == 1 \
                else tuple(entries)
        if rank != 2:
            # A 1D or 3D input: an int parameter means that value on every axis of that rank.
            kw = {key: (v,) * rank if isinstance(v, int) and key in ("k", "s", "p", "d", "output_padding") else v
                  for key, v in kw.items()}
        try:
            layer: Any
            if kind == "conv":
                layer = Conv(size, c_in=channels, **kw)
            elif kind == "tconv":
                layer = ConvTranspose(size, c_in=channels, **kw)
            else:
                layer = Pool(size, mode="max" if kind == "maxpool" else "avg", c_in=channels, **kw)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from None
        layers.append(layer)
        size, channels = layer.output_shape, layer.c_out
    return layers


def _size(values: Sequence[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))


def layer_text(spec: Any) -> str:
    """The layer in the one-line grammar, its input size left out.

    Examples
    --------
    >>> from convanim import Conv, ConvTranspose, Pool
    >>> layer_text(Conv(5, 3, s=2, p=1)), layer_text(Pool(4, 2)), layer_text(ConvTranspose(3, 4, s=2, p=1))
    ('conv k=3 s=2 p=1', 'maxpool k=2', 'tconv k=4 s=2 p=1')
    """
    if isinstance(spec, Pool):
        words = ["maxpool" if spec.mode == "max" else "avgpool", f"k={_size(spec.k)}"]
        if spec.s != spec.k:
            words.append(f"s={_size(spec.s)}")
    else:
        words = ["tconv" if isinstance(spec, ConvTranspose) else "conv", f"k={_size(spec.k)}"]
        if any(v != 1 for v in spec.s):
            words.append(f"s={_size(spec.s)}")
    pads = padding_pairs(spec)
    if getattr(spec, "padding_rule", None) in ("same", "causal"):
        words.append(f"p={spec.padding_rule}")
    elif any(b or a for b, a in pads):
        if all(b == a for b, a in pads):
            words.append(f"p={_size([b for b, _ in pads])}")
        elif len(set(pads)) == 1:
            words.append(f"p={pads[0][0]}:{pads[0][1]}")
        else:
            words.append("p=" + "x".join(str(b) if b == a else f"{b}:{a}" for b, a in pads))
    if any(v != 1 for v in spec.d):
        words.append(f"d={_size(spec.d)}")
    if getattr(spec, "padding_mode", "zeros") != "zeros":
        words.append(f"padding_mode={spec.padding_mode}")
    if isinstance(spec, ConvTranspose) and any(spec.output_padding):
        words.append(f"op={_size(spec.output_padding)}")
    if isinstance(spec, Pool) and spec.ceil_mode:
        words.append("ceil_mode=1")
    if not isinstance(spec, Pool):
        if spec.c_in != 1 or spec.c_out != 1:
            words.append(f"c_out={spec.c_out}")
        if spec.groups != 1:
            words.append(f"groups={spec.groups}")
    return " ".join(words)


def stack_text(layers: Sequence[Any]) -> str:
    """The layers in the one-line grammar (what :func:`parse_layers` reads back)."""
    return "; ".join(layer_text(spec) for spec in layers)
