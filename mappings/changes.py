"""Field-level differences between two versions of an invoice, for the run report.

Owns the `changes` object of a report record (the README: `{"dueDate": ["2026-11-30",
"2026-12-15"]}`): keyed by the *target's* field names, JSON-able values (Decimal and dates as
strings, ids as strings, statuses as numbers), lines summarised as readable strings.

Must not: decide whether to write; the fingerprints do that. Only fields that differ appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mappings.fingerprint import (
    Canonical,
    onlyoffice_header_canonical,
    onlyoffice_line_canonical,
    perfex_header_canonical,
    perfex_line_canonical,
)
from mappings.money import format_money
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeLine
from mappings.perfex import PerfexInvoice, PerfexLine

Changes = dict[str, list[Any]]


def onlyoffice_changes(before: OnlyofficeInvoice | None, after: OnlyofficeInvoice) -> Changes:
    """What changed on ONLYOFFICE; every field of `after` when `before` is None (a create)."""
    return _diff(
        _onlyoffice_view(before) if before else None,
        _onlyoffice_view(after),
    )


def perfex_changes(before: PerfexInvoice | None, after: PerfexInvoice) -> Changes:
    """What changed on Perfex; every field of `after` when `before` is None (a create)."""
    return _diff(_perfex_view(before) if before else None, _perfex_view(after))


def _onlyoffice_view(invoice: OnlyofficeInvoice) -> Canonical:
    view: Canonical = {**onlyoffice_header_canonical(invoice), "status": int(invoice.status)}
    if invoice.lines is not None:
        view["invoiceLines"] = _onlyoffice_lines(invoice.lines)
    return view


def _perfex_view(invoice: PerfexInvoice) -> Canonical:
    view: Canonical = {**perfex_header_canonical(invoice), "status": int(invoice.status)}
    if invoice.lines is not None:
        ordered = sorted(invoice.lines, key=lambda line: line.item_order)
        view["items"] = _perfex_lines(ordered)
    return view


@dataclass(frozen=True)
class _LineView:
    """Line summaries for the report; two views are equal when the full content is."""

    summaries: tuple[str, ...] = field(compare=False)
    content: tuple[tuple[tuple[str, Any], ...], ...]


def _onlyoffice_lines(lines: Sequence[OnlyofficeLine]) -> _LineView:
    return _LineView(
        summaries=tuple(_onlyoffice_line(line) for line in lines),
        content=tuple(tuple(sorted(onlyoffice_line_canonical(x).items())) for x in lines),
    )


def _perfex_lines(lines: Sequence[PerfexLine]) -> _LineView:
    return _LineView(
        summaries=tuple(_perfex_line(line) for line in lines),
        content=tuple(tuple(sorted(perfex_line_canonical(x).items())) for x in lines),
    )


def _diff(before: Canonical | None, after: Canonical) -> Changes:
    changes: Changes = {}
    for key, new in after.items():
        if before is not None and key not in before:
            continue
        old = None if before is None else before[key]
        if old != new:
            changes[key] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    return list(value.summaries) if isinstance(value, _LineView) else value


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


def _one_line(text: str) -> str:
    return " / ".join(part for part in text.split("\n") if part)


def _onlyoffice_line(line: OnlyofficeLine) -> str:
    text = (
        f"{_one_line(line.description)} × {_quantity(line.quantity)} @ {format_money(line.price)}"
    )
    if line.discount:
        text += f" less {_quantity(line.discount)}%"
    taxes = [str(tax_id) for tax_id in (line.tax1_id, line.tax2_id) if tax_id > 0]
    return text + (f" + tax {', '.join(taxes)}" if taxes else "")


def _perfex_line(line: PerfexLine) -> str:
    text = f"{_one_line(line.description)} × {_quantity(line.qty)} @ {format_money(line.rate)}"
    if line.long_description:
        text += f" ({_one_line(line.long_description)})"
    taxes = [tax.perfex_taxname for tax in line.taxes]
    return text + (f" + {', '.join(taxes)}" if taxes else "")
