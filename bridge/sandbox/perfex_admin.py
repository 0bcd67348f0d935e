"""Edits to simulated Perfex invoices as a person makes them in Perfex's admin UI.

People edit invoices in the admin screen, not through the API: the screen keeps each line's
taxes and, on save, posts the totals its own JavaScript computes (API notes 5.2,
`perfex.screen`), after which the server recomputes `total_tax` and the status. Text typed
into the screen's text areas reaches the server with the CRLF line breaks a browser sends.
New invoices take the next free number of their year, and payments recorded there make Perfex
derive paid or partially paid. Besides lines and dates, a person sets fields the API only
carries along: recurrence, shipping, `cancel_overdue_reminders`, sale agent, admin note,
project, tags and custom fields. The demo, the sandbox's edit endpoint and the end-to-end
tests use these edits to play that person, and `damage` plays a broken database row.

Must not: be used by the bridge itself, or import the bridge's own code; it writes to the
simulator's store directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Protocol

from bridge.sandbox import broken_rows
from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.perfex.engine import LineTax
from bridge.sandbox.perfex.php import nl2br, serialize
from bridge.sandbox.perfex.schema import CLIENT_COLUMNS, INVOICE_COLUMNS, Stored
from bridge.sandbox.perfex.screen import ScreenDiscount, screen_totals
from bridge.sandbox.perfex.store import StoredCustomer, StoredInvoice, StoredLine
from bridge.sandbox.perfex.writes import refresh_formatted_number
from bridge.sandbox.seed_words import typed_in_a_browser

CENT = Decimal("0.01")
DRAFT, CANCELLED, UNPAID = 6, 5, 1
DRAFT_NUMBER = 1000000000


class TaxLike(Protocol):
    """A tax picked from Perfex's tax list: anything with a name and a percent rate."""

    @property
    def name(self) -> str: ...

    @property
    def rate(self) -> Decimal: ...


@dataclass(frozen=True)
class AdminTax:
    name: str
    rate: Decimal


@dataclass(frozen=True)
class AdminLine:
    """A line as typed on the invoice screen; taxes are picked from Perfex's tax list."""

    description: str
    qty: Decimal
    rate: Decimal
    tax: TaxLike | None = None
    long_description: str = ""
    unit: str = ""
    taxes: tuple[TaxLike, ...] = ()  # more taxes (up to two in all, as the screen allows)

    def line_taxes(self) -> list[LineTax]:
        picked = ([self.tax] if self.tax is not None else []) + list(self.taxes)
        return list(dict.fromkeys(LineTax(t.name, Decimal(t.rate)) for t in picked))


