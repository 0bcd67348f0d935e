"""API notes 8, "POST /api/invoices": form-only input, CodeIgniter validation, what is stored."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from perfex_wire import Perfex, invoice_form, line_fields, newest_id

ALL_REQUIRED = {
    "clientid": "The Customer field is required.",
    "number": "The Invoice number field is required.",
    "date": "The Invoice date field is required.",
    "currency": "The Currency field is required.",
    "newitems[]": "The Items field is required.",
    "allowed_payment_modes[]": "The Allow Payment Mode field is required.",
    "billing_street": "The Billing Street field is required.",
    "subtotal": "The Sub Total field is required.",
    "total": "The Total field is required.",
}


def _without(form: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    return [(key, value) for key, value in form if key not in names]


def _replace(form: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(key, values.get(key, value)) for key, value in form]


def test_v2_json_body_is_ignored_and_every_rule_fails_with_404(perfex: Perfex) -> None:
    body = dict(invoice_form(lines=[]))
    answer = perfex.http.post(perfex.url + "/api/invoices", json=body, timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"] == ALL_REQUIRED
    assert len(perfex.store.invoices) == 12


def test_multipart_form_data_is_read_like_a_urlencoded_form(perfex: Perfex) -> None:
    attachment = {"unused_upload": ("note.txt", b"ignored", "text/plain")}
    answer = perfex.http.post(
        perfex.url + "/api/invoices", data=invoice_form(), files=attachment, timeout=5
    )
    assert answer.request.headers["Content-Type"].startswith("multipart/form-data")
    assert answer.json() == {"status": True, "message": "Invoice Added Successfully"}
    assert len(perfex.store.lines_of(newest_id(perfex))) == 1


def test_v3_accepts_a_json_create(perfex3: Perfex) -> None:
    body = dict(invoice_form(lines=[]))
    body["allowed_payment_modes"] = ["1"]
    del body["allowed_payment_modes[]"]
    body["newitems"] = [{"description": "Audit", "qty": "1", "rate": "100.00", "order": "1"}]
    answer = perfex3.http.post(perfex3.url + "/api/invoices", json=body, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["record_id"] == newest_id(perfex3)


def test_validation_errors_keep_rule_order_one_message_each_and_p_joined_message(
    perfex: Perfex,
) -> None:
    form = _without(invoice_form(lines=[]), "clientid", "billing_street")
    form = _replace(form, subtotal="100", total="0.00", currency="x" * 256)
    answer = perfex.post_form("/api/invoices", form)
    assert answer.status_code == 404
    expected = {
        "clientid": "The Customer field is required.",
        "currency": "The Currency field cannot exceed 255 characters in length.",
        "newitems[]": "The Items field is required.",
        "billing_street": "The Billing Street field is required.",
        "subtotal": "The Sub Total field must contain a decimal number.",
        "total": "The Total field must contain a number greater than 0.",
    }
    body = answer.json()
    assert body["status"] is False
    assert list(body["error"].items()) == list(expected.items())
    assert body["message"] == "".join(f"<p>{text}</p>\n" for text in expected.values())


@pytest.mark.parametrize(
    ("value", "ok"),
    [("100.00", True), ("100", False), ("1,000.00", False), (" 100.50 ", True), ("-5.00", False)],
)
def test_decimal_needs_a_dot_and_totals_must_be_positive(
    perfex: Perfex, value: str, ok: bool
) -> None:
    answer = perfex.post_form("/api/invoices", _replace(invoice_form(), subtotal=value))
    assert (answer.status_code == 200) is ok
    if not ok:
        assert set(answer.json()["error"]) == {"subtotal"}


def test_an_empty_items_array_passes_required(perfex3: Perfex) -> None:
    # Only JSON can carry an empty array; CodeIgniter skips the rule for it (API notes 2.5).
    body = {key: value for key, value in invoice_form(lines=[]) if not key.endswith("[]")}
    body.update(newitems=[], allowed_payment_modes=["1"])
    answer = perfex3.http.post(perfex3.url + "/api/invoices", json=body, timeout=5)
    assert answer.status_code == 200
    assert perfex3.store.lines_of(newest_id(perfex3)) == []


def test_an_empty_payment_mode_fails_its_rule(perfex: Perfex) -> None:
    form = _replace(invoice_form(), **{"allowed_payment_modes[]": ""})
    answer = perfex.post_form("/api/invoices", form)
    assert answer.json()["error"] == {
        "allowed_payment_modes[]": "The Allow Payment Mode field is required."
    }


def test_clientid_and_currency_are_not_checked_for_existence(perfex: Perfex) -> None:
    answer = perfex.post_form("/api/invoices", invoice_form(clientid="999", currency="77"))
    assert answer.status_code == 200
    stored = perfex.store.invoices[newest_id(perfex)]
    assert (stored.clientid, stored.currency) == (999, 77)


@pytest.mark.parametrize(
    ("number", "on", "taken"),
    [("7", "2026-03-01", True), ("0007", "2026-12-31", True), ("7", "2025-03-01", False)],
)
def test_number_is_unique_per_year_of_the_date(
    perfex: Perfex, number: str, on: str, taken: bool
) -> None:
    answer = perfex.post_form("/api/invoices", invoice_form(number=number, on=on))
    if taken:
        assert answer.status_code == 404
        assert answer.json()["error"] == {"number": "The Invoice number is already in use"}
        assert answer.json()["message"] == "<p>The Invoice number is already in use</p>\n"
    else:
        assert answer.status_code == 200


def test_drafts_take_part_in_the_number_check(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(save_as_draft="1"))
    clash = perfex.post_form("/api/invoices", invoice_form(number="1000000000"))
    assert clash.status_code == 404 and "number" in clash.json()["error"]


@pytest.mark.parametrize("on", ["01/11/2026", "2026-11-01 10:00:00", "Nov 1 2026"])
def test_a_date_that_is_not_yyyy_mm_dd_is_a_500(perfex: Perfex, on: str) -> None:
    answer = perfex.post_form("/api/invoices", invoice_form(on=on))
    assert answer.status_code == 500 and answer.content == b""
    assert len(perfex.store.invoices) == 12


def test_the_number_callback_runs_before_required_so_a_bad_date_crashes_anyway(
    perfex: Perfex,
) -> None:
    # CodeIgniter runs callback rules first, even on a missing value (API notes 2.5).
    no_number = _without(invoice_form(on="01/11/2026"), "number")
    assert perfex.post_form("/api/invoices", no_number).status_code == 500
    good_date = _without(invoice_form(), "number")
    answer = perfex.post_form("/api/invoices", good_date)
    assert answer.json()["error"] == {"number": "The Invoice number field is required."}


@pytest.mark.parametrize("extra", ["items", "removed_items", "nonsense"])
def test_unknown_keys_fail_with_invoice_add_fail_and_store_nothing(
    perfex: Perfex, extra: str
) -> None:
    next_number, line_count = perfex.store.next_invoice_number, len(perfex.store.lines)
    answer = perfex.post_form("/api/invoices", [*invoice_form(), (f"{extra}[]", "1")])
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Invoice Add Fail"}
    assert len(perfex.store.invoices) == 12 and len(perfex.store.lines) == line_count
    assert perfex.store.next_invoice_number == next_number


def test_development_mode_shows_the_database_error_page_instead(make_perfex) -> None:
    perfex = make_perfex(invoices=0, development_mode=True)
    answer = perfex.post_form("/api/invoices", [*invoice_form(), ("items[]", "1")])
    assert answer.status_code == 500 and "A Database Error Occurred" in answer.text


def test_stored_header_follows_the_model_rules(perfex: Perfex) -> None:
    form = invoice_form(
        number="0042",
        billing_street="  Line one\nLine two  ",
        terms="Pay soon.\nThanks.",
        shipping_street="Dock 3",
        discount_type="before_tax",
        discount_total="0.00",
        subtotal="100.004",
        total="120.005",
    )
    form = _without(form, "duedate")
    form.append(("allowed_payment_modes[]", "stripe"))
    assert perfex.post_form("/api/invoices", form).status_code == 200
    row = perfex.store.invoices[newest_id(perfex)].row
    assert (row["prefix"], row["number_format"], row["addedfrom"], row["number"]) == (
        "INV-",
        1,
        0,
        42,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", row["hash"])
    assert row["allowed_payment_modes"] == 'a:2:{i:0;s:1:"1";i:1;s:6:"stripe";}'
    assert row["billing_street"] == "Line one<br />\nLine two"
    assert row["terms"] == "Pay soon.<br />\nThanks."
    # include_shipping absent: posted shipping fields are nulled, shipping shown by default.
    assert (row["shipping_street"], row["include_shipping"], row["show_shipping_on_invoice"]) == (
        None,
        0,
        1,
    )
    assert row["duedate"] is None and row["adjustment"] == Decimal("0.00")
    assert row["discount_type"] == ""  # cleared because discount_total is 0
    assert (row["subtotal"], row["total"]) == (Decimal("100.00"), Decimal("120.01"))


def test_included_shipping_is_kept(perfex: Perfex) -> None:
    form = invoice_form(include_shipping="on", shipping_street="Dock 3\nGate B")
    assert perfex.post_form("/api/invoices", form).status_code == 200
    row = perfex.store.invoices[newest_id(perfex)].row
    assert (row["include_shipping"], row["show_shipping_on_invoice"]) == (1, 0)
    assert row["shipping_street"] == "Dock 3<br />\nGate B"


def test_lines_need_description_and_qty_and_taxes_must_be_an_array(perfex: Perfex) -> None:
    lines = [
        *line_fields(1, rate="12.345", taxes=()),
        ("newitems[1][taxname]", "VAT|20.00"),  # a plain string: silently ignored
        *[(key, value) for key, value in line_fields(2) if not key.endswith("[description]")],
        *[(key, value) for key, value in line_fields(3) if not key.endswith("[qty]")],
        *line_fields(4, description="Kept", qty="1.5", rate="10", taxes=("VAT|20.00", "VAT|20")),
    ]
    answer = perfex.post_form("/api/invoices", invoice_form(lines=lines))
    assert answer.status_code == 200
    created = perfex.store.lines_of(newest_id(perfex))
    assert [line.description for line in created] == ["Consulting", "Kept"]
    assert created[0].rate == Decimal("12.35") and created[0].taxes == []
    assert [tax.key for tax in created[1].taxes] == ["VAT|20.00"]  # duplicates are merged


def test_total_tax_is_recomputed_by_the_server_formula(perfex: Perfex) -> None:
    lines = [
        *line_fields(1, qty="3", rate="33.33", taxes=("VAT|20.00",)),
        *line_fields(2, qty="1", rate="10.00", taxes=("VAT|20.00", "Eco|7.00")),
    ]
    form = invoice_form(lines=lines, subtotal="1.00", total="1.00", discount_type="before_tax") + [
        ("discount_percent", "10")
    ]
    assert perfex.post_form("/api/invoices", form).status_code == 200
    stored = perfex.store.invoices[newest_id(perfex)]
    # VAT: (99.99 + 10) x 20 % = 21.998, Eco: 0.70; less 10 % before tax: 20.4282 -> 20.43.
    assert stored.total_tax == Decimal("20.43")
    assert (stored.subtotal, stored.total) == (Decimal("1.00"), Decimal("1.00"))  # as posted


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"duedate": "2026-12-01"}, 1),
        ({"duedate": "2026-11-01"}, 4),
        ({"status": "5"}, 5),
        ({"status": "2"}, 1),
        ({"save_as_draft": "true"}, 6),
    ],
)
def test_status_of_a_new_invoice(perfex: Perfex, fields: dict[str, str], status: int) -> None:
    assert perfex.post_form("/api/invoices", invoice_form(**fields)).status_code == 200
    assert perfex.store.invoices[newest_id(perfex)].status == status


def test_a_draft_gets_the_draft_number_and_does_not_advance_the_sequence(perfex: Perfex) -> None:
    before = perfex.store.next_invoice_number
    perfex.post_form("/api/invoices", invoice_form(number="500", save_as_draft="1"))
    assert perfex.store.invoices[newest_id(perfex)].number == 1000000000
    assert perfex.store.next_invoice_number == before
    perfex.post_form("/api/invoices", invoice_form(number="501"))
    assert perfex.store.next_invoice_number == before + 1  # whatever number was posted


def test_success_answers_without_an_id_on_v2(perfex: Perfex) -> None:
    answer = perfex.post_form("/api/invoices", invoice_form())
    assert answer.status_code == 200
    assert answer.json() == {"status": True, "message": "Invoice Added Successfully"}


def test_success_answers_an_integer_record_id_on_v3(perfex3: Perfex) -> None:
    answer = perfex3.post_form("/api/invoices", invoice_form())
    assert answer.json() == {
        "status": True,
        "message": "Invoice Added Successfully",
        "record_id": 13,
    }


def test_posting_to_an_invoice_id_creates_a_new_invoice(perfex: Perfex) -> None:
    answer = perfex.post_form("/api/invoices/3", invoice_form())
    assert answer.status_code == 200
    assert newest_id(perfex) == 13 and perfex.store.invoices[3].number == 3


def test_json_text_in_the_newitems_field_creates_no_lines_on_v2_but_lines_on_v3(
    make_perfex,
) -> None:
    text = '[{"description": "Audit", "qty": "1", "rate": "100.00", "order": "1"}]'
    for version, expected in (("2", 0), ("3", 1)):
        perfex = make_perfex(version=version, invoices=0)
        form = invoice_form(lines=[("newitems", text)])
        assert perfex.post_form("/api/invoices", form).status_code == 200
        assert len(perfex.store.lines_of(newest_id(perfex))) == expected
