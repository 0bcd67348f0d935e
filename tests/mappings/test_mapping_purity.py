"""`mappings/` stays pure: standard library and pydantic only, no clock, no I/O."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mappings"
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED = set(sys.stdlib_module_names) | {"mappings", "pydantic"}
FORBIDDEN_MODULES = {"random", "secrets", "socket", "subprocess", "os", "time", "io", "pathlib"}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "open", "print"}


def imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def called_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_the_package_has_its_modules() -> None:
    assert len(MODULES) > 10


@pytest.mark.parametrize("path", MODULES, ids=[path.stem for path in MODULES])
def test_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = imported_roots(tree)
    assert roots <= ALLOWED, f"{path.name} imports {sorted(roots - ALLOWED)}"
    assert not roots & FORBIDDEN_MODULES, f"{path.name} imports {sorted(roots & FORBIDDEN_MODULES)}"
    assert not called_names(tree) & FORBIDDEN_CALLS
    assert ast.get_docstring(tree), f"{path.name} needs a docstring saying what it owns"