class PerfexAdmin:
    """One person at the Perfex admin screen of a simulator."""

    def __init__(self, simulator: PerfexSimulator) -> None:
        self.store = simulator.store

    # -- invoices ------------------------------------------------------------------------

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
        adminnote: str = "",
        draft: bool = False,
    ) -> int:
        """A new invoice saved from the admin screen: the next free number of its year (the
        screen refuses a used one), the customer's billing address, the screen's totals.
        `draft` saves it as a draft, with the placeholder number until it is sent."""
        with self.store.lock:
            invoice_id = self.store.next_id("invoices")
            row = self._new_row(invoice_id, clientid, issued, due, currency_id)
            row.update(terms=_typed(terms), clientnote=_typed(clientnote))
            row.update(adminnote=_typed(adminnote))
            if draft:
                row.update(status=DRAFT, number=DRAFT_NUMBER, sent=0)
            refresh_formatted_number(self.store, row)
            self.store.insert_invoice(StoredInvoice(row))
            for order, line in enumerate(lines, start=1):
                self._insert(invoice_id, order, line)
            if not draft:
                following = int(row["number"]) + 1  # type: ignore[arg-type]
                self.store.next_invoice_number = max(self.store.next_invoice_number, following)
            self._save(invoice_id)
            return invoice_id

    def add_payment(self, invoice_id: int, amount: Decimal, on: date, mode: str = "1") -> None:
        """A payment recorded in the admin screen; Perfex derives the status from it."""
        self.store.add_payment(invoice_id, amount, on, mode)

    def pay_in_full(self, invoice_id: int, on: date) -> None:
        self.add_payment(invoice_id, self.store.left_to_pay(invoice_id), on)

    def set_due_date(self, invoice_id: int, due: date | None) -> None:
        self._edit(invoice_id, duedate=due)

    def set_date(self, invoice_id: int, issued: date) -> None:
        self._edit(invoice_id, date=issued)

    def create_customer(
        self, company: str, street: str = "", city: str = "", zip_code: str = ""
    ) -> int:
        """A customer saved from the admin screen (Customers > New customer); its `userid`."""
        with self.store.lock:
            userid = self.store.next_id("clients")
            row: dict[str, Stored] = {column.name: column.default for column in CLIENT_COLUMNS}
            row.update(
                userid=userid,
                company=company,
                address=street,
                city=city,
                zip=zip_code,
                billing_street=street,
                billing_city=city,
                billing_zip=zip_code,
                datecreated=datetime.combine(self.store.today, time(9, 0)),
                addedfrom=1,
            )
            self.store.customers[userid] = StoredCustomer(row, None)
            return userid

    def add_currency(self, iso: str) -> int:
        """A currency added under Setup > Finance > Currencies; its id."""
        return self.store.ensure_currency(iso).id

    def set_customer(self, invoice_id: int, clientid: int) -> None:
        self._edit(invoice_id, clientid=clientid)

    def set_currency(self, invoice_id: int, currency_id: int) -> None:
        self._edit(invoice_id, currency=currency_id)

    def mark_cancelled(self, invoice_id: int) -> None:
        self._edit(invoice_id, status=CANCELLED, sent=1)

    def unmark_cancelled(self, invoice_id: int) -> None:
        self._edit(invoice_id, status=UNPAID)

    def send_draft(self, invoice_id: int) -> None:
        """Sends a draft: a placeholder number becomes the next invoice number."""
        with self.store.lock:
            invoice = self.store.invoices[invoice_id]
            changes: dict[str, object] = {"status": UNPAID, "sent": 1}
            if invoice.number == DRAFT_NUMBER:
                number = self._free_number(invoice.date.year)
                changes["number"] = number
                self.store.next_invoice_number = number + 1
            self._edit(invoice_id, **changes)
            refresh_formatted_number(self.store, invoice.row)

    # -- lines ---------------------------------------------------------------------------

    def set_quantity(self, invoice_id: int, position: int, qty: Decimal) -> None:
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            line.qty = Decimal(qty).quantize(CENT)
            self._save(invoice_id)

    def set_rate(self, invoice_id: int, position: int, rate: Decimal) -> None:
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            line.rate = Decimal(rate).quantize(CENT)
            self._save(invoice_id)

    def set_line_text(
        self, invoice_id: int, position: int, description: str, long_description: str = ""
    ) -> None:
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            line.description = description
            line.long_description = _typed(long_description)
            self._save(invoice_id)

    def set_line_taxes(self, invoice_id: int, position: int, taxes: Iterable[TaxLike]) -> None:
        """Picks the line's taxes (none, one or two) from the tax list."""
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            line.taxes[:] = list(dict.fromkeys(LineTax(t.name, Decimal(t.rate)) for t in taxes))
            self._save(invoice_id)

    def add_line(
        self,
        invoice_id: int,
        description: str,
        qty: Decimal,
        rate: Decimal,
        *,
        unit: str = "",
        tax: TaxLike | None = None,
        taxes: tuple[TaxLike, ...] = (),
        long_description: str = "",
    ) -> None:
        with self.store.lock:
            lines = self.store.lines_of(invoice_id)
            order = max((line.item_order or 0 for line in lines), default=0) + 1
            line = AdminLine(description, qty, rate, tax, long_description, unit, taxes)
            self._insert(invoice_id, order, line)
            self._save(invoice_id)

    def remove_line(self, invoice_id: int, position: int) -> None:
        with self.store.lock:
            line = self.store.lines_of(invoice_id)[position]
            self.store.delete_line(line.id)
            self._save(invoice_id)

    # -- money the screen computes from --------------------------------------------------

    def set_discount(
        self,
        invoice_id: int,
        kind: str,
        *,
        percent: Decimal = Decimal(0),
        fixed: Decimal = Decimal(0),
    ) -> None:
        """An invoice discount: `kind` "before_tax" or "after_tax" (or "" to remove it),
        in percent mode (`percent`) or fixed mode (`fixed`)."""
        with self.store.lock:
            self._edit(
                invoice_id,
                discount_type=kind,
                discount_percent=Decimal(percent),
                discount_total=Decimal(fixed),
            )

    def set_adjustment(self, invoice_id: int, amount: Decimal) -> None:
        self._edit(invoice_id, adjustment=Decimal(amount))

    # -- fields the API only carries along ----------------------------------------------

    def set_recurring(
        self, invoice_id: int, every: int, *, unit: str | None = None, cycles: int = 0
    ) -> None:
        """Recur every `every` months, or every `every` `unit`s (day, week, month, year);
        `cycles` 0 means for ever."""
        self._edit(
            invoice_id,
            recurring=every,
            recurring_type=unit,
            custom_recurring=1 if unit else 0,
            cycles=cycles,
        )

    def stop_recurring(self, invoice_id: int) -> None:
        self._edit(
            invoice_id,
            recurring=0,
            recurring_type=None,
            custom_recurring=0,
            cycles=0,
            total_cycles=0,
            last_recurring_date=None,
        )

    def set_shipping(
        self,
        invoice_id: int,
        street: str,
        city: str = "",
        state: str = "",
        zip_code: str = "",
        country: int = 0,
        *,
        show_on_invoice: bool = True,
    ) -> None:
        self._edit(
            invoice_id,
            include_shipping=1,
            show_shipping_on_invoice=1 if show_on_invoice else 0,
            shipping_street=nl2br(typed_in_a_browser(street.strip())),
            shipping_city=city,
            shipping_state=state,
            shipping_zip=zip_code,
            shipping_country=country,
        )

    def remove_shipping(self, invoice_id: int) -> None:
        self._edit(invoice_id, include_shipping=0, show_shipping_on_invoice=1)

    def set_cancel_overdue_reminders(self, invoice_id: int, on: bool = True) -> None:
        self._edit(invoice_id, cancel_overdue_reminders=1 if on else 0)

    def set_sale_agent(self, invoice_id: int, staff_id: int) -> None:
        self._edit(invoice_id, sale_agent=staff_id)

    def set_admin_note(self, invoice_id: int, text: str) -> None:
        self._edit(invoice_id, adminnote=_typed(text))

    def set_client_note(self, invoice_id: int, text: str) -> None:
        self._edit(invoice_id, clientnote=_typed(text))

    def set_terms(self, invoice_id: int, text: str) -> None:
        self._edit(invoice_id, terms=_typed(text))

    def set_project(self, invoice_id: int, project_id: int) -> None:
        self._edit(invoice_id, project_id=project_id)

    def set_tags(self, invoice_id: int, tags: Iterable[str]) -> None:
        with self.store.lock:
            self.store.invoices[invoice_id].tags[:] = [t.strip() for t in tags if t.strip()]

    def set_custom_field(self, invoice_id: int, label: str, value: str) -> None:
        """Sets an invoice custom field, defining it (for every invoice) on first use."""
        with self.store.lock:
            field = self.store.define_custom_field(label)
            self.store.invoices[invoice_id].custom_values[field.id] = value

    # -- broken rows ---------------------------------------------------------------------

    def damage(self, kind: str, record_id: int, field: str, how: str) -> None:
        """Makes one field of one stored record look broken on the wire (`damage.HOWS`).

        `kind` is one of invoice, line, customer, item, tax, payment_mode; `record_id` its
        id (`userid` for customers, the mode id for payment modes).
        """
        broken_rows.damage_perfex(self.store, kind, record_id, field, how)

    def repair(self, kind: str, record_id: int) -> None:
        self.store.damage.repair(kind, record_id)

    # -- plumbing ------------------------------------------------------------------------

    def _edit(self, invoice_id: int, **columns: object) -> None:
        """Changes columns as the screen's save does, then posts the screen's totals."""
        with self.store.lock:
            self.store.edit_invoice(invoice_id, **columns)
            self._save(invoice_id)

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
                long_description=_typed(line.long_description),
                qty=Decimal(line.qty).quantize(CENT),
                rate=Decimal(line.rate).quantize(CENT),
                unit=line.unit,
                item_order=order,
                taxes=line.line_taxes(),
            )
        )

    def _save(self, invoice_id: int) -> None:
        """What the screen posts on save: subtotal, total and discount by its own formula;
        the server then recomputes `total_tax` and the status."""
        row = self.store.invoices[invoice_id].row
        lines = [(line.qty, line.rate, line.taxes) for line in self.store.lines_of(invoice_id)]
        percent = Decimal(row["discount_percent"] or 0)  # type: ignore[arg-type]
        discount = ScreenDiscount(
            str(row["discount_type"] or ""),
            percent,
            Decimal(0) if percent else Decimal(row["discount_total"] or 0),  # type: ignore[arg-type]
        )
        totals = screen_totals(lines, discount, Decimal(row["adjustment"] or 0))  # type: ignore[arg-type]
        changes: dict[str, object] = {"subtotal": totals.subtotal, "total": totals.total}
        if discount.kind:
            changes["discount_total"] = totals.discount_total
            if not totals.discount_total:
                changes["discount_type"] = ""
        self.store.edit_invoice(invoice_id, **changes)


_BILLING = ("billing_street", "billing_city", "billing_state", "billing_zip", "billing_country")


def _typed(text: str) -> str:
    """Text as it reaches the database from the screen: CRLF from the browser, then nl2br."""
    return nl2br(typed_in_a_browser(text))
