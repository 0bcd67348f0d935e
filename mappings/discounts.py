"""Invoice discounts carried into the other system's discount model, landing on its total.

Perfex → ONLYOFFICE
-------------------
Perfex has one invoice discount (percent or fixed, before or after tax) and a free
`adjustment`; ONLYOFFICE has only a percentage on each line (0..100, two decimals) and no
adjustment. Its cost formula rounds half to even at every step (ONLYOFFICE API notes 4.3).
In integer cents, with percentages and tax rates in hundredths of a percent:

    gross_i = rhe(price_i × qty_i)
    disc_i  = rhe(gross_i × p_i / 10000)
    net_i   = gross_i − disc_i
    cost_i  = net_i + Σ_j rhe(net_i × rate_j / 10000)      (up to two taxes)
    cost    = Σ_i cost_i

Taxes are linear in the net, so any Perfex discount, and a negative adjustment, scales the
whole invoice: the one real percentage that lands on Perfex's total T is
p* = 100 × (1 − T / G), G being ONLYOFFICE's cost without discounts. Only two-decimal
percentages exist and every line rounds on its own, so the search looks for p_1 … p_n near
that ideal with Σ cost_i(p_i) = T exactly:

1. Every line starts at one percentage: Perfex's own percent when the discount is a percent
   and there is no adjustment, else p* rounded. Δ = T − Σ cost_i(start), in cents.
2. cost_i is a non-increasing step function of p_i, and two percentages with the same cost
   have the same discount and tax (a lower net never has a higher tax). So each line offers
   distinct cost offsets from its start, each reached first (closest to the start) by one
   percentage. They are enumerated by jumping straight to the next percentage that changes
   the line's discount, while the offset stays within ±R cents.
3. One line moved, or two, when that lands (the smallest change of percentage wins); when
   the caller gives Perfex's tax, moves that land the summed line taxes on it too come first,
   so that the tax split of a landed total agrees as well.
   Otherwise a subset sum over lines, kept as one bitset per prefix of lines (Python
   integers), says which total offsets are reachable; walking back from Δ picks, for each
   line from the smallest, the option closest to its start that leaves the rest reachable,
   so lines stay at the start unless they must move.
4. When Δ is not reachable, the reachable offset nearest to it is taken (the start itself
   unless something is strictly nearer), and the caller reports the difference.

Bound: a line's percentage moves at most ±2.00 points from its start and its cost at most
±R cents, R = |Δ| + 2 × (the largest single step of any line) + 10 cents first, then 20.00.
Inside that box the search is exact: if any assignment within it lands on T, one is found.
The work is at most 2 × 200 + 1 options per line, each a few integer operations and one
bitset shift: a 50-line invoice takes milliseconds. Two-line invoices, whose lines can need a
wider spread, are then searched over every percentage pair (10 001 costs a line, one lookup
each), so for one and two lines "no exact answer" means none exists. When rounding p* leaves
Δ above 50 cents (large invoices), lines start on either neighbour of p* first.

The caller never searches an invoice without a discount or a negative adjustment: a rounding
cent is reported, not hidden behind a discount nobody gave. The search itself, in integers,
is in `discount_search.py`.

ONLYOFFICE → Perfex
-------------------
Lines with different percentages have no Perfex counterpart but a fixed amount F before tax.
Perfex's total is then round((S + Tax) × (1 − F / S)) (Perfex API notes 5.2), which drops by
(S + Tax) / S ≥ 1 cent for every cent of F; the estimate F = S × (1 − C / (S + Tax)) and the
few cents around it hold the F that lands on ONLYOFFICE's cost C whenever one exists.

Must not: look anything up, touch quantities, prices or texts, or decide whether a miss is
acceptable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from mappings.discount_search import PricedLine, half_even, ideal_percent, search, spread
from mappings.money import (
    BEFORE_TAX,
    CENT,
    HUNDRED,
    ZERO,
    PerfexTotals,
    perfex_ui_totals,
    round_half_up,
)
from mappings.perfex import PerfexLine

_FIXED_SCAN = 5  # cents of F tried on each side of the estimate


@dataclass(frozen=True, slots=True)
class CostLine:
    """A line as ONLYOFFICE prices it: quantity and price (two decimals) and its tax rates."""

    quantity: Decimal
    price: Decimal
    rates: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class DiscountFit:
    """Per-line percentages and what ONLYOFFICE's cost formula makes of them."""

    percents: tuple[Decimal, ...]
    cost: Decimal
    tax: Decimal  # the sum of the lines' rounded taxes
    target: Decimal

    @property
    def exact(self) -> bool:
        return self.cost == self.target


