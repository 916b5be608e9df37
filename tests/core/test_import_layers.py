"""Imports flow one way, so each part can be read alone (STYLE.md): the core imports no app, and no
module of the portal imports itself back through others. Read from the source, imports inside
functions included: a lazy import hides a cycle from Python, not from this test. (The layers
between the apps and between assistance's stages: test_import_contracts.py.)
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("donations", "assistance", "disclosure", "demo")
ACYCLIC = ("fundportal", "donations", "assistance", "disclosure")


def _modules(packages) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """Every module `name` imports anywhere in its source (absolute names; `from x import y` counts
    x and x.y, whichever is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _graph(packages) -> dict[str, set[str]]:
    modules = _modules(packages)
    graph = {}
    for name, path in modules.items():
        edges = set()
        for target in imports_of(name, path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round about (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                on_stack.discard(w)
                group.append(w)
            on_stack.discard(v)
            if group:
                found.append(sorted([v, *group]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_core_imports_no_app():
    core = _modules(["fundportal"])
    found = sorted(f"{name} imports {target}" for name, path in core.items() for target in imports_of(name, path)
                   if target.split(".")[0] in APPS)
    assert found == []


def test_no_module_of_the_portal_imports_itself_back():
    assert cycles(_graph(ACYCLIC)) == []


def test_a_lazy_import_does_not_hide_a_cycle():
    graph = {"a.services": {"a.models"}, "a.tasks": {"a.services"}, "a.models": set()}
    assert cycles(graph) == []
    graph["a.services"].add("a.tasks")  # `from .tasks import x` inside a function
    assert cycles(graph) == [["a.services", "a.tasks"]]
