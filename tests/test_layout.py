"""The package boundaries of DESIGN.md, checked by reading every module's imports.

`mappings/` is pure (pydantic and the standard library), `state/` is the only SQLite code,
`bridge/http.py` the only module that talks HTTP, `bridge/daemon.py` the only scheduler user,
and only the CLI reads argv or exits.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _who_imports(top: str) -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for package in ("bridge", "mappings", "state")
        for path in _modules(package)
        if top in _imports(path)
    }


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("mappings", {"mappings", "pydantic"}),
        ("state", {"state", "sqlite_utils"}),
    ],
)
def test_leaf_packages_import_only_what_they_may(package, allowed):
    for path in _modules(package):
        foreign = _imports(path) - STDLIB - allowed
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


@pytest.mark.parametrize(
    ("library", "home"),
    [
        ("requests", "bridge/http.py"),
        ("tenacity", "bridge/http.py"),
        ("sqlite_utils", "state/"),
        ("apscheduler", "bridge/daemon.py"),
    ],
)
def test_each_outside_library_has_one_home(library, home):
    found = _who_imports(library)
    assert found, f"nothing imports {library}"
    strays = sorted(name for name in found if not name.startswith(home))
    assert strays == [], f"{library} imported outside {home}: {strays}"


def test_only_the_cli_reads_argv_or_exits():
    offenders = []
    for package in ("bridge", "mappings", "state"):
        for path in _modules(package):
            name = str(path.relative_to(ROOT))
            if name in ("bridge/cli.py", "bridge/__main__.py"):
                continue
            text = path.read_text(encoding="utf-8")
            if "sys.argv" in text or "sys.exit(" in text or "raise SystemExit" in text:
                offenders.append(name)
    assert offenders == []
