"""Perfex → ONLYOFFICE: needs, payloads, discounts and the money check."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from mapping_samples import (
    SETTINGS,
    VAT10,
    VAT20,
    onlyoffice_refs,
    perfex_invoice,
    perfex_item,
)

from mappings.money import MISMATCH_HINT
from mappings.perfex import PerfexCustomer, PerfexInvoice, TaxSpec
from mappings.problems import MappingError, MappingProblem
from mappings.settings import MappingSettings
from mappings.status import DRAFT, REJECTED, SENT
from mappings.to_onlyoffice import (
    OnlyofficeNeeds,
    OnlyofficeTarget,
    ProductSpec,
    onlyoffice_billing_address,
    onlyoffice_company_payload,
    onlyoffice_needs,
    perfex_to_onlyoffice,
)

D = Decimal
CANDIDATES = [VAT10, VAT20]


def translate(invoice: PerfexInvoice, settings: MappingSettings = SETTINGS):
    needs = onlyoffice_needs(invoice, settings, CANDIDATES, {})
    assert isinstance(needs, OnlyofficeNeeds), needs
    return perfex_to_onlyoffice(invoice, needs, onlyoffice_refs(), settings)


def target(invoice: PerfexInvoice, settings: MappingSettings = SETTINGS) -> OnlyofficeTarget:
    result = translate(invoice, settings)
    assert isinstance(result, OnlyofficeTarget), result
    return result


def test_needs_of_the_contract_example() -> None:
    needs = onlyoffice_needs(perfex_invoice(), SETTINGS, CANDIDATES, {})
    assert needs == OnlyofficeNeeds(
        clientid="7",
        products=(ProductSpec("Consulting", D("90.00")),),
        taxes=(VAT20,),
        line_taxes=((VAT20,),),
    )


def test_create_payload_has_the_exact_key_spellings_and_string_amounts() -> None:
    result = target(perfex_invoice())
    assert result.create_payload == {
        "number": "INV-001042",
        "issueDate": "2024-03-01",
        "dueDate": "2024-03-31",
        "contactId": 10,
        "consigneeId": 0,
        "billingAddressID": 55,
        "language": "en-US",
        "currency": "EUR",
        "exchangeRate": "1.00",
        "purchaseOrderNumber": "",
        "terms": "Payment due as invoiced.",
        "description": "",
        "invoiceLines": [
            {
                "invoiceItemID": 3,
                "invoiceTax1ID": 1,
                "invoiceTax2ID": 0,
                "description": "Consulting\nMarch",
                "quantity": "10.00",
                "price": "90.00",
                "discount": "0.00",
            }
        ],
    }
    assert result.update_payload == {
        k: v for k, v in result.create_payload.items() if k != "number"
    }
    assert result.status == SENT and result.invoice.status == SENT
    assert result.warnings == ()


def test_payload_text_fields_carry_over() -> None:
    result = target(perfex_invoice(terms="Net 14<br />\nBank: X", clientnote="Thanks!"))
    assert result.create_payload["terms"] == "Net 14\nBank: X"
    assert result.create_payload["description"] == "Thanks!"


def test_no_billing_address_id_when_unknown() -> None:
    invoice = perfex_invoice()
    needs = onlyoffice_needs(invoice, SETTINGS, CANDIDATES, {})
    assert isinstance(needs, OnlyofficeNeeds)
    refs = replace(onlyoffice_refs(), billing_address_id=None)
    result = perfex_to_onlyoffice(invoice, needs, refs, SETTINGS)
    assert isinstance(result, OnlyofficeTarget)
    assert "billingAddressID" not in result.create_payload


def test_missing_due_date_gets_the_configured_term() -> None:
    result = target(perfex_invoice(duedate=None), replace(SETTINGS, default_due_days=14))
    assert result.invoice.due_date == date(2024, 3, 15)
    assert result.create_payload["dueDate"] == "2024-03-15"


@pytest.mark.parametrize(
    ("perfex_status", "onlyoffice_status"),
    [(1, SENT), (3, SENT), (4, SENT), (5, REJECTED)],
)
def test_status_table(perfex_status: int, onlyoffice_status: int) -> None:
    assert target(perfex_invoice(status=str(perfex_status))).status == onlyoffice_status


@pytest.mark.parametrize(
    ("number", "policy", "skipped"),
    [
        pytest.param("1000000000", "skip", True, id="placeholder-default"),
        pytest.param("1000000000", "sync", True, id="placeholder-always-skipped"),
        pytest.param("1042", "skip", True, id="numbered-draft-default"),
        pytest.param("1042", "sync", False, id="numbered-draft-synced"),
    ],
)
def test_perfex_drafts(number: str, policy: str, skipped: bool) -> None:
    settings = replace(SETTINGS, perfex_drafts=policy)
    invoice = perfex_invoice(status="6", number=number)
    needs = onlyoffice_needs(invoice, settings, CANDIDATES, {})
    if skipped:
        assert isinstance(needs, MappingProblem) and needs.skip and "draft" in needs.message
    else:
        assert target(invoice, settings).status == DRAFT


def test_products_one_per_description_with_a_positive_price() -> None:
    items = [
        perfex_item(id="1", description="Consulting", rate="90.00", item_order="1"),
        perfex_item(id="2", description="Consulting", rate="80.00", item_order="2"),
        perfex_item(id="3", description="Travel", rate="0.00", item_order="3"),
    ]
    invoice = perfex_invoice(items=items, subtotal="1700.00", total_tax="0.00", total="1700.00")
    needs = onlyoffice_needs(invoice, SETTINGS, CANDIDATES, {})
    assert isinstance(needs, OnlyofficeNeeds)
    assert needs.products == (
        ProductSpec("Consulting", D("90.00")),
        ProductSpec("Travel", D("0.01")),
    )
    lines = target(invoice).create_payload["invoiceLines"]
    assert [(x["invoiceItemID"], x["price"]) for x in lines] == [
        (3, "90.00"),
        (3, "80.00"),
        (4, "0.00"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        pytest.param({"items": None}, "items", "could not be read", id="list-row"),
        pytest.param({"items": []}, "items", "no lines", id="no-lines"),
        pytest.param({"items": [perfex_item(rate="-5.00")]}, "items", "negative", id="negative"),
        pytest.param(
            {"items": [perfex_item(description=" ")]}, "items", "no description", id="blank"
        ),
        pytest.param({"total_tax": "170.00"}, "total_tax", "cannot tell", id="taxes-unknown"),
    ],
)
def test_needs_refusals(changes: dict, field: str, text: str) -> None:
    problem = onlyoffice_needs(perfex_invoice(**changes), SETTINGS, CANDIDATES, {})
    assert isinstance(problem, MappingProblem) and not problem.skip
    assert problem.field == field and text in problem.message


def test_taxes_given_by_a_writer_are_used_without_inference() -> None:
    invoice = perfex_invoice()
    assert invoice.lines is not None
    known = replace(invoice, lines=(replace(invoice.lines[0], taxes=(VAT20,)),))
    needs = onlyoffice_needs(known, SETTINGS, [], {})
    assert isinstance(needs, OnlyofficeNeeds) and needs.line_taxes == ((VAT20,),)


def test_more_than_two_taxes_on_a_line_is_refused() -> None:
    invoice = perfex_invoice()
    assert invoice.lines is not None
    taxes = (VAT20, VAT10, TaxSpec("City", D("1")))
    three = replace(invoice, lines=(replace(invoice.lines[0], taxes=taxes),))
    problem = onlyoffice_needs(three, SETTINGS, [], {})
    assert isinstance(problem, MappingProblem) and "ONLYOFFICE allows 2" in problem.message


# Header discount fields -> (line discount, or the problem text)
DISCOUNTS = [
    pytest.param("before_tax", "10.00", "90.00", "162.00", "972.00", "10.00", id="percent-before"),
    pytest.param("after_tax", "10.00", "108.00", "180.00", "972.00", "10.00", id="percent-after"),
    pytest.param("before_tax", "0.00", "90.00", "162.00", "972.00", "10.00", id="fixed-exact"),
    pytest.param("after_tax", "0.00", "108.00", "180.00", "972.00", "10.00", id="fixed-after"),
    pytest.param(
        "before_tax", "0.00", "100.00", "160.00", "960.00", "11.1111%", id="fixed-inexact"
    ),
    pytest.param("", "0.00", "0.00", "180.00", "1080.00", "0.00", id="none"),
]


@pytest.mark.parametrize(("kind", "percent", "fixed", "tax", "total", "expected"), DISCOUNTS)
def test_invoice_discount_becomes_a_line_percent(kind, percent, fixed, tax, total, expected):
    invoice = perfex_invoice(
        discount_type=kind,
        discount_percent=percent,
        discount_total=fixed,
        total_tax=tax,
        total=total,
    )
    result = translate(invoice)
    if expected.endswith("%"):
        assert isinstance(result, MappingProblem) and result.field == "discount_total"
        assert expected in result.message
    else:
        assert isinstance(result, OnlyofficeTarget), result
        assert result.create_payload["invoiceLines"][0]["discount"] == expected


def one_cent_invoice() -> PerfexInvoice:
    """Three lines of 10.05 at 5 %: Perfex's UI sums the taxes (1.5075 → 31.66 in total),
    ONLYOFFICE rounds each line's tax (0.5025 → 0.50, three times: 31.65)."""
    items = [
        perfex_item(
            id=str(i),
            description="Hosting",
            long_description="",
            qty="1.00",
            rate="10.05",
            item_order=str(i),
        )
        for i in (1, 2, 3)
    ]
    return perfex_invoice(items=items, subtotal="30.15", total_tax="1.51", total="31.66")


