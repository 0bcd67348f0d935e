"""Differences: the ways a written invoice cannot hold its source exactly.

Owns `Difference`, one such way said as data (field, both values, the amount, the currency, a
short reason) and as one line a bookkeeper reads; the compact wording of line-tax assignments
used in those lines; and `strict_refusal`, which turns differences into the `MappingProblem`
the strict policies return instead of a write.

Must not: compute money or decide whether a difference is acceptable: the translation finds
differences, the settings decide what they mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mappings.money import format_money
from mappings.perfex import TaxSpec
from mappings.problems import MappingProblem

PERFEX = "Perfex"
ONLYOFFICE = "ONLYOFFICE"

# How the target's value is introduced, per field; anything else "shows" its value.
_VERBS = {"total": "totals", "total_tax": "has taxes of", "taxes": "carries"}


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the target cannot hold the source exactly.

    `source` and `target` are amounts (Decimal, printed with `currency`) or short texts;
    `amount` is target minus source when both are money, else None.
    """

    field: str
    source: Decimal | str
    target: Decimal | str
    reason: str
    amount: Decimal | None = None
    currency: str | None = None
    source_system: str = PERFEX
    target_system: str = ONLYOFFICE

    def __str__(self) -> str:
        verb = _VERBS.get(self.field, "shows")
        return (
            f"{self.field}: {self.target_system} {verb} {self._shown(self.target)} where "
            f"{self.source_system} shows {self._shown(self.source)} ({self.reason})"
        )

    def _shown(self, value: Decimal | str) -> str:
        if isinstance(value, Decimal):
            money = format_money(value)
            return f"{money} {self.currency}" if self.currency else money
        return value


def money_difference(
    field: str,
    source: Decimal,
    target: Decimal,
    reason: str,
    currency: str,
    *,
    reverse: bool = False,
) -> Difference:
    """A money difference from Perfex to ONLYOFFICE, or back when `reverse`."""
    systems = (ONLYOFFICE, PERFEX) if reverse else (PERFEX, ONLYOFFICE)
    return Difference(
        field=field,
        source=source,
        target=target,
        reason=reason,
        amount=target - source,
        currency=currency,
        source_system=systems[0],
        target_system=systems[1],
    )


def strict_refusal(differences: Sequence[Difference], setting: str) -> MappingProblem:
    """The refusal a strict policy returns: every difference, and the setting that refused."""
    first = differences[0]
    said = "; ".join(_without_field(difference) for difference in differences)
    return MappingProblem(
        first.field,
        f'{said}; refused because [mapping].{setting} = "fail" ("warn" writes such invoices '
        "with a warning)",
    )


def _without_field(difference: Difference) -> str:
    text = str(difference)
    prefix = f"{difference.field}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


# -- wording of line-tax assignments ---------------------------------------------------------

LineTaxes = tuple[tuple[TaxSpec, ...], ...]


def taxes_text(taxes: Sequence[TaxSpec]) -> str:
    """ "VAT|20.00 + City|2.50", or "no tax"."""
    return " + ".join(tax.perfex_taxname for tax in taxes) or "no tax"


def describe_assignment(assignment: LineTaxes) -> str:
    """ "VAT|20.00 on lines 1-3, 5; no tax on line 4": each tax mix with its lines."""
    lines_by_mix: dict[str, list[int]] = {}
    for number, taxes in enumerate(assignment, start=1):
        lines_by_mix.setdefault(taxes_text(taxes), []).append(number)
    return "; ".join(f"{mix} on {_line_numbers(numbers)}" for mix, numbers in lines_by_mix.items())


def describe_change(chosen: LineTaxes, other: LineTaxes) -> str:
    """Only the lines where `other` differs from `chosen`: "VAT|20.00 on line 2, no tax on
    line 4"."""
    lines_by_mix: dict[str, list[int]] = {}
    for number, (mine, theirs) in enumerate(zip(chosen, other, strict=True), start=1):
        if mine != theirs:
            lines_by_mix.setdefault(taxes_text(theirs), []).append(number)
    return ", ".join(f"{mix} on {_line_numbers(numbers)}" for mix, numbers in lines_by_mix.items())


def _line_numbers(numbers: Sequence[int]) -> str:
    """ "line 4", "lines 1-3, 5"."""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    runs: list[str] = []
    start = previous = numbers[0]
    for number in (*numbers[1:], None):
        if number is not None and number == previous + 1:
            previous = number
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if number is not None:
            start = previous = number
    return "lines " + ", ".join(runs)
