"""The package boundaries of docs/architecture.md, checked by reading every module's imports.

`mappings/` is pure (pydantic and the pure parts of the standard library: no I/O, clock,
randomness, processes or threads), `state/` is the only SQLite code, `bridge/http.py` the only
module that talks HTTP, `bridge/daemon.py` the only scheduler user, only the CLI reads argv or
exits, and the simulators under `bridge/sandbox/` stand apart from the bridge they test: they
import nothing of it, nor of `mappings/` or `state/`.
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


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, by its full dotted name (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            names.add(f"{base}.{node.module}" if node.module else base)
    return names


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imported_modules(path)}


def _who_imports(top: str) -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for package in ("bridge", "mappings", "state")
        for path in _modules(package)
        if top in _imports(path)
    }


# What a pure translation layer needs from the standard library, and nothing that reaches the
# world (files, network, clock, randomness, processes, threads, databases).
PURE_STDLIB = {
    "__future__",
    "abc",
    "collections",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "enum",
    "fractions",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "math",
    "numbers",
    "operator",
    "re",
    "string",
    "textwrap",
    "types",
    "typing",
    "unicodedata",
}
NEVER_IN_MAPPINGS = {
    "sqlite3",
    "socket",
    "urllib",
    "http",
    "time",
    "random",
    "os",
    "subprocess",
    "threading",
    "pathlib",
    "io",
    "shutil",
    "tempfile",
    "secrets",
    "uuid",
    "logging",
    "asyncio",
    "multiprocessing",
    "signal",
    "sys",
}


def test_mappings_import_only_pure_modules():
    for path in _modules("mappings"):
        foreign = _imports(path) - PURE_STDLIB - {"mappings", "pydantic"}
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_the_pure_list_forbids_what_reaches_the_world():
    assert NEVER_IN_MAPPINGS <= STDLIB
    assert not (PURE_STDLIB & NEVER_IN_MAPPINGS)


def test_state_imports_only_sqlite_utils_and_the_standard_library():
    for path in _modules("state"):
        foreign = _imports(path) - STDLIB - {"state", "sqlite_utils"}
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_the_simulators_import_nothing_of_the_bridge():
    """Stand-ins for the remote systems must not share code with the client they test."""
    offenders = []
    for path in _modules("bridge/sandbox"):
        for name in sorted(_imported_modules(path)):
            top = name.split(".")[0]
            inside = name == "bridge.sandbox" or name.startswith("bridge.sandbox.")
            if top in ("mappings", "state") or (top == "bridge" and not inside):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
            elif top not in STDLIB | {"bridge"}:
                offenders.append(f"{path.relative_to(ROOT)}: {name} (not the standard library)")
    assert offenders == []


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
