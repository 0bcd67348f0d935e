"""How long the run journal keeps its runs, and folding stretches of quiet daemon cycles.

A daemon syncing every five minutes journals 288 runs a day; most of them change nothing. Two
rules keep the ledger small without hiding anything an operator needs:

* **Pruning** drops finished runs (and their outcomes) that started before a cut-off. The
  latest run of each command (`sync`, `backfill`, `daemon`, ...) is always kept whatever its
  age, so "when did the last backfill run, and what did it do" stays answerable; runs still
  `running` are never touched. Links, fingerprints and create intents are not run history and
  are never pruned.
* **Folding**: when a daemon cycle (or a `sync`, which a timer may start every few minutes) was
  quiet (finished `ok`, nothing but unchanged records) and the run journalled just before it
  was a quiet run of the same command and direction, the two become one row: the newer run
  keeps its id and takes over the older one's start time, so the row spans the whole quiet
  stretch, and its request statistics add up both runs' (retries in a quiet stretch are
  still worth seeing). Run ids therefore only ever grow.

Plain functions over a `Database`, like `state.journal`; `state.ledger.Ledger` owns
transactions and error translation. Must not read the clock: cut-offs come from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from state.codec import requests_from_text, requests_to_text, time_to_text
from state.records import RequestStats, merged_requests

QUIET_COMMANDS = ("daemon", "sync")


@dataclass(frozen=True)
class Pruned:
    """What a prune removed: the ids of the runs, and how many outcome rows went with them."""

    run_ids: tuple[int, ...]
    outcomes: int

    @property
    def runs(self) -> int:
        return len(self.run_ids)


def prunable_runs(db: Database, *, before: datetime) -> list[int]:
    """Finished runs that started before `before`, except the latest run of each command."""
    rows = db.execute(
        "SELECT id FROM runs"
        " WHERE started_at < ? AND status != 'running'"
        " AND id NOT IN (SELECT MAX(id) FROM runs GROUP BY command)"
        " ORDER BY id",
        [time_to_text(before)],
    )
    return [row[0] for row in rows]


def prune_runs(db: Database, *, before: datetime) -> Pruned:
    """Delete what `prunable_runs` names, outcomes first (they reference their run)."""
    run_ids = prunable_runs(db, before=before)
    outcomes = 0
    for chunk in _chunks(run_ids, 500):  # SQLite caps the number of bound parameters
        marks = ", ".join("?" for _ in chunk)
        outcomes += db.execute(f"DELETE FROM outcomes WHERE run_id IN ({marks})", chunk).rowcount
        db.execute(f"DELETE FROM runs WHERE id IN ({marks})", chunk)
    return Pruned(tuple(run_ids), outcomes)


def fold_quiet_run(db: Database, run_id: int) -> int | None:
    """Merge the run before `run_id` into it when both are quiet runs of one command.

    Returns the id of the run that was merged away, or None when nothing was folded (either
    run was eventful, or they belong to different commands or directions).
    """
    current = _quiet_run(db, run_id)
    if current is None:
        return None
    previous_id = db.execute("SELECT MAX(id) FROM runs WHERE id < ?", [run_id]).fetchone()[0]
    previous = None if previous_id is None else _quiet_run(db, previous_id)
    if previous is None or (previous.command, previous.direction) != (
        current.command,
        current.direction,
    ):
        return None
    merged = merged_requests(current.requests, previous.requests)
    db.execute(
        "UPDATE runs SET started_at = ?, requests = ? WHERE id = ?",
        [previous.started_at, requests_to_text(merged), run_id],
    )
    db.execute("DELETE FROM outcomes WHERE run_id = ?", [previous_id])
    db.execute("DELETE FROM runs WHERE id = ?", [previous_id])
    return previous_id


@dataclass(frozen=True)
class _QuietRun:
    command: str
    direction: str
    started_at: str
    requests: dict[str, RequestStats]


def _quiet_run(db: Database, run_id: int) -> _QuietRun | None:
    """The run, if it is a finished, real (not dry) daemon cycle or sync that changed nothing."""
    marks = ", ".join("?" for _ in QUIET_COMMANDS)
    row = db.execute(
        "SELECT command, direction, started_at, requests FROM runs"
        f" WHERE id = ? AND command IN ({marks}) AND status = 'ok' AND dry_run = 0"
        " AND finished_at IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM outcomes"
        "   WHERE outcomes.run_id = runs.id AND outcomes.action != 'unchanged')",
        [run_id, *QUIET_COMMANDS],
    ).fetchone()
    if row is None:
        return None
    command, direction, started_at, requests = row
    return _QuietRun(command, direction, started_at, requests_from_text(requests))


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]
