"""Animated WebP and video (MP4, MKV, WebM) behind the encoders' protocol.

WebP goes through Pillow; video through imageio-ffmpeg, whose wheel carries an
ffmpeg binary.  ffmpeg is told the container and the codec, never left to guess
them from the file name: it writes a temporary ``.tmp`` file, renamed into
place when the video is whole.
"""
from __future__ import annotations

import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from .encoders import FrameSource, OneFile

__all__ = ["ImageioEncoder", "VIDEO_FORMATS"]


#: Video containers: suffix -> (ffmpeg's format name, codec, its options).  The format is named, never guessed
#: from the file name (the temporary name ends in ``.tmp``); ``bitexact`` keeps the bytes reproducible.
VIDEO_FORMATS = {
    ".mp4": ("mp4", "libx264", ["-crf", "18", "-preset", "medium", "-movflags", "+faststart"]),
    ".mkv": ("matroska", "libx264", ["-crf", "18", "-preset", "medium"]),
    ".webm": ("webm", "libvpx-vp9", ["-crf", "30", "-b:v", "0", "-row-mt", "0", "-threads", "1"]),
}


def _even(rgb: np.ndarray) -> np.ndarray:
    """Pad to even sides by repeating the last row or column: yuv420p halves both."""
    h, w = rgb.shape[:2]
    return np.ascontiguousarray(np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge"))


class ImageioEncoder(OneFile):
    """Animated WebP (Pillow, through imageio) or video: MP4 and MKV (H.264, yuv420p), WebM (VP9).

    Video goes through the ffmpeg binary of imageio-ffmpeg (``pip install imageio-ffmpeg``: its wheel carries
    one), frames streamed to it as they are drawn; odd sides are padded to even ones, as yuv420p requires.
    ffmpeg's exit status is checked: a failure raises ``OSError`` naming the path, in one line.
    """

    def __init__(self, path: Union[str, Path], duration: float = 1.0, *, keep_same: bool = False) -> None:
        super().__init__(path, keep_same=keep_same)
        self.duration = duration
        self.suffix = self.path.suffix.lower()
        self._check_plugin()
        self._frames: list[np.ndarray] = []
        self._writer: Any = None
        self._size: Optional[tuple[int, int]] = None

    def _check_plugin(self) -> None:
        if self.suffix == ".webp":
            from PIL import features

            if not features.check("webp"):
                raise ValueError("path: writing .webp needs Pillow built with WebP support (pip install -U pillow)")
            return
        if self.suffix not in VIDEO_FORMATS:
            raise ValueError(f"path {str(self.path)!r}: no video writer for {self.suffix!r} "
                             f"(use {', '.join(VIDEO_FORMATS)} or .webp)")
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise ValueError(f"path: writing {self.suffix} needs the imageio-ffmpeg plugin "
                             "(pip install imageio-ffmpeg)") from None

    def _fail(self, why: str) -> OSError:
        exc = OSError(f"path {str(self.path)!r}: ffmpeg could not write the {self.suffix} video: {why}")
        exc.convanim_path = str(self.path)  # type: ignore[attr-defined]  # it names the user's path already
        return exc

    def add_frame(self, source: FrameSource) -> None:
        rgb = source.rgb()
        if self.suffix == ".webp":
            # Pillow's WebP writer takes all frames at once.
            self._frames.append(rgb)
            return
        frame = _even(rgb)
        h, w = frame.shape[:2]
        if self._writer is None:
            assert self._atomic is not None, "setup() first"
            self._size = (w, h)
            self._writer = _Ffmpeg(self._atomic.tmp, self.suffix, (w, h), self.duration)
        if (w, h) != self._size:
            raise ValueError(f"path {str(self.path)!r}: every frame of a video must have the same size")
        why = self._writer.write(frame)
        if why is not None:
            raise self._fail(why)

    def finish(self) -> None:
        assert self._atomic is not None, "setup() first"
        if self.suffix == ".webp":
            import imageio.v3 as iio

            iio.imwrite(self._atomic.tmp, np.stack(self._frames), extension=".webp", plugin="pillow",
                        duration=int(self.duration * 1000), loop=0, lossless=True)
        elif self._writer is not None:
            writer, self._writer = self._writer, None
            why = writer.close()
            if why is not None:
                raise self._fail(why)
        super().finish()

    def abort(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.kill()
        super().abort()


class _Ffmpeg:
    """One ffmpeg process reading raw RGB frames on its stdin; its messages kept for the one-line error."""

    def __init__(self, path: Path, suffix: str, size: tuple[int, int], duration: float) -> None:
        import imageio_ffmpeg

        fmt, codec, options = VIDEO_FORMATS[suffix]
        fps = Fraction(1.0 / duration).limit_denominator(1000)
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-",
               "-an", "-c:v", codec, "-pix_fmt", "yuv420p", *options,
               "-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", "-f", fmt, str(path)]
        # Its messages go to a file, not a pipe: a pipe nobody reads could fill and stall ffmpeg.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close() or _why()
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)

    def _why(self) -> str:
        self._log.seek(0)
        lines = [ln.strip() for ln in self._log.read().decode(errors="replace").splitlines() if ln.strip()]
        self._log.close()
        return lines[-1] if lines else f"ffmpeg ended with status {self._proc.returncode}"

    def write(self, frame: np.ndarray) -> Optional[str]:
        """Send one frame; the reason when ffmpeg is gone."""
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(frame.tobytes())
            return None
        except (BrokenPipeError, OSError):
            self.kill()
            return self._why()

    def close(self) -> Optional[str]:
        """Let ffmpeg finish the file; the reason when it fails."""
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        if self._proc.wait() != 0:
            return self._why()
        self._log.close()
        return None

    def kill(self) -> None:
        """Stop ffmpeg now (the file is being thrown away)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
