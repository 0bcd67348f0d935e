"""The run journal: counts tallied from outcomes (per kind, with warnings), ordering, changes,
warnings and details, interrupted runs, and journals written before warnings existed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlite_utils import Database

from state import COUNT_KEYS, Ledger, Outcome, RequestStats, SlowRequest
from state.migrations import ledger_migrations
from state.records import tally

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
        "with_warnings": 0,
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
    assert interrupted.status == "interrupted"
    assert interrupted.message == "found unfinished by a later run: its process had ended"
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


def test_a_run_stopped_by_ctrl_c_finishes_as_interrupted() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("backfill", "perfex_to_onlyoffice", False, T0)
    ledger.record_outcome(run_id, outcome("created"))

    summary = ledger.finish_run(run_id, "interrupted", T0, message="stopped by Ctrl-C")

    assert (summary.status, summary.message, summary.counts["created"]) == (
        "interrupted",
        "stopped by Ctrl-C",
        1,
    )


WARNING = "total: ONLYOFFICE totals 1663.47 EUR where Perfex shows 1663.46 EUR"
DETAILS = {
    "customer": "Acme Ltd",
    "currency": "EUR",
    "total": [None, "1663.47"],
    "lines": [{"line": 1, "change": "added", "text": "Consulting × 3 @ 95.00 + VAT 20%"}],
    "names": {"contactId": {"12": "Acme Ltd"}, "invoiceTax1ID": {"2": "VAT 20.00%"}},
    "shape": "onlyoffice invoice",
}


def test_warnings_and_details_round_trip() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    written = outcome("created", warnings=(WARNING,), details=DETAILS)
    ledger.record_outcome(run_id, written)
    ledger.record_outcome(run_id, outcome("failed", "59", error="ONLYOFFICE answered 400"))

    first, second = ledger.run(run_id).outcomes

    assert first == written
    assert (second.warnings, second.details) == ((), {})


def test_details_keep_money_as_exact_text() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    ledger.record_outcome(
        run_id, outcome("updated", details={"total": [Decimal("300.10"), Decimal("325.50")]})
    )

    (stored,) = ledger.run(run_id).outcomes

    assert stored.details == {"total": ["300.10", "325.50"]}


@pytest.mark.parametrize(
    "bad",
    [
        {"warnings": "one warning, not a list"},
        {"warnings": (WARNING, 3)},
        {"details": {"total": [object(), "1.00"]}},
    ],
)
def test_warnings_and_details_that_would_not_read_back_are_refused(bad: dict) -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    with pytest.raises(TypeError):
        ledger.record_outcome(run_id, outcome("created", **bad))
    assert ledger.run(run_id).outcomes == ()


def test_with_warnings_counts_written_records_that_carry_any() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("backfill", "both", False, T0)
    for action, warnings in [
        ("created", (WARNING,)),
        ("created", ()),
        ("updated", (WARNING, "status: Paid kept as Sent")),
        ("linked", (WARNING,)),
        ("unchanged", ()),
    ]:
        ledger.record_outcome(run_id, outcome(action, warnings=warnings))
    ledger.record_outcome(run_id, outcome("failed", error="a cent of rounding"))
    ledger.record_outcome(run_id, outcome("skipped", error="Perfex draft"))

    summary = ledger.finish_run(run_id, "partial", T0)

    assert summary.counts["with_warnings"] == 3
    assert (summary.counts["created"], summary.counts["failed"]) == (2, 1)


def test_an_error_on_a_written_record_is_read_as_its_warnings() -> None:
    # Engines that predate warnings journalled them as the error of a written record.
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    ledger.record_outcome(run_id, outcome("updated", error=f"{WARNING}; status: Paid kept"))
    ledger.record_outcome(run_id, outcome("failed", "59", error="ONLYOFFICE answered 400"))

    record = ledger.run(run_id)

    assert record.run.counts["with_warnings"] == 1
    assert record.run.counts_by_kind["invoice"]["with_warnings"] == 1


def test_counts_per_kind_add_up_to_the_counts() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("backfill", "perfex_to_onlyoffice", False, T0)
    for kind, action in [
        ("contact", "created"),
        ("contact", "linked"),
        ("item", "created"),
        ("tax", "created"),
        ("invoice", "created"),
        ("invoice", "created"),
        ("invoice", "failed"),
    ]:
        ledger.record_outcome(run_id, outcome(action, kind=kind, number=None))

    summary = ledger.finish_run(run_id, "partial", T0, unchanged=5)

    by_kind = summary.counts_by_kind
    assert set(by_kind) == {"invoice", "contact", "item", "tax"}
    assert all(tuple(counts) == COUNT_KEYS for counts in by_kind.values())
    assert (by_kind["invoice"]["created"], by_kind["invoice"]["failed"]) == (2, 1)
    assert by_kind["invoice"]["unchanged"] == 5  # a plain number counts invoices
    assert (by_kind["contact"]["created"], by_kind["contact"]["linked"]) == (1, 1)
    assert (by_kind["item"]["created"], by_kind["tax"]["created"]) == (1, 1)
    for key in COUNT_KEYS:
        assert sum(counts[key] for counts in by_kind.values()) == summary.counts[key]
    assert summary.counts["created"] == 5


def test_unchanged_records_can_be_counted_per_kind() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)

    summary = ledger.finish_run(run_id, "ok", T0, unchanged={"invoice": 40, "contact": 3})

    assert summary.counts["unchanged"] == 43
    assert summary.counts_by_kind["contact"]["unchanged"] == 3
    assert summary.counts_by_kind["item"]["unchanged"] == 0
    with pytest.raises(ValueError):
        ledger.finish_run(run_id, "ok", T0, unchanged={"invoice": -1})


def test_the_ledger_counts_as_the_in_memory_tally_does() -> None:
    outcomes = [
        outcome("created", "1", warnings=(WARNING,)),
        outcome("updated", "2", error=WARNING),
        outcome("linked", "3", kind="contact", number=None),
        outcome("created", "4", kind="item", number=None, error="; "),
        outcome("conflict", "5", error="both sides changed"),
        outcome("skipped", "6", kind="tax", number=None, error="in use"),
    ]
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    for each in outcomes:
        ledger.record_outcome(run_id, each)
    summary = ledger.finish_run(run_id, "partial", T0, unchanged={"invoice": 7, "tax": 2})

    counts, by_kind = tally(outcomes, {"invoice": 7, "tax": 2})

    assert summary.counts == counts
    assert {kind: c for kind, c in summary.counts_by_kind.items() if any(c.values())} == by_kind
    assert counts["with_warnings"] == 2


def test_a_ledger_from_before_warnings_is_migrated_and_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    old = Database(path)
    ledger_migrations.apply(old, stop_before="0002_outcome_warnings_details")
    old.execute(
        "INSERT INTO runs (id, command, direction, dry_run, started_at, status, message,"
        " unchanged_count) VALUES (1, 'sync', 'both', 0, ?, 'failed', 'the run was interrupted',"
        " 12), (2, 'sync', 'both', 0, ?, 'failed', 'Perfex could not be reached', 0)",
        ["2026-11-21T10:00:00+00:00", "2026-11-21T11:00:00+00:00"],
    )
    old.execute(
        "INSERT INTO outcomes (run_id, kind, source, source_id, target, target_id, number,"
        " action, changes, error) VALUES (1, 'invoice', 'perfex', '58', 'onlyoffice', '42',"
        " 'INV-58', 'created', '{}', ?)",
        [WARNING],
    )
    old.conn.commit()
    old.close()

    ledger = Ledger.open(path)
    interrupted, stopped = ledger.run(1), ledger.run(2)

    assert interrupted.run.status == "interrupted"
    assert (stopped.run.status, stopped.run.message) == ("failed", "Perfex could not be reached")
    (created,) = interrupted.outcomes
    assert (created.warnings, created.details, created.error) == ((), {}, WARNING)
    assert interrupted.run.counts["with_warnings"] == 1
    assert interrupted.run.counts_by_kind["invoice"]["unchanged"] == 12
    ledger.close()
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert names[:2] == ["0001_initial", "0002_outcome_warnings_details"]


# -- what a run asked of each system -----------------------------------------------------------

PERFEX_REQUESTS = RequestStats(
    requests=2041,
    retries=37,
    retried_because={"503": 31, "timeout": 6},
    gave_up=1,
    retry_wait_seconds=41.25,
    slowest=(
        SlowRequest("GET", "/api/invoices/58", 2.3),
        SlowRequest("PUT", "/api/invoices/59", 1.75),
    ),
)


def test_a_runs_requests_are_stored_with_it_and_read_back_by_every_reader() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("backfill", "perfex_to_onlyoffice", False, T0)
    requests = {"perfex": PERFEX_REQUESTS, "onlyoffice": RequestStats(requests=12)}
    summary = ledger.finish_run(run_id, "ok", T0, requests=requests)

    assert summary.requests == requests
    assert ledger.run(run_id).run.requests == requests
    assert ledger.runs()[0].requests == requests
    assert ledger.latest_runs_by_command()[0].requests == requests


def test_a_run_finished_without_requests_reads_as_none_counted() -> None:
    ledger = Ledger.in_memory()
    run_id = ledger.start_run("sync", "both", False, T0)
    assert ledger.finish_run(run_id, "failed", T0, message="stopped").requests == {}


def test_a_ledger_from_before_request_statistics_gains_them_and_keeps_its_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    old = Database(path)
    ledger_migrations.apply(old, stop_before="0004_run_requests")
    old.execute(
        "INSERT INTO runs (id, command, direction, dry_run, started_at, finished_at, status)"
        " VALUES (1, 'sync', 'both', 0, ?, ?, 'ok')",
        ["2026-11-21T10:00:00+00:00", "2026-11-21T10:00:04+00:00"],
    )
    old.conn.commit()
    old.close()

    ledger = Ledger.open(path)
    assert ledger.run(1).run.requests == {}
    run_id = ledger.start_run("sync", "both", False, T0)
    ledger.finish_run(run_id, "ok", T0, requests={"perfex": PERFEX_REQUESTS})
    assert ledger.run(run_id).run.requests == {"perfex": PERFEX_REQUESTS}
    ledger.close()
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert names[:4] == [
        "0001_initial",
        "0002_outcome_warnings_details",
        "0003_sync_memory",
        "0004_run_requests",
    ]
