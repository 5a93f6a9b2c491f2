"""The shape of the code, as issue 14 fixed it: the domain is plain Python (no ORM, no web framework, even
indirectly), no module imports another in a circle, and routers hold no rules (they stay small and never import
another router)."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import ROOT

SOURCES = ("shared", "gateway", "services", "deploy", "bench")
DOMAINS = [*sorted(p.relative_to(ROOT) for p in ROOT.glob("services/*/domain")), Path("gateway/domain")]


def _modules() -> dict[str, Path]:
    found = {}
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """The project modules `module` imports anywhere in its text (functions and TYPE_CHECKING blocks too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` packages up
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {n for n in names if n in known and n != module}


@pytest.mark.parametrize("domain", DOMAINS, ids=str)
def test_the_domain_imports_neither_the_orm_nor_the_web_framework(domain: Path):
    modules = [".".join((*domain.parts, m.name)) for m in pkgutil.iter_modules([str(ROOT / domain)])]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted({n.split('.')[0] for n in sys.modules} & {'sqlalchemy', 'fastapi', 'starlette'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{domain} pulls in {out.stdout.strip()}"


def test_no_module_imports_another_in_a_circle():
    modules = _modules()
    graph = {m: _imports(p, m, set(modules)) for m, p in modules.items()}
    # Packages (`__init__`) are passed through by every submodule import; only module-to-module edges count.
    graph = {m: {t for t in targets if modules[t].name != "__init__.py"} for m, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    assert not cycles, f"modules that import each other: {cycles}"


def _is_router(path: Path) -> bool:
    return any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "router" for t in node.targets)
               for node in ast.parse(path.read_text()).body)


def test_routers_are_small_and_never_import_another_router():
    modules = _modules()
    routers = {m for m, p in modules.items() if m.startswith("services.") and ".api." in m and _is_router(p)}
    for module in sorted(routers):
        path = modules[module]
        lines = len(path.read_text().splitlines())
        assert lines <= 200, f"{path.relative_to(ROOT)} has {lines} lines: its rules belong in the use cases"
        imported = _imports(path, module, set(modules)) & routers
        assert not imported, f"{module} imports the routers {imported}"


APPS = ["gateway.app", *(f"services.{p.name}.app" for p in sorted(ROOT.glob("services/*")) if (p / "app.py").exists())]
# Prints every dependency of every route of the apps named in argv that FastAPI would run in a worker thread.
SYNC_DEPENDENCIES = """
import importlib, inspect, sys
from fastapi import routing

def on_the_loop(call):
    return any(inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f)
               for f in (call, getattr(call, "__call__", None)))

def walk(dependant, where):
    for sub in dependant.dependencies:
        if not on_the_loop(sub.call):
            print(where, getattr(sub.call, "__qualname__", sub.call))
        walk(sub, where)

for module in sys.argv[1:]:
    routes = list(routing.iter_route_contexts(importlib.import_module(module).app.routes))
    assert routes, module
    for route in routes:
        if getattr(route, "dependant", None) is not None:
            walk(route.dependant, f"{module} {route.path}")
"""


def test_every_route_dependency_runs_on_the_event_loop(tmp_path):
    """FastAPI runs a plain `def` dependency, a class used as one included, in a worker thread: a thread hand-off
    on every request, which cost 7 to 9 % of a read (docs/performance.md). So each one is `async def`."""
    env = {k: v for k, v in os.environ.items() if k != "APP_ENV"} | {"APP_ENV": "dev", "VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", SYNC_DEPENDENCIES, *APPS], cwd=ROOT, capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", f"dependencies run in a worker thread:\n{result.stdout}"
