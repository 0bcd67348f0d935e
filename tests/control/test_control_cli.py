"""The control commands' contract at the command line, before anything is reached: a missing
configuration is exit 3 with one sentence, a malformed command line exit 2."""

from __future__ import annotations

import contextlib
import io

import pytest

from bridge import cli


def run(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as stop:  # argparse refuses a malformed command line
            code = int(stop.code or 0)
    return code, err.getvalue()


@pytest.mark.parametrize(
    "command",
    [
        ["audit"],
        ["audit", "--repair", "--yes"],
        ["sync", "--invoice", "INV-000001"],
        ["resolve", "INV-000001", "--keep", "perfex"],
        ["accept", "INV-000001"],
        ["retry"],
    ],
    ids=lambda command: " ".join(command),
)
def test_no_configuration_exits_3_naming_the_file(tmp_path, command) -> None:
    missing = tmp_path / "nowhere.toml"
    code, err = run("--config", str(missing), *command)
    assert code == 3
    assert "nowhere.toml" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "command",
    [["resolve", "INV-000001"], ["resolve", "INV-000001", "--keep", "both"], ["accept"]],
    ids=lambda command: " ".join(command),
)
def test_a_malformed_command_line_exits_2(tmp_path, command) -> None:
    code, _ = run("--config", str(tmp_path / "nowhere.toml"), *command)
    assert code == 2
