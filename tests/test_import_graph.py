"""The layers hold: supplywatch/ is the ground floor, etl/ stands on it, app_pages/ on both; no import circle.

The graph is read from the source with ``ast``: every ``import`` and ``from ... import``, at module level and
inside functions alike (an import inside a function is still a dependency; it only hides from a reader).
An edge goes to the project module named (``from pkg import mod`` -> ``pkg.mod``; ``from pkg import name`` ->
``pkg``). Imports of outside packages are left out. See docs/architecture.md for where a new module goes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("supplywatch", "etl", "app_pages")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))
            if ".venv" not in p.parts}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest project module that ``name`` names or lies in; None for an outside package."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def imports_of(path: Path, module: str, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """(project module, line) of every import in the file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)] if node.level else []
            prefix = ".".join(base + ([node.module] if node.module else []))
            # 'from pkg import name' reaches pkg.name when that is a module, else pkg itself
            names += [(f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix, node.lineno)
                      for alias in node.names]
    out = []
    for name, line in names:
        target = _resolve(name, modules)
        if target is not None and target != module:
            out.append((target, line))
    return out


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported project module: first line that imports it}."""
    modules = project_modules()
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        for target, line in sorted(imports_of(path, module, modules), key=lambda t: t[1]):
            edges.setdefault(target, line)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def describe(cycle: list[str], graph: dict[str, dict[str, int]], modules: dict[str, Path]) -> str:
    steps = [f"{modules[a].relative_to(ROOT)}:{graph[a][b]} imports {b}" for a, b in zip(cycle, cycle[1:])]
    return "import cycle: " + " -> ".join(cycle) + "\n  " + "\n  ".join(steps)


def test_graph_sees_module_and_function_level_imports():
    graph = import_graph()
    assert "supplywatch.classes" in graph["supplywatch.findings"]  # module level
    assert "etl.substances" in graph["etl.cli"]  # 'from . import substances' inside cmd_substances


def test_find_cycle_prints_the_loop():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 1}}) is None


@pytest.mark.parametrize("lower, upper", [("supplywatch", "etl"), ("supplywatch", "app_pages"),
                                          ("etl", "app_pages")])
def test_lower_floor_never_imports_upper(lower, upper):
    modules = project_modules()
    graph = import_graph()
    wrong = [f"{modules[m].relative_to(ROOT)}:{line} imports {target}"
             for m, edges in sorted(graph.items()) if m == lower or m.startswith(lower + ".")
             for target, line in sorted(edges.items()) if target == upper or target.startswith(upper + ".")]
    assert wrong == [], f"{lower}/ must not import {upper}/:\n" + "\n".join(wrong)


def test_no_import_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, describe(cycle, graph, project_modules())
