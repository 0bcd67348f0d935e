"""How Python values become ledger column text and back: times, an outcome's changes,
warnings and details, and a run's request statistics.

Times are stored as ISO 8601 text in UTC so they sort and read the same on every host; the
caller must hand in timezone-aware datetimes (a naive one is a bug in the caller, and guessing
its zone would silently shift lock ages and run times). Changes, warnings and details are
stored as JSON; money and dates in them are written as their exact text, never through float.
This module must not read the clock or touch the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from state.records import RequestStats, SlowRequest


def time_to_text(moment: datetime) -> str:
    """ISO 8601 text in UTC, e.g. '2026-11-21T10:00:00+00:00'."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("ledger times must be timezone-aware (UTC), got a naive datetime")
    return moment.astimezone(UTC).isoformat()


def optional_time_to_text(moment: datetime | None) -> str | None:
    return None if moment is None else time_to_text(moment)


def time_from_text(text: str | None) -> datetime | None:
    """The aware UTC datetime stored as `text`, or None for an empty column."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone(UTC)


def required_time_from_text(text: str) -> datetime:
    moment = time_from_text(text)
    if moment is None:
        raise ValueError("a required ledger time is missing")
    return moment


def _exact_json(value: object) -> str:
    """JSON has no Decimal or date: write their exact text so nothing passes through float."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"a change value of type {type(value).__name__} cannot be journalled")


def changes_to_text(changes: dict[str, Any]) -> str:
    return json.dumps(changes, default=_exact_json, ensure_ascii=False, separators=(",", ":"))


def changes_from_text(text: str | None) -> dict[str, list[Any]]:
    """The changes as JSON types: Decimal and date values come back as their text."""
    if not text:
        return {}
    return json.loads(text)


def warnings_to_text(warnings: Sequence[str]) -> str:
    if isinstance(warnings, str) or not all(isinstance(item, str) for item in warnings):
        # A bare string would be journalled as one warning per character.
        raise TypeError("warnings are a sequence of one-line strings")
    return json.dumps(list(warnings), ensure_ascii=False, separators=(",", ":"))


def warnings_from_text(text: str | None) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def details_to_text(details: Mapping[str, Any]) -> str:
    if not isinstance(details, Mapping):
        raise TypeError(f"details are a mapping, got {type(details).__name__}")
    return json.dumps(details, default=_exact_json, ensure_ascii=False, separators=(",", ":"))


def details_from_text(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def requests_to_text(requests: Mapping[str, RequestStats]) -> str:
    """A run's request statistics per system, as a JSON object."""
    return json.dumps(
        {system: _stats_document(stats) for system, stats in requests.items()},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def requests_from_text(text: str | None) -> dict[str, RequestStats]:
    """The statistics `requests_to_text` stored; {} for a run journalled without them."""
    stored = json.loads(text) if text else {}
    return {system: _stats_from(document) for system, document in stored.items()}


def _stats_document(stats: RequestStats) -> dict[str, Any]:
    if not isinstance(stats, RequestStats):
        raise TypeError(f"request statistics are RequestStats, got {type(stats).__name__}")
    return {
        "requests": stats.requests,
        "retries": stats.retries,
        "retried_because": dict(stats.retried_because),
        "gave_up": stats.gave_up,
        "retry_wait_seconds": stats.retry_wait_seconds,
        "slowest": [[slow.method, slow.path, slow.seconds] for slow in stats.slowest],
    }


def _stats_from(document: Mapping[str, Any]) -> RequestStats:
    return RequestStats(
        requests=int(document.get("requests", 0)),
        retries=int(document.get("retries", 0)),
        retried_because={str(k): int(v) for k, v in document.get("retried_because", {}).items()},
        gave_up=int(document.get("gave_up", 0)),
        retry_wait_seconds=float(document.get("retry_wait_seconds", 0.0)),
        slowest=tuple(
            SlowRequest(str(method), str(path), float(seconds))
            for method, path, seconds in document.get("slowest", [])
        ),
    )
