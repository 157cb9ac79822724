"""A sphinx-gallery image scraper: what an example makes goes into its page.

In ``conf.py``::

    sphinx_gallery_conf = {
        "examples_dirs": "examples",
        "gallery_dirs": "auto_examples",
        "image_scrapers": ("matplotlib", "convanim"),
    }

sphinx-gallery then calls ``convanim._get_sg_image_scraper()`` to get
:func:`sphinx_gallery_scraper` (the string keeps ``conf.py`` picklable, so
Sphinx can cache it and a ``-W`` build passes).  After each code block it looks
at what sphinx-gallery hands it, the example's variables and the block's code,
and collects what is new since the last block:

- every :func:`convanim.animation` kept in a variable, written as a GIF (or, made with
  ``display="player"``, embedded as the HTML player the reader drives);
- every Figure kept in a variable that pyplot does not manage (what
  :func:`convanim.figure` and the still-figure functions return), as a PNG
  (pyplot's figures are the ``"matplotlib"`` scraper's);
- every GIF, PNG or SVG file written by :func:`convanim.render` whose path is in
  a variable or written in the block (relative to the example's folder or to a
  folder held in a variable); a ``{frame}`` pattern gives one image, its first frame.

Each animation also leaves a still PNG beside its GIF, which sphinx-gallery
prefers for the thumbnail.  Sphinx is not a dependency: nothing here imports it.
"""
from __future__ import annotations

import ast
import io
import os
import shutil
import weakref
from pathlib import Path
from typing import Any, Iterator, Optional

__all__ = ["sphinx_gallery_scraper", "IMAGE_SUFFIXES"]

#: The files a page can show, as sphinx-gallery knows them.
IMAGE_SUFFIXES = (".gif", ".png", ".svg")
_SEEN = "convanim_seen"  # key in sphinx-gallery's per-example block_vars


def _rst(paths: list[Path], gallery_conf: dict[str, Any]) -> str:
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
    return str(figure_rst([str(p) for p in paths], gallery_conf["src_dir"]))


def _literals(code: str) -> Iterator[str]:
    """The string constants of a block, in order (an f-string's parts are skipped)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 4096:
            yield node.value


def _file_candidates(block: Any, example_globals: dict[str, Any]) -> Iterator[Path]:
    """Image files named by the example's variables or by the block's code."""
    folders = [Path.cwd()]
    for value in example_globals.values():
        if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes):
            try:
                p = Path(value)
                if p.suffix.lower() in IMAGE_SUFFIXES and "{frame" not in p.name:
                    yield p
                elif p.is_dir():
                    folders.append(p)
            except (OSError, ValueError, TypeError):
                continue
    code = getattr(block, "content", None)
    if code is None and isinstance(block, (tuple, list)) and len(block) > 1:
        code = block[1]
    for text in _literals(code or ""):
        if Path(text).suffix.lower() not in IMAGE_SUFFIXES:
            continue
        if "{frame" in text:
            try:
                text = text.format(frame=0)  # a pattern: its first frame stands for all
            except (KeyError, IndexError, ValueError, AttributeError):
                continue
        for folder in folders:
            yield folder / text


def _figure_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _still_of(anim: Any) -> bytes:
    """The first frame of a convanim animation, as a PNG (the thumbnail)."""
    from PIL import Image

    stage = anim.stage
    stage.set_frame(0)
    buf = io.BytesIO()
    Image.fromarray(stage.rgb()).save(buf, format="PNG")
    return buf.getvalue()


def _gif_still(src: Path, dest: Path) -> None:
    from PIL import Image

    with Image.open(src) as im:
        im.seek(0)
        im.convert("RGB").save(dest, format="PNG")


def sphinx_gallery_scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any],
                           **kwargs: Any) -> str:
    """Save what the code block made into sphinx-gallery's image paths; return the reST that shows it.

    Parameters
    ----------
    block : sphinx_gallery's Block ``(type, content, lineno)``
        The code just run: file names written in it are looked for.
    block_vars : dict
        ``block_vars["example_globals"]``, the example's variables, holds the
        animations, figures and paths it made; ``block_vars["image_path_iterator"]``
        yields the paths to write (their suffix is replaced by the image's own).
    gallery_conf : dict
        sphinx-gallery's configuration (``src_dir``).

    Returns
    -------
    str
        reST for the images (empty when the block made nothing new).

    Examples
    --------
    >>> sphinx_gallery_scraper(("code", "x = 1", 1), {"example_globals": {"x": 1}, "image_path_iterator": iter(())},
    ...                        {"src_dir": "."})
    ''
    """
    from matplotlib.figure import Figure

    from .render import ConvAnimation

    example_globals: dict[str, Any] = block_vars.get("example_globals") or {}
    seen = block_vars.setdefault(_SEEN, {"objects": weakref.WeakSet(), "files": {}})
    iterator = block_vars["image_path_iterator"]
    paths: list[Path] = []
    raws: list[str] = []

    def next_path(suffix: str) -> Path:
        return Path(next(iterator)).with_suffix(suffix)

    for name, value in list(example_globals.items()):
        # "___" is the block's last expression: sphinx-gallery shows it through its _repr_html_ already.
        if name == "___" or name.startswith("__"):
            continue
        if isinstance(value, (ConvAnimation, Figure)) and value in seen["objects"]:
            continue
        if isinstance(value, ConvAnimation) and value.display == "player":
            # The player the reader drives, in the page itself; its first frame is the thumbnail.
            seen["objects"].add(value)
            still = next_path(".png")
            still.write_bytes(_still_of(value))
            raws.append(value.to_player_html())
        elif isinstance(value, ConvAnimation):
            seen["objects"].add(value)
            dest = next_path(".gif")
            dest.write_bytes(value.to_gif_bytes())
            dest.with_suffix(".png").write_bytes(_still_of(value))  # preferred for the thumbnail
            paths.append(dest)
        elif isinstance(value, Figure) and getattr(value.canvas, "manager", None) is None:
            seen["objects"].add(value)
            dest = next_path(".png")
            dest.write_bytes(_figure_png(value))
            paths.append(dest)
    done: set[Path] = set()
    for candidate in _file_candidates(block, example_globals):
        src = _existing(candidate)
        if src is None or src in done:
            continue
        done.add(src)
        stamp = (src.stat().st_mtime_ns, src.stat().st_size)
        if seen["files"].get(src) == stamp:
            continue  # shown by an earlier block, and not written again since
        seen["files"][src] = stamp
        dest = next_path(src.suffix.lower())
        shutil.copyfile(src, dest)
        if dest.suffix == ".gif":
            _gif_still(src, dest.with_suffix(".png"))
        paths.append(dest)
    rst = _rst(paths, gallery_conf)
    for html in raws:
        rst += "\n.. raw:: html\n\n" + "".join(f"    {line}\n" for line in html.splitlines()) + "\n"
    return rst


def _existing(path: Path) -> Optional[Path]:
    try:
        return path.resolve() if path.is_file() else None
    except (OSError, ValueError):
        return None
