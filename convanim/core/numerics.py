"""Values: what a layer computes, and the guide's unrolled matrix C.

:func:`apply` equals PyTorch's ``conv1d/2d/3d`` (after ``F.pad`` with the
spec's ``padding_mode`` and its ``(before, after)`` pairs), ``conv_transpose1d/2d/3d``
(with ``groups``; cropping the full output), ``max_pool`` and ``avg_pool``
(``count_include_pad=True``) on unbatched input: ``(c_in, *spatial)``, or plain
``spatial`` for a one-channel spec; :func:`conv_matrix` is the sparse matrix of
section 4.1 of the guide, as a dense numpy array, over every channel.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np

from .checks import MAX_LIMIT, check_array, check_int, check_spec
from .cost import MAX_ELEMENTS, apply_cost, check_elements, check_max_elements, defaults_cost
from .padding import source_index
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


def _seeded(shape: Tuple[int, ...], high: int, salt: int) -> np.ndarray:
    # Seeded from the shape so that the same spec always shows the same numbers.
    rng = np.random.default_rng([salt, *shape])
    return rng.integers(0, high + 1, size=shape).astype(float)


def _seeded_slice(shape: Tuple[int, ...], high: int, salt: int, *where: int) -> np.ndarray:
    # One channel's (or one kernel slice's) values depend on its own index only: adding channels keeps the others.
    rng = np.random.default_rng([salt, *shape, *(1 + c for c in where)])
    return rng.integers(0, high + 1, size=shape).astype(float)


def input_shape(spec: Spec) -> Tuple[int, ...]:
    """The shape :func:`apply` takes: ``(c_in, *input_shape)``, or ``input_shape`` for a one-channel spec.

    Examples
    --------
    >>> input_shape(Conv(5, 3)), input_shape(Conv(5, 3, c_in=2, c_out=4))
    ((5, 5), (2, 5, 5))
    """
    return (spec.c_in, *spec.input_shape) if spec.channels else spec.input_shape


def output_shape(spec: Spec) -> Tuple[int, ...]:
    """The shape :func:`apply` returns: ``(c_out, *output_shape)``, or ``output_shape`` for a one-channel spec."""
    return (spec.c_out, *spec.output_shape) if spec.channels else spec.output_shape


def kernel_shape(spec: Spec) -> Optional[Tuple[int, ...]]:
    """The weights :func:`apply` takes: :attr:`weight_shape` (PyTorch's), or ``spec.k`` for a one-channel spec;
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


def check_apply_cost(spec: Spec, max_elements: int = MAX_ELEMENTS, call: str = "apply", *, x: bool = False,
                     kernel: bool = False, keyword: str = "max_elements") -> None:
    """Refuse, before ``x`` is read and any default value made, a layer :func:`apply` could not compute within
    ``max_elements`` (:mod:`convanim.core.cost`); ``x``, ``kernel``: its default input, its default kernel too."""
    what, n = apply_cost(spec)
    check_elements("spec", f"{call}({spec!r}): {what}", n, max_elements, keyword=keyword)
    what, n = defaults_cost(spec, x=x, kernel=kernel)
    check_elements("spec", f"{call}({spec!r}): {what}", n, max_elements, keyword=keyword)


def _operands(spec: Spec, x: object, kernel: object, max_elements: int = MAX_ELEMENTS,
              call: str = "apply", keyword: str = "max_elements") -> Tuple[np.ndarray, Optional[np.ndarray]]:
    check_spec(spec)
    max_elements = check_max_elements(max_elements)
    check_apply_cost(spec, max_elements, call, kernel=kernel is None and not isinstance(spec, Pool), keyword=keyword)
    # A max pooling is defined for infinite inputs (its padding is -inf); every sum is not (inf * 0 is NaN).
    xs = check_array("x", x, input_shape(spec), allow_inf=isinstance(spec, Pool) and spec.mode == "max")
    if isinstance(spec, Pool):
        if kernel is not None:
            raise ValueError("kernel must be None for a pooling, which has no weights")
        return xs, None
    w = default_kernel(spec) if kernel is None else check_array("kernel", kernel, kernel_shape(spec))
    return xs, w


def pool_canvas(spec: Pool) -> Tuple[int, ...]:
    """Cells the pooling windows cover per axis: the padded input, extended where ``ceil_mode`` lets the last
    window overhang."""
    return tuple(max(i + b + e, (o - 1) * s + d * (k - 1) + 1)
                 for i, k, s, (b, e), d, o in zip(spec.i, spec.k, spec.s, spec.padding, spec.d, spec.output_shape))


def _np_mode(mode: str) -> str:
    return {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]


def apply(spec: Spec, x: object, kernel: object = None, *, max_elements: int = MAX_ELEMENTS) -> np.ndarray:
    """What the layer computes on the unbatched input ``x``, as PyTorch (1D, 2D or 3D).

    Parameters
    ----------
    spec : Conv, ConvTranspose or Pool
    x : array_like of shape ``(c_in, *spec.input_shape)``; ``spec.input_shape`` for a one-channel spec
    kernel : array_like, optional
        The weights (not for pooling), in PyTorch's layout: ``(c_out, c_in // groups, *k)``
        for a Conv, ``(c_in, c_out // groups, *k)`` for a ConvTranspose; ``spec.k`` for a
        one-channel spec.  Defaults to :func:`default_kernel`, the values convanim draws.
    max_elements : int
        The largest array (or count of multiply-adds) it builds, in float64 elements (:mod:`convanim.core.cost`);
        past it the layer is refused at once, before ``x`` is read.  Raise it to compute anyway.

    Returns
    -------
    numpy.ndarray of shape ``(c_out, *output_shape)`` (``spec.output_shape`` for a one-channel spec), float64.
    Output channel ``j`` sums the input channels of its group (:meth:`Conv.group_of`);
    a pooling works on each channel alone.  A convolution's border holds what
    ``padding_mode`` says (PyTorch's ``F.pad`` with that mode, then the convolution);
    a transposed convolution crops ``(before, after)`` from its full output.

    Examples
    --------
    >>> apply(Conv(5, 3), default_input(Conv(5, 3)))[0]
    array([12., 12., 17.])
    >>> apply(Conv(4, 3, c_in=2, c_out=3), np.ones((2, 4, 4)), np.ones((3, 2, 3, 3)))[:, 0, 0]
    array([18., 18., 18.])
    >>> apply(Conv((4,), 3, p=1, padding_mode="reflect"), [1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0])
    array([ 5.,  6.,  9., 10.])
    """
    xs, w = _operands(spec, x, kernel, max_elements)
    # Every channel at once (a leading channel axis), every tap at once (a strided view of the windows).
    xc = xs if spec.channels else xs[None]
    if isinstance(spec, Pool):
        out = _pool(spec, xc)
    else:
        assert w is not None  # only a pooling has no weights
        wc = w if spec.channels else w[None, None]
        out = _conv(spec, xc, wc) if isinstance(spec, Conv) else _conv_transpose(spec, xc, wc)
    return out if spec.channels else out[0]


def _windows(xp: np.ndarray, ks: Tuple[int, ...], ss: Tuple[int, ...], ds: Tuple[int, ...],
             out: Tuple[int, ...]) -> np.ndarray:
    """The windows of ``xp`` ``(c, *canvas)`` as a view ``(c, *out, *k)``: output cell ``o``, tap ``t`` reads
    ``xp[c, o*s + t*d]`` per axis (no copy)."""
    n = len(ks)
    ext = tuple(d * (k - 1) + 1 for k, d in zip(ks, ds))
    v = np.lib.stride_tricks.sliding_window_view(xp, ext, axis=tuple(range(1, n + 1)))
    return v[(slice(None),) + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(ss, out))
             + tuple(slice(None, None, d) for d in ds)]


