"""Output sizes and the guide's relationships, one axis at a time.

Everything here works on plain ints for a single spatial axis; the specs in
:mod:`convanim.spec` apply it to both axes.  The semantics are PyTorch's
(``conv2d``, ``conv_transpose2d``, ``max_pool2d`` / ``avg_pool2d``), written
from their definitions, and the relationship numbers are those of Dumoulin &
Visin, "A guide to convolution arithmetic for deep learning".
"""
from __future__ import annotations

from typing import Optional, Tuple

from .checks import check_bool, check_int
from .formula import RELATIONSHIP_FORMULAS

__all__ = [
    "check_int",
    "conv_output_size",
    "conv_transpose_output_size",
    "pool_output_size",
    "padded_conv_output_size",
    "cropped_conv_transpose_output_size",
    "padded_pool_output_size",
    "effective_kernel",
    "conv_relationship",
    "conv_transpose_relationship",
    "pool_relationship",
    "RELATIONSHIPS",
]

#: The guide's relationships: number -> (case, formula in the guide's letters), e.g.
#: ``RELATIONSHIPS[6] == ("zero padding, non-unit strides", "o = floor((i + 2p - k) / s) + 1")``.
#: Written once, as expression trees, in :mod:`convanim.core.formula`.
RELATIONSHIPS: dict[int, tuple[str, str]] = {n: (r.case, r.plain()) for n, r in RELATIONSHIP_FORMULAS.items()}


def effective_kernel(k: int, d: int = 1) -> int:
    """The extent ``d(k - 1) + 1`` that a kernel of size ``k`` dilated by ``d`` covers.

    Examples
    --------
    >>> effective_kernel(3, 2)
    5
    """
    return d * (k - 1) + 1


def _check_fits(i: int, k: int, p: int, d: int, axis: str = "", after: Optional[int] = None) -> None:
    keff = effective_kernel(k, d)
    padded = i + 2 * p if after is None else i + p + after
    if keff > padded:
        where = f" on the {axis} axis" if axis else ""
        dil = f" dilated by d={d}" if d > 1 else ""
        how = f"i + 2p = {i} + 2*{p}" if after is None else f"i + p_before + p_after = {i} + {p} + {after}"
        raise ValueError(
            f"k={k}{dil} covers {keff} cells, more than the padded input {how} = {padded}{where}; "
            f"use a smaller k or d, or a larger i or p"
        )


def padded_conv_output_size(i: int, k: int, s: int, padding: Tuple[int, int], d: int = 1) -> int:
    """:func:`conv_output_size` with ``(before, after)`` padding: ``floor((i + before + after - d(k - 1) - 1) / s) + 1``.

    Examples
    --------
    >>> padded_conv_output_size(6, 3, 2, (0, 1))
    3
    """
    before, after = padding
    if before == after:
        return conv_output_size(i, k, s, before, d)
    _check_fits(i, k, before, d, after=after)
    return (i + before + after - effective_kernel(k, d)) // s + 1


def cropped_conv_transpose_output_size(i: int, k: int, s: int, crop: Tuple[int, int], d: int = 1,
                                       output_padding: int = 0) -> int:
    """:func:`conv_transpose_output_size` cropping ``(before, after)`` from the full output ``(i - 1)s + d(k - 1) + 1``.

    Examples
    --------
    >>> cropped_conv_transpose_output_size(3, 3, 2, (0, 1))
    6
    """
    before, after = crop
    if before == after:
        return conv_transpose_output_size(i, k, s, before, d, output_padding)
    a = output_padding
    if a >= max(s, d):
        raise ValueError(f"output_padding must be smaller than max(s, d) = max({s}, {d}) = {max(s, d)}, got {a}")
    full = (i - 1) * s + d * (k - 1) + 1
    o = full - before - after + a
    if o < 1:
        raise ValueError(f"p=({before}, {after}) crops too much: the transposed output (i - 1)s - p_before - p_after "
                         f"+ d(k - 1) + output_padding + 1 = {o} must be at least 1")
    return o


def padded_pool_output_size(i: int, k: int, s: int, padding: Tuple[int, int], d: int = 1,
                            ceil_mode: bool = False) -> int:
    """:func:`pool_output_size` with ``(before, after)`` padding (each side at most ``k // 2``; ``ceil_mode`` needs
    the two sides equal).

    Examples
    --------
    >>> padded_pool_output_size(5, 2, 2, (0, 1))
    3
    """
    before, after = padding
    if before == after:
        return pool_output_size(i, k, s, before, d, ceil_mode)
    if max(before, after) > k // 2:
        raise ValueError(f"p must be at most half the pooling kernel on each side (k // 2 = {k // 2}, as PyTorch "
                         f"requires), got ({before}, {after})")
    if ceil_mode:
        raise ValueError("ceil_mode=True needs the same padding on both sides")
    _check_fits(i, k, before, d, after=after)
    return (i + before + after - effective_kernel(k, d)) // s + 1


