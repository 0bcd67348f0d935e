"""The simulated Perfex database and the hooks that change it without any API call.

Owns: the tables (invoices, lines with their hidden taxes, payments, customers with a primary
contact, currencies, taxes, catalogue items, payment modes, expense categories, API tokens), id
sequences, company options that change (`next_invoice_number`), "today", and the UI-side and cron
actions a test uses to move data behind the API's back: `add_payment`, `run_cron`,
`edit_invoice`, `issue_token`, `set_today`. Every public method holds `lock` (re-entrant), so
handlers and tests may interleave on threads.

Must not: parse requests, validate input or build responses (the handlers do), or read the
wall clock for data: times derive from `today` so that a seeded run is reproducible.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bridge.sandbox.damage import DamageBook
from bridge.sandbox.perfex import engine
from bridge.sandbox.perfex.engine import Discount, LineTax
from bridge.sandbox.perfex.options import PerfexOptions
from bridge.sandbox.perfex.php import round_half_up
from bridge.sandbox.perfex.reference import (
    ADDABLE_CURRENCIES,
    DEFAULT_CURRENCIES,
    DEFAULT_EXPENSE_CATEGORIES,
    DEFAULT_GATEWAYS,
    DEFAULT_PAYMENT_MODES,
    CatalogueItem,
    Currency,
    CustomField,
    Tax,
)
from bridge.sandbox.perfex.schema import INVOICE_COLUMN_MAP, ZERO_DATE, Column, Stored, coerce
from bridge.sandbox.perfex.tokens import TokenRegistry


@dataclass(frozen=True)
class Payment:
    """One `tblinvoicepaymentrecords` row."""

    id: int
    invoiceid: int
    amount: Decimal
    paymentmode: str
    date: date
    daterecorded: datetime
    paymentmethod: str = ""
    note: str = ""
    transactionid: str | None = None


@dataclass
class StoredLine:
    """One `tblitemable` row, with its `tblitem_tax` rows (never returned by any GET)."""

    id: int
    rel_id: int
    description: str
    long_description: str | None
    qty: Decimal
    rate: Decimal
    unit: str | None
    item_order: int | None
    taxes: list[LineTax] = field(default_factory=list)
    rel_type: str = "invoice"


@dataclass
class Contact:
    firstname: str
    lastname: str
    email: str


@dataclass
class StoredCustomer:
    row: dict[str, Stored]
    contact: Contact | None = None

    @property
    def userid(self) -> int:
        return int(self.row["userid"])  # type: ignore[arg-type]

    @property
    def company(self) -> str | None:
        return self.row["company"]  # type: ignore[return-value]


@dataclass
class StoredInvoice:
    """One `tblinvoices` row (typed values, all columns), its tags and custom field values."""

    row: dict[str, Stored]
    tags: list[str] = field(default_factory=list)
    custom_values: dict[int, str] = field(default_factory=dict)  # custom field id -> value

    def __getitem__(self, column: str) -> Stored:
        return self.row[column]

    @property
    def id(self) -> int:
        return self.row["id"]  # type: ignore[return-value]

    @property
    def number(self) -> int:
        return self.row["number"]  # type: ignore[return-value]

    @property
    def status(self) -> int:
        return self.row["status"]  # type: ignore[return-value]

    @property
    def total(self) -> Decimal:
        return self.row["total"]  # type: ignore[return-value]

    @property
    def subtotal(self) -> Decimal:
        return self.row["subtotal"]  # type: ignore[return-value]

    @property
    def total_tax(self) -> Decimal:
        return self.row["total_tax"]  # type: ignore[return-value]

    @property
    def date(self) -> date:
        return self.row["date"]  # type: ignore[return-value]

    @property
    def duedate(self) -> date | str | None:
        """A date, None, or `schema.ZERO_DATE` (a broken but legal MySQL value)."""
        return self.row["duedate"]  # type: ignore[return-value]

    @property
    def clientid(self) -> int:
        return self.row["clientid"]  # type: ignore[return-value]

    @property
    def currency(self) -> int:
        return self.row["currency"]  # type: ignore[return-value]


class PerfexStore:
    """The data behind one simulated Perfex install. Thread-safe through `lock`."""

    def __init__(self, options: PerfexOptions, today: date, clock: Callable[[], float]) -> None:
        self.lock = threading.RLock()
        self.options = options
        self.today = today
        self.clock = clock
        self.tokens = TokenRegistry()
        self.damage = DamageBook()
        self.currencies = {currency.id: currency for currency in DEFAULT_CURRENCIES}
        self.payment_modes = {mode.id: mode for mode in DEFAULT_PAYMENT_MODES}
        self.gateways = DEFAULT_GATEWAYS
        self.expense_categories = {c.id: c for c in DEFAULT_EXPENSE_CATEGORIES}
        self.taxes: dict[int, Tax] = {}
        self.catalogue: dict[int, CatalogueItem] = {}
        self.custom_fields: dict[int, CustomField] = {}
        self.customers: dict[int, StoredCustomer] = {}
        self.invoices: dict[int, StoredInvoice] = {}
        self.lines: dict[int, StoredLine] = {}
        self.payments: dict[int, Payment] = {}
        self.next_invoice_number = 1
        self._lines_by_invoice: dict[int, dict[int, StoredLine]] = {}
        self._payments_by_invoice: dict[int, list[Payment]] = {}
        self._sequences: dict[str, int] = {}
        self._rng = random.Random(0)
        self._ticks = 0

    # --- sequences, clock, randomness -------------------------------------------------------

    def next_id(self, table: str) -> int:
        """The next AUTO_INCREMENT id of a table named as in Perfex without its prefix:
        "invoices", "itemable", "invoicepaymentrecords", "clients", "user_api"."""
        with self.lock:
            self._sequences[table] = self._sequences.get(table, 0) + 1
            return self._sequences[table]

    def bump_sequence(self, table: str, at_least: int) -> None:
        with self.lock:
            self._sequences[table] = max(self._sequences.get(table, 0), at_least)

    def now(self) -> datetime:
        """Server local time for `datecreated`: today at 09:00, a second later per write."""
        with self.lock:
            self._ticks += 1
            return datetime.combine(self.today, time(9, 0)) + timedelta(seconds=self._ticks)

    def new_hash(self) -> str:
        with self.lock:
            return f"{self._rng.getrandbits(128):032x}"

    def set_today(self, today: date) -> None:
        with self.lock:
            self.today = today

    @property
    def currency_ids(self) -> dict[str, str]:
        return {currency.name: str(currency.id) for currency in self.currencies.values()}

    def define_custom_field(self, name: str, fieldto: str = "invoice") -> CustomField:
        """The custom field `name` of `fieldto`, defined in the admin UI on first use."""
        with self.lock:
            for known in self.custom_fields.values():
                if known.name == name and known.fieldto == fieldto:
                    return known
            defined = CustomField(self.next_id("customfields"), name, fieldto)
            self.custom_fields[defined.id] = defined
            return defined

    def invoice_custom_fields(self) -> list[CustomField]:
        with self.lock:
            return [f for f in self.custom_fields.values() if f.fieldto == "invoice"]

    def ensure_currency(self, iso: str) -> Currency:
        """The currency row for `iso`, added with the next id as an admin would add it."""
        with self.lock:
            for currency in self.currencies.values():
                if currency.name == iso:
                    return currency
            symbol, decimal, thousands, placement = ADDABLE_CURRENCIES.get(
                iso, (iso, ".", ",", "before")
            )
            added = Currency(
                max(self.currencies, default=0) + 1, symbol, iso, decimal, thousands, placement, 0
            )
            self.currencies[added.id] = added
            return added

    def issue_token(
        self,
        permissions: Mapping[str, Iterable[str]] | None = None,
        *,
        user: str | None = None,
        issued_at: int | None = None,
    ) -> str:
        """A new registered token; with `permissions`, checks are on and limited to that table
        (feature -> capabilities, e.g. `{"invoices": ["get", "search_get"]}`).

        Its API_TIME is the injected clock's now unless `issued_at` fixes it; with a fixed
        user and time the token is the same every run (the sandbox derives both from its seed).
        """
        with self.lock:
            number = self.next_id("user_api")
            when = int(self.clock()) if issued_at is None else issued_at
            return self.tokens.issue(user or f"sandbox-{number}", when, permissions)

    # --- lines and payments -----------------------------------------------------------------

    def lines_of(self, invoice_id: int) -> list[StoredLine]:
        """Lines in `item_order` (NULL first, as MySQL sorts), then by id."""
        with self.lock:
            lines = self._lines_by_invoice.get(invoice_id, {}).values()
            return sorted(
                lines, key=lambda line: (line.item_order is not None, line.item_order or 0, line.id)
            )

    def insert_line(self, line: StoredLine) -> None:
        with self.lock:
            if line.id in self.lines:
                raise ValueError(f"line id {line.id} is taken; use next_id('itemable')")
            self.bump_sequence("itemable", line.id)
            self.lines[line.id] = line
            self._lines_by_invoice.setdefault(line.rel_id, {})[line.id] = line

    def delete_line(self, line_id: int) -> bool:
        with self.lock:
            line = self.lines.pop(line_id, None)
            if line is None:
                return False
            self._lines_by_invoice.get(line.rel_id, {}).pop(line_id, None)
            return True

    def payments_of(self, invoice_id: int) -> list[Payment]:
        with self.lock:
            return list(self._payments_by_invoice.get(invoice_id, ()))

    def add_payment(
        self, invoice_id: int, amount: Decimal, on_date: date, mode: str = "1"
    ) -> Payment:
        """A payment recorded in the admin UI: status and `total_left_to_pay` follow (3.2)."""
        with self.lock:
            if invoice_id not in self.invoices:
                raise KeyError(f"no invoice {invoice_id}")
            payment = Payment(
                self.next_id("invoicepaymentrecords"),
                invoice_id,
                Decimal(amount),
                str(mode),
                on_date,
                datetime.combine(on_date, time(12, 0)),
            )
            self.payments[payment.id] = payment
            self._payments_by_invoice.setdefault(invoice_id, []).append(payment)
            self.refresh_status(invoice_id)
            return payment

    # --- invoices -----------------------------------------------------------------------------

    def insert_invoice(self, invoice: StoredInvoice) -> None:
        with self.lock:
            self.invoices[invoice.id] = invoice
            self.bump_sequence("invoices", invoice.id)

    def remove_invoice(self, invoice_id: int) -> None:
        """Deletes the invoice with its lines, line taxes and payments."""
        with self.lock:
            self.invoices.pop(invoice_id, None)
            for line_id in list(self._lines_by_invoice.pop(invoice_id, {})):
                self.lines.pop(line_id, None)
            for payment in self._payments_by_invoice.pop(invoice_id, []):
                self.payments.pop(payment.id, None)

    def recompute_total_tax(self, invoice_id: int) -> None:
        with self.lock:
            row = self.invoices[invoice_id].row
            discount = Discount(
                str(row["discount_type"] or ""),
                row["discount_percent"] or Decimal(0),  # type: ignore[arg-type]
                row["discount_total"] or Decimal(0),  # type: ignore[arg-type]
            )
            lines = [(line.qty, line.rate, line.taxes) for line in self.lines_of(invoice_id)]
            row["total_tax"] = engine.server_total_tax(lines, discount, row["subtotal"])  # type: ignore[arg-type]

    def refresh_status(self, invoice_id: int, *, force: bool = False) -> int:
        """`update_invoice_status`; returns the (possibly unchanged) status code."""
        with self.lock:
            row = self.invoices[invoice_id].row
            amounts = [payment.amount for payment in self.payments_of(invoice_id)]
            status = engine.invoice_status(
                row["status"],
                row["total"],
                row["duedate"],
                amounts,
                self.today,
                force=force,  # type: ignore[arg-type]
            )
            row["status"] = status
            return status

    def left_to_pay(self, invoice_id: int) -> Decimal:
        with self.lock:
            amounts = [payment.amount for payment in self.payments_of(invoice_id)]
            return engine.left_to_pay(self.invoices[invoice_id].total, amounts)

    def run_cron(self, today: date | None = None) -> list[int]:
        """The daily cron: unpaid invoices past their due date become overdue (4), no API write.

        Returns the ids whose status changed.
        """
        with self.lock:
            if today is not None:
                self.today = today
            changed = []
            for invoice in self.invoices.values():
                if invoice.status in (engine.PAID, engine.CANCELLED, engine.DRAFT):
                    continue
                if invoice.duedate is None:
                    continue
                before = invoice.status
                if self.refresh_status(invoice.id) != before:
                    changed.append(invoice.id)
            return changed

    def edit_invoice(self, invoice_id: int, **columns: object) -> None:
        """An edit made in the admin UI: columns set directly, then tax and status recomputed.

        Values may be typed (`Decimal`, `date`, `int`) or PHP-style strings.
        """
        with self.lock:
            invoice = self.invoices[invoice_id]
            for name, value in columns.items():
                invoice.row[name] = _ui_value(INVOICE_COLUMN_MAP[name], value)
            self.recompute_total_tax(invoice_id)
            self.refresh_status(invoice_id)

    def invoice_currency(self, invoice: StoredInvoice) -> Currency | None:
        return self.currencies.get(invoice.currency)


def _ui_value(column: Column, value: object) -> Stored:
    if column.kind == "date" and value == ZERO_DATE:
        return ZERO_DATE
    if column.kind == "money" and isinstance(value, Decimal):
        return round_half_up(value)
    if column.kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
        return value
    if column.kind == "datetime" and isinstance(value, datetime):
        return value
    return coerce(value, column, inserting=False)
