"""File writers behind one small protocol: ``setup``, ``add_frame``, ``finish``, ``abort``.

Each writer receives frames one by one as they are drawn (never all at once)
and writes to a temporary file beside the target, renamed into place by
``finish``: an interrupted render leaves no broken file.  Output is
deterministic: no dates, no random ids.  Video and WebP: :mod:`convanim.io.video`.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Optional, Protocol, Union

import numpy as np

from ..core.checks import check_duration
from ..drawing.theme import Theme
from .atomic import AtomicFile

__all__ = ["Encoder", "FrameSource", "GifEncoder", "PngEncoder", "PdfEncoder", "SvgEncoder",
           "AtomicFile", "OneFile", "gif_palette", "nearest_lut"]


class FrameSource(Protocol):
    """What an encoder is handed per frame: the figure (vector) and its pixels (raster)."""

    @property
    def figure(self) -> Any: ...

    def rgb(self) -> np.ndarray: ...

    def vector(self) -> Any:
        """A context manager giving the figure ready for a vector ``savefig``."""


class Encoder(Protocol):
    def setup(self) -> None: ...
    def add_frame(self, source: FrameSource) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


# ---- GIF --------------------------------------------------------------------------------------------

#: Palette index of "unchanged since the previous frame"; never a colour.
KEEP = 255


@lru_cache(maxsize=8)
def gif_palette(theme: Theme) -> tuple[bytes, np.ndarray]:
    """A 256-colour palette for ``theme`` and a 32x32x32 lookup table from RGB to palette index.

    The palette holds the theme's flat colours and, between every two of them,
    the blends that anti-aliased edges produce; one palette serves every frame,
    with no dithering, so frames stay small and still parts never flicker.
    """
    keys = np.array(theme.key_colours(), dtype=float)
    colours = [tuple(c) for c in keys]
    pairs = [(a, b) for a in range(len(keys)) for b in range(a + 1, len(keys))]
    steps = max(1, (255 - len(keys)) // max(1, len(pairs)))
    for a, b in pairs:
        for t in np.linspace(0, 1, steps + 2)[1:-1]:
            colours.append(tuple((1 - t) * keys[a] + t * keys[b]))
    # Fill what is left with greys, for text and thin lines on any background.  Index 255 stays free:
    # it marks the pixels a frame leaves as they were (transparent), which keeps frames small.
    for grey in np.linspace(0, 255, max(0, 255 - len(colours)) + 2)[1:-1]:
        colours.append((grey, grey, grey))
    pal = np.clip(np.round(np.array(colours[:255])), 0, 255).astype(np.int64)
    pal = np.concatenate([pal, np.zeros((256 - len(pal), 3), dtype=np.int64)])
    return pal.astype(np.uint8).tobytes(), nearest_lut(pal[:KEEP])


def nearest_lut(pal: np.ndarray) -> np.ndarray:
    """The index of the nearest colour of ``pal`` (squared RGB distance, first on ties) for each cell centre
    of a 32x32x32 cube, red-major: index ``(r >> 3) << 10 | (g >> 3) << 5 | b >> 3``.

    Parameters
    ----------
    pal : ndarray, shape (n, 3)
        Integer colours, n <= 256.

    Returns
    -------
    ndarray, shape (32768,), uint8

    Notes
    -----
    A squared distance is a sum over the three channels, so the green and blue terms of every (green, blue)
    pair are added once (32x32xn) and each red slice adds its own term: 32 small argmins that stay in cache,
    instead of one 32768xn distance matrix.  Integer arithmetic (the largest distance, 3 * 255**2, fits in
    int32) keeps every distance exact, so ties break as before: the lowest index wins.
    """
    grid = np.arange(32, dtype=np.int32) * 8 + 4
    sq = (grid[:, None, None] - np.asarray(pal, dtype=np.int32).T[None, :, :]) ** 2  # (32 levels, 3 channels, n)
    green_blue = sq[:, None, 1, :] + sq[None, :, 2, :]  # (32 green, 32 blue, n)
    lut = np.empty((32, 32, 32), dtype=np.uint8)
    for red in range(32):
        lut[red] = np.argmin(green_blue + sq[red, 0], axis=2)
    return lut.ravel()


def quantize(rgb: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Palette indices of an ``(h, w, 3)`` uint8 image through the lookup table."""
    r = rgb[..., 0].astype(np.uint16) >> 3
    g = rgb[..., 1].astype(np.uint16) >> 3
    b = rgb[..., 2].astype(np.uint16) >> 3
    return lut[(r << 10) | (g << 5) | b]


