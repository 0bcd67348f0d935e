"""`crm-bridge check` on the sandbox: every probe on its line, permissions named, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from bridge import checks
from bridge.checks import Finding, exit_code, render, run_checks
from state import Ledger


def lines_of(result) -> list[str]:
    return result.out.splitlines()


def line_for(result, label: str) -> str:
    """The one line whose probe (the words before the first colon) mentions `label`."""
    (line,) = [line for line in lines_of(result) if label in line.split(": ", 1)[0]]
    return line


def test_a_ready_installation_passes_every_probe_and_writes_nothing(rig, monkeypatch) -> None:
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 0, result.text
    probes = [line for line in lines_of(result) if line.split()[0] in ("ok", "warn", "FAIL")]
    assert len(probes) == 16 and all(line.startswith("ok ") for line in probes)
    for label in (
        "invoices list",
        "one invoice in full",
        "invoice search",
        "customers list",
        "customer search",
        "items catalogue",
        "common/tax_data",
        "common/payment_mode",
        "invoice filter",
        "invoice/sample",
        "settings/currency",
        "invoice/tax",
        "invoiceitem/filter",
        "contact/filter",
    ):
        assert label in result.out, label
    assert "Ready to run." in result.out
    assert rig.writes() == []
    assert not rig.ledger_path.exists()  # "will be created by the first run"
    for token in rig.environ.values():
        assert token not in result.text


def test_a_token_without_some_permissions_is_told_which_and_probing_goes_on(
    rig, monkeypatch
) -> None:
    rig.environ["PERFEX_API_TOKEN"] = rig.perfex.store.issue_token(
        {"invoices": ["get", "search_get"], "customers": ["get"]}
    )
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 4
    search = line_for(result, "customer search")
    assert search.startswith("FAIL") and "lacks the `customers` permission `search_get`" in search
    items = line_for(result, "items catalogue")
    assert items.startswith("warn") and "lacks the `items` permission `get`" in items
    assert "infers line taxes without the catalogue" in items
    taxes = line_for(result, "common/tax_data")
    assert taxes.startswith("warn") and "`common` permission its screen never offers" in taxes
    assert line_for(result, "one invoice in full").startswith("ok")
    assert line_for(result, "contact/filter").startswith("ok")  # ONLYOFFICE still probed
    assert "1 essential check(s) failed and 3 warning(s)" in result.err


@pytest.mark.parametrize(
    ("direction", "code", "verdict"),
    [("perfex_to_onlyoffice", 0, "warn"), ("both", 4, "FAIL"), ("onlyoffice_to_perfex", 4, "FAIL")],
)
def test_the_invoice_search_is_essential_only_when_perfex_is_written(
    make_rig, monkeypatch, direction: str, code: int, verdict: str
) -> None:
    """Only a write to Perfex looks its invoices up by number: a token made for a one-way sync
    into ONLYOFFICE needs no search permission on invoices."""
    rig = make_rig(direction=direction)
    rig.environ["PERFEX_API_TOKEN"] = rig.perfex.store.issue_token(
        {"invoices": ["get"], "customers": ["get", "search_get"], "items": ["get"]}
    )
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == code, result.text
    search = line_for(result, "invoice search")
    assert search.startswith(verdict) and "lacks the `invoices` permission `search_get`" in search
    if verdict == "warn":
        assert "only needed once [sync].direction writes to Perfex" in search


def test_on_module_3_the_common_endpoints_name_their_own_permissions(make_rig, monkeypatch) -> None:
    rig = make_rig(perfex_version="3")
    rig.environ["PERFEX_API_TOKEN"] = rig.perfex.store.issue_token(
        {"invoices": ["get", "search_get"], "customers": ["get", "search_get"], "items": ["get"]}
    )
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 0, result.text  # only hints are missing
    assert "lacks the `taxes` permission `get`" in line_for(result, "common/tax_data")
    assert "lacks the `payment_methods` permission `get`" in line_for(result, "common/payment_mode")
    assert "REST API module 3.x" in line_for(result, "invoices list")


def test_a_refused_token_skips_that_systems_other_probes_only(rig, monkeypatch) -> None:
    rig.environ["PERFEX_API_TOKEN"] = "not-a-token"
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 4
    perfex = [line for line in lines_of(result) if " Perfex " in line]
    assert perfex[0].startswith("FAIL") and "[perfex].token_env" in perfex[0]
    assert "further probes skipped" in perfex[1] and len(perfex) == 2
    assert line_for(result, "contact/filter").startswith("ok")
    assert "not-a-token" not in result.text


def test_an_unreachable_system_exits_4_and_the_other_is_still_probed(rig, monkeypatch) -> None:
    waits: list[float] = []  # the retry waits, asked for through an injected sleep
    monkeypatch.setattr(checks, "run_checks", partial(checks.run_checks, sleep=waits.append))
    rig.sandbox.onlyoffice.stop()
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 4
    assert len(waits) == 1  # check tries twice at most, so that it answers within seconds
    assert line_for(result, "invoice filter").startswith("FAIL")
    assert line_for(result, "customer search").startswith("ok")


def test_a_missing_token_variable_is_a_configuration_problem(rig, monkeypatch) -> None:
    del rig.environ["ONLYOFFICE_API_TOKEN"]
    monkeypatch.delenv("ONLYOFFICE_API_TOKEN", raising=False)
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 3
    office = [line for line in lines_of(result) if " ONLYOFFICE " in line]
    assert office[0].startswith("FAIL") and "ONLYOFFICE_API_TOKEN" in office[0]
    assert line_for(result, "customer search").startswith("ok")


def test_an_unreadable_ledger_exits_5(rig, monkeypatch) -> None:
    rig.ledger_path.write_bytes(b"this is not a database" * 100)
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 5
    assert "not a readable crm-bridge ledger" in line_for(result, " ledger ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_ledger_folder_nobody_may_write_exits_5(rig, monkeypatch, tmp_path: Path) -> None:
    locked = tmp_path / "read-only"
    locked.mkdir(mode=0o500)
    text = rig.config_path.read_text(encoding="utf-8")
    text = text.replace('ledger = "ledger.db"', f'ledger = "{locked / "sub" / "ledger.db"}"')
    rig.config_path.write_text(text, encoding="utf-8")
    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 5
    assert "is not writable for this user" in line_for(result, " ledger ")


HOLD = """
import sys
from datetime import UTC, datetime
from state import Ledger
ledger = Ledger.open(sys.argv[1])
ledger.acquire_lock("daemon", datetime.now(UTC))
if sys.argv[2] == "transaction":
    with ledger.transaction():
        ledger.set_meta("busy", "yes")
        print("held", flush=True)
        sys.stdin.read()  # until the test closes our stdin (or kills us)
