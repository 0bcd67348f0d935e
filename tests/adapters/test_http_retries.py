"""Retry sequences of the HTTP boundary, with the exact waits read from the injected sleep."""

from __future__ import annotations

import random
from datetime import timedelta
from email.utils import format_datetime

import pytest
import requests
import responses
from adapter_fakes import FIXED_NOW, PERFEX_URL, connect_refused, connection_dropped

from bridge.errors import (
    AnswerLost,
    RateLimited,
    RecordRejected,
    RetryableError,
    Unreachable,
)
from bridge.http import RetryPolicy
from bridge.ratelimit import RateLimiter

URL = f"{PERFEX_URL}/api/invoices"


def _queue(method: str, *answers: object) -> None:
    """Register answers served in order: an int is a status, an exception is raised."""
    for answer in answers:
        if isinstance(answer, BaseException):
            responses.add(method, URL, body=answer)
        elif isinstance(answer, tuple):
            status, headers = answer
            responses.add(method, URL, status=status, json={}, headers=headers)
        else:
            responses.add(method, URL, status=answer, json={"status": True})


# --- idempotent requests --------------------------------------------------------------------


@responses.activate
def test_get_is_retried_on_5xx_with_exponential_waits(make_http, clock) -> None:
    _queue("GET", 503, 502, 500, 200)
    response = make_http().request("GET", "/api/invoices")
    assert response.status == 200
    assert clock.sleeps == [0.5, 1.0, 2.0]


@responses.activate
def test_get_gives_up_after_max_attempts_with_a_full_account(make_http, clock) -> None:
    _queue("GET", 504)
    with pytest.raises(RetryableError) as caught:
        make_http().request("GET", "/api/invoices")
    assert len(responses.calls) == 5
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    message = str(caught.value)
    for part in ("Perfex", "GET", "/api/invoices", "504", "gave up after 5 attempts"):
        assert part in message
    assert caught.value.status == 504
    assert not isinstance(caught.value, AnswerLost)


@responses.activate
def test_waits_never_exceed_max_wait(make_http, clock) -> None:
    _queue("GET", 503)
    http = make_http(retry=RetryPolicy(max_attempts=4, initial_wait=10, max_wait=15))
    with pytest.raises(RetryableError):
        http.request("GET", "/api/invoices")
    assert clock.sleeps == [10.0, 15.0, 15.0]


@responses.activate
def test_total_time_budget_stops_before_a_wait_would_overrun_it(make_http, clock) -> None:
    _queue("GET", 503)
    http = make_http(retry=RetryPolicy(max_attempts=10, max_seconds=3.0))
    with pytest.raises(RetryableError) as caught:
        http.request("GET", "/api/invoices")
    assert clock.sleeps == [0.5, 1.0]  # the next wait (2 s) would end at 3.5 s
    assert "gave up after 3 attempts" in str(caught.value)


@responses.activate
def test_jitter_is_full_and_reproducible_with_a_seed(make_http, clock) -> None:
    _queue("GET", 503, 503, 503, 200)
    make_http(rng=random.Random(42)).request("GET", "/api/invoices")
    twin = random.Random(42)
    assert clock.sleeps == [twin.uniform(0, 0.5), twin.uniform(0, 1.0), twin.uniform(0, 2.0)]
    assert len(set(clock.sleeps)) == 3


@responses.activate
def test_retry_after_seconds_is_honoured(make_http, clock) -> None:
    _queue("GET", (429, {"Retry-After": "7"}), 200)
    make_http().request("GET", "/api/invoices")
    assert clock.sleeps == [7.0]


@responses.activate
def test_retry_after_http_date_is_honoured(make_http, clock) -> None:
    when = format_datetime(FIXED_NOW + timedelta(seconds=12), usegmt=True)
    _queue("GET", (503, {"Retry-After": when}), 200)
    make_http().request("GET", "/api/invoices")
    assert clock.sleeps == [12.0]


@responses.activate
def test_retry_after_is_capped_by_max_wait(make_http, clock) -> None:
    _queue("GET", (429, {"Retry-After": "3600"}), 200)
    make_http().request("GET", "/api/invoices")
    assert clock.sleeps == [30.0]


