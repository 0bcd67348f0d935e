"""ONLYOFFICE → Perfex money: the line discounts as Perfex's one discount, and the check.

Owns Perfex's totals for the wanted lines (the UI formula, Perfex API notes 5.2, which the
writer must post) with ONLYOFFICE's line discounts carried as one invoice discount: a
percentage common to every line as a percent before tax, different ones as the fixed amount
before tax that lands on ONLYOFFICE's cost (`discounts.perfex_fixed_discount`); then the
comparison with ONLYOFFICE's own cost and taxes (ONLYOFFICE notes 4.3), every difference a
warning, or a refusal under `money_mismatch = "fail"`. A total of zero or less is always a
refusal: Perfex's API accepts only totals above zero (2.5).

Must not: decide anything but money, or post values the Perfex server would not store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from mappings.differences import ONLYOFFICE, PERFEX, Difference, money_difference, strict_refusal
from mappings.discounts import CostLine, onlyoffice_pricing, perfex_fixed_discount
from mappings.money import (
    BEFORE_TAX,
    ZERO,
    PerfexTotals,
    format_money,
    perfex_server_total_tax,
    perfex_ui_totals,
)
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.perfex import PerfexLine
from mappings.problems import MappingProblem
from mappings.settings import MappingSettings


@dataclass(frozen=True, slots=True)
class PerfexMoney:
    totals: PerfexTotals
    discount_type: str
    discount: Decimal  # the percent; 0 for a fixed discount (its amount is in totals)
    warnings: tuple[Difference, ...]


def perfex_money(
    invoice: OnlyofficeInvoice,
    lines: Sequence[PerfexLine],
    discounts: Sequence[Decimal],
    tax_rates: Mapping[int, Decimal],
    settings: MappingSettings,
) -> PerfexMoney | MappingProblem:
    """Perfex totals for the wanted `lines` (ONLYOFFICE's line `discounts` carried as one
    discount), and the check against ONLYOFFICE's own cost (`tax_rates` by tax id)."""
    onlyoffice = onlyoffice_pricing(_cost_lines(invoice, tax_rates), discounts)
    if len(set(discounts)) > 1:
        money = _fixed_discount(lines, onlyoffice.cost)
    else:
        money = _percent_discount(lines, discounts)
    totals = money.totals
    if totals.subtotal <= ZERO or totals.total <= ZERO:
        return MappingProblem(
            "total",
            f"the invoice totals {format_money(onlyoffice.cost)} {invoice.currency}; Perfex "
            "accepts only invoices whose totals are above zero, so it cannot be created there",
        )
    differences = _money_differences(
        invoice, lines, discounts, money, onlyoffice.cost, onlyoffice.tax
    )
    if differences and settings.money_mismatch == "fail":
        return strict_refusal(differences, "money_mismatch")
    return replace(money, warnings=(*money.warnings, *differences))


def _cost_lines(invoice: OnlyofficeInvoice, tax_rates: Mapping[int, Decimal]) -> list[CostLine]:
    return [
        CostLine(
            quantity=line.quantity,
            price=line.price,
            rates=tuple(
                tax_rates[tax_id]
                for tax_id in (line.tax1_id, line.tax2_id)
                if tax_id > 0 and tax_id in tax_rates
            ),
        )
        for line in invoice.lines or ()
    ]


def _percent_discount(lines: Sequence[PerfexLine], discounts: Sequence[Decimal]) -> PerfexMoney:
    """One percentage on every line: Perfex's percent discount before tax."""
    discount = discounts[0] if discounts else ZERO
    kind = BEFORE_TAX if discount != ZERO else ""
    totals = perfex_ui_totals(lines, kind, discount, ZERO, ZERO)
    if discount == ZERO or totals.discount_total != ZERO:
        return PerfexMoney(totals, kind, discount, ())
    # Perfex clears discount_type when discount_total is 0 (Perfex API notes 2.5 step 9), so
    # a discount too small to reach a cent does not exist there at all.
    dropped = Difference(
        field="discount",
        source=f"{format_money(discount)}% on every line",
        target="no discount",
        reason="under a cent, which Perfex does not keep",
        source_system=ONLYOFFICE,
        target_system=PERFEX,
    )
    return PerfexMoney(perfex_ui_totals(lines, "", ZERO, ZERO, ZERO), "", ZERO, (dropped,))


def _fixed_discount(lines: Sequence[PerfexLine], cost: Decimal) -> PerfexMoney:
    """Different percentages: the fixed amount before tax that lands on ONLYOFFICE's cost."""
    amount, totals = perfex_fixed_discount(lines, cost)
    return PerfexMoney(totals, BEFORE_TAX if amount != ZERO else "", ZERO, ())


def _money_differences(
    invoice: OnlyofficeInvoice,
    lines: Sequence[PerfexLine],
    discounts: Sequence[Decimal],
    money: PerfexMoney,
    cost: Decimal,
    onlyoffice_tax: Decimal,
) -> tuple[Difference, ...]:
    """Perfex's total and total_tax against ONLYOFFICE's cost and summed line taxes; the tax
    on its own when the totals agree or it differs by another amount."""
    totals = money.totals
    server_tax = perfex_server_total_tax(
        lines, money.discount_type, money.discount, totals.discount_total, totals.subtotal
    )
    mixed = len(set(discounts)) > 1
    found = []
    if totals.total != cost:
        reason = "no fixed discount lands on it" if mixed else "ONLYOFFICE rounds tax per line"
        found.append(_reverse("total", cost, totals.total, reason, invoice.currency))
    tax_gap = server_tax - onlyoffice_tax
    if tax_gap != ZERO and tax_gap != totals.total - cost:
        reason = "ONLYOFFICE rounds tax per line" + (
            " and discounts each line" if any(discounts) else ""
        )
        found.append(_reverse("total_tax", onlyoffice_tax, server_tax, reason, invoice.currency))
    return tuple(found)


def _reverse(
    field: str, source: Decimal, target: Decimal, reason: str, currency: str
) -> Difference:
    return money_difference(field, source, target, reason, currency, reverse=True)


def perfex_money_fields(money: PerfexMoney, lines: Sequence[PerfexLine]) -> dict[str, Any]:
    """The header money fields of the desired Perfex invoice."""
    totals = money.totals
    server_tax = perfex_server_total_tax(
        lines, money.discount_type, money.discount, totals.discount_total, totals.subtotal
    )
    return {
        "subtotal": totals.subtotal,
        # What the server will store (Perfex API notes 5.3), so a read-back fingerprints the same.
        "total_tax": server_tax,
        "total": totals.total,
        "adjustment": ZERO,
        "discount_percent": money.discount,
        "discount_total": totals.discount_total,
        "discount_type": money.discount_type,
    }
