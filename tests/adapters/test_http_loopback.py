"""The HTTP boundary against a real socket: the sandbox server with its fault injector.

These pin what `responses` cannot: that real dropped connections, lost answers, refused ports,
read timeouts and cookies are classified the way the boundary promises.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from adapter_fakes import FakeClock

from bridge.errors import AnswerLost, Unreachable
from bridge.http import HttpClient, RetryPolicy, Timeouts
from bridge.sandbox.server import SimRequest, SimResponse, SimulatorServer


class CountingApp:
    """GET anything: 200. POST: counts what was applied. Sets a cookie; echoes one back."""

    def __init__(self) -> None:
        self.applied = 0
        self.cookies_seen: list[str | None] = []
        self._lock = threading.Lock()

    def handle(self, request: SimRequest) -> SimResponse:
        self.cookies_seen.append(request.headers.get("Cookie"))
        if request.method == "POST":
            with self._lock:
                self.applied += 1
                body = {"id": self.applied}
        else:
            body = {"ok": True}
        headers = [
            ("Content-Type", "application/json"),
            ("Set-Cookie", "asc_auth_key=abc; Path=/"),
        ]
        return SimResponse(200, json.dumps(body).encode(), headers)


@pytest.fixture
def app() -> CountingApp:
    return CountingApp()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def server(app: CountingApp, release: threading.Event) -> Iterator[SimulatorServer]:
    # The server's "slow" fault waits on `release` instead of sleeping.
    with SimulatorServer(app, sleep=lambda _: release.wait(5)) as running:
        # Clients here hang up on purpose; the server's stderr complaints about it are noise.
        running._httpd.handle_error = lambda request, address: None
        yield running


def _client(server: SimulatorServer, clock: FakeClock, **options) -> HttpClient:
    return HttpClient(
        "onlyoffice",
        server.base_url,
        sleep=clock.sleep,
        clock=clock.monotonic,
        retry=options.pop("retry", RetryPolicy(max_attempts=3)),
        **options,
    )


def _is(method: str):
    return lambda request: request.method == method


def test_dropped_read_is_retried(server, clock) -> None:
    server.faults.script("drop", _is("GET"))
    response = _client(server, clock).request("GET", "/things")
    assert response.json() == {"ok": True}
    assert server.request_log.count("GET") == 2


@pytest.mark.parametrize("fault", ["lost_answer", "applied_error", "drop"])
def test_create_with_a_lost_answer_is_sent_once(server, app, clock, fault) -> None:
    server.faults.script(fault, _is("POST"))
    with pytest.raises(AnswerLost):
        _client(server, clock).request("POST", "/things", json={"n": 1})
    assert server.request_log.count("POST") == 1
    assert app.applied == (0 if fault == "drop" else 1)


def test_create_refused_with_429_is_repeated_after_retry_after(server, app, clock) -> None:
    server.faults.script("rate_limited", _is("POST"))
    response = _client(server, clock).request("POST", "/things", json={"n": 1})
    assert response.json() == {"id": 1}
    assert app.applied == 1
    assert clock.sleeps == [1.0]  # the server's Retry-After: 1


def test_read_timeout_retries_a_read_but_not_a_create(server, app, clock, release) -> None:
    client = _client(server, clock, timeouts=Timeouts(connect=1.0, read=0.05))
    server.faults.script("slow", _is("GET"))
    assert client.request("GET", "/things").json() == {"ok": True}
    server.faults.script("slow", _is("POST"))
    with pytest.raises(AnswerLost) as caught:
        client.request("POST", "/things", json={"n": 1})
    assert "no answer within 0.05 s" in str(caught.value)
    release.set()


def test_nothing_listening_is_unreachable(clock) -> None:
    with socket.socket() as probe:  # find a port, then close it so nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient(
        "perfex",
        f"http://127.0.0.1:{port}",
        sleep=clock.sleep,
        clock=clock.monotonic,
        retry=RetryPolicy(max_attempts=3),
    )
    with pytest.raises(Unreachable) as caught:
        client.request("POST", "/api/invoices", data=[("a", "b")])
    assert "gave up after 3 attempts" in str(caught.value)
    assert len(clock.sleeps) == 2  # a create is retried: nothing reached the server


def test_cookies_are_never_sent_back(server, app, clock) -> None:
    # ONLYOFFICE prefers an auth cookie to the Authorization header (API notes 1.2).
    client = _client(server, clock)
    client.request("GET", "/first")
    client.request("GET", "/second")
    assert app.cookies_seen == [None, None]


def test_answer_cut_short_is_a_transport_failure_and_a_read_is_repeated(clock) -> None:
    # The body is read inside the exchange, so a connection lost halfway through it is a
    # transport failure like any other, not an error escaping from the caller's parsing.
    whole = b'{"ok": true}'
    answers = [
        b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"ok"',
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n\r\n%s" % (len(whole), whole),
    ]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(2)
        serving = threading.Thread(target=_answer_in_turn, args=(listener, answers), daemon=True)
        serving.start()
        client = HttpClient(
            "perfex",
            f"http://127.0.0.1:{listener.getsockname()[1]}",
            sleep=clock.sleep,
            clock=clock.monotonic,
            retry=RetryPolicy(max_attempts=2),
        )
        assert client.request("GET", "/api/invoices/1").json() == {"ok": True}
        serving.join(timeout=5)
    assert answers == []  # both were asked for


def _answer_in_turn(listener: socket.socket, answers: list[bytes]) -> None:
    while answers:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(answers.pop(0))
