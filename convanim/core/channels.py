"""Channels in words: the weight shape, the weight count and the multiply-adds of a layer.

``convanim shape`` prints :func:`channels_text` under the sizes, for a layer
whose channels are not all 1.
"""
from __future__ import annotations

from .checks import check_spec
from .spec import ConvTranspose, Pool, Spec

__all__ = ["channels_text", "one_channel"]


def _size(shape: tuple[int, ...]) -> str:
    return "*".join(str(v) for v in shape)


def channels_text(spec: Spec) -> str:
    """One line: channels and groups, the weight shape and count (bias apart) and the multiply-adds, with how they
    are counted (dense: taps on padding count, as PyTorch computes them).

    Examples
    --------
    >>> from convanim import Conv, Pool
    >>> for part in channels_text(Conv(5, 3, c_in=4, c_out=8, groups=2)).split("; "):
    ...     print(part)
    channels: c_in=4 -> c_out=8, groups=2
    weights 8x2x3x3 = 144 (bias apart)
    multiply-adds c_out * oh*ow * (c_in/groups) * kh*kw = 8 * 3*3 * 2 * 3*3 = 1296
    >>> channels_text(Pool(4, 2, c_in=3)).split("; ")[-1]
    'reads c * oh*ow * kh*kw = 3 * 2*2 * 2*2 = 48'
    """
    check_spec(spec)
    if isinstance(spec, Pool):
        return (f"channels: c_in={spec.c_in} -> c_out={spec.c_out}, each pooled alone; no weights, no multiply-adds; "
                f"reads c * oh*ow * kh*kw = {spec.c_in} * {_size(spec.output_shape)} * {_size(spec.k)} = {spec.reads}")
    assert spec.weight_shape is not None  # a Conv or a ConvTranspose
    head = f"channels: c_in={spec.c_in} -> c_out={spec.c_out}, groups={spec.groups}"
    weights = f"weights {'x'.join(map(str, spec.weight_shape))} = {spec.n_weights} (bias apart)"
    if isinstance(spec, ConvTranspose):
        # Every input value goes through the weights of its group (the outputs cropped by p included).
        how = (f"c_in * ih*iw * (c_out/groups) * kh*kw = {spec.c_in} * {_size(spec.i)} * "
               f"{spec.c_out // spec.groups} * {_size(spec.k)}")
    else:
        how = (f"c_out * oh*ow * (c_in/groups) * kh*kw = {spec.c_out} * {_size(spec.output_shape)} * "
               f"{spec.c_in // spec.groups} * {_size(spec.k)}")
    return f"{head}; {weights}; multiply-adds {how} = {spec.macs}"


def one_channel(spec: Spec) -> Spec:
    """``spec`` with one input and one output channel: the same grids, the same frames per output map.

    Examples
    --------
    >>> from convanim import Conv
    >>> one_channel(Conv(5, 3, s=2, c_in=4, c_out=2, groups=2))
    Conv(i=5, k=3, s=2)
    """
    if isinstance(spec, Pool):
        return spec.replace(c_in=1)
    return spec.replace(c_in=1, c_out=1, groups=1)
