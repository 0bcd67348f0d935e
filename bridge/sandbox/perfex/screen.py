"""The totals Perfex's invoice screen posts: `calculate_total()` in the browser (API notes 5.2).

Owns a faithful replay of the admin UI's JavaScript: every step in IEEE doubles (Python floats
are the same doubles, and the operations run in the same order), line amounts and the posted
values rounded by accounting.js 0.4.1 `toFixed` (`Math.round(value * 100) / 100`, so a product
whose double lies just under a half cent rounds down: 1.005 becomes 1.00), taxes summed per
`NAME|RATE` key in first-seen order, zero-rate taxes left out, the discount before tax taken
off each tax, after tax off the total, then the adjustment added. This is what a person's
save writes into `subtotal`, `total` and `discount_total`; the server never recomputes them.

Must not: touch the store, or compute `total_tax` (the server does that its own way,
`engine.server_total_tax`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bridge.sandbox.perfex.engine import LineTax

BEFORE_TAX, AFTER_TAX = "before_tax", "after_tax"


@dataclass(frozen=True)
class ScreenDiscount:
    """The discount fields of the screen: `kind` "", "before_tax" or "after_tax"; `percent`
    in percent mode, `fixed` in fixed mode (the other one is zero)."""

    kind: str = ""
    percent: Decimal = Decimal(0)
    fixed: Decimal = Decimal(0)


@dataclass(frozen=True)
class ScreenTotals:
    subtotal: Decimal
    total: Decimal
    discount_total: Decimal


def js_round(value: float) -> int:
    """`Math.round`: the nearest integer, halves toward +infinity (exact for doubles)."""
    floor = math.floor(value)
    return floor + 1 if value - floor >= 0.5 else floor


def to_fixed_2(value: float) -> Decimal:
    """accounting.js 0.4.1 `toFixed(value, 2)` as the exact decimal it prints."""
    return Decimal(js_round(value * 100.0)).scaleb(-2)


def screen_totals(
    lines: Iterable[tuple[Decimal, Decimal, Sequence[LineTax]]],
    discount: ScreenDiscount = ScreenDiscount(),
    adjustment: Decimal = Decimal(0),
) -> ScreenTotals:
    """What the screen posts for lines of (qty, rate, taxes) and the header's discount."""
    subtotal = 0.0
    taxes: dict[str, float] = {}
    for qty, rate, line_taxes in lines:
        amount = float(to_fixed_2(float(rate) * float(qty)))
        subtotal += amount
        for tax in line_taxes:
            share = amount / 100 * float(tax.rate)
            if tax.key in taxes:
                taxes[tax.key] += share
            elif tax.rate != 0:  # a zero-rate tax never gets a row, so it is never summed
                taxes[tax.key] = share
    percent, fixed = float(discount.percent), float(discount.fixed)
    taken = 0.0
    total = 0.0
    for amount in taxes.values():
        total += _after_before_tax_discount(amount, discount, percent, fixed, subtotal)
    if discount.kind == BEFORE_TAX:
        taken = subtotal * percent / 100 if percent else fixed
    total = total + subtotal
    if discount.kind == AFTER_TAX:
        taken = total * percent / 100 if percent else fixed
    total = total - taken + float(adjustment)
    return ScreenTotals(to_fixed_2(subtotal), to_fixed_2(total), to_fixed_2(taken))


def _after_before_tax_discount(
    amount: float, discount: ScreenDiscount, percent: float, fixed: float, subtotal: float
) -> float:
    if discount.kind != BEFORE_TAX:
        return amount
    if percent:
        return amount - amount * percent / 100
    if fixed:
        share = fixed / subtotal * 100
        return amount - amount * share / 100
    return amount
