"""ONLYOFFICE → Perfex: needs, the create form, the replace-all update body, status and money."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from mapping_samples import (
    BILLING,
    ONLYOFFICE_TAXES,
    SETTINGS,
    onlyoffice_line_raw,
    onlyoffice_raw,
    perfex_invoice,
)

from mappings.differences import Difference
from mappings.money import onlyoffice_cost
from mappings.onlyoffice import (
    Address,
    OnlyofficeContact,
    OnlyofficeInvoice,
    OnlyofficeItem,
    OnlyofficeTax,
)
from mappings.perfex import PerfexInvoice, TaxSpec
from mappings.problems import MappingProblem
from mappings.settings import MappingSettings
from mappings.status import ARCHIVED, DRAFT, PAID, REJECTED, SENT, PerfexStatus
from mappings.to_perfex import (
    PerfexNeeds,
    PerfexRefs,
    PerfexTarget,
    onlyoffice_to_perfex,
    perfex_customer_form,
    perfex_needs,
)

D = Decimal
VAT21 = TaxSpec("VAT", D("21"))
REFS = PerfexRefs(clientid="7", billing=BILLING)


def onlyoffice(**changes) -> OnlyofficeInvoice:
    return OnlyofficeInvoice.from_api(onlyoffice_raw(**changes))


def translate(
    invoice: OnlyofficeInvoice,
    current: PerfexInvoice | None = None,
    settings: MappingSettings = SETTINGS,
    refs: PerfexRefs = REFS,
    taxes: dict[int, OnlyofficeTax] = ONLYOFFICE_TAXES,
):
    needs = perfex_needs(invoice, taxes)
    assert isinstance(needs, PerfexNeeds), needs
    return onlyoffice_to_perfex(invoice, needs, refs, settings, current)


def target(invoice: OnlyofficeInvoice, **kwargs) -> PerfexTarget:
    result = translate(invoice, **kwargs)
    assert isinstance(result, PerfexTarget), result
    return result


def test_create_form_pairs_use_php_bracket_keys() -> None:
    result = target(onlyoffice())
    assert result.create_form == [
        ("clientid", "7"),
        ("number", "42"),
        ("date", "2024-05-01"),
        ("duedate", "2024-05-31"),
        ("currency", "1"),
        ("billing_street", "Main Street 1"),
        ("billing_city", "Berlin"),
        ("billing_state", ""),
        ("billing_zip", "10115"),
        ("subtotal", "1000.00"),
        ("total", "1210.00"),
        ("discount_type", ""),
        ("discount_percent", "0.00"),
        ("discount_total", "0.00"),
        ("adjustment", "0.00"),
        ("terms", "Payment within 30 days"),
        ("clientnote", "Synced from Perfex #123"),
        ("status", "6"),
        ("allowed_payment_modes[]", "1"),
        ("newitems[1][description]", "Consulting"),
        ("newitems[1][long_description]", ""),
        ("newitems[1][qty]", "10.00"),
        ("newitems[1][rate]", "100.00"),
        ("newitems[1][unit]", ""),
        ("newitems[1][order]", "1"),
        ("newitems[1][taxname][]", "VAT|21.00"),
    ]
    keys = {key for key, _ in result.create_form}
    assert not keys & {"items", "removed_items", "prefix"}
    assert result.warnings == ()


def test_desired_invoice_carries_what_the_server_will_compute() -> None:
    desired = target(onlyoffice()).invoice
    assert (desired.number, desired.prefix, desired.currency_id) == (42, "INV-", "1")
    assert (desired.subtotal, desired.total_tax, desired.total) == (D("1000"), D("210"), D("1210"))
    assert desired.lines is not None and desired.lines[0].taxes == (VAT21,)


def test_update_body_replaces_every_line() -> None:
    current = perfex_invoice(
        adminnote="Called on 3 May", allowed_payment_modes='a:1:{i:0;s:1:"2";}'
    )
    result = target(onlyoffice(), current=current)
    body = result.update_body
    assert body["items"] == []
    assert body["removed_items"] == ["311"]
    assert body["newitems"] == {
        "1": {
            "description": "Consulting",
            "long_description": "",
            "qty": "10.00",
            "rate": "100.00",
            "unit": "h",  # kept from the current line it continues: ONLYOFFICE has no units
            "order": "1",
            "taxname": ["VAT|21.00"],
        }
    }
    assert body["allowed_payment_modes"] == ["2"]
    assert (body["number"], body["prefix"], body["subtotal"], body["total"]) == (
        "42",
        "INV-",
        "1000.00",
        "1210.00",
    )
    assert "adminnote" not in body  # omitted: Perfex keeps it
    assert result.invoice.id == "58" and result.invoice.adminnote == "Called on 3 May"


def test_update_needs_the_current_lines() -> None:
    problem = translate(onlyoffice(), current=perfex_invoice(items=None))
    assert isinstance(problem, MappingProblem) and problem.field == "items"


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        pytest.param({"number": "PROFORMA"}, "number", "'PROFORMA' has no digits", id="no-digits"),
        pytest.param(
            {"currency": {"abbreviation": "GBP"}}, "currency", "[perfex].currencies", id="currency"
        ),
        pytest.param(
            {"invoiceLines": [onlyoffice_line_raw(price=0)]}, "total", "above zero", id="zero"
        ),
        pytest.param(
            {"invoiceLines": [onlyoffice_line_raw(discount=100)]},
            "total",
            "cannot be created there",
            id="all-discounted",
        ),
    ],
)
def test_refusals(changes: dict, field: str, text: str) -> None:
    problem = translate(onlyoffice(**changes))
    assert isinstance(problem, MappingProblem)
    assert problem.field == field and text in problem.message


def test_common_line_discount_becomes_the_invoice_discount() -> None:
    lines = [onlyoffice_line_raw(discount=10), onlyoffice_line_raw(discount=10, price=50)]
    desired = target(onlyoffice(invoiceLines=lines)).invoice
    assert (desired.discount_type, desired.discount_percent) == ("before_tax", D("10"))
    # 1500 − 150 discount; tax 315 less 10 % = 283.50
    assert (desired.subtotal, desired.discount_total) == (D("1500"), D("150"))
    assert (desired.total_tax, desired.total) == (D("283.50"), D("1633.50"))


def one_cent_invoice() -> OnlyofficeInvoice:
    """Three lines of 10.05 at 5 %: ONLYOFFICE rounds each line's tax (0.5025 → 0.50, three
    times: 31.65), Perfex's UI sums them (1.5075 → 31.66)."""
    line = onlyoffice_line_raw(quantity=1, price=10.05, invoiceTax1ID=5)
    return onlyoffice(invoiceLines=[line, line, line])


