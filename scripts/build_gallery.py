#!/usr/bin/env python
"""Build the guide's gallery, like make: only what changed is rebuilt.

    python scripts/build_gallery.py                     # everything, into gallery/
    python scripts/build_gallery.py -j 2 dilation       # one case
    python scripts/build_gallery.py --catalogue my.toml --out build/figures

The same engine runs behind `python -m convanim gallery`; see `--help`.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convanim.cli import gallery_main


def main(argv: list[str] | None = None) -> int:
    """Build this checkout's gallery (``gallery/cases.toml`` into ``gallery/``) unless told otherwise."""
    doc = (__doc__ or "").splitlines()
    return gallery_main(argv, prog="build_gallery.py", description=doc[0],
                        epilog="examples:\n" + "\n".join(doc[2:5]),
                        out=str(ROOT / "gallery"), catalogue=str(ROOT / "gallery" / "cases.toml"))


if __name__ == "__main__":
    sys.exit(main())
