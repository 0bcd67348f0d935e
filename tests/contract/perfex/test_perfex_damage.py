"""Broken database rows, served as the Perfex module would serve them.

A test damages one field of one stored record (`PerfexAdmin.damage`); every answer carrying the
record then shows it. Bytes that are not UTF-8 make PHP's `json_encode` fail: the module then
prints nothing at all, so the whole answer is an empty 200.
"""

from __future__ import annotations

import pytest
from perfex_wire import Perfex, put_body_from

from bridge.sandbox.perfex.schema import render
from bridge.sandbox.perfex_admin import PerfexAdmin

UPDATED = {"status": True, "message": "Invoice Updated Successfully"}


@pytest.fixture
def broken(perfex: Perfex) -> tuple[Perfex, PerfexAdmin]:
    return perfex, PerfexAdmin(perfex.sim)


def _list_row(perfex: Perfex, invoice_id: int) -> dict:
    return next(r for r in perfex.get("/api/invoices").json() if r["id"] == str(invoice_id))


@pytest.mark.parametrize(
    ("field", "how", "seen"),
    [
        ("total", "null", None),
        ("clientnote", "empty", ""),
        ("total", "wrong_type", "number"),
        ("billing_street", "wrong_type", False),
        ("duedate", "zero_date", "0000-00-00"),
        ("datecreated", "zero_date", "0000-00-00 00:00:00"),
        ("total", "huge_number", "9999999999999.99"),
        ("clientid", "huge_number", "2147483647"),
    ],
)
def test_a_damaged_invoice_field_shows_in_every_read(broken, field, how, seen) -> None:
    perfex, admin = broken
    perfex.store.edit_invoice(3, clientnote="Danke")  # something to break
    before = _list_row(perfex, 3)[field]
    admin.damage("invoice", 3, field, how)
    full = perfex.get("/api/invoices/3").json()
    listed = _list_row(perfex, 3)
    if seen == "number":
        assert isinstance(full[field], int | float) and not isinstance(full[field], bool)
        assert str(full[field]) in (before, before.rstrip("0").rstrip("."))
    else:
        assert full[field] == seen and listed[field] == seen != before
    assert _list_row(perfex, 4)[field] == render(perfex.store.invoices[4].row[field])


def test_a_missing_field_is_gone_from_list_one_and_search(broken) -> None:
    perfex, admin = broken
    admin.damage("invoice", 3, "duedate", "missing")
    assert "duedate" not in _list_row(perfex, 3)
    assert "duedate" not in perfex.get("/api/invoices/3").json()
    number = perfex.store.invoices[3].number
    found = perfex.get(f"/api/invoices/search/{number}").json()
    assert all("duedate" not in row for row in found if row["invoiceid"] == "3")
    assert "duedate" in _list_row(perfex, 4)


def test_a_ten_thousand_character_text(broken) -> None:
    perfex, admin = broken
    admin.damage("invoice", 3, "terms", "long_text")
    assert len(perfex.get("/api/invoices/3").json()["terms"]) == 10_000


def test_invalid_utf8_empties_every_answer_that_carries_it(broken) -> None:
    perfex, admin = broken
    admin.damage("invoice", 3, "clientnote", "invalid_utf8")
    for path in ("/api/invoices", "/api/invoices/3"):
        answer = perfex.get(path)
        assert answer.status_code == 200 and answer.content == b""
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert perfex.get("/api/invoices/4").json()["id"] == "4"  # other invoices are fine


def test_customer_damage_shows_in_the_customer_and_its_invoices(broken) -> None:
    perfex, admin = broken
    clientid = int(perfex.store.invoices[3].clientid)
    admin.damage("customer", clientid, "company", "null")
    assert perfex.get(f"/api/customers/{clientid}").json()["company"] is None
    assert perfex.get("/api/invoices/3").json()["client"]["company"] is None
    admin.damage("customer", clientid, "vat", "invalid_utf8")
    assert perfex.get("/api/customers").content == b""


def test_line_item_tax_and_payment_mode_damage(broken) -> None:
    perfex, admin = broken
    line = perfex.store.lines_of(3)[0]
    admin.damage("line", line.id, "qty", "wrong_type")
    qty = perfex.get("/api/invoices/3").json()["items"][0]["qty"]
    assert isinstance(qty, int | float)
    admin.damage("item", 1, "rate", "empty")
    assert perfex.get("/api/items/1").json()["rate"] == ""
    assert any(row["rate"] == "" for row in perfex.get("/api/items/search/Consulting").json())
    admin.damage("tax", 1, "taxrate", "huge_number")
    taxes = {row["id"]: row for row in perfex.get("/api/common/tax_data").json()}
    assert taxes["1"]["taxrate"] == "9999999999999.99"
    admin.damage("payment_mode", 1, "name", "missing")
    modes = {row["id"]: row for row in perfex.get("/api/common/payment_mode").json()}
    assert "name" not in modes["1"] and "name" in modes["2"]


def test_repair_and_api_writes_undo_the_damage(broken) -> None:
    perfex, admin = broken
    admin.damage("invoice", 3, "terms", "null")
    admin.damage("invoice", 3, "adminnote", "null")
    body = put_body_from(perfex, 3)
    body["terms"] = "Rewritten"
    del body["adminnote"]  # not written, so still broken
    assert perfex.put_json("/api/invoices/3", body).json() == UPDATED
    full = perfex.get("/api/invoices/3").json()
    assert full["terms"] == "Rewritten" and full["adminnote"] is None
    admin.repair("invoice", 3)
    assert (
        perfex.get("/api/invoices/3").json()["adminnote"]
        == perfex.store.invoices[3].row["adminnote"]
    )


def test_only_fields_a_record_has_can_be_damaged(broken) -> None:
    _, admin = broken
    with pytest.raises(KeyError):
        admin.damage("invoice", 3, "no_such_column", "null")
    with pytest.raises(ValueError):
        admin.damage("invoice", 3, "terms", "melted")
    with pytest.raises(ValueError):
        admin.damage("project", 3, "terms", "null")
