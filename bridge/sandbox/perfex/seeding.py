"""Loads a neutral `SeedData` into the Perfex store in Perfex's own shapes.

Owns the seeding rules, as if every invoice had been typed into the admin UI:
* currencies: EUR (1, base), USD (2), GBP (3), then any other seed currency with the next ids
  (CHF is 4 in the realistic mix); taxes with ids 1..n; catalogue items with up to two taxes;
* customers `userid` 1..n, country as a `tblcountries`-like id, `default_currency` 0 for the
  base currency; a person is a customer with a blank company (" "), so the API shows the
  primary contact's name; a customer without billing address has empty billing fields, and so
  have its invoices (the admin UI does not require them, only the API does);
* invoices with ids 1..n in seed order: subtotal, total and `discount_total` as the screen
  posts them (`screen.screen_totals`, API notes 5.2), `total_tax` as the server recomputes it
  (5.3), text through `nl2br` (CRLF from a browser stays CRLF), drafts as status 6 with the
  placeholder number 1000000000 or with their real number, cancelled as 5, MySQL's zero date
  `0000-00-00` where the seed says so, shipping, recurrence, sale agent, reminders flag, tags;
* lines with their hidden taxes; a per-line discount (an ONLYOFFICE notion) becomes the
  discounted rate a person would type, rounded to cents;
* payments for paid (one, or two instalments) and partly paid (half) invoices, and the
  statuses that follow from them and the due dates.

Must not: go through the HTTP handlers (seeded data was never posted to the API) or read the
clock: every time and hash derives from the seed and `today`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from bridge.sandbox.perfex import engine
from bridge.sandbox.perfex.engine import LineTax
from bridge.sandbox.perfex.php import nl2br, round_half_up, serialize
from bridge.sandbox.perfex.reference import DEFAULT_CURRENCIES, CatalogueItem, Tax
from bridge.sandbox.perfex.schema import CLIENT_COLUMNS, INVOICE_COLUMNS, ZERO_DATE, Stored
from bridge.sandbox.perfex.screen import ScreenDiscount, ScreenTotals, screen_totals
from bridge.sandbox.perfex.store import (
    Contact,
    PerfexStore,
    StoredCustomer,
    StoredInvoice,
    StoredLine,
)
from bridge.sandbox.perfex.writes import refresh_formatted_number
from bridge.sandbox.seed import SeedCustomer, SeedData, SeedInvoice, SeedLine, SeedTax

# A few `tblcountries`-style ids (the table is alphabetical by country name); not guaranteed
# identical to any particular install.
COUNTRY_IDS = {
    "AT": 15,
    "CH": 215,
    "CZ": 60,
    "DE": 82,
    "ES": 209,
    "FR": 75,
    "GB": 235,
    "PL": 177,
    "US": 236,
}
DRAFT_NUMBER = 1000000000
SEEDED_PAYMENT_MODES = {0: "1", 1: "2"}
BLANK_COMPANY = " "  # what Perfex stores for a customer without a company name
CENT = Decimal("0.01")


def load_seed(store: PerfexStore, seed: SeedData) -> None:
    """Replaces the store's business data with `seed` (tokens and settings are kept)."""
    with store.lock:
        _clear(store)
        for iso in seed.currencies:
            store.ensure_currency(iso)
        taxes = _load_taxes(store, seed.taxes)
        _load_catalogue(store, seed, taxes)
        for customer in seed.customers:
            _load_customer(store, customer)
        for invoice in seed.invoices:
            _load_invoice(store, seed, invoice)
        numbers = [invoice.number for invoice in seed.invoices]
        store.next_invoice_number = max(numbers, default=0) + 1


def _clear(store: PerfexStore) -> None:
    for invoice_id in list(store.invoices):
        store.remove_invoice(invoice_id)
    store.customers.clear()
    store.taxes.clear()
    store.catalogue.clear()
    store.currencies = {currency.id: currency for currency in DEFAULT_CURRENCIES}


def _load_taxes(store: PerfexStore, taxes: tuple[SeedTax, ...]) -> dict[SeedTax, int]:
    ids = {}
    for index, tax in enumerate(taxes, start=1):
        store.taxes[index] = Tax(index, tax.name, tax.rate)
        ids[tax] = index
    return ids


def _load_catalogue(store: PerfexStore, seed: SeedData, taxes: dict[SeedTax, int]) -> None:
    for index, product in enumerate(seed.products, start=1):
        tax_ids = [taxes[tax] for tax in product.taxes[:2]]
        store.catalogue[index] = CatalogueItem(
            index,
            product.title,
            nl2br(product.long_description),
            product.price,
            product.unit,
            taxid=tax_ids[0] if tax_ids else None,
            taxid_2=tax_ids[1] if len(tax_ids) > 1 else None,
        )


