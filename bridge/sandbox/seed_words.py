"""The words seeded data is made of: names, addresses, products, and the texts people type.

Owns the vocabularies of both seed mixes and the small builders that draw a customer or a
text from them. Non-ASCII on purpose (accents, Greek, Cyrillic, CJK, an emoji), because real
books are written that way. Must not: decide shares or money (`seed_realistic.py` does).
"""

from __future__ import annotations

import random
from decimal import Decimal

from bridge.sandbox.seed import SeedCustomer

COMPANY_STEMS = (
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
LEGAL_FORMS = ("GmbH", "ApS", "Sp. z o.o.", "SARL", "s.r.o.", "AS", "S.L.", "AG", "SAS", "Ltd")
STREETS = (
    "Hauptstraße",
    "Rue de l'Église",
    "Ulica Długa",
    "High Street",
    "Calle Mayor",
    "Storgatan",
    "Via Roma",
    "Náměstí Míru",
)
CITIES = (
    ("Berlin", "10115", "DE"),
    ("Paris", "75001", "FR"),
    ("Kraków", "30-001", "PL"),
    ("London", "EC1A 1BB", "GB"),
    ("Madrid", "28001", "ES"),
    ("Praha", "110 00", "CZ"),
    ("Zürich", "8001", "CH"),
    ("New York", "10001", "US"),
)
MORE_CITIES = (("Wien", "1010", "AT"), ("München", "80331", "DE"), ("Genève", "1201", "CH"))
FIRST_NAMES = ("Jörg", "Anaïs", "Małgorzata", "Søren", "María José", "Zoë", "Dmitri", "Aiko")
LAST_NAMES = ("Größer", "Dubois-Lefèvre", "Wiśniewska", "Kjærgaard", "Núñez", "O'Brien", "Ito")

# Products of the realistic mix: (title, unit, price, catalogue tax names)
PRODUCTS = (
    ("Consulting", "h", Decimal("95.00"), ("VAT",)),
    ("Website maintenance", "month", Decimal("249.00"), ()),
    ("Design workshop", "day", Decimal("780.00"), ("VAT",)),
    ("Hosting plan", "month", Decimal("19.90"), ()),
    ("Espresso beans 1 kg", "kg", Decimal("24.50"), ("Reduced VAT",)),
    ("Übersetzung", "page", Decimal("32.00"), ("MwSt",)),
    ("Licence seat", "seat", Decimal("12.75"), ()),
    ("Travel expenses", "km", Decimal("0.42"), ()),
    ("Training session", "h", Decimal("120.00"), ("VAT", "City tax")),
    ("Support retainer", "month", Decimal("400.00"), ()),
    ("Event ticket", "pcs", Decimal("59.00"), ("Reduced VAT", "City tax")),
    ("Printed brochure", "pcs", Decimal("1.37"), ()),
)
TERMS = (
    "Payment within 30 days.",
    "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    "Paiement à réception de facture.\nMerci pour votre confiance.",
    "Płatność przelewem w ciągu 21 dni.\nDziękujemy!",
    "Net 30. Late payments incur 1.5 % monthly interest.\nBank: IBAN DE89 3704 0044 0532 0130 00",
)
CLIENT_NOTES = (
    "",
    "",
    "Thank you for your business.",
    "Danke für Ihren Auftrag!",
    "Merci ! 🙂",
    "Bestellnummer bitte bei Zahlung angeben.\nVielen Dank.",
)
ADMIN_NOTES = (
    "Checked by accounting",
    "Customer asked for a copy by post.\nSend to Frau Größer.",
    "Rabatt mit Herrn Núñez abgesprochen",
    "Disputed line 2 – see e-mail of 3 March",
)
LONG_TEXTS = (
    "Zeitraum: März\nInkl. Anfahrt",
    "As agreed.\nIncludes two revision rounds.",
    "Leistungszeitraum 01.–31.\nAbrechnung nach Aufwand, siehe Stundenzettel.",
    "Prestation réalisée sur site.\nDéplacement inclus.\nTVA sur les débits.",
    "Ścieżka: ul. Długa 5 → magazyn\nDostawa gratis",
    "Übersetzung DE→EN, Fachgebiet Recht\n12 Normseiten",
    "Σύμφωνα με την προσφορά.\nΠαράδοση εντός 5 ημερών.",
    "北京办公室\n季度支持",
)
PARAGRAPH = (
    "Umfang der Leistung: Analyse, Konzeption und Umsetzung der vereinbarten Änderungen "
    "einschließlich Tests, Dokumentation und Übergabe. Nicht enthalten sind Lizenzen Dritter, "
    "Reisekosten außerhalb des Stadtgebiets und Arbeiten außerhalb der Geschäftszeiten. "
)
PO_NUMBERS = ("PO-4711", "BE/2026/0042", "Bestellung 88-17", "PO 2026-Ω-7", "12345")
DEALS = ("Website relaunch 2026", "Rahmenvertrag Übersetzung", "Salon du Café", "Q4 Support")
TAGS = (("retainer",), ("export", "q4"), ("Großkunde",), ("review",))
LANGUAGES = ("de-DE", "fr-FR", "pl-PL")


def simple_customer(rng: random.Random, key: int) -> SeedCustomer:
    """A company with a billing address, drawn exactly as the simple mix always drew it."""
    stem = COMPANY_STEMS[(key - 1) % len(COMPANY_STEMS)]
    suffix = "" if key <= len(COMPANY_STEMS) else f" {key // len(COMPANY_STEMS) + 1}"
    company = f"{stem}{suffix} {rng.choice(LEGAL_FORMS)}"
    city, zip_code, country = rng.choice(CITIES)
    currency = {"GB": "GBP", "US": "USD"}.get(country, "EUR")
    has_vat = rng.random() < 0.7
    return SeedCustomer(
        key=key,
        company=company,
        vat=f"{country}{rng.randrange(10**8, 10**9)}" if has_vat else None,
        email=f"billing{key}@customer{key}.example",
        phone=f"+{rng.randrange(30, 50)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
        street=f"{rng.choice(STREETS)} {rng.randrange(1, 200)}",
        city=city,
        zip=zip_code,
        country=country,
        currency=currency,
    )


def realistic_customer(
    rng: random.Random, key: int, *, person: bool, billing: bool, currency: str
) -> SeedCustomer:
    """A company or a person, with or without a billing address, in the given currency
    (the address is in a country that uses it, or in the euro area for EUR)."""
    city, zip_code, country = rng.choice(cities_for(currency))
    first = last = ""
    if person:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = f"{first} {last}"
        if key > len(FIRST_NAMES):  # keep display names distinct
            name = f"{first} {last} ({key})"
            last = f"{last} ({key})"
    else:
        stem = COMPANY_STEMS[(key - 1) % len(COMPANY_STEMS)]
        suffix = "" if key <= len(COMPANY_STEMS) else f" {key // len(COMPANY_STEMS) + 1}"
        name = f"{stem}{suffix} {rng.choice(LEGAL_FORMS)}"
    has_vat = not person and rng.random() < 0.7
    return SeedCustomer(
        key=key,
        company=name,
        vat=f"{country}{rng.randrange(10**8, 10**9)}" if has_vat else None,
        email=f"billing{key}@customer{key}.example",
        phone=f"+{rng.randrange(30, 50)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
        street=f"{rng.choice(STREETS)} {rng.randrange(1, 200)}" if billing else "",
        city=city if billing else "",
        zip=zip_code if billing else "",
        country=country if billing else "",
        currency=currency,
        first_name=first,
        last_name=last,
        billing=billing,
    )


def cities_for(currency: str) -> tuple[tuple[str, str, str], ...]:
    local = {"GBP": "GB", "USD": "US", "CHF": "CH"}.get(currency)
    every = CITIES + MORE_CITIES
    return tuple(c for c in every if (c[2] == local if local else c[2] not in ("GB", "US", "CH")))


def long_text(rng: random.Random, size: int) -> str:
    """Exactly `size` characters over several paragraphs."""
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(PARAGRAPH.strip() + f" ({len(parts) + 1}/{rng.randint(5, 9)})")
    return "\n".join(parts)[:size].rstrip()


def typed_in_a_browser(text: str) -> str:
    """A browser submits a textarea's line breaks as CRLF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
