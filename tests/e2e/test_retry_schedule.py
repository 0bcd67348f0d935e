"""A failed invoice waits for its scheduled retry instead of being read again every cycle, and
every run in between still reports it as failed: a quiet cycle saves the requests, never the
truth."""

from __future__ import annotations

import json

from rigs import TODAY

from bridge.sandbox.seed import generate


def _report(rig, monkeypatch) -> dict:
    return json.loads(rig.cli("report", "latest", "--format", "json", monkeypatch=monkeypatch).out)


def _reads_of(rig, perfex_id: int) -> int:
    path = f"/api/invoices/{perfex_id}"
    entries = rig.sandbox.perfex.request_log.entries()
    return sum(1 for e in entries if e.method == "GET" and e.path == path)


def test_a_failing_invoice_waits_for_its_retry_and_is_still_reported(make_rig, monkeypatch):
    rig = make_rig()
    rig.sandbox.seed_perfex(generate(seed=17, invoices=40, today=TODAY))
    store = rig.perfex.store
    broken = next(i for i in sorted(store.invoices) if store.invoices[i].row["number"])
    rig.perfex_admin.damage("line", store.lines_of(broken)[0].id, "qty", "null")

    first = rig.cli("sync", monkeypatch=monkeypatch)
    assert first.code == 1
    again = rig.cli("sync", monkeypatch=monkeypatch)  # the first retry is due at once
    assert again.code == 1
    reads_before = _reads_of(rig, broken)
    assert reads_before == 2

    quiet = rig.cli("sync", monkeypatch=monkeypatch)
    assert quiet.code == 1
    assert _reads_of(rig, broken) == reads_before  # not asked again
    report = _report(rig, monkeypatch)
    failed = [r for r in report["records"] if r["action"] == "failed"]
    assert [r["source_id"] for r in failed] == [str(broken)]
    assert "qty" in failed[0]["error"]
    assert failed[0]["details"]["retry_at"] > report["run"]["started_at"]
    assert "wait for their next retry" in quiet.text

    rig.perfex_admin.repair("line", store.lines_of(broken)[0].id)
    retried = rig.cli("retry", monkeypatch=monkeypatch)
    assert retried.code == 0
    assert _reads_of(rig, broken) == reads_before + 1
    records = _report(rig, monkeypatch)["records"]
    created = [r for r in records if r["action"] == "created" and r["kind"] == "invoice"]
    assert [r["source_id"] for r in created] == [str(broken)]
    assert created[0]["target_id"] in {str(i) for i in rig.onlyoffice.store.invoices}
