"""Stacks, receptive fields and overlap: against PyTorch's autograd and against brute force from the definitions."""
from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

import convanim as ca
from convanim.core.stack import Stack, receptive_field
from convanim.core.stack_text import parse_layers

# ---- random stacks --------------------------------------------------------------------------------------------


def _random_layer(rng, shape):
    """A random layer taking ``shape`` (or None when the draw does not fit)."""
    kind = rng.choice(["conv", "conv", "tconv", "maxpool", "avgpool"])
    k = (rng.randint(1, 4), rng.randint(1, 4))
    s = (rng.randint(1, 3), rng.randint(1, 3))
    try:
        if kind == "conv":
            d = (rng.randint(1, 3), rng.randint(1, 2))
            p = (rng.randint(0, 2), rng.randint(0, 2))
            return ca.Conv(shape, k, s, p, d)
        if kind == "tconv":
            d = (rng.randint(1, 2), rng.randint(1, 2))
            op = tuple(rng.randint(0, max(a, b) - 1) for a, b in zip(s, d))
            p = (rng.randint(0, 2), rng.randint(0, 2))
            return ca.ConvTranspose(shape, k, s, p, d, output_padding=op)
        p = tuple(rng.randint(0, kk // 2) for kk in k)
        d = (rng.randint(1, 2), 1) if kind == "maxpool" else (1, 1)
        return ca.Pool(shape, k, s, p, d, mode=kind[:3], ceil_mode=rng.random() < 0.3)
    except ValueError:
        return None


def random_stack(seed, n_min=2, n_max=5, max_side=28):
    rng = random.Random(seed)
    while True:
        shape = (rng.randint(5, 14), rng.randint(5, 14))
        layers = []
        n = rng.randint(n_min, n_max)
        while len(layers) < n:
            layer = _random_layer(rng, shape)
            if layer is None or max(layer.output_shape) > max_side:
                if rng.random() < 0.05:
                    break
                continue
            layers.append(layer)
            shape = layer.output_shape
        if len(layers) == n:
            return Stack(*layers)


SEEDS = list(range(40))

# ---- brute force from the definitions (whole cells, no per-axis shortcut) ---------------------------------


def _layer_deps(spec):
    """{output cell: set of input cells} by enumerating every window (or every input unit and tap)."""
    (ih, iw), (kh, kw), (sh, sw), (ph, pw), (dh, dw) = spec.i, spec.k, spec.s, spec.p, spec.d
    oh, ow = spec.output_shape
    deps = {(r, c): set() for r in range(oh) for c in range(ow)}
    if isinstance(spec, ca.ConvTranspose):
        for y in range(ih):
            for x in range(iw):
                for a in range(kh):
                    for b in range(kw):
                        r, c = y * sh + a * dh - ph, x * sw + b * dw - pw
                        if (r, c) in deps:
                            deps[r, c].add((y, x))
        return deps
    for (r, c) in deps:
        for a in range(kh):
            for b in range(kw):
                y, x = r * sh - ph + a * dh, c * sw - pw + b * dw
                if 0 <= y < ih and 0 <= x < iw:
                    deps[r, c].add((y, x))
    return deps


def brute_rf(stack, cell):
    cells = {tuple(cell)}
    for layer in reversed(stack.layers):
        deps = _layer_deps(layer)
        cells = set().union(*[deps[c] for c in cells]) if cells else set()
    return frozenset(cells)


# ---- PyTorch ----------------------------------------------------------------------------------------------


def _torch_layer(torch, spec, gen):
    F = torch.nn.functional
    if isinstance(spec, ca.Pool):
        if spec.d == (1, 1):
            return lambda x: F.avg_pool2d(x, spec.k, spec.s, spec.p, ceil_mode=spec.ceil_mode, count_include_pad=True)
        # Dilated max pooling: a convolution of positive weights over the same windows (ceil_mode: pad the end).
        keff = [d * (k - 1) + 1 for k, d in zip(spec.k, spec.d)]
        after = [(o - 1) * s + ke - i - p for o, s, ke, i, p in zip(spec.output_shape, spec.s, keff, spec.i, spec.p)]
        w = torch.ones(1, 1, *spec.k, dtype=torch.float64)
        pad = (spec.p[1], max(after[1], 0), spec.p[0], max(after[0], 0))
        return lambda x: F.conv2d(F.pad(x, pad), w, stride=spec.s, dilation=spec.d)
    w = torch.rand(1, 1, *spec.k, generator=gen, dtype=torch.float64) + 0.1
    if isinstance(spec, ca.ConvTranspose):
        return lambda x: F.conv_transpose2d(x, w, stride=spec.s, padding=spec.p, dilation=spec.d,
                                            output_padding=spec.output_padding)
    return lambda x: F.conv2d(x, w, stride=spec.s, padding=spec.p, dilation=spec.d)


def torch_rf(torch, stack, cells):
    gen = torch.Generator().manual_seed(0)
    fns = [_torch_layer(torch, layer, gen) for layer in stack.layers]
    out = {}
    for cell in cells:
        x = (torch.rand(1, 1, *stack.input_shape, generator=gen, dtype=torch.float64) + 0.1).requires_grad_(True)
        y = x
        for f in fns:
            y = f(y)
        assert tuple(y.shape[2:]) == stack.output_shape
        y[0, 0, cell[0], cell[1]].backward()
        g = x.grad[0, 0].numpy()
        out[cell] = frozenset(zip(*[v.tolist() for v in np.nonzero(g > 0)]))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_receptive_field_of_random_stacks_matches_autograd_and_brute_force(seed):
    torch = pytest.importorskip("torch")
    stack = random_stack(seed)
    oh, ow = stack.output_shape
    rng = random.Random(seed)
    cells = {(0, 0), (oh - 1, ow - 1), (oh // 2, ow // 2)} | {(rng.randrange(oh), rng.randrange(ow)) for _ in range(3)}
    expected = torch_rf(torch, stack, sorted(cells))
    for cell in sorted(cells):
        got = receptive_field(stack, cell)
        assert got == expected[cell], (stack, cell)
        assert got == brute_rf(stack, cell), (stack, cell)
        assert all(isinstance(c, tuple) and len(c) == 2 for c in got)


@pytest.mark.parametrize("seed", SEEDS[:15])
def test_receptive_field_of_one_layer_is_its_brute_force_dependency_set(seed):
    stack = random_stack(seed, 1, 1)
    layer = stack.layers[0]
    deps = _layer_deps(layer)
    for cell, cells in deps.items():
        assert receptive_field(layer, cell) == frozenset(cells) == stack.receptive_field(cell)


def test_dilation_leaves_holes_and_padding_is_left_out():
    rf = receptive_field(ca.Conv(7, 3, d=2), (0, 0))
    assert rf == frozenset((r, c) for r in (0, 2, 4) for c in (0, 2, 4))
    corner = receptive_field(ca.Conv(5, 3, p=1), (0, 0))
    assert corner == frozenset((r, c) for r in (0, 1) for c in (0, 1))
    # A transposed convolution whose kernel is smaller than its stride: some cells are written by no input.
    assert receptive_field(ca.ConvTranspose(3, 1, s=2), (1, 1)) == frozenset()
    assert receptive_field(ca.Conv(5, 3), (-1, -1)) == receptive_field(ca.Conv(5, 3), (2, 2))


def test_cell_is_checked():
    with pytest.raises(ValueError, match="cell"):
        receptive_field(ca.Conv(5, 3), (3, 0))
    with pytest.raises(TypeError, match="cell"):
        receptive_field(ca.Conv(5, 3), (1,))
    with pytest.raises(TypeError, match="cell"):
        receptive_field(Stack(ca.Conv(5, 3)), (1.0, 0))
    with pytest.raises(TypeError, match="layer_or_stack"):
        receptive_field("conv", (0, 0))


# ---- overlap ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_overlap_matches_conv_transpose_of_ones_and_the_read_counts_of_conv(seed):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    layer = random_stack(seed, 1, 1).layers[0]
    got = ca.overlap(layer)
    if isinstance(layer, ca.ConvTranspose):
        ones = torch.ones(1, 1, *layer.i, dtype=torch.float64)
        want = F.conv_transpose2d(ones, torch.ones(1, 1, *layer.k, dtype=torch.float64), stride=layer.s,
                                  padding=layer.p, dilation=layer.d, output_padding=layer.output_padding)
        assert got.shape == layer.output_shape
    else:
        x = torch.ones(1, 1, *layer.i, dtype=torch.float64, requires_grad=True)
        y = _torch_layer(torch, layer, torch.Generator().manual_seed(0))(x) if isinstance(layer, ca.Pool) else \
            F.conv2d(x, torch.ones(1, 1, *layer.k, dtype=torch.float64), stride=layer.s, padding=layer.p,
                     dilation=layer.d)
        if isinstance(layer, ca.Pool) and layer.d == (1, 1):
            # avg_pool2d divides by the window: count the windows with a convolution of ones instead.
            y = _pool_windows(torch, layer, x)
        y.sum().backward()
        want = x.grad
        assert got.shape == layer.input_shape
    assert got.dtype.kind == "i"
    np.testing.assert_array_equal(got, np.rint(want[0, 0].detach().numpy()).astype(int))


def _pool_windows(torch, layer, x):
    F = torch.nn.functional
    after = [(o - 1) * s + k - i - p for o, s, k, i, p in zip(layer.output_shape, layer.s, layer.k, layer.i, layer.p)]
    pad = (layer.p[1], max(after[1], 0), layer.p[0], max(after[0], 0))
    return F.conv2d(F.pad(x, pad), torch.ones(1, 1, *layer.k, dtype=torch.float64), stride=layer.s)


def test_checkerboard_pair():
    uneven = ca.overlap(ca.ConvTranspose(4, 3, s=2, p=1, output_padding=1))
    even = ca.overlap(ca.ConvTranspose(4, 4, s=2, p=1))
    assert uneven.shape == even.shape == (8, 8)
    assert set(np.unique(uneven[1:-1, 1:-1])) == {1, 2, 4}  # a checkerboard inside
    assert set(np.unique(even[1:-1, 1:-1])) == {4}  # even inside; only the border differs
    assert uneven[1, 1] == 4 and uneven[2, 2] == 1 and uneven[1, 2] == 2


# ---- the table ----------------------------------------------------------------------------------------------


def _unbounded(stack, axis, o):
    """Input indices output index ``o`` reaches along ``axis`` with the maps extended without end (padding
    counted as input): straight from the definitions."""
    cells = {o}
    for layer in reversed(stack.layers):
        k, s, d, b = layer.k[axis], layer.s[axis], layer.d[axis], layer.p[axis]
        if isinstance(layer, ca.ConvTranspose):
            cells = {(x + b - t * d) // s for x in cells for t in range(k) if (x + b - t * d) % s == 0}
        else:
            cells = {x * s - b + t * d for x in cells for t in range(k)}
    return cells


@pytest.mark.parametrize("seed", SEEDS)
def test_table_matches_brute_force(seed):
    stack = random_stack(seed, 1, 5)
    rows = stack.table()
    assert [r.output_shape for r in rows] == stack.shapes
    for m in range(1, len(stack.layers) + 1):
        sub = Stack(*stack.layers[:m])
        row = rows[m]
        transposed = any(isinstance(x, ca.ConvTranspose) for x in sub.layers)
        for axis in range(2):
            r, j, start = row.r[axis], row.j[axis], row.start[axis]
            for o in range(sub.output_shape[axis]):
                cells = _unbounded(sub, axis, o)
                if not cells:
                    assert transposed
                    continue
                lo, hi = start + o * j - (r - 1) / 2, start + o * j + (r - 1) / 2
                if transposed:
                    assert lo <= min(cells) and max(cells) <= hi, (sub, axis, o)
                else:
                    assert (min(cells), max(cells)) == (lo, hi), (sub, axis, o)
            if not transposed:
                assert j == np.prod([x.s[axis] for x in sub.layers])


def test_table_of_a_transposed_layer_divides_the_jump():
    row = Stack(ca.ConvTranspose(4, 3, s=2, p=1)).table()[-1]
    assert row.j == (Fraction(1, 2),) * 2 and row.r == (2, 2) and row.start == (0, 0)
    text = Stack(ca.ConvTranspose(4, 3, s=2, p=1)).describe()
    assert "0.5" in text and "divides the jump" in text


def test_table_text_of_the_guide_stack():
    st = Stack.from_text("conv k=3; conv k=3 s=2; maxpool k=2", 16)
    lines = st.table_text().splitlines()
    assert lines[0].split() == ["#", "layer", "output", "r", "j", "start"]
    assert lines[-1].split() == ["3", "maxpool", "k=2", "3x3", "7", "4", "3"]
    assert "7x7 input cells" in st.describe()


# ---- refusals -----------------------------------------------------------------------------------------------


def test_stack_refuses_layers_that_do_not_chain_naming_the_layer_and_both_sizes():
    with pytest.raises(ValueError, match=r"layers\[2\].*takes a 6x6 input, but layers\[1\] gives 5x5"):
        Stack(ca.Conv(9, 3), ca.Conv(7, 3), ca.Pool(6, 2))
    with pytest.raises(ValueError, match=r"layers\[1\].*c_in=2.*c_out=4"):
        Stack(ca.Conv(8, 3, c_out=4), ca.Conv(6, 3, c_in=2, c_out=2))
    with pytest.raises(TypeError, match=r"layers\[1\]"):
        Stack(ca.Conv(8, 3), "pool")
    with pytest.raises(ValueError, match="at least one layer"):
        Stack()
    st = Stack(ca.Conv(8, 3, c_out=4), ca.Pool(6, 2, c_in=4))
    assert (st.c_in, st.c_out, st.channels) == (1, 4, True)


def test_stack_is_frozen_and_compares_by_value():
    a, b = Stack(ca.Conv(8, 3), ca.Pool(6, 2)), Stack([ca.Conv(8, 3), ca.Pool(6, 2)])
    assert a == b and hash(a) == hash(b) and len(a) == 2
    with pytest.raises(AttributeError):
        a.layers = ()  # type: ignore[misc]


@pytest.mark.parametrize("text,match", [
    ("conv k=3; conv s=2", r"layer 2 \('conv s=2'\): k is required"),
    ("conv k=3; pol k=2", r"layer 2 \('pol k=2'\): unknown kind"),
    ("conv k=3 s=x", r"layer 1 .*s='x' is not a size"),
    ("conv k=3; conv k=30", r"layer 2 \('conv k=30'\):.*k"),
    ("conv k=3;; conv k=3", r"layer 2 is empty"),
    ("maxpool k=2 op=1", r"layer 1 .*maxpool takes"),
    ("conv k=3 k=2", r"layer 1 .*given twice"),
    ("conv k3", r"layer 1 .*not key=value"),
    ("", r"1 to 64 layers"),
])
def test_the_one_line_form_refuses_bad_layers_naming_them(text, match):
    with pytest.raises(ValueError, match=match):
        parse_layers(text, 16)


def test_the_one_line_form_reads_back():
    text = "conv k=3 p=1 d=2; tconv k=4 s=2 p=1 op=1; avgpool k=2 s=1; maxpool k=3x2 s=2 ceil_mode=1; conv k=1 c_out=3"
    st = Stack.from_text(text, (12, 10), c_in=1)
    assert Stack.from_text(st.text(), (12, 10)) == st
    assert isinstance(st.layers[1], ca.ConvTranspose) and st.layers[1].output_padding == (1, 1)
    assert st.layers[2].mode == "avg" and st.layers[3].ceil_mode and st.c_out == 3