def _lzw_image_data(indices: np.ndarray, palette: bytes) -> bytes:
    """The LZW-compressed image data of one frame (min code size byte, sub-blocks, terminator), via Pillow."""
    from PIL import Image

    im = Image.fromarray(np.ascontiguousarray(indices), mode="P")
    im.putpalette(palette)
    buf = io.BytesIO()
    im.save(buf, format="GIF", optimize=False, interlace=False)
    data = buf.getvalue()
    pos = 13
    flags = data[10]
    if flags & 0x80:
        pos += 3 * (2 << (flags & 7))
    while data[pos] == 0x21:  # skip extensions
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    if data[pos] != 0x2C:
        raise RuntimeError("unexpected GIF layout from Pillow")
    local = data[pos + 9]
    pos += 10
    if local & 0xC0:
        raise RuntimeError("Pillow wrote a local colour table or interlaced rows; the frame would not match")
    end = pos + 1
    while data[end]:
        end += data[end] + 1
    return data[pos:end + 1]


class GifEncoder:
    """A looping animated GIF, streamed: each frame is written as it comes, only the part that changed.

    Parameters
    ----------
    target : path or binary file object
    theme : Theme
        Gives the shared palette.
    duration : float
        Seconds per frame.
    """

    def __init__(self, target: Union[str, Path, IO[bytes]], theme: Theme, duration: float = 1.0, *,
                 keep_same: bool = False) -> None:
        duration = check_duration(duration)
        self.target = target
        self.palette, self.lut = gif_palette(theme)
        self.delay = max(1, int(round(duration * 100)))
        self._atomic: Optional[AtomicFile] = None
        self._fh: Optional[IO[bytes]] = None
        self._prev: Optional[np.ndarray] = None
        self.frames = 0
        self.keep_same = keep_same

    def setup(self) -> None:
        if isinstance(self.target, (str, Path)):
            self._atomic = AtomicFile(self.target, keep_same=self.keep_same)
            self._fh = open(self._atomic.tmp, "wb")  # noqa: SIM115 - frames stream in until finish() or abort()
        else:
            self._fh = self.target

    def add_frame(self, source: FrameSource) -> None:
        self.add_rgb(source.rgb())

    def add_rgb(self, rgb: np.ndarray) -> None:
        assert self._fh is not None, "setup() first"
        idx = quantize(rgb, self.lut)
        h, w = idx.shape
        fh = self._fh
        if self._prev is None:
            fh.write(b"GIF89a" + w.to_bytes(2, "little") + h.to_bytes(2, "little") + bytes([0xF7, 0, 0]))
            fh.write(self.palette)
            fh.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever
            top, left, bottom, right = 0, 0, h, w
        else:
            changed = idx != self._prev
            rows = np.flatnonzero(changed.any(axis=1))
            if rows.size:
                cols = np.flatnonzero(changed.any(axis=0))
                top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
            else:
                top, bottom, left, right = 0, 1, 0, 1  # an unchanged frame still counts as a frame
        patch = idx[top:bottom, left:right]
        if self._prev is not None:
            # Pixels that did not change become transparent: long runs that LZW packs into little.
            patch = np.where(patch == self._prev[top:bottom, left:right], KEEP, patch).astype(np.uint8)
            flags = b"\x05"  # disposal 1 (keep the previous frame under this one) + transparency
        else:
            flags = b"\x04"
        self._prev = idx
        fh.write(b"\x21\xf9\x04" + flags + self.delay.to_bytes(2, "little") + bytes([KEEP, 0]))
        fh.write(b"\x2c" + left.to_bytes(2, "little") + top.to_bytes(2, "little")
                 + (right - left).to_bytes(2, "little") + (bottom - top).to_bytes(2, "little") + b"\x00")
        fh.write(_lzw_image_data(patch, self.palette))
        self.frames += 1

    def finish(self) -> None:
        assert self._fh is not None
        self._fh.write(b"\x3b")
        if self._atomic is not None:
            fh, self._fh = self._fh, None
            fh.close()
            self._atomic.commit()
        else:
            self._fh.flush()

    def abort(self) -> None:
        if self._atomic is not None:
            try:
                if self._fh is not None:
                    self._fh.close()  # may fail again on a full disk: the file goes anyway
            except OSError:
                pass
            finally:
                self._fh = None
                self._atomic.discard()


