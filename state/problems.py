"""Open problems: records that failed or conflicted and are not settled yet.

A run's journal says what happened in that run; this table says what is still wrong now. A
record enters it when it fails or conflicts, stays (with its attempt count and the time its
next retry is due) while it keeps failing, and leaves when a later run settles it or a person
resolves it. `status` reads it, alerts go out once per entry (`alerted`), and the engine skips
a failed record until its retry is due unless its list row changed (`row_fp`).

Plain functions over a `Database`; `state.ledger.Ledger` owns transactions and error
translation. This module must not decide retry schedules or read the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from state.codec import optional_time_to_text, required_time_from_text, time_from_text, time_to_text
from state.links import check_id, check_kind, check_side

PROBLEM_ACTIONS = ("failed", "conflict")
_COLUMNS = (
    "kind",
    "side",
    "record_id",
    "number",
    "action",
    "reason",
    "error",
    "first_seen",
    "last_seen",
    "attempts",
    "next_try_at",
    "row_fp",
    "alerted",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM problems"


@dataclass(frozen=True)
class Problem:
    """One unsettled record: `side` and `record_id` name the record the bridge reads it from."""

    kind: str
    side: str
    record_id: str
    number: str | None
    action: str  # "failed" or "conflict"
    reason: str | None  # a short stable code, e.g. "rounding", "number_in_use"
    error: str | None  # the one line a person reads
    first_seen: datetime
    last_seen: datetime
    attempts: int
    next_try_at: datetime | None
    row_fp: str | None  # the record's list-row fingerprint when it last failed
    alerted: bool


def _from_row(row: tuple[Any, ...]) -> Problem:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["first_seen"] = required_time_from_text(values["first_seen"])
    values["last_seen"] = required_time_from_text(values["last_seen"])
    values["next_try_at"] = time_from_text(values["next_try_at"])
    values["alerted"] = bool(values["alerted"])
    values["attempts"] = int(values["attempts"] or 0)
    return Problem(**values)


def _check(kind: str, side: str, record_id: str) -> None:
    check_kind(kind)
    check_side(side)
    check_id("record_id", record_id)


def note(
    db: Database,
    *,
    kind: str,
    side: str,
    record_id: str,
    number: str | None,
    action: str,
    reason: str | None,
    error: str | None,
    row_fp: str | None,
    now: datetime,
    next_try_at: datetime | None,
) -> Problem:
    """Record (or refresh) a problem; the attempt count grows, the first sighting stays.

    A problem whose action or reason changed is news again: it is alerted anew.
    """
    _check(kind, side, record_id)
    if action not in PROBLEM_ACTIONS:
        raise ValueError(f"a problem is one of {', '.join(PROBLEM_ACTIONS)}, not {action!r}")
    before = find(db, kind, side, record_id)
    same = before is not None and (before.action, before.reason) == (action, reason)
    values = {
        "kind": kind,
        "side": side,
        "record_id": record_id,
        "number": number,
        "action": action,
        "reason": reason,
        "error": error,
        "first_seen": time_to_text(before.first_seen if before else now),
        "last_seen": time_to_text(now),
        "attempts": (before.attempts if before else 0) + 1,
        "next_try_at": optional_time_to_text(next_try_at),
        "row_fp": row_fp,
        "alerted": int(same and before.alerted) if before else 0,
    }
    db["problems"].upsert(values, pk=("kind", "side", "record_id"))
    found = find(db, kind, side, record_id)
    assert found is not None
    return found


def settle(db: Database, kind: str, side: str, record_id: str) -> bool:
    """Forget a problem that is solved; True when there was one."""
    _check(kind, side, record_id)
    cursor = db.execute(
        "DELETE FROM problems WHERE kind = ? AND side = ? AND record_id = ?",
        [kind, side, record_id],
    )
    return cursor.rowcount > 0


def find(db: Database, kind: str, side: str, record_id: str) -> Problem | None:
    _check(kind, side, record_id)
    row = db.execute(
        f"{_SELECT} WHERE kind = ? AND side = ? AND record_id = ?", [kind, side, record_id]
    ).fetchone()
    return None if row is None else _from_row(row)


def all_open(db: Database) -> list[Problem]:
    """Every open problem, oldest first."""
    return [_from_row(row) for row in db.execute(f"{_SELECT} ORDER BY first_seen, number")]


def mark_alerted(db: Database, kind: str, side: str, record_id: str) -> None:
    _check(kind, side, record_id)
    db.execute(
        "UPDATE problems SET alerted = 1 WHERE kind = ? AND side = ? AND record_id = ?",
        [kind, side, record_id],
    )


def make_due(db: Database, now: datetime) -> int:
    """Every waiting retry becomes due now (`crm-bridge retry`); returns how many."""
    cursor = db.execute(
        "UPDATE problems SET next_try_at = ? WHERE action = 'failed'", [time_to_text(now)]
    )
    return cursor.rowcount
