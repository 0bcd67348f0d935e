"""The totals search: which tax rates on which lines reproduce Perfex's stored totals.

Only the sum of the rates on a line matters for money, and taxes are linear in line amounts.
In integers, with rates in hundredths of a percent and r_i the sum of line i's rates:

    X = Σ_i w_i × r_i      w_i = qty_i × rate_i in 1/10 000 (Perfex's server formula, API
                           notes 5.3): total_tax = round(f × X / 10^8), f = 1 − the share a
                           before-tax discount takes
    Y = Σ_i a_i × r_i      a_i = round(qty_i × rate_i, 2) in cents (the UI formula, 5.2):
                           total = round(α + β × Y / 10^6), α and β set by the discount

So Perfex's stored `total_tax` confines X to a window one cent (÷ f) wide, and its `total`
confines Y likewise; an assignment explains the invoice when X and Y both fall inside.

The search, for one set of allowed rate combinations (no tax, one rate, two rates):

1. Lines are *units*: grouped, lines with the same description share one combination (they
   are usually the same product; the caller tries this first); ungrouped, each line is a unit
   of its own, and identical lines are interchangeable, so only one ordering of them is tried.
2. A subset sum over units says which X are reachable: one bitset per prefix of units
   (Python integers), X divided by a quantum Q chosen so that a bitset stays under 2^18 bits.
   Rounding each step down loses less than Q per unit, which the reachability test allows
   for; the exact window is checked at the end of every path.
3. A depth-first walk from the last unit back enumerates assignments whose exact partial
   sums stay reachable, trying each unit's preferred combination first (its evidence, then
   the invoice's dominant combination, then the nearest rates), and keeps those whose Y is in
   its window too, up to a few solutions.

`fewest_rates` tries sets of rates by size, up to `MAX_RATES` distinct rates, and stops at
the first size with solutions: the most plausible readings. `every_rate` allows every known
rate at once, to learn whether anything else fits: only a complete search that finds nothing
else makes an answer certain.

Bound: every bitset shift and every option weighed by the walk spends one unit of a `Budget`
(the caller's, 40 000 an invoice); when it is spent the search stops and says so, and the
answer is not called certain. The DP costs at most (number of combinations) shifts per unit
and set of rates; the walk is what the budget really bounds. bench/tax_inference.py prints
the times: a 50-line invoice with only the tax list takes a few tens of milliseconds (under
0.2 s at worst), with the catalogue a few milliseconds.

Must not: name taxes, rank solutions against evidence, or round the way neither system does;
`taxes.py` does the first two and checks every answer against the money formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

Combo = tuple[int, ...]  # a line's non-zero tax rates in hundredths of a percent, ascending
Window = tuple[int, int]  # inclusive bounds

STATE_BITS = 1 << 18
MAX_RATES = 3
MAX_SOLUTIONS = 12


@dataclass
class Budget:
    """Work units left; every bitset shift and every option a walk step weighs costs one."""

    steps: int

    def spend(self, count: int = 1) -> bool:
        self.steps -= count
        return self.steps >= 0

    @property
    def spent(self) -> bool:
        return self.steps < 0


@dataclass(frozen=True, slots=True)
class SearchLine:
    weight: int  # qty × rate in 1/10 000 of the currency
    amount: int  # round(qty × rate, 2) in cents
    group: str  # lines of one group are first assumed to share their taxes (the description)
    twin: str  # lines with the same twin key are interchangeable (the same content)
    preferred: Combo | None  # what the evidence says, if anything


@dataclass(frozen=True, slots=True)
class Windows:
    """The exact windows of X and Y; None leaves that total unconstrained."""

    x: Window | None
    y: Window | None


@dataclass(frozen=True, slots=True)
class Level:
    """Every assignment found with this many distinct rates (one combination per line)."""

    rates: int
    solutions: tuple[tuple[Combo, ...], ...]
    complete: bool  # False when a cap or the budget cut the enumeration


@dataclass(frozen=True, slots=True)
class _Unit:
    lines: tuple[int, ...]
    weight: int
    amount: int
    preferred: Combo | None
    twin: str


@dataclass
class _Walk:
    units: Sequence[_Unit]
    options: Sequence[Sequence[Combo]]
    masks: Sequence[bytes]  # the bitsets, little-endian: a range test reads a few bytes
    quantum: int
    y_window: Window | None
    fixed_y: int
    budget: Budget
    found: list[tuple[Combo, ...]] = field(default_factory=list)
    cut: bool = False


def fewest_rates(
    lines: Sequence[SearchLine],
    windows: Windows,
    rates: Sequence[int],
    pairs: frozenset[Combo],
    fixed: Mapping[int, Combo],
    budget: Budget,
    *,
    grouped: bool,
) -> Level | None:
    """The assignments with the fewest distinct rates (up to `MAX_RATES`) that explain the
    windows, or None. `rates` are the candidate rates, most plausible first; `pairs` the
    two-rate combinations a line may carry (ascending); `fixed` lines keep theirs."""
    units = _units(lines, fixed, grouped)
    fixed_rates = sorted({rate for combo in fixed.values() for rate in combo})
    others = [rate for rate in dict.fromkeys(rates) if rate not in fixed_rates]
    for size in range(len(fixed_rates), max(MAX_RATES, len(fixed_rates)) + 1):
        found: list[tuple[Combo, ...]] = []
        complete = True
        for extra in combinations(others, size - len(fixed_rates)):
            if budget.spent or len(found) >= MAX_SOLUTIONS:
                complete = False
                break
            allowed = _combos((*fixed_rates, *extra), pairs)
            solutions, done = _solve(lines, units, windows, allowed, fixed, budget)
            found.extend(s for s in solutions if s not in found)
            complete = complete and done
        if found:
            return Level(size, tuple(found), complete)
    return None


def every_rate(
    lines: Sequence[SearchLine],
    windows: Windows,
    rates: Sequence[int],
    pairs: frozenset[Combo],
    fixed: Mapping[int, Combo],
    budget: Budget,
    *,
    grouped: bool,
) -> Level:
    """Assignments with every candidate rate allowed at once: whether anything else fits.
    Complete means no other assignment exists (within ONLYOFFICE's two taxes a line)."""
    units = _units(lines, fixed, grouped)
    fixed_rates = {rate for combo in fixed.values() for rate in combo}
    allowed = _combos(sorted({*rates, *fixed_rates}), pairs)
    solutions, complete = _solve(lines, units, windows, allowed, fixed, budget)
    return Level(len({*rates, *fixed_rates}), tuple(solutions), complete)


def groupable(lines: Sequence[SearchLine], fixed: Mapping[int, Combo]) -> bool:
    """Whether grouping by description joins any free lines (else both modes are one)."""
    return any(len(unit.lines) > 1 for unit in _units(lines, fixed, grouped=True))


def _units(lines: Sequence[SearchLine], fixed: Mapping[int, Combo], grouped: bool) -> list[_Unit]:
    free = [index for index in range(len(lines)) if index not in fixed]
    keyed: dict[str, list[int]] = {}
    for index in free:
        key = lines[index].group if grouped else f"{lines[index].twin}#{index}"
        keyed.setdefault(key, []).append(index)
    units = []
    for members in keyed.values():
        preferred = {lines[i].preferred for i in members}
        units.append(
            _Unit(
                lines=tuple(members),
                weight=sum(lines[i].weight for i in members),
                amount=sum(lines[i].amount for i in members),
                preferred=preferred.pop() if len(preferred) == 1 else None,
                twin=lines[members[0]].twin if len(members) == 1 else f"group:{members[0]}",
            )
        )
    # Twins side by side, so the walk can try only one ordering of them.
    return sorted(units, key=lambda unit: (unit.twin, unit.lines))


def _combos(rates: Sequence[int], pairs: frozenset[Combo]) -> list[Combo]:
    """No tax, each rate alone, and the allowed pairs within these rates (ONLYOFFICE holds
    two taxes a line)."""
    ordered = sorted(rates)
    allowed: list[Combo] = [()]
    allowed += [(rate,) for rate in ordered]
    allowed += [(a, b) for a, b in sorted(pairs) if a in ordered and b in ordered]
    return allowed


def _solve(
    lines: Sequence[SearchLine],
    units: Sequence[_Unit],
    windows: Windows,
    allowed: Sequence[Combo],
    fixed: Mapping[int, Combo],
    budget: Budget,
) -> tuple[list[tuple[Combo, ...]], bool]:
    """The assignments of `allowed` to units that fall in both windows: (found, complete)."""
    fixed_x = sum(lines[i].weight * sum(combo) for i, combo in fixed.items())
    fixed_y = sum(lines[i].amount * sum(combo) for i, combo in fixed.items())
    x_window = windows.x or (0, sum(u.weight for u in units) * max(map(sum, allowed)))
    low, high = x_window[0] - fixed_x, x_window[1] - fixed_x
    if high < 0 or not _within_reach(units, allowed, low):
        return [], True
    dominant = _dominant(units, allowed, (low + high) // 2)
    options = [_preference(unit, allowed, dominant) for unit in units]
    quantum = max(1, -(-(high + 1) // STATE_BITS))
    masks = _reachable(units, options, quantum, high // quantum, budget)
    as_bytes = [mask.to_bytes((mask.bit_length() + 7) // 8, "little") for mask in masks]
    walk = _Walk(units, options, as_bytes, quantum, windows.y, fixed_y, budget)
    _walk(walk, len(units), low, high, [], [])
    assignments = [_per_line(len(lines), units, fixed, chosen) for chosen in walk.found]
    return assignments, not walk.cut


def _within_reach(units: Sequence[_Unit], allowed: Sequence[Combo], low: int) -> bool:
    return sum(unit.weight for unit in units) * max(map(sum, allowed)) >= low


def _dominant(units: Sequence[_Unit], allowed: Sequence[Combo], middle: int) -> Combo:
    """The combination nearest the invoice's effective rate: most lines probably carry it."""
    weight = sum(unit.weight for unit in units)
    effective = middle / weight if weight else 0
    return min(allowed, key=lambda combo: (abs(sum(combo) - effective), len(combo), combo))


def _preference(unit: _Unit, allowed: Sequence[Combo], dominant: Combo) -> list[Combo]:
    return sorted(
        allowed,
        key=lambda combo: (
            combo != unit.preferred,
            combo != dominant,
            abs(sum(combo) - sum(dominant)),
            len(combo),
            combo,
        ),
    )


def _reachable(
    units: Sequence[_Unit],
    options: Sequence[Sequence[Combo]],
    quantum: int,
    top: int,
    budget: Budget,
) -> list[int]:
    """Bitset of reachable quantised X after each prefix of units, states above `top` cut."""
    keep = (1 << (top + 1)) - 1
    masks = [1]
    for unit, choices in zip(units, options, strict=True):
        # A shift beyond `top` only makes states that are cut anyway (and huge integers).
        shifts = {unit.weight * sum(combo) // quantum for combo in choices}
        shifts = {shift for shift in shifts if shift <= top}
        budget.spend(len(shifts))
        reached = 0
        for shift in shifts:
            reached |= masks[-1] << shift
        masks.append(reached & keep)
    return masks


def _walk(
    walk: _Walk, left: int, low: int, high: int, chosen: list[Combo], picks: list[int]
) -> None:
    """Assign units left-1 … 0 so that their exact X lands in [low, high]."""
    if walk.cut or len(walk.found) >= MAX_SOLUTIONS:
        walk.cut = walk.cut or len(walk.found) >= MAX_SOLUTIONS
        return
    if not walk.budget.spend():
        walk.cut = True
        return
    if left == 0:
        if low <= 0 <= high and _y_fits(walk, chosen):
            walk.found.append(tuple(reversed(chosen)))
        return
    unit = walk.units[left - 1]
    # Interchangeable neighbours take their combinations in one order only.
    twin = left < len(walk.units) and walk.units[left].twin == unit.twin
    for index, combo in enumerate(walk.options[left - 1]):
        if twin and index < picks[-1]:
            continue
        share = unit.weight * sum(combo)
        walk.budget.spend()
        if high - share < 0 or not _prefix_reaches(walk, left - 1, low - share, high - share):
            continue
        chosen.append(combo)
        picks.append(index)
        _walk(walk, left - 1, low - share, high - share, chosen, picks)
        chosen.pop()
        picks.pop()


def _prefix_reaches(walk: _Walk, count: int, low: int, high: int) -> bool:
    """Whether `count` units can reach an exact X in [low, high], allowing the rounding of
    the quantised bitset (each unit's share was rounded down by less than one quantum)."""
    quantum = walk.quantum
    first = max(0, -(-(low - count * (quantum - 1)) // quantum))
    last = high // quantum
    return _any_bit(walk.masks[count], first, last)


def _any_bit(data: bytes, first: int, last: int) -> bool:
    """Whether any bit from `first` to `last` (inclusive) is set in little-endian `data`."""
    last = min(last, len(data) * 8 - 1)
    if last < first:
        return False
    low_byte, high_byte = first >> 3, last >> 3
    if low_byte == high_byte:
        return (data[low_byte] >> (first & 7)) & ((2 << (last - first)) - 1) != 0
    if data[low_byte] >> (first & 7) or any(data[low_byte + 1 : high_byte]):
        return True
    return data[high_byte] & ((2 << (last & 7)) - 1) != 0


def _y_fits(walk: _Walk, chosen: Sequence[Combo]) -> bool:
    if walk.y_window is None:
        return True
    units = reversed(walk.units)
    y = walk.fixed_y + sum(unit.amount * sum(c) for unit, c in zip(units, chosen, strict=True))
    return walk.y_window[0] <= y <= walk.y_window[1]


def _per_line(
    count: int, units: Sequence[_Unit], fixed: Mapping[int, Combo], chosen: Sequence[Combo]
) -> tuple[Combo, ...]:
    combos: list[Combo] = [()] * count
    for index, combo in fixed.items():
        combos[index] = combo
    for unit, combo in zip(units, chosen, strict=True):
        for index in unit.lines:
            combos[index] = combo
    return tuple(combos)