# ---- one-frame and paged writers --------------------------------------------------------------------

class OneFile:
    """A writer of one file at ``path``: written to a temporary name, renamed into place by ``finish``."""

    def __init__(self, path: Union[str, Path], *, keep_same: bool = False) -> None:
        self.path = Path(path)
        self.keep_same = keep_same
        self._atomic: Optional[AtomicFile] = None
        #: When set, ``finish`` leaves the file under its temporary name until ``commit`` (so that a series of
        #: frames appears all at once, or not at all).
        self.defer_commit = False

    def setup(self) -> None:
        self._atomic = AtomicFile(self.path, keep_same=self.keep_same)

    def finish(self) -> None:
        assert self._atomic is not None, "setup() first"
        if not self.defer_commit:
            self.commit()

    def commit(self) -> None:
        assert self._atomic is not None, "setup() first"
        self._atomic.commit()

    def abort(self) -> None:
        if self._atomic is not None:
            self._atomic.discard()


class PngEncoder(OneFile):
    """One PNG of the current frame."""

    def add_frame(self, source: FrameSource) -> None:
        self.add_rgb(source.rgb())

    def add_rgb(self, rgb: np.ndarray) -> None:
        from PIL import Image

        assert self._atomic is not None, "setup() first"
        Image.fromarray(rgb).save(self._atomic.tmp, format="PNG", compress_level=4)


PDF_METADATA = {"Creator": "convanim", "Producer": "convanim (matplotlib)", "CreationDate": None}


class PdfEncoder(OneFile):
    """A PDF, one page per frame added, text kept as text."""

    def __init__(self, path: Union[str, Path], *, keep_same: bool = False) -> None:
        super().__init__(path, keep_same=keep_same)
        self._pdf: Any = None

    def setup(self) -> None:
        from matplotlib.backends.backend_pdf import PdfPages

        super().setup()
        assert self._atomic is not None
        self._pdf = PdfPages(self._atomic.tmp, metadata=PDF_METADATA)

    def add_frame(self, source: FrameSource) -> None:
        import matplotlib

        with matplotlib.rc_context({"pdf.fonttype": 42}), source.vector() as fig:
            self._pdf.savefig(fig)

    def finish(self) -> None:
        import matplotlib

        # Fonts are embedded on close: TrueType (42) keeps text selectable and searchable.
        with matplotlib.rc_context({"pdf.fonttype": 42}):
            self._pdf.close()
        super().finish()

    def abort(self) -> None:
        pdf, self._pdf = self._pdf, None
        if pdf is not None:
            try:
                pdf.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away
                pass
        super().abort()


class SvgEncoder(OneFile):
    """One SVG of the current frame, text kept as text."""

    def add_frame(self, source: FrameSource) -> None:
        import matplotlib

        assert self._atomic is not None, "setup() first"
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "convanim"}), source.vector() as fig:
            fig.savefig(self._atomic.tmp, format="svg", metadata={"Date": None})
