"""An independent oracle of dependencies: which input cells each output cell of a layer (or a stack) depends on,
from PyTorch's autograd.  Nothing here reads convanim's connectivity: a layer's parameters are read off its spec
and fed to PyTorch's own functions (``F.pad`` in the layer's mode, then ``convNd``; a transposed convolution's
full output cropped; a pooling as a convolution by ones over its zero-padded canvas, which has the same windows).
"""
from __future__ import annotations

import math

import numpy as np
import pytest


def _torch():
    return pytest.importorskip("torch")


def forward(spec, X):
    """One layer of ones on the batched one-channel tensor ``X`` ``(1, 1, *spec.input_shape)``."""
    torch = _torch()
    F = torch.nn.functional
    n = spec.ndim
    conv = [F.conv1d, F.conv2d, F.conv3d][n - 1]
    ones = torch.ones((1, 1, *spec.k), dtype=torch.float64)
    kind = type(spec).__name__
    if kind == "ConvTranspose":
        t = [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][n - 1]
        full = t(X, ones, stride=spec.s, dilation=spec.d)
        ends = [b + o for (b, _), o in zip(spec.padding, spec.output_shape)]
        grow = [max(0, e - f) for e, f in zip(ends, full.shape[2:])]  # output_padding past the full output
        full = F.pad(full, [v for g in reversed(grow) for v in (0, g)])
        return full[(slice(None), slice(None), *(slice(b, b + o) for (b, _), o in
                                                 zip(spec.padding, spec.output_shape)))]
    if kind == "Pool":
        # The windows' canvas: the padded input, longer where ceil_mode lets the last window overhang.
        canvas = [max(i + b + e, (o - 1) * s + d * (k - 1) + 1) for i, k, s, (b, e), d, o in
                  zip(spec.i, spec.k, spec.s, spec.padding, spec.d, spec.output_shape)]
        pad = [v for (b, _), i, c in reversed(list(zip(spec.padding, spec.i, canvas))) for v in (b, c - b - i)]
        return conv(F.pad(X, pad), ones, stride=spec.s, dilation=spec.d)
    mode = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
    pad = [v for be in reversed(spec.padding) for v in be]
    return conv(F.pad(X, pad, mode=mode[spec.padding_mode]), ones, stride=spec.s, dilation=spec.d)


def jacobian(layers, shape):
    """``|d out / d in| > 0`` as a boolean array ``(*output_shape, *input_shape)``, through ``layers`` in a row."""
    torch = _torch()

    def f(x):
        y = x[None, None]
        for layer in layers:
            y = forward(layer, y)
        return y[0, 0]

    # Positive inputs and weights: a sum of positive terms never cancels, so non-zero means "depends on".
    x = torch.tensor(np.random.default_rng(0).uniform(1, 2, size=shape))
    J = torch.autograd.functional.jacobian(f, x).numpy()
    assert J.shape[:len(shape)] == tuple(layers[-1].output_shape)
    return J != 0


def dependencies(J, cell, ndim):
    """The input cells output ``cell`` depends on."""
    return {tuple(int(v) for v in c) for c in np.argwhere(J[tuple(cell)])} if math.prod(J.shape) else set()


def window_counts(spec, J):
    """What ``overlap`` counts: per input cell, the windows reading it (Conv, Pool); per output cell, the input
    cells writing it (ConvTranspose)."""
    n = spec.ndim
    out_axes, in_axes = tuple(range(n)), tuple(range(n, 2 * n))
    return J.sum(axis=in_axes if type(spec).__name__ == "ConvTranspose" else out_axes)
