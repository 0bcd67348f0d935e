"""Perfex → ONLYOFFICE: the desired invoice and the exact JSON bodies that write it.

Owns the field rules of the mapping table in this direction: number pattern, contact and
billing address ids, lines on the resolved products and taxes, dates, currency, Perfex's
invoice discount and adjustment as per-line percentages (chosen by `discounts.py` to land on
Perfex's total), status, and the money check that compares ONLYOFFICE's own cost formula
(ONLYOFFICE API notes 4.3) with Perfex's `total` and `total_tax`: what differs becomes a
warning, or a refusal under `money_mismatch = "fail"`. What must exist first (products,
taxes, the customer) is worked out in `onlyoffice_needs.py`.

Must not: look anything up on either side. The engine resolves `OnlyofficeNeeds` into
`OnlyofficeRefs` (ledger, then natural key on the target, then create) and writes the payloads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from mappings.differences import Difference, money_difference, strict_refusal
from mappings.discounts import (
    CostLine,
    DiscountFit,
    fit_line_discounts,
    uniform_discounts,
)
from mappings.money import (
    AFTER_TAX,
    BEFORE_TAX,
    ZERO,
    format_money,
    perfex_server_total_tax,
    perfex_ui_totals,
    round_half_even,
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
    warnings: tuple[Difference, ...]  # every way ONLYOFFICE does not hold the invoice exactly


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
    if invoice.lines is None:
        return MappingProblem("items", "the invoice's lines could not be read from Perfex")
    fit, searched = _discounts(invoice, needs)
    lines = _lines(invoice, needs, refs, fit.percents)
    if isinstance(lines, MappingProblem):
        return lines
    desired = _desired(invoice, settings, refs, status, currency, lines)
    differences = _money_differences(invoice, needs, fit, searched, currency)
    if differences and settings.money_mismatch == "fail":
        return strict_refusal(differences, "money_mismatch")
    create = _payload(desired, refs.billing_address_id)
    update = {key: value for key, value in create.items() if key != "number"}
    return OnlyofficeTarget(desired, create, update, status, (*needs.warnings, *differences))


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


def _discounts(invoice: PerfexInvoice, needs: OnlyofficeNeeds) -> tuple[DiscountFit, bool]:
    """Per-line percentages for Perfex's discount and adjustment, and whether they were
    searched (see `discounts.py`).

    A percent discount starts from that percent on every line; a fixed one, or any
    adjustment, from the ideal percentage. A positive adjustment can only shrink an existing
    discount. An invoice with neither discount nor negative adjustment gets no discount.
    Under a before-tax discount the lines' taxes are steered onto Perfex's `total_tax` too.
    """
    lines = _cost_lines(invoice.lines or (), needs)
    discounted = invoice.discount_type in (BEFORE_TAX, AFTER_TAX) and (
        invoice.discount_percent != ZERO or invoice.discount_total != ZERO
    )
    # Only a before-tax discount leaves Perfex's tax where ONLYOFFICE's line discounts can
    # meet it: an after-tax discount or an adjustment does not lower Perfex's tax at all.
    same_tax = invoice.discount_type == BEFORE_TAX and invoice.adjustment == ZERO
    tax = invoice.total_tax if same_tax else None
    if discounted and invoice.discount_percent != ZERO and invoice.adjustment == ZERO:
        start = invoice.discount_percent
        return fit_line_discounts(lines, invoice.total, start=start, tax_target=tax), True
    if discounted or invoice.adjustment < ZERO:
        return fit_line_discounts(lines, invoice.total, tax_target=tax), True
    return uniform_discounts(lines, ZERO, invoice.total), False


def _cost_lines(lines: Sequence[PerfexLine], needs: OnlyofficeNeeds) -> list[CostLine]:
    return [
        CostLine(
            quantity=round_half_up(line.qty),
            price=round_half_up(line.rate),
            rates=tuple(tax.rate for tax in taxes),
        )
        for line, taxes in zip(lines, needs.line_taxes, strict=True)
    ]


def _money_differences(
    invoice: PerfexInvoice,
    needs: OnlyofficeNeeds,
    fit: DiscountFit,
    searched: bool,
    currency: str,
) -> tuple[Difference, ...]:
    """ONLYOFFICE's cost and taxes of the desired lines against Perfex's `total` and
    `total_tax`. The tax is reported on its own when the total agrees, or differs by
    another amount (an after-tax discount, a cent moved between net and tax)."""
    found = []
    if fit.cost != invoice.total:
        reason = _total_reason(invoice, needs, fit, searched)
        found.append(money_difference("total", invoice.total, fit.cost, reason, currency))
    tax_gap = fit.tax - invoice.total_tax
    if tax_gap != ZERO and tax_gap != fit.cost - invoice.total:
        reason = _tax_reason(invoice, fit)
        found.append(money_difference("total_tax", invoice.total_tax, fit.tax, reason, currency))
    return tuple(found)


def _tax_reason(invoice: PerfexInvoice, fit: DiscountFit) -> str:
    """Why ONLYOFFICE's taxes differ: its line discounts always lower the taxed amount,
    where Perfex's after-tax discount and its adjustment leave the tax as it is."""
    if any(fit.percents) and invoice.adjustment != ZERO:
        return "the adjustment became line discounts, which lower the tax too"
    if any(fit.percents) and invoice.discount_type == AFTER_TAX:
        return "ONLYOFFICE discounts before tax"
    return "tax rounded per line"


def _total_reason(
    invoice: PerfexInvoice, needs: OnlyofficeNeeds, fit: DiscountFit, searched: bool
) -> str:
    lines = [
        replace(line, taxes=taxes)
        for line, taxes in zip(invoice.lines or (), needs.line_taxes, strict=True)
    ]
    own = perfex_ui_totals(
        lines,
        invoice.discount_type,
        invoice.discount_percent,
        invoice.discount_total,
        invoice.adjustment,
    ).total
    if own != invoice.total:
        server_tax = perfex_server_total_tax(
            lines,
            invoice.discount_type,
            invoice.discount_percent,
            invoice.discount_total,
            invoice.subtotal,
        )
        if server_tax != invoice.total_tax:
            return "the line taxes are the closest guess: no mix of known taxes gives its totals"
        # Someone posted a total Perfex's own formula does not give (its API stores totals as
        # posted, Perfex API notes 2.5): no representation can be blamed for that.
        return f"Perfex's own formula gives {format_money(own)} for its lines"
    if invoice.adjustment > ZERO and fit.cost < invoice.total and not any(fit.percents):
        return f"ONLYOFFICE has no adjustment: {format_money(invoice.adjustment)} not carried"
    if searched:
        return "no two-decimal line discounts reach it"
    amounts = [line.qty * line.rate for line in invoice.lines or ()]
    if any(round_half_even(amount) != round_half_up(amount) for amount in amounts):
        return "line amounts rounded half to even"
    return "tax rounded per line"


def _lines(
    invoice: PerfexInvoice,
    needs: OnlyofficeNeeds,
    refs: OnlyofficeRefs,
    discounts: Sequence[Decimal],
) -> tuple[OnlyofficeLine, ...] | MappingProblem:
    lines: list[OnlyofficeLine] = []
    rows = zip(invoice.lines or (), needs.line_taxes, discounts, strict=True)
    for line, taxes, discount in rows:
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
