#!/usr/bin/env python
"""Build the guide's gallery, like make: only what changed is rebuilt.

    python scripts/build_gallery.py                     # everything, into gallery/
    python scripts/build_gallery.py -j 2 dilation       # one case
    python scripts/build_gallery.py --catalogue my.toml --out build/figures

The same engine runs behind `python -m convanim gallery`; see `--help`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convanim.cli import UsageError, _fail, add_gallery_options  # noqa: E402
from convanim.gallery import run_from_args  # noqa: E402


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="build_gallery.py", description=__doc__.splitlines()[0],
                     epilog="examples:\n" + "\n".join(__doc__.splitlines()[2:5]),
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_gallery_options(parser)
    parser.set_defaults(out=str(ROOT / "gallery"), catalogue=str(ROOT / "gallery" / "cases.toml"))
    try:
        return run_from_args(parser.parse_args(argv))
    except (UsageError, ValueError, TypeError, OSError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("convanim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
