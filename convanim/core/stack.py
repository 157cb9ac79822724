"""Layers in a row: :class:`Stack`, exact receptive fields through it, and the receptive-field table.

The table follows the recurrences of Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural
Networks" (Distill, 2019), per axis, in input cells (the centre of input cell ``x`` is at coordinate ``x``).
For layer ``l`` with dilated kernel extent ``k' = d(k - 1) + 1`` and padding before ``b``, from the input's
``r = 1, j = 1, start = 0``:

- Conv and Pool: ``r += (k' - 1) j``; ``start += ((k' - 1)/2 - b) j``; then ``j *= s``.
- ConvTranspose, seen as the guide sees it (a unit-stride convolution over its input stretched by ``s - 1``
  zeros, padded by ``q = d(k - 1) - b`` before): the stretched grid's step is ``j / s``, so first ``j /= s``;
  then ``r += (k' - 1) j`` and ``start += ((k' - 1)/2 - q) j``.  The numbers are exact fractions: the span
  of the window on the input, not the count of cells it reads (which alternates from one output cell to the
  next when ``k'`` is not a multiple of ``s``: the checkerboard; :func:`receptive_field` gives the cells).

``r`` is the size of the receptive field of an output cell away from the borders (padding counted as if it
were input), ``j`` the distance in input cells between the receptive fields of neighbouring output cells,
``start`` the centre of output cell 0's receptive field (negative where it lies in the padding).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, NamedTuple, Sequence, Tuple

from .checks import check_spec, raise_hint
from .cost import MAX_ELEMENTS, axis_sources_cost, check_elements, check_max_elements
from .receptive import axis_union, check_cell, check_cells_cost, padding_pairs, product_cells, rank
from .sizes import shape_text
from .spec import ConvTranspose
from .stack_text import layer_text, parse_layers, stack_text

__all__ = ["Stack", "receptive_field", "receptive_fields_per_map", "TableRow", "fraction_text",
           "check_stack_cost"]


class TableRow(NamedTuple):
    """One row of the receptive-field table: after ``layer`` (0: the input itself), per axis."""

    layer: int
    name: str
    output_shape: Tuple[int, ...]
    r: Tuple[Fraction, ...]
    j: Tuple[Fraction, ...]
    start: Tuple[Fraction, ...]


def fraction_text(v: Fraction) -> str:
    """``3``, ``1.5``, ``0.25`` or ``1/3``: decimals where they end within three places.

    Examples
    --------
    >>> fraction_text(Fraction(3, 2)), fraction_text(Fraction(-1, 3)), fraction_text(Fraction(4))
    ('1.5', '-1/3', '4')
    """
    if v.denominator == 1:
        return str(v.numerator)
    if 1000 % v.denominator == 0:
        return f"{float(v):g}"
    return f"{v.numerator}/{v.denominator}"


def _axes_text(values: Sequence[Any], fmt: Any = str) -> str:
    texts = [fmt(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else "(" + ", ".join(texts) + ")"


@dataclass(frozen=True, init=False, repr=False)
class Stack:
    """Layers in a row, each taking the previous one's output.

    Parameters
    ----------
    *layers : Conv, ConvTranspose or Pool
        At least one; each layer's ``input_shape`` must be the previous ``output_shape`` and its ``c_in`` the
        previous ``c_out``.

    Raises
    ------
    ValueError
        Naming the layer (by its index, from 0) and both sizes, when two layers do not chain.
    TypeError
        When a layer is not a Conv, ConvTranspose or Pool.

    Examples
    --------
    >>> from convanim import Conv, Pool
    >>> st = Stack(Conv(16, 3), Conv(14, 3, s=2), Pool(6, 2))
    >>> st.input_shape, st.output_shape, st.ndim
    ((16, 16), (3, 3), 2)
    >>> len(receptive_field(st, (0, 0)))
    49
    >>> Stack(Conv(16, 3), Conv(16, 3))
    Traceback (most recent call last):
    ...
    ValueError: layers[1]: Conv(i=16, k=3) takes a 16x16 input, but layers[0] gives 14x14
    """

    layers: Tuple[Any, ...]
    kind: ClassVar[str] = "stack"

    def __init__(self, *layers: Any) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("layers: a Stack needs at least one layer")
        for n, layer in enumerate(layers):
            check_spec(layer, f"layers[{n}]")
        for n in range(1, len(layers)):
            prev, layer = layers[n - 1], layers[n]
            if tuple(layer.input_shape) != tuple(prev.output_shape):
                raise ValueError(f"layers[{n}]: {layer!r} takes a {shape_text(layer.input_shape)} input, but "
                                 f"layers[{n - 1}] gives {shape_text(prev.output_shape)}")
            if layer.c_in != prev.c_out:
                raise ValueError(f"layers[{n}]: {layer!r} takes c_in={layer.c_in} channels, but layers[{n - 1}] "
                                 f"gives c_out={prev.c_out}")
        object.__setattr__(self, "layers", tuple(layers))

    @classmethod
    def from_text(cls, text: str, i: Any, c_in: int = 1) -> Stack:
        """A stack from its one-line form (see :mod:`convanim.core.stack_text`).

        Examples
        --------
        >>> Stack.from_text("conv k=3; maxpool k=2", 6).output_shape
        (2, 2)
        """
        return cls(*parse_layers(text, i, c_in))

    @property
    def input_shape(self) -> Tuple[int, ...]:
        return tuple(self.layers[0].input_shape)

    @property
    def output_shape(self) -> Tuple[int, ...]:
        return tuple(self.layers[-1].output_shape)

    @property
    def shapes(self) -> list[Tuple[int, ...]]:
        """The shape of every map: the input, then each layer's output."""
        return [self.input_shape] + [tuple(layer.output_shape) for layer in self.layers]

    @property
    def ndim(self) -> int:
        return rank(self.layers[0])

    @property
    def c_in(self) -> int:
        return int(self.layers[0].c_in)

    @property
    def c_out(self) -> int:
        return int(self.layers[-1].c_out)

    @property
    def channels(self) -> bool:
        return any(layer.channels for layer in self.layers)

    def text(self) -> str:
        """The layers in the one-line form, e.g. ``"conv k=3; maxpool k=2"``."""
        return stack_text(self.layers)

    def __repr__(self) -> str:
        return f"Stack({', '.join(map(repr, self.layers))})"

    def __len__(self) -> int:
        return len(self.layers)

    def receptive_field(self, cell: Any, *, max_elements: int = MAX_ELEMENTS) -> frozenset:
        """The input cells output ``cell`` of the last layer depends on (see :func:`receptive_field`)."""
        # Separable per axis: the cells of a product of sets feed a product of sets.
        per_axis = receptive_fields_per_map(self, cell, max_elements=max_elements)[0]
        check_cells_cost("layer_or_stack", "receptive_field of the stack", [len(v) for v in per_axis], max_elements)
        return frozenset(product_cells(per_axis))

    def table(self) -> list[TableRow]:
        """The receptive-field table: a row for the input, then one per layer (exact fractions, per axis).

        Examples
        --------
        >>> from convanim import Conv, Pool
        >>> row = Stack(Conv(16, 3), Conv(14, 3, s=2), Pool(6, 2)).table()[-1]
        >>> [int(v[0]) for v in (row.r, row.j, row.start)]
        [7, 4, 3]
        """
        n = self.ndim
        r, j, start = [Fraction(1)] * n, [Fraction(1)] * n, [Fraction(0)] * n
        rows = [TableRow(0, "input", self.input_shape, tuple(r), tuple(j), tuple(start))]
        for m, layer in enumerate(self.layers, 1):
            pads = padding_pairs(layer)
            for a in range(n):
                ext = layer.d[a] * (layer.k[a] - 1) + 1
                if isinstance(layer, ConvTranspose):
                    j[a] /= layer.s[a]
                    q = layer.d[a] * (layer.k[a] - 1) - pads[a][0]
                    r[a] += (ext - 1) * j[a]
                    start[a] += (Fraction(ext - 1, 2) - q) * j[a]
                else:
                    r[a] += (ext - 1) * j[a]
                    start[a] += (Fraction(ext - 1, 2) - pads[a][0]) * j[a]
                    j[a] *= layer.s[a]
            rows.append(TableRow(m, layer_text(layer), tuple(layer.output_shape), tuple(r), tuple(j), tuple(start)))
        return rows

    def table_text(self) -> str:
        """The table as aligned text (what ``convanim shape --stack`` prints)."""
        head = ("#", "layer", "output", "r", "j", "start")
        body = [(str(row.layer), row.name, shape_text(row.output_shape), _axes_text(row.r, fraction_text),
                 _axes_text(row.j, fraction_text), _axes_text(row.start, fraction_text)) for row in self.table()]
        widths = [max(len(line[c]) for line in [head] + body) for c in range(len(head))]
        lines = ["  ".join(t.ljust(w) if c < 3 else t.rjust(w) for c, (t, w) in enumerate(zip(line, widths)))
                 .rstrip() for line in [head] + body]
        return "\n".join(lines)

    def describe(self) -> str:
        """The stack in words, its table, and what one output cell sees.

        Examples
        --------
        >>> from convanim import Conv, Pool
        >>> print(Stack(Conv(8, 3), Pool(6, 2)).describe())
        Stack of 2 layers: input 8x8 -> output 3x3 (conv k=3; maxpool k=2)
        #  layer        output  r  j  start
        0  input        8x8     1  1      0
        1  conv k=3     6x6     3  1      1
        2  maxpool k=2  3x3     4  2    1.5
        r: receptive field size, j: jump (input cells between neighbouring outputs),
        start: centre of output 0's receptive field (input cells, per axis)
        an output cell away from the borders sees 4x4 input cells
        """
        n = len(self.layers)
        last = self.table()[-1]
        lines = [f"Stack of {n} layer{'s' if n > 1 else ''}: input {shape_text(self.input_shape)} -> output "
                 f"{shape_text(self.output_shape)} ({self.text()})", self.table_text()]
        lines.append("r: receptive field size, j: jump (input cells between neighbouring outputs),")
        lines.append("start: centre of output 0's receptive field (input cells, per axis)")
        lines.append(f"an output cell away from the borders sees {'x'.join(fraction_text(v) for v in last.r)} "
                     f"input cells")
        if any(isinstance(layer, ConvTranspose) for layer in self.layers):
            lines.append("a transposed layer divides the jump by its stride: r, j and start are then spans, in")
            lines.append("fractions of input cells; receptive_field(stack, cell) gives the cells it reads")
        return "\n".join(lines)


