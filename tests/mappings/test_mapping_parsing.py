"""Reading both APIs' raw payloads into the typed models."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from mapping_samples import (
    onlyoffice_filter_row,
    onlyoffice_line_raw,
    onlyoffice_raw,
    perfex_item,
    perfex_list_row,
    perfex_raw,
)

from mappings.numbering import NumberFormat
from mappings.onlyoffice import (
    Address,
    OnlyofficeContact,
    OnlyofficeInvoice,
    OnlyofficeItem,
    OnlyofficeTax,
)
from mappings.perfex import PerfexCustomer, PerfexInvoice, PerfexTax, TaxSpec, strip_server_breaks
from mappings.problems import MappingError

D = Decimal


def test_perfex_full_invoice_from_the_contract_example() -> None:
    invoice = PerfexInvoice.from_api(perfex_raw())
    assert (invoice.id, invoice.number, invoice.prefix, invoice.clientid) == (
        "58",
        1042,
        "INV-",
        "7",
    )
    assert (invoice.date, invoice.duedate) == (date(2024, 3, 1), date(2024, 3, 31))
    assert (invoice.currency_id, invoice.currency_code) == ("1", "EUR")
    assert (invoice.subtotal, invoice.total_tax, invoice.total) == (D("900"), D("180"), D("1080"))
    assert invoice.allowed_payment_modes == ("1", "2")
    assert invoice.adminnote == ""  # null in the payload
    assert invoice.display_number(NumberFormat()) == "INV-001042"
    assert invoice.lines is not None and len(invoice.lines) == 1
    line = invoice.lines[0]
    assert (line.id, line.description, line.long_description) == ("311", "Consulting", "March")
    assert (line.qty, line.rate, line.unit, line.item_order) == (D("10"), D("90"), "h", 1)
    assert line.taxes == ()  # GET never returns line taxes


def test_perfex_list_row_has_no_lines_but_the_same_header() -> None:
    full = PerfexInvoice.from_api(perfex_raw())
    row = PerfexInvoice.from_api(perfex_list_row(perfex_raw()))
    assert row.lines is None
    assert row.total == full.total and row.billing_street == full.billing_street


def test_perfex_lines_come_sorted_by_item_order() -> None:
    items = [perfex_item(id="2", item_order="2"), perfex_item(id="1", item_order="1")]
    invoice = PerfexInvoice.from_api(perfex_raw(items=items))
    assert [line.id for line in invoice.lines or ()] == ["1", "2"]


@pytest.mark.parametrize(
    ("stored", "clean"),
    [
        pytest.param("Pay within 30 days", "Pay within 30 days", id="plain"),
        pytest.param("Line 1<br />\nLine 2", "Line 1\nLine 2", id="one-write"),
        pytest.param("Line 1<br /><br />\nLine 2", "Line 1\nLine 2", id="doubled-by-round-trip"),
        pytest.param("a<br />\r\nb", "a\nb", id="crlf"),
        pytest.param("a<br>\nb<BR/>\nc", "a\nb\nc", id="html-variants"),
        pytest.param("a<br />\n<br />\nb", "a\n\nb", id="blank-line-kept"),
        pytest.param("a<br />b", "a<br />b", id="break-not-before-newline-is-content"),
    ],
)
def test_perfex_text_loses_server_breaks(stored: str, clean: str) -> None:
    assert strip_server_breaks(stored) == clean
    assert PerfexInvoice.from_api(perfex_raw(terms=stored)).terms == clean


@pytest.mark.parametrize(
    ("stored", "modes"),
    [
        pytest.param('a:2:{i:0;s:1:"1";i:1;s:1:"2";}', ("1", "2"), id="offline-modes"),
        pytest.param('a:1:{i:0;s:6:"stripe";}', ("stripe",), id="gateway"),
        pytest.param('a:1:{i:0;s:5:"café";}', ("café",), id="utf8-byte-length"),
        pytest.param("a:0:{}", (), id="empty-array"),
        pytest.param("a:1:{i:0;i:3;}", ("3",), id="integer-value"),
        pytest.param(None, (), id="null"),
        pytest.param(["1", "2"], ("1", "2"), id="already-a-list"),
    ],
)
def test_perfex_payment_modes_are_php_serialized(stored: object, modes: tuple) -> None:
    invoice = PerfexInvoice.from_api(perfex_raw(allowed_payment_modes=stored))
    assert invoice.allowed_payment_modes == modes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"number": "INV-1"}, "number", id="number-not-integer"),
        pytest.param({"total": "1.080,00"}, "total", id="money-comma"),
        pytest.param({"date": "01/03/2024"}, "date", id="date-format"),
        pytest.param({"date": "2024-02-30"}, "date", id="impossible-date"),
        pytest.param({"status": None}, "status", id="missing-status"),
        pytest.param(
            {"allowed_payment_modes": "['1']"}, "allowed_payment_modes", id="apidoc-shape"
        ),
        pytest.param(
            {"allowed_payment_modes": 'a:1:{i:0;s:5:"1";}'},
            "allowed_payment_modes",
            id="bad-length",
        ),
        pytest.param({"items": "none"}, "items", id="items-not-list"),
        pytest.param({"items": [perfex_item(qty="ten")]}, "items[0]: qty", id="line-qty"),
    ],
)
def test_perfex_garbage_raises_naming_the_field(changes: dict, field: str) -> None:
    with pytest.raises(MappingError, match=re.escape(f"Perfex invoice 58: {field}")):
        PerfexInvoice.from_api(perfex_raw(**changes))


def test_perfex_null_duedate_and_zero_date_read_as_none() -> None:
    assert PerfexInvoice.from_api(perfex_raw(duedate=None)).duedate is None
    assert PerfexInvoice.from_api(perfex_raw(duedate="0000-00-00")).duedate is None


def test_perfex_tax_row_becomes_a_taxspec() -> None:
    spec = PerfexTax.from_api({"id": "1", "name": "VAT", "taxrate": "20.00"})
    assert spec == TaxSpec("VAT", D("20"))
    assert spec.perfex_taxname == "VAT|20.00"
    assert TaxSpec.from_perfex_taxname("Reduced|7.5") == TaxSpec("Reduced", D("7.50"))
    assert hash(TaxSpec("VAT", D("20.0"))) == hash(spec)


def test_perfex_customer() -> None:
    raw = {
        "userid": "7",
        "company": "Acme Ltd",
        "vat": None,
        "phonenumber": "",
        "billing_street": "Main Street 1<br />\nBuilding B",
        "billing_city": "Berlin",
        "billing_state": "",
        "billing_zip": "10115",
        "billing_country": "81",
        "default_currency": "0",
    }
    customer = PerfexCustomer.from_api(raw)
    assert customer.userid == "7" and customer.vat is None
    assert customer.billing_street == "Main Street 1\nBuilding B"
    assert customer.default_currency == "0"


def test_onlyoffice_full_invoice_from_the_contract_example() -> None:
    invoice = OnlyofficeInvoice.from_api(onlyoffice_raw())
    assert (invoice.id, invoice.number, invoice.status) == (42, "INV-0000042", 1)
    assert (invoice.issue_date, invoice.due_date) == (date(2024, 5, 1), date(2024, 5, 31))
    assert (invoice.contact_id, invoice.consignee_id, invoice.currency) == (10, 0, "EUR")
    assert (invoice.exchange_rate, invoice.cost) == (D("1"), D("1210"))
    assert invoice.lines is not None
    line = invoice.lines[0]
    assert (line.item_id, line.tax1_id, line.tax2_id) == (3, 1, 0)
    assert (line.quantity, line.price, line.discount) == (D("10"), D("100"), D("0"))


def test_onlyoffice_filter_row_has_no_lines() -> None:
    row = OnlyofficeInvoice.from_api(onlyoffice_filter_row(onlyoffice_raw()))
    assert row.lines is None and row.cost == D("1210")


@pytest.mark.parametrize(
    ("printed", "day"),
    [
        pytest.param("2024-05-01T00:00:00.0000000Z", date(2024, 5, 1), id="utc"),
        pytest.param("2024-05-01T00:00:00.0000000+03:00", date(2024, 5, 1), id="east-midnight"),
        pytest.param("2024-04-30T23:30:00.0000000-05:00", date(2024, 4, 30), id="west-late"),
        pytest.param("2024-05-01T09:30:00Z", date(2024, 5, 1), id="no-fraction"),
        pytest.param("2024-05-01", date(2024, 5, 1), id="date-only"),
    ],
)
def test_onlyoffice_dates_are_the_calendar_date_as_printed(printed: str, day: date) -> None:
    assert OnlyofficeInvoice.from_api(onlyoffice_raw(issueDate=printed)).issue_date == day


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"issueDate": "May 1, 2024"}, "issueDate", id="date-text"),
        pytest.param({"dueDate": None}, "dueDate", id="missing-due"),
        pytest.param({"status": None}, "status", id="missing-status"),
        pytest.param({"currency": {"title": "Euro"}}, "currency: abbreviation", id="currency"),
        pytest.param({"invoiceLines": [onlyoffice_line_raw(price="a")]}, "price", id="line-price"),
        # .NET prints a missing or minimum date as the first day of year 1 (contract 2.4).
        pytest.param(
            {"issueDate": "0001-01-01T00:00:00.0000000Z"},
            'issueDate: "0001-01-01T00:00:00.0000000Z" is not a date',
            id="dotnet-zero-date",
        ),
    ],
)
def test_onlyoffice_garbage_raises_naming_the_field(changes: dict, field: str) -> None:
    with pytest.raises(MappingError, match=f"ONLYOFFICE invoice 42: .*{field}"):
        OnlyofficeInvoice.from_api(onlyoffice_raw(**changes))


def test_onlyoffice_keys_are_read_whatever_their_case() -> None:
    line = onlyoffice_line_raw()
    line["InvoiceItemID"] = line.pop("invoiceItemID")
    raw = onlyoffice_raw(invoiceLines=[line], Number="INV-7")
    del raw["number"]
    invoice = OnlyofficeInvoice.from_api(raw)
    assert invoice.number == "INV-7" and invoice.lines and invoice.lines[0].item_id == 3


def test_onlyoffice_tax_item_and_contact() -> None:
    tax = OnlyofficeTax.from_api({"id": 1, "name": "VAT", "rate": 21.0, "description": ""})
    assert tax.spec == TaxSpec("VAT", D("21"))
    item = OnlyofficeItem.from_api(
        {
            "id": 3,
            "title": "Consulting",
            "price": 100.0,
            "invoiceTax1": {"id": 1, "rate": 21.0},
            "invoiceTax2": None,
        }
    )
    assert (item.tax1_id, item.tax2_id, item.price) == (1, 0, D("100"))
    contact = OnlyofficeContact.from_api(
        {
            "id": 10,
            "displayName": "Acme Ltd",
            "isCompany": True,
            "commonData": [
                {"id": 1, "infoType": 0, "category": 1, "data": "+49 30 1234"},
                {"id": 2, "infoType": 1, "category": 1, "data": "billing@acme.example"},
            ],
            "addresses": [
                {
                    "street": "Dock 4",
                    "city": "Hamburg",
                    "state": "",
                    "zip": "20457",
                    "country": "Germany",
                    "category": 1,
                },
                {
                    "street": "Main Street 1",
                    "city": "Berlin",
                    "state": "",
                    "zip": "10115",
                    "country": "Germany",
                    "category": 3,
                    "isPrimary": True,
                },
            ],
        }
    )
    assert contact.emails == ("billing@acme.example",)
    assert contact.billing_address == Address("Main Street 1", "Berlin", "", "10115", "Germany")


@pytest.mark.parametrize("field", ["addresses", "commonData"])
@pytest.mark.parametrize("value", [99999999.99, "[]", True], ids=["number", "text", "bool"])
def test_an_onlyoffice_contact_list_that_is_no_list_is_named(field: str, value: object) -> None:
    raw = {"id": 10, "displayName": "Acme Ltd", "isCompany": True, field: value}
    with pytest.raises(MappingError, match=f"ONLYOFFICE contact 10: {field}: expected a list"):
        OnlyofficeContact.from_api(raw)


def test_a_ten_thousand_character_value_is_quoted_by_its_start_on_one_line() -> None:
    pasted = "Lorem ipsum\ndolor " * 1000
    with pytest.raises(MappingError) as caught:
        PerfexInvoice.from_api(perfex_raw(date=pasted))
    message = str(caught.value)
    assert message.startswith("Perfex invoice 58: date: expected a date like 2024-03-01, got 'Lor")
    assert len(message) <= 330 and "\n" not in message and message.endswith("…")


def test_a_ten_thousand_character_id_still_leaves_the_field_named() -> None:
    with pytest.raises(MappingError, match=r"^ONLYOFFICE invoice x{39}…: id: expected a whole"):
        OnlyofficeInvoice.from_api(onlyoffice_raw(id="x" * 10_000))
