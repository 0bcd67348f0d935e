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
cent is reported, not hidden behind a discount nobody gave.

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
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

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

FULL = 10_000  # 100.00 % in hundredths of a percent
MAX_REACH = 2000  # cents a line's cost may move from its start
MAX_WINDOW = 200  # hundredths of a percent a line's percentage may move from its start
_SLACK = 10
_SPREAD_ABOVE = 50  # cents of Δ from one rounded p* above which lines start on either side
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
    ints = [_Line.of(line) for line in lines]
    return _fit_of(ints, [_hundredths(_clamped(percent))] * len(ints), target)


def onlyoffice_pricing(lines: Sequence[CostLine], percents: Sequence[Decimal]) -> DiscountFit:
    """ONLYOFFICE's cost and summed line taxes for these lines and percentages (4.3)."""
    ints = [_Line.of(line) for line in lines]
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
    ints = [_Line.of(line) for line in lines]
    goal = _cents(target)
    if start is None:
        starts = _spread(ints, _ideal_percent(ints, goal), goal)
    else:
        starts = [_hundredths(_clamped(start))] * len(ints)
    tax_goal = None if tax_target is None else _cents(tax_target)
    chosen = _search(ints, starts, goal, tax_goal, keep_landed=start is not None)
    return _fit_of(ints, chosen, target)


def _ideal_percent(lines: Sequence[_Line], goal: int) -> Decimal:
    """p* = 100 × (1 − T / G), within 0..100: the one real percentage that lands on T."""
    undiscounted = sum(line.cost(0) for line in lines)
    if undiscounted <= 0:
        return ZERO
    return _clamped(HUNDRED * (1 - Decimal(goal) / Decimal(undiscounted)))


# -- integer arithmetic ------------------------------------------------------------------------


def _half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, as .NET's Math.Round on decimals."""
    if numerator < 0:
        return -_half_even(-numerator, denominator)
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def _cents(value: Decimal) -> int:
    return int(value.quantize(CENT, rounding=ROUND_HALF_EVEN).scaleb(2))


