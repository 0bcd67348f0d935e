"""API notes 2.6 and 5.1: what a PUT does to the fields a person sets in Perfex's admin screen.

A person sets recurrence, shipping, reminders, sale agent, notes, project, tags and custom
fields in the admin UI (`PerfexAdmin`); the API carries them along. A PUT resets some of them
when it leaves them out and keeps others; these tests pin which, over HTTP.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from perfex_wire import Perfex, put_body_from

from bridge.sandbox.perfex_admin import AdminLine, AdminTax, PerfexAdmin

UPDATED = {"status": True, "message": "Invoice Updated Successfully"}
VAT = AdminTax("VAT", Decimal("20.00"))


@pytest.fixture
def admin(perfex: Perfex) -> PerfexAdmin:
    return PerfexAdmin(perfex.sim)


@pytest.fixture
def dressed(perfex: Perfex, admin: PerfexAdmin) -> int:
    """An invoice a person filled in completely in the admin screen."""
    invoice_id = admin.create_invoice(
        1,
        [AdminLine("Consulting", Decimal(2), Decimal("50.00"), VAT)],
        date(2026, 11, 1),
        date(2026, 12, 1),
        terms="Net 30",
        clientnote="Thanks",
        adminnote="Call first",
    )
    admin.set_adjustment(invoice_id, Decimal("-0.50"))
    admin.set_discount(invoice_id, "after_tax", percent=Decimal("5"))
    admin.set_recurring(invoice_id, 2, unit="week", cycles=6)
    admin.set_shipping(invoice_id, "Dock 4", "Hamburg", "", "20457", 82, show_on_invoice=False)
    admin.set_cancel_overdue_reminders(invoice_id)
    admin.set_sale_agent(invoice_id, 3)
    admin.set_project(invoice_id, 7)
    admin.set_tags(invoice_id, ["export", "q4"])
    admin.set_custom_field(invoice_id, "Cost centre", "KST-12")
    perfex.store.edit_invoice(invoice_id, show_quantity_as=2, total_cycles=2)
    return invoice_id


def _row(perfex: Perfex, invoice_id: int) -> dict:
    return next(r for r in perfex.get("/api/invoices").json() if r["id"] == str(invoice_id))


def test_a_person_s_fields_show_in_every_read(perfex: Perfex, dressed: int) -> None:
    row = _row(perfex, dressed)
    assert (row["recurring"], row["recurring_type"], row["custom_recurring"]) == ("2", "week", "1")
    assert (row["cycles"], row["total_cycles"]) == ("6", "2")
    assert (row["include_shipping"], row["show_shipping_on_invoice"]) == ("1", "0")
    assert (row["shipping_street"], row["shipping_city"], row["shipping_country"]) == (
        "Dock 4",
        "Hamburg",
        "82",
    )
    assert (row["cancel_overdue_reminders"], row["sale_agent"], row["project_id"]) == (
        "1",
        "3",
        "7",
    )
    assert row["adminnote"] == "Call first"
    assert row["customfields"] == [{"label": "Cost centre", "value": "KST-12"}]
    full = perfex.get(f"/api/invoices/{dressed}").json()
    assert full["project_data"] is None and "tags" not in full  # tags are never returned
    found = perfex.get("/api/invoices/search/%23export").json()
    assert [r["invoiceid"] for r in found] == [str(dressed)]
    by_field = perfex.get("/api/invoices/search/KST-12").json()
    assert [r["invoiceid"] for r in by_field] == [str(dressed)]


def test_a_put_resets_what_it_leaves_out(perfex: Perfex, dressed: int) -> None:
    body = put_body_from(perfex, dressed)
    for omitted in ("duedate", "adjustment"):
        del body[omitted]
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    row = _row(perfex, dressed)
    assert row["duedate"] is None and row["adjustment"] == "0.00"
    assert row["cancel_overdue_reminders"] == "0"
    assert (row["recurring"], row["recurring_type"], row["custom_recurring"]) == ("0", None, "0")
    assert (row["cycles"], row["total_cycles"], row["last_recurring_date"]) == ("0", "0", None)
    assert (row["include_shipping"], row["show_shipping_on_invoice"]) == ("0", "1")
    # Shipping columns nobody posted stay in the row, behind include_shipping = 0.
    assert row["shipping_street"] == "Dock 4"


def test_a_put_keeps_what_it_leaves_out(perfex: Perfex, dressed: int) -> None:
    before = _row(perfex, dressed)
    body = {
        key: value
        for key, value in put_body_from(perfex, dressed).items()
        if key
        in (
            "number",
            "date",
            "duedate",
            "currency",
            "items",
            "allowed_payment_modes",
            "billing_street",
            "subtotal",
            "total",
        )
    }
    body.update(include_shipping="1", show_shipping_on_invoice="0", subtotal="100.01")
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    after = _row(perfex, dressed)
    kept = (
        "clientid",
        "status",
        "sale_agent",
        "clientnote",
        "terms",
        "adminnote",
        "discount_type",
        "discount_percent",
        "discount_total",
        "project_id",
        "show_quantity_as",
        "prefix",
        "billing_city",
        "billing_zip",
        "billing_country",
        "shipping_street",
        "shipping_city",
        "shipping_zip",
        "shipping_country",
        "customfields",
    )
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert after["subtotal"] == "100.01" and after["include_shipping"] == "1"


def test_cycles_are_reset_when_left_out_even_on_an_invoice_that_does_not_recur(
    perfex: Perfex, admin: PerfexAdmin, dressed: int
) -> None:
    admin.stop_recurring(dressed)
    perfex.store.edit_invoice(dressed, cycles=4)  # left over in an old row
    body = put_body_from(perfex, dressed)
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    assert _row(perfex, dressed)["cycles"] == "0"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("1", "1"), ("0", "1"), ("", "1"), (False, "1"), (None, "0")],
    ids=["one", "zero", "empty", "false", "null"],
)
def test_cancel_overdue_reminders_is_set_by_the_key_whatever_its_value(
    perfex: Perfex, dressed: int, sent: object, stored: str
) -> None:
    body = put_body_from(perfex, dressed)
    body["cancel_overdue_reminders"] = sent  # PHP isset(): present and not null
    body["terms"] = "Changed"  # so that the PUT changes something in every case
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    assert _row(perfex, dressed)["cancel_overdue_reminders"] == stored


@pytest.mark.parametrize(
    ("shown", "stored"),
    [(None, "0"), ("1", "1"), ("on", "1"), (1, "1"), (True, "1"), ("0", "0"), ("off", "0")],
    ids=["absent", "text-one", "on", "one", "true", "zero", "off"],
)
def test_include_shipping_counts_by_presence_and_show_by_value(
    perfex: Perfex, dressed: int, shown: object, stored: str
) -> None:
    body = put_body_from(perfex, dressed)
    body.update(include_shipping="0", shipping_street="Pier 9")
    if shown is not None:
        body["show_shipping_on_invoice"] = shown
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    row = _row(perfex, dressed)
    assert (row["include_shipping"], row["shipping_street"]) == ("1", "Pier 9")
    assert row["show_shipping_on_invoice"] == stored


def test_posted_shipping_fields_without_include_shipping_are_wiped(
    perfex: Perfex, dressed: int
) -> None:
    body = put_body_from(perfex, dressed)
    body.update(shipping_street="Pier 9", shipping_city="Kiel")
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    row = _row(perfex, dressed)
    assert (row["shipping_street"], row["shipping_city"], row["shipping_zip"]) == (
        None,
        None,
        "20457",
    )


def test_custom_recurrence_takes_the_repeat_fields(perfex: Perfex, dressed: int) -> None:
    body = put_body_from(perfex, dressed)
    body.update(recurring="custom", repeat_every_custom="3", repeat_type_custom="day", cycles="9")
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    row = _row(perfex, dressed)
    assert (row["recurring"], row["recurring_type"], row["custom_recurring"]) == ("3", "day", "1")
    assert row["cycles"] == "9"
    body.update(recurring="1")
    del body["repeat_every_custom"], body["repeat_type_custom"]
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    row = _row(perfex, dressed)
    assert (row["recurring"], row["recurring_type"], row["custom_recurring"]) == ("1", None, "0")


def test_custom_fields_and_tags_change_only_when_sent(perfex: Perfex, dressed: int) -> None:
    field = perfex.store.invoice_custom_fields()[0]
    body = put_body_from(perfex, dressed)
    body["custom_fields"] = {"invoice": {str(field.id): "KST-99"}}
    body["tags"] = "retainer"
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    assert _row(perfex, dressed)["customfields"] == [{"label": "Cost centre", "value": "KST-99"}]
    assert perfex.get("/api/invoices/search/%23export").status_code == 404
    assert perfex.get("/api/invoices/search/%23retainer").status_code == 200
    del body["custom_fields"], body["tags"]
    body["terms"] = "Changed"
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
    assert _row(perfex, dressed)["customfields"] == [{"label": "Cost centre", "value": "KST-99"}]
    assert perfex.get("/api/invoices/search/%23retainer").status_code == 200


def test_a_put_that_only_changes_a_custom_field_is_an_update(perfex: Perfex, dressed: int) -> None:
    field = perfex.store.invoice_custom_fields()[0]
    body = put_body_from(perfex, dressed)
    body.update(
        cancel_overdue_reminders="1",
        recurring="custom",
        repeat_every_custom="2",
        repeat_type_custom="week",
        cycles="6",
        include_shipping="1",
    )
    body["custom_fields"] = {"invoice": {str(field.id): "KST-12"}}
    unchanged = perfex.put_json(f"/api/invoices/{dressed}", body)
    assert unchanged.status_code == 404  # the same values again: nothing changed
    body["custom_fields"] = {"invoice": {str(field.id): "KST-13"}}
    assert perfex.put_json(f"/api/invoices/{dressed}", body).json() == UPDATED
