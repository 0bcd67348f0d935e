"""Finding runs by what they were: the latest run of each command, the latest with a status.

`crm-bridge status` asks these without reading the whole journal. Plain functions over a
`Database`; `state.ledger.Ledger` owns transactions and error translation. This module must not
decide what counts as healthy (that is `bridge.health`) nor read the clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from state.journal import summary_of
from state.records import RunSummary


def latest_per_command(db: Database) -> list[RunSummary]:
    """The latest run of each command ("sync", "backfill", "daemon", ...), newest first."""
    rows = db.execute(
        "SELECT MAX(id) FROM runs WHERE dry_run = 0 GROUP BY command ORDER BY MAX(id) DESC"
    ).fetchall()
    found = (summary_of(db, row[0]) for row in rows)
    return [summary for summary in found if summary is not None]


def latest_with_status(
    db: Database, statuses: Sequence[str], commands: Sequence[str] | None = None
) -> RunSummary | None:
    """The latest run that ended with one of `statuses` (and, given `commands`, was one of
    those commands)."""
    sql = "SELECT MAX(id) FROM runs WHERE dry_run = 0"
    sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
    values = list(statuses)
    if commands is not None:
        sql += f" AND command IN ({', '.join('?' for _ in commands)})"
        values += list(commands)
    row = db.execute(sql, values).fetchone()
    return summary_of(db, row[0]) if row and row[0] is not None else None
