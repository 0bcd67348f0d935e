"""Perfex's money and status rules, as pure functions over stored values.

Owns: `total_tax` as the server recomputes it (`update_sales_total_tax_column`, contract 5.3),
the admin UI's subtotal/total formula used to seed realistic invoices (5.2), invoice status
(`update_invoice_status`, 3.2) and `total_left_to_pay`.

Must not: touch the store, the clock or HTTP. All money is `Decimal`; PHP computes in floats and
writes them with 14 significant digits, which exact decimals reproduce for invoice-sized sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bridge.sandbox.perfex.php import PhpFatalError, round_half_up

UNPAID, PAID, PARTIALLY, OVERDUE, CANCELLED, DRAFT = 1, 2, 3, 4, 5, 6
STATUS_CODES = (UNPAID, PAID, PARTIALLY, OVERDUE, CANCELLED, DRAFT)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineTax:
    """One `tblitem_tax` row of a line; `key` is how Perfex compares taxes: `NAME|RATE`."""

    name: str
    rate: Decimal

    @property
    def key(self) -> str:
        return f"{self.name}|{self.rate:.2f}"


@dataclass(frozen=True)
class Discount:
    kind: str  # "", "before_tax", "after_tax"
    percent: Decimal
    fixed: Decimal


def server_total_tax(
    lines: Iterable[tuple[Decimal, Decimal, Sequence[LineTax]]],
    discount: Discount,
    subtotal: Decimal,
) -> Decimal:
    """Sum per tax key of qty x rate / 100 x taxrate, less a before-tax discount (5.3)."""
    per_key: dict[str, Decimal] = {}
    for qty, rate, taxes in lines:
        for tax in taxes:
            per_key[tax.key] = per_key.get(tax.key, Decimal(0)) + qty * rate / HUNDRED * tax.rate
    total = Decimal(0)
    for value in per_key.values():
        total += _discounted(value, discount, subtotal)
    return round_half_up(total)


def _discounted(value: Decimal, discount: Discount, subtotal: Decimal) -> Decimal:
    if discount.kind != "before_tax":
        return value
    if discount.percent != 0:
        return value - value * discount.percent / HUNDRED
    if discount.fixed != 0:
        if subtotal == 0:
            raise PhpFatalError("Division by zero")  # PHP 8 DivisionByZeroError
        share = discount.fixed / subtotal * HUNDRED
        return value - value * share / HUNDRED
    return value


def ui_totals(
    lines: Iterable[tuple[Decimal, Decimal, Sequence[LineTax]]],
    adjustment: Decimal = Decimal(0),
) -> tuple[Decimal, Decimal]:
    """(subtotal, total) as the admin UI posts them, without discounts (contract 5.2)."""
    subtotal = Decimal(0)
    taxes = Decimal(0)
    for qty, rate, line_taxes in lines:
        amount = (rate * qty).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        subtotal += amount
        taxes += sum((amount / HUNDRED * tax.rate for tax in line_taxes if tax.rate), Decimal(0))
    return round_half_up(subtotal), round_half_up(subtotal + taxes + adjustment)


def invoice_status(
    status: int,
    total: Decimal,
    duedate: date | None,
    payments: Sequence[Decimal],
    today: date,
    *,
    force: bool = False,
) -> int:
    """`update_invoice_status`: the new status code; cancelled and draft stay unless forced."""
    if status in (CANCELLED, DRAFT) and not force:
        return status
    if not payments:
        if total == 0:
            return PAID
        return OVERDUE if duedate is not None and duedate < today else UNPAID
    return _status_with_payments(total, duedate, payments, today)


def _status_with_payments(
    total: Decimal, duedate: date | None, payments: Sequence[Decimal], today: date
) -> int:
    # The first payment alone equal to the total counts as paid, then the sum decides.
    if payments[0] == total:
        return PAID
    paid = sum(payments, Decimal(0))
    if paid >= total:
        return PAID
    if paid == 0:
        return UNPAID
    if duedate is None or paid > 0:
        return PARTIALLY
    return OVERDUE if duedate < today else UNPAID


def left_to_pay(total: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """`get_invoice_total_left_to_pay`: bcmath subtraction at two places."""
    return total - sum(payments, Decimal(0))
