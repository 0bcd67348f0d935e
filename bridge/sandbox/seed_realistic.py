"""The realistic seed mix: what a small company's Perfex and ONLYOFFICE installs really hold.

Owns the draw of every feature the `bridge.sandbox.seed` docstring lists: the tax table, the
catalogue, customers, and each invoice built from the `seed_plan.Plan` that says which
invoices get which per-invoice feature; features of lines are drawn line by line.

Must not: read the clock or any randomness other than the `random.Random` it is given, or know
how either system stores a feature (the simulators' loaders do).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bridge.sandbox import seed_words as words
from bridge.sandbox.seed import (
    ZERO,
    OnlyofficeExtras,
    PerfexExtras,
    SeedAddress,
    SeedCustomer,
    SeedData,
    SeedDiscount,
    SeedInvoice,
    SeedLine,
    SeedProduct,
    SeedShipping,
    SeedTax,
)
from bridge.sandbox.seed_plan import Plan, draw_plan, share_count

CENT = Decimal("0.01")
TAX_TABLE = (
    SeedTax("VAT", Decimal("20.00")),
    SeedTax("MwSt", Decimal("20.00")),
    SeedTax("Reduced VAT", Decimal("7.00")),
    SeedTax("Zero rate", Decimal("0.00")),
    SeedTax("City tax", Decimal("2.50")),
)
TAXES = {tax.name: tax for tax in TAX_TABLE}
GERMAN_SPEAKING = ("DE", "AT", "CH")
PERCENTS = tuple(Decimal(p) for p in ("5", "10", "12.5", "15", "3", "7.5"))
ADJUSTMENTS_UP = tuple(Decimal(a) for a in ("0.01", "2.50", "15.00", "7.35"))
ADJUSTMENTS_DOWN = tuple(Decimal(a) for a in ("-0.01", "-0.02", "-5.00", "-12.40"))
LINE_DISCOUNTS = tuple(Decimal(d) for d in ("5", "10", "12.5", "7.25", "15", "20", "3.33"))
EXCHANGE_RATES = {"USD": Decimal("0.93"), "GBP": Decimal("1.17"), "CHF": Decimal("1.06")}
CURRENCY_SHARES = (("EUR", 0.60), ("USD", 0.15), ("GBP", 0.10), ("CHF", 0.15))


# --- customers and products ----------------------------------------------------------------


def draw_customers(rng: random.Random, count: int) -> tuple[SeedCustomer, ...]:
    keys = list(range(1, count + 1))
    persons = set(rng.sample(keys, _at_least_one(0.20, count)))
    unbilled = set(rng.sample(keys, _at_least_one(0.15, count)))
    currencies: list[str] = []
    for code, share in CURRENCY_SHARES:
        currencies += [code] * share_count(share, count)
    currencies = (currencies + ["EUR"] * count)[:count]
    rng.shuffle(currencies)
    return tuple(
        words.realistic_customer(
            rng,
            key,
            person=key in persons,
            billing=key not in unbilled,
            currency=currencies[key - 1],
        )
        for key in keys
    )


def _at_least_one(share: float, count: int) -> int:
    return min(count, max(1 if count >= 5 else 0, share_count(share, count)))


def products() -> tuple[SeedProduct, ...]:
    return tuple(
        SeedProduct(title, unit, price, tuple(TAXES[name] for name in names))
        for title, unit, price, names in words.PRODUCTS
    )


# --- invoices ------------------------------------------------------------------------------


@dataclass
class _Builder:
    rng: random.Random
    plan: Plan
    today: date
    customers: tuple[SeedCustomer, ...]
    catalogue: tuple[SeedProduct, ...]

    def invoice(self, index: int, issued: date) -> SeedInvoice:
        rng, plan = self.rng, self.plan
        customer = rng.choice(self.customers)
        currency = self._currency(index, customer)
        lines = self._lines(index, customer)
        state = plan.states[index]
        return SeedInvoice(
            key=index + 1,
            number=index + 1,
            customer=customer.key,
            date=issued,
            duedate=self._due(index, issued),
            currency=currency,
            state=state,
            lines=lines,
            terms=self._typed(rng.choice(words.TERMS)),
            clientnote=self._typed(rng.choice(words.CLIENT_NOTES)),
            adminnote=self._typed(rng.choice(words.ADMIN_NOTES))
            if plan.has("adminnote", index)
            else "",
            discount=self._discount(index, lines),
            adjustment=self._adjustment(index),
            shipping=self._shipping(index, customer),
            perfex=self._perfex(index, state),
            onlyoffice=self._onlyoffice(index, currency, state),
        )

    def _typed(self, text: str) -> str:
        """Half of the multi-line texts came from a browser form, with CRLF line breaks."""
        if "\n" in text and self.rng.random() < 0.5:
            return words.typed_in_a_browser(text)
        return text

    def _currency(self, index: int, customer: SeedCustomer) -> str:
        if not self.plan.has("other_currency", index):
            return customer.currency
        return self.rng.choice([c for c in ("EUR", "USD", "GBP", "CHF") if c != customer.currency])

    def _due(self, index: int, issued: date) -> date | None:
        if self.plan.has("due_none", index) or self.plan.has("due_zero", index):
            return None
        return issued + timedelta(days=self.rng.choice((14, 30, 30, 45, 60)))

    # -- lines --

    def _lines(self, index: int, customer: SeedCustomer) -> tuple[SeedLine, ...]:
        rng, plan = self.rng, self.plan
        count = (
            rng.randint(8, 15)
            if plan.has("long_invoice", index)
            else rng.choice((1, 1, 2, 2, 3, 4, 5))
        )
        if plan.has("mixed_taxes", index):
            count = max(count, 2)
        lines = [self._line(rng.choice(self.catalogue)) for _ in range(count)]
        lines = self._taxed(index, customer, lines)
        if plan.has("line_discounts", index):
            lines = self._line_discounts(lines)
        if plan.has("long_line", index):
            position = rng.randrange(len(lines))
            text = self._typed(words.long_text(rng, rng.randint(1800, 2000)))
            line = lines[position]
            office = line.onlyoffice_text
            if office != "":  # a bare line stays bare
                office = _onlyoffice_text(line.description, text)
            lines[position] = _replace(line, long_description=text, onlyoffice_text=office)
        return tuple(lines)

    def _line(self, product: SeedProduct) -> SeedLine:
        rng = self.rng
        qty = (
            Decimal(rng.choice((1, 1, 2, 3, 5, 10, 20)))
            if rng.random() < 0.6
            else (Decimal(rng.randrange(25, 1000)) / Decimal(100)).quantize(CENT)
        )
        rate = product.price
        if rng.random() < 0.15:  # a price typed for this customer
            rate = (product.price * Decimal(rng.randint(80, 120)) / 100).quantize(CENT)
        description, text = product.title, None
        roll = rng.random()
        if roll < 0.20:
            description = f"{product.title} – {rng.choice(('März', 'Q3', 'Sonderpreis', 'été'))}"
        elif roll < 0.30:
            text = ""  # ONLYOFFICE: the product title shows
        long = self._typed(rng.choice(words.LONG_TEXTS)) if rng.random() < 0.30 else ""
        if text is None and long:
            text = _onlyoffice_text(description, long)
        return SeedLine(
            description,
            long,
            max(qty, CENT),
            max(rate, CENT),
            product.unit,
            product.taxes,
            product=product.title,
            onlyoffice_text=text,
        )

    def _taxed(self, index: int, customer: SeedCustomer, lines: list[SeedLine]) -> list[SeedLine]:
        plan = self.plan
        sales = TAXES["MwSt"] if customer.country in GERMAN_SPEAKING else TAXES["VAT"]
        if plan.has("zero_tax", index):
            taxes: tuple[SeedTax, ...] = (TAXES["Zero rate"],) if index % 2 else ()
            return [_replace(line, taxes=taxes) for line in lines]
        if plan.has("mixed_taxes", index):
            out = [_replace(line, taxes=_local(line.taxes, sales) or (sales,)) for line in lines]
            if len({line.taxes for line in out}) == 1:
                other = (TAXES["Reduced VAT"],) if out[-1].taxes != (TAXES["Reduced VAT"],) else ()
                out[-1] = _replace(out[-1], taxes=other)
        else:
            out = [_replace(line, taxes=(sales,)) for line in lines]
        if plan.has("two_taxes", index):
            position = self.rng.randrange(len(out))
            first = out[position].taxes[0] if out[position].taxes else sales
            out[position] = _replace(out[position], taxes=(first, TAXES["City tax"]))
        return out

    def _line_discounts(self, lines: list[SeedLine]) -> list[SeedLine]:
        picks = [self.rng.choice((ZERO, *LINE_DISCOUNTS)) for _ in lines]
        if len(set(picks)) == 1:  # make them differ (and never all zero)
            picks[-1] = next(d for d in LINE_DISCOUNTS if d != picks[0])
        return [_replace(line, discount=d) for line, d in zip(lines, picks, strict=True)]

    # -- money --

    def _discount(self, index: int, lines: Sequence[SeedLine]) -> SeedDiscount | None:
        kind = self.plan.discount_kinds.get(index)
        if kind is None:
            return None
        when, mode = kind
        if mode == "percent":
            return SeedDiscount(when, percent=self.rng.choice(PERCENTS))
        amounts = ((line.qty * line.rate).quantize(CENT, ROUND_HALF_UP) for line in lines)
        subtotal = sum(amounts, ZERO)
        return SeedDiscount(when, fixed=_awkward_amount(self.rng, subtotal))

    def _adjustment(self, index: int) -> Decimal:
        if not self.plan.has("adjustment", index):
            return ZERO
        ordered = sorted(self.plan.picks["adjustment"])
        down = ordered.index(index) % 2 == 1
        return self.rng.choice(ADJUSTMENTS_DOWN if down else ADJUSTMENTS_UP)

    # -- where it goes, and the fields of one side --

    def _shipping(self, index: int, customer: SeedCustomer) -> SeedShipping | None:
        if not self.plan.has("shipping", index):
            return None
        rng = self.rng
        others = [c for c in self.customers if c.key != customer.key and c.billing]
        if others and rng.random() < 0.5:
            consignee = rng.choice(others)
            return SeedShipping(consignee.address, consignee.key, rng.random() < 0.7)
        city, zip_code, country = rng.choice(words.cities_for(customer.currency))
        street = f"{rng.choice(('Lager', 'Warehouse', 'Entrepôt'))} {rng.randint(1, 9)}"
        return SeedShipping(SeedAddress(street, city, zip_code, country), None, rng.random() < 0.7)

    def _perfex(self, index: int, state: str) -> PerfexExtras:
        rng, plan = self.rng, self.plan
        recurring, recurring_type, cycles, done = 0, None, 0, 0
        if plan.has("recurring", index):
            recurring, recurring_type = rng.choice(((1, None), (2, "week")))
            cycles = rng.choice((0, 12))
            done = rng.randint(0, 5)
        agent = rng.randint(1, 3) if plan.has("sale_agent", index) else 0
        return PerfexExtras(
            placeholder_number=state != "draft" or plan.has("placeholder", index),
            zero_duedate=plan.has("due_zero", index),
            recurring=recurring,
            recurring_type=recurring_type,
            cycles=cycles,
            total_cycles=done,
            sale_agent=agent,
            cancel_overdue_reminders=plan.has("cancel_overdue_reminders", index),
            tags=rng.choice(words.TAGS) if plan.has("tags", index) else (),
            instalments=2 if state == "paid" and rng.random() < 1 / 6 else 1,
        )

    def _onlyoffice(self, index: int, currency: str, state: str) -> OnlyofficeExtras:
        rng, plan = self.rng, self.plan
        rate = EXCHANGE_RATES.get(currency)
        placeholder = state == "draft" and plan.has("placeholder", index)
        return OnlyofficeExtras(
            # Nobody could copy a Perfex draft by a number it does not have yet.
            copied=not placeholder,
            purchase_order_number=rng.choice(words.PO_NUMBERS)
            if plan.has("purchase_order", index)
            else "",
            exchange_rate=rate if rate is not None and index % 2 == 0 else Decimal("1.00"),
            language=rng.choice(words.LANGUAGES) if plan.has("language", index) else "en-US",
            template_type=1 if plan.has("rus_template", index) else 0,
            deal=rng.choice(words.DEALS) if plan.has("deal", index) else None,
        )


def _onlyoffice_text(description: str, long: str) -> str:
    """ONLYOFFICE lines have one text: a person pastes both of Perfex's into it."""
    return f"{description}\n{long}"


