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

from mappings.differences import Difference
from mappings.money import onlyoffice_cost
from mappings.perfex import PerfexCustomer, PerfexInvoice, TaxSpec
from mappings.problems import MappingError, MappingProblem
from mappings.settings import MappingSettings
from mappings.status import DRAFT, REJECTED, SENT
from mappings.tax_evidence import TaxEvidence
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
EVIDENCE = TaxEvidence(taxes=(VAT10, VAT20))
STRICT_MONEY = replace(SETTINGS, money_mismatch="fail")
STRICT_TAXES = replace(SETTINGS, uncertain_taxes="fail")


def translate(
    invoice: PerfexInvoice,
    settings: MappingSettings = SETTINGS,
    evidence: TaxEvidence = EVIDENCE,
):
    needs = onlyoffice_needs(invoice, settings, evidence)
    if isinstance(needs, MappingProblem):
        return needs
    return perfex_to_onlyoffice(invoice, needs, onlyoffice_refs(), settings)


def target(invoice: PerfexInvoice, settings: MappingSettings = SETTINGS) -> OnlyofficeTarget:
    result = translate(invoice, settings)
    assert isinstance(result, OnlyofficeTarget), result
    return result


def test_needs_of_the_contract_example() -> None:
    needs = onlyoffice_needs(perfex_invoice(), SETTINGS, EVIDENCE)
    assert isinstance(needs, OnlyofficeNeeds)
    assert (needs.clientid, needs.products, needs.taxes, needs.line_taxes) == (
        "7",
        (ProductSpec("Consulting", D("90.00")),),
        (VAT20,),
        ((VAT20,),),
    )
    assert needs.inference is not None and needs.inference.certain
    assert needs.inference.sources == ("totals",) and needs.warnings == ()


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
    needs = onlyoffice_needs(invoice, SETTINGS, EVIDENCE)
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
    needs = onlyoffice_needs(invoice, settings, EVIDENCE)
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
    needs = onlyoffice_needs(invoice, SETTINGS, EVIDENCE)
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
    ],
)
def test_needs_refusals(changes: dict, field: str, text: str) -> None:
    problem = onlyoffice_needs(perfex_invoice(**changes), SETTINGS, EVIDENCE)
    assert isinstance(problem, MappingProblem) and not problem.skip
    assert problem.field == field and text in problem.message


def test_taxes_no_mix_explains_are_written_closest_with_a_warning() -> None:
    # 170.00 on 900.00 is neither 10 % nor 20 %: the closest (20 %) goes over, flagged.
    invoice = perfex_invoice(total_tax="170.00", total="1070.00")
    result = target(invoice)
    assert result.create_payload["invoiceLines"][0]["invoiceTax1ID"] == 1
    # The tax differs by just what the total does: one money warning says both.
    assert [warning.field for warning in result.warnings] == ["taxes", "total"]
    assert "no mix of the known taxes (VAT|10.00, VAT|20.00) fits" in str(result.warnings[0])
    assert str(result.warnings[1]) == (
        "total: ONLYOFFICE totals 1080.00 EUR where Perfex shows 1070.00 EUR "
        "(the line taxes are the closest guess: no mix of known taxes gives its totals)"
    )


def test_a_total_perfex_own_formula_does_not_give_is_blamed_on_the_total() -> None:
    # Written through the API with a cent too much: Perfex stores totals as posted.
    result = target(perfex_invoice(total="1080.01"))
    assert [str(w) for w in result.warnings][-1] == (
        "total: ONLYOFFICE totals 1080.00 EUR where Perfex shows 1080.01 EUR "
        "(Perfex's own formula gives 1080.00 for its lines)"
    )


def test_uncertain_taxes_are_refused_in_strict_mode() -> None:
    problem = onlyoffice_needs(perfex_invoice(total_tax="170.00"), STRICT_TAXES, EVIDENCE)
    assert isinstance(problem, MappingProblem) and problem.field == "taxes"
    assert 'refused because [mapping].uncertain_taxes = "fail"' in problem.message
    assert "no mix of the known taxes" in problem.message


