"""The journal a run keeps."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bridge.engine.journal import RunJournal
from state import Ledger
from state.records import Outcome

START = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _journal(ledger: Ledger, clock: list[datetime], dry_run: bool = False) -> RunJournal:
    return RunJournal(
        ledger,
        command="sync",
        direction="perfex_to_onlyoffice",
        dry_run=dry_run,
        now=lambda: clock[0],
        ledger_lock=threading.RLock(),
    )


def _outcome(action: str, source_id: str = "1") -> Outcome:
    return Outcome("invoice", "perfex", source_id, "onlyoffice", "9", "INV-000001", action)


def test_unchanged_records_are_counted_but_not_itemised():
    ledger = Ledger.in_memory()
    journal = _journal(ledger, [START])
    journal.record(_outcome("updated"))
    for _ in range(500):
        journal.count_unchanged()
    record = journal.finish("ok")
    stored = ledger.run(record.run.id)
    assert stored.run.counts["unchanged"] == 500 and stored.run.counts["updated"] == 1
    assert [o.action for o in stored.outcomes] == ["updated"]


def test_a_dry_run_journals_nothing():
    ledger = Ledger.in_memory()
    journal = _journal(ledger, [START], dry_run=True)
    journal.record(_outcome("created"))
    record = journal.finish("ok")
    assert record.run.id == 0 and record.run.counts["created"] == 1
    assert ledger.runs() == []


def test_a_long_run_keeps_its_lock_fresh():
    ledger = Ledger.in_memory()
    ledger.acquire_lock("backfill", START)
    clock = [START]
    journal = _journal(ledger, clock)
    clock[0] = START + timedelta(minutes=2)
    journal.record(_outcome("created", "1"))
    assert ledger.lock_holder().heartbeat_at == START
    clock[0] = START + timedelta(minutes=7)
    journal.record(_outcome("created", "2"))
    assert ledger.lock_holder().heartbeat_at == START + timedelta(minutes=7)
