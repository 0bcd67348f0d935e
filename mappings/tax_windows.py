"""The windows Perfex's stored totals leave for an invoice's weighted tax sums.

With r_i the sum of line i's tax rates in hundredths of a percent (see `tax_search.py`),
Perfex's server computes total_tax = round_half_up(f × X / 10^8) with X = Σ w_i × r_i,
w_i = qty_i × rate_i in 1/10 000 and f the share a before-tax discount leaves (Perfex API
notes 5.3), and its UI posts total = round_half_up(α + β × Y / 10^6) with Y = Σ a_i × r_i,
a_i = round(qty_i × rate_i, 2) in cents and α, β set by the discount rules (5.2). Owns turning
the stored `total_tax` and `total` into the exact integer ranges of X and Y they allow.

Must not: search, or round in any way but the two formulas do (all arithmetic is exact, in
fractions).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from mappings.money import AFTER_TAX, BEFORE_TAX, ZERO, round_half_up
from mappings.perfex import PerfexInvoice, PerfexLine
from mappings.tax_search import Windows

_X_SCALE = 10**6  # X is in 1/10^8 of the currency: a cent is 10^6
_Y_SCALE = 10**6  # Y is in 1/10^6 of the currency


def windows_of(invoice: PerfexInvoice, lines: Sequence[PerfexLine]) -> Windows:
    """The ranges of X and Y that reproduce the stored totals; None: that total does not
    depend on the taxes at all; (1, 0): no taxes reproduce it."""
    return Windows(_x_window(invoice), _y_window(invoice, lines))


def _x_window(invoice: PerfexInvoice) -> tuple[int, int] | None:
    """X such that round_half_up(f × X / 10^8) is the stored total_tax (Perfex 5.3)."""
    factor = 1 - _server_share(invoice)
    if factor <= 0:
        return None
    cents = Fraction(invoice.total_tax) * 100
    low = math.ceil((cents - Fraction(1, 2)) * _X_SCALE / factor)
    high = math.ceil((cents + Fraction(1, 2)) * _X_SCALE / factor) - 1
    return max(low, 0), high


def _server_share(invoice: PerfexInvoice) -> Fraction:
    if invoice.discount_type != BEFORE_TAX:
        return Fraction(0)
    if invoice.discount_percent != ZERO:
        return Fraction(invoice.discount_percent) / 100
    if invoice.discount_total != ZERO and invoice.subtotal != ZERO:
        return Fraction(invoice.discount_total) / Fraction(invoice.subtotal)
    return Fraction(0)


def _y_window(invoice: PerfexInvoice, lines: Sequence[PerfexLine]) -> tuple[int, int] | None:
    """Y such that the UI's total (Perfex 5.2) is the stored total; (1, 0) when none is."""
    alpha, beta = _ui_total_terms(invoice, lines)
    cents = Fraction(invoice.total) * 100
    if beta <= 0:
        lands = math.floor(alpha * 100 + Fraction(1, 2)) == cents
        return None if lands else (1, 0)
    low = math.ceil(((cents - Fraction(1, 2)) / 100 - alpha) * _Y_SCALE / beta)
    high = math.ceil(((cents + Fraction(1, 2)) / 100 - alpha) * _Y_SCALE / beta) - 1
    return max(low, 0), high


def _ui_total_terms(
    invoice: PerfexInvoice, lines: Sequence[PerfexLine]
) -> tuple[Fraction, Fraction]:
    """α and β in total = α + β × taxes, for the UI's discount rules (Perfex 5.2)."""
    subtotal = sum((Fraction(round_half_up(line.qty * line.rate)) for line in lines), Fraction(0))
    percent = Fraction(invoice.discount_percent) / 100
    fixed = Fraction(invoice.discount_total)
    adjustment = Fraction(invoice.adjustment)
    kind = invoice.discount_type
    if kind in (BEFORE_TAX, AFTER_TAX) and percent:
        return subtotal * (1 - percent) + adjustment, 1 - percent
    if kind == BEFORE_TAX and fixed and subtotal:
        return subtotal - fixed + adjustment, 1 - fixed / subtotal
    if kind in (BEFORE_TAX, AFTER_TAX):
        return subtotal - fixed + adjustment, Fraction(1)
    return subtotal + adjustment, Fraction(1)
