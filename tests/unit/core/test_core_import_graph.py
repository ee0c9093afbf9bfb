"""No module of ``whitelist_core`` imports, directly or through others, a module that
imports it back. Every import statement counts: module level, ``TYPE_CHECKING`` blocks and
deferred imports inside functions, because a deferred import only hides a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import whitelist_core

PACKAGE = Path(whitelist_core.__file__).parent
ROOT = "whitelist_core"
Graph = Mapping[str, frozenset[str]]


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = (ROOT, *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name ``from <base> import ...`` refers to."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    anchor = package[: len(package) - (node.level - 1)]
    return ".".join([*anchor, node.module] if node.module else anchor)


def imported(module: str, path: Path, known: Mapping[str, Path]) -> frozenset[str]:
    """The package's modules that ``module`` names in any import statement."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, is_package, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else base)
    return frozenset(t for t in targets if t in known and t != module)


def import_graph() -> dict[str, frozenset[str]]:
    known = module_names()
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(graph: Graph) -> list[list[str]]:
    """One circle (as a path that ends where it starts) per strongly connected component."""
    found = []
    for component in _components(graph):
        if len(component) > 1:
            found.append(_circle_through(sorted(component)[0], component, graph))
    return sorted(found)


def _components(graph: Graph) -> Iterator[set[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                yield component


def _circle_through(start: str, component: set[str], graph: Graph) -> list[str]:
    """A shortest path from ``start`` back to itself inside ``component`` (breadth first)."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for step in sorted(graph[node] & component):
                if step == start:
                    return [*paths[node], start]
                if step not in paths:
                    paths[step] = [*paths[node], step]
                    following.append(step)
        frontier = following
    raise AssertionError(f"{start} is in a component without a circle")  # pragma: no cover


def test_the_import_graph_of_whitelist_core_has_no_circle() -> None:
    found = cycles(import_graph())
    assert found == [], "import circles: " + "; ".join(" -> ".join(c) for c in found)


def test_the_graph_sees_deferred_type_checking_and_package_imports() -> None:
    graph = import_graph()
    wiring = graph["whitelist_core.entrypoints.wiring"]
    assert "whitelist_core.aliyun.factory" in wiring  # inside a function
    assert "whitelist_core.ports" in graph["whitelist_core.aliyun.ecs.cache"]  # absolute
    assert "whitelist_core" in graph["whitelist_core.entrypoints.app"]  # from whitelist_core import


def test_relative_imports_resolve_against_the_module_or_package() -> None:
    (one,) = ast.parse("from ..entries import X").body
    (two,) = ast.parse("from . import plan").body
    assert isinstance(one, ast.ImportFrom)
    assert isinstance(two, ast.ImportFrom)
    assert _base("whitelist_core.core.plan", False, one) == "whitelist_core.entries"
    assert _base("whitelist_core.core", True, two) == "whitelist_core.core"


# The floors (docs/architecture.md): what each layer may import, by the first name under
# ``whitelist_core``. The root modules are the shared vocabulary. The pure core has a
# second, stricter guard (no I/O, clock, environment or logging) in test_core_purity.
VOCABULARY = {
    "",
    "accounts",
    "config",
    "schema",
    "problems",
    "errors",
    "ports",
    "intents",
    "outcome",
    "attention",
    "summary",
    "redaction",
}
MAY_IMPORT: dict[str, set[str]] = {
    "core": {"core", "ports"},
    "products": {"products", "core"},
    "logs": {"logs", "redaction"},
    "vocabulary": VOCABULARY | {"core", "products"},
    "service": VOCABULARY | {"service", "core", "products", "logs"},
    "aliyun": {"aliyun", "core", "products", "logs", "errors", "ports"},
    "entrypoints": VOCABULARY | {"entrypoints", "service", "core", "products", "logs", "aliyun"},
    "__main__": {"entrypoints"},
}
# Only the wiring and the command line build the real cloud adapters.
ALIYUN_IMPORTERS = {f"{ROOT}.entrypoints.wiring", f"{ROOT}.entrypoints.cli"}


def _part(module: str) -> str:
    return module.removeprefix(ROOT + ".").split(".")[0] if module != ROOT else ""


def layer_of(module: str) -> str:
    part = _part(module)
    return "vocabulary" if part in VOCABULARY else part


def layer_violations(graph: Graph) -> list[str]:
    """Every import that breaks a floor's rule, as ``module -> target (rule)``."""
    wrong = []
    for module, targets in sorted(graph.items()):
        layer = layer_of(module)
        allowed = MAY_IMPORT.get(layer)
        for target in sorted(targets):
            other = _part(target)
            if allowed is None or other not in allowed:
                wrong.append(f"{module} -> {target} ({layer} may not import {other or ROOT})")
            elif other == "aliyun" and layer != "aliyun" and module not in ALIYUN_IMPORTERS:
                wrong.append(f"{module} -> {target} (only the wiring and the CLI import aliyun)")
    return wrong


def test_each_layer_imports_only_what_its_floor_allows() -> None:
    assert layer_violations(import_graph()) == []


def test_every_module_is_in_a_layer_with_rules() -> None:
    assert sorted({layer_of(m) for m in import_graph()} - set(MAY_IMPORT)) == []


def test_the_rule_checker_names_each_deliberately_wrong_import() -> None:
    wrong_graph = {
        f"{ROOT}.core.plan": frozenset({f"{ROOT}.config", f"{ROOT}.core.entries"}),
        f"{ROOT}.service.reconcile": frozenset({f"{ROOT}.entrypoints.app"}),
        f"{ROOT}.service.apply": frozenset({f"{ROOT}.aliyun.factory"}),
        f"{ROOT}.entrypoints.app": frozenset({f"{ROOT}.aliyun.factory", f"{ROOT}.service.batch"}),
        f"{ROOT}.entrypoints.wiring": frozenset({f"{ROOT}.aliyun.factory"}),
        f"{ROOT}.logs.lines": frozenset({f"{ROOT}.service.batch"}),
    }
    assert layer_violations(wrong_graph) == [
        f"{ROOT}.core.plan -> {ROOT}.config (core may not import config)",
        f"{ROOT}.entrypoints.app -> {ROOT}.aliyun.factory (only the wiring and the CLI import aliyun)",
        f"{ROOT}.logs.lines -> {ROOT}.service.batch (logs may not import service)",
        f"{ROOT}.service.apply -> {ROOT}.aliyun.factory (service may not import aliyun)",
        f"{ROOT}.service.reconcile -> {ROOT}.entrypoints.app (service may not import entrypoints)",
    ]


def test_nothing_in_the_package_imports_localcloud() -> None:
    found = []
    for module, path in module_names().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            found.extend(f"{module} -> {n}" for n in names if n.split(".")[0] == "localcloud")
    assert found == []


def test_the_circle_finder_reports_a_circle_and_only_a_circle() -> None:
    graph = {
        "a": frozenset({"b"}),
        "b": frozenset({"c"}),
        "c": frozenset({"a", "d"}),
        "d": frozenset(),
        "e": frozenset({"e"}),
    }
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []
