"""What the command line prints besides its errors: warnings as one clean line each, and a missing dependency
named with the command that installs it.  Kept apart from :mod:`convanim.cli` (its parser and its checks)."""
from __future__ import annotations

import re
import sys
from typing import Any, Optional

__all__ = ["warning_line", "show_warning", "missing_dependency_line"]


#: Advice in a warning that names a Python keyword the command line has no option for, and what to say instead.
_CLI_ADVICE = ((re.compile(r"; pass figsize= \(inches\)[^;]*"),
                "; leave --numbers out, or draw it from Python with figsize= (inches)"),)


def warning_line(message: object) -> str:
    """A warning as the command line prints it: one ``convanim: warning: ...`` line, without a source path, and
    without advice about keywords it has no option for.

    Examples
    --------
    >>> print(warning_line(UserWarning("convanim: numbers left out: they need 9 inches; pass figsize= (inches) at "
    ...                                "least that large to draw them")))  # doctest: +NORMALIZE_WHITESPACE
    convanim: warning: numbers left out: they need 9 inches; leave --numbers out, or draw it from Python
    with figsize= (inches)
    """
    text = " ".join(str(message).split())
    text = text[len("convanim: "):] if text.startswith("convanim: ") else text
    for pattern, instead in _CLI_ADVICE:
        text = pattern.sub(instead, text)
    return f"convanim: warning: {text}"


def show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None,
                  line: Optional[str] = None) -> None:
    print(warning_line(message), file=sys.stderr if file is None else file)


#: Import names that are not the name pip installs.
_DISTRIBUTIONS = {"PIL": "Pillow", "imageio_ffmpeg": "'convanim[video]'", "sphinx_gallery": "'convanim[docs]'",
                  "sphinx": "'convanim[docs]'"}


def missing_dependency_line(exc: ModuleNotFoundError) -> str:
    """One line naming the missing module and the command that installs it.

    Examples
    --------
    >>> missing_dependency_line(ModuleNotFoundError("No module named 'PIL'", name="PIL"))
    'convanim: error: PIL is not installed here; install it with: python -m pip install Pillow'
    """
    name = (exc.name or "").split(".")[0] or "a dependency"
    return (f"convanim: error: {name} is not installed here; install it with: python -m pip install "
            f"{_DISTRIBUTIONS.get(name, name)}")
