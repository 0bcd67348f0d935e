"""The per-system rate limit and the pacing helpers (backoff schedule, Retry-After)."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest
from adapter_fakes import FakeClock, TopOfRange

from bridge.ratelimit import RateLimiter, RetryPolicy, backoff_seconds, parse_retry_after


def test_no_rate_means_no_waiting() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, 1, clock.monotonic, clock.sleep)
    for _ in range(100):
        limiter.acquire()
    assert clock.sleeps == []


def test_burst_goes_through_then_requests_are_spaced_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, 3, clock.monotonic, clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 0.5]


def test_idle_time_refills_the_bucket_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, 2, clock.monotonic, clock.sleep)
    limiter.acquire()
    limiter.acquire()
    clock.now += 60  # a long pause refills only `burst` tokens
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_concurrent_callers_each_get_their_own_slot() -> None:
    clock = FakeClock()
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            clock.sleeps.append(seconds)

    limiter = RateLimiter(10.0, 1, clock.monotonic, sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Time never moves here, so the seven waiting callers reserve slots 0.1 s apart.
    assert sorted(round(s, 6) for s in clock.sleeps) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1.0, 1), (1.0, 0)])
def test_nonsense_limits_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate, burst)


def test_backoff_doubles_from_the_initial_wait_up_to_the_cap() -> None:
    policy = RetryPolicy(initial_wait=0.5, max_wait=3.0)
    waits = [backoff_seconds(policy, n, None, TopOfRange()) for n in range(1, 6)]
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_backoff_draws_from_zero_to_the_ceiling() -> None:
    rng = random.Random(3)
    waits = [backoff_seconds(RetryPolicy(), 3, None, rng) for _ in range(200)]
    assert all(0 <= w <= 2.0 for w in waits)
    assert min(waits) < 0.5 < 1.5 < max(waits)


NOW = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Sat, 21 Nov 2026 10:00:30 GMT", 30.0),
        ("Sat, 21 Nov 2026 09:59:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected
