"""The depthwise separable pair: values chained as PyTorch computes them, frames played in sequence (the depthwise
panel's, then the pointwise panel's), the held panel unchanged, refusals naming the parameter, the player."""
from __future__ import annotations

import re

import numpy as np
import pytest

import convanim as ca
from convanim.drawing.api import new_stage
from convanim.drawing.separable_plan import separable_panels

SEP = ca.separable(5, 3, c_in=3, c_out=4)


def _values(pair, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(pair.c_in, *pair.input_shape)).astype(float)
    w1 = rng.integers(-2, 3, size=pair.depthwise.weight_shape).astype(float)
    w2 = rng.integers(-2, 3, size=pair.pointwise.weight_shape).astype(float)
    return x, w1, w2


CONFIGS = [dict(i=5, k=3, c_in=3, c_out=4), dict(i=(6, 5), k=(3, 2), c_in=2, c_out=5, s=2, p=1),
           dict(i=7, k=3, c_in=4, c_out=2, d=2), dict(i=4, k=1, c_in=2, c_out=1), dict(i=6, k=4, c_in=5, c_out=5, s=(1, 2))]


@pytest.mark.parametrize("cfg", CONFIGS)
def test_values_are_depthwise_then_pointwise_as_pytorch_computes_them(cfg):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    pair = ca.separable(**cfg)
    dw, pw = pair.layers
    assert (dw.groups, dw.c_in, dw.c_out) == (pair.c_in,) * 3 and pw.k == (1, 1) and pw.c_out == pair.c_out
    for seed in range(3):
        x, w1, w2 = _values(pair, seed)
        mid_ref = F.conv2d(torch.tensor(x), torch.tensor(w1), stride=dw.s, padding=dw.p, dilation=dw.d,
                           groups=pair.c_in)
        out_ref = F.conv2d(mid_ref, torch.tensor(w2)).numpy()
        mid, out = pair.apply(x, (w1, w2))
        np.testing.assert_allclose(mid, mid_ref.numpy(), atol=1e-9)
        np.testing.assert_allclose(out, out_ref, atol=1e-9)
        # The figure chains them: the pointwise panel's input is exactly the depthwise output.
        first, second = separable_panels(pair, numbers=True, x=x, kernel=[w1, w2])
        np.testing.assert_array_equal(second.x, first.y)
        np.testing.assert_allclose(second.y, out_ref, atol=1e-9)
    # The counts against the standard convolution with the same sizes and channels.
    kh, kw = dw.k
    assert pair.n_weights == pair.c_in * kh * kw + pair.c_in * pair.c_out
    assert pair.standard == ca.Conv(dw.i, dw.k, dw.s, dw.p, dw.d, c_in=pair.c_in, c_out=pair.c_out)
    (oh, ow) = dw.output_shape
    assert pair.macs == pair.c_in * oh * ow * kh * kw + pair.c_out * oh * ow * pair.c_in
    assert pair.standard.macs == pair.c_out * oh * ow * pair.c_in * kh * kw


def test_default_values_chain_and_no_output_map_is_all_zero():
    mid, out = SEP.apply()
    x, w1, w2 = SEP.default_values()
    np.testing.assert_array_equal(mid, ca.apply(SEP.depthwise, x, w1))
    np.testing.assert_array_equal(out, ca.apply(SEP.pointwise, mid, w2))
    assert all(w2[j].any() for j in range(SEP.c_out))


@pytest.mark.parametrize("style", ["paper", "flat"])
def test_frames_are_the_depthwise_then_the_pointwise_frames(style):
    stage = new_stage(SEP, style=style, numbers=True)
    plan = stage.painters[0].plan
    first, second = plan.panels
    assert first.n_frames == 3 * 9 and second.n_frames == 4 * 9
    assert stage.n_frames == plan.n_frames == SEP.n_frames == 27 + 36
    assert [first for first, _ in plan.turns] == [0, 27]
    # Every output cell is pointed at by the frame that computes it: the pointwise cells after the depthwise ones.
    frames = sorted(t for t, _ in plan.cells)
    assert frames == list(range(63))
    assert [plan.local(1, t) for t in (0, 26, 27, 62)] == [("idle", 0), ("idle", 0), ("play", 0),
                                                                 ("play", 35)]
    assert [plan.local(0, t) for t in (0, 26, 27, 62)] == [("play", 0), ("play", 26), ("hold", 26),
                                                                 ("hold", 26)]


def _panel_state(plan, k, t):
    st = plan.frame(t)
    pre = f"{k}:"
    return ({n: np.asarray(v).tolist() for n, v in st.geometry.items() if n.startswith(pre)},
            {n: list(v) for n, v in st.strings.items() if n.startswith(pre)})


def _artists(painter, k):
    out = {}
    for name, art in painter.movers.items():
        if not name.startswith(f"{k}:"):
            continue
        if isinstance(art, list):
            out[name] = [(a.get_text(), tuple(np.round(a.get_position(), 9))) for a in art]
        else:
            out[name] = [np.round(p.vertices, 9).tolist() for p in art.get_paths()]
    return out


