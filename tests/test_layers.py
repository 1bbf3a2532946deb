"""The package layering, as data: every import (module level or inside a function) points
down a layer, and no two packages import each other, directly or through others.

A newcomer reads the architecture from ``LAYERS``; a change that makes the store import a
feature, or the classifier import the ingest pipeline, fails here with the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sdgmap"

# Bottom to top. A unit may import from its own package and from any lower layer; units
# of one layer do not import each other. "sdgmap" is the package root (its __version__).
LAYERS: list[set[str]] = [
    {"sdgmap", "errors", "capabilities", "text"},
    {"store"},
    {"frameworks"},
    {"ingest", "classify"},
    {"platform"},
    {"analytics"},
    {"reports"},
    {"web", "demo"},
    {"cli"},
    {"__main__"},
]
RANK = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}


def unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "sdgmap"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    return (SRC / name).is_dir() or (SRC / f"{name}.py").exists()


def sdgmap_imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported sdgmap module, line, inside a function) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "sdgmap" else [
                f"sdgmap.{a.name}" if is_module(a.name) else "sdgmap" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(n, node.lineno, id(node) in inner) for n in names if n.split(".")[0] == "sdgmap"]
    return found


SOURCES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts or p.name == "env.py")


def test_every_package_is_in_a_layer():
    units = {unit_of(module_name(p)) for p in SOURCES}
    assert units - set(RANK) == set(), "add new packages to LAYERS"


def test_imports_point_down_a_layer():
    wrong = []
    for path in SOURCES:
        here = unit_of(module_name(path))
        for target, line, _ in sdgmap_imports(path):
            there = unit_of(target)
            if there != here and RANK[there] >= RANK[here]:
                wrong.append(f"{path.relative_to(SRC.parent)}:{line}: {here} imports {target}")
    assert wrong == []


def test_no_cycle_between_packages():
    edges: dict[str, set[str]] = {}
    for path in SOURCES:
        here = unit_of(module_name(path))
        for target, _, _ in sdgmap_imports(path):
            if unit_of(target) != here:
                edges.setdefault(here, set()).add(unit_of(target))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [u for u in edges if reaches(u, u, {u})] == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_import_of_our_own_modules_inside_functions(path):
    lazy = [f"line {line}: {target}" for target, line, inner in sdgmap_imports(path) if inner]
    assert lazy == [], "import sdgmap's modules at the top of the module"


def test_the_layer_check_sees_an_upward_import(tmp_path):
    # The checker itself: a store module importing the web layer is caught.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from sdgmap.web import app\n")
    assert sdgmap_imports(bad) == [("sdgmap.web", 2, True)]


def _module_of(target: str) -> str | None:
    """The module (or package) that the dotted name ``target`` is, else the nearest one
    that contains it (``sdgmap.web.platform.router`` -> ``sdgmap.web.platform``)."""
    parts = target.split(".")
    while parts:
        rel = Path(*parts[1:]) if len(parts) > 1 else Path()
        if (SRC / rel / "__init__.py").exists() or (SRC / rel).with_suffix(".py").exists():
            return ".".join(parts)
        parts.pop()
    return None


def module_imports(path: Path) -> set[str]:
    """The sdgmap modules ``path`` imports, at module level or inside a function; ``from
    package import name`` counts as importing the module ``package.name`` when there is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:  # a submodule, or a name defined in the module
                sub = f"{node.module}.{a.name}"
                found.add(sub if _module_of(sub) == sub else _module_of(node.module) or "")
        elif isinstance(node, ast.Import):
            found.update(filter(None, (_module_of(a.name) for a in node.names)))
    return {m for m in found if m.split(".")[0] == "sdgmap"}


def module_cycles(modules: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted; a package's
    ``__init__`` importing its own submodules is not a cycle unless they import it back."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in modules.get(v, ()):
            if w not in modules:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return groups


def _graph(package: str) -> dict[str, set[str]]:
    mods = {module_name(p): module_imports(p) for p in SOURCES}
    inside = {m for m in mods if m == package or m.startswith(package + ".")}
    # A module importing a package's submodule also runs the package's __init__, but that is
    # Python's doing, not a dependency a reader has to follow: edges are the imports written.
    return {m: {t for t in mods[m] if t in inside and t != m} for m in inside}


@pytest.mark.parametrize("package", ["sdgmap.web", "sdgmap"])
def test_no_import_cycle_between_modules(package):
    # Every import inside a package points down: a module can be read knowing only the
    # modules below it (sdgmap.web: identity, security, render, deps, the routers, the app).
    assert module_cycles(_graph(package)) == []


def test_the_cycle_check_sees_a_cycle():
    assert module_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert module_cycles({"a": {"b"}, "b": set()}) == []
