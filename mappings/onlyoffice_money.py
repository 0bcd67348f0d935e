"""Perfex → ONLYOFFICE money: Perfex's discount and adjustment as line percentages, and
the check of what ONLYOFFICE will make of them.

Owns the ISO code of a Perfex invoice's currency, the per-line percentages that carry
Perfex's invoice discount (percent or fixed, before or after tax) and adjustment so that
ONLYOFFICE's own cost formula (ONLYOFFICE API notes 4.3) lands on Perfex's `total` (see
`discounts.py`), and the differences from Perfex's `total` and `total_tax` that remain, each
with its reason. `onlyoffice_needs` works this out before anything is written, so that the
strict policy can refuse an invoice before its products or taxes are created.

Must not: know ids or payloads, or touch quantities, prices or texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from mappings.differences import Difference, money_difference
from mappings.discounts import CostLine, DiscountFit, fit_line_discounts, uniform_discounts
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
from mappings.perfex import PerfexInvoice, PerfexLine
from mappings.problems import MappingProblem
from mappings.settings import MappingSettings
from mappings.tax_evidence import LineTaxes


@dataclass(frozen=True, slots=True)
class OnlyofficeMoney:
    """The percentage for each line, and how ONLYOFFICE's totals differ from Perfex's."""

    discounts: tuple[Decimal, ...]
    cost: Decimal  # ONLYOFFICE's cost of the lines with these percentages
    differences: tuple[Difference, ...]


def onlyoffice_money(
    invoice: PerfexInvoice, line_taxes: LineTaxes, currency: str
) -> OnlyofficeMoney:
    """Percentages that land on Perfex's total (or come closest), and what still differs."""
    fit, searched = _discounts(invoice, line_taxes)
    differences = _money_differences(invoice, line_taxes, fit, searched, currency)
    return OnlyofficeMoney(fit.percents, fit.cost, differences)


def perfex_currency_code(invoice: PerfexInvoice, settings: MappingSettings) -> str | MappingProblem:
    """The ISO code of the invoice's currency."""
    if invoice.currency_code:
        return invoice.currency_code
    # Search rows carry no currency columns (API notes 2.4); the configured map still knows.
    for code, currency_id in settings.perfex_currency_ids.items():
        if currency_id == invoice.currency_id:
            return code
    return MappingProblem(
        "currency",
        f"Perfex currency id {invoice.currency_id} has no ISO code; add it to [perfex].currencies",
    )


def _discounts(invoice: PerfexInvoice, line_taxes: LineTaxes) -> tuple[DiscountFit, bool]:
    """Per-line percentages for Perfex's discount and adjustment, and whether they were
    searched (see `discounts.py`).

    A percent discount starts from that percent on every line; a fixed one, or any
    adjustment, from the ideal percentage. A positive adjustment can only shrink an existing
    discount. An invoice with neither discount nor negative adjustment gets no discount.
    Under a before-tax discount the lines' taxes are steered onto Perfex's `total_tax` too.
    """
    lines = _cost_lines(invoice.lines or (), line_taxes)
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


def _cost_lines(lines: Sequence[PerfexLine], line_taxes: LineTaxes) -> list[CostLine]:
    return [
        CostLine(
            quantity=round_half_up(line.qty),
            price=round_half_up(line.rate),
            rates=tuple(tax.rate for tax in taxes),
        )
        for line, taxes in zip(lines, line_taxes, strict=True)
    ]


def _money_differences(
    invoice: PerfexInvoice,
    line_taxes: LineTaxes,
    fit: DiscountFit,
    searched: bool,
    currency: str,
) -> tuple[Difference, ...]:
    """ONLYOFFICE's cost and taxes of the desired lines against Perfex's `total` and
    `total_tax`. The tax is reported on its own when the total agrees, or differs by
    another amount (an after-tax discount, a cent moved between net and tax)."""
    found = []
    if fit.cost != invoice.total:
        reason = _total_reason(invoice, line_taxes, fit, searched)
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
    invoice: PerfexInvoice, line_taxes: LineTaxes, fit: DiscountFit, searched: bool
) -> str:
    lines = [
        replace(line, taxes=taxes)
        for line, taxes in zip(invoice.lines or (), line_taxes, strict=True)
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