@pytest.mark.parametrize("style", ["paper", "flat"])
def test_the_held_panel_does_not_change_while_the_other_plays(style):
    stage = new_stage(SEP, style=style, numbers=True)
    painter = stage.painters[0]
    plan = painter.plan
    # Before its turn, the pointwise panel is idle: nothing shaded, no weight or sum written.
    idle = _panel_state(plan, 1, 0)
    assert not any(len(v) for n, v in idle[0].items() if n in ("1:kernel", "1:highlight", "1:veil"))
    assert all(s == "" for v in idle[1].values() for s in v)
    assert plan.frame(0).covered == plan.frame(0).covered  # (a pure function of t)
    for t in range(27):
        assert _panel_state(plan, 1, t) == idle
    stage.set_frame(5)
    idle_artists = _artists(painter, 1)
    stage.set_frame(20)
    assert _artists(painter, 1) == idle_artists
    assert all(not a for n, a in idle_artists.items() if n in ("1:kernel", "1:highlight"))
    # After its turn, the depthwise panel rests again: nothing shaded, so that one output is current at a time.
    last = _panel_state(plan, 0, 26)
    assert last[0]["0:kernel"] and last[1]["0:sums"][0].startswith("Σ = ")
    rest = _panel_state(plan, 0, 27)
    assert not any(len(v) for n, v in rest[0].items() if n in ("0:kernel", "0:highlight", "0:veil"))
    assert all(s == "" for v in rest[1].values() for s in v)
    for t in range(27, 63):
        assert _panel_state(plan, 0, t) == rest
    stage.set_frame(27)
    held = _artists(painter, 0)
    assert all(not a for n, a in held.items() if n in ("0:kernel", "0:highlight"))
    for t in (40, 62):
        stage.set_frame(t)
        assert _artists(painter, 0) == held
    # ... while the pointwise panel's kernel moves, on every input channel at the one tap.
    stage.set_frame(27 + 13)
    fr = second_frame = plan.panels[1].sc.frames[13]
    assert len(painter.movers["1:kernel"].get_paths()) == SEP.c_in == len(second_frame.in_channels)
    assert fr.out_channel == 1


def test_the_pointwise_output_written_is_the_sum_of_the_weights_times_the_depthwise_outputs():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    pair = ca.separable(4, 3, c_in=2, c_out=3)
    x, w1, w2 = _values(pair, 7)
    ref = F.conv2d(F.conv2d(torch.tensor(x), torch.tensor(w1), groups=2), torch.tensor(w2)).numpy()
    stage = new_stage(pair, style="flat", numbers=True, x=x, kernel=(w1, w2))
    painter = stage.painters[0]
    first, second = painter.plan.panels
    for u in range(second.n_frames):
        stage.set_frame(first.n_frames + u)
        fr = second.sc.frames[u]
        weights = [float(a.get_text().replace("−", "-")) for a in painter.movers["1:weights"]]
        assert weights == [w2[fr.out_channel, ci, 0, 0] for ci in fr.in_channels]
        sums = [float(a.get_text()[4:].replace("−", "-")) for a in painter.movers["1:sums"]]
        r, c = fr.output_cell
        assert sum(sums) == pytest.approx(ref[fr.out_channel, r, c], abs=0.05 * len(sums))


