"""Edits to simulated Perfex invoices as a person makes them in Perfex's admin UI.

People edit invoices in the admin screen, not through the API: the screen keeps each line's
taxes and posts the totals its own formula computes (contract 5.2), after which the server
recomputes `total_tax` and the status. New invoices take the next free number of their year,
and payments recorded there make Perfex derive paid or partially paid. The demo and the
end-to-end tests use these edits to play that person, so the bridge meets the data a real
install produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.perfex.engine import LineTax
from bridge.sandbox.perfex.php import nl2br, serialize
from bridge.sandbox.perfex.schema import INVOICE_COLUMNS, Stored
from bridge.sandbox.perfex.store import StoredInvoice, StoredLine
from bridge.sandbox.perfex.writes import refresh_formatted_number
from mappings.money import perfex_ui_totals
from mappings.perfex import PerfexLine, TaxSpec


@dataclass(frozen=True)
class AdminLine:
    """A line as typed on the invoice screen; the tax is picked from Perfex's tax list."""

    description: str
    qty: Decimal
    rate: Decimal
    tax: TaxSpec | None = None
    long_description: str = ""
    unit: str = ""


class PerfexAdmin:
    """One person at the Perfex admin screen of a simulator."""

    def __init__(self, simulator: PerfexSimulator) -> None:
        self.store = simulator.store

    def create_invoice(
        self,
        clientid: int,
        lines: Sequence[AdminLine],
        issued: date,
        due: date | None,
        *,
        currency_id: int = 1,
        terms: str = "",
        clientnote: str = "",
    ) -> int:
        """A new invoice saved from the admin screen: the next free number of its year (the
        screen refuses a used one), the customer's billing address, the screen's totals."""
        with self.store.lock:
            invoice_id = self.store.next_id("invoices")
            row = self._new_row(invoice_id, clientid, issued, due, currency_id)
            row.update(terms=nl2br(terms), clientnote=nl2br(clientnote))
            self.store.insert_invoice(StoredInvoice(row))
            for order, line in enumerate(lines, start=1):
                self._insert(invoice_id, order, line)
            following = int(row["number"]) + 1  # type: ignore[arg-type]
            self.store.next_invoice_number = max(self.store.next_invoice_number, following)
            self._save_totals(invoice_id)
            return invoice_id

    def add_payment(self, invoice_id: int, amount: Decimal, on: date) -> None:
        """A payment recorded in the admin screen; Perfex derives the status from it."""
        self.store.add_payment(invoice_id, amount, on)

    def pay_in_full(self, invoice_id: int, on: date) -> None:
        self.add_payment(invoice_id, self.store.left_to_pay(invoice_id), on)

    def _new_row(
        self, invoice_id: int, clientid: int, issued: date, due: date | None, currency_id: int
    ) -> dict[str, Stored]:
        customer = self.store.customers[clientid].row
        row: dict[str, Stored] = {column.name: column.default for column in INVOICE_COLUMNS}
        row.update(
            id=invoice_id,
            clientid=clientid,
            number=self._free_number(issued.year),
            prefix=self.store.options.invoice_prefix,
            number_format=1,
            datecreated=datetime.combine(self.store.today, time(9, 0)),
            date=issued,
            duedate=due,
            currency=currency_id,
            subtotal=Decimal("0.00"),
            total=Decimal("0.00"),
            adjustment=Decimal("0.00"),
            addedfrom=1,
            hash=self.store.new_hash(),
            allowed_payment_modes=serialize({0: "1"}),
            **{name: customer[name] for name in _BILLING},
        )
        refresh_formatted_number(self.store, row)
        return row

    def _free_number(self, year: int) -> int:
        used = {
            invoice.number for invoice in self.store.invoices.values() if invoice.date.year == year
        }
        number = self.store.next_invoice_number
        while number in used:
            number += 1
        return number

    def _insert(self, invoice_id: int, order: int, line: AdminLine) -> None:
        self.store.insert_line(
            StoredLine(
                id=self.store.next_id("itemable"),
                rel_id=invoice_id,
                description=line.description,
                long_description=nl2br(line.long_description),
                qty=Decimal(line.qty).quantize(Decimal("0.01")),
                rate=Decimal(line.rate).quantize(Decimal("0.01")),
                unit=line.unit,
                item_order=order,
                taxes=[LineTax(line.tax.name, line.tax.rate)] if line.tax else [],
            )
        )

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


_BILLING = ("billing_street", "billing_city", "billing_state", "billing_zip", "billing_country")


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