print("held", flush=True)
sys.stdin.read()
"""


def hold(path: Path, how: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.parametrize(
    ("how", "status", "code"), [("lock", "warn", 0), ("transaction", "fail", 5)]
)
def test_a_busy_ledger_names_who_holds_it(rig, how: str, status: str, code: int) -> None:
    holder = hold(rig.ledger_path, how)
    try:
        findings = [f for f in run_checks(rig.config(), busy_timeout=0.2) if f.area == "ledger"]
    finally:
        holder.kill()
        holder.wait()

    assert exit_code(findings) == code
    assert any(f.status == status and f"daemon, pid {holder.pid}" in f.text for f in findings)


def test_marks_are_symbols_where_the_terminal_can_show_them() -> None:
    findings = [Finding("ledger", "ok", "fine"), Finding("Perfex", "fail", "no", 4)]
    assert [line.split()[0] for line in render(findings, encoding="utf-8")] == ["\u2713", "\u2717"]
    assert [line.split()[0] for line in render(findings, encoding="ascii")] == ["ok", "FAIL"]
    assert [line.split()[0] for line in render(findings, encoding=None)] == ["ok", "FAIL"]


def test_the_exit_code_puts_configuration_before_remote_before_ledger() -> None:
    remote, ledger = Finding("Perfex", "fail", "x", 4), Finding("ledger", "fail", "y", 5)
    config = Finding("ONLYOFFICE", "fail", "z", 3)
    hint = Finding("Perfex", "warn", "items")
    assert exit_code([hint]) == 0
    assert exit_code([ledger, remote]) == 4
    assert exit_code([ledger, remote, config]) == 3
    assert exit_code([ledger, hint]) == 5


def test_check_writes_nothing_into_an_existing_ledger(rig, monkeypatch) -> None:
    rig.cli("backfill", monkeypatch=monkeypatch)
    with Ledger.open_readonly(rig.ledger_path) as ledger:
        runs_before = [run.id for run in ledger.runs()]
    rig.clear_logs()
    result = rig.cli("check", monkeypatch=monkeypatch)
    assert result.code == 0, result.text
    with Ledger.open_readonly(rig.ledger_path) as ledger:
        assert [run.id for run in ledger.runs()] == runs_before
        assert ledger.get_meta("write_probe") is None
    assert rig.writes() == []
