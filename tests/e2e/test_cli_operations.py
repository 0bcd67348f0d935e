"""The operator's view through the real CLI: exit codes, sentences, dry runs, secrets, reports."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from functools import partial

from bridge import wiring


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backfill_then_report_in_every_format(rig, monkeypatch, tmp_path):
    result = rig.cli("backfill", monkeypatch=monkeypatch)
    assert result.code == 0, result.text  # the simple books map exactly
    assert "backfill" in result.out and "created" in result.out

    table = rig.cli("report", monkeypatch=monkeypatch)
    assert table.code == 0 and "backfill" in table.out

    as_json = rig.cli("report", "latest", "--format", "json", monkeypatch=monkeypatch)
    document = json.loads(as_json.out)
    assert document["run"]["command"] == "backfill" and document["run"]["id"] == 1
    assert set(document["counts"]) == {
        "created",
        "updated",
        "linked",
        "unchanged",
        "skipped",
        "failed",
        "conflicts",
        "with_warnings",
    }
    assert all(record["action"] != "unchanged" for record in document["records"])

    page = tmp_path / "run.html"
    html = rig.cli(
        "report", "1", "--format", "html", "--output", str(page), monkeypatch=monkeypatch
    )
    assert html.code == 0 and page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_wrong_perfex_token_exits_4_with_one_sentence_and_writes_nothing(rig, monkeypatch):
    rig.environ["PERFEX_API_TOKEN"] = "not-a-token"
    result = rig.cli("sync", monkeypatch=monkeypatch)
    assert result.code == 4
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Perfex" in lines[0] and "Traceback" not in result.err
    assert rig.writes() == []


def test_wrong_onlyoffice_token_exits_4_naming_onlyoffice(rig, monkeypatch):
    rig.environ["ONLYOFFICE_API_TOKEN"] = "wrong"
    result = rig.cli("backfill", monkeypatch=monkeypatch)
    assert result.code == 4
    assert "ONLYOFFICE" in result.err and "Traceback" not in result.err
    assert "wrong" not in result.err
    assert rig.writes() == []


def test_unreachable_system_exits_4(rig, monkeypatch):
    # Retries wait through an injected sleep: every wait is asked for, none is slept.
    waits: list[float] = []
    monkeypatch.setattr(wiring, "build_clients", partial(wiring.build_clients, sleep=waits.append))
    rig.sandbox.onlyoffice.stop()
    result = rig.cli("sync", monkeypatch=monkeypatch)
    assert result.code == 4 and "ONLYOFFICE" in result.err
    assert len(waits) == 5  # max_attempts = 6 in the rig's config


def test_bad_records_exit_1_and_the_rest_is_synced(make_rig, monkeypatch):
    # The strict money policy refuses the inexact invoice (the default writes it and warns).
    rig = make_rig(invoices=12, seed=5, sync='[mapping]\nmoney_mismatch = "fail"')
    first = next(i for i in rig.perfex_invoices().values() if i.status != 6)
    rig.perfex.store.edit_invoice(first.id, adjustment="2.00", total=first.total + 2)
    result = rig.cli("backfill", monkeypatch=monkeypatch)
    assert result.code == 1
    assert f"INV-{first.number:06d}" in result.out and "adjustment" in result.out
    assert len(rig.onlyoffice_by_number()) > 5


def test_dry_run_writes_nothing_anywhere_the_ledger_included(rig, monkeypatch):
    result = rig.cli("backfill", "--dry-run", monkeypatch=monkeypatch)
    assert result.code == 0, result.text
    assert "dry run" in result.out and "would create" in result.out
    assert not rig.ledger_path.exists()
    assert rig.writes() == []

    rig.cli("backfill", monkeypatch=monkeypatch)
    rig.perfex_admin.set_due_date(next(iter(rig.perfex_invoices())), None)
    before = _digest(rig.ledger_path)
    rig.clear_logs()
    planned = rig.cli("sync", "--dry-run", monkeypatch=monkeypatch)
    assert "would update" in planned.out
    assert rig.writes() == []
    assert _digest(rig.ledger_path) == before


def test_no_traceback_and_no_token_anywhere(rig, monkeypatch, tmp_path, caplog):
    tokens = (rig.sandbox.perfex_token, rig.sandbox.onlyoffice_token)
    outputs = [rig.cli("-v", "backfill", monkeypatch=monkeypatch)]
    page = tmp_path / "r.html"
    outputs.append(rig.cli("report", "latest", "--format", "json", monkeypatch=monkeypatch))
    outputs.append(
        rig.cli(
            "report", "latest", "--format", "html", "--output", str(page), monkeypatch=monkeypatch
        )
    )
    rig.environ["PERFEX_API_TOKEN"] = rig.sandbox.perfex_token + "x"
    outputs.append(rig.cli("sync", monkeypatch=monkeypatch))
    texts = [o.text for o in outputs] + [caplog.text, page.read_text(encoding="utf-8")]
    texts.append(rig.ledger_path.read_bytes().decode("utf-8", "replace"))
    for text in texts:
        for token in tokens:
            assert token not in text
    assert all("Traceback" not in o.text for o in outputs[1:])


HOLD_THE_LOCK = """
import sys
from datetime import UTC, datetime
from state import Ledger
ledger = Ledger.open(sys.argv[1])
ledger.acquire_lock("daemon", datetime.now(UTC))
print("held", flush=True)
sys.stdin.read()  # holds the lock until the test closes our stdin (or kills us)
"""


def test_a_second_runner_is_refused_with_exit_5(rig, monkeypatch):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(rig.ledger_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = rig.cli("sync", monkeypatch=monkeypatch)
        assert result.code == 5
        assert str(holder.pid) in result.err and "Traceback" not in result.err
        assert rig.writes() == []
    finally:
        holder.kill()
        holder.wait()


def test_a_source_that_suddenly_lists_nothing_is_a_safety_stop(rig, monkeypatch):
    rig.cli("backfill", monkeypatch=monkeypatch)
    for invoice_id in list(rig.perfex.store.invoices):
        rig.perfex.store.remove_invoice(invoice_id)
    rig.clear_logs()
    result = rig.cli("sync", monkeypatch=monkeypatch)
    assert result.code == 6
    assert "Perfex lists no invoices" in result.err
    assert rig.writes() == []


def test_check_reads_both_systems(rig, monkeypatch):
    result = rig.cli("check", monkeypatch=monkeypatch)
    assert result.code == 0, result.text
    assert "Perfex" in result.out and "ONLYOFFICE" in result.out
    assert rig.writes() == []


def test_configuration_errors_exit_3(rig, monkeypatch):
    rig.write_config("intervall = 60")
    result = rig.cli("sync", monkeypatch=monkeypatch)
    assert result.code == 3 and "intervall" in result.err


def test_usage_errors_exit_2(rig, monkeypatch):
    result = subprocess.run(
        [sys.executable, "-m", "bridge", "backfill", "--since", "yesterday"],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert result.returncode == 2 and "yesterday" in result.stderr


def test_a_perfex_that_cannot_return_one_invoice_is_explained_for_each_invoice(make_rig):
    rig = make_rig(invoices=30, seed=5)
    store = rig.perfex.store
    store.options = dataclasses.replace(store.options, php8_get_bug=True)
    record = rig.run("backfill")
    failed = [o for o in record.outcomes if o.kind == "invoice" and o.action == "failed"]
    assert failed and all("update the API module" in o.error for o in failed)
    assert record.run.status == "partial"
    # Only the first reads (one per worker, with their retries) ask; the rest fail at once.
    single_reads = rig.sandbox.perfex.request_log.count("GET", "/api/invoices/")
    workers, attempts = 4, 6
    assert single_reads <= workers * attempts < len(failed) * attempts
    assert rig.onlyoffice_by_number() == {}
