"""Fixtures of the ONLYOFFICE contract suite: a real loopback server and a fresh portal per test.

One `SimulatorServer` serves the whole session (starting and stopping one per test would cost
more than the tests); each test gets its own `OnlyofficeSimulator`, with its own clock, behind
that server. Every request goes over HTTP with `requests`, as the bridge's adapter would send it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from bridge.sandbox.onlyoffice import OnlyofficeOptions, OnlyofficeSimulator, OnlyofficeStore
from bridge.sandbox.seed import generate
from bridge.sandbox.server import SimRequest, SimResponse, SimulatorServer

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
ADMIN = object()  # sentinel: send the simulator's admin token


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class _Slot:
    """The app behind the session's server: whichever simulator the current test made."""

    def __init__(self) -> None:
        self.app: OnlyofficeSimulator | None = None

    def handle(self, request: SimRequest) -> SimResponse:
        assert self.app is not None, "no simulator installed for this test"
        return self.app.handle(request)


@dataclass
class OnlyofficeApi:
    """A thin HTTP client for one test's simulator."""

    server: SimulatorServer
    sim: OnlyofficeSimulator
    session: requests.Session
    clock: Clock

    @property
    def store(self) -> OnlyofficeStore:
        return self.sim.store

    def url(self, route: str) -> str:
        return f"{self.server.base_url}/api/2.0/{route}"

    def request(self, method: str, route: str, *, token: Any = ADMIN, **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is ADMIN:
            headers["Authorization"] = self.sim.token
        elif token is not None:
            headers["Authorization"] = token
        return self.session.request(method, self.url(route), headers=headers, timeout=5, **kwargs)

    def get(self, route: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", route, **kwargs)

    def post(self, route: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", route, **kwargs)

    def put(self, route: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", route, **kwargs)

    def delete(self, route: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", route, **kwargs)

    def ok(self, response: requests.Response, status: int = 200) -> Any:
        """The `response` member of a success envelope, after checking the envelope."""
        assert response.status_code == status, response.text
        body = response.json()
        assert body["status"] == 0 and body["statusCode"] == status
        return body["response"]

    def error(self, response: requests.Response, status: int) -> dict[str, Any]:
        """The `error` member of an error envelope, after checking the envelope."""
        assert response.status_code == status, response.text
        body = response.json()
        assert body["status"] == 1 and body["statusCode"] == status
        assert "response" not in body and "count" not in body
        return body["error"]

    def billing_address_of(self, contact_id: int) -> int:
        return next(
            info.id
            for info in self.store.infos_of(contact_id)
            if info.info_type == 7 and info.category == 3
        )

    def invoice_body(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for the seeded portal (contact 1, item 1, tax 1)."""
        body: dict[str, Any] = {
            "number": "T-0001",
            "issueDate": "2026-11-02T00:00:00Z",
            "dueDate": "2026-12-02T00:00:00Z",
            "contactId": 1,
            "billingAddressID": self.billing_address_of(1),
            "language": "en-US",
            "currency": "EUR",
            "exchangeRate": 1,
            "terms": "Net 30",
            "description": "From the contract suite",
            "invoiceLines": [
                {
                    "invoiceItemID": 1,
                    "invoiceTax1ID": 1,
                    "invoiceTax2ID": 0,
                    "description": "Consulting",
                    "quantity": 2,
                    "price": 95,
                    "discount": 0,
                },
            ],
        }
        body.update(overrides)
        return body

    def create_invoice(self, token: Any = ADMIN, **overrides: Any) -> dict[str, Any]:
        reply = self.post("crm/invoice", json=self.invoice_body(**overrides), token=token)
        return self.ok(reply, 201)


Factory = Callable[..., OnlyofficeApi]


@pytest.fixture(scope="session")
def _server() -> Iterator[tuple[SimulatorServer, _Slot, requests.Session]]:
    slot = _Slot()
    with SimulatorServer(slot, name="onlyoffice-contract") as server, requests.Session() as s:
        yield server, slot, s


@pytest.fixture
def make_api(_server: tuple[SimulatorServer, _Slot, requests.Session]) -> Iterator[Factory]:
    server, slot, session = _server

    def factory(
        options: OnlyofficeOptions | None = None,
        *,
        invoices: int | None = 12,
        seed: int = 7,
        mix: str = "simple",
    ) -> OnlyofficeApi:
        clock = Clock()
        sim = OnlyofficeSimulator(options=options, now=clock)
        if invoices is not None:
            sim.load(generate(seed=seed, invoices=invoices, today=NOW.date(), mix=mix))
        slot.app = sim
        return OnlyofficeApi(server, sim, session, clock)

    yield factory
    slot.app = None


@pytest.fixture
def api(make_api: Factory) -> OnlyofficeApi:
    """A seeded portal in UTC: 2 taxes, 10 items, companies 1.., 12 invoices (simple mix)."""
    return make_api()


@pytest.fixture
def empty_api(make_api: Factory) -> OnlyofficeApi:
    """A portal with currencies and the admin only."""
    return make_api(invoices=None)
