"""Seeded CRM data, neutral between the two systems, in two mixes: realistic and simple.

Both simulators load the same `SeedData` in their own shapes (`PerfexSimulator.load`,
`OnlyofficeSimulator.load`), so a test can seed either side, or both "as if kept in step by
hand", from one seed. Same seed, same data: nothing here reads the clock (`today` is a
parameter) and all randomness comes from one `random.Random(seed)`.

`generate(..., mix="realistic")` (the default) draws what real Perfex and ONLYOFFICE installs
hold. Shares are of the invoices generated; each per-invoice feature gets exactly
round(share x invoices) invoices, and at least one once there are 20 invoices or more
(docs/sandbox.md has the same table):

* Taxes: VAT 20.00 and MwSt 20.00 (two names, one rate), Reduced VAT 7.00, Zero rate 0.00,
  City tax 2.50. Half of the products carry one or two catalogue taxes, the others none.
* Tax patterns: 25 % of invoices mix taxes across their lines, 10 % hold a line with two taxes
  (a sales tax plus City tax), 8 % carry no tax at all (half of them the Zero rate tax); the
  rest tax every line alike (MwSt for customers in DE/CH/AT, VAT elsewhere).
* Money: 18 % Perfex invoice discounts, a quarter each of percent before tax, percent after
  tax, fixed before tax and fixed after tax (fixed amounts are never a whole or two-decimal
  percentage of the subtotal); 7 % adjustments, half positive, half negative; 15 % ONLYOFFICE
  per-line percent discounts that differ between lines (never on an invoice that has a Perfex
  discount or adjustment); 5 % of invoices in another currency than their customer's.
* Lines (drawn line by line): 1-5 lines, 8 % of invoices long ones of 8-15 lines; 40 % of lines
  fractional quantities; 15 % a price typed for the customer; 20 % a text other than the
  product title; 10 % left without text in ONLYOFFICE (the product title shows); 30 % long
  descriptions over several lines, non-ASCII throughout; half of all multi-line texts with
  the CRLF line breaks a browser form sends; 3 % of invoices (at least one) hold a line near
  2,000 characters.
* States: 8 % drafts (half still holding Perfex's placeholder number 1000000000, half with a
  real number), 4 % cancelled, 8 % partly paid, 50 % paid (a sixth of them in two payments),
  the rest unpaid (overdue once past due). Due dates: 8 % none, 3 % MySQL's zero date
  `0000-00-00` (Perfex only; ONLYOFFICE shows issue date + 30 days), else 14-60 days.
* Perfex-only fields: 5 % recurring (monthly, or custom every two weeks; some with a cycle
  count), 10 % shipping (half to another customer, who is the ONLYOFFICE consignee), 30 %
  sale agent, 30 % admin notes, 5 % `cancel_overdue_reminders`, 10 % tags.
* ONLYOFFICE-only fields: 20 % purchase order numbers, exchange rate other than 1 on half of
  the invoices in a currency other than EUR, 10 % linked to a deal, 15 % language other than
  en-US, 3 % the Rus template.
* Customers: 20 % persons (Perfex: blank company, the contact's name shows; ONLYOFFICE: a
  person), 15 % without a billing address, currencies EUR 60 %, USD 15 %, GBP 10 %, CHF 15 %.

`mix="simple"` gives the old polite data, unchanged: VAT 20.00 and Reduced VAT 7.00, one tax
or none per line, no discounts, adjustments, shipping or extras, every customer a company
with a billing address, drafts all with the placeholder number. Tests that need exactly
representable invoices use it.

How each simulator holds what it cannot represent (a Perfex discount in ONLYOFFICE, a line
discount in Perfex) is the loaders' business; see their module docstrings and docs/sandbox.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

MIXES = ("realistic", "simple")
CURRENCIES = ("EUR", "USD", "GBP", "CHF")
INVOICE_STATES = ("draft", "unpaid", "paid", "partially_paid", "cancelled")
ZERO = Decimal("0.00")
ONE = Decimal(1)
DEFAULT_TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class SeedTax:
    name: str
    rate: Decimal  # percent, two decimals


@dataclass(frozen=True)
class SeedProduct:
    title: str
    unit: str
    price: Decimal
    taxes: tuple[SeedTax, ...] = ()  # catalogue taxes (at most two)
    long_description: str = ""

    @property
    def tax(self) -> SeedTax | None:
        return self.taxes[0] if self.taxes else None


@dataclass(frozen=True)
class SeedAddress:
    street: str
    city: str
    zip: str
    country: str  # ISO 3166 alpha-2
    state: str = ""


@dataclass(frozen=True)
class SeedCustomer:
    key: int  # 1-based, stable within one SeedData
    company: str  # the display name (a person's full name for persons)
    vat: str | None
    email: str
    phone: str
    street: str
    city: str
    zip: str
    country: str  # ISO 3166 alpha-2
    currency: str  # ISO 4217
    first_name: str = ""  # set for persons
    last_name: str = ""
    billing: bool = True  # False: no billing address anywhere

    @property
    def is_person(self) -> bool:
        return bool(self.first_name)

    @property
    def address(self) -> SeedAddress:
        return SeedAddress(self.street, self.city, self.zip, self.country)


@dataclass(frozen=True)
class SeedLine:
    description: str  # the line text Perfex shows
    long_description: str
    qty: Decimal  # two decimals, may be fractional
    rate: Decimal  # two decimals: the catalogue price or what the person typed
    unit: str
    taxes: tuple[SeedTax, ...] = ()  # up to two
    discount: Decimal = ZERO  # ONLYOFFICE per-line percent
    product: str = ""  # the catalogue product's title; "" means the same as `description`
    # The text of the ONLYOFFICE line: None = `description`; "" = left empty, so the product
    # title shows.
    onlyoffice_text: str | None = None

    @property
    def tax(self) -> SeedTax | None:
        return self.taxes[0] if self.taxes else None

    @property
    def product_title(self) -> str:
        return self.product or self.description

    @property
    def onlyoffice_description(self) -> str:
        return self.description if self.onlyoffice_text is None else self.onlyoffice_text


@dataclass(frozen=True)
class SeedDiscount:
    """A Perfex invoice discount: `kind` is "before_tax" or "after_tax"; one of the two
    amounts is zero (percent mode or fixed mode)."""

    kind: str
    percent: Decimal = ZERO
    fixed: Decimal = ZERO


@dataclass(frozen=True)
class SeedShipping:
    """Where the goods go. Perfex: the invoice's shipping address; ONLYOFFICE: the consignee
    (`consignee` customer, or the customer itself when None) with this Delivery address."""

    address: SeedAddress
    consignee: int | None = None
    shown: bool = True  # Perfex `show_shipping_on_invoice`


@dataclass(frozen=True)
class PerfexExtras:
    """Fields a person sets only in Perfex."""

    placeholder_number: bool = True  # drafts: still 1000000000 (False: a real number)
    zero_duedate: bool = False  # the due date column holds 0000-00-00
    recurring: int = 0  # every N months, or N `recurring_type` units when that is set
    recurring_type: str | None = None
    cycles: int = 0
    total_cycles: int = 0
    sale_agent: int = 0
    cancel_overdue_reminders: bool = False
    tags: tuple[str, ...] = ()
    instalments: int = 1  # payments that settle a paid invoice


@dataclass(frozen=True)
class OnlyofficeExtras:
    """Fields a person sets only in ONLYOFFICE."""

    copied: bool = True  # False: the invoice is not in ONLYOFFICE at all
    purchase_order_number: str = ""
    exchange_rate: Decimal = Decimal("1.00")
    language: str = "en-US"
    template_type: int = 0
    deal: str | None = None  # title of the deal the invoice is linked to


@dataclass(frozen=True)
class SeedInvoice:
    key: int  # 1-based, in creation order
    number: int  # Perfex's integer number (ONLYOFFICE shows it as INV-000042)
    customer: int  # SeedCustomer.key
    date: date
    duedate: date | None
    currency: str
    state: str  # one of INVOICE_STATES
    lines: tuple[SeedLine, ...]
    terms: str
    clientnote: str
    adminnote: str
    discount: SeedDiscount | None = None
    adjustment: Decimal = ZERO
    shipping: SeedShipping | None = None
    perfex: PerfexExtras = field(default_factory=PerfexExtras)
    onlyoffice: OnlyofficeExtras = field(default_factory=OnlyofficeExtras)


@dataclass(frozen=True)
class SeedData:
    today: date
    taxes: tuple[SeedTax, ...]
    products: tuple[SeedProduct, ...]
    customers: tuple[SeedCustomer, ...]
    invoices: tuple[SeedInvoice, ...]
    mix: str = "simple"

    def customer(self, key: int) -> SeedCustomer:
        return self.customers[key - 1]

    def product(self, title: str) -> SeedProduct | None:
        return next((p for p in self.products if p.title == title), None)

    @property
    def currencies(self) -> tuple[str, ...]:
        """Every currency a customer or invoice uses, in first-use order."""
        used = [c.currency for c in self.customers] + [i.currency for i in self.invoices]
        return tuple(dict.fromkeys(used))


def generate(
    *,
    seed: int = 1,
    invoices: int = 50,
    customers: int | None = None,
    today: date = DEFAULT_TODAY,
    mix: str = "realistic",
) -> SeedData:
    """Builds `invoices` invoices over the two years before `today`, reproducibly."""
    if mix not in MIXES:
        raise ValueError(f"mix must be one of {MIXES}, not {mix!r}")
    count = customers if customers is not None else max(3, min(40, invoices // 4 + 2))
    if mix == "simple":
        return _simple(random.Random(seed), invoices, count, today)
    from bridge.sandbox.seed_realistic import realistic

    return realistic(random.Random(seed), invoices, count, today)


# --- the simple mix (the original generator, draw for draw) ---------------------------------

_SIMPLE_PRODUCTS = (
    ("Consulting", "h", Decimal("95.00")),
    ("Website maintenance", "month", Decimal("249.00")),
    ("Design workshop", "day", Decimal("780.00")),
    ("Hosting plan", "month", Decimal("19.90")),
    ("Espresso beans 1 kg", "kg", Decimal("24.50")),
    ("Übersetzung", "page", Decimal("32.00")),
    ("Licence seat", "seat", Decimal("12.75")),
    ("Travel expenses", "km", Decimal("0.42")),
    ("Training session", "h", Decimal("120.00")),
    ("Support retainer", "month", Decimal("400.00")),
)
_SIMPLE_TERMS = (
    "Payment within 30 days.",
    "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    "Paiement à réception de facture.\nMerci pour votre confiance.",
)


def _simple(rng: random.Random, invoices: int, count: int, today: date) -> SeedData:
    from bridge.sandbox.seed_words import simple_customer

    taxes = (SeedTax("VAT", Decimal("20.00")), SeedTax("Reduced VAT", Decimal("7.00")))
    products = tuple(
        SeedProduct(title, unit, price, _taxes(rng.choice((taxes[0], taxes[0], taxes[1], None))))
        for title, unit, price in _SIMPLE_PRODUCTS
    )
    people = tuple(simple_customer(rng, key) for key in range(1, count + 1))
    dates = sorted(today - timedelta(days=rng.randrange(0, 730)) for _ in range(invoices))
    # Perfex's next_invoice_number runs on across years unless an admin resets it, so the
    # seeded numbers are one sequence: unique in both systems.
    out = [
        _simple_invoice(rng, key, issued, people, products, today)
        for key, issued in enumerate(dates, start=1)
    ]
    return SeedData(today, taxes, products, people, tuple(out), "simple")


def _taxes(tax: SeedTax | None) -> tuple[SeedTax, ...]:
    return () if tax is None else (tax,)


def _simple_invoice(
    rng: random.Random,
    key: int,
    issued: date,
    customers: tuple[SeedCustomer, ...],
    products: tuple[SeedProduct, ...],
    today: date,
) -> SeedInvoice:
    customer = rng.choice(customers)
    lines = tuple(_simple_line(rng, product) for product in rng.sample(products, rng.randint(1, 4)))
    state = _simple_state(rng, (today - issued).days)
    due = None if rng.random() < 0.1 else issued + timedelta(days=rng.choice((14, 30, 45)))
    return SeedInvoice(
        key=key,
        number=key,
        customer=customer.key,
        date=issued,
        duedate=due,
        currency=customer.currency,
        state=state,
        lines=lines,
        terms=rng.choice(_SIMPLE_TERMS),
        clientnote=rng.choice(("", "Thank you for your business.", "Danke für Ihren Auftrag!")),
        adminnote=rng.choice(("", "", "Checked by accounting")),
    )


def _simple_line(rng: random.Random, product: SeedProduct) -> SeedLine:
    qty = (
        Decimal(rng.choice((1, 1, 2, 3, 5, 10)))
        if rng.random() < 0.6
        else (Decimal(rng.randrange(25, 1000)) / Decimal(100)).quantize(Decimal("0.01"))
    )
    long_text = rng.choice(("", "As agreed.", "Zeitraum: März\nInkl. Anfahrt"))
    return SeedLine(product.title, long_text, qty, product.price, product.unit, product.taxes)


def _simple_state(rng: random.Random, age_days: int) -> str:
    if age_days < 20 and rng.random() < 0.35:
        return "draft"
    roll = rng.random()
    if roll < 0.05:
        return "cancelled"
    if age_days > 60:
        return "paid" if roll < 0.75 else ("partially_paid" if roll < 0.85 else "unpaid")
    return "paid" if roll < 0.3 else ("partially_paid" if roll < 0.4 else "unpaid")
