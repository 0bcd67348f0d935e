"""The loopback server under every simulator: faults, latency and the request log."""

from __future__ import annotations

import json

import pytest
import requests

from bridge.sandbox.server import FaultInjector, SimRequest, SimResponse, SimulatorServer


class CountingApp:
    """Counts the requests it applied, and answers with that count."""

    def __init__(self) -> None:
        self.applied = 0

    def handle(self, request: SimRequest) -> SimResponse:
        self.applied += 1
        body = json.dumps({"applied": self.applied, "method": request.method}).encode()
        return SimResponse(200, body, [("Content-Type", "application/json")])


@pytest.fixture
def served():
    app = CountingApp()
    with SimulatorServer(app, name="test") as server:
        yield app, server


def test_answers_on_loopback_and_logs_every_request(served):
    app, server = served
    assert server.base_url.startswith("http://127.0.0.1:")
    requests.get(f"{server.base_url}/a?x=1", timeout=5)
    requests.post(f"{server.base_url}/b", data={"k": "v"}, timeout=5)
    log = server.request_log
    assert [e.method for e in log.entries()] == ["GET", "POST"]
    assert log.entries()[0].query == (("x", "1"),)
    assert log.count("POST") == 1 and len(log.writes()) == 1 and len(log.reads()) == 1


def test_lost_answer_applies_the_write_and_drops_the_connection(served):
    app, server = served
    server.faults.script("lost_answer", lambda r: r.method == "POST")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{server.base_url}/create", data={"a": "1"}, timeout=5)
    assert app.applied == 1
    entry = server.request_log.entries()[-1]
    assert entry.status is None and entry.applied and entry.fault == "lost_answer"


def test_applied_error_applies_the_write_and_answers_502(served):
    app, server = served
    server.faults.script("applied_error", lambda r: r.method == "PUT")
    answer = requests.put(f"{server.base_url}/x", json={}, timeout=5)
    assert answer.status_code == 502 and app.applied == 1


@pytest.mark.parametrize(
    ("kind", "status"), [("server_error", 503), ("rate_limited", 429), ("drop", None)]
)
def test_faults_before_apply_leave_the_data_alone(served, kind, status):
    app, server = served
    server.faults.script(kind, lambda r: True)
    if status is None:
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{server.base_url}/x", timeout=5)
    else:
        answer = requests.post(f"{server.base_url}/x", timeout=5)
        assert answer.status_code == status
        if kind == "rate_limited":
            assert answer.headers["Retry-After"] == "1"
    assert app.applied == 0
    assert requests.get(f"{server.base_url}/x", timeout=5).status_code == 200


def test_random_faults_are_seeded_and_never_apply_reads_twice():
    first = FaultInjector(0.5, seed=7)
    second = FaultInjector(0.5, seed=7)
    request = SimRequest.build("GET", "/x")
    draws = [first.decide(request) for _ in range(50)]
    assert draws == [second.decide(request) for _ in range(50)]
    assert {d for d in draws if d} <= {"server_error", "rate_limited", "drop", "slow"}
    assert any(draws) and not all(draws)


def test_latency_is_added_to_every_answer():
    waits: list[float] = []
    with SimulatorServer(CountingApp(), latency_ms=20, sleep=waits.append) as server:
        requests.get(server.base_url, timeout=5)
        requests.get(server.base_url, timeout=5)
    assert waits == [0.02, 0.02]
