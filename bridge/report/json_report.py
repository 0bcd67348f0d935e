"""One run in the JSON shape INTERFACE.md fixes (`crm-bridge report latest --format json`).

Owns that shape exactly: `run` (id, command, direction, dry_run, started_at, finished_at,
status), `counts` (every key of `COUNT_KEYS`), and `records` with ids as strings and times as
`2026-11-21T10:00:00Z`. Unchanged records are counted but not listed.

Must not: add keys scripts do not expect, or turn money into numbers (a float would lose cents);
values in `changes` stay the strings the engine wrote.
"""

from __future__ import annotations

import json
from typing import Any

from bridge.report.wording import counts_in_order, iso_utc, jsonable, listed_outcomes
from state.records import Outcome, RunRecord, RunSummary


def report_json(record: RunRecord, *, failed_only: bool = False) -> str:
    """The report as pretty-printed JSON text, ending with a newline."""
    document = report_document(record, failed_only=failed_only)
    return json.dumps(document, indent=2, ensure_ascii=False, default=jsonable) + "\n"


def report_document(record: RunRecord, *, failed_only: bool = False) -> dict[str, Any]:
    """The same report as plain data, for callers that embed it."""
    return {
        "run": _run(record.run),
        "counts": dict(counts_in_order(record.run)),
        "records": [_outcome(o) for o in listed_outcomes(record, failed_only=failed_only)],
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
    return {
        "kind": outcome.kind,
        "source": outcome.source,
        "source_id": str(outcome.source_id),
        "target": outcome.target,
        "target_id": None if outcome.target_id is None else str(outcome.target_id),
        "number": outcome.number,
        "action": outcome.action,
        "changes": {field: _pair(values) for field, values in outcome.changes.items()},
        "error": outcome.error,
    }


def _pair(values: Any) -> Any:
    return list(values) if isinstance(values, list | tuple) else values
