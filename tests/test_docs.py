"""The documentation keeps up with the code: commands and options in the README, every config
key commented in the example and read by the code, every message in the troubleshooting page."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from bridge.cli import build_parser
from bridge.config import BridgeConfig

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "config.example.toml"
TROUBLESHOOTING = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")

# The commands of the user-facing contract (the README, "Commands").
INTERFACE_COMMANDS = (
    "sync",
    "backfill",
    "daemon",
    "report",
    "check",
    "demo",
    "sandbox",
    "audit",
    "status",
    "init",
    "prune",
    "resolve",
    "accept",
    "retry",
)
# Contract commands whose implementation is not merged yet. `test_pending_is_still_pending`
# fails as soon as one of them exists, so this list cannot outlive its purpose.
PENDING_COMMANDS: set[str] = set()
# Keys the configuration validates and documents for the sync engine, which does not read them
# yet. The same rule: the test fails once the engine reads one, until it is removed here.
PENDING_KEYS: set[tuple[str, str]] = set()


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _in_readme_command_list(name: str) -> bool:
    return f"  {name} " in README or f"  {name}\n" in README


# -- commands ----------------------------------------------------------------------------


def test_every_command_is_in_the_readme():
    for name in _subcommands():
        assert _in_readme_command_list(name), name


def test_every_contract_command_is_in_the_readme():
    for name in INTERFACE_COMMANDS:
        assert _in_readme_command_list(name), name


def test_every_contract_command_exists():
    missing = set(INTERFACE_COMMANDS) - PENDING_COMMANDS - set(_subcommands())
    assert missing == set()


def test_pending_commands_are_still_pending():
    arrived = PENDING_COMMANDS & set(_subcommands())
    assert arrived == set(), f"remove {sorted(arrived)} from PENDING_COMMANDS"


def test_every_option_is_in_the_readme():
    for name, command in _subcommands().items():
        for action in command._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"{name} {flag}"


# -- configuration keys ------------------------------------------------------------------


def _example_key_lines() -> list[tuple[str, str, int]]:
    """(section, key, line index) for every key the example sets or shows commented out."""
    found, section = [], ""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        header = re.match(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
        key = re.match(r"#?\s*(\w+)\s*=", line)
        if key and section:
            found.append((section, key.group(1), index))
    return found


def test_every_key_in_the_example_is_explained():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    explained_lines: set[int] = set()
    for section, key, index in _example_key_lines():
        line = lines[index].lstrip("# ")
        # A comment after the value, or a comment block above a run of keys it explains.
        above = lines[index - 1]
        block = above.startswith("#") and not re.match(r"#?\s*\w+\s*=", above)
        if "  #" in line or " # " in line or block or index - 1 in explained_lines:
            explained_lines.add(index)
        assert index in explained_lines, f"[{section}].{key} has no comment in config.example.toml"


def _model_keys() -> set[tuple[str, str]]:
    keys = set()
    for section, field in BridgeConfig.model_fields.items():
        model = field.annotation
        assert isinstance(model, type)
        keys.update((section, key) for key in model.model_fields)
    return keys


def _code_outside_the_config_package() -> str:
    files = [
        path
        for package in ("bridge", "mappings", "state")
        for path in (ROOT / package).rglob("*.py")
        if "config" not in path.relative_to(ROOT).parts[1:2] and "sandbox" not in path.parts
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_every_configured_key_is_read_by_the_code():
    code = _code_outside_the_config_package()
    unread = {
        (section, key)
        for section, key in _model_keys()
        if not re.search(rf"\.{key}\b", code) and (section, key) not in PENDING_KEYS
    }
    assert unread == set(), f"configured but never read: {sorted(unread)}"


def test_pending_keys_are_still_pending():
    code = _code_outside_the_config_package()
    arrived = {(s, k) for s, k in PENDING_KEYS if re.search(rf"\.{k}\b", code)}
    assert arrived == set(), f"now read by the code: remove {sorted(arrived)} from PENDING_KEYS"


# -- the troubleshooting page ------------------------------------------------------------

# Words that come from pydantic's own messages, reworded by bridge/config/messages.py.
PYDANTIC_WORDING = ("must be a valid integer", "must be greater than or equal to")
MIN_FRAGMENT = 12


def _code_strings() -> list[str]:
    """Every string literal (and literal part of an f-string) in the bridge, whitespace-folded."""
    pieces: list[str] = []
    for package in ("bridge", "mappings", "state"):
        for path in (ROOT / package).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    pieces.append(" ".join(node.value.split()))
    return pieces


def _quoted_messages(page: str) -> list[str]:
    """The messages the page quotes: the code spans of headings, and those that open a list
    item or a table row (up to the dash or the cell's end: what follows explains them)."""
    quoted: list[str] = []
    for line in page.splitlines():
        if line.startswith("### "):
            quoted_part = line
        elif line.startswith(("- `", "| `")):
            quoted_part = re.split(r" — |(?<=`) \| ", line, maxsplit=1)[0]
        else:
            continue
        for double, single in re.findall(r"``\s(.+?)\s``|`([^`]+)`", quoted_part):
            quoted.append(double or single)
    return quoted


def test_every_quoted_message_is_one_the_code_can_print():
    code = _code_strings()
    stale = []
    for message in _quoted_messages(TROUBLESHOOTING):
        for fragment in re.split(r"…", message):
            # What joins a fragment to a placeholder (brackets, quotes, "; ") is not its text.
            fragment = " ".join(fragment.split()).strip(" .;:,[]()'\"")
            if len(fragment) < MIN_FRAGMENT or fragment.startswith(PYDANTIC_WORDING):
                continue
            if not any(fragment in piece for piece in code):
                stale.append(fragment)
    assert stale == [], "docs/troubleshooting.md quotes words the code no longer prints"


# Where the errors an operator meets at exit 3, 4, 5 and 6 are worded.
MESSAGE_MODULES = (
    "bridge/config/__init__.py",
    "bridge/config/sections.py",
    "bridge/config/operations.py",
    "bridge/logs.py",
    "bridge/perfex.py",
    "bridge/perfex_answers.py",
    "bridge/onlyoffice.py",
    "bridge/onlyoffice_answers.py",
    "bridge/http.py",
    "state/connection.py",
    "state/migrations.py",
    "state/lock.py",
    "bridge/engine/sync.py",
)
ERROR_CALLS = {
    "ConfigError",
    "SafetyStop",
    "CredentialsRejected",
    "Unreachable",
    "RateLimited",
    "RetryableError",
    "LedgerError",
    "LedgerLocked",
    "LedgerSchemaTooNew",
    "LedgerUnreadable",
    "_problem",
}


def _error_messages(path: Path) -> list[str]:
    """The longest literal piece of each error message built in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in ERROR_CALLS:
            continue
        pieces = [
            " ".join(part.value.split())
            for part in ast.walk(node.args[0])
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        ]
        longest = max(pieces, key=len, default="").strip(" .;:(")
        if len(longest) >= 20:
            found.append(longest)
    return found


@pytest.mark.parametrize("module", MESSAGE_MODULES)
def test_every_error_message_is_in_the_troubleshooting_page(module: str):
    page = " ".join(TROUBLESHOOTING.split())
    missing = [m for m in _error_messages(ROOT / module) if m not in page]
    assert missing == [], f"{module}: add these to docs/troubleshooting.md"


def test_the_troubleshooting_page_has_a_section_per_exit_code():
    for code in range(1, 7):
        assert re.search(rf"^## Exit {code}: ", TROUBLESHOOTING, re.M), code
    assert "## Interrupted" in TROUBLESHOOTING


# -- the repository speaks only of itself ------------------------------------------------

OWN_DOCS = (
    "README.md",
    "CHANGELOG.md",
    "docs/going-live.md",
    "docs/troubleshooting.md",
    "docs/perfex-api.md",
    "docs/onlyoffice-api.md",
    "deploy/README.md",
)


@pytest.mark.parametrize("name", OWN_DOCS)
def test_docs_point_only_inside_the_repository(name: str):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert "shared/" not in text and "/work/" not in text
    for cited in re.findall(r"\b((?:docs|deploy)/[\w.-]+\.(?:md|service|timer|toml))\b", text):
        assert (ROOT / cited).exists(), f"{name} cites {cited}"
