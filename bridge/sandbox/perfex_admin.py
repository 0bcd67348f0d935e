"""Edits to simulated Perfex invoices as a person makes them in Perfex's admin UI.

People edit invoices in the admin screen, not through the API: the screen keeps each line's
taxes and posts the totals its own formula computes (contract 5.2), after which the server
recomputes `total_tax` and the status. The demo and the end-to-end tests use these edits to
play that person, so the bridge meets the data a real install produces.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.perfex.engine import LineTax
from bridge.sandbox.perfex.store import StoredLine
from mappings.money import perfex_ui_totals
from mappings.perfex import PerfexLine, TaxSpec


class PerfexAdmin:
    """One person at the Perfex admin screen of a simulator."""

    def __init__(self, simulator: PerfexSimulator) -> None:
        self.store = simulator.store

    def set_due_date(self, invoice_id: int, due: date | None) -> None:
        self.store.edit_invoice(invoice_id, duedate=due)

    def set_customer(self, invoice_id: int, clientid: int) -> None:
        self.store.edit_invoice(invoice_id, clientid=clientid)

    def set_quantity(self, invoice_id: int, position: int, qty: Decimal) -> None:
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            line.qty = Decimal(qty).quantize(Decimal("0.01"))
            self._save_totals(invoice_id)

    def add_line(
        self,
        invoice_id: int,
        description: str,
        qty: Decimal,
        rate: Decimal,
        *,
        unit: str = "",
        tax: TaxSpec | None = None,
    ) -> None:
        with self.store.lock:
            lines = self.store.lines_of(invoice_id)
            order = max((line.item_order or 0 for line in lines), default=0) + 1
            self.store.insert_line(
                StoredLine(
                    id=self.store.next_id("itemable"),
                    rel_id=invoice_id,
                    description=description,
                    long_description="",
                    qty=Decimal(qty).quantize(Decimal("0.01")),
                    rate=Decimal(rate).quantize(Decimal("0.01")),
                    unit=unit,
                    item_order=order,
                    taxes=[LineTax(tax.name, tax.rate)] if tax else [],
                )
            )
            self._save_totals(invoice_id)

    def remove_line(self, invoice_id: int, position: int) -> None:
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            self.store.delete_line(line.id)
            self._save_totals(invoice_id)

    def _save_totals(self, invoice_id: int) -> None:
        """What the screen posts on save: subtotal and total by its own formula."""
        row = self.store.invoices[invoice_id].row
        lines = [_as_perfex_line(line) for line in self.store.lines_of(invoice_id)]
        totals = perfex_ui_totals(
            lines,
            str(row["discount_type"] or ""),
            Decimal(row["discount_percent"] or 0),
            Decimal(row["discount_total"] or 0),
            Decimal(row["adjustment"] or 0),
        )
        self.store.edit_invoice(invoice_id, subtotal=totals.subtotal, total=totals.total)


def _as_perfex_line(line: StoredLine) -> PerfexLine:
    return PerfexLine(
        id=str(line.id),
        description=line.description,
        long_description=line.long_description or "",
        qty=line.qty,
        rate=line.rate,
        unit=line.unit or "",
        item_order=line.item_order or 0,
        taxes=tuple(TaxSpec(tax.name, tax.rate) for tax in line.taxes),
    )
