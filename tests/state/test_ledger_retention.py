"""Run retention: pruning old runs, and folding stretches of quiet daemon cycles into one row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from state import Ledger, Link, Outcome, RequestStats, SlowRequest

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
DIRECTION = "perfex_to_onlyoffice"


def outcome(action: str, source_id: str = "58") -> Outcome:
    return Outcome("invoice", "perfex", source_id, "onlyoffice", "42", f"INV-{source_id}", action)


def run(
    ledger: Ledger,
    command: str,
    started: datetime,
    actions: tuple[str, ...] = (),
    status: str = "ok",
    direction: str = DIRECTION,
    unchanged: int = 0,
    requests: dict[str, RequestStats] | None = None,
) -> int:
    run_id = ledger.start_run(command, direction, False, started)
    for number, action in enumerate(actions):
        ledger.record_outcome(run_id, outcome(action, str(number)))
    ledger.finish_run(
        run_id, status, started + timedelta(seconds=5), unchanged=unchanged, requests=requests
    )
    return run_id


def run_ids(ledger: Ledger) -> list[int]:
    return sorted(summary.id for summary in ledger.runs(limit=1000))


# -- pruning -----------------------------------------------------------------------------


def test_prune_drops_old_runs_with_their_outcomes_and_keeps_recent_ones() -> None:
    ledger = Ledger.in_memory()
    old_sync = run(ledger, "sync", T0, ("created", "failed"))
    run(ledger, "sync", T0 + timedelta(days=1), ("updated",))
    recent = run(ledger, "sync", T0 + timedelta(days=100), ("created",))

    pruned = ledger.prune_runs(T0 + timedelta(days=10))

    assert pruned.run_ids == (old_sync, old_sync + 1)
    assert (pruned.runs, pruned.outcomes) == (2, 3)
    assert run_ids(ledger) == [recent]
    assert ledger.run(old_sync) is None


def test_prune_keeps_the_latest_run_of_each_command_however_old() -> None:
    ledger = Ledger.in_memory()
    backfill = run(ledger, "backfill", T0, ("created",) * 3)
    run(ledger, "daemon", T0 + timedelta(days=1), ("updated",))
    daemon = run(ledger, "daemon", T0 + timedelta(days=2), ("updated",))

    ledger.prune_runs(T0 + timedelta(days=365))

    assert run_ids(ledger) == [backfill, daemon]
    kept = ledger.run(backfill)
    assert kept is not None and kept.run.counts["created"] == 3


def test_prune_never_touches_a_running_run_or_the_links() -> None:
    ledger = Ledger.in_memory()
    ledger.save_link(Link("invoice", "58", "42", "INV-000058"))
    finished = run(ledger, "backfill", T0)
    running = ledger.start_run("backfill", DIRECTION, False, T0 + timedelta(days=1))

    ledger.prune_runs(T0 + timedelta(days=365))

    assert run_ids(ledger) == [running]  # the older one went, although it is not the latest
    assert finished not in run_ids(ledger)
    assert ledger.link_for("invoice", "perfex", "58") is not None


def test_prune_handles_more_runs_than_one_statement_may_name() -> None:
    ledger = Ledger.in_memory()
    for day in range(1203):
        run(ledger, "sync", T0 + timedelta(minutes=day), ("failed",))

    pruned = ledger.prune_runs(T0 + timedelta(days=30))

    assert (pruned.runs, pruned.outcomes) == (1202, 1202)
    assert len(run_ids(ledger)) == 1


# -- folding quiet cycles ----------------------------------------------------------------


def test_a_stretch_of_quiet_cycles_becomes_one_row_spanning_it() -> None:
    ledger = Ledger.in_memory()
    eventful = run(ledger, "daemon", T0, ("created",))
    first_quiet = run(ledger, "daemon", T0 + timedelta(minutes=5), unchanged=40)
    assert ledger.fold_quiet_run(first_quiet) is None  # the run before it was eventful
    second = run(ledger, "daemon", T0 + timedelta(minutes=10), ("unchanged",), unchanged=39)
    assert ledger.fold_quiet_run(second) == first_quiet
    third = run(ledger, "daemon", T0 + timedelta(minutes=15), unchanged=40)
    assert ledger.fold_quiet_run(third) == second

    assert run_ids(ledger) == [eventful, third]
    stretch = ledger.run(third)
    assert stretch is not None
    assert stretch.run.started_at == T0 + timedelta(minutes=5)
    assert stretch.run.finished_at == T0 + timedelta(minutes=15, seconds=5)
    assert stretch.run.counts["unchanged"] == 40  # what the latest cycle saw, not a sum


def test_a_folded_stretch_adds_up_the_requests_of_its_cycles() -> None:
    """Retries during a quiet stretch stay visible: the row spanning it counts them all."""
    ledger = Ledger.in_memory()
    first = {
        "perfex": RequestStats(
            requests=10,
            retries=2,
            retried_because={"503": 2},
            retry_wait_seconds=1.5,
            slowest=(SlowRequest("GET", "/api/invoices", 3.0),),
        )
    }
    second = {
        "perfex": RequestStats(
            requests=10,
            retries=1,
            retried_because={"503": 1},
            gave_up=1,
            retry_wait_seconds=0.5,
            slowest=(SlowRequest("GET", "/api/invoices/7", 4.0),),
        ),
        "onlyoffice": RequestStats(requests=3),
    }
    older = run(ledger, "daemon", T0, unchanged=40, requests=first)
    newer = run(ledger, "daemon", T0 + timedelta(minutes=5), unchanged=40, requests=second)
    assert ledger.fold_quiet_run(newer) == older

    stretch = ledger.run(newer).run.requests
    assert stretch["perfex"] == RequestStats(
        requests=20,
        retries=3,
        retried_because={"503": 3},
        gave_up=1,
        retry_wait_seconds=2.0,
        slowest=(
            SlowRequest("GET", "/api/invoices/7", 4.0),
            SlowRequest("GET", "/api/invoices", 3.0),
        ),
    )
    assert stretch["onlyoffice"] == RequestStats(requests=3)


def test_an_eventful_cycle_ends_the_stretch_and_ids_keep_growing() -> None:
    ledger = Ledger.in_memory()
    quiet = run(ledger, "daemon", T0)
    failing = run(ledger, "daemon", T0 + timedelta(minutes=5), ("failed",), status="partial")
    assert ledger.fold_quiet_run(failing) is None
    after = run(ledger, "daemon", T0 + timedelta(minutes=10))
    assert ledger.fold_quiet_run(after) is None  # the run before it had a failure

    assert run_ids(ledger) == [quiet, failing, after]
    assert ledger.start_run("daemon", DIRECTION, False, T0 + timedelta(minutes=15)) > after


def test_quiet_runs_of_other_commands_or_directions_are_not_folded_together() -> None:
    ledger = Ledger.in_memory()
    run(ledger, "backfill", T0)
    sync = run(ledger, "sync", T0 + timedelta(minutes=1))
    assert ledger.fold_quiet_run(sync) is None
    daemon = run(ledger, "daemon", T0 + timedelta(minutes=2))
    assert ledger.fold_quiet_run(daemon) is None
    both = run(ledger, "daemon", T0 + timedelta(minutes=3), direction="both")
    assert ledger.fold_quiet_run(both) is None
    assert len(run_ids(ledger)) == 4


def test_a_dry_or_failed_run_is_never_folded() -> None:
    ledger = Ledger.in_memory()
    run(ledger, "daemon", T0)
    dry = ledger.start_run("daemon", DIRECTION, True, T0 + timedelta(minutes=5))
    ledger.finish_run(dry, "ok", T0 + timedelta(minutes=6))
    assert ledger.fold_quiet_run(dry) is None
    stopped = run(ledger, "daemon", T0 + timedelta(minutes=10), status="failed")
    assert ledger.fold_quiet_run(stopped) is None
    assert len(run_ids(ledger)) == 3
