"""The run journal's records, as the ledger hands them to readers (reports, tests).

Frozen dataclasses and the few rules that say how they are counted: `state.ledger` writes and
reads them, `bridge.report` renders them. Times are timezone-aware UTC datetimes; ids are
strings. This module must not touch the database or render anything.

An outcome's `warnings` list every way the target could not hold the source exactly (field,
both values, amount); they are for written records (created, updated, linked) and never make a
run partial. Engines written before warnings existed put a written record's warnings in its
`error`, joined by "; "; `warnings_of` reads either form, and the counts follow it.

The `details` contract
----------------------
`Outcome.details` is what a reader needs besides the wire-level `changes`. The engine fills it;
every key is optional and every value is plain JSON (strings, numbers, lists, objects, null),
so the journal stores it as given and reports render whatever is there:

- `customer`: the invoice's customer name as the target shows it, e.g. "Acme Ltd".
- `currency`: the invoice's ISO currency code, e.g. "EUR".
- `total`: `[before, after]`, the invoice total as decimal strings; `before` is null for a
  create, e.g. `["300.00", "325.50"]`.
- `lines`: the line changes, each an object
  `{"line": n, "change": "added" | "removed" | "changed", "text": "...", "fields": {...}}`:
  `line` is the 1-based position (in the new list for added and changed lines, in the old one
  for removed lines); `text` is the line as a person reads it, names already used
  ("Consulting × 3 @ 95.00 + VAT 20%"); `fields`, for "changed" only, maps the line field's
  wire name to `[before, after]`, e.g. `{"quantity": ["1", "3"]}`.
- `names`: `{"<wire field>": {"<id>": "<name>"}}`, so that ids in `changes` are shown as names,
  e.g. `{"contactId": {"12": "Acme Ltd"}, "invoiceTax1ID": {"2": "VAT 20.00%"}}`.
- `shape`: which table of `mappings.fields.SHAPES` names the fields in `changes`, e.g.
  "onlyoffice invoice" or "perfex invoice".
- `reason`: a short stable code that groups failures and skips, next to the human `error`:
  "rounding", "number_in_use", "unparsable_row", "locked", "deleted", "placeholder_draft",
  "conflict", ...
- `retry_at`: for a failed record the run did not try again because its scheduled retry is
  not due (its rows did not change), when that retry is due, e.g. "2026-11-21T10:15:00+00:00".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

ACTIONS = ("created", "updated", "linked", "unchanged", "skipped", "failed", "conflict")
# The actions after which the target holds the source: the records warnings belong to.
WRITTEN_ACTIONS = ("created", "updated", "linked")
RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted")
# The keys of RunSummary.counts, in report order. "conflicts" counts action "conflict";
# "with_warnings" counts written records that carry any warning (they are also counted under
# their action).
ACTION_COUNT_KEYS = ("created", "updated", "linked", "unchanged", "skipped", "failed", "conflicts")
COUNT_KEYS = (*ACTION_COUNT_KEYS, "with_warnings")
LEGACY_WARNING_SEPARATOR = "; "


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
    warnings: tuple[str, ...] = ()  # for written records: what the target could not hold
    details: dict[str, Any] = field(default_factory=dict)  # see "The details contract" above


def warnings_of(outcome: Outcome) -> tuple[str, ...]:
    """The outcome's warnings; for a written record journalled with its warnings as `error`
    (engines before warnings existed), that error split back into warnings."""
    if outcome.warnings:
        return tuple(outcome.warnings)
    if outcome.action in WRITTEN_ACTIONS and outcome.error:
        return tuple(part for part in outcome.error.split(LEGACY_WARNING_SEPARATOR) if part)
    return ()


def error_of(outcome: Outcome) -> str | None:
    """The outcome's error, unless `warnings_of` reads it as the warnings of a written record."""
    if outcome.action in WRITTEN_ACTIONS and not outcome.warnings:
        return None
    return outcome.error


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def tally(
    outcomes: Iterable[Outcome], unchanged_by_kind: Mapping[str, int] | None = None
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The counts and the counts per kind of these outcomes, plus unchanged records that were
    counted without being itemised. The ledger tallies in SQL by the same rules; this is for
    records that never reached it (a dry run) and for checking one against the other."""
    counts = empty_counts()
    by_kind: dict[str, dict[str, int]] = {}
    for kind, number in (unchanged_by_kind or {}).items():
        _add(counts, by_kind, kind, "unchanged", number)
    for outcome in outcomes:
        _add(counts, by_kind, outcome.kind, count_key(outcome.action), 1)
        if outcome.action in WRITTEN_ACTIONS and warnings_of(outcome):
            _add(counts, by_kind, outcome.kind, "with_warnings", 1)
    return counts, by_kind


def _add(
    counts: dict[str, int], by_kind: dict[str, dict[str, int]], kind: str, key: str, number: int
) -> None:
    counts[key] += number
    by_kind.setdefault(kind, empty_counts())[key] += number


# How many of a system's slowest requests a run keeps.
SLOWEST_KEPT = 5


@dataclass(frozen=True)
class SlowRequest:
    """One of the slowest exchanges of a run: never a query string, header or body."""

    method: str  # "GET"
    path: str  # "/api/invoices/58", without the query string
    seconds: float  # from sending the request to the end of the answer (or the timeout)


@dataclass(frozen=True)
class RequestStats:
    """What the bridge asked of one system during a run, and what it cost.

    `retried_because` counts retries by the cause of the try that failed: an HTTP status
    ("503", "429"), "timeout" (no answer in time), "reset" (the connection dropped after the
    request went out), "connect" (no connection could be made) or "transport" (anything else
    on the way). `gave_up` counts requests that ended on such a transient failure: out of
    attempts or time, or a write that may have been applied and is never repeated blind.
    """

    requests: int = 0  # requests made, each counted once however often it was tried
    retries: int = 0  # tries after the first
    retried_because: dict[str, int] = field(default_factory=dict)
    gave_up: int = 0
    retry_wait_seconds: float = 0.0  # time spent waiting before retries
    slowest: tuple[SlowRequest, ...] = ()  # slowest first, at most SLOWEST_KEPT

    def merged(self, other: RequestStats) -> RequestStats:
        """Both runs' requests as one (a stretch of quiet daemon cycles kept as one run)."""
        causes = dict(self.retried_because)
        for cause, number in other.retried_because.items():
            causes[cause] = causes.get(cause, 0) + number
        slowest = sorted((*self.slowest, *other.slowest), key=lambda s: -s.seconds)
        return replace(
            self,
            requests=self.requests + other.requests,
            retries=self.retries + other.retries,
            retried_because=causes,
            gave_up=self.gave_up + other.gave_up,
            retry_wait_seconds=self.retry_wait_seconds + other.retry_wait_seconds,
            slowest=tuple(slowest[:SLOWEST_KEPT]),
        )


def merged_requests(
    newer: Mapping[str, RequestStats], older: Mapping[str, RequestStats]
) -> dict[str, RequestStats]:
    """Per system, the requests of two runs as those of one."""
    systems = list(dict.fromkeys([*newer, *older]))
    return {
        system: newer.get(system, RequestStats()).merged(older.get(system, RequestStats()))
        for system in systems
    }


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
    message: str | None = None  # why a failed or interrupted run stopped
    # The same counts per record kind ("invoice", "contact", "item", "tax"), each with every
    # key of COUNT_KEYS; the ledger fills every kind. Empty when whoever built the summary did
    # not count per kind (an engine's dry run): readers then tally the outcomes themselves.
    counts_by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    # Per system ("perfex", "onlyoffice"): the requests the run made, its retries and its
    # slowest requests. Empty for runs journalled before crm-bridge counted them.
    requests: dict[str, RequestStats] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRecord:
    run: RunSummary
    outcomes: tuple[Outcome, ...]
