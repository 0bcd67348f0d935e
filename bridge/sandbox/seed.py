"""A seeded generator of realistic CRM data, neutral between the two systems.

Both simulators load the same `SeedData` in their own shapes (`PerfexSimulator.load`,
`OnlyofficeSimulator.load`), so a test can seed either side, or both, from one seed. The data
is what a small company's books look like: customers with non-ASCII names in several
currencies, a tax table, a product catalogue, multi-line invoices with fractional quantities
spread over two years, some drafts, most sent, some paid or partly paid, a few cancelled.

Same seed, same data: nothing here reads the clock (`today` is a parameter).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

CURRENCIES = ("EUR", "USD", "GBP")
INVOICE_STATES = ("draft", "unpaid", "paid", "partially_paid", "cancelled")

_COMPANY_STEMS = (
    "Müller & Söhne",
    "Ærø Fiskeri",
    "Łódź Logistyka",
    "Café Olé",
    "Šumava Dřevo",
    "Nordlicht Øst",
    "Pérez y Asociados",
    "Zürich Werkstatt",
    "Brasserie Éclair",
    "Kraków Soft",
    "Acme Ltd",
    "Blue Harbour Trading",
    "Orchard & Vine",
    "Granite Peak Consulting",
    "Little Fox Studio",
    "São Paulo Têxteis",
    "Ίρις Εκδόσεις",
    "Дом Книги",
    "北京 Bright Tech",
    "Fjällräven Byrå",
)
_LEGAL_FORMS = ("GmbH", "ApS", "Sp. z o.o.", "SARL", "s.r.o.", "AS", "S.L.", "AG", "SAS", "Ltd")
_STREETS = (
    "Hauptstraße",
    "Rue de l'Église",
    "Ulica Długa",
    "High Street",
    "Calle Mayor",
    "Storgatan",
    "Via Roma",
    "Náměstí Míru",
)
_CITIES = (
    ("Berlin", "10115", "DE"),
    ("Paris", "75001", "FR"),
    ("Kraków", "30-001", "PL"),
    ("London", "EC1A 1BB", "GB"),
    ("Madrid", "28001", "ES"),
    ("Praha", "110 00", "CZ"),
    ("Zürich", "8001", "CH"),
    ("New York", "10001", "US"),
)
_PRODUCTS = (
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
_TERMS = (
    "Payment within 30 days.",
    "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    "Paiement à réception de facture.\nMerci pour votre confiance.",
)


@dataclass(frozen=True)
class SeedTax:
    name: str
    rate: Decimal  # percent, two decimals


@dataclass(frozen=True)
class SeedCustomer:
    key: int  # 1-based, stable within one SeedData
    company: str
    vat: str | None
    email: str
    phone: str
    street: str
    city: str
    zip: str
    country: str  # ISO 3166 alpha-2
    currency: str  # ISO 4217


@dataclass(frozen=True)
class SeedProduct:
    title: str
    unit: str
    price: Decimal
    tax: SeedTax | None


@dataclass(frozen=True)
class SeedLine:
    description: str  # the product title
    long_description: str
    qty: Decimal  # two decimals, may be fractional
    rate: Decimal  # two decimals
    unit: str
    tax: SeedTax | None  # at most one tax per line keeps every mapping exact


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


@dataclass(frozen=True)
class SeedData:
    today: date
    taxes: tuple[SeedTax, ...]
    products: tuple[SeedProduct, ...]
    customers: tuple[SeedCustomer, ...]
    invoices: tuple[SeedInvoice, ...]

    def customer(self, key: int) -> SeedCustomer:
        return self.customers[key - 1]


def generate(
    *,
    seed: int = 1,
    invoices: int = 50,
    customers: int | None = None,
    today: date = date(2026, 11, 21),
) -> SeedData:
    """Builds `invoices` invoices over the two years before `today`, reproducibly."""
    rng = random.Random(seed)
    taxes = (SeedTax("VAT", Decimal("20.00")), SeedTax("Reduced VAT", Decimal("7.00")))
    products = tuple(
        SeedProduct(title, unit, price, rng.choice((taxes[0], taxes[0], taxes[1], None)))
        for title, unit, price in _PRODUCTS
    )
    count = customers if customers is not None else max(3, min(40, invoices // 4 + 2))
    people = tuple(_customer(rng, key) for key in range(1, count + 1))
    dates = sorted(today - timedelta(days=rng.randrange(0, 730)) for _ in range(invoices))
    # Perfex's next_invoice_number runs on across years unless an admin resets it, so the
    # seeded numbers are one sequence: unique in both systems.
    invoices_out = [
        _invoice(rng, key, key, issued, people, products, today)
        for key, issued in enumerate(dates, start=1)
    ]
    return SeedData(today, taxes, products, people, tuple(invoices_out))


def _customer(rng: random.Random, key: int) -> SeedCustomer:
    stem = _COMPANY_STEMS[(key - 1) % len(_COMPANY_STEMS)]
    suffix = "" if key <= len(_COMPANY_STEMS) else f" {key // len(_COMPANY_STEMS) + 1}"
    company = f"{stem}{suffix} {rng.choice(_LEGAL_FORMS)}"
    city, zip_code, country = rng.choice(_CITIES)
    currency = {"GB": "GBP", "US": "USD"}.get(country, "EUR")
    has_vat = rng.random() < 0.7
    return SeedCustomer(
        key=key,
        company=company,
        vat=f"{country}{rng.randrange(10**8, 10**9)}" if has_vat else None,
        email=f"billing{key}@customer{key}.example",
        phone=f"+{rng.randrange(30, 50)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
        street=f"{rng.choice(_STREETS)} {rng.randrange(1, 200)}",
        city=city,
        zip=zip_code,
        country=country,
        currency=currency,
    )


def _invoice(
    rng: random.Random,
    key: int,
    number: int,
    issued: date,
    customers: tuple[SeedCustomer, ...],
    products: tuple[SeedProduct, ...],
    today: date,
) -> SeedInvoice:
    customer = rng.choice(customers)
    lines = tuple(_line(rng, product) for product in rng.sample(products, rng.randint(1, 4)))
    age = (today - issued).days
    state = _state(rng, age)
    due = None if rng.random() < 0.1 else issued + timedelta(days=rng.choice((14, 30, 45)))
    return SeedInvoice(
        key=key,
        number=number,
        customer=customer.key,
        date=issued,
        duedate=due,
        currency=customer.currency,
        state=state,
        lines=lines,
        terms=rng.choice(_TERMS),
        clientnote=rng.choice(("", "Thank you for your business.", "Danke für Ihren Auftrag!")),
        adminnote=rng.choice(("", "", "Checked by accounting")),
    )


def _line(rng: random.Random, product: SeedProduct) -> SeedLine:
    qty = (
        Decimal(rng.choice((1, 1, 2, 3, 5, 10)))
        if rng.random() < 0.6
        else (Decimal(rng.randrange(25, 1000)) / Decimal(100)).quantize(Decimal("0.01"))
    )
    long_text = rng.choice(("", "As agreed.", "Zeitraum: März\nInkl. Anfahrt"))
    return SeedLine(product.title, long_text, qty, product.price, product.unit, product.tax)


def _state(rng: random.Random, age_days: int) -> str:
    if age_days < 20 and rng.random() < 0.35:
        return "draft"
    roll = rng.random()
    if roll < 0.05:
        return "cancelled"
    if age_days > 60:
        return "paid" if roll < 0.75 else ("partially_paid" if roll < 0.85 else "unpaid")
    return "paid" if roll < 0.3 else ("partially_paid" if roll < 0.4 else "unpaid")
