"""Checklist §10 "Lines, items, taxes"."""

from __future__ import annotations

import json

import pytest

GOOD_LINE = {"invoiceItemID": 1, "invoiceTax1ID": 1, "quantity": 2, "price": 95}


def _line_body(invoice_id: int, **overrides) -> dict:
    body = {
        "invoiceId": invoice_id,
        "invoiceItemId": 2,
        "quantity": 1,
        "price": 10,
        "sortOrder": 7,
        "description": "Extra",
    }
    body.update(overrides)
    return body


def test_invoiceline_post_keeps_sort_order_and_leaves_jsondata_stale(api):
    created = api.create_invoice()
    before = api.ok(api.get(f"crm/invoice/jsondata/{created['id']}"))
    line = api.ok(api.post("crm/invoiceline", json=_line_body(created["id"])), 201)
    assert line["sortOrder"] == 7 and line["invoiceID"] == created["id"]
    invoice = api.ok(api.get(f"crm/invoice/{created['id']}"))
    assert [row["id"] for row in invoice["invoiceLines"]][-1] == line["id"]
    assert invoice["cost"] == 228.00 + 10
    assert api.ok(api.get(f"crm/invoice/jsondata/{created['id']}")) == before


def test_invoiceline_names_are_case_insensitive_at_top_level(api):
    created = api.create_invoice()
    body = {"INVOICEID": created["id"], "InvoiceItemID": 3, "Quantity": 1, "Price": 1}
    assert api.ok(api.post("crm/invoiceline", json=body), 201)["invoiceItemID"] == 3


def test_invoiceline_post_on_sent_invoice_answers_403(api):
    created = api.create_invoice()
    api.store.set_status(created["id"], 2)
    api.error(api.post("crm/invoiceline", json=_line_body(created["id"])), 403)
    api.error(
        api.put(
            f"crm/invoiceline/{created['invoiceLines'][0]['id']}", json=_line_body(created["id"])
        ),
        403,
    )


def test_invoiceline_post_needs_an_existing_invoice_and_a_valid_line(api):
    api.error(api.post("crm/invoiceline", json=_line_body(0)), 400)
    api.error(api.post("crm/invoiceline", json=_line_body(999)), 400)
    created = api.create_invoice()
    api.error(api.post("crm/invoiceline", json=_line_body(created["id"], invoiceItemId=99)), 400)
    api.error(api.post("crm/invoiceline", json=_line_body(created["id"], discount=101)), 400)


def test_invoiceline_put_of_line_from_other_invoice_answers_404(api):
    first, second = api.create_invoice(), api.create_invoice(number="T-0002")
    line_id = first["invoiceLines"][0]["id"]
    api.error(api.put(f"crm/invoiceline/{line_id}", json=_line_body(second["id"])), 404)
    api.error(api.put("crm/invoiceline/9999", json=_line_body(first["id"])), 404)
    api.error(api.put(f"crm/invoiceline/{line_id}", json=_line_body(0)), 400)
    updated = api.ok(api.put(f"crm/invoiceline/{line_id}", json=_line_body(first["id"])))
    assert updated["id"] == line_id and updated["price"] == 10


def test_deleting_the_last_line_answers_500(api):
    created = api.create_invoice()
    error = api.error(api.delete(f"crm/invoiceline/{created['invoiceLines'][0]['id']}"), 500)
    assert error["message"] == "Can't delete invoice line"


def test_invoiceline_delete_returns_the_id(api):
    created = api.create_invoice(invoiceLines=[GOOD_LINE, GOOD_LINE])
    line_id = created["invoiceLines"][1]["id"]
    assert api.ok(api.delete(f"crm/invoiceline/{line_id}")) == line_id
    api.error(api.delete(f"crm/invoiceline/{line_id}"), 404)
    remaining = api.ok(api.get(f"crm/invoice/{created['id']}"))["invoiceLines"]
    assert [row["id"] for row in remaining] == [created["invoiceLines"][0]["id"]]


