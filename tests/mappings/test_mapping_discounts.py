"""Discounts carried as the other system's discount: landing on the total to the cent.

ONLYOFFICE's cost is checked with `money.onlyoffice_cost` (the Decimal formula of the
ONLYOFFICE notes, 4.3) and Perfex's total with `money.perfex_ui_totals`, never with the search's
own integer arithmetic.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from mappings.discounts import (
    CostLine,
    fit_line_discounts,
    onlyoffice_pricing,
    perfex_fixed_discount,
    uniform_discounts,
)
from mappings.money import BEFORE_TAX, onlyoffice_cost, perfex_ui_totals
from mappings.onlyoffice import OnlyofficeLine
from mappings.perfex import PerfexLine, TaxSpec

D = Decimal
CENT = D("0.01")
RATE_IDS = {D("20"): 1, D("10"): 2, D("2.5"): 3, D("7.7"): 4, D("5.5"): 5}
TAX_RATES = {tax_id: rate for rate, tax_id in RATE_IDS.items()}
MIXES = [(), (D("20"),), (D("10"),), (D("20"), D("2.5")), (D("7.7"),), (D("5.5"),)]


def cost(lines: list[CostLine], percents: tuple[Decimal, ...]) -> Decimal:
    """ONLYOFFICE's cost of these lines, by the Decimal formula in money.py."""
    written = [
        OnlyofficeLine(
            item_id=1,
            tax1_id=RATE_IDS[line.rates[0]] if line.rates else 0,
            tax2_id=RATE_IDS[line.rates[1]] if len(line.rates) > 1 else 0,
            description="x",
            quantity=line.quantity,
            price=line.price,
            discount=percent,
        )
        for line, percent in zip(lines, percents, strict=True)
    ]
    return onlyoffice_cost(written, TAX_RATES)


def random_line(rng: random.Random) -> CostLine:
    quantity = D(rng.choice(["1", "1", "2", "0.5", "2.5", "3.75", "10", "0.25"]))
    price = D(rng.randint(50, 300_000)) / 100
    return CostLine(quantity, price, rng.choice(MIXES))


def invoice_lines(rng: random.Random, count: int) -> list[CostLine]:
    return [random_line(rng) for _ in range(count)]


def target_between(rng: random.Random, lines: list[CostLine]) -> Decimal:
    undiscounted = cost(lines, (D(0),) * len(lines))
    return (undiscounted * D(rng.uniform(0.5, 0.995))).quantize(CENT)


def test_the_integer_arithmetic_is_onlyoffices_cost_formula() -> None:
    rng = random.Random("pricing")
    for _ in range(400):
        lines = invoice_lines(rng, rng.randint(1, 6))
        percents = tuple(D(rng.randint(0, 10_000)) / 100 for _ in lines)
        assert onlyoffice_pricing(lines, percents).cost == cost(lines, percents)


def test_what_the_search_reports_is_what_onlyoffice_computes() -> None:
    rng = random.Random("report")
    for _ in range(100):
        lines = invoice_lines(rng, rng.randint(1, 12))
        fit = fit_line_discounts(lines, target_between(rng, lines))
        assert fit.cost == cost(lines, fit.percents)
        assert all(D(0) <= p <= 100 and p == p.quantize(CENT) for p in fit.percents)


@pytest.mark.parametrize("count", [1, 2])
def test_one_or_two_lines_land_whenever_any_percentages_do(count: int) -> None:
    """Exhaustively: every percentage of every line (10 001 each)."""
    rng = random.Random(f"exhaustive-{count}")
    for _ in range(25 if count == 1 else 8):
        lines = invoice_lines(rng, count)
        goal = target_between(rng, lines)
        fit = fit_line_discounts(lines, goal)
        steps = [D(p) / 100 for p in range(10_001)]
        first = {cost(lines[:1], (p,)) for p in steps}
        if count == 1:
            possible = goal in first
        else:
            second = {cost(lines[1:], (p,)) for p in steps}
            possible = any(goal - amount in second for amount in first)
        assert fit.exact == possible