FIVE_PERCENT = {5: OnlyofficeTax(5, "VAT", D("5"))}


def test_a_rounding_cent_is_a_warning_by_default() -> None:
    warned = target(one_cent_invoice(), taxes=FIVE_PERCENT)
    assert (warned.invoice.total, warned.invoice.discount_type) == (D("31.66"), "")
    assert [str(w) for w in warned.warnings] == [
        "total: Perfex totals 31.66 EUR where ONLYOFFICE shows 31.65 EUR "
        "(ONLYOFFICE rounds tax per line)"
    ]
    assert warned.warnings[0] == Difference(
        "total",
        D("31.65"),
        D("31.66"),
        "ONLYOFFICE rounds tax per line",
        D("0.01"),
        "EUR",
        "ONLYOFFICE",
        "Perfex",
    )


def test_a_rounding_cent_is_refused_when_money_must_match() -> None:
    strict = replace(SETTINGS, money_mismatch="fail")
    problem = translate(one_cent_invoice(), taxes=FIVE_PERCENT, settings=strict)
    assert isinstance(problem, MappingProblem) and problem.field == "total"
    assert problem.message.startswith("Perfex totals 31.66 EUR where ONLYOFFICE shows 31.65 EUR")
    assert 'refused because [mapping].money_mismatch = "fail"' in problem.message
    # Given the settings, the needs refuse it already: before a customer is resolved.
    assert perfex_needs(one_cent_invoice(), FIVE_PERCENT, None, strict) == problem


