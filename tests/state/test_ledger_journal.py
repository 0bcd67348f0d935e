"""The run journal: counts tallied from outcomes, ordering, changes, interrupted runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from state import COUNT_KEYS, Ledger, Outcome

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def outcome(action: str, source_id: str = "58", **fields: object) -> Outcome:
    values: dict[str, object] = {
        "kind": "invoice",
        "source": "perfex",
        "source_id": source_id,
        "target": "onlyoffice",
        "target_id": "42",
        "number": f"INV-{source_id}",
        "action": action,
    }
    values.update(fields)
    return Outcome(**values)


def test_finishing_a_run_tallies_every_action_into_its_counts() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "perfex_to_onlyoffice", False, T0)
    for action in ("created", "created", "updated", "unchanged", "conflict", "failed"):
        ledger.record_outcome(run_id, outcome(action))

    summary = ledger.finish_run(run_id, "partial", T0 + timedelta(seconds=4))

    assert summary.counts == {
        "created": 2,
        "updated": 1,
        "linked": 0,
        "unchanged": 1,
        "skipped": 0,
        "failed": 1,
        "conflicts": 1,
    }
    assert (summary.status, summary.finished_at) == ("partial", T0 + timedelta(seconds=4))


def test_a_run_with_no_outcomes_still_has_every_count_key() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("backfill", "both", True, T0)

    summary = ledger.finish_run(run_id, "failed", T0, message="Perfex could not be reached")

    assert tuple(summary.counts) == COUNT_KEYS
    assert set(summary.counts.values()) == {0}
    assert summary.message == "Perfex could not be reached"
    assert summary.dry_run is True


def test_runs_are_listed_newest_first_up_to_the_limit() -> None:
    ledger = Ledger.in_memory()
    ids = [ledger.start_run("sync", "both", False, T0 + timedelta(minutes=i)) for i in range(5)]
    for run_id in ids:
        ledger.finish_run(run_id, "ok", T0 + timedelta(hours=1))

    assert [run.id for run in ledger.runs(limit=3)] == ids[:1:-1]
    assert [run.id for run in ledger.runs()] == ids[::-1]


def test_runs_counts_are_per_run() -> None:
    ledger = Ledger.in_memory()
    first = ledger.start_run("sync", "both", False, T0)
    ledger.record_outcome(first, outcome("created"))
    ledger.finish_run(first, "ok", T0)
    second = ledger.start_run("sync", "both", False, T0)
    ledger.record_outcome(second, outcome("updated"))
    ledger.record_outcome(second, outcome("updated", "59"))

    newest, oldest = ledger.runs()
    assert (newest.counts["updated"], newest.counts["created"]) == (2, 0)
    assert (oldest.counts["updated"], oldest.counts["created"]) == (0, 1)


def test_run_without_an_id_is_the_latest_with_its_outcomes_in_order() -> None:
    ledger = Ledger.in_memory()
    assert ledger.run() is None
    ledger.start_run("sync", "both", False, T0)
    latest = ledger.start_run("backfill", "both", False, T0)
    ledger.record_outcome(latest, outcome("linked", "2"))
    ledger.record_outcome(latest, outcome("skipped", "1", error="no customer"))

    record = ledger.run()

    assert record.run.id == latest and record.run.command == "backfill"
    assert [(o.source_id, o.action) for o in record.outcomes] == [("2", "linked"), ("1", "skipped")]
    assert record.outcomes[1].error == "no customer"
    assert ledger.run(latest) == record
    assert ledger.run(999) is None


def test_changes_round_trip_with_money_and_dates_as_exact_text() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    changes = {
        "dueDate": [date(2026, 11, 30), date(2026, 12, 15)],
        "total": [Decimal("100.10"), Decimal("120.125")],
        "terms": [None, "Net 30 — payable in €"],
    }
    ledger.record_outcome(run_id, outcome("updated", changes=changes))

    (stored,) = ledger.run(run_id).outcomes

    assert stored.changes == {
        "dueDate": ["2026-11-30", "2026-12-15"],
        "total": ["100.10", "120.125"],
        "terms": [None, "Net 30 — payable in €"],
    }


def test_failed_outcomes_are_the_failures_and_conflicts_of_that_run() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    other = ledger.start_run("sync", "both", False, T0)
    ledger.record_outcome(run_id, outcome("failed", "1", error="HTTP 422: number in use"))
    ledger.record_outcome(run_id, outcome("created", "2"))
    ledger.record_outcome(run_id, outcome("conflict", "3", error="both sides changed"))
    ledger.record_outcome(other, outcome("failed", "4"))

    assert [o.source_id for o in ledger.failed_outcomes(run_id)] == ["1", "3"]


def test_an_outcome_is_readable_by_another_process_as_soon_as_it_is_recorded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    running = Ledger.open(path)
    run_id = running.start_run("sync", "both", False, T0)
    running.record_outcome(run_id, outcome("created"))

    reader = Ledger.open_readonly(path)  # e.g. `crm-bridge report` while the sync goes on
    (summary,) = reader.runs()
    assert (summary.status, summary.counts["created"]) == ("running", 1)
    reader.close()
    running.close()


def test_a_run_killed_mid_way_is_marked_interrupted_by_the_next_locked_run(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    killed = Ledger.open(path)
    killed.acquire_lock("daemon", T0, pid=4001, host="box")
    old_run = killed.start_run("sync", "both", False, T0)
    killed.record_outcome(old_run, outcome("created"))
    # SIGKILL: no finish_run and no release_lock; the process (pid 4001) is gone.

    next_one = Ledger.open(path)
    next_one.acquire_lock("sync", T0, pid=4002, host="box", pid_alive=lambda pid: pid == 4002)
    next_one.start_run("sync", "both", False, T0 + timedelta(minutes=5))

    interrupted = next_one.run(old_run).run
    assert (interrupted.status, interrupted.message) == ("failed", "the run was interrupted")
    assert interrupted.counts["created"] == 1  # what it journalled is kept
    next_one.close()
    killed.close()


def test_a_run_whose_holder_is_still_alive_stays_running(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    daemon = Ledger.open(path)
    daemon.acquire_lock("daemon", T0)
    daemon_run = daemon.start_run("sync", "both", False, T0)

    preview = Ledger.open_readonly(path)  # a dry run next to the daemon, without the lock
    preview.start_run("sync", "both", True, T0 + timedelta(minutes=1))

    assert preview.run(daemon_run).run.status == "running"
    preview.close()
    daemon.close()


def test_an_unknown_action_is_refused_so_counts_stay_complete() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    with pytest.raises(ValueError, match="deleted"):
        ledger.record_outcome(run_id, outcome("deleted"))


def test_a_run_cannot_finish_as_running_or_something_unknown() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    for status in ("running", "done"):
        with pytest.raises(ValueError):
            ledger.finish_run(run_id, status, T0)
    with pytest.raises(LookupError):
        ledger.finish_run(run_id + 1, "ok", T0)