def receptive_fields_per_map(stack: Stack, cell: Any, *,
                             max_elements: int = MAX_ELEMENTS) -> list[list[list[int]]]:
    """Per map (the input first, the last layer's output last), per axis, the indices output ``cell`` of the
    last layer depends on.  Each layer's step reads one index per (output index, tap): refused past
    ``max_elements`` (:mod:`convanim.core.cost`) before it is computed."""
    max_elements = check_max_elements(max_elements)
    cell = check_cell(cell, stack.output_shape)
    maps: list[list[list[int]]] = [[[c] for c in cell]]
    for n in range(len(stack.layers) - 1, -1, -1):
        layer = stack.layers[n]
        for a, idx in enumerate(maps[0]):
            check_elements("layer_or_stack", f"receptive_field: layers[{n}] {layer!r}, axis {a}: the taps of "
                           f"{len(idx)} outputs", axis_sources_cost(layer, a, len(idx)), max_elements)
        maps.insert(0, [axis_union(layer, a, idx) for a, idx in enumerate(maps[0])])
    return maps


def receptive_field(layer_or_stack: Any, cell: Any, *, max_elements: int = MAX_ELEMENTS) -> frozenset:
    """The exact set of input cells (tuples) that output ``cell`` depends on: padding left out, a dilated
    kernel's holes left as holes (a dependency set, not a bounding box).

    Parameters
    ----------
    layer_or_stack : Conv, ConvTranspose, Pool or Stack
    cell : tuple of int
        An output cell of the layer (of the last layer of a stack); negative indices count from the end.
    max_elements : int
        What it may build (:mod:`convanim.core.cost`): past it, refused at once with the way out.

    Examples
    --------
    >>> from convanim import Conv
    >>> sorted(receptive_field(Conv(7, 3, d=2), (0, 0)))[:4]
    [(0, 0), (0, 2), (0, 4), (2, 0)]
    >>> sorted(receptive_field(Stack(Conv(9, 3, d=2), Conv(5, 2)), (0, 0)))[:4]
    [(0, 0), (0, 1), (0, 2), (0, 3)]
    """
    if getattr(type(layer_or_stack), "kind", None) != Stack.kind:  # a layer: checked, then its own method
        check_spec(layer_or_stack, "layer_or_stack")
    return layer_or_stack.receptive_field(cell, max_elements=max_elements)


def check_stack_cost(stack: Stack, max_frames: int, max_cells: float) -> None:
    """Refuse, before any drawing, a stack with more frames (cells of its last output) than ``max_frames`` or
    more cells on all its maps than ``max_cells``."""
    n = 1
    for v in stack.output_shape:
        n *= v
    if n > max_frames:
        raise ValueError(f"spec: the stack has {n} frames (one per cell of its {shape_text(stack.output_shape)} "
                         f"output), more than max_frames={max_frames}; {raise_hint('max_frames', '--max-frames', n)}")
    cells = 0
    for shape in stack.shapes:
        m = 1
        for v in shape:
            m *= v
        cells += m
    if cells > max_cells:
        raise ValueError(f"spec: the stack's maps have {cells} cells, more than the {int(max_cells)} drawn at this "
                         f"limit (about 5 s a frame); raise max_frames (--max-frames) to draw it anyway")