def test_money_check_catches_a_one_cent_difference() -> None:
    invoice = one_cent_invoice()
    needs = onlyoffice_needs(invoice, SETTINGS, [TaxSpec("VAT", D("5"))], {})
    assert isinstance(needs, OnlyofficeNeeds)
    refs = replace(onlyoffice_refs(), tax_ids={TaxSpec("VAT", D("5")): 7})
    problem = perfex_to_onlyoffice(invoice, needs, refs, SETTINGS)
    assert problem == MappingProblem(
        "total", "ONLYOFFICE would total 31.65 EUR where Perfex shows 31.66 EUR" + MISMATCH_HINT
    )
    warned = perfex_to_onlyoffice(invoice, needs, refs, replace(SETTINGS, money_mismatch="warn"))
    assert isinstance(warned, OnlyofficeTarget)
    assert warned.warnings == ("ONLYOFFICE would total 31.65 EUR where Perfex shows 31.66 EUR",)


def test_adjustment_cannot_be_represented() -> None:
    result = translate(perfex_invoice(adjustment="-0.50", total="1079.50"))
    assert isinstance(result, MappingProblem) and result.field == "adjustment"
    assert "-0.50 EUR" in result.message and "1080.00 EUR" in result.message


@pytest.mark.parametrize(
    ("currency_name", "currency", "outcome"),
    [
        pytest.param("EUR", "1", "EUR", id="from-the-row"),
        pytest.param(None, "2", "USD", id="from-the-configured-map"),
        pytest.param(None, "9", "[perfex].currencies", id="unknown"),
    ],
)
def test_currency(currency_name: str | None, currency: str, outcome: str) -> None:
    result = translate(perfex_invoice(currency_name=currency_name, currency=currency))
    if isinstance(result, MappingProblem):
        assert result.field == "currency" and outcome in result.message
    else:
        assert result.create_payload["currency"] == outcome


def test_company_and_billing_address_payloads() -> None:
    customer = PerfexCustomer(
        userid="7",
        company="Müller & Söhne GmbH",
        vat="DE123",
        phonenumber="",
        billing_street="Hauptstraße 1",
        billing_city="Berlin",
        billing_state="",
        billing_zip="10115",
        billing_country="81",
        default_currency="0",
    )
    assert onlyoffice_company_payload(customer) == {
        "companyName": "Müller & Söhne GmbH",
        "shareType": 1,
    }
    assert onlyoffice_billing_address(customer) == {
        "address": {
            "street": "Hauptstraße 1",
            "city": "Berlin",
            "state": "",
            "zip": "10115",
            "country": "",
            "category": 3,
            "isPrimary": True,
        }
    }
    with pytest.raises(MappingError, match="company"):
        onlyoffice_company_payload(replace(customer, company=""))
