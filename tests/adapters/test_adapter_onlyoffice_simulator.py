"""The ONLYOFFICE adapter against the sandbox's ONLYOFFICE simulator, over real loopback HTTP.

`responses` pins the wire; this checks that the adapter and the simulator (which follows the
contract's checklist) agree on paths, envelopes, login, paging and error answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from adapter_fakes import loopback_http as _http

from bridge.errors import CredentialsRejected, NotFound
from bridge.onlyoffice import OnlyofficeClient
from bridge.sandbox.onlyoffice import OnlyofficeOptions, OnlyofficeSimulator
from bridge.sandbox.seed import generate
from bridge.sandbox.server import SimulatorServer

TODAY = date(2026, 11, 21)


@pytest.fixture
def office_app() -> OnlyofficeSimulator:
    return OnlyofficeSimulator(options=OnlyofficeOptions(password="correct horse"))


@pytest.fixture
def office_server(office_app) -> Iterator[SimulatorServer]:
    with SimulatorServer(office_app, name="onlyoffice") as server:
        yield server


@pytest.fixture
def office(office_app, office_server) -> OnlyofficeClient:
    return OnlyofficeClient(_http("onlyoffice", office_server), token=office_app.token)


# --- ONLYOFFICE -----------------------------------------------------------------------------


def test_onlyoffice_cheap_reads(office) -> None:
    assert "prefix" in office.invoice_settings()
    assert any(c["abbreviation"] == "EUR" for c in office.currencies())


def test_onlyoffice_login_and_wrong_password(office_server, office_app) -> None:
    http = _http("onlyoffice", office_server)
    username = office_app.options.username
    good = OnlyofficeClient(http, username=username, password="correct horse")
    assert "prefix" in good.invoice_settings()
    bad = OnlyofficeClient(http, username=username, password="wrong horse")
    with pytest.raises(CredentialsRejected) as caught:
        bad.invoice_settings()
    assert "wrong horse" not in str(caught.value)


def test_onlyoffice_pages_through_every_invoice(office_server, office_app) -> None:
    office_app.load(generate(seed=5, invoices=23, today=TODAY, mix="simple"))
    client = OnlyofficeClient(
        _http("onlyoffice", office_server), token=office_app.token, page_size=10
    )
    rows = client.list_invoices()
    assert len(rows) == 23
    assert len({row["id"] for row in rows}) == 23


def test_onlyoffice_invoice_round_trip(office) -> None:
    company = office.create_company("Café Olé SARL")
    address = office.add_address(company["id"], {"street": "Rue 1", "city": "Paris"})
    tax = office.create_tax("VAT-test", "20.00")
    item = office.create_item("Consulting", "95.00", tax1_id=tax["id"])
    payload = {
        "number": "SYNC-0001",
        "issueDate": "2026-11-01",
        "dueDate": "2026-12-01",
        "contactId": company["id"],
        "billingAddressID": address["id"],
        "language": "en-US",
        "currency": "EUR",
        "exchangeRate": "1",
        "terms": "30 days",
        "invoiceLines": [
            {
                "invoiceItemID": item["id"],
                "invoiceTax1ID": tax["id"],
                "quantity": "2",
                "price": "95.00",
            }
        ],
    }
    created = office.create_invoice(payload)
    assert office.invoice_number_exists("SYNC-0001") is True
    assert office.invoice_by_number("SYNC-0002") is None
    assert office.invoice_by_number("SYNC-0001")["id"] == created["id"]
    update = {k: v for k, v in payload.items() if k != "number"} | {"terms": "14 days"}
    assert office.update_invoice(created["id"], update)["terms"] == "14 days"
    office.set_invoice_status([created["id"]], 2)
    with pytest.raises(NotFound) as caught:
        office.update_invoice(created["id"], update)
    assert "not a Draft" in str(caught.value)
