"""The Perfex adapter against the sandbox's Perfex simulator, over real loopback HTTP.

`responses` pins the wire; this checks that the adapter and the simulator (which follows the
contract's checklist) agree on paths, encodings, envelopes, paging and error answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from adapter_fakes import loopback_http as _http

from bridge.errors import CredentialsRejected, NotFound, NumberInUse
from bridge.perfex import PerfexClient
from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.seed import generate
from bridge.sandbox.server import SimulatorServer

TODAY = date(2026, 11, 21)


@pytest.fixture(params=["2", "3"])
def perfex_app(request) -> PerfexSimulator:
    return PerfexSimulator(version=request.param, today=TODAY)


@pytest.fixture
def perfex_server(perfex_app) -> Iterator[SimulatorServer]:
    with SimulatorServer(perfex_app, name="perfex") as server:
        yield server


@pytest.fixture
def perfex(perfex_app, perfex_server) -> PerfexClient:
    return PerfexClient(_http("perfex", perfex_server), perfex_app.token)


# --- Perfex ---------------------------------------------------------------------------------


def test_perfex_empty_install_lists_nothing_and_knows_its_version(perfex, perfex_app) -> None:
    assert perfex.list_invoices() == []
    assert perfex.detect_version() == perfex_app.version


def test_perfex_lists_every_seeded_invoice(perfex, perfex_app) -> None:
    perfex_app.load(generate(seed=3, invoices=130, today=TODAY, mix="simple"))
    rows = perfex.list_invoices()
    assert len(rows) == 130
    assert len({row["id"] for row in rows}) == 130
    assert perfex.list_customers()


def test_perfex_bad_token_is_credentials_rejected(perfex_server) -> None:
    client = PerfexClient(_http("perfex", perfex_server), "not-a-token")
    with pytest.raises(CredentialsRejected) as caught:
        client.list_invoices()
    assert "not-a-token" not in str(caught.value)


FORM = [
    ("number", "4242"),
    ("date", "2026-11-01"),
    ("duedate", "2026-12-01"),
    ("currency", "1"),
    ("billing_street", "Hauptstraße 1"),
    ("allowed_payment_modes[]", "1"),
    ("newitems[1][description]", "Consulting"),
    ("newitems[1][long_description]", ""),
    ("newitems[1][qty]", "2"),
    ("newitems[1][rate]", "95.00"),
    ("newitems[1][unit]", "h"),
    ("newitems[1][order]", "1"),
    ("newitems[1][taxname][]", "VAT|20.00"),
    ("subtotal", "190.00"),
    ("total", "228.00"),
]


def _new_customer(perfex: PerfexClient) -> str:
    """The id of a fresh customer on an empty install (module 2.x answers no id: list it)."""
    new_id = perfex.create_customer([("company", "Müller & Söhne GmbH")])
    return new_id or perfex.list_customers()[0]["userid"]


def test_perfex_create_find_by_number_and_update(perfex) -> None:
    clientid = _new_customer(perfex)
    new_id = perfex.create_invoice([("clientid", clientid), *FORM])
    found = [row for row in perfex.search_invoices("4242") if row.get("number") == "4242"]
    assert len(found) == 1
    invoice_id = found[0]["invoiceid"]
    assert new_id in (None, invoice_id)  # module 2.x returns no id
    body = {
        "number": "4242",
        "date": "2026-11-01",
        "duedate": "2026-12-01",
        "currency": "1",
        "billing_street": "Hauptstraße 1",
        "allowed_payment_modes": ["1"],
        "items": [],
        "subtotal": "190.00",
        "total": "228.00",
        "clientnote": "thank you",
    }
    assert perfex.update_invoice(invoice_id, body) is True
    assert perfex.update_invoice(invoice_id, body) is False  # nothing changed: "Update Fail"


def test_perfex_duplicate_number_and_missing_invoice(perfex) -> None:
    clientid = _new_customer(perfex)
    perfex.create_invoice([("clientid", clientid), *FORM])
    with pytest.raises(NumberInUse):
        perfex.create_invoice([("clientid", clientid), *FORM])
    with pytest.raises(NotFound):
        perfex.get_invoice(987654)
    assert perfex.search_invoices("no-such-text-anywhere") == []
