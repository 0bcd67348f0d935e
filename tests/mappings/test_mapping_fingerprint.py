"""Fingerprints: stable, blind to what servers invent, sensitive to what people edit."""

from __future__ import annotations

import hashlib

import pytest
from mapping_samples import (
    onlyoffice_filter_row,
    onlyoffice_line_raw,
    onlyoffice_raw,
    perfex_item,
    perfex_list_row,
    perfex_raw,
)

from mappings.fingerprint import (
    ONLYOFFICE_IGNORED,
    PERFEX_IGNORED,
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.perfex import PerfexInvoice


def perfex(**changes) -> PerfexInvoice:
    return PerfexInvoice.from_api(perfex_raw(**changes))


def onlyoffice(**changes) -> OnlyofficeInvoice:
    return OnlyofficeInvoice.from_api(onlyoffice_raw(**changes))


# The canonical text of the contract's ONLYOFFICE example, written out by hand: if this test
# breaks, every stored fingerprint would change and every linked invoice would look edited.
# Only carried fields are in it: consignee, purchase order, exchange rate and language are
# ONLYOFFICE's own (mappings/fields.py).
ONLYOFFICE_CANONICAL = (
    '{"contactId":"10","currency":"EUR","description":"Synced from Perfex '
    '#123","dueDate":"2024-05-31","invoiceLines":[{"description":'
    '"Consulting","discount":"0.00","invoiceItemID":"3","invoiceTax1ID":"1","invoiceTax2ID":'
    '"0","price":"100.00","quantity":"10.00"}],"issueDate":"2024-05-01",'
    '"number":"INV-0000042","status":"1","terms":"Payment '
    'within 30 days"}'
)


def test_onlyoffice_fingerprint_is_sha256_of_sorted_string_json() -> None:
    expected = hashlib.sha256(ONLYOFFICE_CANONICAL.encode("ascii")).hexdigest()
    assert onlyoffice_fingerprint(onlyoffice()) == expected


def test_perfex_fingerprint_is_pinned() -> None:
    digest = "fbb4a7f8f08b39747514d3bff49a016e7ef618fe5dab13f5e7c10bbaa0564058"
    assert perfex_fingerprint(perfex()) == digest


def test_row_fingerprints_agree_between_list_rows_and_full_objects() -> None:
    full_perfex = PerfexInvoice.from_api(perfex_raw())
    row_perfex = PerfexInvoice.from_api(perfex_list_row(perfex_raw()))
    assert perfex_row_fingerprint(row_perfex) == perfex_row_fingerprint(full_perfex)
    full_oo = OnlyofficeInvoice.from_api(onlyoffice_raw())
    row_oo = OnlyofficeInvoice.from_api(onlyoffice_filter_row(onlyoffice_raw()))
    assert onlyoffice_row_fingerprint(row_oo) == onlyoffice_row_fingerprint(full_oo)


def test_full_fingerprints_need_lines() -> None:
    with pytest.raises(ValueError, match="lines"):
        perfex_fingerprint(PerfexInvoice.from_api(perfex_list_row(perfex_raw())))
    with pytest.raises(ValueError, match="lines"):
        onlyoffice_fingerprint(OnlyofficeInvoice.from_api(onlyoffice_filter_row(onlyoffice_raw())))


PERFEX_NOISE = [
    pytest.param({"id": "59"}, id="id"),
    pytest.param({"hash": "0" * 32, "datecreated": "2025-01-01 00:00:00"}, id="server-stamps"),
    pytest.param({"sent": "1", "datesend": "2024-03-02 10:00:00"}, id="sent-by-mail"),
    pytest.param({"total_left_to_pay": "0.00", "payments": [{"id": "1"}]}, id="payments"),
    pytest.param({"status": "4"}, id="cron-made-it-overdue"),
    pytest.param({"allowed_payment_modes": 'a:1:{i:0;s:1:"3";}'}, id="payment-modes"),
    pytest.param({"items": [perfex_item(id="999", rel_id="58")]}, id="new-line-ids"),
    pytest.param({"items": [perfex_item(item_order="7")]}, id="renumbered-order"),
]


PERFEX_OWNED = [
    pytest.param({"adminnote": "Checked by accounting"}, id="admin-note"),
    pytest.param({"recurring": "1", "cycles": "12"}, id="recurrence"),
    pytest.param({"include_shipping": "1", "shipping_street": "Dock 4"}, id="shipping"),
    pytest.param({"sale_agent": "3", "cancel_overdue_reminders": "1"}, id="agent-reminders"),
    pytest.param({"billing_country": "82"}, id="billing-country"),
    pytest.param({"items": [perfex_item(unit="h")]}, id="line-unit"),
]


@pytest.mark.parametrize("changes", PERFEX_OWNED)
def test_perfex_fields_the_bridge_does_not_carry_do_not_count_as_edits(changes: dict) -> None:
    assert perfex_fingerprint(perfex(**changes)) == perfex_fingerprint(perfex())


ONLYOFFICE_OWNED = [
    pytest.param({"purchaseOrderNumber": "PO-1"}, id="purchase-order"),
    pytest.param({"exchangeRate": 1.25}, id="exchange-rate"),
    pytest.param({"language": "de-DE", "templateType": 1}, id="language-template"),
    pytest.param({"consignee": {"id": 12, "displayName": "Depot"}}, id="consignee"),
    pytest.param(
        {"entity": {"entityType": "opportunity", "entityId": 5, "entityTitle": "Deal"}},
        id="deal-link",
    ),
]


@pytest.mark.parametrize("changes", ONLYOFFICE_OWNED)
def test_onlyoffice_fields_the_bridge_does_not_carry_do_not_count_as_edits(
    changes: dict,
) -> None:
    assert onlyoffice_fingerprint(onlyoffice(**changes)) == onlyoffice_fingerprint(onlyoffice())


@pytest.mark.parametrize("changes", PERFEX_NOISE)
def test_perfex_fingerprint_ignores_server_noise(changes: dict) -> None:
    assert perfex_fingerprint(perfex(**changes)) == perfex_fingerprint(perfex())


def test_perfex_fingerprint_survives_br_doubling() -> None:
    once = perfex(terms="Net 14<br />\nBank: X", items=[perfex_item(long_description="a<br />\nb")])
    twice = perfex(
        terms="Net 14<br /><br />\nBank: X",
        items=[perfex_item(long_description="a<br /><br />\nb")],
    )
    assert perfex_fingerprint(once) == perfex_fingerprint(twice)
    assert once.terms == "Net 14\nBank: X"


PERFEX_EDITS = [
    pytest.param({"duedate": "2024-04-15"}, id="due-date"),
    pytest.param({"total": "1090.00"}, id="total"),
    pytest.param({"status": "5"}, id="cancelled"),
    pytest.param({"clientnote": "Thanks"}, id="note"),
    pytest.param({"billing_city": "Berlin"}, id="billing"),
    pytest.param({"items": [perfex_item(qty="11.00")]}, id="line-qty"),
    pytest.param({"items": [perfex_item(long_description="April")]}, id="line-text"),
    pytest.param(
        {"items": [perfex_item(), perfex_item(id="312", description="Travel", item_order="2")]},
        id="line-added",
    ),
]


@pytest.mark.parametrize("changes", PERFEX_EDITS)
def test_perfex_fingerprint_sees_edits(changes: dict) -> None:
    assert perfex_fingerprint(perfex(**changes)) != perfex_fingerprint(perfex())


def test_perfex_line_order_matters() -> None:
    a = perfex_item(id="1", description="A", item_order="1")
    b = perfex_item(id="2", description="B", item_order="2")
    swapped = [perfex_item(id="1", description="A", item_order="2"), {**b, "item_order": "1"}]
    assert perfex_fingerprint(perfex(items=[a, b])) != perfex_fingerprint(perfex(items=swapped))


ONLYOFFICE_NOISE = [
    pytest.param({"id": 43}, id="id"),
    pytest.param({"invoiceLines": [onlyoffice_line_raw(id=950, invoiceID=43)]}, id="new-line-ids"),
    pytest.param({"cost": 0}, id="cost"),
    pytest.param({"fileID": 17, "createOn": "0001-01-01T00:00:00.0000000Z"}, id="pdf-and-stamp"),
    pytest.param({"status": {"id": 1, "title": "Entwurf"}}, id="localised-title"),
    pytest.param({"contact": {"id": 10, "displayName": "Acme Renamed"}}, id="contact-display"),
    pytest.param({"canEdit": False}, id="permissions"),
]


@pytest.mark.parametrize("changes", ONLYOFFICE_NOISE)
def test_onlyoffice_fingerprint_ignores_server_noise(changes: dict) -> None:
    assert onlyoffice_fingerprint(onlyoffice(**changes)) == onlyoffice_fingerprint(onlyoffice())


def test_onlyoffice_row_fingerprint_sees_cost() -> None:
    assert onlyoffice_row_fingerprint(onlyoffice(cost=1200)) != onlyoffice_row_fingerprint(
        onlyoffice()
    )


ONLYOFFICE_EDITS = [
    pytest.param({"dueDate": "2024-06-15T00:00:00.0000000Z"}, id="due-date"),
    pytest.param({"status": {"id": 2}}, id="status"),
    pytest.param({"terms": "Net 7"}, id="terms"),
    pytest.param({"invoiceLines": [onlyoffice_line_raw(discount=5)]}, id="line-discount"),
    pytest.param({"invoiceLines": [onlyoffice_line_raw(invoiceTax2ID=2)]}, id="line-tax"),
]


@pytest.mark.parametrize("changes", ONLYOFFICE_EDITS)
def test_onlyoffice_fingerprint_sees_edits(changes: dict) -> None:
    assert onlyoffice_fingerprint(onlyoffice(**changes)) != onlyoffice_fingerprint(onlyoffice())


def test_same_calendar_date_in_another_offset_is_the_same_invoice() -> None:
    shifted = onlyoffice(issueDate="2024-05-01T00:00:00.0000000+03:00")
    assert onlyoffice_fingerprint(shifted) == onlyoffice_fingerprint(onlyoffice())


def test_every_ignored_field_says_why() -> None:
    for table in (PERFEX_IGNORED, ONLYOFFICE_IGNORED):
        assert all(len(reason) > 15 for reason in table.values())
