"""Fixtures for the Perfex contract suite: a real loopback server, a fresh simulator per test.

One `SimulatorServer` serves the whole session; each test swaps in a new `PerfexSimulator`
(the server reads `server.app` on every request), so tests stay independent without paying
for a server start each time. Every request goes over real HTTP with `requests`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from perfex_wire import TODAY, Perfex

from bridge.sandbox.perfex import PerfexOptions, PerfexSimulator
from bridge.sandbox.seed import generate
from bridge.sandbox.server import SimulatorServer


@pytest.fixture(scope="session")
def server() -> Iterator[SimulatorServer]:
    placeholder = PerfexSimulator(today=TODAY)
    with SimulatorServer(placeholder, name="perfex-contract") as running:
        yield running


@pytest.fixture
def make_perfex(server: SimulatorServer) -> Iterator[Callable[..., Perfex]]:
    sessions: list[requests.Session] = []

    def build(
        version: str = "2",
        invoices: int = 12,
        seed: int = 7,
        mix: str = "simple",
        **option_values: Any,
    ) -> Perfex:
        options = PerfexOptions(version=version, **option_values)
        sim = PerfexSimulator(today=TODAY, options=options)
        if invoices:
            sim.load(generate(seed=seed, invoices=invoices, today=TODAY, mix=mix))
        server.app = sim
        http = requests.Session()
        http.headers["authtoken"] = sim.token
        sessions.append(http)
        return Perfex(sim, server.base_url, http)

    yield build
    for http in sessions:
        http.close()


@pytest.fixture
def perfex(make_perfex: Callable[..., Perfex]) -> Perfex:
    """Module 2.0.8 defaults, seeded with twelve invoices of the simple mix (the tests that
    pin one rule want plain data; the realistic mix has its own tests)."""
    return make_perfex()


@pytest.fixture
def perfex3(make_perfex: Callable[..., Perfex]) -> Perfex:
    """Module 3.0.3, seeded with twelve invoices."""
    return make_perfex(version="3")
