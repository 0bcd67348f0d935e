"""M3.0.3 list envelopes: `{data, meta}` with paging, sorting, field selection, date filters.

Owns: `REST_Controller::apply_pagination` as API notes 2.2 describes it: default 20 per page,
`per_page` clamped to 1..100, `limit` as an alias only together with `page`, a page beyond the
end clamped to the last one, `sort` as a comma list with `-` for descending, `fields` with the
id always kept, `created_after`/`created_before` (aliases `date_from`/`date_to`) on
`datecreated`, rows without a parsable date kept, and 422 for an unparsable bound.

Must not: fetch rows or know which controller it serves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from bridge.sandbox.perfex.framing import Answer
from bridge.sandbox.server import SimRequest

Row = dict[str, object]
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
_BOUNDS = (("created_after", "date_from"), ("created_before", "date_to"))


def paginate(request: SimRequest, rows: Sequence[Row]) -> Answer:
    bounds, errors = _bounds(request)
    if errors:
        return Answer(
            422,
            {
                "status": False,
                "error": "validation_failed",
                "message": "Invalid date filter",
                "errors": errors,
            },
        )
    kept = [row for row in rows if _within(row, bounds)]
    kept = _sorted(kept, request.query_first("sort"))
    per_page = _per_page(request)
    total_pages = max(1, math.ceil(len(kept) / per_page))
    page = min(max(1, _int(request.query_first("page"), 1)), total_pages)
    chunk = kept[(page - 1) * per_page : page * per_page]
    meta = {
        "page": page,
        "per_page": per_page,
        "total": len(kept),
        "total_pages": total_pages,
        "has_more": page < total_pages,
        "current_page": page,
        "last_page": total_pages,
    }
    return Answer(200, {"data": _project(chunk, request.query_first("fields")), "meta": meta})


def _int(text: str | None, default: int) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        return default


def _per_page(request: SimRequest) -> int:
    asked = request.query_first("per_page")
    if asked is None and request.query_first("page") is not None:
        asked = request.query_first("limit")
    return min(MAX_PER_PAGE, max(1, _int(asked, DEFAULT_PER_PAGE)))


def _parse_moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def _bounds(request: SimRequest) -> tuple[dict[str, datetime], dict[str, str]]:
    bounds: dict[str, datetime] = {}
    errors: dict[str, str] = {}
    for name, alias in _BOUNDS:
        text = request.query_first(name)
        if text is None:
            text = request.query_first(alias)
        if text is None or text == "":
            continue
        moment = _parse_moment(text)
        if moment is None:
            errors[name] = f"Invalid date format: {text}"
        else:
            bounds[name] = moment
    return bounds, errors


def _within(row: Row, bounds: dict[str, datetime]) -> bool:
    created = row.get("datecreated")
    moment = _parse_moment(created) if isinstance(created, str) else None
    if moment is None:
        return True
    after, before = bounds.get("created_after"), bounds.get("created_before")
    return (after is None or moment >= after) and (before is None or moment <= before)


def _sort_key(value: object) -> tuple[int, object]:
    if value is None:
        return (0, "")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return (2, str(value))
    return (1, number) if number.is_finite() else (2, str(value))


def _sorted(rows: list[Row], spec: str | None) -> list[Row]:
    if not spec:
        return rows
    for field in reversed([part.strip() for part in spec.split(",") if part.strip()]):
        name = field.lstrip("-")
        if rows and name not in rows[0]:
            continue
        rows = sorted(rows, key=lambda row: _sort_key(row.get(name)), reverse=field.startswith("-"))
    return rows


def _project(rows: list[Row], spec: str | None) -> list[Row]:
    if not spec:
        return rows
    wanted = {part.strip() for part in spec.split(",") if part.strip()} | {"id"}
    return [{key: value for key, value in row.items() if key in wanted} for row in rows]