def conv_output_size(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Output size of a direct convolution along one axis.

    ``o = floor((i + 2p - d(k - 1) - 1) / s) + 1``, as in PyTorch's ``conv2d``
    (relationship 15 of the guide, which contains all the others).

    Raises
    ------
    ValueError
        If a size is not positive, ``p`` is negative, or the dilated kernel does
        not fit the padded input.

    Examples
    --------
    >>> conv_output_size(5, 3, s=2, p=1)
    3
    """
    i, k, s = check_int("i", i, 1), check_int("k", k, 1), check_int("s", s, 1)
    p, d = check_int("p", p, 0), check_int("d", d, 1)
    _check_fits(i, k, p, d)
    return (i + 2 * p - effective_kernel(k, d)) // s + 1


def conv_transpose_output_size(
    i: int, k: int, s: int = 1, p: int = 0, d: int = 1, output_padding: int = 0
) -> int:
    """Output size of a transposed convolution along one axis.

    ``o' = (i' - 1)s - 2p + d(k - 1) + output_padding + 1``, as in PyTorch's
    ``conv_transpose2d``; ``output_padding`` must be smaller than ``max(s, d)``.

    Examples
    --------
    >>> conv_transpose_output_size(3, 3, s=2, p=1, output_padding=1)
    6
    """
    i, k, s = check_int("i", i, 1), check_int("k", k, 1), check_int("s", s, 1)
    p, d = check_int("p", p, 0), check_int("d", d, 1)
    a = check_int("output_padding", output_padding, 0)
    if a >= max(s, d):
        raise ValueError(
            f"output_padding must be smaller than max(s, d) = max({s}, {d}) = {max(s, d)}, got {a}"
        )
    o = (i - 1) * s - 2 * p + d * (k - 1) + a + 1
    if o < 1:
        raise ValueError(
            f"p={p} is too large: the transposed output (i - 1)s - 2p + d(k - 1) + output_padding + 1"
            f" = {o} must be at least 1; use p <= {((i - 1) * s + d * (k - 1) + a) // 2}"
        )
    return o


def pool_output_size(
    i: int, k: int, s: Optional[int] = None, p: int = 0, d: int = 1, ceil_mode: bool = False
) -> int:
    """Output size of a pooling along one axis, as PyTorch's ``max_pool2d``.

    ``s`` defaults to ``k``.  With ``ceil_mode`` the division rounds up, but the
    last window must still start inside the input or its left padding.
    Padding may be at most half the kernel (``p <= k // 2``), as PyTorch
    requires.  Without ``ceil_mode`` the dilated kernel must fit the padded
    input; with it, the last window may overhang it.

    Examples
    --------
    >>> pool_output_size(5, 2, ceil_mode=True)
    3
    """
    i, k = check_int("i", i, 1), check_int("k", k, 1)
    s = k if s is None else check_int("s", s, 1)
    p, d = check_int("p", p, 0), check_int("d", d, 1)
    ceil_mode = check_bool("ceil_mode", ceil_mode)
    if p > k // 2:
        raise ValueError(
            f"p must be at most half the pooling kernel (k // 2 = {k // 2}, as PyTorch requires), got {p}"
        )
    span = i + 2 * p - effective_kernel(k, d)
    if not ceil_mode:
        _check_fits(i, k, p, d)
        return span // s + 1
    # ceil_mode lets the last window overhang the padded input, as long as it starts in the input or
    # its left padding; a kernel a little larger than the padded input can still give one output.
    o = -(-span // s) + 1
    if (o - 1) * s >= i + p:
        o -= 1
    if o < 1:
        _check_fits(i, k, p, d)
    return o


def conv_relationship(i: int, k: int, s: int, p: int, d: int) -> int:
    """The guide's relationship (1-6, 15) that a convolution's axis falls under.

    Where two apply (``k = 1, p = 0`` is both "no padding" and "half padding"),
    the first in the guide's order wins, except that half and full padding are
    preferred to the general padding case 2.

    Examples
    --------
    >>> conv_relationship(5, 3, 1, 1, 1)
    3
    """
    if d > 1:
        return 15
    if s == 1:
        if p == 0:
            return 1
        if k % 2 == 1 and p == k // 2:
            return 3
        if p == k - 1:
            return 4
        return 2
    return 5 if p == 0 else 6


def conv_transpose_relationship(i: int, k: int, s: int, p: int, d: int, output_padding: int) -> Optional[int]:
    """The guide's relationship (8-14) of a transposed convolution's axis.

    ``i`` is the transposed convolution's own input (the guide's ``i'``).  The
    guide has none for a dilated transposed convolution: ``None``.

    Examples
    --------
    >>> conv_transpose_relationship(3, 3, 2, 1, 1, 1)
    14
    """
    if d > 1:
        return None
    if output_padding:
        return 14
    if s == 1:
        # The direct convolution it transposes has input o' and the same k, p.
        return conv_relationship(1, k, 1, p, 1) + 7
    return 12 if p == 0 else 13


def pool_relationship(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> Optional[int]:
    """Relationship 7 for a pooling without padding or dilation, else ``None``.

    ``ceil_mode`` keeps relationship 7 only where it does not change the size.

    Examples
    --------
    >>> pool_relationship(5, 3, 1, 0, 1, False)
    7
    """
    if p or d > 1:
        return None
    if ceil_mode and (i - k) % s:
        return None
    return 7