def test_invoiceline_delete_on_a_sent_invoice_answers_403(api):
    created = api.create_invoice(invoiceLines=[GOOD_LINE, GOOD_LINE])
    api.store.set_status(created["id"], 2)
    api.error(api.delete(f"crm/invoiceline/{created['invoiceLines'][0]['id']}"), 403)


@pytest.mark.parametrize(
    "line",
    [
        {"invoiceItemID": 999, "quantity": 1, "price": 1},
        {"invoiceItemID": 0, "quantity": 1, "price": 1},
        {"invoiceItemID": 1, "invoiceTax1ID": 999, "quantity": 1, "price": 1},
        {"invoiceItemID": 1, "invoiceTax2ID": 999, "quantity": 1, "price": 1},
        {"invoiceItemID": 1, "invoiceTax1ID": -1, "quantity": 1, "price": 1},
        {"invoiceItemID": 1, "quantity": -1, "price": 1},
        {"invoiceItemID": 1, "quantity": 1, "price": -1},
        {"invoiceItemID": 1, "quantity": 1, "price": 1, "discount": 100.5},
    ],
    ids=[
        "unknown-item",
        "no-item",
        "unknown-tax1",
        "unknown-tax2",
        "negative-tax",
        "negative-quantity",
        "negative-price",
        "discount-over-100",
    ],
)
def test_lines_must_reference_existing_items_and_taxes(api, line):
    api.error(api.post("crm/invoice", json=api.invoice_body(invoiceLines=[GOOD_LINE, line])), 400)


def test_line_price_is_independent_of_the_catalogue(api):
    created = api.create_invoice(invoiceLines=[{"invoiceItemID": 1, "quantity": 1, "price": 0}])
    assert created["invoiceLines"][0]["price"] == 0 and created["cost"] == 0


@pytest.mark.parametrize(
    ("method", "route", "body"),
    [
        ("POST", "crm/invoiceitem", {"title": "X", "price": 1}),
        ("PUT", "crm/invoiceitem/1", {"title": "X", "price": 1}),
        ("DELETE", "crm/invoiceitem/1", None),
        ("DELETE", "crm/invoiceitem", {"ids": [1]}),
        ("POST", "crm/invoice/tax", {"name": "New", "rate": 5}),
        ("PUT", "crm/invoice/tax/1", {"name": "New", "rate": 5}),
        ("DELETE", "crm/invoice/tax/1", None),
    ],
)
def test_non_admin_cannot_write_items_or_taxes(api, method, route, body):
    clerk = api.store.issue_token(user="clerk")
    api.error(api.request(method, route, json=body, token=clerk), 403)


def test_anyone_can_read_items_and_taxes(api):
    clerk = api.store.issue_token(user="clerk")
    item = api.ok(api.get("crm/invoiceitem/1", token=clerk))
    assert item["id"] == 1 and item["canEdit"] is False and item["canDelete"] is False
    assert len(api.ok(api.get("crm/invoice/tax", token=clerk))) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "X", "price": 0}, "Value does not fall within the expected range."),
        ({"title": "X", "price": -1}, "Value does not fall within the expected range."),
        ({"title": "", "price": 5}, "Value does not fall within the expected range."),
        ({"title": "X", "price": "100000000"}, "Max Invoice Item Price: 99999999.99"),
    ],
)
def test_item_title_and_price_validation(api, body, message):
    assert api.error(api.post("crm/invoiceitem", json=body), 400)["message"] == message


def test_item_create_read_update(api):
    body = {
        "title": "Widget",
        "price": "99999999.99",
        "sku": "W-1",
        "invoiceTax1id": 2,
        "description": "A widget",
    }
    item = api.ok(api.post("crm/invoiceitem", json=body), 201)
    assert item["price"] == 99999999.99 and item["stockKeepingUnit"] == "W-1"
    assert item["invoiceTax1"]["id"] == 2 and item["currency"]["abbreviation"] == "EUR"
    updated = api.ok(api.put(f"crm/invoiceitem/{item['id']}", json={"title": "W2", "price": 3}))
    assert updated["title"] == "W2" and updated["invoiceTax1"] is None
    api.error(api.put("crm/invoiceitem/999", json={"title": "W2", "price": 3}), 404)
    api.error(api.get("crm/invoiceitem/999"), 404)


