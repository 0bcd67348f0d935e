"""Loads a neutral `SeedData` into the Perfex store in Perfex's own shapes.

Owns: the seeding rules: customers get `userid` 1..n (country as a `tblcountries`-like id,
`default_currency` 0 for the base currency EUR), taxes and catalogue items, invoices with ids
1..n in seed order as if typed into the admin UI (subtotal/total by the UI formula of contract
5.2, `total_tax` by the server formula of 5.3, text through `nl2br`), their lines and hidden
line taxes, payments for paid and partly paid invoices, and the statuses that follow.

Must not: go through the HTTP handlers (seeded data was never posted to the API) or read the
clock: every time and hash derives from the seed and `today`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from bridge.sandbox.perfex import engine
from bridge.sandbox.perfex.engine import LineTax
from bridge.sandbox.perfex.php import nl2br, round_half_up, serialize
from bridge.sandbox.perfex.reference import CatalogueItem, Tax
from bridge.sandbox.perfex.schema import CLIENT_COLUMNS, INVOICE_COLUMNS, Stored
from bridge.sandbox.perfex.store import (
    Contact,
    PerfexStore,
    StoredCustomer,
    StoredInvoice,
    StoredLine,
)
from bridge.sandbox.perfex.writes import refresh_formatted_number
from bridge.sandbox.seed import SeedCustomer, SeedData, SeedInvoice, SeedTax

# A few `tblcountries`-style ids (the table is alphabetical by country name); not guaranteed
# identical to any particular install.
COUNTRY_IDS = {"CH": 215, "CZ": 60, "DE": 82, "ES": 209, "FR": 75, "GB": 235, "PL": 177, "US": 236}
DRAFT_NUMBER = 1000000000
SEEDED_PAYMENT_MODES = {0: "1", 1: "2"}


def load_seed(store: PerfexStore, seed: SeedData) -> None:
    """Replaces the store's business data with `seed` (tokens and settings are kept)."""
    with store.lock:
        _clear(store)
        taxes = _load_taxes(store, seed.taxes)
        _load_catalogue(store, seed, taxes)
        for customer in seed.customers:
            _load_customer(store, customer)
        for invoice in seed.invoices:
            _load_invoice(store, invoice)
        numbers = [invoice.number for invoice in seed.invoices]
        store.next_invoice_number = max(numbers, default=0) + 1


def _clear(store: PerfexStore) -> None:
    for invoice_id in list(store.invoices):
        store.remove_invoice(invoice_id)
    store.customers.clear()
    store.taxes.clear()
    store.catalogue.clear()


def _load_taxes(store: PerfexStore, taxes: tuple[SeedTax, ...]) -> dict[SeedTax, int]:
    ids = {}
    for index, tax in enumerate(taxes, start=1):
        store.taxes[index] = Tax(index, tax.name, tax.rate)
        ids[tax] = index
    return ids


def _load_catalogue(store: PerfexStore, seed: SeedData, taxes: dict[SeedTax, int]) -> None:
    for index, product in enumerate(seed.products, start=1):
        tax_id = taxes.get(product.tax) if product.tax else None
        store.catalogue[index] = CatalogueItem(
            index, product.title, "", product.price, product.unit, taxid=tax_id
        )


def _load_customer(store: PerfexStore, customer: SeedCustomer) -> None:
    country = COUNTRY_IDS.get(customer.country, 0)
    currency = int(store.currency_ids.get(customer.currency, "0"))
    created = datetime.combine(store.today - timedelta(days=800 - customer.key), time(10, 0))
    row: dict[str, Stored] = {column.name: column.default for column in CLIENT_COLUMNS}
    row.update(
        userid=customer.key,
        company=customer.company,
        vat=customer.vat,
        phonenumber=customer.phone,
        country=country,
        city=customer.city,
        zip=customer.zip,
        state="",
        address=customer.street,
        website="",
        datecreated=created,
        billing_street=customer.street,
        billing_city=customer.city,
        billing_state="",
        billing_zip=customer.zip,
        billing_country=country,
        shipping_street="",
        shipping_city="",
        shipping_state="",
        shipping_zip="",
        shipping_country=0,
        default_language="",
        default_currency=0 if currency == 1 else currency,
        addedfrom=1,
    )
    store.customers[customer.key] = StoredCustomer(
        row, Contact("Accounts", "Payable", customer.email)
    )
    store.bump_sequence("clients", customer.key)


def _load_invoice(store: PerfexStore, invoice: SeedInvoice) -> None:
    line_specs = [
        (line.qty, line.rate, [LineTax(line.tax.name, line.tax.rate)] if line.tax else [])
        for line in invoice.lines
    ]
    subtotal, total = engine.ui_totals(line_specs)
    row = _invoice_row(store, invoice, subtotal, total)
    store.insert_invoice(StoredInvoice(row))
    for order, (line, spec) in enumerate(zip(invoice.lines, line_specs, strict=True), start=1):
        store.insert_line(
            StoredLine(
                store.next_id("itemable"),
                invoice.key,
                line.description,
                nl2br(line.long_description),
                round_half_up(line.qty),
                round_half_up(line.rate),
                line.unit,
                order,
                spec[2],
            )
        )
    store.recompute_total_tax(invoice.key)
    _settle(store, invoice, total)


def _invoice_row(
    store: PerfexStore, invoice: SeedInvoice, subtotal: Decimal, total: Decimal
) -> dict[str, Stored]:
    customer = store.customers[invoice.customer].row
    draft = invoice.state == "draft"
    created = datetime.combine(invoice.date, time(9, 0)) + timedelta(seconds=37 * invoice.key)
    row: dict[str, Stored] = {column.name: column.default for column in INVOICE_COLUMNS}
    row.update(
        id=invoice.key,
        sent=0 if draft else 1,
        datesend=None if draft else datetime.combine(invoice.date, time(10, 0)),
        clientid=invoice.customer,
        number=DRAFT_NUMBER if draft else invoice.number,
        prefix=store.options.invoice_prefix,
        number_format=1,
        datecreated=created,
        date=invoice.date,
        duedate=invoice.duedate,
        currency=int(store.currency_ids[invoice.currency]),
        subtotal=subtotal,
        total=total,
        adjustment=Decimal("0.00"),
        addedfrom=1,
        hash=store.new_hash(),
        status=_initial_status(invoice.state),
        clientnote=nl2br(invoice.clientnote),
        adminnote=nl2br(invoice.adminnote),
        terms=nl2br(invoice.terms),
        allowed_payment_modes=serialize(SEEDED_PAYMENT_MODES),
        billing_street=nl2br(customer["billing_street"]),
        billing_city=customer["billing_city"],
        billing_state=customer["billing_state"],
        billing_zip=customer["billing_zip"],
        billing_country=customer["billing_country"],
    )
    refresh_formatted_number(store, row)
    return row


def _initial_status(state: str) -> int:
    return {"draft": engine.DRAFT, "cancelled": engine.CANCELLED}.get(state, engine.UNPAID)


def _settle(store: PerfexStore, invoice: SeedInvoice, total: Decimal) -> None:
    paid_on = min(store.today, invoice.date + timedelta(days=10))
    if invoice.state == "paid":
        store.add_payment(invoice.key, total, paid_on)
    elif invoice.state == "partially_paid":
        half = (total / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        store.add_payment(invoice.key, half, paid_on)
    store.refresh_status(invoice.key)
