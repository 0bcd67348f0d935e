"""Inferring which taxes each line of a Perfex invoice carries.

Perfex's GET never returns per-line taxes, only the header `total_tax` the server computed
from them (shared/contracts/perfex-api.md 3.1, 3.3, 5.3). ONLYOFFICE needs a tax id per line.
So this module looks for the one assignment of taxes to lines that explains the invoice: Perfex's
server formula gives exactly its `total_tax` and Perfex's UI formula gives exactly its `total`.
It tries, in order: the item-catalogue hints, one tax on every line, then every combination for
small invoices. One distinct answer is used; none or several are reported, never guessed.

Must not: pick between equally good answers, or fetch the candidates itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from mappings.money import ZERO, format_money, perfex_server_total_tax, perfex_ui_totals
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec
from mappings.problems import MappingProblem

LineTaxes = tuple[tuple[TaxSpec, ...], ...]

# Bounds of the exhaustive search: (1 + candidates) ** lines assignments are tried.
MAX_SEARCH_LINES = 6
MAX_COMBINATIONS = 4096


def infer_line_taxes(
    invoice: PerfexInvoice,
    candidates: Sequence[TaxSpec],
    hints: Mapping[str, TaxSpec],
) -> LineTaxes | MappingProblem:
    """The taxes of each line, in line order, or a problem saying why they cannot be known.

    `candidates` are Perfex's configured taxes (`common/tax_data`); `hints` map a line
    description to the tax its product has in Perfex's items catalogue.
    """
    lines = _lines_of(invoice)
    if invoice.total_tax == ZERO:
        return tuple(() for _ in lines)
    hinted = _hinted(lines, hints)
    if hinted is not None and explains(invoice, hinted):
        return hinted
    pool = _searchable(candidates)
    if not pool:
        return _problem(invoice, "no Perfex taxes are known to try")
    uniform = _explaining(invoice, (tuple((tax,) for _ in lines) for tax in pool))
    if uniform:
        return _only(invoice, uniform)
    if len(lines) > MAX_SEARCH_LINES or (len(pool) + 1) ** len(lines) > MAX_COMBINATIONS:
        return _problem(
            invoice,
            f"no single tax fits and {len(lines)} lines are too many to try every mix",
        )
    choices = [(), *((tax,) for tax in pool)]
    mixed = _explaining(invoice, itertools.product(choices, repeat=len(lines)))
    return _only(invoice, mixed) if mixed else _problem(invoice, _none_found(pool))


def explains(invoice: PerfexInvoice, assignment: LineTaxes) -> bool:
    """True when these line taxes reproduce Perfex's stored `total_tax` and `total` exactly."""
    lines = _with_taxes(_lines_of(invoice), assignment)
    server_tax = perfex_server_total_tax(
        lines,
        invoice.discount_type,
        invoice.discount_percent,
        invoice.discount_total,
        invoice.subtotal,
    )
    if server_tax != invoice.total_tax:
        return False
    ui = perfex_ui_totals(
        lines,
        invoice.discount_type,
        invoice.discount_percent,
        invoice.discount_total,
        invoice.adjustment,
    )
    return ui.total == invoice.total


def _lines_of(invoice: PerfexInvoice) -> tuple[PerfexLine, ...]:
    if invoice.lines is None:
        raise ValueError("tax inference needs the invoice's lines (GET /api/invoices/{id})")
    return invoice.lines


def _with_taxes(lines: Sequence[PerfexLine], assignment: LineTaxes) -> list[PerfexLine]:
    return [replace(line, taxes=taxes) for line, taxes in zip(lines, assignment, strict=True)]


def _hinted(lines: Sequence[PerfexLine], hints: Mapping[str, TaxSpec]) -> LineTaxes | None:
    if not any(line.description in hints for line in lines):
        return None
    return tuple((hints[line.description],) if line.description in hints else () for line in lines)


def _searchable(candidates: Sequence[TaxSpec]) -> tuple[TaxSpec, ...]:
    # A 0 % tax leaves no trace in any total, so it can never be told apart from "no tax";
    # trying it would only make every answer look ambiguous.
    return tuple(dict.fromkeys(tax for tax in candidates if tax.rate != ZERO))


def _explaining(invoice: PerfexInvoice, assignments: Iterable[LineTaxes]) -> list[LineTaxes]:
    """The distinct assignments that explain the invoice."""
    return list(dict.fromkeys(a for a in assignments if explains(invoice, a)))


def _only(invoice: PerfexInvoice, found: Sequence[LineTaxes]) -> LineTaxes | MappingProblem:
    if len(found) == 1:
        return found[0]
    return _problem(
        invoice,
        f"{len(found)} different tax mixes fit ({describe(found[0])}; or {describe(found[1])}); "
        "a tax on the product in Perfex's items catalogue decides",
    )


def _problem(invoice: PerfexInvoice, reason: str) -> MappingProblem:
    return MappingProblem(
        field="total_tax",
        message=(
            "cannot tell which taxes the lines carry (Perfex does not return them): for "
            f"total_tax {format_money(invoice.total_tax)} and total "
            f"{format_money(invoice.total)}, {reason}"
        ),
    )


def _none_found(pool: Sequence[TaxSpec]) -> str:
    names = ", ".join(tax.perfex_taxname for tax in pool)
    return f"no combination of the known taxes ({names}) fits"


def describe(assignment: LineTaxes) -> str:
    """ "line 1 VAT|20.00, line 2 no tax": for messages."""
    return ", ".join(
        f"line {index} {' + '.join(t.perfex_taxname for t in taxes) or 'no tax'}"
        for index, taxes in enumerate(assignment, start=1)
    )
