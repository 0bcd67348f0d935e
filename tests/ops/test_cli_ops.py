"""The operator's commands: init, config, prune, options after the command, examples in --help."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from bridge import cli
from bridge.cli import build_parser
from bridge.config import load_config
from state import Ledger

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- init --------------------------------------------------------------------------------


def test_init_writes_the_shipped_starter_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("init")
    written = tmp_path / "config.toml"
    assert code == 0 and "config.toml" in out and "crm-bridge --config config.toml check" in out
    assert written.read_bytes() == (ROOT / "config.example.toml").read_bytes()
    assert not written.stat().st_mode & stat.S_IROTH  # not world-readable

    written.write_text("# mine\n", encoding="utf-8")
    code, _, err = run_cli("init")
    assert code == 2
    assert (
        err.strip()
        == "config.toml already exists; pass --force to overwrite it, or name another file."
    )
    assert written.read_text(encoding="utf-8") == "# mine\n"

    assert run_cli("init", "--force")[0] == 0
    assert written.read_bytes() == (ROOT / "config.example.toml").read_bytes()


def test_the_starter_loads_once_its_tokens_are_set(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "crm-bridge.toml"
    assert run_cli("init", str(path))[0] == 0
    environ = {"PERFEX_API_TOKEN": "a", "ONLYOFFICE_API_TOKEN": "b"}
    config = load_config(path, environ)
    assert config.ledger_path == path.parent / "state" / "ledger.db"


def test_init_dash_prints_the_starter(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("init", "-")
    assert code == 0 and tomllib.loads(out)["sync"]["keep_runs_days"] == 90
    assert not (tmp_path / "config.toml").exists()


# -- config ------------------------------------------------------------------------------


def test_config_shows_every_key_with_its_origin_and_no_secret(rig, monkeypatch) -> None:
    text = rig.config_path.read_text(encoding="utf-8")
    text += '\n[alerts]\nwebhook = "https://hooks.example.com/T0/B1/very-secret-path"\n'
    rig.config_path.write_text(text, encoding="utf-8")
    result = rig.cli("config", monkeypatch=monkeypatch)

    assert result.code == 0, result.text
    lines = result.out.splitlines()
    assert lines[0] == f"# {rig.config_path} (from --config)"
    assert f'url = "{rig.sandbox.perfex_url}"  # file' in lines
    assert "interval = 300  # default" in lines
    assert f'ledger = "ledger.db"  # file, resolves to {rig.ledger_path}' in lines
    assert "# the Perfex API token: set, from $PERFEX_API_TOKEN  # environment" in lines
    assert "# webhook = (set in the file, hidden)  # file" in lines
    for secret in (*rig.environ.values(), "very-secret-path"):
        assert secret not in result.text
    # What it prints is a configuration file (secrets left out) that loads to the same values.
    echoed = tomllib.loads(result.out)
    assert echoed["sync"]["keep_runs_days"] == 90 and echoed["mapping"]["money_mismatch"] == "warn"


def test_config_says_when_a_token_variable_is_not_set(rig, monkeypatch) -> None:
    monkeypatch.delenv("ONLYOFFICE_API_TOKEN", raising=False)
    del rig.environ["ONLYOFFICE_API_TOKEN"]
    result = rig.cli("config", monkeypatch=monkeypatch)
    assert (
        "# the ONLYOFFICE API token: NOT SET, from $ONLYOFFICE_API_TOKEN  # environment"
        in result.out
    )


def test_config_names_every_problem_of_a_broken_file_at_once(rig, monkeypatch) -> None:
    rig.write_config('interval = 1\nintervall = 2\nperfex_drafts = "always"')
    result = rig.cli("config", monkeypatch=monkeypatch)
    assert result.code == 3 and result.out == ""
    first, *problems = result.err.strip().splitlines()
    assert first.endswith("has 3 problems; fix them all and run again:")
    assert [p.split(" must ")[0] for p in problems[:2]] == [
        "  - [sync].interval",
        "  - [sync].perfex_drafts",
    ]
    assert problems[2] == "  - unknown key [sync].intervall; did you mean interval?"


# -- prune -------------------------------------------------------------------------------


def test_prune_keeps_the_latest_run_of_each_command(rig, monkeypatch) -> None:
    rig.cli("backfill", monkeypatch=monkeypatch)
    rig.perfex_admin.set_quantity(sorted(rig.perfex_invoices())[0], 0, 3)
    rig.cli("sync", monkeypatch=monkeypatch)
    rig.perfex_admin.set_quantity(sorted(rig.perfex_invoices())[1], 0, 3)
    rig.cli("sync", monkeypatch=monkeypatch)

    result = rig.cli("prune", "--keep-days", "0", monkeypatch=monkeypatch)

    assert result.code == 0, result.text
    assert result.out.startswith("Pruned 1 run(s) and ")
    with Ledger.open_readonly(rig.ledger_path) as ledger:
        assert [(run.id, run.command) for run in ledger.runs()] == [(3, "sync"), (1, "backfill")]
    assert not (rig.folder / "reports" / "run-000002-sync.html").exists()
    assert (rig.folder / "reports" / "run-000003-sync.html").exists()


def test_prune_without_a_ledger_creates_none(rig, monkeypatch) -> None:
    result = rig.cli("prune", monkeypatch=monkeypatch)
    assert result.code == 0 and "nothing to prune" in result.out
    assert not rig.ledger_path.exists()


# -- the command line itself -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "x.toml", "-v", "sync"],
        ["sync", "-v", "--config", "x.toml"],
        ["-v", "sync", "--config", "x.toml"],
        ["--config", "x.toml", "sync", "-v"],
    ],
)
def test_global_options_work_before_and_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.command, args.config, args.verbose) == ("sync", "x.toml", True)


def test_without_global_options_the_defaults_hold() -> None:
    args = build_parser().parse_args(["report"])
    assert (args.config, args.verbose) == (None, False)


def subcommands() -> dict[str, object]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_help_ends_with_examples_of_that_command(name: str, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main([name, "--help"])
    assert done.value.code == 0
    help_text = capsys.readouterr().out
    examples = help_text.split("examples:\n", 1)[1].splitlines()
    assert examples and all(
        f"crm-bridge {name}" in line
        or "crm-bridge --config" in line
        or line.lstrip().startswith(("kill", "systemctl"))
        for line in examples
    )


def test_a_verbose_failure_logs_the_traceback_and_a_quiet_one_does_not(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")
    quiet = run_cli("--config", missing, "sync")
    loud = run_cli("sync", "--config", missing, "-v")
    assert quiet[0] == loud[0] == 3
    assert quiet[2].strip().endswith("at your file.") and "Traceback" not in quiet[2]
    assert "Traceback" in loud[2]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_lets_the_records_in_flight_finish_and_prints_the_report(
    make_rig, signum: int, code: int
) -> None:
    rig = make_rig(invoices=40)
    rig.sandbox.onlyoffice.latency_ms = 20
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", "backfill", "--config", str(rig.config_path)],
        env={**os.environ, **rig.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(rig.onlyoffice.store.invoices) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)

    assert process.returncode == code, err
    assert "Traceback" not in err
    assert out.startswith("Run 1 · backfill")
    with Ledger.open_readonly(rig.ledger_path) as ledger:
        record = ledger.run(1)
    assert record is not None and record.run.finished_at is not None
    created = [o for o in record.outcomes if o.kind == "invoice" and o.action == "created"]
    assert 0 < len(created) < 40  # stopped early, between records
    assert len(rig.onlyoffice_by_number()) == len(created) and rig.duplicates() == {}