@responses.activate
def test_exhausted_rate_limit_keeps_its_kind_and_retry_after(make_http) -> None:
    _queue("GET", (429, {"Retry-After": "2"}))
    with pytest.raises(RateLimited) as caught:
        make_http().request("GET", "/api/invoices")
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize(
    "failure",
    [requests.exceptions.ReadTimeout(), connection_dropped()],
    ids=["read-timeout", "reset"],
)
@responses.activate
def test_get_is_retried_on_timeouts_and_resets(make_http, clock, failure) -> None:
    _queue("GET", failure, 200)
    assert make_http().request("GET", "/api/invoices").status == 200
    assert clock.sleeps == [0.5]


@responses.activate
def test_put_and_delete_are_retried_like_reads(make_http) -> None:
    _queue("PUT", connection_dropped(), 200)
    _queue("DELETE", 502, 200)
    http = make_http()
    assert http.request("PUT", "/api/invoices", json={"a": 1}).status == 200
    assert http.request("DELETE", "/api/invoices").status == 200
    assert len(responses.calls) == 4


@responses.activate
def test_rejections_are_not_retried(make_http, clock) -> None:
    _queue("GET", 400)
    with pytest.raises(RecordRejected):
        make_http().request("GET", "/api/invoices")
    assert len(responses.calls) == 1
    assert clock.sleeps == []


# --- non-idempotent requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [connection_dropped(), requests.exceptions.ReadTimeout(), 502, 500, 503],
    ids=["dropped", "read-timeout", "502", "500", "503"],
)
@responses.activate
def test_post_is_never_repeated_once_it_may_have_been_applied(make_http, clock, failure) -> None:
    _queue("POST", failure, 200)
    with pytest.raises(AnswerLost) as caught:
        make_http().request("POST", "/api/invoices", data=[("number", "1042")])
    assert len(responses.calls) == 1
    assert clock.sleeps == []
    assert "may or may not have been applied" in str(caught.value)


@responses.activate
def test_post_is_retried_after_a_connect_failure(make_http, clock) -> None:
    _queue("POST", connect_refused(), 200)
    assert make_http().request("POST", "/api/invoices", data=[("a", "b")]).status == 200
    assert len(responses.calls) == 2
    assert clock.sleeps == [0.5]


@responses.activate
def test_post_is_retried_after_a_429(make_http, clock) -> None:
    _queue("POST", (429, {"Retry-After": "4"}), 200)
    assert make_http().request("POST", "/api/invoices", data=[("a", "b")]).status == 200
    assert len(responses.calls) == 2
    assert clock.sleeps == [4.0]


@responses.activate
def test_post_marked_idempotent_is_retried_and_put_marked_unsafe_is_not(make_http) -> None:
    _queue("POST", 502, 201)
    _queue("PUT", 502, 200)
    http = make_http()
    assert http.request("POST", "/api/invoices", json={}, idempotent=True).status == 201
    with pytest.raises(AnswerLost):
        http.request("PUT", "/api/invoices", json={}, idempotent=False)


# --- unreachable ----------------------------------------------------------------------------


@responses.activate
def test_connect_failure_on_every_attempt_is_unreachable(make_http, clock) -> None:
    _queue("GET", connect_refused())
    with pytest.raises(Unreachable) as caught:
        make_http().request("GET", "/api/invoices")
    assert len(responses.calls) == 5
    assert "could not connect to https://perfex.test" in str(caught.value)
    assert "gave up after 5 attempts" in str(caught.value)


@responses.activate
def test_a_server_seen_once_makes_the_failure_retryable_not_unreachable(make_http) -> None:
    _queue("GET", 503, connect_refused())
    with pytest.raises(RetryableError):
        make_http().request("GET", "/api/invoices")


@responses.activate
def test_tls_failure_is_unreachable_at_once(make_http) -> None:
    _queue("GET", requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(Unreachable) as caught:
        make_http().request("GET", "/api/invoices")
    assert len(responses.calls) == 1
    assert "certificate" in str(caught.value)


# --- rate limit -----------------------------------------------------------------------------


@responses.activate
def test_every_attempt_waits_for_the_rate_limit(make_http, clock) -> None:
    _queue("GET", 503, 200)
    limiter = RateLimiter(1.0, 1, clock.monotonic, clock.sleep)
    http = make_http(rate_limiter=limiter)
    http.request("GET", "/api/invoices")
    http.request("GET", "/api/invoices")
    assert len(responses.calls) == 3
    # backoff 0.5 s; the retry then waits 0.5 s more for its token; the next request 1 s.
    assert clock.sleeps == [0.5, 0.5, 1.0]
