"""No package reaches into another package's private modules or names.

Each subpackage of ``linkage`` offers a public API in its ``__init__`` (or a
public module such as ``linkage.encode.hazmat``); ``_private`` modules and names
are its own business. Top-level modules (``linkage/records.py`` ...) count as
their own package.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "linkage"


def _package_of(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def _private_part(module: str, names: list[str]) -> tuple[str | None, str | None]:
    """(package the import reaches into, the private part) or (None, None)."""
    parts = module.split(".")
    if parts[0] != "linkage" or len(parts) < 2:
        return None, None
    target = parts[1]
    for p in parts[2:]:
        if p.startswith("_"):
            return target, ".".join(parts)
    for n in names:
        if n.startswith("_") and n != "__all__":
            return target, f"{module}.{n}"
    return None, None


def private_imports_across_packages() -> list[str]:
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        own = _package_of(path)
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target, what = _private_part(node.module, [a.name for a in node.names])
            elif isinstance(node, ast.Import):
                target = what = None
                for alias in node.names:
                    t, w = _private_part(alias.name, [])
                    if t is not None:
                        target, what = t, w
            else:
                continue
            if target is not None and target.removesuffix(".py") != own:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} imports {what}")
    return found


def test_no_private_imports_across_packages() -> None:
    assert private_imports_across_packages() == []


def test_the_checker_sees_a_private_import(tmp_path: Path) -> None:
    assert _private_part("linkage.encode._bloom", ["x"]) == ("encode", "linkage.encode._bloom")
    assert _private_part("linkage.encode", ["_secret"]) == ("encode", "linkage.encode._secret")
    assert _private_part("linkage.encode.hazmat", ["token_positions"]) == (None, None)
    assert _private_part("numpy._core", ["x"]) == (None, None)