def test_taxes_given_by_a_writer_are_used_without_inference() -> None:
    invoice = perfex_invoice()
    assert invoice.lines is not None
    known = replace(invoice, lines=(replace(invoice.lines[0], taxes=(VAT20,)),))
    needs = onlyoffice_needs(known, SETTINGS, TaxEvidence())
    assert isinstance(needs, OnlyofficeNeeds) and needs.line_taxes == ((VAT20,),)
    assert needs.inference is not None and needs.inference.sources == ("given",)


CITY = TaxSpec("City", D("1"))


def three_taxes() -> PerfexInvoice:
    invoice = perfex_invoice(total_tax="279.00", total="1179.00")
    assert invoice.lines is not None
    return replace(invoice, lines=(replace(invoice.lines[0], taxes=(VAT10, CITY, VAT20)),))


def test_a_line_with_three_taxes_keeps_the_two_largest_and_warns() -> None:
    needs = onlyoffice_needs(three_taxes(), SETTINGS, TaxEvidence())
    assert isinstance(needs, OnlyofficeNeeds)
    assert needs.line_taxes == ((VAT10, VAT20),)
    assert str(needs.warnings[0]) == (
        "taxes: ONLYOFFICE carries VAT|10.00 + VAT|20.00 on line 1 where Perfex shows "
        "VAT|10.00 + City|1.00 + VAT|20.00 on line 1 (ONLYOFFICE holds two taxes a line; "
        "City|1.00 left off)"
    )
    result = perfex_to_onlyoffice(three_taxes(), needs, onlyoffice_refs(), SETTINGS)
    assert isinstance(result, OnlyofficeTarget) and result.warnings == needs.warnings
    assert [w.field for w in result.warnings] == ["taxes", "total"]
    assert result.warnings[1].amount == D("-9.00")


def test_a_line_with_three_taxes_is_refused_when_money_must_match() -> None:
    problem = onlyoffice_needs(three_taxes(), STRICT_MONEY, TaxEvidence())
    assert isinstance(problem, MappingProblem) and "City|1.00 left off" in problem.message


# Header discount fields -> the line discount written
DISCOUNTS = [
    pytest.param("before_tax", "10.00", "90.00", "162.00", "972.00", "10.00", id="percent-before"),
    pytest.param("before_tax", "0.00", "90.00", "162.00", "972.00", "10.00", id="fixed-exact"),
    pytest.param("", "0.00", "0.00", "180.00", "1080.00", "0.00", id="none"),
    # A percent from an unused discount type means nothing in Perfex's formulas (5.2).
    pytest.param("", "10.00", "0.00", "180.00", "1080.00", "0.00", id="no-type-no-discount"),
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
    result = target(invoice)
    assert result.create_payload["invoiceLines"][0]["discount"] == expected
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("percent", "fixed"),
    [pytest.param("10.00", "108.00", id="percent"), pytest.param("0.00", "108.00", id="fixed")],
)
def test_an_after_tax_discount_lands_on_the_total_but_not_on_the_tax(percent, fixed) -> None:
    # Perfex keeps the full 180.00 of tax and takes 10 % off the total; ONLYOFFICE can only
    # discount the line, so its tax shrinks with it.
    invoice = perfex_invoice(
        discount_type="after_tax",
        discount_percent=percent,
        discount_total=fixed,
        total_tax="180.00",
        total="972.00",
    )
    result = target(invoice)
    assert result.create_payload["invoiceLines"][0]["discount"] == "10.00"
    assert [str(w) for w in result.warnings] == [
        "total_tax: ONLYOFFICE has taxes of 162.00 EUR where Perfex shows 180.00 EUR "
        "(ONLYOFFICE discounts before tax)"
    ]


def lines_of(result: OnlyofficeTarget) -> list[dict]:
    return result.create_payload["invoiceLines"]


