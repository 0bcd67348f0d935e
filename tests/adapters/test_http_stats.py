"""The HTTP boundary counts what it did: requests, retries by cause, give-ups, waits and the
slowest exchanges, read as the stretch between two snapshots."""

from __future__ import annotations

import pytest
import requests
import responses
from adapter_fakes import PERFEX_URL, connect_refused, connection_dropped
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import AnswerLost, NotFound, RetryableError, Unreachable
from bridge.http import RetryPolicy
from bridge.http_stats import RequestTally
from state.records import SLOWEST_KEPT, SlowRequest

URL = f"{PERFEX_URL}/api/invoices"


def answers(method: str, url: str, *steps: object) -> None:
    """Answers served in order: a status, or an exception requests raises."""
    for step in steps:
        if isinstance(step, BaseException):
            responses.add(method, url, body=step)
        else:
            responses.add(method, url, status=step, json={"status": True})


@responses.activate
def test_retries_are_counted_by_cause_with_the_time_waited(make_http, clock) -> None:
    answers("GET", URL, 503, requests.exceptions.ReadTimeout(), connection_dropped(), 429, 200)
    http = make_http()
    start = http.request_stats()
    http.request("GET", "/api/invoices")
    stats = http.request_stats().since(start)
    assert stats.requests == 1
    assert stats.retries == 4
    assert stats.retried_because == {"503": 1, "timeout": 1, "reset": 1, "429": 1}
    assert stats.gave_up == 0
    assert stats.retry_wait_seconds == pytest.approx(sum(clock.sleeps))


@responses.activate
def test_a_request_out_of_attempts_is_given_up_once(make_http) -> None:
    answers("GET", URL, 502)
    http = make_http(retry=RetryPolicy(max_attempts=3))
    with pytest.raises(RetryableError):
        http.request("GET", "/api/invoices")
    stats = http.request_stats().since()
    assert (stats.requests, stats.retries, stats.gave_up) == (1, 2, 1)
    assert stats.retried_because == {"502": 2}


@responses.activate
def test_a_refused_connection_is_its_own_cause(make_http) -> None:
    answers("GET", URL, connect_refused(), connect_refused())
    http = make_http(retry=RetryPolicy(max_attempts=2))
    with pytest.raises(Unreachable):
        http.request("GET", "/api/invoices")
    stats = http.request_stats().since()
    assert stats.retried_because == {"connect": 1} and stats.gave_up == 1


@responses.activate
def test_a_create_whose_answer_was_lost_is_given_up_without_a_retry(make_http) -> None:
    answers("POST", URL, 503)
    http = make_http()
    with pytest.raises(AnswerLost):
        http.request("POST", "/api/invoices", data={"number": "7"})
    stats = http.request_stats().since()
    assert (stats.requests, stats.retries, stats.gave_up) == (1, 0, 1)


@responses.activate
def test_a_refusal_is_neither_retried_nor_given_up(make_http) -> None:
    responses.add("GET", f"{URL}/9", status=404, json={"status": False, "message": "No data"})
    http = make_http()
    with pytest.raises(NotFound):
        http.request("GET", "/api/invoices/9")
    stats = http.request_stats().since()
    assert (stats.requests, stats.retries, stats.gave_up) == (1, 0, 0)


def _taking(clock, seconds: float):
    """A responses callback that answers 200 after `seconds` on the fake clock."""

    def answer(request):
        clock.now += seconds
        return 200, {}, '{"status": true}'

    return answer


@responses.activate
def test_the_slowest_exchanges_name_method_and_path_without_the_query(make_http, clock) -> None:
    for number, seconds in enumerate([0.2, 2.5, 0.1, 1.25, 0.3, 0.4, 0.6, 0.05], start=1):
        responses.add_callback("GET", f"{URL}/{number}", callback=_taking(clock, seconds))
    http = make_http()
    for number in range(1, 9):
        http.request("GET", f"/api/invoices/{number}", params={"secret_filter": "x"})
    slowest = http.request_stats().since().slowest
    assert slowest == (
        SlowRequest("GET", "/api/invoices/2", 2.5),
        SlowRequest("GET", "/api/invoices/4", 1.25),
        SlowRequest("GET", "/api/invoices/7", 0.6),
        SlowRequest("GET", "/api/invoices/6", 0.4),
        SlowRequest("GET", "/api/invoices/5", 0.3),
    )


@responses.activate
def test_a_stretch_counts_only_what_happened_in_it(make_http, clock) -> None:
    """A daemon's client lives through many runs: the slow exchange of an earlier run is not
    this run's, even though it is slower than anything since."""
    responses.add_callback("GET", f"{URL}/1", callback=_taking(clock, 9.0))
    answers("GET", f"{URL}/2", 503, 200)
    responses.add_callback("GET", f"{URL}/3", callback=_taking(clock, 0.5))
    http = make_http()
    http.request("GET", "/api/invoices/1")
    start = http.request_stats()
    http.request("GET", "/api/invoices/2")
    http.request("GET", "/api/invoices/3")
    stats = http.request_stats().since(start)
    assert (stats.requests, stats.retries, stats.retried_because) == (2, 1, {"503": 1})
    assert stats.slowest[0] == SlowRequest("GET", "/api/invoices/3", 0.5)
    assert all(slow.path != "/api/invoices/1" for slow in stats.slowest)


@responses.activate
def test_a_credential_never_reaches_the_statistics(make_http) -> None:
    responses.add("GET", f"{PERFEX_URL}/api/customers/search/hunter2", json=[])
    http = make_http()
    http.request("GET", "/api/customers/search/hunter2", redact=("hunter2",))
    (slow,) = http.request_stats().since().slowest
    assert slow.path == "/api/customers/search/[redacted]"


@settings(max_examples=200, deadline=None)
@given(
    durations=st.lists(st.integers(min_value=0, max_value=40), max_size=60),
    cut=st.integers(min_value=0, max_value=60),
)
def test_any_stretch_gets_its_own_slowest_exchanges(durations: list[int], cut: int) -> None:
    """Whatever the durations and wherever a stretch starts, its slowest are those a full sort
    of its exchanges finds (the tally drops exchanges as they become irrelevant)."""
    tally = RequestTally()
    start = tally.snapshot()
    for order, tenths in enumerate(durations, start=1):
        tally.exchanged("GET", f"/x/{order}", tenths / 10)
        if order == cut:
            start = tally.snapshot()
    if cut >= len(durations):
        start = tally.snapshot()
    stretch = list(enumerate(durations, start=1))[cut:]
    # Equally slow: the later exchange first.
    expected = sorted(stretch, key=lambda item: (-item[1], -item[0]))[:SLOWEST_KEPT]
    found = tally.snapshot().since(start).slowest
    assert [(slow.path, slow.seconds) for slow in found] == [
        (f"/x/{order}", tenths / 10) for order, tenths in expected
    ]


def test_ever_faster_answers_keep_the_tally_bounded() -> None:
    tally = RequestTally(cap=50)
    for order in range(1000):
        tally.exchanged("GET", f"/x/{order}", 1000 - order)
    assert len(tally.snapshot().candidates) == 50
