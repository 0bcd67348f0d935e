"""Checklist §10 "Status" and "Derived values and lookups"."""

from __future__ import annotations

import json
from itertools import product

import pytest

from bridge.sandbox.onlyoffice import InvoiceStatus

ALLOWED = {(1, 2), (2, 4), (2, 3), (3, 1), (4, 2)}


def _put_status(api, status, ids, **kwargs):
    return api.put(f"crm/invoice/status/{status}", json={"invoiceids": ids}, **kwargs)


@pytest.mark.parametrize("status", ["2", "Sent", "sent", "Billed", "billed"])
def test_status_route_accepts_name_title_and_number(api, status):
    created = api.create_invoice()
    reply = api.ok(_put_status(api, status, [created["id"]]))
    assert reply["key"][0]["status"] == {"id": 2, "title": "Billed"}


def test_status_route_rejects_unconvertible_values(api):
    api.error(_put_status(api, "overdue", [1]), 400)


@pytest.mark.parametrize("body", [{}, {"invoiceids": []}])
def test_status_without_ids_answers_400(api, body):
    api.error(api.put("crm/invoice/status/2", json=body), 400)


@pytest.mark.parametrize(("start", "target"), list(product(range(1, 6), repeat=2)))
def test_status_transitions_follow_the_table(api, start, target):
    created = api.create_invoice()
    api.store.set_status(created["id"], start)
    reply = _put_status(api, target, [created["id"]])
    assert reply.status_code == 200  # disallowed moves are ignored, not refused
    expected = target if (start, target) in ALLOWED else start
    assert api.ok(reply)["key"][0]["status"]["id"] == expected
    assert api.store.invoice(created["id"]).status == expected


def test_status_reply_has_key_and_value_and_skips_unknown_ids(api):
    created = api.create_invoice()
    body = _put_status(api, "Sent", [created["id"], 999]).json()
    assert body["count"] == 1
    assert set(body["response"]) == {"key", "value"}
    assert [row["id"] for row in body["response"]["key"]] == [created["id"]]
    assert "invoiceLines" not in body["response"]["key"][0]
    assert body["response"]["value"] == []


def test_status_ids_may_come_in_the_query(api):
    created = api.create_invoice()
    reply = api.put("crm/invoice/status/2", params={"invoiceids": created["id"]})
    assert api.ok(reply)["key"][0]["status"]["id"] == 2


def test_status_stock_moves_on_draft_to_sent_and_back_on_rejection(api):
    item = api.ok(
        api.post(
            "crm/invoiceitem",
            json={"title": "Boxed", "price": 5, "trackInventory": True, "stockQuantity": 10},
        ),
        201,
    )
    line = {"invoiceItemID": item["id"], "quantity": "2.5", "price": 5}
    created = api.create_invoice(invoiceLines=[line, dict(line, quantity=1)])
    sent = api.ok(_put_status(api, "Sent", [created["id"]]))
    assert [(v["id"], v["stockQuantity"]) for v in sent["value"]] == [(item["id"], 6.5)]
    paid = api.ok(_put_status(api, "Paid", [created["id"]]))
    assert paid["value"] == []
    api.ok(_put_status(api, "Sent", [created["id"]]))
    rejected = api.ok(_put_status(api, "Rejected", [created["id"]]))
    assert rejected["value"][0]["stockQuantity"] == 10
    untracked = api.ok(api.get("crm/invoiceitem/1"))
    assert untracked["stockQuantity"] == 0


def test_status_change_by_any_reader(api):
    created = api.create_invoice()
    clerk = api.store.issue_token(user="clerk")
    reply = api.ok(_put_status(api, "Sent", [created["id"]], token=clerk))
    assert reply["key"][0]["status"]["id"] == 2


@pytest.mark.parametrize(
    ("status", "title"),
    [(1, "Draft"), (2, "Billed"), (3, "Rejected"), (4, "Paid"), (5, "Archive")],
)
def test_status_titles_are_english(api, status, title):
    api.store.set_status(1, status)
    assert api.ok(api.get("crm/invoice/1"))["status"] == {"id": status, "title": title}


