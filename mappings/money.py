"""Money: parsing, formatting, and each system's own total formula, in `Decimal` only.

Owns: turning API money values into `Decimal`, printing them as two-decimal strings, Perfex's
admin-UI totals (Perfex API notes 5.2), Perfex's server-side `total_tax` (5.3) and
ONLYOFFICE's invoice `cost` (ONLYOFFICE API notes 4.3).

Must not: do float arithmetic, round anywhere the real systems do not, or know about payloads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from mappings.problems import MappingError

if TYPE_CHECKING:
    from mappings.onlyoffice import OnlyofficeLine
    from mappings.perfex import PerfexLine

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
BEFORE_TAX = "before_tax"
AFTER_TAX = "after_tax"

_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_money(value: object, field: str = "amount") -> Decimal:
    """An API money value as `Decimal`: "12.30", 12.3 (a JSON number), 12 or a Decimal.

    A JSON number arrives as a Python float; `str()` gives its shortest exact text ("12.3"),
    so no binary fraction ever leaks into the Decimal.
    """
    if isinstance(value, Decimal):
        parsed = value
    elif isinstance(value, bool) or value is None:
        raise MappingError(field, f"expected an amount, got {value!r}")
    elif isinstance(value, int | float):
        parsed = _decimal_from_text(str(value), field)
    elif isinstance(value, str):
        parsed = _decimal_from_text(value.strip(), field)
    else:
        raise MappingError(field, f"expected an amount, got {type(value).__name__}")
    if not parsed.is_finite():
        raise MappingError(field, f"expected a finite amount, got {value!r}")
    return parsed


def _decimal_from_text(text: str, field: str) -> Decimal:
    # Decimal() alone would also accept "1_000", "NaN" and "Infinity"; neither API sends those.
    if not _NUMBER_TEXT.fullmatch(text):
        raise MappingError(field, f"expected an amount like 12.30, got {text!r}")
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the regex already guards this
        raise MappingError(field, f"expected an amount, got {text!r}") from error


def round_half_up(value: Decimal) -> Decimal:
    """Two decimals, halves away from zero: MySQL DECIMAL(…,2) storage and PHP number_format."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_half_even(value: Decimal) -> Decimal:
    """Two decimals, halves to even: .NET `Math.Round(x, 2)` on decimals (ONLYOFFICE)."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_money(value: Decimal) -> str:
    """ "12.30": two decimals with a dot, never an exponent, never "-0.00"."""
    rounded = round_half_up(value)
    if rounded == ZERO:
        rounded = ZERO.quantize(CENT)
    return f"{rounded:f}"


@dataclass(frozen=True, slots=True)
class PerfexTotals:
    """What Perfex's admin UI would post: the writer must send these (API notes 5.2)."""

    subtotal: Decimal
    total: Decimal
    discount_total: Decimal
    # Per "NAME|RATE" key, after any before-tax discount, deliberately unrounded: the UI sums
    # the unrounded values and rounds only the final total.
    tax_by_key: Mapping[str, Decimal]


def perfex_ui_totals(
    lines: Sequence[PerfexLine],
    discount_type: str,
    discount_percent: Decimal,
    discount_total: Decimal,
    adjustment: Decimal,
) -> PerfexTotals:
    """Perfex's `calculate_total()` (API notes 5.2), with half-up rounding.

    The browser rounds the binary float with `toFixed`; we round the exact decimal half-up,
    which is what that formula means. The two can differ only on a value whose float image
    sits just below a half cent, and the server never recomputes what we post.
    """
    amounts = [round_half_up(line.rate * line.qty) for line in lines]
    subtotal = sum(amounts, ZERO)
    taxes = _ui_taxes(lines, amounts)
    discount = ZERO
    if discount_type == BEFORE_TAX:
        discount, share = _before_tax_discount(subtotal, discount_percent, discount_total)
        taxes = {key: amount - amount * share for key, amount in taxes.items()}
    total = subtotal + sum(taxes.values(), ZERO)
    if discount_type == AFTER_TAX:
        discount = total * discount_percent / HUNDRED if discount_percent else discount_total
    total = total - discount + adjustment
    return PerfexTotals(
        subtotal=round_half_up(subtotal),
        total=round_half_up(total),
        discount_total=round_half_up(discount),
        tax_by_key=taxes,
    )


def _ui_taxes(lines: Sequence[PerfexLine], amounts: Sequence[Decimal]) -> dict[str, Decimal]:
    taxes: dict[str, Decimal] = {}
    for line, amount in zip(lines, amounts, strict=True):
        for tax in line.taxes:
            # The UI skips zero-rate taxes entirely (they would add 0 anyway).
            if tax.rate != ZERO:
                key = tax.perfex_taxname
                taxes[key] = taxes.get(key, ZERO) + amount / HUNDRED * tax.rate
    return taxes


def _before_tax_discount(
    subtotal: Decimal, discount_percent: Decimal, discount_total: Decimal
) -> tuple[Decimal, Decimal]:
    """(discount amount, share of every tax that the discount removes)."""
    if discount_percent != ZERO:
        return subtotal * discount_percent / HUNDRED, discount_percent / HUNDRED
    if discount_total != ZERO and subtotal != ZERO:
        return discount_total, discount_total / subtotal
    return discount_total, ZERO


def perfex_server_total_tax(
    lines: Sequence[PerfexLine],
    discount_type: str,
    discount_percent: Decimal,
    discount_total: Decimal,
    subtotal: Decimal,
) -> Decimal:
    """`total_tax` as Perfex's server stores it (API notes 5.3).

    Unlike the UI it does not round `qty × rate` per line; it uses the stored lines (qty and
    rate already at two decimals) and the stored header `subtotal` for a fixed discount.
    """
    per_key: dict[str, Decimal] = {}
    for line in lines:
        base = round_half_up(line.qty) * round_half_up(line.rate) / HUNDRED
        for tax in line.taxes:
            key = tax.perfex_taxname
            per_key[key] = per_key.get(key, ZERO) + base * tax.rate
    if discount_type == BEFORE_TAX:
        share = _server_discount_share(discount_percent, discount_total, subtotal)
        per_key = {key: amount - amount * share for key, amount in per_key.items()}
    return round_half_up(sum(per_key.values(), ZERO))


def _server_discount_share(
    discount_percent: Decimal, discount_total: Decimal, subtotal: Decimal
) -> Decimal:
    if discount_percent != ZERO:
        return discount_percent / HUNDRED
    if discount_total != ZERO and subtotal != ZERO:
        return discount_total / subtotal
    return ZERO


def onlyoffice_cost(lines: Sequence[OnlyofficeLine], tax_rates: Mapping[int, Decimal]) -> Decimal:
    """ONLYOFFICE's invoice `cost` (API notes 4.3): half-to-even rounding at every step.

    A tax id that is 0 or unknown adds nothing, as on the server.
    """
    total = ZERO
    for line in lines:
        gross = round_half_even(line.price * line.quantity)
        net = gross - round_half_even(gross * line.discount / HUNDRED)
        total += net
        for tax_id in (line.tax1_id, line.tax2_id):
            if tax_id > 0 and tax_id in tax_rates:
                total += round_half_even(net * tax_rates[tax_id] / HUNDRED)
    return round_half_even(total)
