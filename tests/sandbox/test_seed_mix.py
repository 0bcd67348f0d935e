"""`bridge.sandbox.seed.generate`: the realistic default mix in its documented shares, and the
simple mix unchanged."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from bridge.sandbox.seed import generate

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def hundred():
    return generate(seed=11, invoices=100, today=TODAY)


def test_the_same_seed_gives_the_same_books_and_another_seed_others():
    assert generate(seed=4, invoices=30) == generate(seed=4, invoices=30)
    assert generate(seed=4, invoices=30) != generate(seed=5, invoices=30)
    assert generate(seed=4, invoices=30).mix == "realistic"


def test_the_tax_table_of_the_realistic_mix(hundred):
    assert [(t.name, str(t.rate)) for t in hundred.taxes] == [
        ("VAT", "20.00"),
        ("MwSt", "20.00"),
        ("Reduced VAT", "7.00"),
        ("Zero rate", "0.00"),
        ("City tax", "2.50"),
    ]
    shapes = Counter(len(p.taxes) for p in hundred.products)
    assert shapes[0] and shapes[1] and shapes[2]


def test_states_come_in_their_shares(hundred):
    states = Counter(i.state for i in hundred.invoices)
    assert states == {
        "draft": 8,
        "cancelled": 4,
        "partially_paid": 8,
        "paid": 50,
        "unpaid": 30,
    }
    drafts = [i for i in hundred.invoices if i.state == "draft"]
    assert sum(i.perfex.placeholder_number for i in drafts) == 4
    assert all(not i.onlyoffice.copied for i in drafts if i.perfex.placeholder_number)
    assert all(i.onlyoffice.copied for i in hundred.invoices if i.state != "draft")
    newest = sorted(hundred.invoices, key=lambda i: i.date)[-25:]
    assert set(drafts) <= set(newest)


def test_money_features_come_in_their_shares_and_never_mix_styles(hundred):
    invoices = hundred.invoices
    kinds = Counter(
        (i.discount.kind, "percent" if i.discount.percent else "fixed")
        for i in invoices
        if i.discount
    )
    assert sum(kinds.values()) == 18 and sorted(kinds.values()) == [4, 4, 5, 5]
    adjustments = [i.adjustment for i in invoices if i.adjustment]
    assert len(adjustments) == 7 and sum(a > 0 for a in adjustments) == 4
    line_discounts = [i for i in invoices if any(line.discount for line in i.lines)]
    assert len(line_discounts) == 15
    assert not any(i.discount or i.adjustment for i in line_discounts)
    for invoice in invoices:
        if invoice.discount and invoice.discount.fixed:
            subtotal = sum(
                ((line.qty * line.rate).quantize(Decimal("0.01")) for line in invoice.lines),
                Decimal(0),
            )
            share = invoice.discount.fixed * 10000 / subtotal
            assert share != share.to_integral_value()


def test_taxes_vary_across_and_within_lines(hundred):
    invoices = hundred.invoices
    untaxed = [i for i in invoices if all(t.rate == 0 for line in i.lines for t in line.taxes)]
    assert len(untaxed) == 8
    mixed = [i for i in invoices if len({line.taxes for line in i.lines}) > 1]
    assert len(mixed) >= 25
    doubled = [i for i in invoices if any(len(line.taxes) == 2 for line in i.lines)]
    assert len(doubled) >= 10


def test_dates_texts_and_quantities(hundred):
    invoices = hundred.invoices
    assert sum(i.duedate is None and not i.perfex.zero_duedate for i in invoices) == 8
    assert sum(i.perfex.zero_duedate for i in invoices) == 3
    lines = [line for i in invoices for line in i.lines]
    assert any(line.qty != line.qty.to_integral_value() for line in lines)
    assert any("\r\n" in line.long_description for line in lines)
    assert any(
        "\n" in line.long_description and "\r" not in line.long_description for line in lines
    )
    assert 1800 <= max(len(line.long_description) for line in lines) <= 2000
    assert any(line.onlyoffice_text == "" for line in lines)
    assert sum(len(i.lines) >= 8 for i in invoices) >= 8


def test_fields_of_one_side_come_in_their_shares(hundred):
    invoices = hundred.invoices
    counts = {
        "recurring": sum(bool(i.perfex.recurring) for i in invoices),
        "shipping": sum(i.shipping is not None for i in invoices),
        "sale agent": sum(bool(i.perfex.sale_agent) for i in invoices),
        "reminders": sum(i.perfex.cancel_overdue_reminders for i in invoices),
        "tags": sum(bool(i.perfex.tags) for i in invoices),
        "purchase order": sum(bool(i.onlyoffice.purchase_order_number) for i in invoices),
        "deal": sum(i.onlyoffice.deal is not None for i in invoices),
        "language": sum(i.onlyoffice.language != "en-US" for i in invoices),
        "template": sum(i.onlyoffice.template_type == 1 for i in invoices),
    }
    assert counts == {
        "recurring": 5,
        "shipping": 10,
        "sale agent": 30,
        "reminders": 5,
        "tags": 10,
        "purchase order": 20,
        "deal": 10,
        "language": 15,
        "template": 3,
    }
    assert any(i.onlyoffice.exchange_rate != 1 for i in invoices)
    assert all(i.onlyoffice.exchange_rate == 1 for i in invoices if i.currency == "EUR")


def test_customers_are_companies_and_persons_with_and_without_addresses():
    data = generate(seed=2, invoices=160, today=TODAY)  # forty customers
    customers = data.customers
    assert len(customers) == 40
    assert sum(c.is_person for c in customers) == 8
    assert sum(not c.billing for c in customers) == 6
    assert Counter(c.currency for c in customers) == {"EUR": 24, "USD": 6, "GBP": 4, "CHF": 6}
    assert len({c.company for c in customers}) == 40


def test_rare_features_appear_at_least_once_from_twenty_invoices():
    data = generate(seed=3, invoices=20, today=TODAY)
    assert any(i.perfex.zero_duedate for i in data.invoices)
    assert any(i.onlyoffice.template_type == 1 for i in data.invoices)
    assert any(len(line.long_description) >= 1800 for i in data.invoices for line in i.lines)


def test_the_simple_mix_is_the_original_generator_draw_for_draw():
    data = generate(seed=1, invoices=4, mix="simple")
    assert [c.company for c in data.customers] == [
        "Müller & Söhne AG",
        "Ærø Fiskeri SARL",
        "Łódź Logistyka SARL",
    ]
    first = data.invoices[0]
    assert (first.customer, first.date.isoformat(), str(first.duedate), first.state) == (
        1,
        "2024-12-28",
        "2025-02-11",
        "paid",
    )
    assert [
        (line.description, str(line.qty), line.tax and line.tax.name) for line in first.lines
    ] == [
        ("Espresso beans 1 kg", "9.69", None),
        ("Consulting", "10", "VAT"),
        ("Licence seat", "1.48", None),
        ("Travel expenses", "10", None),
    ]
    assert [i.state for i in data.invoices] == ["paid"] * 4


def test_the_simple_mix_stays_polite():
    data = generate(seed=9, invoices=60, mix="simple")
    assert [t.name for t in data.taxes] == ["VAT", "Reduced VAT"]
    lines = [line for i in data.invoices for line in i.lines]
    assert all(len(line.taxes) <= 1 and not line.discount for line in lines)
    assert not any(i.discount or i.adjustment or i.shipping for i in data.invoices)
    assert all(c.billing and not c.is_person for c in data.customers)
    assert all(i.perfex.placeholder_number and i.onlyoffice.copied for i in data.invoices)


def test_an_unknown_mix_is_refused():
    with pytest.raises(ValueError):
        generate(mix="chaotic")
