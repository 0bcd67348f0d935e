"""Route templates, the per-request call context handlers receive, and what they return.

Owns matching `crm/invoice/{invoiceid:\\d+}`-style templates against a path below
`/api/2.0/` and the `Call`/`Reply` types every handler module speaks. It must not authenticate,
bind parameters or build envelopes; `app.py` does those around the handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bridge.sandbox.onlyoffice.access import Caller
from bridge.sandbox.onlyoffice.binding import Params
from bridge.sandbox.onlyoffice.failures import method_not_found
from bridge.sandbox.onlyoffice.options import OnlyofficeOptions
from bridge.sandbox.onlyoffice.paging import ListParams
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wrappers import View

_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^}]+))?\}")


@dataclass(frozen=True)
class Call:
    """One authenticated request as a handler sees it."""

    store: OnlyofficeStore
    caller: Caller
    params: Params
    view: View
    options: OnlyofficeOptions
    now: datetime  # UTC
    paging: ListParams


@dataclass(frozen=True)
class Reply:
    """A handler's result when it needs more than a bare payload.

    `total` is what the method passed to SetTotalCount (§2.1); `paged` says the handler cut
    the page itself (DB-paged endpoints), so the app must not cut it again in memory.
    """

    payload: object
    total: int | None = None
    paged: bool = False


Handler = Callable[[Call], object]


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    verbs: Mapping[str, Handler]
    anonymous: bool = False
    names: tuple[str, ...] = field(default=())


def route(template: str, *, anonymous: bool = False, **verbs: Handler) -> Route:
    """A route; placeholders are `{name}` (one segment) or `{name:regex}`."""

    def group(match: re.Match[str]) -> str:
        return f"(?P<{match.group(1)}>{match.group(2) or '[^/]+'})"

    pattern = re.compile(_PLACEHOLDER.sub(group, template), re.IGNORECASE)  # ASP.NET routing
    names = tuple(m.group(1) for m in _PLACEHOLDER.finditer(template))
    return Route(template, pattern, {v.upper(): h for v, h in verbs.items()}, anonymous, names)


def match_route(
    routes: Sequence[Route], path: str, method: str
) -> tuple[Route, Handler, dict[str, str]] | None:
    """The route and handler for a path and verb; None when no template matches.

    A path that matches only templates without this verb is "Method not found" (§2.2).
    """
    matched = False
    for candidate in routes:
        found = candidate.pattern.fullmatch(path)
        if found is None:
            continue
        matched = True
        handler = candidate.verbs.get(method)
        if handler is not None:
            return candidate, handler, found.groupdict()
    if matched:
        raise method_not_found()
    return None


def first_match(routes: Sequence[Route], path: str) -> Route | None:
    return next((r for r in routes if r.pattern.fullmatch(path)), None)
