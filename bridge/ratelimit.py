"""Pacing of requests to one remote system: how long to wait before the next one.

Owns: the per-system rate limit (a thread-safe token bucket: at most `rate_per_second` requests
on average and `burst` back to back; Perfex module 3.x can cap a key at 100 requests an hour,
contract perfex-api.md 1.2), the retry policy and its backoff schedule (exponential, full
jitter, capped), and reading a server's `Retry-After`.

Must not: know anything about HTTP transport or error classes (that is `bridge.http`), or sleep
while holding its lock (waiting threads would queue behind a sleeper instead of the clock).
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # total tries of one request
    max_seconds: float = 120.0  # total time budget across tries
    initial_wait: float = 0.5  # exponential backoff base, with full jitter
    max_wait: float = 30.0


def backoff_seconds(
    policy: RetryPolicy, attempts_made: int, retry_after: float | None, rng: random.Random
) -> float:
    """The wait before the next try: the server's Retry-After when it sent one, else a uniform
    draw in [0, initial_wait * 2^(attempts_made - 1)] ("full jitter"); never above max_wait."""
    if retry_after is not None:
        return min(max(0.0, retry_after), policy.max_wait)
    ceiling = policy.initial_wait * 2 ** (attempts_made - 1)
    return rng.uniform(0, min(policy.max_wait, ceiling))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RateLimiter:
    """Token bucket: `burst` tokens, refilled at `rate_per_second`; `None` means no limit.

    Each `acquire()` takes one token. When none is left the caller reserves the next one
    (the balance goes negative) and sleeps until it is due, so concurrent callers are
    served in the order they asked, each at its own due time.
    """

    def __init__(
        self,
        rate_per_second: float | None,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second is not None and rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive (or None for no limit)")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate_per_second = rate_per_second
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is due. Returns the seconds waited."""
        if self.rate_per_second is None:
            return 0.0
        with self._lock:
            wait = self._reserve(self.rate_per_second)
        if wait > 0:
            self._sleep(wait)
        return wait

    def _reserve(self, rate: float) -> float:
        now = self._clock()
        refilled = self._tokens + (now - self._updated) * rate
        self._tokens = min(float(self.burst), refilled) - 1
        self._updated = now
        return 0.0 if self._tokens >= 0 else -self._tokens / rate
