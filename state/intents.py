"""Create intents: the journal entry written before every create on a target system.

Neither API takes an idempotency key and a create whose answer was lost may still have
happened (creates are the dangerous write; API notes: Perfex 3.4, ONLYOFFICE 4.4). So the
bridge opens an intent before the POST and closes it in the same transaction that
stores the resulting link. An intent still open at the start of a run is a create of unknown
fate: the engine looks its natural key up on the target. Closing deletes the row: an intent
has no history worth keeping once its link exists. This module must not decide how an open
intent is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from state.codec import required_time_from_text, time_to_text
from state.links import check_id, check_kind, check_side

_COLUMNS = ("id", "kind", "target", "natural_key", "source", "source_id", "started_at")


@dataclass(frozen=True)
class Intent:
    """A create that was about to be sent to `target` for `source`'s record `source_id`."""

    id: int
    kind: str
    target: str
    natural_key: str
    source: str
    source_id: str
    started_at: datetime


def _intent_from_row(row: tuple[Any, ...]) -> Intent:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["started_at"] = required_time_from_text(values["started_at"])
    return Intent(**values)


def open_intent(
    db: Database,
    *,
    kind: str,
    target: str,
    natural_key: str,
    source: str,
    source_id: str,
    now: datetime,
) -> int:
    """Journal a create; an identical intent still open is reused with its first start time.

    Reusing keeps the earliest moment the create may have reached the target, which is what
    the look-up after a crash needs, and keeps a record that fails every run from piling up
    intents. Two statements: run inside a transaction.
    """
    check_kind(kind)
    check_side(target)
    check_side(source)
    check_id("source_id", source_id)
    key = [kind, target, natural_key, source, source_id]
    existing = db.execute(
        "SELECT id FROM intents WHERE kind = ? AND target = ? AND natural_key = ?"
        " AND source = ? AND source_id = ? ORDER BY id LIMIT 1",
        key,
    ).fetchone()
    if existing is not None:
        return existing[0]
    cursor = db.execute(
        "INSERT INTO intents (kind, target, natural_key, source, source_id, started_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [*key, time_to_text(now)],
    )
    return cursor.lastrowid


def close_intent(db: Database, intent_id: int) -> None:
    """The create is settled (its link is stored); closing twice is harmless."""
    db.execute("DELETE FROM intents WHERE id = ?", [intent_id])


def open_intents(db: Database, target: str | None = None) -> list[Intent]:
    """Open intents, oldest first; only those aimed at `target` when given."""
    sql = f"SELECT {', '.join(_COLUMNS)} FROM intents"
    params: list[Any] = []
    if target is not None:
        check_side(target)
        sql += " WHERE target = ?"
        params.append(target)
    rows = db.execute(f"{sql} ORDER BY started_at, id", params).fetchall()
    return [_intent_from_row(row) for row in rows]