def uniform_discounts(lines: Sequence[CostLine], percent: Decimal, target: Decimal) -> DiscountFit:
    """The same percentage on every line, no search."""
    ints = [_priced(line) for line in lines]
    return _fit_of(ints, [_hundredths(_clamped(percent))] * len(ints), target)


def onlyoffice_pricing(lines: Sequence[CostLine], percents: Sequence[Decimal]) -> DiscountFit:
    """ONLYOFFICE's cost and summed line taxes for these lines and percentages (4.3)."""
    ints = [_priced(line) for line in lines]
    fit = _fit_of(ints, [_hundredths(p) for p in percents], ZERO)
    return DiscountFit(fit.percents, fit.cost, fit.tax, fit.cost)


def fit_line_discounts(
    lines: Sequence[CostLine],
    target: Decimal,
    start: Decimal | None = None,
    tax_target: Decimal | None = None,
) -> DiscountFit:
    """Per-line two-decimal percentages whose ONLYOFFICE cost is `target`, else the closest.

    `start` is the percentage every line starts from (a percentage someone chose: kept as it
    is when it lands on the total); None starts from the ideal p*. With `tax_target`, moving
    one or two lines so that the summed taxes land on it as well comes first (then the cost
    alone is searched).
    """
    ints = [_priced(line) for line in lines]
    goal = _cents(target)
    if start is None:
        starts = spread(ints, ideal_percent(ints, goal), goal)
    else:
        starts = [_hundredths(_clamped(start))] * len(ints)
    tax_goal = None if tax_target is None else _cents(tax_target)
    chosen = search(ints, starts, goal, tax_goal, keep_landed=start is not None)
    return _fit_of(ints, chosen, target)


# -- integer arithmetic ------------------------------------------------------------------------


def _priced(line: CostLine) -> PricedLine:
    # Both values have two decimals on ONLYOFFICE (decimal(10,2), API notes 2.5).
    product = _cents(line.quantity) * _cents(line.price)
    rates = tuple(_hundredths(rate) for rate in line.rates if rate != ZERO)
    return PricedLine(gross=half_even(product, 100), rates=rates)


def _cents(value: Decimal) -> int:
    return int(value.quantize(CENT, rounding=ROUND_HALF_EVEN).scaleb(2))


def _hundredths(percent: Decimal) -> int:
    return int((percent * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _clamped(percent: Decimal) -> Decimal:
    return min(max(percent, ZERO), HUNDRED)


def _fit_of(lines: Sequence[PricedLine], percents: Sequence[int], target: Decimal) -> DiscountFit:
    cost = sum(line.cost(p) for line, p in zip(lines, percents, strict=True))
    tax = sum(line.tax(p) for line, p in zip(lines, percents, strict=True))
    return DiscountFit(
        percents=tuple(Decimal(p).scaleb(-2) for p in percents),
        cost=Decimal(cost).scaleb(-2),
        tax=Decimal(tax).scaleb(-2),
        target=target,
    )


# -- the search --------------------------------------------------------------------------------


# -- ONLYOFFICE → Perfex -----------------------------------------------------------------------


def perfex_fixed_discount(
    lines: Sequence[PerfexLine], target: Decimal
) -> tuple[Decimal, PerfexTotals]:
    """The fixed discount before tax whose Perfex total is `target`, else the closest one
    (ties to the estimate), with the totals it gives."""
    plain = perfex_ui_totals(lines, "", ZERO, ZERO, ZERO)
    subtotal = plain.subtotal
    with_tax = subtotal + sum(plain.tax_by_key.values(), ZERO)
    if subtotal <= ZERO or with_tax <= ZERO:
        return ZERO, plain
    estimate = round_half_up(subtotal * (1 - target / with_tax))
    best: tuple[Decimal, Decimal, PerfexTotals] | None = None
    for step in sorted(range(-_FIXED_SCAN, _FIXED_SCAN + 1), key=abs):
        amount = estimate + step * CENT
        if amount < ZERO or amount > subtotal:
            continue
        kind = BEFORE_TAX if amount != ZERO else ""
        totals = perfex_ui_totals(lines, kind, ZERO, amount, ZERO)
        miss = abs(totals.total - target)
        if best is None or miss < best[0]:
            best = (miss, amount, totals)
        if miss == ZERO:
            break
    if best is None:
        return ZERO, plain
    return best[1], best[2]
