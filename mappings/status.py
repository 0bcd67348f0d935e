"""Invoice statuses of both systems, ONLYOFFICE's transition graph, and the default tables.

Owns: the status codes (docs/perfex-api.md 3.2, docs/onlyoffice-api.md
4.2), the moves ONLYOFFICE allows through `PUT invoice/status/{status}` (3.6), shortest paths
through them, and the default mapping tables in both directions.

Must not: perform moves or read the clock; Perfex's paid states come from payments, never from
this table (see `FORBIDDEN_PERFEX_TARGETS`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from enum import IntEnum

from mappings.problems import MappingError


class OnlyofficeStatus(IntEnum):
    DRAFT = 1
    SENT = 2  # shown as "Billed" in English portals
    REJECTED = 3
    PAID = 4
    ARCHIVED = 5  # shown as "Archive"; no API move reaches or leaves it


class PerfexStatus(IntEnum):
    UNPAID = 1
    PAID = 2
    PARTIALLY_PAID = 3
    OVERDUE = 4
    CANCELLED = 5
    DRAFT = 6


DRAFT, SENT, REJECTED, PAID, ARCHIVED = OnlyofficeStatus

# API notes 3.6, InvDao `invoiceStatusMap`: any other move (and X → X) is silently ignored by the
# server with HTTP 200, so a client must only ask for these.
ONLYOFFICE_TRANSITIONS: Mapping[int, frozenset[int]] = {
    DRAFT: frozenset({SENT}),
    SENT: frozenset({PAID, REJECTED}),
    REJECTED: frozenset({DRAFT}),
    PAID: frozenset({SENT}),
    ARCHIVED: frozenset(),
}

DEFAULT_PERFEX_TO_ONLYOFFICE: Mapping[int, int] = {
    PerfexStatus.UNPAID: SENT,
    PerfexStatus.PAID: PAID,
    PerfexStatus.PARTIALLY_PAID: SENT,
    PerfexStatus.OVERDUE: SENT,
    PerfexStatus.CANCELLED: REJECTED,
    PerfexStatus.DRAFT: DRAFT,
}

# None means "cannot be carried": the invoice goes over as unpaid and the result carries a
# warning. Paid and archived have no honest Perfex counterpart (paid needs a payment record).
DEFAULT_ONLYOFFICE_TO_PERFEX: Mapping[int, int | None] = {
    DRAFT: PerfexStatus.DRAFT,
    SENT: PerfexStatus.UNPAID,
    REJECTED: PerfexStatus.CANCELLED,
    PAID: None,
    ARCHIVED: None,
}

# Perfex derives these from payments (2, 3) and from the due date and today (4), recomputing
# them after every write (API notes 3.2); posting them would fake a payment or be overwritten.
FORBIDDEN_PERFEX_TARGETS = frozenset(
    {PerfexStatus.PAID, PerfexStatus.PARTIALLY_PAID, PerfexStatus.OVERDUE}
)


class StatusUnreachable(MappingError):
    """No sequence of allowed ONLYOFFICE moves leads from one status to the other."""

    def __init__(self, current: int, wanted: int) -> None:
        super().__init__(
            "status",
            f"ONLYOFFICE cannot move an invoice from {_name(current)} to {_name(wanted)}",
        )
        self.current = current
        self.wanted = wanted


def _name(status: int) -> str:
    try:
        return OnlyofficeStatus(status).name.title()
    except ValueError:
        return f"status {status}"


def status_path(current: int, wanted: int) -> tuple[int, ...]:
    """The shortest sequence of allowed moves from `current` to `wanted` (empty when equal).

    Example: Paid → Draft is (SENT, REJECTED, DRAFT). Raises `StatusUnreachable` otherwise,
    e.g. for anything to or from Archived.
    """
    if current == wanted:
        return ()
    previous: dict[int, int] = {current: current}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        for following in sorted(ONLYOFFICE_TRANSITIONS.get(status, frozenset())):
            if following not in previous:
                previous[following] = status
                if following == wanted:
                    return _walk_back(previous, current, wanted)
                queue.append(following)
    raise StatusUnreachable(current, wanted)


def _walk_back(previous: Mapping[int, int], start: int, end: int) -> tuple[int, ...]:
    path = [end]
    while previous[path[-1]] != start:
        path.append(previous[path[-1]])
    return tuple(OnlyofficeStatus(status) for status in reversed(path))


def reopen_path(current: int) -> tuple[int, ...]:
    """Moves that make an invoice editable again: only Drafts accept a PUT (API notes 3.4)."""
    return status_path(current, DRAFT)


def restore_path(original: int) -> tuple[int, ...]:
    """Moves from Draft back to the status the invoice had before it was reopened.

    Reopening Sent goes through Rejected, which adds tracked stock back; restoring goes
    through Draft → Sent again, which subtracts it: the stock effects cancel out.
    """
    return status_path(DRAFT, original)
