"""Edits to simulated ONLYOFFICE invoices as a person makes them in the CRM's screens.

ONLYOFFICE lets a person edit only a Draft (shared/contracts/onlyoffice-api.md 3.4), so the
screens are used the way people use them: reopen a sent invoice (Sent → Rejected → Draft),
change it, and send it again, through the allowed status moves with their stock effects (3.6).
New invoices start as Drafts with a number the person types. Lines name a product and carry up
to two taxes; the server works out `cost` from them (4.3). The end-to-end tests use these edits
to play that person, so the bridge meets the data a real portal produces.

Must not: be used by the bridge itself, or skip the rules a person meets in the screens
(Draft-only edits, allowed status moves); it writes to the simulator's store directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from bridge.sandbox.onlyoffice import Invoice, InvoiceLine, InvoiceStatus, OnlyofficeSimulator
from bridge.sandbox.onlyoffice.invoice_writes import move_status
from bridge.sandbox.onlyoffice.printdata import build_print_data
from bridge.sandbox.onlyoffice.records import ADDRESS_BILLING, INFO_ADDRESS, stored_decimal
from mappings.status import status_path


@dataclass(frozen=True)
class AdminLine:
    """A line as typed on the invoice screen: a product, its quantity and price, taxes by id."""

    item_id: int
    quantity: Decimal
    price: Decimal
    description: str = ""
    tax1_id: int = 0
    tax2_id: int = 0
    discount: Decimal = Decimal(0)  # percent


class OnlyofficeAdmin:
    """One person at the CRM screens of an ONLYOFFICE simulator."""

    def __init__(self, simulator: OnlyofficeSimulator) -> None:
        self.store = simulator.store
        self.zone = simulator.options.zone

    # -- looking things up the way the screens show them ------------------------------------

    def item_id(self, title: str) -> int:
        return min(item.id for item in self.store.items.values() if item.title == title)

    def tax_of_item(self, item_id: int) -> int:
        item = self.store.item(item_id)
        return item.tax1_id if item else 0

    def company_id(self, name: str) -> int:
        return min(c.id for c in self.store.contacts.values() if c.display_name == name)

    # -- invoices -------------------------------------------------------------------------

    def create_invoice(
        self,
        number: str,
        contact_id: int,
        lines: Sequence[AdminLine],
        issued: date,
        due: date,
        *,
        currency: str = "EUR",
        terms: str = "Payment within 30 days.",
        description: str = "",
    ) -> int:
        """A new Draft, saved as the invoice screen saves it (with the contact's billing
        address, as the screen proposes it)."""
        with self.store.lock:
            invoice_id = self.store.next_id("invoice")
            invoice = Invoice(
                id=invoice_id,
                number=number,
                status=InvoiceStatus.DRAFT,
                issue_date=self._utc(issued),
                due_date=self._utc(due),
                template_type=0,
                contact_id=contact_id,
                consignee_id=0,
                entity_id=0,
                language="en-US",
                currency=currency,
                exchange_rate=Decimal(1),
                purchase_order_number="",
                terms=terms,
                description=description,
                file_id=0,
                billing_address_id=self._billing_address(contact_id),
                delivery_address_id=0,
                json_data="",
                create_on=self.store.clock(),
                create_by=self.store.admin.id,
                lines=self._stored_lines(invoice_id, lines),
            )
            self._save(invoice)
            return invoice_id

    def set_lines(self, invoice_id: int, lines: Sequence[AdminLine]) -> None:
        """Replaces every line, reopening the invoice first when it is not a Draft."""
        with self.store.lock:
            self._edit(invoice_id, lines=self._stored_lines(invoice_id, lines))

    def lines_of(self, invoice_id: int) -> list[AdminLine]:
        invoice = self._invoice(invoice_id)
        return [
            AdminLine(
                line.item_id,
                line.quantity,
                line.price,
                line.description,
                line.tax1_id,
                line.tax2_id,
                line.discount,
            )
            for line in invoice.lines
        ]

    def set_quantity(self, invoice_id: int, position: int, quantity: Decimal) -> None:
        with self.store.lock:
            lines = self.lines_of(invoice_id)
            lines[position] = dataclasses.replace(lines[position], quantity=quantity)
            self.set_lines(invoice_id, lines)

    def add_line(self, invoice_id: int, line: AdminLine) -> None:
        with self.store.lock:
            self.set_lines(invoice_id, [*self.lines_of(invoice_id), line])

    def remove_line(self, invoice_id: int, position: int) -> None:
        with self.store.lock:
            lines = self.lines_of(invoice_id)
            del lines[position]
            self.set_lines(invoice_id, lines)

    def set_due_date(self, invoice_id: int, due: date) -> None:
        with self.store.lock:
            self._edit(invoice_id, due_date=self._utc(due))

    def move_to(self, invoice_id: int, status: int) -> None:
        """Moves the invoice through the allowed transitions, as the status menu would."""
        with self.store.lock:
            for step in status_path(self._invoice(invoice_id).status, status):
                move_status(self.store, self._invoice(invoice_id), step)

    # -- plumbing -------------------------------------------------------------------------

    def _edit(self, invoice_id: int, **changes: object) -> None:
        """Reopen if needed, change, save, and send it back to where it was."""
        status = self._invoice(invoice_id).status
        self.move_to(invoice_id, InvoiceStatus.DRAFT)
        self._save(dataclasses.replace(self._invoice(invoice_id), **changes))  # type: ignore[arg-type]
        self.move_to(invoice_id, status)

    def _save(self, invoice: Invoice) -> None:
        self.store.put_invoice(invoice)
        print_data = build_print_data(self.store, invoice, self.zone)
        self.store.edit_invoice(invoice.id, json_data=print_data)

    def _stored_lines(self, invoice_id: int, lines: Sequence[AdminLine]) -> tuple[InvoiceLine, ...]:
        return tuple(
            InvoiceLine(
                id=self.store.next_id("invoiceline"),
                invoice_id=invoice_id,
                item_id=line.item_id,
                tax1_id=line.tax1_id,
                tax2_id=line.tax2_id,
                sort_order=position,
                description=line.description,
                quantity=stored_decimal(Decimal(line.quantity)),
                price=stored_decimal(Decimal(line.price)),
                discount=stored_decimal(Decimal(line.discount)),
            )
            for position, line in enumerate(lines)
        )

    def _billing_address(self, contact_id: int) -> int:
        ids = [
            info.id
            for info in self.store.infos_of(contact_id)
            if info.info_type == INFO_ADDRESS and info.category == ADDRESS_BILLING
        ]
        return min(ids, default=0)

    def _invoice(self, invoice_id: int) -> Invoice:
        invoice = self.store.invoice(invoice_id)
        if invoice is None:
            raise KeyError(f"no ONLYOFFICE invoice {invoice_id}")
        return invoice

    def _utc(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)