def _letters(n: int) -> Tuple[str, str]:
    return "opq"[:n], "xyz"[:n]


def _conv(spec: Spec, xc: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A convolution of every channel: ``(c_in, *i)`` with PyTorch's weights ``(c_out, c_in // groups, *k)``."""
    pads = ((0, 0),) + tuple(spec.padding)
    xp = np.pad(xc, pads, mode=_np_mode(spec.padding_mode))  # type: ignore[call-overload]
    return _grouped(spec, _windows(xp, spec.k, spec.s, spec.d, spec.output_shape), w)


def _grouped(spec: Spec, win: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Output channel ``j`` sums, over the input channels of its group, its weights times the windows."""
    g, n = spec.groups, spec.ndim
    per_in = win.shape[0] // g
    out_shape = win.shape[1:1 + n]
    o, k = _letters(n)
    win = win.reshape((g, per_in) + win.shape[1:])
    wg = w.reshape((g, w.shape[0] // g, per_in) + w.shape[2:])
    res = np.einsum(f"gi{o}{k},gji{k}->gj{o}", win, wg, optimize=True)
    return res.reshape((w.shape[0],) + out_shape)


def _conv_transpose(spec: ConvTranspose, xc: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The transposed convolution as the guide draws it: the input stretched by ``s - 1`` zeros, padded by
    ``d(k - 1)`` zeros (more at the end where ``output_padding`` reaches past the full output), convolved at
    unit stride by the flipped kernel, then ``(before, after)`` cropped."""
    n, g = spec.ndim, spec.groups
    full = tuple(s * (i - 1) + d * (k - 1) + 1 for i, k, s, d in zip(spec.i, spec.k, spec.s, spec.d))
    grow = tuple(max(0, b + o - f) for (b, _), o, f in zip(spec.padding, spec.output_shape, full))
    edge = tuple(d * (k - 1) for k, d in zip(spec.k, spec.d))
    canvas = tuple(s * (i - 1) + 1 + 2 * e + x for i, s, e, x in zip(spec.i, spec.s, edge, grow))
    z = np.zeros((xc.shape[0],) + canvas)
    z[(slice(None),) + tuple(slice(e, e + s * (i - 1) + 1, s) for e, s, i in zip(edge, spec.s, spec.i))] = xc
    # PyTorch's (c_in, c_out // groups, *k) as a convolution's (c_out, c_in // groups, *k), taps reversed.
    per_in, per_out = spec.c_in // g, spec.c_out // g
    wc = w.reshape((g, per_in, per_out) + spec.k).swapaxes(1, 2).reshape((spec.c_out, per_in) + spec.k)
    wc = wc[(slice(None), slice(None)) + (slice(None, None, -1),) * n]
    wide = tuple(f + x for f, x in zip(full, grow))
    res = _grouped(spec, _windows(z, spec.k, (1,) * n, spec.d, wide), wc)
    return res[(slice(None),) + tuple(slice(b, b + o) for (b, _), o in zip(spec.padding, spec.output_shape))].copy()


def _pool(spec: Pool, xc: np.ndarray) -> np.ndarray:
    """Every channel pooled alone: -inf padding for max, zeros counted for avg (``count_include_pad``)."""
    n = spec.ndim
    xp = np.full((xc.shape[0],) + pool_canvas(spec), -np.inf if spec.mode == "max" else 0.0)
    xp[(slice(None),) + tuple(slice(b, b + i) for (b, _), i in zip(spec.padding, spec.i))] = xc
    win = _windows(xp, spec.k, spec.s, spec.d, spec.output_shape)
    taps = tuple(range(1 + n, 1 + 2 * n))
    if spec.mode == "max":
        return np.max(win, axis=taps)
    return np.sum(win, axis=taps) / _pool_divisor(spec)


def _pool_divisor(spec: Pool) -> np.ndarray:
    """An average pooling's divisor per output cell: the window, padding included, less any ``ceil_mode`` overhang."""
    per_axis = [np.minimum(k, i + b + e - s * np.arange(o))
                for i, k, s, (b, e), o in zip(spec.i, spec.k, spec.s, spec.padding, spec.output_shape)]
    div = per_axis[0].astype(float)
    for v in per_axis[1:]:
        div = np.multiply.outer(div, v)
    return div


def _sources(spec: Spec, conv: Spec) -> list[np.ndarray]:
    """Per axis, the input index each (output, tap) pair of the convolution ``conv`` reads (-1: a zero)."""
    mode = conv.padding_mode
    return [source_index(np.arange(o)[:, None] * s - b + np.arange(k)[None, :] * d, i, mode)
            for i, k, s, (b, _), d, o in zip(conv.i, conv.k, conv.s, conv.padding, conv.d, conv.output_shape)]


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
    rows = spec.c_out * math.prod(spec.output_shape)
    cols = spec.c_in * math.prod(spec.input_shape)
    if rows * cols > max_entries:
        gib = rows * cols * 8 / 2**30
        raise ValueError(f"spec: the matrix of {spec!r} is {rows}x{cols} = {rows * cols} entries "
                         f"({gib:.3g} GiB as float64), more than max_entries={max_entries}; "
                         + (f"pass max_entries={rows * cols} to build it anyway" if rows * cols <= MAX_LIMIT * 1000
                            else f"max_entries goes up to {MAX_LIMIT * 1000}: use a smaller layer"))
    if isinstance(spec, Pool) and spec.mode == "max":
        raise ValueError("spec: a max pooling is not linear and has no matrix; use mode='avg'")
    _, w = _operands(spec, np.zeros(input_shape(spec)), kernel, max(max_entries, MAX_ELEMENTS), "conv_matrix",
                     "max_entries")
    # Every channel pair at once: the entries of one channel's matrix (an index per output cell and tap), then
    # for every pair (output channel j, input channel c of its group) the weight of each entry's tap.
    ohw, ihw = rows // spec.c_out, cols // spec.c_in
    g = spec.groups
    per_in, per_out = spec.c_in // g, spec.c_out // g
    j = np.repeat(np.arange(spec.c_out), per_in)  # pair p: output channel j[p], input channel c[p]
    c = (j // per_out) * per_in + np.tile(np.arange(per_in), spec.c_out)
    if isinstance(spec, Pool):
        # An average pooling is the convolution by a constant kernel, divided per window by what apply divides
        # by; each channel alone.
        out_idx, in_idx, taps = _entries(spec.output_shape, spec.i, _sources(spec, spec))
        div = _pool_divisor(spec).ravel()
        pair = np.arange(spec.c_in)
        vals = np.broadcast_to(1.0 / div[out_idx], (spec.c_in, out_idx.size))
        r, q = pair[:, None] * ohw + out_idx, pair[:, None] * ihw + in_idx
    else:
        assert w is not None  # a Conv or a ConvTranspose: it has weights
        wc = w if spec.channels else w[None, None]  # PyTorch's layout, one channel each way
        wf = np.asarray(wc, dtype=float).reshape(wc.shape[:2] + (math.prod(spec.k),))
        if isinstance(spec, Conv):
            out_idx, in_idx, taps = _entries(spec.output_shape, spec.i, _sources(spec, spec))
            vals = wf[j, c % per_in][:, taps]
            r, q = j[:, None] * ohw + out_idx, c[:, None] * ihw + in_idx
        else:
            # C^T of the convolution this one transposes: its rows are this layer's output (the direct conv's
            # input), its columns this layer's input (the direct conv's output, any surplus of which is dropped).
            conv = spec.transpose()
            sources = [src[:o] for src, o in zip(_sources(spec, conv), spec.i)]
            out_idx, in_idx, taps = _entries(spec.i, conv.i, sources)
            vals = wf[c, j % per_out][:, taps]
            r, q = j[:, None] * ohw + in_idx, c[:, None] * ihw + out_idx
    # A copied border may bring two taps of one window onto one input cell: their weights add.
    flat = np.bincount((r * cols + q).ravel(), weights=np.ravel(vals), minlength=rows * cols)
    return flat.reshape(rows, cols)


def _entries(out_shape: Tuple[int, ...], in_shape: Tuple[int, ...],
             sources: list[np.ndarray]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries of a one-channel matrix: per (output cell, tap) reading an input cell, the flat output cell,
    the flat input cell and the flat tap.  ``sources[a]`` is the ``(o_a, k_a)`` input index of axis ``a`` (-1: a
    zero, which adds nothing)."""
    n = len(out_shape)
    ks = tuple(src.shape[1] for src in sources)
    full = tuple(out_shape) + ks
    out_idx = np.zeros(full, dtype=np.int64)
    in_idx = np.zeros(full, dtype=np.int64)
    tap_idx = np.zeros(full, dtype=np.int64)
    ok = np.ones(full, dtype=bool)
    for a, src in enumerate(sources):
        shape = [1] * (2 * n)
        shape[a], shape[n + a] = src.shape
        sa = src.reshape(shape)
        o = np.arange(out_shape[a]).reshape([out_shape[a] if b == a else 1 for b in range(2 * n)])
        t = np.arange(ks[a]).reshape([ks[a] if b == n + a else 1 for b in range(2 * n)])
        out_idx = out_idx * out_shape[a] + o
        in_idx = in_idx * in_shape[a] + np.maximum(sa, 0)
        tap_idx = tap_idx * ks[a] + t
        ok = ok & (sa >= 0)
    return out_idx[ok], in_idx[ok], tap_idx[ok]
