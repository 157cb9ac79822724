"""Independent oracles: the layers computed by plain loops from their definitions.

Nothing here imports convanim: these are what the code under test is checked against.
"""
from __future__ import annotations

import numpy as np


def conv_size(i, k, s, p, d):
    """Count the window positions that fit in the padded input, one by one."""
    keff = d * (k - 1) + 1
    n, start = 0, 0
    while start + keff <= i + 2 * p:
        n, start = n + 1, start + s
    return n


def conv2d(x, w, s, p, d):
    (ih, iw), (kh, kw) = x.shape, w.shape
    oh, ow = conv_size(ih, kh, s[0], p[0], d[0]), conv_size(iw, kw, s[1], p[1], d[1])
    out = np.zeros((oh, ow))
    for r in range(oh):
        for c in range(ow):
            acc = 0.0
            for a in range(kh):
                for b in range(kw):
                    y, z = r * s[0] - p[0] + a * d[0], c * s[1] - p[1] + b * d[1]
                    if 0 <= y < ih and 0 <= z < iw:
                        acc += x[y, z] * w[a, b]
            out[r, c] = acc
    return out


def conv_transpose2d(x, w, s, p, d, op):
    """Scatter every input unit through every tap; crop p; output_padding extends."""
    (ih, iw), (kh, kw) = x.shape, w.shape
    full_h = (ih - 1) * s[0] + (kh - 1) * d[0] + 1
    full_w = (iw - 1) * s[1] + (kw - 1) * d[1] + 1
    oh, ow = full_h - 2 * p[0] + op[0], full_w - 2 * p[1] + op[1]
    out = np.zeros((oh, ow))
    for j in range(ih):
        for m in range(iw):
            for a in range(kh):
                for b in range(kw):
                    y, z = j * s[0] + a * d[0] - p[0], m * s[1] + b * d[1] - p[1]
                    if 0 <= y < oh and 0 <= z < ow:
                        out[y, z] += x[j, m] * w[a, b]
    return out


def pool_size(i, k, s, p, d, ceil_mode):
    keff = d * (k - 1) + 1
    n = conv_size(i, k, s, p, d)
    if ceil_mode and (i + 2 * p - keff) % s and n * s < i + p:
        n += 1  # one more window overhanging the end, if it starts in the input or left padding
    return n


def pool2d(x, k, s, p, d, mode, ceil_mode):
    ih, iw = x.shape
    oh = pool_size(ih, k[0], s[0], p[0], d[0], ceil_mode)
    ow = pool_size(iw, k[1], s[1], p[1], d[1], ceil_mode)
    out = np.zeros((oh, ow))
    for r in range(oh):
        for c in range(ow):
            vals, count = [], 0
            for a in range(k[0]):
                for b in range(k[1]):
                    y, z = r * s[0] - p[0] + a * d[0], c * s[1] - p[1] + b * d[1]
                    inside_padded = y < ih + p[0] and z < iw + p[1]
                    count += inside_padded
                    if 0 <= y < ih and 0 <= z < iw:
                        vals.append(x[y, z])
            if mode == "max":
                out[r, c] = max(vals, default=-np.inf)  # a dilated window may see only padding
            else:
                out[r, c] = sum(vals) / count
    return out
