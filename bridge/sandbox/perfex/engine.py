"""Perfex's money and status rules, as pure functions over stored values.

Owns: `total_tax` as the server recomputes it (`update_sales_total_tax_column`, API notes 5.3),
invoice status (`update_invoice_status`, 3.2) and `total_left_to_pay`.

Must not: touch the store, the clock or HTTP, or compute what the admin screen posts
(`screen.py`). Values come in and go out as `Decimal`; inside, PHP's float arithmetic is
replayed step by step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bridge.sandbox.perfex.php import PhpFatalError, php_float_string, round_half_up

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
    """`update_sales_total_tax_column` (5.3), in PHP floats as the server computes it.

    Per `NAME|RATE` key: the sum of qty x rate / 100 x taxrate over the stored two-decimal
    values, less a before-tax discount; the float sum then goes into the SQL text with PHP's
    14 significant digits and MySQL rounds that to two places, half away from zero.
    """
    per_key: dict[str, list[float]] = {}
    for qty, rate, taxes in lines:
        for tax in taxes:
            per_key.setdefault(tax.key, []).append(float(qty) * float(rate) / 100 * float(tax.rate))
    total = 0.0
    for values in per_key.values():
        total += _discounted(sum(values, 0.0), discount, subtotal)
    stored = round_half_up(Decimal(php_float_string(total)))
    return stored if stored else Decimal("0.00")  # MySQL never stores -0.00


def _discounted(value: float, discount: Discount, subtotal: Decimal) -> float:
    if discount.kind != "before_tax":
        return value
    if discount.percent != 0:
        return value - value * float(discount.percent) / 100
    if discount.fixed != 0:
        if subtotal == 0:
            raise PhpFatalError("Division by zero")  # PHP 8 DivisionByZeroError
        share = float(discount.fixed) / float(subtotal) * 100
        return value - value * share / 100
    return value


def is_past_due(duedate: date | str | None, today: date) -> bool:
    """`duedate < today` as PHP compares them; MySQL's zero date `0000-00-00` is long past."""
    if duedate is None:
        return False
    if isinstance(duedate, str):
        return True
    return duedate < today


def invoice_status(
    status: int,
    total: Decimal,
    duedate: date | str | None,
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
        return OVERDUE if is_past_due(duedate, today) else UNPAID
    return _status_with_payments(total, duedate, payments, today)


def _status_with_payments(
    total: Decimal, duedate: date | str | None, payments: Sequence[Decimal], today: date
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
    return OVERDUE if is_past_due(duedate, today) else UNPAID


def left_to_pay(total: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """`get_invoice_total_left_to_pay`: bcmath subtraction at two places."""
    return total - sum(payments, Decimal(0))
