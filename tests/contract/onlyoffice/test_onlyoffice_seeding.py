"""`OnlyofficeSimulator.load` and the store: the seed arrives in ONLYOFFICE's shapes."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import requests

from bridge.sandbox.onlyoffice import OnlyofficeOptions
from bridge.sandbox.seed import generate

STATUS_OF_STATE = {"draft": 1, "unpaid": 2, "partially_paid": 2, "paid": 4, "cancelled": 3}


@pytest.fixture
def seeded(make_api):
    seed = generate(seed=3, invoices=40, mix="simple")
    api = make_api(OnlyofficeOptions(timezone="Europe/Berlin"), invoices=40, seed=3)
    return api, seed


def test_seed_taxes_and_items(seeded):
    api, seed = seeded
    taxes = api.ok(api.get("crm/invoice/tax"))
    assert [(t["id"], t["name"], t["rate"]) for t in taxes] == [
        (i, t.name, float(t.rate)) for i, t in enumerate(seed.taxes, start=1)
    ]
    items = {i["title"]: i for i in api.ok(api.get("crm/invoiceitem/filter"))}
    for product in seed.products:
        item = items[product.title]
        assert item["price"] == float(product.price)
        assert (item["invoiceTax1"] or {}).get("name") == (product.tax and product.tax.name)
        assert item["trackInvenory"] is False


def test_seed_companies_with_email_and_billing_address(seeded):
    api, seed = seeded
    for customer in seed.customers:
        contact = api.ok(api.get(f"crm/contact/{customer.key}"))
        assert contact["companyName"] == customer.company and contact["shareType"] == 1
        assert [d["data"] for d in contact["commonData"]] == [customer.email]
        (address,) = contact["addresses"]
        assert (address["street"], address["city"], address["category"]) == (
            customer.street,
            customer.city,
            3,
        )


def test_seed_invoices_follow_the_rules(seeded):
    api, seed = seeded
    for source in seed.invoices:
        row = api.ok(api.get(f"crm/invoice/{source.key}"))
        assert row["number"] == f"INV-{source.number:06d}"
        assert row["contact"]["id"] == source.customer
        assert row["status"]["id"] == STATUS_OF_STATE[source.state]
        assert row["currency"]["abbreviation"] == source.currency
        assert row["exchangeRate"] == 1 and row["language"] == "en-US"
        assert row["terms"] == source.terms
        due = source.duedate or source.date + timedelta(days=30)
        assert row["issueDate"].startswith(f"{source.date.isoformat()}T00:00:00.0000000+0")
        assert row["dueDate"].startswith(f"{due.isoformat()}T00:00:00.0000000+0")
        _assert_lines(api, row["invoiceLines"], source)
        data = json.loads(api.ok(api.get(f"crm/invoice/jsondata/{source.key}")))
        assert data["BillingAddressID"] == api.billing_address_of(source.customer)


def _assert_lines(api, lines, source) -> None:
    items = {item.id: item for item in api.store.items.values()}
    taxes = {tax.name: tax.id for tax in api.store.taxes.values()}
    assert [line["sortOrder"] for line in lines] == list(range(len(source.lines)))
    for line, seed_line in zip(lines, source.lines, strict=True):
        assert items[line["invoiceItemID"]].title == seed_line.description
        assert Decimal(str(line["quantity"])) == seed_line.qty
        assert line["invoiceTax1ID"] == (taxes[seed_line.tax.name] if seed_line.tax else 0)


def test_seed_leaves_the_sample_after_the_last_number(seeded):
    api, seed = seeded
    expected = f"INV-{seed.invoices[-1].number + 1:06d}"
    assert api.ok(api.get("crm/invoice/sample"))["number"] == expected


def test_store_is_safe_under_concurrent_requests(api):
    def create(n: int) -> int:
        # One connection per request: a requests.Session is not meant to be shared by threads.
        body = api.invoice_body(number=f"C-{n}")
        headers = {"Authorization": api.sim.token}
        reply = requests.post(api.url("crm/invoice"), json=body, headers=headers, timeout=5)
        return reply.status_code

    # Four workers: the loopback server's listen backlog is five connections.
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(create, range(40)))
    assert codes == [201] * 40
    numbers = [inv.number for inv in api.store.invoices.values()]
    assert len(numbers) == len(set(numbers)) == 12 + 40
