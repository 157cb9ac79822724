"""The gallery: a catalogue of cases (TOML data) and a make-like build.

- :mod:`~convanim.gallery.catalogue`: the cases, read and checked (no drawing);
- :mod:`~convanim.gallery.status`: the manifest, and why a case must be rebuilt;
- :mod:`~convanim.gallery.build`: building cases in worker processes;
- :mod:`~convanim.gallery.page`: ``index.html`` and ``README.md``.

Nothing here imports matplotlib until a case is actually drawn, so a no-op
rebuild costs little more than Python's start-up.  The command line
(``convanim gallery``, ``scripts/build_gallery.py``) lives in :mod:`convanim.cli`.

Examples
--------
>>> from convanim import gallery
>>> cases = gallery.load_catalogue()  # the guide's catalogue, shipped with convanim
>>> cases["dilation"].spec()
Conv(i=7, k=3, d=2)
"""
from __future__ import annotations

from .build import Report, build, build_case, case_frames
from .catalogue import DEFAULT_CATALOGUE, Case, CatalogueError, load_catalogue
from .page import render_index
from .status import MANIFEST, case_targets, frame_names, renderer_digest, why_rebuild

__all__ = ["Case", "CatalogueError", "load_catalogue", "DEFAULT_CATALOGUE", "build", "build_case", "case_frames",
           "Report", "render_index", "renderer_digest", "why_rebuild", "frame_names", "case_targets", "MANIFEST"]
