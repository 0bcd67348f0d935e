"""What the end-to-end tests of the reverse and two-way directions check, and the people they
play: seeded data whose money adds up exactly in both systems, a comparison of both simulators'
stores under the mapping, a duplicate finder, and a seeded random walk of hand edits.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bridge.errors import BridgeError
from bridge.sandbox.onlyoffice import Invoice, InvoiceStatus
from bridge.sandbox.onlyoffice.costing import invoice_cost
from bridge.sandbox.onlyoffice_admin import AdminLine as OnlyofficeLine
from bridge.sandbox.perfex.store import StoredInvoice
from bridge.sandbox.perfex_admin import DRAFT_NUMBER as PERFEX_DRAFT_NUMBER
from bridge.sandbox.perfex_admin import AdminLine as PerfexLine
from bridge.sandbox.perfex_admin import AdminTax
from bridge.sandbox.seed import SeedData, SeedInvoice, SeedLine, SeedProduct

CENT = Decimal("0.01")
DEFAULT_TERMS = "Payment due as invoiced."
DEFAULT_DUE_DAYS = 30
UNPAID, PAID, PARTIALLY_PAID, OVERDUE, CANCELLED, DRAFT = 1, 2, 3, 4, 5, 6
OO_DRAFT, OO_SENT, OO_REJECTED, OO_PAID, OO_ARCHIVED = 1, 2, 3, 4, 5
# The status pairs a bookkeeper reads as saying the same thing, written down here rather than
# taken from the bridge's own tables: unpaid, partly paid and overdue invoices are sent ones;
# cancelled is rejected; a draft is a draft; paid is paid. Perfex derives its paid states from
# recorded payments, so a Perfex invoice paid there may face a sent ONLYOFFICE copy, and an
# invoice paid or archived in ONLYOFFICE stays open in Perfex until someone records the payment.
SAME_STATUS = frozenset(
    {
        (UNPAID, OO_SENT),
        (PARTIALLY_PAID, OO_SENT),
        (OVERDUE, OO_SENT),
        (PAID, OO_SENT),
        (PAID, OO_PAID),
        (CANCELLED, OO_REJECTED),
        (DRAFT, OO_DRAFT),
        *((perfex, OO_PAID) for perfex in (UNPAID, PARTIALLY_PAID, OVERDUE)),
        *((perfex, OO_ARCHIVED) for perfex in (UNPAID, PAID, PARTIALLY_PAID, OVERDUE)),
    }
)


# -- seeds --------------------------------------------------------------------------------


def exact(data: SeedData) -> SeedData:
    """The same books with whole quantities and prices. Every line tax (7 % or 20 % of a whole
    amount) is then a whole number of cents, so ONLYOFFICE's per-line rounding and Perfex's
    per-tax rounding give the same totals and every invoice can be mirrored exactly."""
    products = tuple(
        dataclasses.replace(product, price=_whole(product.price)) for product in data.products
    )
    invoices = tuple(
        dataclasses.replace(invoice, lines=tuple(_whole_line(line) for line in invoice.lines))
        for invoice in data.invoices
    )
    return dataclasses.replace(data, products=products, invoices=invoices)


def _whole(amount: Decimal) -> Decimal:
    return max(Decimal(1), amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole_line(line: SeedLine) -> SeedLine:
    return dataclasses.replace(line, qty=_whole(line.qty), rate=_whole(line.rate))


def only(data: SeedData, invoices: tuple[SeedInvoice, ...]) -> SeedData:
    """The same customers, products and taxes with only these invoices."""
    return dataclasses.replace(data, invoices=invoices)


# -- the two systems compared under the mapping ----------------------------------------------


def differences(rig) -> list[str]:  # noqa: ANN001 (the conftest's Rig)
    """Everything that keeps the two stores from saying the same under the mapping.

    Each invoice number must exist exactly once on each side (Perfex drafts still carrying
    the placeholder number are never synced), with the same customer, dates, currency, lines
    with their taxes, texts, total and a status each side's table maps to the other's.
    """
    perfex: dict[str, list[StoredInvoice]] = {}
    for invoice in rig.perfex.store.invoices.values():
        if invoice.number != PERFEX_DRAFT_NUMBER:
            perfex.setdefault(perfex_number(invoice), []).append(invoice)
    onlyoffice = {invoice.number: invoice for invoice in rig.onlyoffice.store.invoices.values()}
    found: list[str] = []
    for number in sorted(perfex.keys() | onlyoffice.keys()):
        twins = perfex.get(number, [])
        if len(twins) != 1 or number not in onlyoffice:
            found.append(
                f"{number}: {len(twins)} in Perfex, {int(number in onlyoffice)} in ONLYOFFICE"
            )
            continue
        found += [
            f"{number}: {text}" for text in pair_differences(rig, twins[0], onlyoffice[number])
        ]
    return found


def perfex_number(invoice: StoredInvoice) -> str:
    return f"{invoice.row['prefix']}{invoice.number:06d}"


def pair_differences(rig, perfex: StoredInvoice, onlyoffice: Invoice) -> list[str]:  # noqa: ANN001
    zone = rig.onlyoffice.options.zone  # ONLYOFFICE stores UTC and shows the portal's dates
    facts = {
        "customer": (_perfex_customer(rig, perfex), _onlyoffice_contact(rig, onlyoffice)),
        "date": (perfex.date, onlyoffice.issue_date.astimezone(zone).date()),
        "due date": (_perfex_due(perfex), onlyoffice.due_date.astimezone(zone).date()),
        "currency": (rig.perfex.store.currencies[perfex.currency].name, onlyoffice.currency),
        "lines": (perfex_lines(rig, perfex.id), onlyoffice_lines(rig, onlyoffice)),
        "total": (perfex.total, invoice_cost(onlyoffice.lines, rig.onlyoffice.store.taxes)),
        "terms": (_text(perfex.row["terms"]) or DEFAULT_TERMS, onlyoffice.terms),
        "note": (_text(perfex.row["clientnote"]), onlyoffice.description),
    }
    found = [f"{name}: {a!r} != {b!r}" for name, (a, b) in facts.items() if a != b]
    if not statuses_agree(perfex.status, onlyoffice.status):
        found.append(f"status: Perfex {perfex.status}, ONLYOFFICE {onlyoffice.status}")
    return found


def perfex_lines(rig, invoice_id: int) -> list[tuple]:  # noqa: ANN001
    lines = []
    for line in rig.perfex.store.lines_of(invoice_id):
        long = _text(line.long_description)
        text = f"{line.description}\n{long}" if long else line.description
        taxes = sorted((tax.name, tax.rate.quantize(CENT)) for tax in line.taxes)
        lines.append((text, line.qty.quantize(CENT), line.rate.quantize(CENT), taxes))
    return lines


def onlyoffice_lines(rig, invoice: Invoice) -> list[tuple]:  # noqa: ANN001
    store = rig.onlyoffice.store
    lines = []
    for line in invoice.lines:
        taxes = sorted(
            (store.tax(tax_id).name, store.tax(tax_id).rate.quantize(CENT))
            for tax_id in (line.tax1_id, line.tax2_id)
            if tax_id > 0
        )
        text = line.description or store.item(line.item_id).title
        lines.append((text, line.quantity.quantize(CENT), line.price.quantize(CENT), taxes))
    return lines


def statuses_agree(perfex: int, onlyoffice: int) -> bool:
    return (perfex, onlyoffice) in SAME_STATUS


def _perfex_customer(rig, invoice: StoredInvoice) -> str:  # noqa: ANN001
    return str(rig.perfex.store.customers[invoice.clientid].company)


def _onlyoffice_contact(rig, invoice: Invoice) -> str:  # noqa: ANN001
    return rig.onlyoffice.store.contact(invoice.contact_id).display_name


def _perfex_due(invoice: StoredInvoice) -> date:
    return invoice.duedate or invoice.date + timedelta(days=DEFAULT_DUE_DAYS)


def _text(value: object) -> str:
    """Perfex text as typed: without the `<br />` its server puts before every line break
    (PHP's nl2br), and with plain newlines."""
    text = re.sub(r"<br\s*/?>(?=\r?\n)", "", str(value or ""))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def duplicates(rig) -> list[str]:  # noqa: ANN001
    """Anything either system now holds twice that it held once."""
    perfex, onlyoffice = rig.perfex.store, rig.onlyoffice.store
    names = {
        "Perfex customer": [customer.company for customer in perfex.customers.values()],
        "Perfex invoice": [
            (invoice.number, invoice.date.year)
            for invoice in perfex.invoices.values()
            if invoice.number != PERFEX_DRAFT_NUMBER
        ],
        "ONLYOFFICE contact": [contact.display_name for contact in onlyoffice.contacts.values()],
        "ONLYOFFICE product": [item.title for item in onlyoffice.items.values()],
        "ONLYOFFICE tax": [tax.name for tax in onlyoffice.taxes.values()],
        "ONLYOFFICE invoice": [invoice.number for invoice in onlyoffice.invoices.values()],
    }
    return [
        f"{kind} {name}"
        for kind, values in names.items()
        for name, count in Counter(values).items()
        if count > 1
    ]


# -- people editing both systems by hand ---------------------------------------------------


class Walk:
    """A seeded sequence of hand edits in both systems, interleaved with syncs.

    Every edit is one a person makes in the system's own screens, with the products, taxes
    and customers both systems were seeded with; quantities and prices stay whole, so every
    invoice can be mirrored exactly (see `exact`).
    """

    def __init__(self, rig, data: SeedData, seed: int, today: date) -> None:  # noqa: ANN001
        self.rig = rig
        self.data = data
        self.rng = random.Random(seed)
        self.today = today
        self.created = 0
        self.actions = [
            (self.sync, 4),
            (self.onlyoffice_create, 2),
            (self.onlyoffice_quantity, 2),
            (self.onlyoffice_add_line, 1),
            (self.onlyoffice_remove_line, 1),
            (self.onlyoffice_due_date, 1),
            (self.onlyoffice_send, 1),
            (self.onlyoffice_paid, 1),
            (self.perfex_create, 2),
            (self.perfex_quantity, 2),
            (self.perfex_add_line, 1),
            (self.perfex_remove_line, 1),
            (self.perfex_due_date, 1),
            (self.perfex_payment, 1),
        ]
        self.syncs: list = []

    def step(self) -> str | None:
        """One action picked at random; None when it found nothing to act on."""
        actions, weights = zip(*self.actions, strict=True)
        action = self.rng.choices(actions, weights)[0]
        return action()

    def sync(self) -> str:
        try:
            self.syncs.append(self.rig.run("sync"))
        except BridgeError as error:  # a run cut short by a fault is a run like any other
            return f"sync stopped: {error}"
        return "sync"

    # ONLYOFFICE, by hand

    def _product(self) -> SeedProduct:
        return self.rng.choice(self.data.products)

    def _onlyoffice_line(self) -> OnlyofficeLine:
        admin = self.rig.onlyoffice_admin
        product = self._product()
        item_id = admin.item_id(product.title)
        quantity = Decimal(self.rng.randint(1, 6))
        return OnlyofficeLine(
            item_id, quantity, product.price, product.title, admin.tax_of_item(item_id)
        )

    def _onlyoffice_invoice(self) -> Invoice | None:
        invoices = sorted(self.rig.onlyoffice.store.invoices.values(), key=_onlyoffice_order)
        return self.rng.choice(invoices) if invoices else None

    def onlyoffice_create(self) -> str:
        self.created += 1
        number = f"INV-{5000 + self.created:06d}"
        contacts = sorted(
            (c for c in self.rig.onlyoffice.store.contacts.values() if c.is_company),
            key=lambda c: c.company_name,
        )
        contact = self.rng.choice(contacts)
        issued = self.today - timedelta(days=self.rng.randint(0, 40))
        lines = [self._onlyoffice_line() for _ in range(self.rng.randint(1, 3))]
        admin = self.rig.onlyoffice_admin
        invoice_id = admin.create_invoice(
            number,
            contact.id,
            lines,
            issued,
            issued + timedelta(days=30),
            currency=contact.currency or "EUR",
        )
        if self.rng.random() < 0.5:
            admin.move_to(invoice_id, InvoiceStatus.SENT)
        return f"ONLYOFFICE: created {number}"

    def onlyoffice_quantity(self) -> str | None:
        invoice = self._onlyoffice_invoice()
        if invoice is None:
            return None
        position = self.rng.randrange(len(invoice.lines))
        quantity = invoice.lines[position].quantity + self.rng.randint(1, 3)
        self.rig.onlyoffice_admin.set_quantity(invoice.id, position, quantity)
        return f"ONLYOFFICE: {invoice.number} line {position + 1} quantity {quantity}"

    def onlyoffice_add_line(self) -> str | None:
        invoice = self._onlyoffice_invoice()
        if invoice is None:
            return None
        self.rig.onlyoffice_admin.add_line(invoice.id, self._onlyoffice_line())
        return f"ONLYOFFICE: {invoice.number} line added"

    def onlyoffice_remove_line(self) -> str | None:
        invoice = self._onlyoffice_invoice()
        if invoice is None or len(invoice.lines) < 2:
            return None
        self.rig.onlyoffice_admin.remove_line(invoice.id, self.rng.randrange(len(invoice.lines)))
        return f"ONLYOFFICE: {invoice.number} line removed"

    def onlyoffice_due_date(self) -> str | None:
        invoice = self._onlyoffice_invoice()
        if invoice is None:
            return None
        issued = invoice.issue_date.astimezone(self.rig.onlyoffice.options.zone).date()
        due = issued + timedelta(days=self.rng.randint(10, 90))
        self.rig.onlyoffice_admin.set_due_date(invoice.id, due)
        return f"ONLYOFFICE: {invoice.number} due {due}"

    def onlyoffice_send(self) -> str | None:
        return self._onlyoffice_move(InvoiceStatus.DRAFT, InvoiceStatus.SENT)

    def onlyoffice_paid(self) -> str | None:
        return self._onlyoffice_move(InvoiceStatus.SENT, InvoiceStatus.PAID)

    def _onlyoffice_move(self, before: int, after: int) -> str | None:
        candidates = [i for i in self.rig.onlyoffice.store.invoices.values() if i.status == before]
        if not candidates:
            return None
        invoice = self.rng.choice(sorted(candidates, key=_onlyoffice_order))
        self.rig.onlyoffice_admin.move_to(invoice.id, after)
        return f"ONLYOFFICE: {invoice.number} moved to {after}"

    # Perfex, by hand

    def _perfex_line(self) -> PerfexLine:
        product = self._product()
        tax = AdminTax(product.tax.name, product.tax.rate) if product.tax else None
        return PerfexLine(product.title, Decimal(self.rng.randint(1, 6)), product.price, tax)

    def _perfex_invoice(self) -> StoredInvoice | None:
        invoices = [
            invoice
            for invoice in self.rig.perfex.store.invoices.values()
            if invoice.number != PERFEX_DRAFT_NUMBER
        ]
        return self.rng.choice(sorted(invoices, key=_perfex_order)) if invoices else None

    def perfex_create(self) -> str:
        customer = self.rng.choice(self.data.customers)
        issued = self.today - timedelta(days=self.rng.randint(0, 40))
        currency = int(self.rig.perfex.currency_ids[customer.currency])
        lines = [self._perfex_line() for _ in range(self.rng.randint(1, 3))]
        invoice_id = self.rig.perfex_admin.create_invoice(
            customer.key,
            lines,
            issued,
            issued + timedelta(days=30),
            currency_id=currency,
            terms="Payment within 30 days.",
        )
        return f"Perfex: created invoice {invoice_id}"

    def perfex_quantity(self) -> str | None:
        invoice = self._perfex_invoice()
        if invoice is None:
            return None
        lines = self.rig.perfex.store.lines_of(invoice.id)
        position = self.rng.randrange(len(lines))
        quantity = lines[position].qty + self.rng.randint(1, 3)
        self.rig.perfex_admin.set_quantity(invoice.id, position, quantity)
        return f"Perfex: {perfex_number(invoice)} line {position + 1} quantity {quantity}"

    def perfex_add_line(self) -> str | None:
        invoice = self._perfex_invoice()
        if invoice is None:
            return None
        line = self._perfex_line()
        self.rig.perfex_admin.add_line(
            invoice.id, line.description, line.qty, line.rate, tax=line.tax
        )
        return f"Perfex: {perfex_number(invoice)} line added"

    def perfex_remove_line(self) -> str | None:
        invoice = self._perfex_invoice()
        if invoice is None or len(self.rig.perfex.store.lines_of(invoice.id)) < 2:
            return None
        position = self.rng.randrange(len(self.rig.perfex.store.lines_of(invoice.id)))
        self.rig.perfex_admin.remove_line(invoice.id, position)
        return f"Perfex: {perfex_number(invoice)} line removed"

    def perfex_due_date(self) -> str | None:
        invoice = self._perfex_invoice()
        if invoice is None:
            return None
        due = invoice.date + timedelta(days=self.rng.randint(10, 90))
        self.rig.perfex_admin.set_due_date(invoice.id, due)
        return f"Perfex: {perfex_number(invoice)} due {due}"

    def perfex_payment(self) -> str | None:
        open_ones = [
            invoice
            for invoice in self.rig.perfex.store.invoices.values()
            if invoice.status in (UNPAID, OVERDUE)
        ]
        if not open_ones:
            return None
        invoice = self.rng.choice(sorted(open_ones, key=_perfex_order))
        self.rig.perfex_admin.pay_in_full(invoice.id, self.today)
        return f"Perfex: {perfex_number(invoice)} paid"


# The walk picks records in an order that does not depend on ids: the bridge creates records
# on worker threads, so their ids follow thread timing, and a seeded walk must not.


def _onlyoffice_order(invoice: Invoice) -> str:
    return invoice.number


def _perfex_order(invoice: StoredInvoice) -> tuple[str, date, int]:
    """By number and year; the id only orders the drafts the walk itself typed in, in turn."""
    return perfex_number(invoice), invoice.date, invoice.id
