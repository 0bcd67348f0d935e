"""One run in the JSON shape the README fixes (`crm-bridge report latest --format json`).

Owns that shape exactly: `run` (id, command, direction, dry_run, started_at, finished_at,
status), `counts` (every key of `COUNT_KEYS`, `with_warnings` included), and `records` with ids
as strings, `warnings` on every record and times as `2026-11-21T10:00:00Z`. Unchanged records
are counted but not listed. Three additions leave that shape as it is: `counts_by_kind` (the
same counts for each of invoice, contact, item and tax) after `counts`; `requests`, what the
run asked of each system (`{"perfex": {...}, "onlyoffice": {...}}`, each with `requests`,
`retries`, `retried_because` (cause -> retries: an HTTP status such as "503", or "timeout",
"reset", "connect", "transport"), `gave_up`, `retry_wait_seconds` and `slowest`, a list of
`{"method", "path", "seconds"}`, slowest first; `{}` for runs journalled before these were
counted); and `details` on a record whose engine sent any (names next to the ids in `changes`,
line changes, totals, the reason code; see "The details contract" in `state.records`). A
written record journalled with its warnings as its error (engines before warnings existed)
shows them as `warnings`.

Must not: rename or drop a key of the README's shape, or turn money into numbers (a float
would lose cents); values in `changes` stay the strings the engine wrote.
"""

from __future__ import annotations

import json
from typing import Any

from bridge.report.layout import counts_by_kind
from bridge.report.wording import counts_in_order, iso_utc, jsonable, listed_outcomes
from state.links import KINDS
from state.records import COUNT_KEYS, Outcome, RunRecord, RunSummary, error_of, warnings_of


def report_json(record: RunRecord, *, failed_only: bool = False) -> str:
    """The report as pretty-printed JSON text, ending with a newline."""
    document = report_document(record, failed_only=failed_only)
    return json.dumps(document, indent=2, ensure_ascii=False, default=jsonable) + "\n"


def report_document(record: RunRecord, *, failed_only: bool = False) -> dict[str, Any]:
    """The same report as plain data, for callers that embed it."""
    return {
        "run": _run(record.run),
        "counts": dict(counts_in_order(record.run)),
        "counts_by_kind": _counts_by_kind(record),
        "requests": _requests(record.run),
        "records": [_outcome(o) for o in listed_outcomes(record, failed_only=failed_only)],
    }


def _counts_by_kind(record: RunRecord) -> dict[str, dict[str, int]]:
    found = counts_by_kind(record)
    return {kind: found.get(kind, dict.fromkeys(COUNT_KEYS, 0)) for kind in KINDS}


def _requests(run: RunSummary) -> dict[str, Any]:
    return {
        system: {
            "requests": stats.requests,
            "retries": stats.retries,
            "retried_because": dict(stats.retried_because),
            "gave_up": stats.gave_up,
            "retry_wait_seconds": stats.retry_wait_seconds,
            "slowest": [
                {"method": slow.method, "path": slow.path, "seconds": slow.seconds}
                for slow in stats.slowest
            ],
        }
        for system, stats in run.requests.items()
    }


def _run(run: RunSummary) -> dict[str, Any]:
    return {
        "id": run.id,
        "command": run.command,
        "direction": run.direction,
        "dry_run": run.dry_run,
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at),
        "status": run.status,
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    document = {
        "kind": outcome.kind,
        "source": outcome.source,
        "source_id": str(outcome.source_id),
        "target": outcome.target,
        "target_id": None if outcome.target_id is None else str(outcome.target_id),
        "number": outcome.number,
        "action": outcome.action,
        "changes": {field: _pair(values) for field, values in outcome.changes.items()},
        "error": error_of(outcome),
        "warnings": list(warnings_of(outcome)),
    }
    if outcome.details:
        document["details"] = outcome.details
    return document


def _pair(values: Any) -> Any:
    return list(values) if isinstance(values, list | tuple) else values
