"""API notes 8, "PUT /api/invoices/{id}": JSON body, 409 validation, resets, lines, no-op 404."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from perfex_wire import Perfex, invoice_form, line_fields, newest_id, put_body_from

UPDATED = {"status": True, "message": "Invoice Updated Successfully"}
UPDATE_FAIL = {"status": False, "message": "Invoice Update Fail"}


@pytest.fixture
def fresh(perfex: Perfex) -> int:
    """An API-created invoice (id 13) with two taxed lines and no text containing newlines."""
    lines = [*line_fields(1), *line_fields(2, description="Support", qty="1", rate="20.00")]
    form = invoice_form(number="700", lines=lines, subtotal="120.00", total="144.00")
    assert perfex.post_form("/api/invoices", form).status_code == 200
    return newest_id(perfex)


def test_v2_reads_the_body_as_json_whatever_the_content_type(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["duedate"] = "2026-12-24"
    answer = perfex.request(
        "PUT",
        f"/api/invoices/{fresh}",
        data=json.dumps(body),
        headers={"Content-Type": "text/plain"},
    )
    assert answer.json() == UPDATED
    assert str(perfex.store.invoices[fresh].duedate) == "2026-12-24"


@pytest.mark.parametrize("data", [b"", b"number=5&date=2026-01-01", b"{}", b"[]", b"{bad json"])
def test_non_json_or_empty_body_is_406(perfex: Perfex, fresh: int, data: bytes) -> None:
    answer = perfex.request("PUT", f"/api/invoices/{fresh}", data=data)
    assert answer.status_code == 406
    assert answer.json() == {"status": False, "message": "Data Not Acceptable OR Not Provided"}


def test_percent_escapes_in_the_raw_body_are_decoded_by_xss_clean(
    perfex: Perfex, fresh: int
) -> None:
    body = put_body_from(perfex, fresh)
    body["adminnote"] = "50%25 deposit"
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert perfex.store.invoices[fresh].row["adminnote"] == "50% deposit"


def test_v3_needs_a_json_content_type(make_perfex) -> None:
    perfex = make_perfex(version="3", invoices=0)
    perfex.post_form("/api/invoices", invoice_form())
    body = put_body_from(perfex, 1)
    plain = perfex.request(
        "PUT", "/api/invoices/1", data=json.dumps(body), headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 406
    body["duedate"] = "2026-12-24"
    assert perfex.put_json("/api/invoices/1", body).json() == UPDATED


def test_put_without_an_id_is_404_invalid_invoice_id(perfex: Perfex) -> None:
    answer = perfex.put_json("/api/invoices", {"number": "1"})
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Invalid Invoice ID"}


def test_validation_failures_are_409_with_the_post_shape(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    del body["items"]
    body["total"] = "144"
    body["clientid"] = ""  # no clientid rule on update
    answer = perfex.put_json(f"/api/invoices/{fresh}", body)
    assert answer.status_code == 409
    assert answer.json() == {
        "status": False,
        "error": {
            "items[]": "The Items field is required.",
            "total": "The Total field must contain a decimal number.",
        },
        "message": "<p>The Items field is required.</p>\n"
        "<p>The Total field must contain a decimal number.</p>\n",
    }


def test_own_number_is_allowed_but_a_same_year_duplicate_is_409(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["terms"] = "New terms"
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    body["number"] = "11"  # invoice 11 is from 2026 too
    clash = perfex.put_json(f"/api/invoices/{fresh}", body)
    assert clash.status_code == 409
    assert clash.json()["error"] == {"number": "The Invoice number is already in use"}


def test_missing_invoice_is_409_after_validation(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["number"] = "4242"
    answer = perfex.put_json("/api/invoices/999", body)
    assert answer.status_code == 409
    assert answer.json() == {"status": False, "message": "Invoice ID Doesn't Not Exist."}
    del body["subtotal"]
    invalid = perfex.put_json("/api/invoices/999", body)
    assert invalid.status_code == 409 and "subtotal" in invalid.json()["error"]


def test_an_unknown_header_key_skips_the_header_but_line_changes_apply(
    perfex: Perfex, fresh: int
) -> None:
    body = put_body_from(perfex, fresh)
    body.update(duedate="2027-01-31", nonsense="x")
    body["removed_items"] = [body["items"][1]["itemid"]]
    body["items"] = body["items"][:1]
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    invoice = perfex.store.invoices[fresh]
    assert str(invoice.duedate) == "2026-12-01"  # the header UPDATE failed quietly
    assert [line.description for line in perfex.store.lines_of(fresh)] == ["Consulting"]
    assert invoice.total_tax == Decimal("20.00")  # recomputed from the remaining line


def test_removed_items_are_applied_before_items_updates(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    doomed = body["items"][1]
    body["removed_items"] = [doomed["itemid"]]
    doomed["description"] = "Edited after removal"
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert [line.description for line in perfex.store.lines_of(fresh)] == ["Consulting"]


def test_omitted_header_fields_are_reset(perfex: Perfex, fresh: int) -> None:
    perfex.store.edit_invoice(
        fresh,
        adjustment=Decimal("5.00"),
        cancel_overdue_reminders=1,
        recurring=1,
        cycles=3,
        total_cycles=1,
        include_shipping=1,
        show_shipping_on_invoice=0,
        clientnote="Kept",
    )
    body = put_body_from(perfex, fresh)
    for omitted in ("duedate", "adjustment", "clientnote"):
        del body[omitted]
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    row = perfex.store.invoices[fresh].row
    assert row["duedate"] is None and row["adjustment"] == Decimal("0.00")
    assert (row["cancel_overdue_reminders"], row["recurring"], row["cycles"]) == (0, 0, 0)
    assert (row["total_cycles"], row["last_recurring_date"]) == (0, None)
    assert (row["include_shipping"], row["show_shipping_on_invoice"]) == (0, 1)
    assert row["clientnote"] == "Kept"  # not every omitted field is reset


def test_items_entries_with_missing_keys_blank_the_line_and_drop_its_taxes(
    perfex: Perfex, fresh: int
) -> None:
    body = put_body_from(perfex, fresh)
    body["items"] = [{"itemid": body["items"][0]["itemid"], "description": "Only this"}]
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    line = perfex.store.lines_of(fresh)[0]
    item = perfex.get(f"/api/invoices/{fresh}").json()["items"][0]
    assert (item["description"], item["qty"], item["rate"], item["unit"]) == (
        "Only this",
        "0.00",
        "0.00",
        None,
    )
    assert line.taxes == []
    assert perfex.store.invoices[fresh].total_tax == Decimal("4.00")  # only line 2 keeps VAT


def test_an_empty_taxname_array_deletes_the_line_taxes(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    for item in body["items"]:
        item["taxname"] = []
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert perfex.store.invoices[fresh].total_tax == Decimal("0.00")


def test_tax_strings_are_compared_as_name_and_two_decimal_rate(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATE_FAIL
    for item in body["items"]:
        item["taxname"] = ["VAT|20"]  # same tax, but not the "VAT|20.00" string Perfex keeps
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert [tax.key for tax in perfex.store.lines_of(fresh)[0].taxes] == ["VAT|20.00"]


def test_a_string_taxname_on_an_items_entry_is_a_php8_500(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["items"][0]["taxname"] = "VAT|20.00"
    answer = perfex.put_json(f"/api/invoices/{fresh}", body)
    assert answer.status_code == 500 and answer.content == b""


def test_removed_items_and_itemid_reach_lines_of_other_invoices(perfex: Perfex, fresh: int) -> None:
    foreign = perfex.store.lines_of(1)[0]
    body = put_body_from(perfex, fresh)
    body["removed_items"] = [str(foreign.id)]
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert perfex.store.lines_of(1) == []  # invoice 1 lost its only line


def test_strict_item_scope_protects_other_invoices(make_perfex) -> None:
    perfex = make_perfex(strict_item_scope=True)
    perfex.post_form("/api/invoices", invoice_form(number="700"))
    fresh = newest_id(perfex)
    foreign = perfex.store.lines_of(1)[0]
    body = put_body_from(perfex, fresh)
    body["removed_items"] = [str(foreign.id)]
    body["items"].append({"itemid": str(foreign.id), "description": "Hijacked"})
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATE_FAIL
    assert perfex.store.lines_of(1)[0].description == foreign.description


def test_text_round_trips_double_the_br_tags(perfex: Perfex) -> None:
    form = invoice_form(number="701", terms="Line 1\nLine 2")
    perfex.post_form("/api/invoices", form)
    invoice_id = newest_id(perfex)
    careful = put_body_from(perfex, invoice_id)  # <br /> stripped first: nothing changes
    assert perfex.put_json(f"/api/invoices/{invoice_id}", careful).json() == UPDATE_FAIL
    careless = put_body_from(perfex, invoice_id, strip_br=False)
    assert perfex.put_json(f"/api/invoices/{invoice_id}", careless).json() == UPDATED
    terms = perfex.get(f"/api/invoices/{invoice_id}").json()["terms"]
    assert terms == "Line 1<br /><br />\nLine 2"


def test_put_that_changes_nothing_answers_404_update_fail(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    answer = perfex.put_json(f"/api/invoices/{fresh}", body)
    assert answer.status_code == 404 and answer.json() == UPDATE_FAIL
    body["duedate"] = "2026-12-31"
    changed = perfex.put_json(f"/api/invoices/{fresh}", body)
    assert changed.status_code == 200 and changed.json() == UPDATED


@pytest.mark.parametrize("invoice_id", [5, 12])
def test_a_careful_round_trip_of_a_seeded_invoice_changes_nothing(
    perfex: Perfex, invoice_id: int
) -> None:
    # Seeded text carries <br /> (long descriptions and terms with newlines, API notes 5.1).
    before = perfex.get(f"/api/invoices/{invoice_id}").json()
    body = put_body_from(perfex, invoice_id)
    assert perfex.put_json(f"/api/invoices/{invoice_id}", body).json() == UPDATE_FAIL
    assert perfex.get(f"/api/invoices/{invoice_id}").json() == before


def test_replace_all_lines_pattern_works_and_recomputes_tax(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["removed_items"] = [item["itemid"] for item in body["items"]]
    body["items"] = []
    body["newitems"] = {
        "1": {
            "order": "1",
            "description": "New",
            "long_description": "",
            "qty": "1",
            "rate": "10.00",
            "unit": "h",
            "taxname": ["Eco|7.00"],
        }
    }
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert [line.description for line in perfex.store.lines_of(fresh)] == ["New"]
    assert perfex.store.invoices[fresh].total_tax == Decimal("0.70")


def test_newitems_alone_append_to_the_existing_lines(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["newitems"] = [{"order": "3", "description": "Extra", "qty": "1", "rate": "1.00"}]
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert len(perfex.store.lines_of(fresh)) == 3


def test_status_is_recomputed_after_a_change(perfex: Perfex, fresh: int) -> None:
    body = put_body_from(perfex, fresh)
    body["duedate"] = "2026-11-01"
    assert perfex.put_json(f"/api/invoices/{fresh}", body).json() == UPDATED
    assert perfex.store.invoices[fresh].status == 4
    body["status"] = "5"  # a posted status column is written; cancelled then sticks
    perfex.put_json(f"/api/invoices/{fresh}", body)
    assert perfex.store.invoices[fresh].status == 5


def test_v3_items_without_newitems_become_new_lines(make_perfex) -> None:
    perfex = make_perfex(version="3", invoices=0)
    perfex.post_form("/api/invoices", invoice_form())
    body = put_body_from(perfex, 1)
    body["items"][0]["description"] = "Edited"
    assert perfex.put_json("/api/invoices/1", body).json() == UPDATED
    assert [line.description for line in perfex.store.lines_of(1)] == ["Consulting", "Edited"]
    del body["total"]
    assert perfex.put_json("/api/invoices/1", body).status_code == 409  # totals still required


def test_development_mode_prints_a_php_warning_before_the_json(make_perfex) -> None:
    perfex = make_perfex(invoices=0, development_mode=True)
    perfex.post_form("/api/invoices", invoice_form())
    body = put_body_from(perfex, 1)
    del body["duedate"]
    answer = perfex.put_json("/api/invoices/1", body)
    assert answer.text.startswith("<div") and "A PHP Error was encountered" in answer.text
    assert answer.text.endswith('{"status":true,"message":"Invoice Updated Successfully"}')
