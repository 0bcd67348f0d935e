"""Fakes for the adapter tests: a clock that sleeps instantly, top-of-range jitter, and the
transport exceptions requests raises, built the way requests builds them."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import urllib3.exceptions

from bridge.http import HttpClient, RetryPolicy
from bridge.sandbox.server import SimulatorServer

PERFEX_URL = "https://perfex.test"
ONLYOFFICE_URL = "https://office.test"
FIXED_NOW = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic time that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class TopOfRange(random.Random):
    """Jitter that always draws the top of its range, so waits read like the schedule."""

    def uniform(self, a: float, b: float) -> float:
        return b


def connect_refused() -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens: a new connection could not be made."""
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/", reason)  # type: ignore[arg-type]
    )


def connection_dropped() -> requests.exceptions.ConnectionError:
    """What requests raises when the server hangs up after the request went out."""
    reset = ConnectionResetError(104, "Connection reset by peer")
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", reset)
    )


def loopback_http(system: str, server: SimulatorServer) -> HttpClient:
    """A client for a simulator on loopback that retries once and never really sleeps."""
    clock = FakeClock()
    return HttpClient(
        system,
        server.base_url,
        sleep=clock.sleep,
        clock=clock.monotonic,
        retry=RetryPolicy(max_attempts=2),
    )


def count_json_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text `json.loads` parses from now on (the test's own included), in order."""
    parsed: list[str] = []
    real_loads = json.loads

    def counting_loads(text: str | bytes, **options: Any) -> Any:
        parsed.append(text if isinstance(text, str) else text.decode())
        return real_loads(text, **options)

    monkeypatch.setattr(json, "loads", counting_loads)
    return parsed