def test_refusals_name_the_parameter():
    with pytest.raises(ValueError, match=r"^depthwise: .* needs groups == c_in == c_out"):
        ca.Separable(ca.Conv(5, 3, c_in=2, c_out=2), ca.Conv(3, 1, c_in=2, c_out=3))
    with pytest.raises(ValueError, match=r"^pointwise: .* needs k=1"):
        ca.Separable(ca.Conv(5, 3, c_in=2, c_out=2, groups=2), ca.Conv(3, 3, p=1, c_in=2, c_out=3))
    with pytest.raises(ValueError, match=r"^pointwise: its input"):
        ca.Separable(ca.Conv(5, 3, c_in=2, c_out=2, groups=2), ca.Conv(4, 1, c_in=2, c_out=3))
    with pytest.raises(TypeError, match=r"^pointwise must be a Conv"):
        ca.Separable(ca.Conv(5, 3, c_in=2, c_out=2, groups=2), ca.Pool(3, 1, c_in=2))
    with pytest.raises(TypeError, match=r"^c_in must be an int"):
        ca.separable(5, 3, c_in=2.0, c_out=3)
    with pytest.raises(ValueError, match=r"^c_in must be at least 2 for a depthwise separable convolution"):
        ca.separable(5, 3, c_in=1, c_out=3)
    with pytest.raises(ValueError, match=r"^c_out must be positive"):
        ca.separable(5, 3, c_in=2, c_out=0)
    with pytest.raises(ValueError, match=r"^view must be 'grid' for a separable pair"):
        ca.figure(SEP, view="matrix")
    with pytest.raises(ValueError, match=r"^frame 63 is out of range: .* has 63 frames"):
        ca.figure(SEP, frame=63)
    with pytest.raises(TypeError, match=r"^kernel of a separable pair must be a pair \(w1, w2\)"):
        ca.figure(SEP, kernel=np.zeros((3, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"^kernel\[1\] must have shape \(4, 3, 1, 1\)"):
        ca.figure(SEP, kernel=(np.zeros((3, 1, 3, 3)), np.zeros((4, 3))))
    with pytest.raises(ValueError, match=r"^x must have shape \(3, 5, 5\)"):
        ca.render(SEP, "never.gif", x=np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"has 63 frames, more than max_frames=40"):
        ca.animation(SEP, max_frames=40)
    with pytest.raises(TypeError, match=r"^unexpected keyword argument 'colour'"):
        ca.figure(SEP, colour="red")


@pytest.mark.parametrize("argv,message", [
    (["--groups", "3"], "--groups does not go with --separable"),
    (["--pool", "max"], "--pool does not go with --separable"),
    (["--transposed"], "--transposed does not go with --separable"),
    (["--output-padding", "1"], "--output-padding does not go with --separable"),
    (["--view", "both"], "view must be 'grid' for a separable pair"),
    (["--frame", "63"], "frame 63 is out of range"),
])
def test_cli_refuses_in_one_line_with_exit_2(tmp_path, capsys, argv, message):
    from convanim.cli import main

    base = ["render", "-i", "5", "-k", "3", "--c-in", "3", "--c-out", "4", "--separable", "-o", str(tmp_path / "x.png")]
    if argv[0] in ("--groups", "--pool", "--transposed", "--output-padding"):
        base = base[:-2]
        base[0] = "shape"
    assert main(base + argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("convanim: error: ") and message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_cli_one_command_renders_the_pair_and_shape_counts_it(tmp_path, capsys):
    from convanim.cli import main

    out = tmp_path / "sep.gif"
    assert main(["render", "-i", "5", "-k", "3", "--c-in", "3", "--c-out", "4", "--separable", "--numbers",
                 "-o", str(out)]) == 0
    from PIL import Image

    with Image.open(out) as im:
        assert im.n_frames == 63
    assert main(["shape", "-i", "5", "-k", "3", "--c-in", "3", "--c-out", "4", "--separable"]) == 0
    text = capsys.readouterr().out
    assert "weights: depthwise 3*3*3 + pointwise 3*4 = 39 vs 108 standard" in text
    assert "= 243 + 108 = 351 vs 972 standard" in text


def test_caption_counts_weights_and_multiply_adds_against_the_standard_convolution():
    fig = ca.figure(SEP, caption=True)
    caption = next(t.get_text() for t in fig.axes[0].texts if "weights" in t.get_text())
    plain = re.sub(r"[${}]|\\cdot|\\times|\\mathrm", lambda m: {"\\cdot": "·", "\\times": "×"}.get(m.group(), ""),
                   caption)
    plain = " ".join(plain.split())
    assert "weights: depthwise 3 · 3 · 3 + pointwise 3 · 4 = 39 vs 108 standard" in plain
    assert "multiply-adds: 243 + 108 = 351 vs 972 standard" in plain
    assert "input 3×5×5" in plain and "groups = 3" in plain and "4×3×3" in plain


def test_html_player_plays_the_pair(tmp_path):
    path = ca.render(SEP, tmp_path / "sep.html", numbers=True, labels=True)
    page = path.read_text()
    assert 'data-frames="63"' in page
    frames = sorted(int(v) for v in re.findall(r'<polygon points="[^"]*" data-cell-frame="(\d+)"', page))
    assert frames == list(range(63))
    assert "weights: depthwise 3·3·3 + pointwise 3·4 = 39 vs 108 standard" in page
    assert ca.to_html(SEP) == ca.to_html(SEP)  # the same pair, the same bytes


def test_gallery_case_kind_separable():
    from convanim.gallery.catalogue import Case, load_catalogue

    case = load_catalogue()["channels_separable"]
    assert case.spec() == ca.separable(4, 3, c_in=3, c_out=4) and case.section == "Channels"
    assert Case("s", {"kind": "separable", "i": 6, "k": 3, "s": 2, "c_in": 2, "c_out": 5}).spec() == \
        ca.separable(6, 3, 2, 5, s=2)
    with pytest.raises(ValueError, match="groups goes with kind = 'conv'"):
        Case("g", {"kind": "separable", "i": 4, "k": 3, "c_in": 2, "groups": 2}).spec()


def test_draw_on_your_axes_and_the_notebook_player_take_the_pair():
    from matplotlib.figure import Figure

    ax = Figure(figsize=(8, 4)).add_subplot()
    painter = ca.draw(ax, SEP, frame=30, style="flat")
    assert painter.n_frames == 63 and painter.frame == 30
    assert 'data-frames="63"' in ca.Player(SEP)._repr_html_()
    assert ca.animation(SEP, display="player").to_player_html().count('data-cell-frame="62"') == 1
