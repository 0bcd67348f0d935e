"""The search behind `discounts.fit_line_discounts`, in integer cents and hundredths.

Owns `PricedLine` (one ONLYOFFICE line's cost as a function of its percentage, rounded half
to even at every step as ONLYOFFICE does) and the bounded search that chooses a percentage
per line so that the costs add up to a goal: the steps and the bound are told in
`discounts.py`, which is the public face of this module.

Must not: know about Perfex or payloads, or use anything but integers inside the search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

FULL = 10_000  # 100.00 % in hundredths of a percent
MAX_REACH = 2000  # cents a line's cost may move from its start
MAX_WINDOW = 200  # hundredths of a percent a line's percentage may move from its start
_SLACK = 10
_SPREAD_ABOVE = 50  # cents of Δ from one rounded p* above which lines start on either side
_HUNDRED = Decimal(100)


def half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even, as .NET's Math.Round on decimals."""
    if numerator < 0:
        return -half_even(-numerator, denominator)
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class PricedLine:
    gross: int  # cents
    rates: tuple[int, ...]  # hundredths of a percent

    def discount(self, percent: int) -> int:
        return half_even(self.gross * percent, FULL)

    def tax(self, percent: int) -> int:
        net = self.gross - self.discount(percent)
        return sum(half_even(net * rate, FULL) for rate in self.rates)

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


def ideal_percent(lines: Sequence[PricedLine], goal: int) -> Decimal:
    """p* = 100 × (1 − T / G), within 0..100: the one real percentage that lands on T."""
    undiscounted = sum(line.cost(0) for line in lines)
    if undiscounted <= 0:
        return Decimal(0)
    return min(max(_HUNDRED * (1 - Decimal(goal) / Decimal(undiscounted)), Decimal(0)), _HUNDRED)


def spread(lines: Sequence[PricedLine], ideal: Decimal, goal: int) -> list[int]:
    """Every line on p* rounded, unless that misses by more than the box: then lines go to
    either neighbour of p*, largest first, while that brings the total nearer."""
    rounded = int((ideal * _HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    starts = [rounded] * len(lines)
    if abs(goal - sum(line.cost(rounded) for line in lines)) <= _SPREAD_ABOVE:
        return starts
    low = int((ideal * _HUNDRED).to_integral_value(rounding=ROUND_FLOOR))
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


def search(
    lines: Sequence[PricedLine],
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
    lines: Sequence[PricedLine], starts: list[int], delta: int, tax_delta: int
) -> list[int] | None:
    """One or two lines moved so that the cost and the taxes both land, in the narrow box."""
    largest_step = max(_first_step(line, p) for line, p in zip(lines, starts, strict=True))
    reach = min(MAX_REACH, abs(delta) + 2 * largest_step + _SLACK)
    options = [_options(line, p, reach, MAX_WINDOW) for line, p in zip(lines, starts, strict=True)]
    return _fewest_moves(lines, starts, options, delta, tax_delta)


def _search_pair(lines: Sequence[PricedLine], starts: list[int], goal: int) -> list[int] | None:
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
    lines: Sequence[PricedLine], starts: list[int], delta: int, reach: int, window: int
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
    lines: Sequence[PricedLine],
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


def _first_step(line: PricedLine, start: int) -> int:
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


def _options(line: PricedLine, start: int, reach: int, window: int) -> list[Option]:
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
