"""The run journal: one row per run and one per record outcome, read back as `state.records`.

Counts are never stored: they are tallied from the outcomes whenever a run is read (by the rules
of `state.records.tally`, in SQL), so a run cut short by SIGKILL still reports what it
journalled. Unchanged records may be counted without a row each (`finish_run(unchanged=...)`).
A run records the token of the lock it ran under; a run still marked `running` whose token is
not the current lock's has lost its holder and is marked `interrupted` when the next run
starts. These are plain functions over a `Database`; `state.ledger.Ledger` owns transactions and
error translation. This module must not render anything (that is `bridge.report`) nor read the
clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from state.codec import (
    changes_from_text,
    changes_to_text,
    details_from_text,
    details_to_text,
    requests_from_text,
    requests_to_text,
    required_time_from_text,
    time_from_text,
    time_to_text,
    warnings_from_text,
    warnings_to_text,
)
from state.links import KINDS, check_kind, check_side
from state.records import (
    ACTIONS,
    LEGACY_WARNING_SEPARATOR,
    WRITTEN_ACTIONS,
    Outcome,
    RequestStats,
    RunRecord,
    RunSummary,
    count_key,
    empty_counts,
)

INTERRUPTED_MESSAGE = "found unfinished by a later run: its process had ended"
FINISHED_STATUSES = ("ok", "partial", "failed", "interrupted")
# Quiet unchanged records are invoices unless the caller says otherwise: only invoices are
# compared in bulk, and runs journalled before counts per kind counted nothing else.
QUIET_KIND = "invoice"
_RUN_COLUMNS = "id, command, direction, dry_run, started_at, finished_at, status, message, requests"
_OUTCOME_COLUMNS = (
    "kind, source, source_id, target, target_id, number, action, changes, error, warnings, details"
)


def start_run(
    db: Database,
    *,
    command: str,
    direction: str,
    dry_run: bool,
    now: datetime,
    lock_token: str | None,
) -> int:
    cursor = db.execute(
        "INSERT INTO runs (command, direction, dry_run, started_at, status, lock_token)"
        " VALUES (?, ?, ?, ?, 'running', ?)",
        [command, direction, int(dry_run), time_to_text(now), lock_token],
    )
    return cursor.lastrowid


def mark_interrupted(db: Database, *, current_lock_token: str | None) -> int:
    """Mark every `running` run whose lock is gone `interrupted`; return how many were marked.

    A run's lock is gone when nobody holds the lock, or someone else's token is in it (it was
    released, or taken over from a dead or stale holder). A run journalled without the lock
    cannot prove it is alive and counts as gone too.
    """
    cursor = db.execute(
        "UPDATE runs SET status = 'interrupted', message = ?"
        " WHERE status = 'running'"
        " AND (lock_token IS NULL OR ? IS NULL OR lock_token != ?)",
        [INTERRUPTED_MESSAGE, current_lock_token, current_lock_token],
    )
    return cursor.rowcount


def record_outcome(db: Database, run_id: int, outcome: Outcome) -> None:
    _check_outcome(outcome)
    db.execute(
        f"INSERT INTO outcomes (run_id, {_OUTCOME_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            outcome.kind,
            outcome.source,
            outcome.source_id,
            outcome.target,
            outcome.target_id,
            outcome.number,
            outcome.action,
            changes_to_text(outcome.changes),
            outcome.error,
            warnings_to_text(outcome.warnings),
            details_to_text(outcome.details),
        ],
    )


def _check_outcome(outcome: Outcome) -> None:
    # An unknown action would vanish from the counts, which every report relies on.
    if outcome.action not in ACTIONS:
        raise ValueError(f"unknown outcome action {outcome.action!r}")
    check_kind(outcome.kind)
    check_side(outcome.source)
    check_side(outcome.target)


def finish_run(
    db: Database,
    run_id: int,
    *,
    status: str,
    now: datetime,
    message: str | None,
    unchanged: int | Mapping[str, int] = 0,
    requests: Mapping[str, RequestStats] | None = None,
) -> RunSummary:
    """Close a run; `unchanged` counts records left unchanged without an outcome row each, as
    one number (invoices) or per kind; `requests` is what the run asked of each system."""
    if status not in FINISHED_STATUSES:
        raise ValueError(f"a run finishes as one of {', '.join(FINISHED_STATUSES)}, not {status!r}")
    by_kind = _unchanged_by_kind(unchanged)
    cursor = db.execute(
        "UPDATE runs SET status = ?, finished_at = ?, message = ?, unchanged_count = ?,"
        " unchanged_by_kind = ?, requests = ? WHERE id = ?",
        [
            status,
            time_to_text(now),
            message,
            sum(by_kind.values()),
            json.dumps(by_kind),
            requests_to_text(requests or {}),
            run_id,
        ],
    )
    if cursor.rowcount == 0:
        raise LookupError(f"no run with id {run_id}")
    summary = summary_of(db, run_id)
    if summary is None:  # only if the row vanished under us, which nothing here does
        raise LookupError(f"no run with id {run_id}")
    return summary


def _unchanged_by_kind(unchanged: int | Mapping[str, int]) -> dict[str, int]:
    by_kind = {QUIET_KIND: unchanged} if isinstance(unchanged, int) else dict(unchanged)
    for kind, number in by_kind.items():
        check_kind(kind)
        if not isinstance(number, int) or number < 0:
            raise ValueError(f"unchanged {kind} records are counted as 0 or more, not {number!r}")
    return {kind: number for kind, number in by_kind.items() if number}


def recent_runs(db: Database, limit: int) -> list[RunSummary]:
    """The latest `limit` runs, newest first."""
    rows = db.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", [limit]
    ).fetchall()
    tallies = _tally(db, [row[0] for row in rows])
    return [_summary_from_row(row, tallies[row[0]]) for row in rows]


def summary_of(db: Database, run_id: int | None) -> RunSummary | None:
    """One run's summary; the latest run when `run_id` is None."""
    if run_id is None:
        row = db.execute(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    else:
        row = db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchone()
    if row is None:
        return None
    return _summary_from_row(row, _tally(db, [row[0]])[row[0]])


def run_record(db: Database, run_id: int | None) -> RunRecord | None:
    summary = summary_of(db, run_id)
    if summary is None:
        return None
    return RunRecord(run=summary, outcomes=tuple(_outcomes(db, summary.id)))


def failed_outcomes(db: Database, run_id: int) -> list[Outcome]:
    """The outcomes an operator must look at: `failed` and `conflict`, in journal order."""
    return _outcomes(db, run_id, actions=("failed", "conflict"))


def _outcomes(db: Database, run_id: int, actions: Iterable[str] = ACTIONS) -> list[Outcome]:
    wanted = tuple(actions)
    placeholders = ", ".join("?" for _ in wanted)
    rows = db.execute(
        f"SELECT {_OUTCOME_COLUMNS} FROM outcomes"
        f" WHERE run_id = ? AND action IN ({placeholders}) ORDER BY id",
        [run_id, *wanted],
    )
    return [_outcome_from_row(row) for row in rows]


def _outcome_from_row(row: tuple[Any, ...]) -> Outcome:
    kind, source, source_id, target, target_id, number, action, changes, error = row[:9]
    warnings, details = row[9:]
    return Outcome(
        kind=kind,
        source=source,
        source_id=source_id,
        target=target,
        target_id=target_id,
        number=number,
        action=action,
        changes=changes_from_text(changes),
        error=error,
        warnings=warnings_from_text(warnings),
        details=details_from_text(details),
    )


ByKind = dict[str, dict[str, int]]
# A written record carries warnings in its own column or, journalled by an engine that predates
# them, as its error: non-empty once the separators are taken out (state.records.warnings_of).
_HAS_WARNINGS = (
    f"action IN ({', '.join(repr(action) for action in WRITTEN_ACTIONS)})"
    " AND (warnings != '[]' OR REPLACE(IFNULL(error, ''), ?, '') != '')"
)


def _tally(db: Database, run_ids: list[int]) -> dict[int, ByKind]:
    """Counts per run and kind, every kind of KINDS and every key of COUNT_KEYS present (zero
    when nothing was recorded). The same rules as `state.records.tally`."""
    tallies = {run_id: {kind: empty_counts() for kind in KINDS} for run_id in run_ids}
    if not run_ids:
        return tallies
    placeholders = ", ".join("?" for _ in run_ids)
    quiet = db.execute(
        f"SELECT id, unchanged_count, unchanged_by_kind FROM runs WHERE id IN ({placeholders})",
        run_ids,
    )
    for run_id, unchanged, by_kind_text in quiet:
        by_kind = json.loads(by_kind_text or "{}")
        rest = (unchanged or 0) - sum(by_kind.values())  # runs from before counts per kind
        if rest:
            by_kind[QUIET_KIND] = by_kind.get(QUIET_KIND, 0) + rest
        for kind, number in by_kind.items():
            tallies[run_id].setdefault(kind, empty_counts())["unchanged"] += number
    rows = db.execute(
        f"SELECT run_id, kind, action, COUNT(*), SUM({_HAS_WARNINGS}) FROM outcomes"
        f" WHERE run_id IN ({placeholders}) GROUP BY run_id, kind, action",
        [LEGACY_WARNING_SEPARATOR, *run_ids],
    )
    for run_id, kind, action, number, with_warnings in rows:
        counts = tallies[run_id].setdefault(kind, empty_counts())
        counts[count_key(action)] += number
        counts["with_warnings"] += with_warnings or 0
    return tallies


def _total(by_kind: ByKind) -> dict[str, int]:
    counts = empty_counts()
    for kind_counts in by_kind.values():
        for key, number in kind_counts.items():
            counts[key] += number
    return counts


def _summary_from_row(row: tuple[Any, ...], by_kind: ByKind) -> RunSummary:
    run_id, command, direction, dry_run, started_at, finished_at, status, message, requests = row
    return RunSummary(
        id=run_id,
        command=command,
        direction=direction,
        dry_run=bool(dry_run),
        started_at=required_time_from_text(started_at),
        finished_at=time_from_text(finished_at),
        status=status,
        counts=_total(by_kind),
        message=message,
        counts_by_kind=by_kind,
        requests=requests_from_text(requests),
    )
