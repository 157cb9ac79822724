"""Values: what a layer computes, and the guide's unrolled matrix C.

:func:`apply` equals PyTorch's ``conv2d``, ``conv_transpose2d`` (with
``groups``), ``max_pool2d`` and ``avg_pool2d`` (``count_include_pad=True``)
on unbatched input: ``(c_in, h, w)``, or plain ``(h, w)`` for a one-channel
spec; :func:`conv_matrix` is the sparse matrix of section 4.1 of the guide,
as a dense numpy array, over every channel.
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .checks import MAX_LIMIT, check_array, check_int, check_spec
from .spec import Conv, ConvTranspose, Pool, Spec

__all__ = ["apply", "conv_matrix", "default_input", "default_kernel", "input_shape", "output_shape", "kernel_shape",
           "GUIDE_INPUT", "GUIDE_KERNEL", "MAX_ENTRIES"]

#: The largest dense matrix :func:`conv_matrix` builds unless the caller raises ``max_entries``
#: (2**24 float64 entries: 128 MiB).
MAX_ENTRIES = 2**24

#: The input of the guide's Figure 1.1 (also used by its Figures 1.2, 1.5, 1.6).
GUIDE_INPUT = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]], dtype=float
)
#: The kernel of the guide's Figure 1.1.
GUIDE_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]], dtype=float)


def _seeded(shape: Tuple[int, int], high: int, salt: int) -> np.ndarray:
    # Seeded from the shape so that the same spec always shows the same numbers.
    rng = np.random.default_rng([salt, shape[0], shape[1]])
    return rng.integers(0, high + 1, size=shape).astype(float)


def _seeded_slice(shape: Tuple[int, int], high: int, salt: int, *where: int) -> np.ndarray:
    # One channel's (or one kernel slice's) values depend on its own index only: adding channels keeps the others.
    rng = np.random.default_rng([salt, shape[0], shape[1], *(1 + c for c in where)])
    return rng.integers(0, high + 1, size=shape).astype(float)


def input_shape(spec: Spec) -> Tuple[int, ...]:
    """The shape :func:`apply` takes: ``(c_in, h, w)``, or ``(h, w)`` for a one-channel spec.

    Examples
    --------
    >>> input_shape(Conv(5, 3)), input_shape(Conv(5, 3, c_in=2, c_out=4))
    ((5, 5), (2, 5, 5))
    """
    return (spec.c_in, *spec.input_shape) if spec.channels else spec.input_shape


def output_shape(spec: Spec) -> Tuple[int, ...]:
    """The shape :func:`apply` returns: ``(c_out, oh, ow)``, or ``(oh, ow)`` for a one-channel spec."""
    return (spec.c_out, *spec.output_shape) if spec.channels else spec.output_shape


def kernel_shape(spec: Spec) -> Optional[Tuple[int, ...]]:
    """The weights :func:`apply` takes: :attr:`weight_shape` (PyTorch's), or ``(kh, kw)`` for a one-channel spec;
    ``None`` for a pooling."""
    if isinstance(spec, Pool):
        return None
    return spec.weight_shape if spec.channels else spec.k


def default_input(spec: Spec) -> np.ndarray:
    """The input values drawn when none are given: Figure 1.1's where the shape is 5x5, else seeded integers 0-3.

    A multi-channel spec gets ``(c_in, h, w)`` seeded integers 0-3, each
    channel seeded by its own index (so channel 0 is the same whatever ``c_in``).

    Examples
    --------
    >>> default_input(Conv(5, 3))[0]
    array([3., 3., 2., 1., 0.])
    >>> default_input(Conv(5, 3, c_in=2)).shape
    (2, 5, 5)
    """
    if spec.channels:
        return np.stack([_seeded_slice(spec.input_shape, 3, 1, c) for c in range(spec.c_in)])
    if spec.input_shape == GUIDE_INPUT.shape:
        return GUIDE_INPUT.copy()
    return _seeded(spec.input_shape, 3, 1)


def default_kernel(spec: Spec) -> Optional[np.ndarray]:
    """The kernel drawn when none is given: Figure 1.1's where it is 3x3, else seeded integers 0-2; ``None`` for pooling.

    A multi-channel spec gets seeded integers 0-2 of :func:`kernel_shape`,
    each ``(kh, kw)`` slice seeded by its two indices.

    Examples
    --------
    >>> default_kernel(Conv(5, 3))[0]
    array([0., 1., 2.])
    >>> default_kernel(Conv(5, 3, c_in=4, c_out=6, groups=2)).shape
    (6, 2, 3, 3)
    """
    if isinstance(spec, Pool):
        return None
    if spec.channels:
        shape = kernel_shape(spec)
        assert shape is not None
        return np.stack([np.stack([_seeded_slice(spec.k, 2, 2, a, b) for b in range(shape[1])])
                         for a in range(shape[0])])
    if spec.k == GUIDE_KERNEL.shape:
        return GUIDE_KERNEL.copy()
    return _seeded(spec.k, 2, 2)


def _operands(spec: Spec, x: object, kernel: object) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    check_spec(spec)
    # A max pooling is defined for infinite inputs (its padding is -inf); every sum is not (inf * 0 is NaN).
    xs = check_array("x", x, input_shape(spec), allow_inf=isinstance(spec, Pool) and spec.mode == "max")
    if isinstance(spec, Pool):
        if kernel is not None:
            raise ValueError("kernel must be None for a pooling, which has no weights")
        return xs, None
    w = default_kernel(spec) if kernel is None else check_array("kernel", kernel, kernel_shape(spec))
    return xs, w


def _window(start: int, stride: int, count: int) -> slice:
    return slice(start, start + stride * (count - 1) + 1, stride)


def pool_canvas(spec: Pool) -> Tuple[int, int]:
    """Rows and columns the pooling windows cover: the padded input, extended where ``ceil_mode`` lets the last
    window overhang."""
    h, w = (max(i + 2 * p, (o - 1) * s + d * (k - 1) + 1)
            for i, k, s, p, d, o in zip(spec.i, spec.k, spec.s, spec.p, spec.d, spec.output_shape))
    return h, w


def apply(spec: Spec, x: object, kernel: object = None) -> np.ndarray:
    """What the layer computes on the unbatched input ``x``, as PyTorch.

    Parameters
    ----------
    spec : Conv, ConvTranspose or Pool
    x : array_like of shape ``(c_in, h, w)``; ``spec.input_shape`` for a one-channel spec
    kernel : array_like, optional
        The weights (not for pooling), in PyTorch's layout: ``(c_out, c_in // groups, kh, kw)``
        for a Conv, ``(c_in, c_out // groups, kh, kw)`` for a ConvTranspose; ``spec.k`` for a
        one-channel spec.  Defaults to :func:`default_kernel`, the values convanim draws.

    Returns
    -------
    numpy.ndarray of shape ``(c_out, oh, ow)`` (``spec.output_shape`` for a one-channel spec), float64.
    Output channel ``j`` sums the input channels of its group (:meth:`Conv.group_of`);
    a pooling works on each channel alone.

    Examples
    --------
    >>> apply(Conv(5, 3), default_input(Conv(5, 3)))[0]
    array([12., 12., 17.])
    >>> apply(Conv(4, 3, c_in=2, c_out=3), np.ones((2, 4, 4)), np.ones((3, 2, 3, 3)))[:, 0, 0]
    array([18., 18., 18.])
    """
    xs, w = _operands(spec, x, kernel)
    if not spec.channels:
        return _apply2d(spec, xs, w)
    out = np.zeros((spec.c_out, *spec.output_shape))
    if isinstance(spec, Pool):
        for c in range(spec.c_in):
            out[c] = _apply2d(spec, xs[c], None)
        return out
    assert w is not None  # only a pooling has no weights
    per_in, per_out = spec.c_in // spec.groups, spec.c_out // spec.groups
    for j in range(spec.c_out):
        for ci in spec.group_of(j):
            # Conv: w[j, ci within its group]; ConvTranspose: w[ci, j within its group] (PyTorch's layouts).
            wk = w[j, ci % per_in] if isinstance(spec, Conv) else w[ci, j % per_out]
            out[j] += _apply2d(spec, xs[ci], wk)
    return out


def _apply2d(spec: Spec, xs: np.ndarray, w: Optional[np.ndarray]) -> np.ndarray:
    """One channel through one ``(kh, kw)`` kernel (or one channel's pooling); the operands are already checked."""
    (oh, ow), (kh, kw) = spec.output_shape, spec.k
    (sh, sw), (ph, pw), (dh, dw) = spec.s, spec.p, spec.d
    if isinstance(spec, Conv):
        assert w is not None  # only a pooling has no weights
        xp = np.pad(xs, ((ph, ph), (pw, pw)))
        out = np.zeros((oh, ow))
        for th in range(kh):
            for tw in range(kw):
                out += w[th, tw] * xp[_window(th * dh, sh, oh), _window(tw * dw, sw, ow)]
        return out
    if isinstance(spec, ConvTranspose):
        assert w is not None
        ih, iw = spec.i
        # Scatter every input unit through every tap, then crop p from the top-left.
        full = np.zeros((max(sh * (ih - 1) + dh * (kh - 1) + 1, oh + ph),
                         max(sw * (iw - 1) + dw * (kw - 1) + 1, ow + pw)))
        for th in range(kh):
            for tw in range(kw):
                full[_window(th * dh, sh, ih), _window(tw * dw, sw, iw)] += w[th, tw] * xs
        return full[ph:ph + oh, pw:pw + ow].copy()
    ch, cw = pool_canvas(spec)
    (ih, iw) = spec.i
    fill = -np.inf if spec.mode == "max" else 0.0
    xp = np.full((ch, cw), fill)
    xp[ph:ph + ih, pw:pw + iw] = xs
    views = [xp[_window(th * dh, sh, oh), _window(tw * dw, sw, ow)] for th in range(kh) for tw in range(kw)]
    if spec.mode == "max":
        return np.max(views, axis=0)
    # count_include_pad: the divisor counts padding but not the overhang that ceil_mode allows.
    div_h = np.minimum(kh, ih + 2 * ph - sh * np.arange(oh))
    div_w = np.minimum(kw, iw + 2 * pw - sw * np.arange(ow))
    return np.sum(views, axis=0) / np.outer(div_h, div_w)


def _taps(i: int, k: int, s: int, p: int, d: int, o: int) -> Tuple[np.ndarray, np.ndarray]:
    """Input position of each (output, tap) pair of a convolution axis, and whether it is real input."""
    pos = np.arange(o)[:, None] * s - p + np.arange(k)[None, :] * d
    return pos, (pos >= 0) & (pos < i)


def conv_matrix(spec: Spec, kernel: object = None, *, max_entries: int = MAX_ENTRIES) -> np.ndarray:
    """The guide's unrolled matrix: ``apply(spec, x, kernel).ravel() == conv_matrix(spec, kernel) @ x.ravel()``.

    With channels, ``x`` and the output are unrolled channel first: the matrix
    is ``(c_out * prod(output_shape), c_in * prod(input_shape))``, block
    ``(j, c)`` is the one-channel matrix of the weights linking input channel
    ``c`` to output channel ``j``, and zero where ``c`` is outside ``j``'s group.

    For a :class:`Conv` it is C, of shape ``(prod(output_shape), prod(input_shape))``;
    row ``r`` holds the kernel weights at the input cells output cell ``r``
    reads.  For a :class:`ConvTranspose` it is C^T of the convolution it
    transposes (where PyTorch lets ``output_padding >= s``, that
    convolution's surplus outputs are dropped).  An average pooling is linear
    too and has one; a max pooling has none.

    The matrix is dense: past ``max_entries`` entries (default 2**24, 128 MiB)
    it is refused before anything is allocated; raise ``max_entries`` to build
    it anyway.

    Examples
    --------
    >>> conv_matrix(Conv(4, 3), np.ones((3, 3))).shape
    (4, 16)
    """
    check_spec(spec)
    max_entries = check_int("max_entries", max_entries, 1, MAX_LIMIT * 1000)
    rows = spec.c_out * spec.output_shape[0] * spec.output_shape[1]
    cols = spec.c_in * spec.input_shape[0] * spec.input_shape[1]
    if rows * cols > max_entries:
        gib = rows * cols * 8 / 2**30
        raise ValueError(f"spec: the matrix of {spec!r} is {rows}x{cols} = {rows * cols} entries "
                         f"({gib:.3g} GiB as float64), more than max_entries={max_entries}; "
                         f"pass max_entries={rows * cols} to build it anyway")
    if isinstance(spec, Pool) and spec.mode == "max":
        raise ValueError("spec: a max pooling is not linear and has no matrix; use mode='avg'")
    _, w = _operands(spec, np.zeros(input_shape(spec)), kernel)
    if not spec.channels:
        return _matrix2d(spec, w)
    ohw, ihw = rows // spec.c_out, cols // spec.c_in
    C = np.zeros((rows, cols))
    per_in, per_out = spec.c_in // spec.groups, spec.c_out // spec.groups
    for j in range(spec.c_out):
        for ci in spec.group_of(j):
            if isinstance(spec, Pool):
                wk = None
            else:
                assert w is not None
                wk = w[j, ci % per_in] if isinstance(spec, Conv) else w[ci, j % per_out]
            C[j * ohw:(j + 1) * ohw, ci * ihw:(ci + 1) * ihw] = _matrix2d(spec, wk)
    return C


def _matrix2d(spec: Spec, w: Optional[np.ndarray]) -> np.ndarray:
    """The one-channel matrix of ``spec`` with the ``(kh, kw)`` kernel ``w`` (``None`` for a pooling)."""
    if isinstance(spec, Pool):
        # An average pooling is the convolution by a constant kernel, divided per window by what apply divides by.
        (ih, iw), (oh, ow) = spec.i, spec.output_shape
        (kh, kw), (sh, sw), (ph, pw) = spec.k, spec.s, spec.p
        div_h = np.minimum(kh, ih + 2 * ph - sh * np.arange(oh))
        div_w = np.minimum(kw, iw + 2 * pw - sw * np.arange(ow))
        w = 1.0 / np.outer(div_h, div_w)
        pos_h, ok_h = _taps(ih, kh, sh, ph, 1, oh)
        pos_w, ok_w = _taps(iw, kw, sw, pw, 1, ow)
        vals = np.broadcast_to(w[:, :, None, None], (oh, ow, kh, kw))
        return _scatter(oh, ow, ih, iw, pos_h, ok_h, pos_w, ok_w, vals)
    assert w is not None  # a Conv or a ConvTranspose: it has weights
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = spec.k, spec.s, spec.p, spec.d
    if isinstance(spec, Conv):
        (ih, iw), (oh, ow) = spec.i, spec.output_shape
    else:
        # C^T: the rows are the transposed output (the direct conv's input), the columns its input.
        (oh, ow), (ih, iw) = spec.i, spec.output_shape
    pos_h, ok_h = _taps(ih, kh, sh, ph, dh, oh)
    pos_w, ok_w = _taps(iw, kw, sw, pw, dw, ow)
    vals = np.broadcast_to(w[None, None, :, :], (oh, ow, kh, kw))
    C = _scatter(oh, ow, ih, iw, pos_h, ok_h, pos_w, ok_w, vals)
    return C if isinstance(spec, Conv) else C.T.copy()


def _scatter(oh: int, ow: int, ih: int, iw: int, pos_h: np.ndarray, ok_h: np.ndarray, pos_w: np.ndarray,
             ok_w: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """The dense ``(oh*ow, ih*iw)`` matrix with ``vals[r, c, a, b]`` summed at each real tap's input cell."""
    # Broadcast to (oh, ow, kh, kw).
    out_idx = (np.arange(oh)[:, None, None, None] * ow + np.arange(ow)[None, :, None, None])
    in_idx = pos_h[:, None, :, None] * iw + pos_w[None, :, None, :]
    ok = ok_h[:, None, :, None] & ok_w[None, :, None, :]
    out_idx = np.broadcast_to(out_idx, ok.shape)
    C = np.zeros((oh * ow, ih * iw))
    np.add.at(C, (out_idx[ok], in_idx[ok]), vals[ok])
    return C
