"""Inside estimate/ and classify/ no module imports one that imports it back (issue 13 item 7)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "linkage"


def _graph(package: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted((SRC / package).glob("*.py")):
        name = f"linkage.{package}.{path.stem}" if path.stem != "__init__" else f"linkage.{package}"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):  # imports inside functions count too
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(f"linkage.{package}._"):
                deps.add(node.module)
        out[name] = deps
    return out


@pytest.mark.parametrize("package", ["estimate", "classify", "simulate"])
def test_private_modules_import_without_a_circle(package: str) -> None:
    graph = _graph(package)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 1:
            raise AssertionError("import circle: " + " -> ".join([*path, node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            visit(dep, [*path, node])
        state[node] = 2

    for node in graph:
        visit(node, [])


def test_the_simulator_is_kept_apart_from_the_count_model() -> None:
    # the count model (data, JSON, bundled models) never imports the simulator that builds it
    for path in (SRC / "estimate").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                assert not name.startswith(("linkage.simulate", "linkage.synth", "linkage.encode")), path.name