@pytest.mark.parametrize("count", [3, 5, 20, 50])
def test_invoices_of_several_lines_land_exactly(count: int) -> None:
    rng = random.Random(f"several-{count}")
    for _ in range(40 if count < 20 else 10):
        lines = invoice_lines(rng, count)
        goal = target_between(rng, lines)
        fit = fit_line_discounts(lines, goal)
        assert fit.exact and cost(lines, fit.percents) == goal


def test_a_percentage_that_already_lands_is_kept_on_every_line() -> None:
    lines = [CostLine(D("10"), D("90"), (D("20"),)), CostLine(D("1"), D("100"), (D("20"),))]
    fit = fit_line_discounts(lines, D("1080.00"), start=D("10"))
    assert fit.percents == (D("10.00"), D("10.00")) and fit.exact


def test_a_percentage_that_misses_moves_as_few_lines_as_it_can() -> None:
    """A cent away from 10 % on every line: one line moves when one can absorb it, else two
    (a line's cost moves by its tax too, so one line often cannot make exactly a cent)."""
    rng = random.Random("nudge")
    moved_counts = []
    for _ in range(60):
        lines = invoice_lines(rng, rng.randint(2, 15))
        uniform = uniform_discounts(lines, D("10"), D(0))
        goal = uniform.cost + rng.choice([CENT, -CENT])
        fit = fit_line_discounts(lines, goal, start=D("10"))
        assert fit.exact
        moved = [p for p in fit.percents if p != D("10.00")]
        moved_counts.append(len(moved))
        assert all(abs(p - 10) <= 2 for p in moved)
        one_line_absorbs = any(
            cost([line], (p,)) - cost([line], (D("10"),)) == goal - uniform.cost
            for line in lines
            for p in (D(h) / 100 for h in range(800, 1201))
        )
        assert (len(moved) == 1) == one_line_absorbs
    assert set(moved_counts) == {1, 2}


@pytest.mark.parametrize(
    ("goal", "percent"),
    [
        pytest.param("0.00", "100.00", id="everything-off"),
        pytest.param("1500.00", "0.00", id="above-the-undiscounted-cost"),
    ],
)
def test_percentages_stay_between_0_and_100(goal: str, percent: str) -> None:
    lines = [CostLine(D("10"), D("90"), (D("20"),))]
    fit = fit_line_discounts(lines, D(goal))
    assert fit.percents == (D(percent),)


def perfex_lines(rng: random.Random, count: int) -> list[PerfexLine]:
    """Small amounts, so that every fixed discount from 0.00 to the subtotal can be tried."""
    taxes = [(), (TaxSpec("VAT", D("20")),), (TaxSpec("VAT", D("7")),), (TaxSpec("X", D("55")),)]
    return [
        PerfexLine(
            str(i),
            "x",
            "",
            D(rng.choice(["1", "2", "0.5"])),
            D(rng.randint(100, 3_000)) / 100,
            "",
            i,
            rng.choice(taxes),
        )
        for i in range(1, count + 1)
    ]


def test_the_perfex_fixed_discount_lands_whenever_any_amount_does() -> None:
    rng = random.Random("fixed")
    for _ in range(12):
        lines = perfex_lines(rng, rng.randint(1, 3))
        plain = perfex_ui_totals(lines, "", D(0), D(0), D(0))
        goal = (plain.total * D(rng.uniform(0.7, 0.99))).quantize(CENT)
        amount, totals = perfex_fixed_discount(lines, goal)
        assert totals == perfex_ui_totals(lines, BEFORE_TAX, D(0), amount, D(0))
        every = range(0, int(plain.subtotal * 100) + 1)
        reachable = {
            perfex_ui_totals(lines, BEFORE_TAX, D(0), D(c) / 100, D(0)).total for c in every
        }
        assert (totals.total == goal) == (goal in reachable)
        if goal not in reachable:
            assert abs(totals.total - goal) == min(abs(r - goal) for r in reachable)
