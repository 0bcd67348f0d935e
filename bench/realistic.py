"""Seeded invoices that look like a small company's real ones, in both systems' API shapes.

A Perfex install with one tax list and an items catalogue: standard and reduced VAT, a city
tax charged on top of VAT on hotel nights, exempt services, products with one or two taxes,
and lines typed by hand that are in no catalogue. Invoices of 1 to 50 lines with fractional
quantities and long texts, in several currencies, with percent and fixed discounts before and
after tax and small adjustments. Perfex invoices come out as `GET /api/invoices/{id}` returns
them: totals by Perfex's own formulas, lines without taxes. ONLYOFFICE invoices carry up to
two taxes and a discount percentage per line.

Only `mappings.money` is used, for Perfex's two formulas (the values a real Perfex stores).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mappings.money import format_money, perfex_server_total_tax, perfex_ui_totals
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeLine, OnlyofficeTax
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec

D = Decimal
VAT = TaxSpec("VAT", D("20"))
REDUCED = TaxSpec("VAT", D("10"))
BOOKS = TaxSpec("VAT", D("5.5"))
CITY = TaxSpec("City tax", D("2.5"))
ECO = TaxSpec("Eco fee", D("1"))
EXEMPT = TaxSpec("Exempt", D("0"))
TAX_LIST = (BOOKS, CITY, ECO, EXEMPT, REDUCED, VAT)  # Perfex lists taxes by rate

# (description, unit price range in cents, taxes): the items catalogue.
CATALOGUE = [
    ("Consulting hour", (6_000, 18_000), (VAT,)),
    ("Project management", (8_000, 15_000), (VAT,)),
    ("Workshop day", (60_000, 180_000), (VAT,)),
    ("Software licence (annual)", (9_900, 490_000), (VAT,)),
    ("Hosting – managed server", (2_900, 39_900), (VAT,)),
    ("Domain renewal", (899, 4_999), (VAT,)),
    ("Support contract", (19_900, 99_900), (VAT,)),
    ("Laptop stand", (2_490, 8_990), (VAT, ECO)),
    ("Monitor 27 inch", (19_900, 64_900), (VAT, ECO)),
    ("Hotel night", (8_900, 32_000), (REDUCED, CITY)),
    ("Conference dinner", (3_500, 12_000), (REDUCED,)),
    ("Train ticket", (2_900, 19_900), (REDUCED,)),
    ("Printed handbook", (1_290, 5_900), (BOOKS,)),
    ("Technical book", (2_990, 8_900), (BOOKS,)),
    ("Travel insurance", (1_500, 9_000), (EXEMPT,)),
    ("Bank guarantee fee", (2_500, 15_000), ()),
    ("Training seat", (29_000, 149_000), (VAT,)),
    ("Translation page", (2_500, 6_500), (VAT,)),
]
# Lines typed by hand: no catalogue entry, so only history or the totals can tell their tax.
TYPED = [
    ("Custom integration work", (5_000, 250_000), (VAT,)),
    ("On-site visit", (15_000, 90_000), (VAT,)),
    ("Courier", (900, 4_500), (VAT,)),
    ("Overnight stay (partner hotel)", (9_900, 25_000), (REDUCED, CITY)),
    ("Reimbursed fees", (1_000, 30_000), ()),
]
LONG_TEXTS = [
    "",
    "",
    "As agreed in the statement of work.",
    "Weeks 12–14.\nOn site in Zürich, remote otherwise.",
    "Includes set-up, migration of the existing mailboxes and a handover session for the "
    "office team; travel within the city is included, travel outside is billed separately.",
    "Ref. PO 4711 / Kostenstelle 310\nLieferung frei Haus",
]
QUANTITIES = ["1", "1", "1", "2", "3", "0.5", "0.25", "1.5", "2.75", "7.5", "12", "40", "0.33"]
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "CHF")
CURRENCY_IDS = {"EUR": "1", "USD": "2", "GBP": "3", "CHF": "4"}


@dataclass(frozen=True)
class PerfexCase:
    invoice: PerfexInvoice  # as Perfex's GET returns it: no line taxes
    truth: tuple[tuple[TaxSpec, ...], ...]  # the taxes its lines really carry
    kind: str  # "none", "percent before", "fixed after", "adjustment", ...


def line_count(rng: random.Random) -> int:
    return rng.choices([1, 2, 3, 4, 5, 7, 10, 15, 25, 50], [20, 18, 15, 12, 10, 8, 7, 5, 3, 2])[0]


def perfex_cases(seed: int, count: int) -> list[PerfexCase]:
    rng = random.Random(seed)
    return [_perfex_case(rng, number) for number in range(1, count + 1)]


def _perfex_case(rng: random.Random, number: int) -> PerfexCase:
    lines = [_perfex_line(rng, order) for order in range(1, line_count(rng) + 1)]
    kind, discount_type, percent, fixed, adjustment = _discount(rng)
    ui = perfex_ui_totals(lines, discount_type, percent, fixed, adjustment)
    total_tax = perfex_server_total_tax(
        lines, discount_type, percent, ui.discount_total, ui.subtotal
    )
    currency = rng.choice(CURRENCIES)
    raw = _perfex_raw(number, currency, lines, ui, total_tax, discount_type, percent, adjustment)
    return PerfexCase(PerfexInvoice.from_api(raw), tuple(line.taxes for line in lines), kind)


def _perfex_line(rng: random.Random, order: int) -> PerfexLine:
    name, (low, high), taxes = rng.choice(CATALOGUE if rng.random() < 0.85 else TYPED)
    return PerfexLine(
        id=str(order),
        description=name,
        long_description=rng.choice(LONG_TEXTS),
        qty=D(rng.choice(QUANTITIES)),
        rate=D(rng.randint(low, high)) / 100,
        unit="",
        item_order=order,
        taxes=taxes,
    )


def _discount(rng: random.Random) -> tuple[str, str, Decimal, Decimal, Decimal]:
    """(kind, discount_type, percent, fixed amount, adjustment)."""
    roll = rng.random()
    percent = D(rng.choice(["3", "5", "10", "12.5", "15", "20"]))
    fixed = D(rng.choice(["10", "25", "50", "100", "37.45", "12.34"]))
    if roll < 0.55:
        return "none", "", D(0), D(0), D(0)
    if roll < 0.70:
        return "percent before tax", "before_tax", percent, D(0), D(0)
    if roll < 0.75:
        return "percent after tax", "after_tax", percent, D(0), D(0)
    if roll < 0.87:
        return "fixed before tax", "before_tax", D(0), fixed, D(0)
    if roll < 0.90:
        return "fixed after tax", "after_tax", D(0), fixed, D(0)
    if roll < 0.97:
        return "negative adjustment", "", D(0), D(0), -D(rng.randint(1, 500)) / 100
    return "positive adjustment", "", D(0), D(0), D(rng.randint(1, 300)) / 100


def _perfex_raw(
    number: int,
    currency: str,
    lines: list[PerfexLine],
    ui: Any,
    total_tax: Decimal,
    discount_type: str,
    percent: Decimal,
    adjustment: Decimal,
) -> dict[str, Any]:
    return {
        "id": str(number),
        "number": str(number),
        "prefix": "INV-",
        "number_format": "1",
        "date": "2026-03-02",
        "duedate": "2026-04-01",
        "clientid": "7",
        "currency": CURRENCY_IDS[currency],
        "currency_name": currency,
        "subtotal": format_money(ui.subtotal),
        "total_tax": format_money(total_tax),
        "total": format_money(ui.total),
        "adjustment": format_money(adjustment),
        "discount_percent": format_money(percent),
        "discount_total": format_money(ui.discount_total),
        "discount_type": discount_type if ui.discount_total else "",
        "status": "1",
        "terms": "Payable within 30 days.",
        "clientnote": "",
        "adminnote": None,
        "billing_street": "Hauptstraße 1",
        "billing_city": "Berlin",
        "billing_state": "",
        "billing_zip": "10115",
        "billing_country": "0",
        "allowed_payment_modes": 'a:1:{i:0;s:1:"1";}',
        "items": [
            {
                "id": line.id,
                "description": line.description,
                "long_description": line.long_description.replace("\n", "<br />\n"),
                "qty": format_money(line.qty),
                "rate": format_money(line.rate),
                "unit": line.unit,
                "item_order": str(line.item_order),
            }
            for line in lines
        ],
    }


# -- ONLYOFFICE ---------------------------------------------------------------------------------

ONLYOFFICE_TAXES = {
    index: OnlyofficeTax(index, tax.name, tax.rate)
    for index, tax in enumerate((VAT, BOOKS, CITY, ECO), start=1)
} | {5: OnlyofficeTax(5, "VAT reduced", D("10"))}
_TAX_IDS = {(tax.name, tax.rate): tax.id for tax in ONLYOFFICE_TAXES.values()}


def onlyoffice_invoices(seed: int, count: int) -> list[tuple[OnlyofficeInvoice, str]]:
    """(invoice, kind): per-line discounts none, common to all lines, or different."""
    rng = random.Random(seed)
    return [_onlyoffice_invoice(rng, number) for number in range(1, count + 1)]


def _onlyoffice_invoice(rng: random.Random, number: int) -> tuple[OnlyofficeInvoice, str]:
    roll = rng.random()
    kind = "none" if roll < 0.6 else "common" if roll < 0.85 else "different"
    common = D(rng.choice(["3", "5", "10", "12.5", "15"]))
    lines = []
    for _ in range(line_count(rng)):
        name, (low, high), taxes = rng.choice(CATALOGUE + TYPED)
        ids = [_TAX_IDS.get(_onlyoffice_name(tax)) for tax in taxes if tax.rate]
        ids = [tax_id for tax_id in ids if tax_id] + [0, 0]
        discount = {
            "none": D(0),
            "common": common,
            "different": D(rng.choice(["0", "0", "5", "7.5", "10", "12.25", "15"])),
        }[kind]
        text = name + ("\n" + rng.choice(LONG_TEXTS) if rng.random() < 0.3 else "")
        lines.append(
            OnlyofficeLine(
                item_id=1,
                tax1_id=ids[0],
                tax2_id=ids[1],
                description=text.strip(),
                quantity=D(rng.choice(QUANTITIES)),
                price=D(rng.randint(low, high)) / 100,
                discount=discount,
            )
        )
    invoice = OnlyofficeInvoice(
        id=number,
        number=f"INV-{number:06d}",
        status=2,
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        contact_id=10,
        consignee_id=0,
        currency=rng.choice(CURRENCIES),
        exchange_rate=D("1.00"),
        language="en-US",
        purchase_order_number="",
        terms="Payable within 30 days.",
        description="",
        cost=None,
        lines=tuple(lines),
    )
    return invoice, kind


def _onlyoffice_name(tax: TaxSpec) -> tuple[str, Decimal]:
    return ("VAT reduced", tax.rate) if tax == REDUCED else (tax.name, tax.rate)


def catalogue_rows() -> list[dict[str, Any]]:
    """The catalogue as `GET /api/items` rows: one or two taxes in `taxname`/`taxname_2`."""
    rows = []
    for name, (low, _), taxes in CATALOGUE:
        row: dict[str, Any] = {"description": name, "rate": format_money(D(low) / 100)}
        for suffix, tax in zip(("", "_2"), taxes, strict=False):
            row[f"taxname{suffix}"] = tax.name
            row[f"taxrate{suffix}"] = format_money(tax.rate)
        rows.append(row)
    return rows
