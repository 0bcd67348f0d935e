"""Perfex → ONLYOFFICE: the desired invoice and the exact JSON bodies that write it.

Owns the field rules of shared/DESIGN.md's mapping table in this direction: number pattern,
contact and billing address ids, lines on the resolved products and taxes, dates, currency,
discounts as per-line percentages, status, and the money check that compares ONLYOFFICE's own
cost formula (shared/contracts/onlyoffice-api.md 4.3) with Perfex's `total`. What must exist
first (products, taxes, the customer) is worked out in `onlyoffice_needs.py`.

Must not: look anything up on either side. The engine resolves `OnlyofficeNeeds` into
`OnlyofficeRefs` (ledger, then natural key on the target, then create) and writes the payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from mappings.money import (
    AFTER_TAX,
    BEFORE_TAX,
    CENT,
    HUNDRED,
    MISMATCH_HINT,
    ZERO,
    format_money,
    onlyoffice_cost,
    round_half_up,
)
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeLine
from mappings.onlyoffice_needs import (
    OnlyofficeNeeds,
    ProductSpec,
    onlyoffice_billing_address,
    onlyoffice_company_payload,
    onlyoffice_item_payload,
    onlyoffice_needs,
    onlyoffice_tax_payload,
)
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec
from mappings.problems import MappingProblem
from mappings.settings import MappingSettings

# The needs and dependency payloads live in onlyoffice_needs.py; they are part of this API.
__all__ = [
    "OnlyofficeNeeds",
    "OnlyofficeRefs",
    "OnlyofficeTarget",
    "ProductSpec",
    "onlyoffice_billing_address",
    "onlyoffice_company_payload",
    "onlyoffice_item_payload",
    "onlyoffice_line_text",
    "onlyoffice_needs",
    "onlyoffice_tax_payload",
    "perfex_to_onlyoffice",
]


@dataclass(frozen=True, slots=True)
class OnlyofficeRefs:
    """The ONLYOFFICE ids the engine resolved for `OnlyofficeNeeds`."""

    contact_id: int
    billing_address_id: int | None
    item_ids: Mapping[str, int]  # product title → item id
    tax_ids: Mapping[TaxSpec, int]


@dataclass(frozen=True, slots=True)
class OnlyofficeTarget:
    """The desired ONLYOFFICE invoice and the exact JSON bodies that produce it.

    Creates always land as Draft and PUT never changes status (contract 3.3, 3.4): the engine
    moves to `status` afterwards with `status.status_path`.
    """

    invoice: OnlyofficeInvoice
    create_payload: dict[str, Any]
    update_payload: dict[str, Any]
    status: int
    warnings: tuple[str, ...]


def perfex_to_onlyoffice(
    invoice: PerfexInvoice,
    needs: OnlyofficeNeeds,
    refs: OnlyofficeRefs,
    settings: MappingSettings,
) -> OnlyofficeTarget | MappingProblem:
    """The ONLYOFFICE invoice that says what this Perfex invoice says, or why it cannot."""
    wanted = settings.perfex_to_onlyoffice_status.get(invoice.status)
    if wanted is None:
        return MappingProblem(
            "status", f"Perfex status {invoice.status} is not in the status table"
        )
    status = int(wanted)
    currency = _currency_code(invoice, settings)
    if isinstance(currency, MappingProblem):
        return currency
    discount = _line_discount(invoice)
    if isinstance(discount, MappingProblem):
        return discount
    lines = _lines(invoice, needs, refs, discount)
    if isinstance(lines, MappingProblem):
        return lines
    desired = _desired(invoice, settings, refs, status, currency, lines)
    money = _money_check(invoice, needs, refs, lines, currency, settings)
    if isinstance(money, MappingProblem):
        return money
    create = _payload(desired, refs.billing_address_id)
    update = {key: value for key, value in create.items() if key != "number"}
    return OnlyofficeTarget(desired, create, update, status, money)


def _currency_code(invoice: PerfexInvoice, settings: MappingSettings) -> str | MappingProblem:
    if invoice.currency_code:
        return invoice.currency_code
    # Search rows carry no currency columns (contract 2.4); the configured map still knows.
    for code, currency_id in settings.perfex_currency_ids.items():
        if currency_id == invoice.currency_id:
            return code
    return MappingProblem(
        "currency",
        f"Perfex currency id {invoice.currency_id} has no ISO code; add it to [perfex].currencies",
    )


def _line_discount(invoice: PerfexInvoice) -> Decimal | MappingProblem:
    """Perfex's invoice-level discount as one percent for every ONLYOFFICE line.

    A percent taken before or after tax is the same fraction of the total (taxes are linear);
    a fixed amount is carried only when it is an exact two-decimal percent of its base.
    """
    if invoice.discount_type not in (BEFORE_TAX, AFTER_TAX):
        return ZERO
    if invoice.discount_percent != ZERO:
        return _percent_in_range(invoice.discount_percent, "discount_percent")
    if invoice.discount_total != ZERO:
        return _fixed_as_percent(invoice)
    return ZERO


def _percent_in_range(percent: Decimal, field: str) -> Decimal | MappingProblem:
    if ZERO <= percent <= HUNDRED:
        return percent
    return MappingProblem(field, f"a discount of {percent}% cannot be carried to ONLYOFFICE")


def _fixed_as_percent(invoice: PerfexInvoice) -> Decimal | MappingProblem:
    base = invoice.subtotal
    if invoice.discount_type == AFTER_TAX:
        base += invoice.total_tax
    amount = format_money(invoice.discount_total)
    if base <= ZERO:
        return MappingProblem("discount_total", f"a fixed discount of {amount} on a zero base")
    percent = invoice.discount_total / base * HUNDRED
    if percent != percent.quantize(CENT):
        shown = f"{percent.quantize(Decimal('0.0001'))}"
        return MappingProblem(
            "discount_total",
            f"the fixed discount of {amount} is {shown}% of the invoice, and ONLYOFFICE only "
            "holds per-line percentages with two decimals",
        )
    return _percent_in_range(percent.quantize(CENT), "discount_total")


def _lines(
    invoice: PerfexInvoice, needs: OnlyofficeNeeds, refs: OnlyofficeRefs, discount: Decimal
) -> tuple[OnlyofficeLine, ...] | MappingProblem:
    if invoice.lines is None:
        return MappingProblem("items", "the invoice's lines could not be read from Perfex")
    lines: list[OnlyofficeLine] = []
    for line, taxes in zip(invoice.lines, needs.line_taxes, strict=True):
        item_id = refs.item_ids.get(line.description.strip())
        tax_ids = [refs.tax_ids.get(tax) for tax in taxes]
        if item_id is None or None in tax_ids:
            return MappingProblem(
                "items", f"no ONLYOFFICE product or tax resolved for {line.description!r}"
            )
        padded = [*(tax_id for tax_id in tax_ids if tax_id is not None), 0, 0]
        lines.append(
            OnlyofficeLine(
                item_id=item_id,
                tax1_id=padded[0],
                tax2_id=padded[1],
                description=onlyoffice_line_text(line),
                quantity=round_half_up(line.qty),
                price=round_half_up(line.rate),
                discount=discount,
            )
        )
    return tuple(lines)


def onlyoffice_line_text(line: PerfexLine) -> str:
    """Perfex's description, then its long description on the following lines.

    ONLYOFFICE lines have one text; `to_perfex` splits it again at the first newline.
    """
    if not line.long_description:
        return line.description
    return f"{line.description}\n{line.long_description}"


def _desired(
    invoice: PerfexInvoice,
    settings: MappingSettings,
    refs: OnlyofficeRefs,
    status: int,
    currency: str,
    lines: tuple[OnlyofficeLine, ...],
) -> OnlyofficeInvoice:
    due = invoice.duedate or invoice.date + timedelta(days=settings.default_due_days)
    return OnlyofficeInvoice(
        id=None,
        number=invoice.display_number(settings.number_format),
        status=status,
        issue_date=invoice.date,
        due_date=due,
        contact_id=refs.contact_id,
        consignee_id=0,
        currency=currency,
        exchange_rate=Decimal("1.00"),
        language=settings.language,
        purchase_order_number="",
        # ONLYOFFICE requires terms (contract 3.3); Perfex often has none.
        terms=invoice.terms if invoice.terms.strip() else settings.default_terms,
        description=invoice.clientnote,
        cost=None,
        lines=lines,
    )


def _money_check(
    invoice: PerfexInvoice,
    needs: OnlyofficeNeeds,
    refs: OnlyofficeRefs,
    lines: tuple[OnlyofficeLine, ...],
    currency: str,
    settings: MappingSettings,
) -> tuple[str, ...] | MappingProblem:
    """Compare ONLYOFFICE's cost of the desired lines with Perfex's total, to the cent."""
    rates = {refs.tax_ids[tax]: tax.rate for tax in needs.taxes}
    cost = onlyoffice_cost(lines, rates)
    findings: list[tuple[str, str]] = []
    if invoice.adjustment != ZERO:
        findings.append(
            (
                "adjustment",
                f"the adjustment of {format_money(invoice.adjustment)} {currency} has "
                "no ONLYOFFICE counterpart",
            )
        )
    if cost != invoice.total:
        findings.append(
            (
                "total",
                f"ONLYOFFICE would total {format_money(cost)} {currency} where Perfex shows "
                f"{format_money(invoice.total)} {currency}",
            )
        )
    if findings and settings.money_mismatch == "fail":
        return MappingProblem(
            findings[0][0], "; ".join(message for _, message in findings) + MISMATCH_HINT
        )
    return tuple(message for _, message in findings)


def _payload(invoice: OnlyofficeInvoice, billing_address_id: int | None) -> dict[str, Any]:
    """The JSON body of `POST invoice` (contract 3.3) with the key spellings of 2.6.

    Money goes out as strings with a dot ("90.00"): ONLYOFFICE binds JSON numbers and numeric
    strings alike through its invariant-culture converters (contract 2.6), and a string keeps
    the Decimal exact where a JSON number would pass through a float. Dates are date-only,
    which the server reads in the portal's zone: the same calendar date (contract 2.4).
    """
    body: dict[str, Any] = {
        "number": invoice.number,
        "issueDate": invoice.issue_date.isoformat(),
        "dueDate": invoice.due_date.isoformat(),
        "contactId": invoice.contact_id,
        "consigneeId": invoice.consignee_id,
        "language": invoice.language,
        "currency": invoice.currency,
        "exchangeRate": format_money(invoice.exchange_rate),
        "purchaseOrderNumber": invoice.purchase_order_number,
        "terms": invoice.terms,
        "description": invoice.description,
        "invoiceLines": [_line_payload(line) for line in invoice.lines or ()],
    }
    if billing_address_id is not None:
        body["billingAddressID"] = billing_address_id
    return body


def _line_payload(line: OnlyofficeLine) -> dict[str, Any]:
    # Line keys are matched case-sensitively: "invoiceItemId" would silently become 0 (2.6).
    return {
        "invoiceItemID": line.item_id,
        "invoiceTax1ID": line.tax1_id,
        "invoiceTax2ID": line.tax2_id,
        "description": line.description,
        "quantity": format_money(line.quantity),
        "price": format_money(line.price),
        "discount": format_money(line.discount),
    }
