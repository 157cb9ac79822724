"""The house shows itself: core is acyclic and pure, modules stay small, nothing is patched onto matplotlib."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "convanim"
MAX_LINES = 400


def _runtime_imports(path: Path) -> tuple[set[str], list[int]]:
    """The sibling modules ``path`` imports at its top level (not under ``if TYPE_CHECKING``), and the lines of
    any relative import inside a function."""
    tree = ast.parse(path.read_text())
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            top |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    inner = [node.lineno for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
             for node in ast.walk(fn) if isinstance(node, ast.ImportFrom) and node.level >= 1]
    return top, inner


def test_core_has_no_import_cycle_and_no_imports_inside_functions():
    graph, inner = {}, {}
    for path in sorted((PACKAGE / "core").glob("*.py")):
        graph[path.stem], lines = _runtime_imports(path)
        if lines:
            inner[path.stem] = lines
    assert inner == {}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt in graph and not state.get(nxt):
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in graph:
        if not state.get(node):
            visit(node, [node])
    assert cycles == []


def test_core_never_imports_matplotlib():
    for path in (PACKAGE / "core").glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+matplotlib", path.read_text(), re.M), path.name


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_nothing_is_patched_onto_matplotlib_objects_and_no_process_wide_xml_namespace():
    patched = re.compile(r"\b(fig|figure|artist|ax)\._convanim|\.draw\s*=\s|_repr_png_\s*=|register_namespace\(")
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in PACKAGE.rglob("*.py")
            for n, line in enumerate(p.read_text().splitlines(), 1) if patched.search(line)]
    assert hits == []


def test_the_progress_estimate_counts_every_kind_of_case():
    """The gallery orders and counts its work by each case's view: 1D layers and stacks were 0 before."""
    from convanim.gallery.build import _estimated_frames, case_plan
    from convanim.gallery.catalogue import load_catalogue

    cases = load_catalogue()
    for name in ("causal_dilated_1d", "wavenet_stack", "channels_separable", "conv3d", "kernel"):
        assert _estimated_frames(cases[name]) == case_plan(cases[name]).n_frames > 0, name