def _hundredths(percent: Decimal) -> int:
    return int((percent * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _clamped(percent: Decimal) -> Decimal:
    return min(max(percent, ZERO), HUNDRED)


@dataclass(frozen=True, slots=True)
class _Line:
    gross: int  # cents
    rates: tuple[int, ...]  # hundredths of a percent

    @classmethod
    def of(cls, line: CostLine) -> _Line:
        # Both values have two decimals on ONLYOFFICE (decimal(10,2), API notes 2.5).
        product = _cents(line.quantity) * _cents(line.price)
        rates = tuple(_hundredths(rate) for rate in line.rates if rate != ZERO)
        return cls(gross=_half_even(product, 100), rates=rates)

    def discount(self, percent: int) -> int:
        return _half_even(self.gross * percent, FULL)

    def tax(self, percent: int) -> int:
        net = self.gross - self.discount(percent)
        return sum(_half_even(net * rate, FULL) for rate in self.rates)

    def cost(self, percent: int) -> int:
        return self.gross - self.discount(percent) + self.tax(percent)

    def first_percent_reaching(self, discount: int) -> int | None:
        """The smallest percentage whose discount is at least `discount` cents."""
        if discount <= 0:
            return 0
        if discount > self.gross:
            return None  # 100 % takes exactly the gross
        guess = -(-(2 * discount - 1) * FULL // (2 * self.gross))
        while guess > 0 and self.discount(guess - 1) >= discount:
            guess -= 1
        while self.discount(guess) < discount:
            guess += 1
        return guess


def _fit_of(lines: Sequence[_Line], percents: Sequence[int], target: Decimal) -> DiscountFit:
    cost = sum(line.cost(p) for line, p in zip(lines, percents, strict=True))
    tax = sum(line.tax(p) for line, p in zip(lines, percents, strict=True))
    return DiscountFit(
        percents=tuple(Decimal(p).scaleb(-2) for p in percents),
        cost=Decimal(cost).scaleb(-2),
        tax=Decimal(tax).scaleb(-2),
        target=target,
    )


# -- the search --------------------------------------------------------------------------------


def _spread(lines: Sequence[_Line], ideal: Decimal, goal: int) -> list[int]:
    """Every line on p* rounded, unless that misses by more than the box: then lines go to
    either neighbour of p*, largest first, while that brings the total nearer."""
    rounded = _hundredths(ideal)
    starts = [rounded] * len(lines)
    if abs(goal - sum(line.cost(rounded) for line in lines)) <= _SPREAD_ABOVE:
        return starts
    low = int((ideal * HUNDRED).to_integral_value(rounding=ROUND_FLOOR))
    starts = [low] * len(lines)
    delta = goal - sum(line.cost(low) for line in lines)
    for index in sorted(range(len(lines)), key=lambda i: -lines[i].gross):
        if low + 1 > FULL:
            break
        change = lines[index].cost(low + 1) - lines[index].cost(low)
        if abs(delta - change) < abs(delta):
            starts[index] = low + 1
            delta -= change
    return starts


def _search(
    lines: Sequence[_Line],
    starts: list[int],
    goal: int,
    tax_goal: int | None = None,
    keep_landed: bool = False,
) -> list[int]:
    """Tries a narrow box first (cheap, and enough for most invoices), then the wide one.
    With `tax_goal`, one or two moved lines that land the taxes as well come first, unless
    the start lands on the total and `keep_landed` says to keep it."""
    delta = goal - sum(line.cost(p) for line, p in zip(lines, starts, strict=True))
    if delta == 0 and keep_landed:
        return starts
    if tax_goal is not None and lines:
        tax_delta = tax_goal - sum(line.tax(p) for line, p in zip(lines, starts, strict=True))
        both = _both(lines, starts, delta, tax_delta) if delta or tax_delta else None
        if both is not None:
            return both
    if delta == 0 or not lines:
        return starts
    # Most misses are a cent or two that one line can absorb: look at that alone first.
    tiny = [
        _options(line, p, abs(delta), MAX_WINDOW) for line, p in zip(lines, starts, strict=True)
    ]
    single = _fewest_moves(lines, starts, tiny, delta, pairs=False)
    if single is not None:
        return single
    largest_step = max(_first_step(line, p) for line, p in zip(lines, starts, strict=True))
    narrow = min(MAX_REACH, abs(delta) + 2 * largest_step + _SLACK)
    chosen, exact = _search_box(lines, starts, delta, narrow, MAX_WINDOW)
    moved = sum(1 for p, start in zip(chosen, starts, strict=True) if p != start)
    if (exact and moved <= 2) or narrow == MAX_REACH:
        return chosen
    wide, wide_exact = _search_box(lines, starts, delta, MAX_REACH, MAX_WINDOW)
    if exact:  # the wide box may land with one or two lines moved where the narrow needed more
        wide_moved = sum(1 for p, start in zip(wide, starts, strict=True) if p != start)
        return wide if wide_exact and wide_moved < moved else chosen
    if wide_exact:
        return wide
    if len(lines) == 2:
        return _search_pair(lines, starts, goal) or chosen
    return chosen


def _both(
    lines: Sequence[_Line], starts: list[int], delta: int, tax_delta: int
) -> list[int] | None:
    """One or two lines moved so that the cost and the taxes both land, in the narrow box."""
    largest_step = max(_first_step(line, p) for line, p in zip(lines, starts, strict=True))
    reach = min(MAX_REACH, abs(delta) + 2 * largest_step + _SLACK)
    options = [_options(line, p, reach, MAX_WINDOW) for line, p in zip(lines, starts, strict=True)]
    return _fewest_moves(lines, starts, options, delta, tax_delta)


def _search_pair(lines: Sequence[_Line], starts: list[int], goal: int) -> list[int] | None:
    """Two lines: every percentage of both, exhaustively (10 001 costs each, one lookup per
    cost); the exact pair nearest the start, or None."""
    first, second = lines
    by_cost: dict[int, int] = {}
    for percent in sorted(range(FULL + 1), key=lambda p: (abs(p - starts[1]), p)):
        by_cost.setdefault(second.cost(percent), percent)
    best: tuple[int, int, int] | None = None
    for percent in range(FULL + 1):
        other = by_cost.get(goal - first.cost(percent))
        if other is not None:
            spread = max(abs(percent - starts[0]), abs(other - starts[1]))
            if best is None or spread < best[0]:
                best = (spread, percent, other)
    return [best[1], best[2]] if best else None


def _search_box(
    lines: Sequence[_Line], starts: list[int], delta: int, reach: int, window: int
) -> tuple[list[int], bool]:
    """The subset sum of step 3 inside one box; (percentages, whether they land exactly)."""
    options = [_options(line, p, reach, window) for line, p in zip(lines, starts, strict=True)]
    few = _fewest_moves(lines, starts, options, delta)
    if few is not None:
        return few, True
    # Largest lines first: the walk back reaches them last, so they absorb the moves.
    order = sorted(range(len(lines)), key=lambda i: (-lines[i].gross, i))
    lows = [min(offset for offset, _, _ in choices) for choices in options]
    masks = [1]
    for index in order:
        reached = 0
        for offset, _, _ in options[index]:
            reached |= masks[-1] << (offset - lows[index])
        masks.append(reached)
    zero = -sum(lows)
    position = _nearest(masks[-1], zero + delta, zero)
    exact = position == zero + delta
    chosen = list(starts)
    for depth in range(len(order), 0, -1):
        index = order[depth - 1]
        for offset, _, percent in options[index]:
            previous = position - (offset - lows[index])
            if previous >= 0 and (masks[depth - 1] >> previous) & 1:
                chosen[index], position = percent, previous
                break
    return chosen, exact


def _fewest_moves(
    lines: Sequence[_Line],
    starts: list[int],
    options: Sequence[Sequence[Option]],
    delta: int,
    tax_delta: int | None = None,
    *,
    pairs: bool = True,
) -> list[int] | None:
    """One line moved, or two, when that lands (and lands the taxes on `tax_delta` too, if
    given): fewer changed percentages read better than the subset sum's spread. Among
    several, the smallest total change of percentage."""

    def key(offset: int, tax: int) -> tuple[int, int | None]:
        return (offset, tax if tax_delta is not None else None)

    # (offset[, tax]) → the two least changes that reach it, from different lines
    nearest: dict[tuple[int, int | None], list[tuple[int, int, int]]] = {}
    for index, choices in enumerate(options):
        for offset, tax, percent in choices:
            if percent != starts[index]:
                moves = nearest.setdefault(key(offset, tax), [])
                moves.append((abs(percent - starts[index]), index, percent))
                moves.sort()
                del moves[2:]
    wanted = key(delta, tax_delta or 0)
    if wanted in nearest:
        _, index, percent = nearest[wanted][0]
        return _moved(starts, {index: percent})
    if not pairs:
        return None
    best: tuple[int, dict[int, int]] | None = None
    for index, choices in enumerate(options):
        for offset, tax, percent in choices:
            rest = key(delta - offset, (tax_delta or 0) - tax)
            partner = next((m for m in nearest.get(rest, ()) if m[1] != index), None)
            if percent != starts[index] and partner is not None:
                spread = abs(percent - starts[index]) + partner[0]
                if best is None or spread < best[0]:
                    best = (spread, {index: percent, partner[1]: partner[2]})
    return _moved(starts, best[1]) if best else None


def _moved(starts: list[int], moves: dict[int, int]) -> list[int]:
    return [moves.get(index, start) for index, start in enumerate(starts)]


def _first_step(line: _Line, start: int) -> int:
    """How many cents the line's cost moves at its first step either way from `start`."""
    base = line.cost(start)
    steps = []
    above = line.first_percent_reaching(line.discount(start) + 1)
    if above is not None:
        steps.append(base - line.cost(above))
    bottom = line.first_percent_reaching(line.discount(start))
    if bottom:
        steps.append(line.cost(bottom - 1) - base)
    return max(steps, default=0)


Option = tuple[int, int, int]  # (cost offset, tax offset, percentage)


def _options(line: _Line, start: int, reach: int, window: int) -> list[Option]:
    """(cost offset, tax offset, percentage) for each distinct cost within ±reach cents of
    the start's and ±window hundredths of its percentage, each with the percentage closest
    to `start`; closest first."""
    base, base_tax = line.cost(start), line.tax(start)
    found = [(0, 0, start)]
    percent: int | None = start
    while percent is not None:  # larger percentages: more discount, lower cost
        percent = line.first_percent_reaching(line.discount(percent) + 1)
        if percent is None or percent > start + window or line.cost(percent) - base < -reach:
            break
        found.append((line.cost(percent) - base, line.tax(percent) - base_tax, percent))
    percent = start
    while percent:  # smaller percentages: the top of the next lower discount
        bottom = line.first_percent_reaching(line.discount(percent))
        if not bottom:
            break
        percent = bottom - 1
        if percent < start - window or line.cost(percent) - base > reach:
            break
        found.append((line.cost(percent) - base, line.tax(percent) - base_tax, percent))
    found.sort(key=lambda option: (abs(option[2] - start), option[2]))
    return found


def _nearest(mask: int, wanted: int, fallback: int) -> int:
    """`wanted` if reachable, else the reachable position strictly nearer to it than
    `fallback`, else `fallback`."""
    for distance in range(abs(wanted - fallback)):
        for position in (wanted - distance, wanted + distance):
            if position >= 0 and (mask >> position) & 1:
                return position
    return fallback


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
