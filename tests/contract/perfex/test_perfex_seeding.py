"""`PerfexSimulator.load`: a neutral seed becomes Perfex-shaped data a client can read back."""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from perfex_wire import TODAY

from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.seed import SeedData, generate

CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def seeded() -> tuple[PerfexSimulator, SeedData]:
    seed = generate(seed=9, invoices=60, today=TODAY, mix="simple")  # has every state
    sim = PerfexSimulator(today=TODAY)
    sim.load(seed)
    return sim, seed


def _js_to_fixed(value: float) -> Decimal:
    """accounting.js 0.4.1 `toFixed(v, 2)`: Math.round(v * 100) / 100 on doubles."""
    scaled = value * 100.0
    whole = math.floor(scaled)
    return Decimal(whole + (1 if scaled - whole >= 0.5 else 0)) / 100


def _ui_totals(seed_invoice) -> tuple[Decimal, Decimal]:
    """API notes 5.2 as the browser runs it (no discount in the simple mix): line amounts
    rounded to cents by accounting.js, taxes on the rounded amounts, all in doubles."""
    subtotal = tax = 0.0
    for line in seed_invoice.lines:
        amount = float(_js_to_fixed(float(line.rate) * float(line.qty)))
        subtotal += amount
        if line.tax is not None:
            tax += amount / 100 * float(line.tax.rate)
    return _js_to_fixed(subtotal), _js_to_fixed(tax + subtotal)


def test_currencies_are_fixed_ids_with_eur_as_base(seeded) -> None:
    sim, _ = seeded
    assert sim.currency_ids == {"EUR": "1", "USD": "2", "GBP": "3"}
    assert sim.store.currencies[1].isdefault == 1


def test_customers_keep_seed_order_and_currency_ids(seeded) -> None:
    sim, seed = seeded
    for customer in seed.customers:
        row = sim.store.customers[customer.key].row
        assert row["company"] == customer.company and row["vat"] == customer.vat
        expected = 0 if customer.currency == "EUR" else int(sim.currency_ids[customer.currency])
        assert row["default_currency"] == expected
        assert row["country"] > 0 and row["billing_country"] == row["country"]


def test_invoices_keep_ids_numbers_and_states(seeded) -> None:
    sim, seed = seeded
    states = {invoice.state for invoice in seed.invoices}
    assert states == {"draft", "unpaid", "paid", "partially_paid", "cancelled"}
    for invoice in seed.invoices:
        stored = sim.store.invoices[invoice.key]
        expected_status = {
            "draft": 6,
            "cancelled": 5,
            "paid": 2,
            "partially_paid": 3,
        }.get(invoice.state)
        if expected_status is None:  # unpaid: overdue once the due date has passed
            past_due = invoice.duedate is not None and invoice.duedate < TODAY
            expected_status = 4 if past_due else 1
        assert stored.status == expected_status, invoice.key
        number = 1000000000 if invoice.state == "draft" else invoice.number
        assert stored.number == number and stored.date == invoice.date
        assert stored.row["datecreated"].date() == invoice.date
    assert sim.store.next_invoice_number == max(i.number for i in seed.invoices) + 1


def test_totals_follow_the_ui_formula_and_total_tax_the_server_formula(seeded) -> None:
    sim, seed = seeded
    for invoice in seed.invoices:
        stored = sim.store.invoices[invoice.key]
        assert (stored.subtotal, stored.total) == _ui_totals(invoice)
        exact = sum(
            (line.qty * line.rate * line.tax.rate / 100 for line in invoice.lines if line.tax),
            Decimal(0),
        )
        # The server sums in PHP floats: never more than the last printed digit off exact.
        assert stored.total_tax == exact.quantize(CENT, ROUND_HALF_UP)


def test_the_screen_posts_what_the_browser_rounds_not_the_exact_decimal(seeded) -> None:
    """24.50 x 5.29 is 129.605, but the double is 129.60499999999999: the screen's
    accounting.js rounds it to 129.60 where exact half-up arithmetic says 129.61."""
    sim, seed = seeded
    source, tie = next(
        (invoice, line)
        for invoice in seed.invoices
        for line in invoice.lines
        if (line.qty, line.rate) == (Decimal("5.29"), Decimal("24.50"))
    )
    amounts = [(line.qty * line.rate).quantize(CENT, ROUND_HALF_UP) for line in source.lines]
    others = sum(amounts, Decimal(0)) - Decimal("129.61")
    assert sim.store.invoices[source.key].subtotal == others + Decimal("129.60")


def test_lines_are_ordered_and_long_descriptions_carry_br(seeded) -> None:
    sim, seed = seeded
    for invoice in seed.invoices[:10]:
        lines = sim.store.lines_of(invoice.key)
        assert [line.item_order for line in lines] == list(range(1, len(invoice.lines) + 1))
        for line, source in zip(lines, invoice.lines, strict=True):
            assert line.long_description == source.long_description.replace("\n", "<br />\n")


def test_paid_invoices_have_one_full_payment(seeded) -> None:
    sim, seed = seeded
    for invoice in seed.invoices:
        payments = sim.store.payments_of(invoice.key)
        if invoice.state == "paid":
            assert [p.amount for p in payments] == [sim.store.invoices[invoice.key].total]
        elif invoice.state == "partially_paid":
            half = (sim.store.invoices[invoice.key].total / 2).quantize(CENT, ROUND_DOWN)
            assert [p.amount for p in payments] == [half]
        else:
            assert payments == []
