"""A sphinx-gallery image scraper: the animations an example makes go into its page, as GIFs.

In ``conf.py``::

    sphinx_gallery_conf = {
        "examples_dirs": "examples",
        "gallery_dirs": "auto_examples",
        "image_scrapers": ("matplotlib", "convanim"),
    }

sphinx-gallery then calls ``convanim._get_sg_image_scraper()`` to get
:func:`sphinx_gallery_scraper`.  After each code block it collects what the
block made: every :func:`convanim.animation` (written as a GIF) and every GIF,
PNG or SVG written by :func:`convanim.render`.  Sphinx is not a dependency:
this module imports sphinx-gallery only when sphinx-gallery itself calls it.
"""
from __future__ import annotations

import shutil
import weakref
from pathlib import Path
from typing import Any

__all__ = ["sphinx_gallery_scraper"]

#: What examples made since the last scrape: ("animation", weak reference) or ("file", path).
_MADE: list[tuple[str, Any]] = []
_KEEP = 200  # outside a docs build nobody scrapes: keep the list short


def note(kind: str, obj: Any) -> None:
    """Record something an example made (called by ``render`` and ``animation``).

    Animations are held weakly, so that making many outside a docs build keeps
    no figure alive: an example keeps its animation in a variable.
    """
    _MADE.append((kind, weakref.ref(obj) if kind == "animation" else obj))
    del _MADE[:-_KEEP]


def _rst(paths: list[Path], gallery_conf: dict) -> str:
    if not paths:
        return ""
    try:
        from sphinx_gallery.scrapers import figure_rst
    except ImportError:  # outside a docs build (tests): plain reST, paths relative to the sources
        src = Path(gallery_conf.get("src_dir", "."))
        lines = []
        for p in paths:
            try:
                rel = "/" + Path(p).resolve().relative_to(src.resolve()).as_posix()
            except ValueError:
                rel = Path(p).as_posix()
            lines.append(f".. image:: {rel}\n   :alt: {Path(p).stem}\n   :class: sphx-glr-single-img\n")
        return "\n" + "\n".join(lines) + "\n"
    return figure_rst([str(p) for p in paths], gallery_conf["src_dir"])


def sphinx_gallery_scraper(block: Any, block_vars: dict, gallery_conf: dict, **kwargs: Any) -> str:
    """Save what the code block made into sphinx-gallery's image paths; return the reST that shows it.

    Parameters
    ----------
    block, block_vars, gallery_conf
        As sphinx-gallery passes them; ``block_vars["image_path_iterator"]``
        yields the paths to write (their suffix is replaced by the file's own).

    Returns
    -------
    str
        reST for the images (empty when the block made none).
    """
    items = list(_MADE)
    _MADE.clear()
    paths: list[Path] = []
    iterator = block_vars["image_path_iterator"]
    for kind, obj in items:
        if kind == "file":
            src = Path(obj)
            if not src.exists() or src.suffix.lower() not in (".gif", ".png", ".svg"):
                continue
            dest = Path(next(iterator)).with_suffix(src.suffix.lower())
            shutil.copyfile(src, dest)
        else:
            anim = obj()
            if anim is None:
                continue
            dest = Path(next(iterator)).with_suffix(".gif")
            dest.write_bytes(anim.to_gif_bytes())
        paths.append(dest)
    return _rst(paths, gallery_conf)