def cost_of(result: OnlyofficeTarget, rates: dict[int, Decimal]) -> Decimal:
    """ONLYOFFICE's own cost formula applied to what is written (money.onlyoffice_cost)."""
    assert result.invoice.lines is not None
    return onlyoffice_cost(result.invoice.lines, rates)


RATES = {1: D("20"), 2: D("10")}
SMALL_ITEMS = [
    perfex_item(
        id="1", description="Hosting", long_description="", qty="1.00", rate="49.90", item_order="1"
    ),
    perfex_item(
        id="2", description="Domain", long_description="", qty="1.00", rate="12.99", item_order="2"
    ),
    perfex_item(
        id="3", description="Support", long_description="", qty="0.75", rate="26.10", item_order="3"
    ),
]
SMALL_REFS = replace(onlyoffice_refs(), item_ids={"Hosting": 5, "Domain": 6, "Support": 7})


def small_invoice(**changes) -> PerfexInvoice:
    """82.47 of services at 20 % VAT; `changes` set the discount and Perfex's totals."""
    return perfex_invoice(items=SMALL_ITEMS, subtotal="82.47", **changes)


def small_target(invoice: PerfexInvoice, settings: MappingSettings = SETTINGS) -> OnlyofficeTarget:
    needs = onlyoffice_needs(invoice, settings, EVIDENCE)
    assert isinstance(needs, OnlyofficeNeeds), needs
    result = perfex_to_onlyoffice(invoice, needs, SMALL_REFS, settings)
    assert isinstance(result, OnlyofficeTarget), result
    return result


def test_a_fixed_discount_that_is_no_two_decimal_percent_still_lands_exactly() -> None:
    # 10.00 is 12.1256 % of 82.47. Perfex: (82.47 + 16.494) × (1 − 10 / 82.47) = 86.96.
    invoice = small_invoice(
        discount_type="before_tax", discount_total="10.00", total_tax="14.49", total="86.96"
    )
    result = small_target(invoice)
    percents = [D(line["discount"]) for line in lines_of(result)]
    assert all(abs(p - D("12.1256")) <= D("0.05") for p in percents)
    assert all(p == p.quantize(D("0.01")) for p in percents)
    assert cost_of(result, RATES) == D("86.96")
    assert result.warnings == ()


def test_a_fixed_discount_no_percentage_reaches_is_the_closest_with_a_warning() -> None:
    # One line of 900.00 at 20 % less 100.00 before tax: Perfex 960.00. 11.11 % gives
    # 960.01 and 11.12 % gives 959.90, and one line has no other percentage to try.
    invoice = perfex_invoice(
        discount_type="before_tax", discount_total="100.00", total_tax="160.00", total="960.00"
    )
    result = target(invoice)
    assert lines_of(result)[0]["discount"] == "11.11"
    assert [str(w) for w in result.warnings] == [
        "total: ONLYOFFICE totals 960.01 EUR where Perfex shows 960.00 EUR "
        "(no two-decimal line discounts reach it)"
    ]
    assert result.warnings[0] == Difference(
        "total",
        D("960.00"),
        D("960.01"),
        "no two-decimal line discounts reach it",
        D("0.01"),
        "EUR",
    )
    problem = translate(invoice, STRICT_MONEY)
    assert isinstance(problem, MappingProblem) and problem.field == "total"
    assert problem.message.startswith("ONLYOFFICE totals 960.01 EUR where Perfex shows 960.00")
    assert 'refused because [mapping].money_mismatch = "fail"' in problem.message


PERCENT_ITEMS = [
    perfex_item(
        id=str(i), description=text, long_description="", qty="1.50", rate=rate, item_order=str(i)
    )
    for i, (text, rate) in enumerate(
        [("Consulting", "190.48"), ("Travel", "86.78"), ("Hosting", "72.83")], start=1
    )
]


