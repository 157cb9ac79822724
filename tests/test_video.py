"""Video: MP4 and MKV (H.264, yuv420p, even sides), WebM (VP9), decoded back and compared with the GIF's frames;
deterministic; a failed write leaves nothing and says why in one line (exit 2 in the CLI)."""
from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image

import convanim as ca
from convanim.cli import main

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")


def probe(path) -> dict:
    """Codec, pixel format, size and frame count, from ffmpeg's own reading of the file."""
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    r = subprocess.run([exe, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
                       capture_output=True, text=True)
    stream = next(ln for ln in r.stderr.splitlines() if "Video:" in ln)
    frames = [ln for ln in r.stderr.replace("\r", "\n").splitlines() if ln.startswith("frame=")]
    return {"stream": stream, "frames": int(frames[-1].split("=")[1].split()[0])}


def decoded(path) -> list[np.ndarray]:
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = next(reader)
    w, h = meta["size"]
    return [np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader]


def gif_frames(path) -> list[np.ndarray]:
    im = Image.open(path)
    out = []
    for t in range(im.n_frames):
        im.seek(t)
        out.append(np.asarray(im.convert("RGB")))
    return out


@pytest.mark.parametrize("suffix, codec", [(".mp4", "h264"), (".mkv", "h264"), (".webm", "vp9")])
def test_video_decodes_to_the_frames_drawn(tmp_path, suffix, codec):
    spec = ca.Conv(5, 3, s=2, p=1)
    out = ca.render(spec, tmp_path / f"a{suffix}")
    gif = ca.render(spec, tmp_path / "a.gif")
    info = probe(out)
    assert f"Video: {codec}" in info["stream"] and "yuv420p" in info["stream"]
    frames = decoded(out)
    reference = gif_frames(gif)
    assert len(frames) == len(reference) == 9 == info["frames"]
    h, w = reference[0].shape[:2]
    assert frames[0].shape[:2] == (h + h % 2, w + w % 2)  # odd sides padded to even ones
    for got, want in zip(frames, reference):
        # Lossy, chroma halved: close on average; the kernel's place must be right in every frame.
        diff = np.abs(got[:h, :w].astype(int) - want.astype(int))
        assert diff.mean() < 6, diff.mean()
    # each decoded frame is closest to its own GIF frame (the kernel moves)
    for t, got in enumerate(frames):
        errors = [np.abs(got[:h, :w].astype(int) - r.astype(int)).mean() for r in reference]
        assert int(np.argmin(errors)) == t
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_video_is_byte_identical_across_runs(tmp_path, suffix):
    a = ca.render(ca.Conv(4, 3), tmp_path / f"a{suffix}").read_bytes()
    b = ca.render(ca.Conv(4, 3), tmp_path / f"b{suffix}").read_bytes()
    assert a == b


def test_odd_and_even_sizes_and_durations(tmp_path):
    out = ca.render(ca.Conv((4, 6), (3, 2)), tmp_path / "r.mp4", duration=0.5, dpi=73)
    frames = decoded(out)
    assert len(frames) == 2 * 5 and all(s % 2 == 0 for s in frames[0].shape[:2])
    meta = next(imageio_ffmpeg.read_frames(str(out)))
    assert meta["fps"] == pytest.approx(2.0)


def test_a_failed_video_write_leaves_nothing_and_says_why(tmp_path, monkeypatch, capsys):
    from convanim.io import video

    monkeypatch.setitem(video.VIDEO_FORMATS, ".mp4", ("mp4", "no-such-codec", []))
    with pytest.raises(OSError) as info:
        ca.render(ca.Conv(4, 3), tmp_path / "a.mp4")
    message = str(info.value)
    assert message.startswith(f"path {str(tmp_path / 'a.mp4')!r}: ffmpeg could not write the .mp4 video")
    assert "\n" not in message and ".tmp" not in message
    assert list(tmp_path.iterdir()) == []
    assert main(["render", "-i", "4", "-k", "3", "-o", str(tmp_path / "b.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("convanim: error: path ") and "Traceback" not in err[0]
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_a_video(tmp_path):
    assert main(["render", "-i", "5", "-k", "3", "-s", "2", "-o", str(tmp_path / "v.webm")]) == 0
    assert probe(tmp_path / "v.webm")["frames"] == 4
    assert json.dumps(sorted(p.name for p in tmp_path.iterdir())) == '["v.webm"]'
