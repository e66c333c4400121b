"""The house rules of docs/architecture.md, checked on the source itself.

- no import circle between the project's modules (imports under ``TYPE_CHECKING`` are for
  annotations only and do not count; imports inside functions do, since they run);
- ``policies`` imports nothing from ``coverage`` (coverage subscribes to its hooks);
- ``portal`` imports nothing from either app except in the root URLconf, which mounts them;
- no module over 500 lines (migrations aside).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "coverage", "policies")
MAX_LINES = 500
# The root URLconf and the settings mount the apps; nothing else in portal may know them.
PORTAL_MAY_IMPORT_APPS = {"portal.urls", "portal.settings"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every project module this one imports at run time."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if not is_package:
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            yield base
            for alias in node.names:
                # `from pkg import module` imports pkg.module when it is one.
                yield f"{base}.{alias.name}"
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = set()
        for name in _imports(tree, module, path.name == "__init__.py"):
            # Importing a.b.c runs a, a.b and a.b.c: each is an edge.
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in MODULES and target != module:
                    targets.add(target)
        graph[module] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _without_reexports(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ importing its own submodules is how a package re-exports, and
    # Python runs that __init__ before the submodule, so such an edge closes no circle. Every
    # other edge counts: two sibling modules importing each other is a circle.
    return {
        module: {t for t in targets if not t.startswith(module + ".")}
        for module, targets in graph.items()
    }


def test_no_import_circle() -> None:
    assert _cycles(_without_reexports(_graph())) == []


def test_policies_imports_nothing_from_coverage() -> None:
    graph = _graph()
    leaks = {
        module: sorted(t for t in targets if t.split(".")[0] == "coverage")
        for module, targets in graph.items()
        if module.split(".")[0] == "policies"
    }
    assert {m: t for m, t in leaks.items() if t} == {}


def test_portal_knows_the_apps_only_where_it_mounts_them() -> None:
    graph = _graph()
    leaks = {
        module: sorted(
            t for t in targets if t.split(".")[0] in ("coverage", "policies")
        )
        for module, targets in graph.items()
        if module.split(".")[0] == "portal" and module not in PORTAL_MAY_IMPORT_APPS
    }
    assert {m: t for m, t in leaks.items() if t} == {}


def test_no_module_over_500_lines() -> None:
    long = {
        module: n
        for module, path in MODULES.items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checks_see_the_whole_tree() -> None:
    # Guards the checks above against passing on an empty or partial module list.
    graph = _graph()
    assert len(MODULES) > 150
    assert "coverage.services" in graph["coverage.api.assignments"]
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