def test_the_needs_decide_the_money_once_when_given_the_settings() -> None:
    needs = perfex_needs(onlyoffice(invoiceLines=MIXED), ONLYOFFICE_TAXES, None, SETTINGS)
    assert isinstance(needs, PerfexNeeds) and needs.money is not None
    result = onlyoffice_to_perfex(onlyoffice(invoiceLines=MIXED), needs, REFS, SETTINGS, None)
    assert isinstance(result, PerfexTarget)
    assert result.invoice.total == needs.money.totals.total
    zero = perfex_needs(
        onlyoffice(invoiceLines=[onlyoffice_line_raw(price=0)]), ONLYOFFICE_TAXES, None, SETTINGS
    )
    assert isinstance(zero, MappingProblem) and "above zero" in zero.message


MIXED = [
    onlyoffice_line_raw(discount=5, price=100),
    onlyoffice_line_raw(invoiceItemID=4, description="Travel", discount=12.5, price=33.33),
]


def test_different_line_discounts_become_the_fixed_discount_that_lands_on_the_cost() -> None:
    invoice = onlyoffice(invoiceLines=MIXED)
    assert invoice.lines is not None
    cost = onlyoffice_cost(invoice.lines, {1: D("21")})
    result = target(invoice)
    desired = result.invoice
    assert (desired.discount_type, desired.discount_percent) == ("before_tax", D("0"))
    assert desired.total == cost and result.warnings == ()
    # 1000 × 5 % + 333.30 × 12.5 % = 91.66 of discount on the lines themselves.
    assert abs(desired.discount_total - D("91.66")) <= D("0.05")
    assert ("discount_total", f"{desired.discount_total:f}") in result.create_form


def test_different_line_discounts_no_fixed_amount_lands_on_are_the_closest_with_a_warning():
    # Two lines of 1.00 at 50 %, one 3 % off: ONLYOFFICE 1.50 + 1.45 = 2.95. Perfex's total is
    # 3.00 × (1 − F / 2.00): F = 0.03 gives 2.955 → 2.96, F = 0.04 gives 2.94.
    taxes = {1: OnlyofficeTax(1, "Half", D("50"))}
    lines = [
        onlyoffice_line_raw(quantity=1, price=1, discount=0),
        onlyoffice_line_raw(quantity=1, price=1, discount=3),
    ]
    result = target(onlyoffice(invoiceLines=lines), taxes=taxes)
    assert (result.invoice.discount_total, result.invoice.total) == (D("0.03"), D("2.96"))
    assert [str(w) for w in result.warnings] == [
        "total: Perfex totals 2.96 EUR where ONLYOFFICE shows 2.95 EUR "
        "(no fixed discount lands on it)"
    ]


def test_a_discount_under_a_cent_is_dropped_with_a_warning() -> None:
    lines = [onlyoffice_line_raw(quantity=1, price=0.4, discount=1)]  # 0.004 off
    result = target(onlyoffice(invoiceLines=lines))
    assert (result.invoice.discount_type, result.invoice.discount_percent) == ("", D("0"))
    assert str(result.warnings[0]) == (
        "discount: Perfex shows no discount where ONLYOFFICE shows 1.00% on every line "
        "(under a cent, which Perfex does not keep)"
    )


