"""What one HTTP client has done: requests, retries and their causes, give-ups, slow exchanges.

Owns the running tally an `HttpClient` keeps for its whole life (thread-safe: the workers of a
system share one client) and the snapshots a caller takes of it. A run takes a snapshot when
it starts and another when it ends; `RequestSnapshot.since(start)` is what happened between the
two, in the shape the run journal stores (`state.records.RequestStats`). The counters simply
subtract. The slowest exchanges need more care, since a daemon's client lives through many
runs: the tally keeps every exchange that could still be among the slowest few of *some* later
stretch, and drops one only once enough later exchanges were at least as slow (at most a few
dozen are kept for any realistic mix of durations; a hard cap bounds the pathological case of
ever faster answers, where only stretches that began long ago lose precision).

Must not: hold a query string, a header or a body (an exchange is its method, its path and its
seconds: the client hands in the path with any credential scrubbed out), or know any API.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from state.records import SLOWEST_KEPT, RequestStats, SlowRequest

# Beyond this many kept exchanges, the oldest go first (see the module docstring).
CANDIDATES_CAP = 256


@dataclass(frozen=True)
class Exchange:
    """One request sent and answered (or not), as the tally keeps it."""

    order: int  # 1 for the client's first exchange, then 2, 3, ...
    method: str
    path: str
    seconds: float


@dataclass(frozen=True)
class RequestSnapshot:
    """The tally at one moment; cumulative since the client was built."""

    requests: int = 0
    retries: int = 0
    retried_because: Mapping[str, int] = field(default_factory=dict)
    gave_up: int = 0
    retry_wait_seconds: float = 0.0
    exchanges: int = 0  # how many exchanges there had been: where a later `since` starts
    candidates: tuple[Exchange, ...] = ()  # exchanges that may be among a stretch's slowest

    def since(self, start: RequestSnapshot | None = None) -> RequestStats:
        """What happened after `start` (a snapshot of the same client), up to this one."""
        start = start or RequestSnapshot()
        causes = {
            cause: number - start.retried_because.get(cause, 0)
            for cause, number in self.retried_because.items()
        }
        later = [e for e in self.candidates if e.order > start.exchanges]
        # Among equally slow exchanges the latest wins, which lets the tally forget the others.
        slowest = sorted(later, key=lambda e: (-e.seconds, -e.order))[:SLOWEST_KEPT]
        return RequestStats(
            requests=self.requests - start.requests,
            retries=self.retries - start.retries,
            retried_because={cause: number for cause, number in causes.items() if number},
            gave_up=self.gave_up - start.gave_up,
            retry_wait_seconds=round(self.retry_wait_seconds - start.retry_wait_seconds, 3),
            slowest=tuple(SlowRequest(e.method, e.path, round(e.seconds, 3)) for e in slowest),
        )


class _Kept:
    """An exchange that may still be among some stretch's slowest, and how many later
    exchanges were at least as slow (at `keep` of them, it no longer can be)."""

    __slots__ = ("exchange", "outranked_by")

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.outranked_by = 0


class RequestTally:
    """The counters and slow exchanges of one client. Every method is thread-safe."""

    def __init__(self, keep: int = SLOWEST_KEPT, cap: int = CANDIDATES_CAP) -> None:
        self._keep = keep
        self._cap = cap
        self._lock = threading.Lock()
        self._requests = 0
        self._retries = 0
        self._causes: dict[str, int] = {}
        self._gave_up = 0
        self._waited = 0.0
        self._exchanges = 0
        self._candidates: list[_Kept] = []  # in the order they happened

    def request_started(self) -> None:
        with self._lock:
            self._requests += 1

    def retried(self, cause: str, wait_seconds: float) -> None:
        """One more try is coming, after `wait_seconds`, because the last one met `cause`."""
        with self._lock:
            self._retries += 1
            self._causes[cause] = self._causes.get(cause, 0) + 1
            self._waited += wait_seconds

    def gave_up_one(self) -> None:
        with self._lock:
            self._gave_up += 1

    def exchanged(self, method: str, path: str, seconds: float) -> None:
        """One exchange took `seconds`; `path` is already free of query and credentials."""
        with self._lock:
            self._exchanges += 1
            outranked = False
            for kept in self._candidates:
                if seconds >= kept.exchange.seconds:
                    kept.outranked_by += 1
                    outranked = outranked or kept.outranked_by >= self._keep
            if outranked:  # `keep` later ones outrank it in every stretch that holds it
                self._candidates = [k for k in self._candidates if k.outranked_by < self._keep]
            self._candidates.append(_Kept(Exchange(self._exchanges, method, path, seconds)))
            if len(self._candidates) > self._cap:
                del self._candidates[0]

    def snapshot(self) -> RequestSnapshot:
        with self._lock:
            return RequestSnapshot(
                requests=self._requests,
                retries=self._retries,
                retried_because=dict(self._causes),
                gave_up=self._gave_up,
                retry_wait_seconds=self._waited,
                exchanges=self._exchanges,
                candidates=tuple(kept.exchange for kept in self._candidates),
            )
