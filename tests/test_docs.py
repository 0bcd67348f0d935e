"""The README documents every command and option a user can type."""

from __future__ import annotations

import argparse
from pathlib import Path

from bridge.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_in_the_readme():
    for name in _subcommands():
        assert f"  {name} " in README or f"  {name}\n" in README, name


def test_every_option_is_in_the_readme():
    for name, command in _subcommands().items():
        for action in command._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"{name} {flag}"