def _local(taxes: tuple[SeedTax, ...], sales: SeedTax) -> tuple[SeedTax, ...]:
    """Catalogue taxes as the customer's country names its sales tax."""
    return tuple(sales if tax.name in ("VAT", "MwSt") else tax for tax in taxes)


def _replace(line: SeedLine, **changes: object) -> SeedLine:
    from dataclasses import replace

    return replace(line, **changes)  # type: ignore[arg-type]


def _awkward_amount(rng: random.Random, subtotal: Decimal) -> Decimal:
    """A fixed discount between 2 % and 15 % of the subtotal that is no two-decimal
    percentage of it (so no per-line percentage can reproduce it exactly)."""
    amount = max(CENT, (subtotal * Decimal(rng.randint(200, 1500)) / 10000).quantize(CENT))
    while subtotal and (amount * 10000 / subtotal) == (amount * 10000 / subtotal).to_integral():
        amount += CENT
    return amount


def realistic(rng: random.Random, invoices: int, customers: int, today: date) -> SeedData:
    catalogue = products()
    people = draw_customers(rng, customers)
    dates = sorted(today - timedelta(days=rng.randrange(0, 730)) for _ in range(invoices))
    plan = draw_plan(rng, invoices)
    builder = _Builder(rng, plan, today, people, catalogue)
    out = tuple(builder.invoice(index, issued) for index, issued in enumerate(dates))
    return SeedData(today, TAX_TABLE, catalogue, people, out, "realistic")
