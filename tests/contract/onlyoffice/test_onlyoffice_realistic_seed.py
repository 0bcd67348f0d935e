"""The realistic seed mix as an ONLYOFFICE client reads it: what a real portal holds."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import NOW

from bridge.sandbox.seed import generate

SEED, INVOICES = 5, 120


@pytest.fixture
def portal(make_api):
    api = make_api(invoices=INVOICES, seed=SEED, mix="realistic")
    data = generate(seed=SEED, invoices=INVOICES, today=NOW.date())
    rows = api.ok(api.get("crm/invoice/filter"))
    full = [api.ok(api.get(f"crm/invoice/{row['id']}")) for row in rows]
    return api, data, rows, full


def test_only_invoices_someone_could_copy_are_there(portal):
    _, data, rows, _ = portal
    copied = [i for i in data.invoices if i.onlyoffice.copied]
    assert len(copied) < len(data.invoices)  # Perfex drafts without a number yet are missing
    assert sorted(row["number"] for row in rows) == sorted(f"INV-{i.number:06d}" for i in copied)


def test_statuses_currencies_and_exchange_rates(portal):
    _, _, rows, _ = portal
    assert {row["status"]["id"] for row in rows} == {1, 2, 3, 4}
    assert {row["currency"]["abbreviation"] for row in rows} == {"EUR", "USD", "GBP", "CHF"}
    assert any(row["exchangeRate"] != 1 for row in rows)
    assert all(row["exchangeRate"] == 1 for row in rows if row["currency"]["abbreviation"] == "EUR")


def test_companies_and_persons_with_and_without_a_billing_address(portal):
    api, data, _, _ = portal
    contacts = [api.ok(api.get(f"crm/contact/{c.key}")) for c in data.customers]
    assert {c["isCompany"] for c in contacts} == {True, False}
    persons = [c for c in contacts if not c["isCompany"]]
    assert all(c["firstName"] and c["lastName"] for c in persons)
    billed = Counter(any(a.get("category") == 3 for a in c["addresses"]) for c in contacts)
    assert billed[True] and billed[False]


def test_lines_differ_in_discount_taxes_and_text(portal):
    api, _, _, full = portal
    lines = [line for invoice in full for line in invoice["invoiceLines"]]
    assert any(line["invoiceTax2ID"] for line in lines)
    assert any(line["description"] == "" for line in lines)  # the product title shows
    assert any("\n" in line["description"] for line in lines)
    assert not any("\r" in line["description"] for line in lines)
    varied = [
        invoice
        for invoice in full
        if len({line["discount"] for line in invoice["invoiceLines"]}) > 1
    ]
    assert len(varied) >= INVOICES * 0.10
    titles = {item.id: item.title for item in api.store.items.values()}
    bare = next(line for line in lines if line["description"] == "")
    assert titles[bare["invoiceItemID"]]


def test_purchase_orders_consignees_deals_languages_and_templates(portal):
    api, _, _, full = portal
    assert any(invoice["purchaseOrderNumber"] for invoice in full)
    assert any(invoice["entity"] for invoice in full)
    assert {invoice["language"] for invoice in full} > {"en-US"}
    assert any(invoice["templateType"] == 1 for invoice in full)
    shipped = [invoice for invoice in full if invoice["consignee"]]
    assert shipped
    for invoice in shipped:
        printed = json.loads(api.ok(api.get(f"crm/invoice/jsondata/{invoice['id']}")))
        delivery = api.store.info(printed["DeliveryAddressID"])
        assert delivery.category == 1 and delivery.contact_id == invoice["consignee"]["id"]
