"""Split a multi-page PDF, as matplotlib's PDF backend writes it, into one single-page PDF per page.

Why: matplotlib embeds (and subsets with fontTools) every font face again in each
PDF file it writes, which was half the CPU of a gallery build with a PDF per
frame.  Drawing a case's frames into ONE multi-page PDF subsets each face once;
this module then copies each page, with the objects it reaches (its contents,
resources, fonts), into a file of its own.  Streams are copied byte for byte, so
each page draws exactly as it did in the multi-page file; text stays text.

Only what the splitter needs of PDF is read: a classic cross-reference table
(no cross-reference or object streams, which matplotlib never writes) and
dictionaries around the ``stream`` keyword; anything else is refused with a
``ValueError``.  Output is a function of the input bytes alone: same PDF, same
pages, same bytes.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from .atomic import AtomicFile

__all__ = ["split_pdf", "PdfFramesEncoder"]

_REF = re.compile(rb"(/Parent\s+)?\b(\d+)\s+0\s+R\b")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+0\s+R")
_INFO = re.compile(rb"/Info\s+(\d+)\s+0\s+R")
_PAGES = re.compile(rb"/Pages\s+(\d+)\s+0\s+R")


class _Object:
    """One indirect object: its dictionary (or value) text, where references are, and its stream, if any."""

    def __init__(self, body: bytes) -> None:
        at = body.find(b"stream")
        if at >= 0 and body[:at].rstrip().endswith(b">>"):
            self.head, self.stream = body[:at], body[at:]
        else:
            self.head, self.stream = body, b""

    def refs(self) -> list[int]:
        """The objects this one refers to, in the order written, its parent page tree node left out."""
        return [int(m.group(2)) for m in _REF.finditer(self.head) if not m.group(1)]


def _objects(data: bytes) -> tuple[dict[int, _Object], bytes]:
    """Every in-use object of ``data`` by number, and the trailer dictionary."""
    tail = data[-1024:]
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", tail)
    if not found:
        raise ValueError("not a PDF: no startxref at its end")
    xref = int(found.group(1))
    if not data.startswith(b"xref", xref):
        raise ValueError("a PDF with a cross-reference stream: only classic tables are read")
    lines = data[xref:].split(b"trailer", 1)
    if len(lines) != 2:
        raise ValueError("a PDF without a trailer")
    table, trailer = lines
    offsets: dict[int, int] = {}
    rows = table.split()[1:]  # after "xref": subsections of "first count", then count "offset gen kind" rows
    i = 0
    while i < len(rows):
        first, count = int(rows[i]), int(rows[i + 1])
        i += 2
        for n in range(count):
            offset, kind = int(rows[i]), rows[i + 2]
            i += 3
            if kind == b"n":
                offsets[first + n] = offset
    if b"/XRefStm" in trailer or b"/ObjStm" in data:
        raise ValueError("a PDF with object streams: only plain objects are read")
    starts = sorted(offsets.values()) + [xref]
    following = dict(zip(starts, starts[1:]))
    objects: dict[int, _Object] = {}
    for number, offset in offsets.items():
        span = data[offset:following[offset]]
        header = re.match(rb"\s*(\d+)\s+0\s+obj\b", span)
        end = span.rfind(b"endobj")
        if not header or int(header.group(1)) != number or end < 0:
            raise ValueError(f"object {number} is not where the cross-reference table puts it")
        objects[number] = _Object(span[header.end():end].strip(b"\r\n"))
    return objects, trailer


def split_pdf(data: bytes) -> list[bytes]:
    """One single-page PDF per page of ``data``, in page order.

    Parameters
    ----------
    data : bytes
        A PDF as matplotlib's PDF backend writes it (e.g. through ``PdfPages``).

    Returns
    -------
    list of bytes
        Each a whole PDF: the page, its MediaBox, contents and resources (fonts
        included, as embedded in ``data``), the document information of ``data``.

    Raises
    ------
    ValueError
        Where ``data`` is not such a PDF.
    """
    objects, trailer = _objects(data)
    root = _ROOT.search(trailer)
    if not root:
        raise ValueError("a PDF without a /Root")
    info_ref = _INFO.search(trailer)
    pages = _PAGES.search(objects[int(root.group(1))].head)
    if not pages:
        raise ValueError("a catalogue without /Pages")
    kids = _KIDS.search(objects[int(pages.group(1))].head)
    if not kids:
        raise ValueError("a page tree without /Kids")
    page_numbers = [int(n) for n in re.findall(rb"(\d+)\s+0\s+R", kids.group(1))]
    for n in page_numbers:
        if not re.search(rb"/Type\s*/Page\b(?!s)", objects[n].head):
            raise ValueError(f"object {n} in /Kids is not a page (nested page trees are not read)")
    version = data[:data.index(b"\n") + 1] if data.startswith(b"%PDF-") else b"%PDF-1.4\n"
    info = int(info_ref.group(1)) if info_ref else None
    return [_one_page(objects, page, info, version) for page in page_numbers]


def _one_page(objects: dict[int, _Object], page: int, info: Optional[int], version: bytes) -> bytes:
    """The file of one page: catalogue 1, page tree 2, then the page and what it reaches (first seen, first
    numbered), then the document information."""
    order = [page]
    seen = {page}
    for number in order:  # grows as it goes: breadth first
        for ref in objects[number].refs():
            if ref not in seen:
                if ref not in objects:
                    raise ValueError(f"object {number} refers to {ref}, which the PDF does not have")
                seen.add(ref)
                order.append(ref)
    new = {old: i for i, old in enumerate(order, start=3)}
    if info is not None:
        new[info] = len(order) + 3

    def renumber(match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return b"/Parent 2 0 R"
        return b"%d 0 R" % new[int(match.group(2))]

    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>"]
    bodies += [_REF.sub(renumber, objects[old].head) + objects[old].stream for old in order]
    if info is not None:
        bodies.append(objects[info].head + objects[info].stream)
    out = bytearray(version + b"%\xac\xdc \xab\xba\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R" % (len(bodies) + 1)
    if info is not None:
        out += b" /Info %d 0 R" % len(bodies)
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


class PdfFramesEncoder:
    """One PDF file per frame added, written at ``finish``: the frames are drawn into one multi-page PDF in
    memory (each font face subset once, for all of them), then split, page ``t`` to ``paths[t]``.

    Parameters
    ----------
    paths : sequence of paths
        One per frame that will be added, in order.
    keep_same : bool
        Leave a file that already holds the bytes untouched (times too).
    """

    def __init__(self, paths: Sequence[Union[str, Path]], *, keep_same: bool = False) -> None:
        self.paths = [Path(p) for p in paths]
        self.keep_same = keep_same
        self._buffer: Optional[io.BytesIO] = None
        self._pdf: Any = None

    def setup(self) -> None:
        from matplotlib.backends.backend_pdf import PdfPages

        from .encoders import PDF_METADATA

        self._buffer = io.BytesIO()
        self._pdf = PdfPages(self._buffer, metadata=PDF_METADATA)

    def add_frame(self, source: Any) -> None:
        import matplotlib

        with matplotlib.rc_context({"pdf.fonttype": 42}), source.vector() as fig:
            self._pdf.savefig(fig)

    def finish(self) -> None:
        import matplotlib

        assert self._buffer is not None, "setup() first"
        pdf, self._pdf = self._pdf, None
        with matplotlib.rc_context({"pdf.fonttype": 42}):  # fonts are embedded on close, as TrueType
            pdf.close()
        pages = split_pdf(self._buffer.getvalue())
        if len(pages) != len(self.paths):
            raise RuntimeError(f"{len(pages)} PDF pages for {len(self.paths)} files")
        for path, page in zip(self.paths, pages):
            target = AtomicFile(path, keep_same=self.keep_same)
            try:
                target.tmp.write_bytes(page)
                target.commit()
            except BaseException:
                target.discard()
                raise

    def abort(self) -> None:
        pdf, self._pdf = self._pdf, None
        if pdf is not None:
            try:
                pdf.close()
            except Exception:  # noqa: BLE001 - nothing is written from it
                pass
