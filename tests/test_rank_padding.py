"""Issue 11: 1D, 2D and 3D layers, (before, after) padding, the padding rules and modes.

Oracles: loops written from the definitions (here), and PyTorch where installed (``F.pad`` with each mode, then
``conv1d/2d/3d``; ``conv_transpose`` then a crop; autograd for the adjoint).
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import convanim as ca
from convanim.cli import main
from convanim.core.padding import same_padding, source_index
from convanim.core.rank import as_2d, lift_values

RNG = np.random.default_rng(11)


# ---- oracles from the definitions ------------------------------------------------------------------------

def _source(pos, n, mode):
    """Where padded position ``pos`` (counted from the first input unit) reads, by the definition of each mode."""
    if 0 <= pos < n:
        return pos
    if mode == "zeros":
        return None
    if mode == "replicate":
        return 0 if pos < 0 else n - 1
    if mode == "circular":
        return pos % n
    # reflect: mirror at the edges without repeating them, as often as needed
    while not 0 <= pos < n:
        pos = -pos if pos < 0 else 2 * (n - 1) - pos
    return pos


def conv_loops(x, w, s, pad, d, mode="zeros"):
    out_shape = tuple((n + b + e - dd * (k - 1) - 1) // ss + 1
                      for n, k, ss, (b, e), dd in zip(x.shape, w.shape, s, pad, d))
    out = np.zeros(out_shape)
    for o in itertools.product(*(range(v) for v in out_shape)):
        acc = 0.0
        for t in itertools.product(*(range(k) for k in w.shape)):
            src = [_source(oo * ss - b + tt * dd, n, mode)
                   for oo, tt, ss, (b, _), dd, n in zip(o, t, s, pad, d, x.shape)]
            if None not in src:
                acc += x[tuple(src)] * w[t]
        out[o] = acc
    return out


def conv_transpose_loops(x, w, s, crop, d, op):
    full = tuple((n - 1) * ss + dd * (k - 1) + 1 for n, k, ss, dd in zip(x.shape, w.shape, s, d))
    out_shape = tuple(f - b - e + a for f, (b, e), a in zip(full, crop, op))
    out = np.zeros(out_shape)
    for j in itertools.product(*(range(v) for v in x.shape)):
        for t in itertools.product(*(range(k) for k in w.shape)):
            y = tuple(jj * ss + tt * dd - b for jj, tt, ss, dd, (b, _) in zip(j, t, s, d, crop))
            if all(0 <= v < n for v, n in zip(y, out_shape)):
                out[y] += x[j] * w[t]
    return out


def _random_conv(ndim, rng, mode=None):
    while True:
        i = tuple(int(v) for v in rng.integers(2, 7, ndim))
        k = tuple(int(v) for v in rng.integers(1, 4, ndim))
        s = tuple(int(v) for v in rng.integers(1, 3, ndim))
        d = tuple(int(v) for v in rng.integers(1, 3, ndim))
        pad = tuple((int(a), int(b)) for a, b in rng.integers(0, 3, (ndim, 2)))
        m = mode or str(rng.choice(["zeros", "reflect", "replicate", "circular"]))
        try:
            return ca.Conv(i, k, s, pad, d, padding_mode=m)
        except ValueError:
            continue


# ---- rank -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("i, ndim, shape", [(5, 2, (5, 5)), ((7,), 1, (7,)), ((5, 6), 2, (5, 6)),
                                            ((3, 5, 6), 3, (3, 5, 6))])
def test_rank_comes_from_the_input_size(i, ndim, shape):
    c = ca.Conv(i, 1)
    assert c.ndim == ndim and c.input_shape == shape and c.k == (1,) * ndim
    assert c.padding == ((0, 0),) * ndim
    assert len(ca.scene(c).frames[0].output_cell) == ndim


def test_every_size_is_a_tuple_of_the_rank():
    c = ca.Conv((4, 6, 6), (1, 3, 3), s=(1, 2, 2), p=(0, 1, 1))
    assert c.output_shape == (4, 3, 3)
    assert c.weight_shape == (1, 1, 1, 3, 3) and c.n_weights == 9
    assert c.macs == 4 * 3 * 3 * 9
    t = ca.ConvTranspose((3,), 3, output_padding=0)
    assert t.output_padding == (0,) and t.output_shape == (5,)


@pytest.mark.parametrize("make, exc, words", [
    (lambda: ca.Conv((5, 5, 5, 5), 3), ValueError, "i must be"),
    (lambda: ca.Conv((), 3), ValueError, "i must be"),
    (lambda: ca.Conv((5,), (3, 3)), ValueError, "k must be"),
    (lambda: ca.Conv((5, 5, 5), (3, 3)), ValueError, "k must be"),
    (lambda: ca.Conv((5,), 3, s=(1, 1, 1)), ValueError, "s must be"),
    (lambda: ca.ConvTranspose((5,), 3, s=2, output_padding=(1, 1)), ValueError, "output_padding"),
    (lambda: ca.Conv((5, 5), 3, p=(1, 2, 3)), ValueError, "p must be"),
    (lambda: ca.Conv((5, 5), 3, p=((1, 2, 3), 0)), ValueError, "p[0]"),
    (lambda: ca.Conv((5, 5), 3, p=((1, -1), 0)), ValueError, "p[0][1] (after)"),
    (lambda: ca.Conv((5, 5), 3, p=1.5), TypeError, "p must be"),
    (lambda: ca.Conv((5, 5), 3, p="full"), ValueError, "p"),
    (lambda: ca.Conv((5, 5), 3, p="causal"), ValueError, "p='causal' is for 1D"),
    (lambda: ca.ConvTranspose((5,), 3, p="same"), ValueError, "p='same' is not available"),
    (lambda: ca.Pool((5,), 2, p="same", mode="avg"), ValueError, "p='same' is for max pooling"),
    (lambda: ca.Pool((5,), 3, p=(0, 2)), ValueError, "k // 2"),
    (lambda: ca.Pool((5,), 2, p=(0, 1), ceil_mode=True), ValueError, "ceil_mode"),
    (lambda: ca.Conv((3,), 3, p=3, padding_mode="reflect"), ValueError, "padding_mode='reflect'"),
    (lambda: ca.Conv((3,), 3, p=4, padding_mode="circular"), ValueError, "padding_mode='circular'"),
    (lambda: ca.Conv((3,), 3, p=1, padding_mode="mirror"), ValueError, "padding_mode"),
    (lambda: ca.Conv((5,), 3, p=1, padding_mode="reflect").transpose(), ValueError, "padding_mode"),
    (lambda: ca.Conv((2,), 4, p=(0, 1)), ValueError, "p_before + p_after"),
    (lambda: ca.ConvTranspose((1,), 1, p=(1, 0)), ValueError, "crops too much"),
])
def test_bad_rank_and_padding_are_refused_naming_the_parameter(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    assert words in str(info.value)


# ---- padding rules ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("i", range(1, 12))
@pytest.mark.parametrize("k, s, d", [(1, 1, 1), (3, 1, 1), (4, 1, 1), (3, 2, 1), (2, 2, 1), (3, 3, 2), (5, 2, 1)])
def test_same_is_tensorflow_s_rule(i, k, s, d):
    before, after = same_padding(i, k, s, d)
    # TensorFlow: output ceil(i / s); the total padding is split with the odd one after.
    total = max((math.ceil(i / s) - 1) * s + d * (k - 1) + 1 - i, 0)
    assert (before, after) == (total // 2, total - total // 2)
    c = ca.Conv((i,), k, s, "same", d)
    assert c.output_shape == (math.ceil(i / s),)
    assert c.padding == ((before, after),) and c.padding_rule == "same"


def test_same_at_stride_1_is_pytorch_s_same():
    torch = pytest.importorskip("torch")
    for i, k, d in [(5, 3, 1), (6, 4, 1), (7, 2, 3), (4, 5, 1)]:
        x, w = RNG.normal(size=(i,)), RNG.normal(size=(k,))
        ref = torch.nn.functional.conv1d(torch.tensor(x)[None, None], torch.tensor(w)[None, None], padding="same",
                                         dilation=d)[0, 0].numpy()
        np.testing.assert_allclose(ca.apply(ca.Conv((i,), k, p="same", d=d), x, w), ref)


def test_causal_pads_before_only_and_no_output_reads_the_future():
    c = ca.Conv((10,), 3, p="causal", d=2)
    assert c.padding == ((4, 0),) and c.output_shape == (10,)
    for fr in ca.scene(c).frames:
        (t,) = fr.output_cell
        # canvas cell j holds input j - 4: every tap reads input t or earlier, the last one exactly t
        reads = [tap[0] - 4 for tap in fr.taps]
        assert max(reads) == t
    assert ca.Conv((10,), 3, p="valid").padding == ((0, 0),)


def test_spec_padding_and_p_read_back():
    c = ca.Conv((5, 6), 3, p=((1, 2), 1))
    assert c.padding == ((1, 2), (1, 1))
    assert c.p == ((1, 2), 1)
    assert c == ca.Conv((5, 6), 3, p=((1, 2), (1, 1)))
    assert ca.Conv((6,), 3, p=(0, 1)).padding == ((0, 1),)  # a bare pair in 1D
    assert ca.Conv(5, 3, p=(1, 2)).padding == ((1, 1), (2, 2))  # in 2D: per axis, as always
    assert ca.Conv((6,), 3, s=2, p="same") == ca.Conv((6,), 3, s=2, p=(0, 1))
    assert repr(ca.Conv((6,), 3, s=2, p="same")) == "Conv(i=(6,), k=3, s=2, p='same')"
    assert repr(ca.Conv((6,), 3, p=(0, 1))) == "Conv(i=(6,), k=3, p=(0, 1))"


# ---- values ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_values_with_every_mode_against_loops(ndim):
    rng = np.random.default_rng(ndim)
    for _ in range(12 if ndim < 3 else 5):
        c = _random_conv(ndim, rng)
        x, w = rng.normal(size=c.i), rng.normal(size=c.k)
        np.testing.assert_allclose(ca.apply(c, x, w), conv_loops(x, w, c.s, c.padding, c.d, c.padding_mode),
                                   err_msg=repr(c))
        np.testing.assert_allclose(ca.conv_matrix(c, w) @ x.ravel(), ca.apply(c, x, w).ravel(), err_msg=repr(c))


def test_source_index_against_the_definitions():
    for n in (1, 2, 3, 5):
        for mode in ("zeros", "reflect", "replicate", "circular"):
            if mode == "reflect" and n == 1:
                continue  # reflect needs padding < n: a single unit cannot be reflected
            lo = -(n - 1) if mode == "reflect" else -n
            pos = np.arange(lo, 2 * n)
            got = source_index(pos, n, mode).tolist()
            want = [-1 if (s := _source(int(v), n, mode)) is None else s for v in pos]
            assert got == want, (n, mode)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_values_against_pytorch(ndim):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    conv = [F.conv1d, F.conv2d, F.conv3d][ndim - 1]
    torch_mode = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
    rng = np.random.default_rng(100 + ndim)
    for _ in range(25):
        c = _random_conv(ndim, rng)
        x, w = rng.normal(size=c.i), rng.normal(size=c.k)
        pad = [v for be in reversed(c.padding) for v in be]
        xp = F.pad(torch.tensor(x)[None, None], pad, mode=torch_mode[c.padding_mode])
        ref = conv(xp, torch.tensor(w)[None, None], stride=c.s, dilation=c.d)[0, 0].numpy()
        assert ref.shape == c.output_shape, c
        np.testing.assert_allclose(ca.apply(c, x, w), ref, err_msg=repr(c))


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_transpose_is_the_adjoint_for_every_zero_padded_conv(ndim):
    """apply(conv.transpose(), y, w) is PyTorch autograd's gradient of <conv(x), y> with respect to x."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    conv = [F.conv1d, F.conv2d, F.conv3d][ndim - 1]
    rng = np.random.default_rng(200 + ndim)
    for n in range(25):
        c = _random_conv(ndim, rng, mode="zeros")
        if n % 5 == 0:
            c = ca.Conv(c.i, c.k, c.s, "same", c.d)
        t = c.transpose()
        assert t.output_shape == c.input_shape and t.input_shape == c.output_shape
        assert t.transpose() == c
        x, w, y = rng.normal(size=c.i), rng.normal(size=c.k), rng.normal(size=c.output_shape)
        xt = torch.tensor(x, requires_grad=True)
        pad = [v for be in reversed(c.padding) for v in be]
        out = conv(F.pad(xt[None, None], pad), torch.tensor(w)[None, None], stride=c.s, dilation=c.d)[0, 0]
        (out * torch.tensor(y)).sum().backward()
        np.testing.assert_allclose(ca.apply(t, y, w), xt.grad.numpy(), err_msg=repr(c))
        np.testing.assert_allclose(ca.conv_matrix(t, w), ca.conv_matrix(c, w).T)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_cropping_transposed_conv_against_loops_and_pytorch(ndim):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    tconv = [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][ndim - 1]
    rng = np.random.default_rng(300 + ndim)
    done = 0
    while done < 15:
        i = tuple(int(v) for v in rng.integers(1, 5, ndim))
        k = tuple(int(v) for v in rng.integers(1, 4, ndim))
        s = tuple(int(v) for v in rng.integers(1, 3, ndim))
        d = tuple(int(v) for v in rng.integers(1, 3, ndim))
        crop = tuple((int(a), int(b)) for a, b in rng.integers(0, 3, (ndim, 2)))
        op = tuple(int(rng.integers(0, max(ss, dd))) for ss, dd in zip(s, d))
        try:
            t = ca.ConvTranspose(i, k, s, crop, d, output_padding=op)
        except ValueError:
            continue
        done += 1
        x, w = rng.normal(size=i), rng.normal(size=k)
        want = conv_transpose_loops(x, w, s, crop, d, op)
        np.testing.assert_allclose(ca.apply(t, x, w), want, err_msg=repr(t))
        # PyTorch: the full output, then the crop (output_padding reaches past it as zeros).
        full = tconv(torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=s, dilation=d)[0, 0].numpy()
        big = np.zeros(tuple(max(f, b + o) for f, (b, _), o in zip(full.shape, crop, t.output_shape)))
        big[tuple(slice(0, f) for f in full.shape)] = full
        ref = big[tuple(slice(b, b + o) for (b, _), o in zip(crop, t.output_shape))]
        np.testing.assert_allclose(ca.apply(t, x, w), ref, err_msg=repr(t))


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_pooling_with_uneven_padding_against_pytorch(ndim):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    maxp = [F.max_pool1d, F.max_pool2d, F.max_pool3d][ndim - 1]
    avgp = [F.avg_pool1d, F.avg_pool2d, F.avg_pool3d][ndim - 1]
    rng = np.random.default_rng(400 + ndim)
    done = 0
    while done < 15:
        i = tuple(int(v) for v in rng.integers(2, 7, ndim))
        k = tuple(int(v) for v in rng.integers(1, 4, ndim))
        s = tuple(int(v) for v in rng.integers(1, 3, ndim))
        pad = tuple((int(rng.integers(0, kk // 2 + 1)), int(rng.integers(0, kk // 2 + 1))) for kk in k)
        mode = "max" if done % 2 else "avg"
        try:
            p = ca.Pool(i, k, s, pad, mode=mode)
        except ValueError:
            continue
        done += 1
        x = rng.normal(size=i)
        flat = [v for be in reversed(pad) for v in be]
        xt = F.pad(torch.tensor(x)[None, None], flat, value=-math.inf if mode == "max" else 0.0)
        ref = (maxp if mode == "max" else avgp)(xt, k, s)[0, 0].numpy()
        np.testing.assert_allclose(ca.apply(p, x), ref, err_msg=repr(p))
    same = ca.Pool((5, 4), 2, p="same")
    assert same.output_shape == (3, 2) and same.padding == ((0, 1), (0, 0))


def test_channels_in_1d_and_3d_against_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    c = ca.Conv((7,), 3, p="causal", d=2, c_in=4, c_out=6, groups=2)
    x, w = RNG.normal(size=(4, 7)), RNG.normal(size=c.weight_shape)
    ref = F.conv1d(F.pad(torch.tensor(x)[None], [4, 0]), torch.tensor(w), dilation=2, groups=2)[0].numpy()
    np.testing.assert_allclose(ca.apply(c, x, w), ref)
    c3 = ca.Conv((3, 4, 4), (2, 3, 3), p=1, c_in=2, c_out=2, groups=2)
    x, w = RNG.normal(size=(2, 3, 4, 4)), RNG.normal(size=c3.weight_shape)
    ref = F.conv3d(torch.tensor(x)[None], torch.tensor(w), padding=1, groups=2)[0].numpy()
    np.testing.assert_allclose(ca.apply(c3, x, w), ref)
    np.testing.assert_allclose(ca.conv_matrix(c3, w) @ x.ravel(), ref.ravel())


# ---- frames -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_frames_against_brute_force(ndim):
    rng = np.random.default_rng(500 + ndim)
    for _ in range(8):
        c = _random_conv(ndim, rng, mode="zeros")
        sc = ca.scene(c)
        assert sc.canvas_shape == tuple(n + b + e for n, (b, e) in zip(c.i, c.padding))
        assert len(sc.frames) == math.prod(c.output_shape)
        real = {tuple(b + v for v, (b, _) in zip(cell, c.padding))
                for cell in itertools.product(*(range(n) for n in c.i))}
        assert sc.input_cells == real
        for t, o in enumerate(itertools.product(*(range(v) for v in c.output_shape))):
            fr = sc.frames[t]
            assert fr.output_cell == o
            want = [tuple(oo * ss + tt * dd for oo, tt, ss, dd in zip(o, tap, c.s, c.d))
                    for tap in itertools.product(*(range(k) for k in c.k))]
            assert list(fr.taps) == want


def test_transposed_scene_crops_unevenly():
    t = ca.Conv((6,), 3, s=2, p="same").transpose()  # crop (0, 1): the direct view pads (2, 1)
    sc = ca.scene(t)
    assert t.view_padding_pairs == ((2, 1),)
    assert sc.canvas_shape == (2 * 2 + 1 + 2 + 1 + t.output_padding[0],)
    assert sorted(sc.input_cells) == [(2,), (4,), (6,)]
    # every frame's taps, read as the direct convolution of the stretched input, give apply's values
    x, w = np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0, 100.0])
    canvas = sc.canvas_values(x)
    weights = sc.tap_weights(w)
    got = [sum(canvas[tap] * wt for tap, wt in zip(fr.taps, weights)) for fr in sc.frames]
    np.testing.assert_allclose(got, ca.apply(t, x, w))


def test_scene_source_index_marks_the_copies():
    sc = ca.scene(ca.Conv((4,), 3, p=2, padding_mode="circular"))
    assert sc.source_index().tolist() == [2, 3, 0, 1, 2, 3, 0, 1]
    assert sc.input_index().tolist() == [-1, -1, 0, 1, 2, 3, -1, -1]
    np.testing.assert_allclose(sc.canvas_values(np.array([1.0, 2, 3, 4])), [3, 4, 1, 2, 3, 4, 1, 2])


def test_as_2d_lifts_a_1d_layer_exactly():
    for spec in [ca.Conv((9,), 3, s=2, p=(2, 1), d=2, padding_mode="replicate"),
                 ca.Conv((6,), 3, s=2, p="same").transpose(), ca.Pool((7,), 3, s=2, p=1, ceil_mode=True),
                 ca.Conv((6,), 3, c_in=2, c_out=4, groups=2)]:
        lifted = as_2d(spec)
        assert lifted.ndim == 2 and lifted.output_shape == (1, *spec.output_shape)
        x = RNG.normal(size=ca.core.numerics.input_shape(spec))
        w = ca.core.numerics.default_kernel(spec)
        np.testing.assert_allclose(lift_values(spec, ca.apply(spec, x, w)),
                                   ca.apply(lifted, lift_values(spec, x), lift_values(spec, w)))
        one, two = ca.scene(spec).frames, ca.scene(lifted).frames
        assert len(one) == len(two)
        for a, b in zip(one, two):
            assert b.output_cell == (0, *a.output_cell)
            assert b.taps == tuple((0, *tap) for tap in a.taps)
    with pytest.raises(ValueError, match="3D"):
        as_2d(ca.Conv((2, 3, 3), 1))


# ---- captions and CLI ----------------------------------------------------------------------------------------

def test_describe_gives_the_uneven_formula_and_the_rule():
    text = ca.Conv((6,), 3, s=2, p="same").describe()
    assert "floor((6 + 0 + 1 - 3) / 2) + 1 = 3" in text
    assert "padding (before, after) = (0, 1), the odd zero after" in text
    text = ca.Conv(5, 3, p=((1, 2), 0), padding_mode="reflect").describe()
    assert "height: uneven padding" in text and "width: relationship 1" in text
    assert "reflect padding" in text
    assert "depth:" in ca.Conv((3, 5, 5), (1, 3, 3)).describe()


@pytest.mark.parametrize("argv, words", [
    (["-i", "16", "--1d", "-k", "2", "-d", "4", "-p", "causal"], "Conv(i=(16,), k=2, p='causal', d=4)"),
    (["-i", "8x16x16", "-k", "3", "-p", "1"], "input 8x16x16 -> output 8x16x16"),
    (["-i", "6", "-k", "3", "-s", "2", "-p", "same"], "p='same'"),
    (["-i", "6", "-k", "3", "-s", "2", "-p", "same", "--transposed"], "ConvTranspose(i=3, k=3, s=2, p=((0, 1), (0, 1)))"),
    (["-i", "5", "-k", "3", "-p", "1:2x0", "--padding-mode", "reflect"], "p=((1, 2), 0), padding_mode='reflect'"),
    (["-i", "7", "--1d", "-k", "3", "-p", "0:2"], "Conv(i=(7,), k=3, p=(0, 2))"),
])
def test_cli_shape_spells_rank_and_padding(capsys, argv, words):
    assert main(["shape", *argv]) == 0
    assert words in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["-i", "5x5", "--1d", "-k", "3"], "--1d"),
    (["-i", "5", "-k", "3", "-p", "1:2:3"], "is not a padding"),
    (["-i", "5", "-k", "3", "-p", "causal"], "p='causal'"),
    (["-i", "5", "-k", "3", "-p", "1", "--padding-mode", "reflect", "--pool", "max"], "--padding-mode"),
    (["-i", "3", "-k", "3", "-p", "3", "--padding-mode", "reflect"], "padding_mode='reflect'"),
    (["-i", "5x5x5x5", "-k", "3"], "is not a size"),
])
def test_cli_refuses_bad_rank_and_padding_in_one_line(capsys, argv, words):
    assert main(["shape", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convanim: error:") and err.count("\n") == 1 and words in err


# ---- receptive fields and overlap in 1D and 3D (issue 12 on issue 11's ranks) -----------------------------------

def _matrix_dependencies(spec, cell):
    """The input cells whose column is non-zero in the row of ``cell`` (all weights positive): the oracle."""
    w = None if isinstance(spec, ca.Pool) else np.ones(spec.k)
    C = ca.conv_matrix(spec, w) if w is not None else ca.conv_matrix(spec)
    row = C[np.ravel_multi_index(cell, spec.output_shape)]
    return {tuple(int(v) for v in np.unravel_index(j, spec.input_shape)) for j in np.nonzero(row)[0]}


@pytest.mark.parametrize("ndim", [1, 3])
def test_receptive_field_of_1d_and_3d_layers_is_the_matrix_s_row(ndim):
    rng = np.random.default_rng(600 + ndim)
    for n in range(10):
        c = _random_conv(ndim, rng, mode="zeros")
        spec = c.transpose() if n % 2 else c
        for cell in itertools.islice(itertools.product(*(range(v) for v in spec.output_shape)), 0, None, 3):
            assert spec.receptive_field(cell) == _matrix_dependencies(spec, cell), (spec, cell)


def test_the_wavenet_stack_sees_its_last_16_inputs_against_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    stack = ca.Stack(*(ca.Conv((16,), 2, d=d, p="causal") for d in (1, 2, 4, 8)))
    assert stack.output_shape == (16,)
    for t in range(16):
        x = torch.ones(16, dtype=torch.float64, requires_grad=True)
        y = x[None, None]
        for d in (1, 2, 4, 8):
            y = F.conv1d(F.pad(y, [d, 0]), torch.ones(1, 1, 2, dtype=torch.float64), dilation=d)
        y[0, 0, t].backward()
        seen = {(int(j),) for j in torch.nonzero(x.grad).flatten()}
        assert stack.receptive_field((t,)) == seen == {(j,) for j in range(max(0, t - 15), t + 1)}


def test_overlap_in_1d_against_conv_transpose_of_ones():
    torch = pytest.importorskip("torch")
    for k, s in [(3, 2), (4, 2), (5, 3)]:
        t = ca.ConvTranspose((5,), k, s=s)
        ref = torch.nn.functional.conv_transpose1d(torch.ones(1, 1, 5, dtype=torch.float64),
                                                   torch.ones(1, 1, k, dtype=torch.float64), stride=s)[0, 0]
        np.testing.assert_array_equal(ca.overlap(t), ref.numpy())


# ---- drawing: what the plans of 1D and copying layers hold ------------------------------------------------------

def _plan(spec, **kw):
    from convanim.drawing.api import make_plan

    return make_plan(spec, **kw)


def _output_values(plan):
    return [float(t.text.replace("−", "-")) for t in plan.texts if t.role == "output"]


@pytest.mark.parametrize("spec", [ca.Conv((7,), 3, p="same", c_in=2, c_out=3), ca.Pool((6,), 2, c_in=2),
                                  ca.Conv((7,), 3, s=2, p=(2, 0)), ca.Conv((6,), 3, s=2, p="same").transpose()])
def test_a_1d_plan_writes_the_1d_layer_s_own_values(spec):
    plan = _plan(spec, numbers=True)
    want = ca.apply(spec, ca.core.numerics.default_input(spec), ca.core.numerics.default_kernel(spec))
    assert _output_values(plan) == pytest.approx(np.ravel(want))
    assert plan.n_frames == spec.c_out * math.prod(spec.output_shape)


@pytest.mark.parametrize("p", ["causal", (4, 0)])
def test_a_causal_row_stands_each_output_over_the_last_input_it_reads(p):
    spec = ca.Conv((10,), 2, d=4, p=p)
    plan = _plan(spec, style="flat", numbers=True)
    texts = plan.texts
    outputs = [t for t in texts if t.role == "output"]
    inputs = [t for t in texts if t.role != "output"][4:]  # the canvas row: 4 zeros, then input 0..9
    assert len(outputs) == len(inputs) == 10
    for o, i in zip(outputs, inputs):
        assert o.x == pytest.approx(i.x) and o.y > i.y


def test_copies_in_the_border_are_filled_as_copies_and_hold_the_values_they_copy():
    spec = ca.Conv((4,), 3, p=2, padding_mode="circular")
    from convanim.drawing.theme import get_theme

    plan = _plan(spec, numbers=True, x=[1.0, 2.0, 3.0, 4.0], kernel=[1.0, 0.0, 0.0])
    copy = [s for s in plan.shapes if s.face == get_theme().copy]
    assert copy and sum(len(s.verts) for s in copy) == 2  # the two runs of border cells, one quad each
    canvas = [float(t.text) for t in plan.texts if t.role != "output"]
    assert canvas == [3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0]
    assert _output_values(plan) == [3.0, 4.0, 1.0, 2.0, 3.0, 4.0]
    zeros = _plan(ca.Conv((4,), 3, p=2), numbers=True)
    assert not [s for s in zeros.shapes if s.face == get_theme().copy]