def _load_customer(store: PerfexStore, customer: SeedCustomer) -> None:
    country = COUNTRY_IDS.get(customer.country, 0)
    currency = int(store.currency_ids.get(customer.currency, "0"))
    created = datetime.combine(store.today - timedelta(days=800 - customer.key), time(10, 0))
    row: dict[str, Stored] = {column.name: column.default for column in CLIENT_COLUMNS}
    row.update(
        userid=customer.key,
        company=BLANK_COMPANY if customer.is_person else customer.company,
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
    if customer.is_person:
        contact = Contact(customer.first_name, customer.last_name, customer.email)
    else:
        contact = Contact("Accounts", "Payable", customer.email)
    store.customers[customer.key] = StoredCustomer(row, contact)
    store.bump_sequence("clients", customer.key)


def _perfex_line(line: SeedLine) -> tuple[Decimal, Decimal, list[LineTax]]:
    rate = line.rate
    if line.discount:
        rate = round_half_up(rate * (100 - line.discount) / 100)
    taxes = [LineTax(tax.name, tax.rate) for tax in line.taxes]
    return round_half_up(line.qty), round_half_up(rate), taxes


def _load_invoice(store: PerfexStore, seed: SeedData, invoice: SeedInvoice) -> None:
    specs = [_perfex_line(line) for line in invoice.lines]
    discount = _screen_discount(invoice)
    totals = screen_totals(specs, discount, invoice.adjustment)
    row = _invoice_row(store, invoice, totals, discount)
    store.insert_invoice(StoredInvoice(row, list(invoice.perfex.tags)))
    for order, (line, (qty, rate, taxes)) in enumerate(zip(invoice.lines, specs, strict=True), 1):
        store.insert_line(
            StoredLine(
                store.next_id("itemable"),
                invoice.key,
                line.description,
                nl2br(line.long_description),
                qty,
                rate,
                line.unit,
                order,
                taxes,
            )
        )
    store.recompute_total_tax(invoice.key)
    _settle(store, invoice, totals.total)


def _screen_discount(invoice: SeedInvoice) -> ScreenDiscount:
    if invoice.discount is None:
        return ScreenDiscount()
    return ScreenDiscount(invoice.discount.kind, invoice.discount.percent, invoice.discount.fixed)


def _invoice_row(
    store: PerfexStore, invoice: SeedInvoice, totals: ScreenTotals, discount: ScreenDiscount
) -> dict[str, Stored]:
    customer = store.customers[invoice.customer].row
    draft = invoice.state == "draft"
    placeholder = draft and invoice.perfex.placeholder_number
    created = datetime.combine(invoice.date, time(9, 0)) + timedelta(seconds=37 * invoice.key)
    row: dict[str, Stored] = {column.name: column.default for column in INVOICE_COLUMNS}
    row.update(
        id=invoice.key,
        sent=0 if draft else 1,
        datesend=None if draft else datetime.combine(invoice.date, time(10, 0)),
        clientid=invoice.customer,
        number=DRAFT_NUMBER if placeholder else invoice.number,
        prefix=store.options.invoice_prefix,
        number_format=1,
        datecreated=created,
        date=invoice.date,
        duedate=ZERO_DATE if invoice.perfex.zero_duedate else invoice.duedate,
        currency=int(store.currency_ids[invoice.currency]),
        subtotal=totals.subtotal,
        total=totals.total,
        adjustment=invoice.adjustment,
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
    row.update(_discount_columns(discount, totals))
    row.update(_shipping_columns(invoice))
    row.update(_extra_columns(invoice))
    refresh_formatted_number(store, row)
    return row


def _discount_columns(discount: ScreenDiscount, totals: ScreenTotals) -> dict[str, Stored]:
    if not discount.kind or not totals.discount_total:
        return {}  # the formatter clears discount_type when discount_total is 0
    return {
        "discount_type": discount.kind,
        "discount_percent": round_half_up(discount.percent),
        "discount_total": totals.discount_total,
    }


def _shipping_columns(invoice: SeedInvoice) -> dict[str, Stored]:
    shipping = invoice.shipping
    if shipping is None:
        return {}
    address = shipping.address
    return {
        "include_shipping": 1,
        "show_shipping_on_invoice": 1 if shipping.shown else 0,
        "shipping_street": nl2br(address.street),
        "shipping_city": address.city,
        "shipping_state": address.state,
        "shipping_zip": address.zip,
        "shipping_country": COUNTRY_IDS.get(address.country, 0),
    }


def _extra_columns(invoice: SeedInvoice) -> dict[str, Stored]:
    extras = invoice.perfex
    columns: dict[str, Stored] = {
        "sale_agent": extras.sale_agent,
        "cancel_overdue_reminders": 1 if extras.cancel_overdue_reminders else 0,
    }
    if extras.recurring:
        columns.update(
            recurring=extras.recurring,
            recurring_type=extras.recurring_type,
            custom_recurring=1 if extras.recurring_type else 0,
            cycles=extras.cycles,
            total_cycles=extras.total_cycles,
            last_recurring_date=_last_recurrence(invoice) if extras.total_cycles else None,
        )
    return columns


def _last_recurrence(invoice: SeedInvoice) -> date:
    step = 14 if invoice.perfex.recurring_type == "week" else 30
    return invoice.date + timedelta(days=step * invoice.perfex.total_cycles)


def _initial_status(state: str) -> int:
    return {"draft": engine.DRAFT, "cancelled": engine.CANCELLED}.get(state, engine.UNPAID)


def _settle(store: PerfexStore, invoice: SeedInvoice, total: Decimal) -> None:
    paid_on = min(store.today, invoice.date + timedelta(days=10))
    if invoice.state == "paid" and invoice.perfex.instalments > 1:
        first = (total * Decimal("0.4")).quantize(CENT, rounding=ROUND_DOWN)
        store.add_payment(invoice.key, first, paid_on)
        store.add_payment(invoice.key, total - first, min(store.today, paid_on + timedelta(20)))
    elif invoice.state == "paid":
        store.add_payment(invoice.key, total, paid_on)
    elif invoice.state == "partially_paid":
        half = (total / 2).quantize(CENT, rounding=ROUND_DOWN)
        store.add_payment(invoice.key, half, paid_on)
    store.refresh_status(invoice.key)
