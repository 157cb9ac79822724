"""One cost rule for the numerics: what :func:`~convanim.core.numerics.apply`, ``conv_matrix``, ``overlap``,
``receptive_field`` and a :class:`~convanim.core.stack.Stack`'s receptive fields would build, counted before
anything is built, and refused past a limit with the way out.

The unit is an *element*: one float64 (8 bytes) of an array, one multiply-add, or one index of a tap.  A cell
of a Python set (a receptive field's tuples) counts as :data:`PY_CELL` elements: building it costs that much
more.  At the default :data:`MAX_ELEMENTS` (2**26, about 0.5 GiB of float64 and a second or two of numpy) a
call answers in seconds or is refused at once.  Pure: no matplotlib.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Optional, Sequence, Tuple

from .checks import check_int

__all__ = ["MAX_ELEMENTS", "PY_CELL", "PY_SEED", "check_max_elements", "check_elements", "apply_cost", "defaults_cost",
           "overlap_cost", "axis_sources_cost"]

#: The default limit: 2**26 elements (512 MiB of float64).
MAX_ELEMENTS = 2**26
#: What one cell of a Python set of tuples costs, in elements.
PY_CELL = 64
#: What one seeded channel (or kernel slice) of the default values costs, in elements: a generator made in Python.
PY_SEED = 1024
#: The largest limit a caller may ask for (2**40 elements: 8 TiB of float64; beyond, nothing finishes anyway).
MAX_MAX_ELEMENTS = 2**40


def check_max_elements(value: Any) -> int:
    """``max_elements`` as an int from 1 to :data:`MAX_MAX_ELEMENTS`, or raise naming it."""
    return check_int("max_elements", value, 1, MAX_MAX_ELEMENTS)


def _size(n: int) -> str:
    gib = n * 8 / 2**30
    return f"{n} elements ({gib:.3g} GiB as float64)" if gib >= 0.01 else f"{n} elements"


def check_elements(name: str, what: str, n: int, max_elements: int, fix: str = "use a smaller size",
                   keyword: str = "max_elements") -> None:
    r"""Refuse ``n`` elements past ``max_elements``: ``ValueError`` naming the parameter ``name``, what would be
    built, its size, and the ways out (the caller's ``keyword``, within its range, or ``fix``).

    Examples
    --------
    >>> try:
    ...     check_elements("spec", "the padded input", 576240025, 2**26)
    ... except ValueError as exc:
    ...     print(str(exc).replace("; ", ";\n"))
    spec: the padded input is 576240025 elements (4.29 GiB as float64), more than max_elements=67108864;
    pass max_elements=576240025 to compute it anyway, or use a smaller size
    """
    if n <= max_elements:
        return
    if n <= MAX_MAX_ELEMENTS:
        way = f"pass {keyword}={n} to compute it anyway, or {fix}"
    else:
        way = f"{fix} ({keyword} goes up to {MAX_MAX_ELEMENTS})"
    raise ValueError(f"{name}: {what} is {_size(n)}, more than {keyword}={max_elements}; {way}")


def _worst(parts: Iterable[Tuple[str, int]]) -> Tuple[str, int]:
    parts = list(parts)
    return max(parts, key=lambda p: p[1])


def apply_cost(spec: Any) -> Tuple[str, int]:
    """What :func:`apply` builds at its largest, and how many elements: the padded (or stretched) input, the
    windows it reads (every tap of every output cell, per input channel) and the multiply-adds.

    Examples
    --------
    >>> from convanim import Conv
    >>> apply_cost(Conv(5, 3, p=12000))
    ('its windows and multiply-adds (1 channel x 576144009 outputs x 9 taps)', 5185296081)
    """
    kind = type(spec).__name__
    out, ks = tuple(spec.output_shape), tuple(spec.k)
    per_in = spec.c_in // spec.groups
    taps = math.prod(ks)
    windows = spec.c_in * math.prod(out) * taps
    if kind == "ConvTranspose":
        # The input stretched by s - 1 zeros and padded by d(k - 1) (and any output_padding) on each side.
        canvas = tuple((i - 1) * s + 1 + 2 * d * (k - 1) + max(0, b + o - ((i - 1) * s + d * (k - 1) + 1))
                       for i, k, s, (b, _), d, o in zip(spec.i, ks, spec.s, spec.padding, spec.d, out))
        full = tuple(c - d * (k - 1) for c, k, d in zip(canvas, ks, spec.d))
        windows = spec.c_out // spec.groups * spec.c_in * math.prod(full) * taps
        name = "the stretched input"
    elif kind == "Pool":
        canvas = tuple(max(i + b + e, (o - 1) * s + d * (k - 1) + 1)
                       for i, k, s, (b, e), d, o in zip(spec.i, ks, spec.s, spec.padding, spec.d, out))
        name = "the padded input"
    else:
        canvas = tuple(i + b + e for i, (b, e) in zip(spec.i, spec.padding))
        windows = spec.c_out * per_in * math.prod(out) * taps  # the multiply-adds (and the windows copied)
        name = "the padded input"
    shape = "x".join(map(str, canvas))
    return _worst([(f"{name} ({shape})", spec.c_in * math.prod(canvas)),
                   (f"its windows and multiply-adds ({spec.c_in} channel{'s' if spec.c_in > 1 else ''} x "
                    f"{math.prod(out)} outputs x {taps} taps)", windows),
                   ("the output", spec.c_out * math.prod(out))])


def defaults_cost(spec: Any, x: bool = True, kernel: bool = True) -> Tuple[str, int]:
    """What the default input (``x``) and kernel (``kernel``) are, in elements (built when not given)."""
    slices = 0 if type(spec).__name__ == "Pool" else spec.c_out * (spec.c_in // spec.groups)
    # Each channel and each kernel slice is seeded alone (adding channels keeps the others' values): one
    # generator each, made in Python.
    return _worst([("the default input", spec.c_in * (math.prod(spec.input_shape) + PY_SEED) if x else 0),
                   ("the default kernel", slices * (math.prod(spec.k) + PY_SEED) if kernel else 0)])


def axis_sources_cost(spec: Any, axis: int, n_outputs: Optional[int] = None) -> int:
    """Elements to find the sources of ``n_outputs`` output indices (default: all) along ``axis``: one per tap."""
    n = spec.output_shape[axis] if n_outputs is None else n_outputs
    return int(n) * int(spec.k[axis])


def overlap_cost(spec: Any) -> Tuple[str, int]:
    """What :func:`overlap` builds: the count of every cell, and per axis one index per (output, tap)."""
    shape: Sequence[int] = spec.output_shape if type(spec).__name__ == "ConvTranspose" else spec.input_shape
    per_axis = max(axis_sources_cost(spec, a) for a in range(len(shape)))
    return _worst([(f"the counts ({'x'.join(map(str, shape))})", math.prod(shape)),
                   ("the windows of one axis", per_axis)])