@pytest.mark.parametrize(
    ("line", "cost"),
    [
        ({"quantity": "0.50", "price": "0.05"}, 0.02),  # gross 0.025 -> 0.02, not 0.03
        ({"quantity": 1, "price": "12.50", "invoiceTax1ID": 3}, 12.62),  # tax 0.125 -> 0.12
        ({"quantity": 1, "price": "10.10", "discount": "25"}, 7.58),  # discount 2.525 -> 2.52
        ({"quantity": 3, "price": "19.90", "invoiceTax1ID": 1, "invoiceTax2ID": 2}, 75.82),
    ],
)
def test_cost_rounds_half_to_even_at_each_step(api, line, cost):
    api.ok(api.post("crm/invoice/tax", json={"name": "One", "rate": 1}), 201)
    created = api.create_invoice(invoiceLines=[dict(line, invoiceItemID=1)])
    assert created["cost"] == cost
    assert api.ok(api.get(f"crm/invoice/{created['id']}"))["cost"] == cost


def test_sample_proposes_the_number_after_the_last_created_invoice(api):
    assert api.ok(api.get("crm/invoice/sample"))["number"] == "INV-000013"
    api.create_invoice(number="INV-000042")
    sample = api.ok(api.get("crm/invoice/sample"))
    assert sample["number"] == "INV-000043"
    assert api.ok(api.get("crm/invoice/sample"))["number"] == "INV-000043"  # not reserved


def test_sample_starts_over_when_the_last_number_lacks_the_prefix(api):
    api.create_invoice(number="INV-000050")
    api.create_invoice(number="X-7")
    assert api.ok(api.get("crm/invoice/sample"))["number"] == "INV-000001"


def test_sample_is_a_template_with_the_defaults(api):
    sample = api.ok(api.get("crm/invoice/sample"))
    assert sample["id"] == 0 and sample["fileID"] == -1 and sample["status"]["id"] == 1
    assert sample["issueDate"] == "2026-11-21T10:00:00.0000000Z"
    assert sample["dueDate"] == "2026-12-21T10:00:00.0000000Z"
    assert [line["quantity"] for line in sample["invoiceLines"]] == [1]


def test_settings_show_prefix_and_number(api):
    settings = api.ok(api.get("crm/invoice/settings"))
    assert settings["prefix"] == "INV-" and settings["number"] == "000001"
    assert settings["autogenerated"] is True and settings["companyLogoID"] == 0


def test_bynumber_exist_answers_a_bool(api):
    assert api.ok(api.get("crm/invoice/bynumber/exist", params={"number": "INV-000003"})) is True
    assert api.ok(api.get("crm/invoice/bynumber/exist", params={"number": "X"})) is False
    api.error(api.get("crm/invoice/bynumber/exist"), 400)


def test_bynumber_returns_partial_wrapper(api):
    found = api.ok(api.get("crm/invoice/bynumber", params={"number": "INV-000003"}))
    assert found["id"] == api.store.invoice_by_number("INV-000003").id
    assert found["invoiceLines"] is None and found["contact"] is None
    assert found["consignee"] is None and found["entity"] is None and found["cost"] == 0
    api.error(api.get("crm/invoice/bynumber", params={"number": "nope"}), 404)
    api.error(api.get("crm/invoice/bynumber", params={"number": ""}), 400)


def test_jsondata_is_a_json_string_with_address_ids(api):
    created = api.create_invoice()
    text = api.ok(api.get(f"crm/invoice/jsondata/{created['id']}"))
    data = json.loads(text)
    assert data["BillingAddressID"] == api.billing_address_of(1)
    assert data["DeliveryAddressID"] == 0
    assert data["Number"] == {"Item1": "Invoice #", "Item2": "T-0001"}
    assert {"TemplateType", "Seller", "Customer", "TableBodyRows", "Terms"} <= set(data)
    api.error(api.get("crm/invoice/jsondata/999"), 404)


def test_no_last_modified_field_anywhere(api):
    created = api.create_invoice()
    replies = [
        api.get(f"crm/invoice/{created['id']}"),
        api.get("crm/invoice/filter"),
        api.get("crm/invoiceitem/filter"),
        api.get("crm/invoice/tax"),
        api.get("crm/contact/filter"),
        api.get("crm/invoice/sample"),
    ]
    for reply in replies:
        text = reply.text.lower()
        assert "modif" not in text and '"updated' not in text and "lastmod" not in text


def test_status_change_does_not_touch_other_invoices(api):
    before = {i.id: i.status for i in api.store.invoices.values()}
    api.ok(_put_status(api, InvoiceStatus.SENT.value, [999]))
    assert {i.id: i.status for i in api.store.invoices.values()} == before