def test_item_filter_searches_and_sorts(api):
    rows = api.ok(api.get("crm/invoiceitem/filter", params={"filterValue": "sess"}))
    assert [r["title"] for r in rows] == ["Training session"]
    rows = api.ok(
        api.get("crm/invoiceitem/filter", params={"sortBy": "price", "sortOrder": "descending"})
    )
    assert [r["price"] for r in rows] == sorted((r["price"] for r in rows), reverse=True)
    assert api.get("crm/invoiceitem/filter").json()["total"] == 10


def test_item_with_unknown_tax_fails_on_read(api):
    item = api.post("crm/invoiceitem", json={"title": "Bad tax", "price": 1, "invoiceTax1id": 77})
    assert item.status_code == 500  # the reply itself reads the missing tax
    stored = next(i for i in api.store.items.values() if i.title == "Bad tax")
    api.error(api.get(f"crm/invoiceitem/{stored.id}"), 500)


def test_item_and_tax_in_use_cannot_be_deleted(api):
    api.error(api.delete("crm/invoiceitem/1"), 403)  # used by a seeded line
    api.error(api.delete("crm/invoice/tax/1"), 403)  # used by items and lines
    item = api.ok(api.post("crm/invoiceitem", json={"title": "Spare", "price": 1}), 201)
    assert api.ok(api.delete(f"crm/invoiceitem/{item['id']}"))["id"] == item["id"]
    tax = api.ok(api.post("crm/invoice/tax", json={"name": "Unused", "rate": 3}), 201)
    assert api.ok(api.delete(f"crm/invoice/tax/{tax['id']}"))["name"] == "Unused"
    api.error(api.delete(f"crm/invoice/tax/{tax['id']}"), 404)


def test_batch_item_delete_skips_used_items_and_needs_ids(api):
    spare = api.ok(api.post("crm/invoiceitem", json={"title": "Spare", "price": 1}), 201)
    deleted = api.ok(api.delete("crm/invoiceitem", json={"ids": [1, spare["id"], 999]}))
    assert [row["id"] for row in deleted] == [spare["id"]]
    api.error(api.delete("crm/invoiceitem", json={}), 400)
    api.error(api.delete("crm/invoiceitem", json={"ids": []}), 500)


def test_tax_name_required_and_unique_on_create_only(api):
    api.error(api.post("crm/invoice/tax", json={"name": "", "rate": 5}), 400)
    api.error(api.post("crm/invoice/tax", json={"name": "vat", "rate": 5}), 400)
    tax = api.ok(api.post("crm/invoice/tax", json={"name": "Eco", "rate": "2.5"}), 201)
    assert tax["rate"] == 2.5 and tax["canEdit"] is True
    renamed = api.ok(api.put(f"crm/invoice/tax/{tax['id']}", json={"name": "VAT", "rate": 1}))
    assert renamed["name"] == "VAT"  # duplicates are not checked on update
    api.error(api.put("crm/invoice/tax/999", json={"name": "Z"}), 404)
    api.error(api.put(f"crm/invoice/tax/{tax['id']}", json={"rate": 1}), 400)


def test_tax_rate_is_not_range_checked(api):
    tax = api.ok(api.post("crm/invoice/tax", json={"name": "Odd", "rate": 250}), 201)
    assert tax["rate"] == 250


def test_jsondata_body_rows_follow_the_lines_at_creation(api):
    created = api.create_invoice(invoiceLines=[GOOD_LINE, dict(GOOD_LINE, invoiceItemID=2)])
    data = json.loads(api.ok(api.get(f"crm/invoice/jsondata/{created['id']}")))
    assert len(data["TableBodyRows"]) == 2
