"""The run journal's records, as the ledger hands them to readers (reports, tests).

Plain frozen dataclasses with no behaviour: `state.ledger` writes and reads them,
`bridge.report` renders them. Times are timezone-aware UTC datetimes; ids are strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACTIONS = ("created", "updated", "linked", "unchanged", "skipped", "failed", "conflict")
RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted")
# The keys of RunSummary.counts, in report order. "conflicts" counts action "conflict".
COUNT_KEYS = ("created", "updated", "linked", "unchanged", "skipped", "failed", "conflicts")


def count_key(action: str) -> str:
    """The counts key an outcome's action is tallied under."""
    return "conflicts" if action == "conflict" else action


@dataclass(frozen=True)
class Outcome:
    """What one run did to one record."""

    kind: str  # "invoice", "contact", "item" or "tax"
    source: str  # "perfex" or "onlyoffice"
    source_id: str
    target: str
    target_id: str | None
    number: str | None  # the invoice number as the operator knows it, when there is one
    action: str  # one of ACTIONS
    changes: dict[str, list[Any]] = field(default_factory=dict)  # field -> [before, after]
    error: str | None = None  # one line; the reason for skipped/failed/conflict
    warnings: tuple[str, ...] = ()  # how the target could not hold the source exactly
    details: dict[str, Any] = field(default_factory=dict)  # names, totals, line diff, reason


@dataclass(frozen=True)
class RunSummary:
    id: int
    command: str  # "sync", "backfill", "daemon", "demo"
    direction: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    status: str  # one of RUN_STATUSES
    counts: dict[str, int]  # every key of COUNT_KEYS
    message: str | None = None  # why a failed run stopped


@dataclass(frozen=True)
class RunRecord:
    run: RunSummary
    outcomes: tuple[Outcome, ...]
