"""The invoice `cost` exactly as InvoiceDao.CalculateInvoiceCost computes it (§4.3).

Owns the per-line formula with .NET `Math.Round(x, 2)`, which rounds half to even, applied at
every step. It must not round the way the database stores values (that is half away from
zero, `records.stored_decimal`): mixing the two is a classic one-cent bug.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from bridge.sandbox.onlyoffice.records import InvoiceLine, Tax

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def bankers_round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _tax_amount(net: Decimal, tax_id: int, taxes: Mapping[int, Tax]) -> Decimal:
    tax = taxes.get(tax_id) if tax_id > 0 else None
    return Decimal(0) if tax is None else bankers_round(net * tax.rate / HUNDRED)


def line_cost(line: InvoiceLine, taxes: Mapping[int, Tax]) -> Decimal:
    gross = bankers_round(line.price * line.quantity)
    discount = bankers_round(gross * line.discount / HUNDRED)
    net = gross - discount
    return net + _tax_amount(net, line.tax1_id, taxes) + _tax_amount(net, line.tax2_id, taxes)


def invoice_cost(lines: Iterable[InvoiceLine], taxes: Mapping[int, Tax]) -> Decimal:
    return bankers_round(sum((line_cost(line, taxes) for line in lines), Decimal(0)))