def test_a_percent_discount_whose_lines_round_a_cent_away_is_nudged_onto_the_total() -> None:
    # 10 % before tax: Perfex 567.15; 10.00 % on every line gives ONLYOFFICE 567.14, because
    # each line rounds its discount and its tax on its own.
    invoice = perfex_invoice(
        items=PERCENT_ITEMS,
        subtotal="525.14",
        discount_type="before_tax",
        discount_percent="10.00",
        discount_total="52.51",
        total_tax="94.52",
        total="567.15",
    )
    result = target(invoice)
    # No single line moves the cost by exactly one cent here (taxes round too): two do.
    percents = [line["discount"] for line in lines_of(result)]
    assert percents.count("10.00") == 1
    assert all(abs(D(p) - 10) <= D("0.05") for p in percents)
    assert cost_of(result, RATES) == D("567.15") and result.warnings == ()


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


VAT5 = TaxSpec("VAT", D("5"))


def test_a_rounding_cent_without_a_discount_is_a_warning_never_a_discount() -> None:
    invoice = one_cent_invoice()
    needs = onlyoffice_needs(invoice, SETTINGS, TaxEvidence(taxes=(VAT5,)))
    assert isinstance(needs, OnlyofficeNeeds)
    refs = replace(onlyoffice_refs(), tax_ids={VAT5: 7})
    warned = perfex_to_onlyoffice(invoice, needs, refs, SETTINGS)
    assert isinstance(warned, OnlyofficeTarget)
    assert [line["discount"] for line in lines_of(warned)] == ["0.00"] * 3
    assert [str(w) for w in warned.warnings] == [
        "total: ONLYOFFICE totals 31.65 EUR where Perfex shows 31.66 EUR (tax rounded per line)"
    ]
    assert warned.warnings[0].amount == D("-0.01")
    # Strict: refused while working out what the invoice needs, before anything is written.
    refused = onlyoffice_needs(invoice, STRICT_MONEY, TaxEvidence(taxes=(VAT5,)))
    assert isinstance(refused, MappingProblem) and refused.field == "total"
    assert "31.65 EUR where Perfex shows 31.66 EUR (tax rounded per line)" in refused.message


def test_a_negative_adjustment_is_carried_as_a_discount() -> None:
    # 82.47 + 16.49 tax − 1.00: with no discount in Perfex, the adjustment becomes one. The
    # total lands; the tax cannot, since a line discount lowers what is taxed.
    invoice = small_invoice(adjustment="-1.00", total_tax="16.49", total="97.96")
    result = small_target(invoice)
    assert cost_of(result, RATES) == D("97.96")
    assert any(line["discount"] != "0.00" for line in lines_of(result))
    assert [str(w) for w in result.warnings] == [
        "total_tax: ONLYOFFICE has taxes of 16.33 EUR where Perfex shows 16.49 EUR "
        "(the adjustment became line discounts, which lower the tax too)"
    ]


def test_a_positive_adjustment_without_a_discount_is_reported() -> None:
    invoice = perfex_invoice(adjustment="5.00", total="1085.00")
    result = target(invoice)
    assert lines_of(result)[0]["discount"] == "0.00"
    assert [str(w) for w in result.warnings] == [
        "total: ONLYOFFICE totals 1080.00 EUR where Perfex shows 1085.00 EUR "
        "(ONLYOFFICE has no adjustment: 5.00 not carried)"
    ]


def test_a_positive_adjustment_shrinks_an_existing_discount() -> None:
    # 10 % off 98.96 is 9.90 (before tax); +2.00 back gives 91.07: about 7.98 % on the lines.
    invoice = small_invoice(
        discount_type="before_tax",
        discount_percent="10.00",
        discount_total="8.25",
        adjustment="2.00",
        total_tax="14.84",
        total="91.07",
    )
    result = small_target(invoice)
    assert cost_of(result, RATES) == D("91.07")
    assert all(D(line["discount"]) < 10 for line in lines_of(result))
    assert [w.field for w in result.warnings] == ["total_tax"]


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
