"""API notes 8, "DELETE /api/invoices/{id}" and "Status engine"."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from perfex_wire import TODAY, Perfex, invoice_form, newest_id, put_body_from


@pytest.mark.parametrize("path", ["/api/invoices", "/api/invoices/999"])
def test_delete_without_or_with_an_unknown_id_is_404_invalid_invoice_id(
    perfex: Perfex, path: str
) -> None:
    answer = perfex.request("DELETE", path)
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Invalid Invoice ID"}


def test_only_the_newest_invoice_can_be_deleted_by_default(perfex: Perfex) -> None:
    refused = perfex.request("DELETE", "/api/invoices/3")
    assert refused.status_code == 404
    assert refused.json() == {"status": False, "message": "Invoice Delete Fail"}
    assert 3 in perfex.store.invoices
    done = perfex.request("DELETE", "/api/invoices/12")
    assert done.json() == {"status": True, "message": "Invoice Deleted Successfully"}
    assert 12 not in perfex.store.invoices and perfex.store.lines_of(12) == []


def test_any_invoice_can_go_when_the_option_is_off(make_perfex) -> None:
    perfex = make_perfex(delete_only_on_last_invoice=False)
    assert perfex.request("DELETE", "/api/invoices/3").status_code == 200
    assert perfex.get("/api/invoices/3").status_code == 404


def test_legacy_delete_route(perfex: Perfex) -> None:
    assert perfex.request("DELETE", "/api/delete/invoices/12").status_code == 200


@pytest.mark.parametrize(("decrement", "expected_change"), [(False, 0), (True, -1)])
def test_next_number_decrements_on_delete_only_when_configured(
    make_perfex, decrement: bool, expected_change: int
) -> None:
    perfex = make_perfex(invoice_number_decrement_on_delete=decrement)
    perfex.post_form("/api/invoices", invoice_form())
    before = perfex.store.next_invoice_number
    perfex.request("DELETE", f"/api/invoices/{newest_id(perfex)}")
    assert perfex.store.next_invoice_number == before + expected_change


def test_status_codes_are_one_to_six(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(save_as_draft="1"))
    perfex.post_form("/api/invoices", invoice_form(number="701", status="5"))
    perfex.post_form("/api/invoices", invoice_form(number="702", duedate="2026-11-20"))
    perfex.post_form("/api/invoices", invoice_form(number="703"))
    statuses = {row["status"] for row in perfex.get("/api/invoices").json()}
    assert statuses == {"1", "2", "3", "4", "5", "6"}


def test_cron_moves_past_due_unpaid_invoices_to_overdue_without_an_api_write(
    perfex: Perfex,
) -> None:
    perfex.post_form("/api/invoices", invoice_form(number="701", duedate="2026-11-30"))
    invoice_id = newest_id(perfex)
    assert perfex.get(f"/api/invoices/{invoice_id}").json()["status"] == "1"
    changed = perfex.store.run_cron(TODAY + timedelta(days=10))
    assert invoice_id in changed
    assert perfex.get(f"/api/invoices/{invoice_id}").json()["status"] == "4"


def test_cron_never_touches_drafts_or_cancelled_invoices(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(number="701", status="5"))
    perfex.post_form("/api/invoices", invoice_form(save_as_draft="1"))
    perfex.store.run_cron(date(2030, 1, 1))
    assert [perfex.store.invoices[i].status for i in (13, 14)] == [5, 6]


def test_ui_payments_drive_partly_paid_then_paid_and_left_to_pay(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(number="701", duedate="2026-11-01"))
    invoice_id = newest_id(perfex)
    assert perfex.store.invoices[invoice_id].status == 4
    perfex.store.add_payment(invoice_id, Decimal("20.00"), TODAY)
    invoice = perfex.get(f"/api/invoices/{invoice_id}").json()
    assert (invoice["status"], invoice["total_left_to_pay"]) == ("3", "100.00")
    perfex.store.add_payment(invoice_id, Decimal("100.00"), TODAY)
    invoice = perfex.get(f"/api/invoices/{invoice_id}").json()
    assert (invoice["status"], invoice["total_left_to_pay"]) == ("2", "0.00")
    assert len(invoice["payments"]) == 2


def test_cancelled_and_draft_statuses_are_never_recomputed(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(number="701", status="5"))
    cancelled = newest_id(perfex)
    perfex.store.add_payment(cancelled, Decimal("120.00"), TODAY)
    assert perfex.store.invoices[cancelled].status == 5
    perfex.post_form("/api/invoices", invoice_form(save_as_draft="1", duedate="2026-01-01"))
    draft = newest_id(perfex)
    body = put_body_from(perfex, draft)
    body["terms"] = "Changed"
    assert perfex.put_json(f"/api/invoices/{draft}", body).status_code == 200
    assert perfex.store.invoices[draft].status == 6  # past due, still a draft