@pytest.mark.parametrize(
    ("onlyoffice_status", "current_status", "perfex_status", "warned"),
    [
        pytest.param(DRAFT, None, 6, False, id="draft"),
        pytest.param(SENT, None, 1, False, id="sent"),
        pytest.param(REJECTED, None, 5, False, id="rejected"),
        pytest.param(PAID, None, 1, True, id="paid-is-never-faked"),
        pytest.param(ARCHIVED, None, 1, True, id="archived"),
        pytest.param(PAID, "2", 2, False, id="already-paid-in-perfex"),
        pytest.param(SENT, "3", 3, False, id="partial-payment-kept"),
        pytest.param(SENT, "4", 4, False, id="overdue-kept"),
        pytest.param(REJECTED, "2", 5, False, id="cancel-a-paid-one"),
    ],
)
def test_status(onlyoffice_status, current_status, perfex_status, warned) -> None:
    current = perfex_invoice(status=current_status) if current_status else None
    result = target(onlyoffice(status={"id": onlyoffice_status}), current=current)
    assert result.invoice.status == perfex_status
    assert ("status", str(perfex_status)) in result.create_form
    assert bool(result.warnings) == warned
    if onlyoffice_status == PAID and warned:
        assert str(result.warnings[0]) == (
            "status: Perfex shows Unpaid where ONLYOFFICE shows Paid (Perfex marks invoices "
            "paid only from recorded payments: record the payment in Perfex)"
        )


@pytest.mark.parametrize(
    ("billing", "street"),
    [
        pytest.param(BILLING, "Main Street 1", id="contact-billing-address"),
        pytest.param(None, "Not provided", id="default"),
        pytest.param(Address(" ", "Berlin", "", "", ""), "Not provided", id="blank-street"),
    ],
)
def test_billing_street_is_never_empty(billing: Address | None, street: str) -> None:
    result = target(onlyoffice(), refs=PerfexRefs("7", billing))
    assert ("billing_street", street) in result.create_form


def test_needs_take_exact_taxes_and_split_descriptions() -> None:
    lines = [
        onlyoffice_line_raw(description="Consulting\nMay, on site\nTeam of 2", invoiceTax2ID=2),
        onlyoffice_line_raw(description="", invoiceItemID=4, invoiceTax1ID=0),
    ]
    taxes = {**ONLYOFFICE_TAXES, 2: OnlyofficeTax(2, "City tax", D("1.5"))}
    items = {4: OnlyofficeItem(4, "Travel", D("1"), 0, 0)}
    needs = perfex_needs(onlyoffice(invoiceLines=lines), taxes, items)
    assert isinstance(needs, PerfexNeeds)
    first, second = needs.lines
    assert (first.description, first.long_description) == ("Consulting", "May, on site\nTeam of 2")
    assert first.taxes == (VAT21, TaxSpec("City tax", D("1.50")))
    assert (second.description, second.taxes, second.item_order) == ("Travel", (), 2)
    assert needs.contact_id == 10 and dict(needs.tax_rates) == {1: D("21"), 2: D("1.5")}


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        pytest.param({"invoiceLines": [onlyoffice_line_raw(invoiceTax1ID=9)]}, "unknown", id="tax"),
        pytest.param({"contact": None}, "no contact", id="contact"),
        pytest.param({"invoiceLines": None}, "not read", id="filter-row"),
        pytest.param({"invoiceLines": [onlyoffice_line_raw(description="")]}, "no desc", id="text"),
    ],
)
def test_needs_refusals(changes: dict, text: str) -> None:
    problem = perfex_needs(onlyoffice(**changes), ONLYOFFICE_TAXES)
    assert isinstance(problem, MappingProblem) and text in problem.message


def test_customer_form() -> None:
    contact = OnlyofficeContact(10, "Acme Ltd", True, ("billing@acme.example",), BILLING)
    assert perfex_customer_form(contact) == [
        ("company", "Acme Ltd"),
        ("billing_street", "Main Street 1"),
        ("billing_city", "Berlin"),
        ("billing_state", ""),
        ("billing_zip", "10115"),
    ]


def test_paid_mapped_to_unpaid_by_the_table_still_warns() -> None:
    # The shipped configuration maps Paid to unpaid; the warning must survive that table.
    settings = replace(SETTINGS, onlyoffice_to_perfex_status={PAID: PerfexStatus.UNPAID})
    result = target(onlyoffice(status={"id": PAID}), settings=settings)
    assert result.invoice.status == PerfexStatus.UNPAID
    assert "record the payment in Perfex" in str(result.warnings[0])
