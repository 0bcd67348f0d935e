"""The common list parameters and page mechanics of ONLYOFFICE lists (§2.7).

Owns reading `count`, `startIndex`, `sortBy`, `sortOrder`, `filterValue` the lenient way the
request context does, the two ways a page is cut (DB-paged endpoints ask for `count + 1` rows
and derive `total`; other lists are cut in memory), the off-by-one `nextIndex`, and the
word-prefix search used by `filterValue`. It must not know which rows a list contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bridge.sandbox.onlyoffice.binding import Params

MAX_PAGE = 1000  # Autofac's maxPage: both the default and the cap (§2.7)
T = TypeVar("T")
_INT = re.compile(r"\s*[+-]?\d{1,10}\s*")


@dataclass(frozen=True)
class ListParams:
    start: int
    count: int
    sort_by: str | None
    descending: bool
    filter_value: str | None


def _lenient_int(text: str | None) -> int | None:
    # The request context swallows unparsable paging values instead of failing (§2.7).
    return int(text) if text and _INT.fullmatch(text) else None


def list_params(params: Params) -> ListParams:
    count = _lenient_int(params.text("count"))
    if count is None or count < 0:
        count = MAX_PAGE
    start = _lenient_int(params.text("startIndex"))
    return ListParams(
        start=max(start or 0, 0),
        count=min(count, MAX_PAGE),
        sort_by=params.text("sortBy") or None,
        # Only this exact spelling sorts descending; "DESC" or "Descending" do not (§2.7).
        descending=params.text("sortOrder") == "descending",
        filter_value=params.text("filterValue") or None,
    )


def db_page(rows: Sequence[T], lp: ListParams) -> tuple[list[T], int]:
    """A page the way DB-paged endpoints cut it, with their `total` rule (§2.7)."""
    window = list(rows[lp.start : lp.start + lp.count + 1])
    if len(window) < lp.count + 1:
        total = lp.start + len(window)  # short page: no count query, start + rows
    else:
        total = len(rows)
    # count=0 asks the database for one row and nothing trims it (§2.7 quirk).
    return window[: max(lp.count, 1)], total


def memory_page(rows: Sequence[T], lp: ListParams) -> tuple[list[T], int | None]:
    """A page cut in memory; `total` only appears when rows were left over (§2.1)."""
    page = list(rows[lp.start : lp.start + max(lp.count, 1)])
    total = len(rows) if len(rows) > lp.start + len(page) else None
    return page, total


def next_index(page_length: int, lp: ListParams, total: int | None) -> int | None:
    """`nextIndex` on full pages when more rows exist; off by one like the server (§2.1)."""
    if total is None or page_length != lp.count or total <= lp.start + lp.count:
        return None
    return lp.start + lp.count + 1


def words_match(filter_value: str | None, texts: Iterable[str | None]) -> bool:
    """Every word starts one of the texts or a word inside one (`LIKE 'w%' OR '% w%'`)."""
    if not filter_value:
        return True
    lowered = [t.lower() for t in texts if t]
    for word in filter_value.lower().split():
        if not any(t.startswith(word) or f" {word}" in t for t in lowered):
            return False
    return True
