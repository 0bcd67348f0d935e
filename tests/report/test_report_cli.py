"""The report as the command line prints it: a reader that stops early (`| head`) ends the output
quietly, a run that exits 1 ends with the sentence that says what to run next, and `report`
links invoices to the configured web screens."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import run_samples as samples

from bridge import cli, commands
from state import Ledger

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
CONFIG = """
[perfex]
url = "https://crm.example.com"

[onlyoffice]
url = "https://office.example.com"

[sync]
ledger = "ledger.db"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose ledger holds the sample run, its 600 updates making a long report."""
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    ledger = Ledger.open(tmp_path / "ledger.db")
    run_id = ledger.start_run("sync", "perfex_to_onlyoffice", False, T0)
    for outcome in samples.OUTCOMES:
        ledger.record_outcome(run_id, outcome)
    for n in range(600):
        number = f"INV-{n + 2000:06d}"
        ledger.record_outcome(run_id, samples.invoice("updated", str(n + 2000), number))
    ledger.finish_run(run_id, "partial", T0)
    ledger.close()
    return path


def run_into_closed_pipe(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`crm-bridge ... | head -0`: the reader is gone before the first byte is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "bridge", "--config", str(config), *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [("report", "latest"), ("report",), ("report", "latest", "--format", "json"), ("--help",)],
    ids=["one-run", "table", "json", "help"],
)
def test_a_reader_that_stops_early_ends_the_output_quietly(config: Path, args: tuple) -> None:
    finished = run_into_closed_pipe(config, *args)
    assert finished.stderr == ""
    assert finished.returncode == 0


def test_report_links_failed_invoices_to_the_configured_web_screens(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--config", str(config), "report", "latest", "--failed"]) == 0
    out = capsys.readouterr().out
    assert "Perfex: https://crm.example.com/admin/invoices/list_invoices/110" in out
    assert "https://office.example.com/Products/CRM/Invoices.aspx?id=1030&action=card" in out


class _Engine:
    """Stands in for the sync engine: hands back the sample run as if it had just run."""

    def run(self, request: object, progress: object = None) -> object:
        return samples.RECORD


def test_a_sync_that_exits_1_ends_with_what_to_run_next(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(commands, "build_engine", lambda config, ledger: _Engine())

    code = cli.main(["--config", str(config), "sync"])

    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert code == 1
    assert lines[0].startswith("Run 12 · sync")
    assert lines[-1] == (
        "3 records failed and 1 conflicted: crm-bridge report latest --failed lists them."
    )
