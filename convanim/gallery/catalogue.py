"""The catalogue: cases as data (TOML tables keyed by case name), read and checked.

Nothing here draws or imports matplotlib: reading and checking a catalogue is
cheap, so that a no-op rebuild stays fast.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ..core.checks import check_duration

if TYPE_CHECKING:
    from ..core.spec import Spec
    from ..drawing.plan import Plan

__all__ = ["Case", "CatalogueError", "load_catalogue", "DEFAULT_CATALOGUE", "LAYER_KINDS", "STILL_KINDS",
           "SECTIONS", "KNOWN_KEYS", "MAX_NAME"]

#: The guide's catalogue, shipped inside the package (a checkout builds its own ``gallery/cases.toml``).
DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "cases.toml"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
#: Longest case name: ``pdf/NAME_NNNN.pdf`` and its temporary name must fit a file name (255 bytes).
MAX_NAME = 128

_SPEC_KEYS = {"kind", "i", "k", "s", "p", "d", "transposed", "output_padding", "mode", "ceil_mode", "c_in", "c_out",
              "groups", "layers", "padding_mode"}
_LOOK_KEYS = {"numbers", "labels", "caption", "style", "theme", "duration", "x", "kernel", "view"}
_PAGE_KEYS = {"section", "title"}
KNOWN_KEYS = _SPEC_KEYS | _LOOK_KEYS | _PAGE_KEYS
LAYER_KINDS = ("conv", "conv_transpose", "pool", "separable", "stack")  # separable: depthwise then pointwise
#: The guide's still figures, one frame each.
STILL_KINDS = ("kernel", "channels", "subsampling", "positions")

SECTIONS = ("Convolutions", "Transposed convolutions", "Dilated convolutions", "Pooling", "Numbers", "Matrix view",
            "Padding, 1D and 3D", "Receptive fields", "Overlap",
            "Channels", "Still figures", "Other")


class CatalogueError(ValueError):
    """The catalogue file cannot be read at all (missing, or not TOML): one line, naming the line."""


@dataclass(frozen=True)
class Case:
    """One entry of the catalogue: its name and its table, as written.

    Examples
    --------
    >>> case = Case("padding_strides", {"kind": "conv", "i": 5, "k": 3, "s": 2, "p": 1})
    >>> case.spec()
    Conv(i=5, k=3, s=2, p=1)
    >>> case.section
    'Convolutions'
    """

    name: str
    table: dict[str, Any]

    @property
    def digest(self) -> str:
        """Hash of the entry as written; with the renderer's, decides whether it must be rebuilt."""
        return hashlib.sha256(json.dumps(self.table, sort_keys=True).encode()).hexdigest()

    def check(self) -> None:
        """Raise ValueError naming what is wrong with this entry (name, keys, types)."""
        if not NAME_RE.fullmatch(self.name):  # match's "$" would let a final newline through
            raise ValueError(f"case name {self.name!r} must use only letters, digits, '_' and '-'")
        if len(self.name) > MAX_NAME:
            raise ValueError(f"case name {self.name[:20]!r}... is {len(self.name)} characters long; "
                             f"at most {MAX_NAME} fit a file name")
        unknown = sorted(set(self.table) - KNOWN_KEYS)
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
        kind = self.table.get("kind")
        if kind not in LAYER_KINDS + STILL_KINDS:
            raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS + STILL_KINDS)}, got {kind!r}")
        if kind == "stack" or "layers" in self.table:
            # Layers in a row, in the one-line form of convanim.core.stack_text: "conv k=3; maxpool k=2".
            if kind != "stack":
                raise ValueError("layers goes with kind = 'stack'")
            if not isinstance(self.table.get("layers"), str):
                raise ValueError('kind = "stack" needs layers = "conv k=3; ..." (a string, layers separated by ;)')
            extra = sorted(set(self.table) & (_SPEC_KEYS - {"kind", "i", "layers", "c_in"}))
            if extra:
                raise ValueError(f"{extra[0]} does not go with kind = 'stack': give it in each layer of layers")
        for key in ("c_in", "c_out"):
            if key in self.table and kind not in ("channels", "conv", "separable", "stack"):
                raise ValueError(f"{key} goes with kind = 'channels', 'conv', 'separable' or 'stack'")
        if "groups" in self.table and kind != "conv":
            raise ValueError("groups goes with kind = 'conv'")
        for key in ("transposed", "ceil_mode", "numbers", "labels", "caption"):
            if key in self.table and not isinstance(self.table[key], bool):
                raise ValueError(f"{key} must be true or false, got {self.table[key]!r}")
        for key in ("title", "section"):
            # Checked here, not when the page is written: a bad title must not cost a whole build.
            if key in self.table and not (isinstance(self.table[key], str) and self.table[key].strip()):
                raise ValueError(f"{key} must be a non-empty string, got {self.table[key]!r}")
        if kind in STILL_KINDS:
            # A still figure is drawn as the guide's: these options draw layers, and would be silently dropped.
            dropped = sorted(set(self.table) & {"numbers", "labels", "caption", "style", "view"})
            if dropped:
                raise ValueError(f"{dropped[0]} does not go with kind = {kind!r} (a still figure of the guide)")
        if "transposed" in self.table and kind != "conv":
            raise ValueError("transposed goes with kind = 'conv' (use kind = 'conv_transpose' for its own input)")
        if "output_padding" in self.table and kind != "conv_transpose":
            raise ValueError("output_padding goes with kind = 'conv_transpose'")
        for key in ("mode", "ceil_mode"):
            if key in self.table and kind != "pool":
                raise ValueError(f"{key} goes with kind = 'pool'")
        if "padding_mode" in self.table and kind != "conv":
            raise ValueError("padding_mode goes with kind = 'conv'")

    def spec(self) -> Optional[Spec]:
        """The layer this case draws (None for the still figures that have none)."""
        from ..core.spec import Conv, ConvTranspose, Pool

        self.check()
        t: dict[str, Any] = {key: (tuple(v) if isinstance(v, list) else v) for key, v in self.table.items()}
        if t["kind"] in ("kernel", "channels", "subsampling"):
            return None
        if t["kind"] == "stack":
            from ..core.stack import Stack

            if "i" not in t:
                raise ValueError("i is required")
            return Stack.from_text(t["layers"], t["i"], t.get("c_in", 1))  # type: ignore[return-value]
        if "i" not in t or "k" not in t:
            raise ValueError("i and k are required")
        common: dict[str, Any] = dict(i=t["i"], k=t["k"], p=t.get("p", 0), d=t.get("d", 1))
        if t["kind"] == "pool":
            return Pool(s=t.get("s"), mode=t.get("mode", "max"), ceil_mode=t.get("ceil_mode", False), **common)
        if t["kind"] == "conv_transpose":
            return ConvTranspose(s=t.get("s", 1), output_padding=t.get("output_padding", 0), **common)
        if t["kind"] == "separable":
            from ..core.separable import separable

            return separable(c_in=t.get("c_in", 1), c_out=t.get("c_out", 1), s=t.get("s", 1),  # type: ignore[return-value]
                             **common)
        channels: dict[str, Any] = {key: t[key] for key in ("c_in", "c_out", "groups") if key in t}
        if "padding_mode" in t:
            channels["padding_mode"] = t["padding_mode"]
        conv = Conv(s=t.get("s", 1), **common, **channels)  # kind conv, or the layer of a positions figure
        return conv.transpose() if t.get("transposed") else conv

    @property
    def still(self) -> bool:
        """Whether this is one of the guide's still figures (one frame, no animation)."""
        return self.table.get("kind") in STILL_KINDS

    def still_plan(self) -> Plan:
        """The plan of a still case (kind kernel, channels, subsampling or positions)."""
        from ..drawing import figures

        self.check()
        t, kind = self.table, self.table["kind"]
        theme = t.get("theme")
        if kind == "kernel":
            return figures.kernel_plan(t.get("kernel"), theme=theme)
        if kind == "channels":
            return figures.channels_plan(t.get("c_in", 2), t.get("c_out", 3), t.get("i", 5), t.get("k", 3),
                                           theme=theme)
        if kind == "subsampling":
            return figures.subsampling_plan(t.get("i", 5), t.get("k", 3), t.get("s", 2), x=t.get("x"),
                                              kernel=t.get("kernel"), theme=theme)
        spec = self.spec()
        assert spec is not None  # kind "positions" has a layer
        return figures.positions_plan(spec, theme=theme)

    def look(self) -> dict[str, Any]:
        """The drawing options of this case, as keywords of :func:`convanim.render`."""
        return {key: self.table[key] for key in ("numbers", "labels", "caption", "style", "theme", "view", "x",
                                                 "kernel") if key in self.table}

    @property
    def duration(self) -> float:
        """Seconds per frame of the GIF (checked as every entry point checks ``duration``)."""
        return check_duration(self.table.get("duration", 1.0))

    @property
    def title(self) -> str:
        """The heading on the gallery page."""
        return str(self.table.get("title", self.name.replace("_", " ")))

    @property
    def section(self) -> str:
        """The gallery page's section for this case (its ``section`` key, else from its kind and options)."""
        if "section" in self.table:
            return str(self.table["section"])
        t = self.table
        if self.still:
            return "Still figures"
        if t.get("kind") == "stack":
            return "Receptive fields"
        if t.get("view") == "overlap":
            return "Overlap"
        if t.get("view") in ("matrix", "both"):
            return "Matrix view"
        i, p = t.get("i"), t.get("p", 0)
        if "padding_mode" in t or isinstance(p, str) or (isinstance(i, list) and len(i) != 2) or (
                isinstance(p, list) and any(isinstance(v, list) for v in p)):
            return "Padding, 1D and 3D"
        if any(key in t for key in ("c_in", "c_out", "groups")):
            return "Channels"
        if t.get("numbers"):
            return "Numbers"
        if t.get("kind") == "pool":
            return "Pooling"
        if t.get("transposed") or t.get("kind") == "conv_transpose":
            return "Transposed convolutions"
        if t.get("d", 1) not in (1, [1, 1]):
            return "Dilated convolutions"
        return "Convolutions" if t.get("kind") == "conv" else "Other"


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python < 3.11
        import tomli as tomllib
    return tomllib.loads(text)


def load_catalogue(path: Union[os.PathLike[str], str] = DEFAULT_CATALOGUE) -> dict[str, Case]:
    """Read a catalogue: ``{name: Case}`` in file order.

    Raises
    ------
    CatalogueError
        If the file is missing or is not valid TOML (the message names the line).
        A table that is not a case (a bare key at the top) is an error too;
        mistakes inside a case are reported when that case is built.

    Examples
    --------
    >>> cases = load_catalogue()
    >>> cases["padding_strides"].spec()
    Conv(i=5, k=3, s=2, p=1)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CatalogueError(f"catalogue {str(path)!r} cannot be read: {why}") from None
    try:
        data = _toml_loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError: its message says "(at line N, column M)"
        raise CatalogueError(f"catalogue {str(path)!r} is not valid TOML: {exc}") from None
    cases = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            line = next((n for n, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith(name)), "?")
            raise CatalogueError(f"catalogue {str(path)!r}, line {line}: {name!r} is not a [case] table")
        cases[name] = Case(name, table)
    return cases
