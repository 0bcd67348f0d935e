"""Checklist §10 "Envelope and serialization": envelope members, errors, keys, numbers, dates."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from bridge.sandbox.onlyoffice import OnlyofficeOptions


def test_post_answers_201_and_other_verbs_200(api):
    created = api.post("crm/invoice", json=api.invoice_body())
    assert created.status_code == 201 and created.json()["statusCode"] == 201
    invoice_id = created.json()["response"]["id"]
    for reply in (
        api.get(f"crm/invoice/{invoice_id}"),
        api.put(f"crm/invoice/{invoice_id}", json=api.invoice_body()),
        api.delete(f"crm/invoice/{invoice_id}"),
    ):
        assert reply.status_code == 200 and reply.json()["statusCode"] == 200


def test_success_envelope_has_status_zero_and_json_headers(api):
    reply = api.get("crm/invoice/1")
    body = reply.json()
    assert body["status"] == 0 and body["statusCode"] == 200
    assert reply.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert reply.headers["Cache-Control"] == "max-age=0"
    assert reply.headers["ETag"]


def test_empty_invoice_list_has_total_but_no_count(empty_api):
    body = empty_api.get("crm/invoice/filter").json()
    assert body == {"total": 0, "status": 0, "statusCode": 200, "response": []}


@pytest.mark.parametrize("route", ["crm/invoiceitem/filter", "crm/contact/filter"])
def test_total_is_present_on_item_and_contact_lists(empty_api, route):
    assert empty_api.get(route).json()["total"] == 0


def test_other_lists_carry_total_only_when_rows_were_left_over(api):
    body = api.get("crm/invoice/tax").json()
    assert "total" not in body and body["count"] == 2
    body = api.get("crm/invoice/tax", params={"count": 1}).json()
    assert body["total"] == 2 and body["count"] == 1


def test_start_index_is_echoed_only_when_nonzero(api):
    assert "startIndex" not in api.get("crm/invoice/filter").json()
    assert api.get("crm/invoice/filter", params={"startIndex": 3}).json()["startIndex"] == 3


def test_full_page_carries_off_by_one_next_index(api):
    body = api.get("crm/invoice/filter", params={"startIndex": 2, "count": 5}).json()
    assert body["count"] == 5 and body["nextIndex"] == 2 + 5 + 1
    last = api.get("crm/invoice/filter", params={"startIndex": 7, "count": 5}).json()
    assert last["count"] == 5 and "nextIndex" not in last  # full page, but nothing after it
    short = api.get("crm/invoice/filter", params={"startIndex": 10, "count": 5}).json()
    assert "nextIndex" not in short


def test_count_is_list_length_and_one_for_objects_and_bools(api):
    assert api.get("crm/invoice/filter").json()["count"] == 12
    assert api.get("crm/invoice/1").json()["count"] == 1
    exists = api.get("crm/invoice/bynumber/exist", params={"number": "INV-000001"}).json()
    assert exists["response"] is True and exists["count"] == 1
    missing = api.get("crm/invoice/bynumber/exist", params={"number": "nope"}).json()
    assert missing["response"] is False and missing["count"] == 1


def test_count_of_a_string_reply_is_its_length(api):
    body = api.get("crm/invoice/jsondata/1").json()
    assert isinstance(body["response"], str)
    assert body["count"] == len(body["response"].encode("utf-16-le")) // 2


def test_line_delete_reply_is_a_number_with_count_one(api):
    created = api.create_invoice(invoiceLines=[api.invoice_body()["invoiceLines"][0]] * 2)
    line_id = created["invoiceLines"][0]["id"]
    body = api.delete(f"crm/invoiceline/{line_id}").json()
    assert body["response"] == line_id and body["count"] == 1


@pytest.mark.parametrize(
    ("case", "status", "hresult", "message"),
    [
        ("bad-argument", 400, -2147024809, "Value does not fall within the expected range."),
        ("not-admin", 403, -2146233078, "Access denied"),
        ("missing", 404, -2146233088, "Not found"),
        ("server-error", 500, -2146233087, "User authentication failed"),
        ("method-not-found", 404, -2146233088, "Method not found"),
    ],
)
def test_errors_use_the_error_envelope_with_mapped_status(api, case, status, hresult, message):
    if case == "bad-argument":
        reply = api.post("crm/invoice", json=api.invoice_body(invoiceLines=[]))
    elif case == "not-admin":
        user = api.store.issue_token(user="clerk")
        reply = api.post("crm/invoiceitem", json={"title": "x", "price": 1}, token=user)
    elif case == "missing":
        reply = api.get("crm/invoice/999")
    elif case == "server-error":
        reply = api.post("authentication", json={"userName": "x", "password": "y"}, token=None)
    else:
        reply = api.request("PATCH", "crm/invoice/1")
    error = api.error(reply, status)
    assert error == {"message": message, "hresult": hresult, "data": {}}


def test_invoice_keys_are_camel_case_as_on_the_wire(api):
    invoice = api.ok(api.get("crm/invoice/1"))
    assert set(invoice) == {
        "id",
        "status",
        "number",
        "issueDate",
        "templateType",
        "contact",
        "consignee",
        "entity",
        "dueDate",
        "language",
        "currency",
        "exchangeRate",
        "purchaseOrderNumber",
        "terms",
        "description",
        "fileID",
        "createOn",
        "createBy",
        "cost",
        "canEdit",
        "canDelete",
        "invoiceLines",
    }
    assert set(invoice["invoiceLines"][0]) == {
        "id",
        "invoiceID",
        "invoiceItemID",
        "invoiceTax1ID",
        "invoiceTax2ID",
        "sortOrder",
        "description",
        "quantity",
        "price",
        "discount",
    }
    assert "billingAddressID" not in invoice
    item = api.ok(api.get("crm/invoiceitem/1"))
    assert "trackInvenory" in item and "trackInventory" not in item


def test_enums_are_numbers(api):
    invoice = api.ok(api.get("crm/invoice/1"))
    assert isinstance(invoice["status"]["id"], int) and isinstance(invoice["templateType"], int)
    info = api.ok(api.get("crm/contact/1/data"))[0]
    assert isinstance(info["infoType"], int) and isinstance(info["category"], int)


def test_money_is_serialised_as_numbers_with_two_decimals(api):
    created = api.create_invoice(exchangeRate="1.5")
    text = api.get(f"crm/invoice/{created['id']}").text
    assert '"exchangeRate":1.50' in text
    assert '"quantity":2.00' in text and '"price":95.00' in text
    assert re.search(r'"cost":\d+\.\d\d[,}]', text)


def test_strings_escape_slashes_and_keep_non_ascii_raw(api):
    created = api.create_invoice(terms="Net 30 / Zahlbar sofort, Müller")
    raw = api.get(f"crm/invoice/{created['id']}").content
    assert b"Net 30 \\/ Zahlbar" in raw
    assert "Müller".encode() in raw


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", "2026-11-02T00:00:00.0000000Z"),
        ("Europe/Berlin", "2026-11-02T00:00:00.0000000+01:00"),
        ("America/New_York", "2026-11-02T00:00:00.0000000-05:00"),
    ],
)
def test_dates_are_written_in_the_portal_time_zone(make_api, zone, expected):
    api = make_api(OnlyofficeOptions(timezone=zone))
    created = api.create_invoice(issueDate="2026-11-02")  # naive: portal midnight
    invoice = api.ok(api.get(f"crm/invoice/{created['id']}"))
    assert invoice["issueDate"] == expected


def test_summer_dates_carry_the_summer_offset(make_api):
    api = make_api(OnlyofficeOptions(timezone="Europe/Berlin"))
    created = api.create_invoice(issueDate="2026-07-01T12:00:00Z")
    assert created["issueDate"] == "2026-07-01T14:00:00.0000000+02:00"


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-02T09:30:00.0000000+03:00",
        "2026-11-02T09-30-00.0000000+03:00",
        "2026-11-02T09-30-00.000+03:00",
        "2026-11-02T09:30:00.000+03:00",
        "2026-11-02T09-30-00+03:00",
        "2026-11-02T09:30:00+03:00",
    ],
)
def test_date_input_accepts_the_formats_with_an_offset(api, value):
    created = api.create_invoice(issueDate=value)
    assert created["issueDate"] == "2026-11-02T06:30:00.0000000Z"


def test_date_only_and_naive_input_is_read_in_the_portal_time_zone(make_api):
    api = make_api(OnlyofficeOptions(timezone="Asia/Tokyo"))
    created = api.create_invoice(issueDate="2026-11-02", dueDate="2026-11-30T08:00:00")
    stored = api.store.invoice(created["id"])
    assert stored.issue_date == datetime.fromisoformat("2026-11-01T15:00:00+00:00")
    assert stored.due_date == datetime.fromisoformat("2026-11-29T23:00:00+00:00")
    assert created["issueDate"] == "2026-11-02T00:00:00.0000000+09:00"


def test_dates_the_server_returned_can_be_sent_back(api):
    invoice = api.ok(api.get("crm/invoice/1"))
    body = api.invoice_body(issueDate=invoice["issueDate"], dueDate=invoice["dueDate"])
    created = api.ok(api.post("crm/invoice", json=body), 201)
    assert created["issueDate"] == invoice["issueDate"]


@pytest.mark.parametrize(
    "value",
    ["tomorrow", "2026-13-01", "2026-11-02T10:00:00.12Z", "2026-11", "02.11.2026"],
)
def test_invalid_date_answers_400_with_the_converter_message(api, value):
    error = api.error(api.post("crm/invoice", json=api.invoice_body(issueDate=value)), 400)
    assert error["message"] == f"invalid date time format: {value}"


def test_json_dates_lose_trailing_fraction_zeros_before_parsing(api):
    # ".120Z" becomes ".12Z" in the JSON-to-XML step and no format accepts two digits.
    body = json.dumps(api.invoice_body(issueDate="2026-11-02T10:00:00.120Z"))
    error = api.error(api.post("crm/invoice", data=body, headers=_json_type()), 400)
    assert error["message"] == "invalid date time format: 2026-11-02T10:00:00.12Z"


def test_unparsable_json_body_answers_400(api):
    api.error(api.post("crm/invoice", data=b"{not json", headers=_json_type()), 400)


def test_unconvertible_number_answers_400_with_the_converter_message(api):
    error = api.error(api.post("crm/invoice", json=api.invoice_body(contactId="ten")), 400)
    assert error["message"] == "Input string was not in a correct format."


def _json_type() -> dict[str, str]:
    return {"Content-Type": "application/json"}
