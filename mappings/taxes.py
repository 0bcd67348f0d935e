"""Inferring which taxes each line of a Perfex invoice carries.

Perfex's GET never returns per-line taxes, only the header `total_tax` its server computed
from them (Perfex API notes 3.1, 3.3, 5.3), and ONLYOFFICE needs taxes on each line. An
assignment of taxes to lines is accepted only if it explains Perfex's stored `total_tax` (the
server formula, 5.3) and `total` (the UI formula, 5.2). Evidence is taken in this order:

1. taxes a writer already put on the lines (the bridge's own invoice before it is written);
2. the bridge's record of the taxes it wrote on Perfex lines, then Perfex's items catalogue,
   then the same description on earlier invoices (`TaxEvidence`, strongest first);
3. the totals alone, searched by `tax_search` with up to two taxes a line (ONLYOFFICE's
   limit), a before-tax discount (percent or fixed) being part of the arithmetic.

The phases: every line's evidence, when it explains the totals; else lines with evidence keep
it and the others are searched; else every line is searched, the evidence only preferred;
else the same against `total_tax` alone (when Perfex's `total` follows from no assignment);
else the evidence, and one combination for the other lines that comes closest.

Equal rates carry equal money, so they are never an ambiguity: the name comes from the
line's evidence, then the tax list's order. A line carries two taxes only when they have
different names or the evidence shows that pair. When several assignments fit, agreement
with the evidence (strongest source first) decides; assignments that tie on it are
alternatives, ranked by the fewest distinct rates, then the fewest taxes on lines (one tax a
line is the rule), then the most amount on one combination (the invoice's dominant tax), then
the order found. The first is used and a warning names the others. An answer is certain only
when a complete search with every known rate allowed finds nothing else (lines of one
description are taken to share their taxes when that fits); when the search is cut by its
budget, the answer carries a warning. A warning is also given when none fits, or only
`total_tax` does. `learned_taxes` gives what a certain answer teaches for later invoices.

Must not: fetch evidence or decide whether an uncertain answer may be written (settings do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import combinations

from mappings.differences import Difference, describe_assignment, describe_change
from mappings.money import (
    ZERO,
    format_money,
    perfex_server_total_tax,
    perfex_ui_totals,
    round_half_up,
)
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec
from mappings.tax_evidence import (
    SOURCES,
    LineTaxes,
    TaxEvidence,
    description_key,
    perfex_line_key,
)
from mappings.tax_search import (
    Budget,
    Combo,
    SearchLine,
    Windows,
    every_rate,
    fewest_rates,
    groupable,
)
from mappings.tax_windows import windows_of

GIVEN = "given"
TOTALS = "totals"
CLOSEST = "closest"
SEARCH_BUDGET = 40_000  # bitset shifts and options weighed per invoice (see tax_search)
_SHOWN_ALTERNATIVES = 2


@dataclass(frozen=True, slots=True)
class TaxInference:
    """The taxes of each line, in line order, and how sure that is.

    `sources` says per line what decided its taxes: "given", a `TaxEvidence` source
    ("ledger", "catalogue", "history"), "totals" or "closest".
    """

    line_taxes: LineTaxes
    exact: bool  # reproduces Perfex's total_tax and total to the cent
    sources: tuple[str, ...]
    alternatives: tuple[LineTaxes, ...] = ()
    warnings: tuple[Difference, ...] = ()

    @property
    def certain(self) -> bool:
        return self.exact and not self.alternatives and not self.warnings

    @property
    def decided_by(self) -> str:
        """ "catalogue, totals": the distinct sources, in line order."""
        return ", ".join(dict.fromkeys(self.sources)) or "nothing"


def infer_line_taxes(invoice: PerfexInvoice, evidence: TaxEvidence | None = None) -> TaxInference:
    """The most plausible taxes of each line, with warnings when they are not certain."""
    lines = _lines_of(invoice)
    if any(line.taxes for line in lines):
        given = tuple(line.taxes for line in lines)
        return TaxInference(given, explains(invoice, given), (GIVEN,) * len(lines))
    return _Inference(invoice, lines, evidence or TaxEvidence()).run()


def explains(invoice: PerfexInvoice, assignment: LineTaxes) -> bool:
    """True when these line taxes reproduce Perfex's stored `total_tax` and `total` exactly."""
    lines = _with_taxes(_lines_of(invoice), assignment)
    if _server_tax(invoice, lines) != invoice.total_tax:
        return False
    ui = perfex_ui_totals(
        lines,
        invoice.discount_type,
        invoice.discount_percent,
        invoice.discount_total,
        invoice.adjustment,
    )
    return ui.total == invoice.total


def _server_tax(invoice: PerfexInvoice, lines: Sequence[PerfexLine]) -> Decimal:
    return perfex_server_total_tax(
        lines,
        invoice.discount_type,
        invoice.discount_percent,
        invoice.discount_total,
        invoice.subtotal,
    )


def _lines_of(invoice: PerfexInvoice) -> tuple[PerfexLine, ...]:
    if invoice.lines is None:
        raise ValueError("tax inference needs the invoice's lines (GET /api/invoices/{id})")
    return invoice.lines


def _with_taxes(lines: Sequence[PerfexLine], assignment: LineTaxes) -> list[PerfexLine]:
    return [replace(line, taxes=taxes) for line, taxes in zip(lines, assignment, strict=True)]


def _hundredths(rate: Decimal) -> int:
    return int(round_half_up(rate).scaleb(2))


def combo_of(taxes: Sequence[TaxSpec]) -> Combo:
    """The rates that carry money on a line, in hundredths of a percent, ascending."""
    return tuple(sorted(_hundredths(tax.rate) for tax in taxes if tax.rate != ZERO))


@dataclass(frozen=True, slots=True)
class _Found:
    combos: tuple[Combo, ...]
    rates: int  # distinct rates used


class _Inference:
    """One invoice's inference: the evidence per line, the windows, the phases."""

    def __init__(
        self, invoice: PerfexInvoice, lines: tuple[PerfexLine, ...], evidence: TaxEvidence
    ):
        self.invoice = invoice
        self.lines = lines
        self.evidence = evidence
        found = [evidence.for_line(line) for line in lines]
        self.sources = [item[0] if item else None for item in found]
        self.said = [item[1] if item else () for item in found]
        self.fixed = {i: combo_of(self.said[i]) for i, item in enumerate(found) if item}
        self.known = evidence.known_taxes()
        self.budget = Budget(SEARCH_BUDGET)
        self._names: dict[tuple[int, Combo], tuple[TaxSpec, ...]] = {}

    def run(self) -> TaxInference:
        lines = self.lines
        if len(self.fixed) == len(lines):
            said = tuple(self.said)
            if explains(self.invoice, said):
                return TaxInference(said, True, self._line_sources(self._combos(), TOTALS))
        windows = windows_of(self.invoice, lines)
        if windows.x is None and windows.y is None:
            # The discount takes everything: no assignment changes the money.
            combos = self._combos()
            return self._chosen(combos, explains(self.invoice, self._named(combos)))
        if any(line.qty < ZERO or line.rate < ZERO for line in lines):
            return self._closest()
        tax_only = Windows(windows.x, None)
        for variant in (windows, tax_only) if windows.y is not None else (windows,):
            picked = self._phases(variant)
            if picked is not None:
                return self._result(*picked, total_followed=variant is windows)
        return self._closest()

    # -- the phases ----------------------------------------------------------------------------

    def _phases(self, windows: Windows) -> tuple[_Found, list[_Found], bool] | None:
        """Lines with evidence fixed to it, then every line free; lines of one description
        sharing their taxes, then each on its own."""
        lines = self._search_lines()
        partial = bool(self.fixed) and len(self.fixed) < len(self.lines)
        for fixed in (self.fixed, {}) if partial else ({},):
            for grouped in (True, False) if groupable(lines, fixed) else (False,):
                picked = self._search(lines, windows, fixed, grouped)
                if picked is not None:
                    return picked
        return None

    def _search(
        self,
        lines: Sequence[SearchLine],
        windows: Windows,
        fixed: dict[int, Combo],
        grouped: bool,
    ) -> tuple[_Found, list[_Found], bool] | None:
        """The readings with the fewest rates, and with every rate allowed, ranked."""
        rates, pairs = self._rates()
        args = (lines, windows, rates, pairs, fixed, self.budget)
        fewest = fewest_rates(*args, grouped=grouped)
        wide = every_rate(*args, grouped=grouped)
        found = dict.fromkeys([*(fewest.solutions if fewest else ()), *wide.solutions])
        return self._pick(list(found), windows, wide.complete)

    def _search_lines(self) -> list[SearchLine]:
        return [
            SearchLine(
                weight=_hundredths(line.qty) * _hundredths(line.rate),
                amount=_hundredths(round_half_up(line.qty * line.rate)),
                group=description_key(line.description),
                twin=perfex_line_key(line),
                preferred=self.fixed.get(index),
            )
            for index, line in enumerate(self.lines)
        ]

    def _rates(self) -> tuple[list[int], frozenset[Combo]]:
        """Candidate rates, the ones this invoice's evidence names first; and the pairs of
        rates a line may carry: two known taxes of different names (a line does not carry
        two rates of one tax), or a pair the evidence shows."""
        named = [rate for combo in self.fixed.values() for rate in combo]
        taxed = [tax for tax in self.known if tax.rate != ZERO]
        listed = [_hundredths(tax.rate) for tax in taxed]
        rates = list(dict.fromkeys([*sorted(named, key=named.count, reverse=True), *listed]))
        pairs: set[Combo] = {
            (min(first, second), max(first, second))
            for a, b in combinations(taxed, 2)
            if a.name.casefold() != b.name.casefold()
            for first, second in [(_hundredths(a.rate), _hundredths(b.rate))]
        }
        pairs |= {combo for combo in self.fixed.values() if len(combo) == 2}
        return rates, frozenset(pairs)

    def _pick(
        self, solutions: Sequence[tuple[Combo, ...]], windows: Windows, complete: bool
    ) -> tuple[_Found, list[_Found], bool] | None:
        """The best assignment found, the others that agree as well with the evidence, and
        whether the search was complete. The search checked X and Y exactly in integers; the
        money formulas themselves confirm the ones that will be shown."""
        check = explains if windows.y is not None else _explains_tax
        ranked = sorted(
            (_Found(combos, len({r for combo in combos for r in combo})) for combos in solutions),
            key=self._rank,
        )
        while ranked and not check(self.invoice, self._named(ranked[0].combos)):
            ranked.pop(0)
        if not ranked:
            return None
        best = ranked[0]
        ties = [f for f in ranked[1:] if self._decisive(f) == self._decisive(best)]
        shown = [
            f for f in ties[:_SHOWN_ALTERNATIVES] if check(self.invoice, self._named(f.combos))
        ]
        return best, shown + ties[_SHOWN_ALTERNATIVES:], complete

    def _decisive(self, found: _Found) -> tuple[int, ...]:
        """Agreement with the evidence, strongest source first (negated: lower is better)."""
        return tuple(
            -sum(
                1
                for i, combo in enumerate(found.combos)
                if self.sources[i] == source and combo == self.fixed.get(i)
            )
            for source in SOURCES
        )

    def _rank(self, found: _Found) -> tuple[int, ...]:
        amount_by_combo: dict[Combo, Decimal] = {}
        for line, combo in zip(self.lines, found.combos, strict=True):
            amount_by_combo[combo] = amount_by_combo.get(combo, ZERO) + line.qty * line.rate
        dominant = max(amount_by_combo.values(), default=ZERO)
        applications = sum(len(combo) for combo in found.combos)
        return (*self._decisive(found), found.rates, applications, -int(dominant.scaleb(2)))

    # -- results -------------------------------------------------------------------------------

    def _named(self, combos: Sequence[Combo]) -> LineTaxes:
        return tuple(self._name(i, combo) for i, combo in enumerate(combos))

    def _name(self, index: int, combo: Combo) -> tuple[TaxSpec, ...]:
        key = (index if self.said[index] else -1, combo)
        if key not in self._names:
            self._names[key] = self._fresh_name(index, combo)
        return self._names[key]

    def _fresh_name(self, index: int, combo: Combo) -> tuple[TaxSpec, ...]:
        said = self.said[index]
        if said and combo_of(said) == combo:
            return said  # zero-rate taxes included: the evidence names them
        named: list[TaxSpec] = []
        for rate in sorted(combo, reverse=True):  # the main tax first
            options = [
                tax
                for tax in (*said, *self.known)
                if _hundredths(tax.rate) == rate and tax not in named
            ]
            if not options:  # a rate twice, named by one tax only: repeat it
                options = [tax for tax in (*said, *self.known) if _hundredths(tax.rate) == rate]
            named.append(options[0])
        return tuple(named)

    def _combos(self, filler: Combo = ()) -> tuple[Combo, ...]:
        """The evidence's combination on lines that have one, `filler` on the others."""
        return tuple(self.fixed.get(i, filler) for i in range(len(self.lines)))

    def _line_sources(self, combos: Sequence[Combo], fallback: str) -> tuple[str, ...]:
        sources = []
        for index, combo in enumerate(combos):
            source = self.sources[index]
            sources.append(source if source and combo == self.fixed.get(index) else fallback)
        return tuple(sources)

    def _chosen(self, combos: Sequence[Combo], exact: bool) -> TaxInference:
        return TaxInference(self._named(combos), exact, self._line_sources(combos, TOTALS))

    def _result(
        self, best: _Found, ties: list[_Found], complete: bool, *, total_followed: bool
    ) -> TaxInference:
        chosen = self._named(best.combos)
        alternatives = tuple(self._named(tie.combos) for tie in ties)
        reasons = []
        if not total_followed:
            reasons.append(
                f"Perfex's total {self._money(self.invoice.total)} follows from no mix of the "
                "known taxes; the taxes follow total_tax alone"
            )
        if alternatives:
            count = f"{len(alternatives) + 1}{'' if complete else ' or more'}"
            others = "; or ".join(
                describe_change(chosen, other) for other in alternatives[:_SHOWN_ALTERNATIVES]
            )
            more = "; …" if len(alternatives) > _SHOWN_ALTERNATIVES or not complete else ""
            reasons.append(f"{count} mixes fit its totals; also possible: {others}{more}")
        elif not complete:
            reasons.append("the search stopped before it could rule out other mixes")
        warnings = (self._taxes_warning(chosen, reasons),) if reasons else ()
        return TaxInference(
            chosen,
            total_followed,
            self._line_sources(best.combos, TOTALS),
            alternatives,
            warnings,
        )

    def _closest(self) -> TaxInference:
        """Evidence where there is some; for the other lines the one combination (of up to
        two known taxes) whose server total_tax is nearest Perfex's."""
        rates, pairs = self._rates()
        candidates: list[Combo] = [(), *((r,) for r in rates), *sorted(pairs)]

        def miss(combo: Combo) -> tuple[Decimal, int]:
            combos = [self.fixed.get(i, combo) for i in range(len(self.lines))]
            lines = _with_taxes(self.lines, self._named(combos))
            return abs(_server_tax(self.invoice, lines) - self.invoice.total_tax), len(combo)

        filler = min(candidates, key=miss)
        combos = self._combos(filler)
        chosen = self._named(combos)
        names = ", ".join(tax.perfex_taxname for tax in self.known) or "none"
        reason = f"no mix of the known taxes ({names}) fits its totals; the closest is used"
        return TaxInference(
            chosen,
            explains(self.invoice, chosen),
            self._line_sources(combos, CLOSEST),
            (),
            (self._taxes_warning(chosen, [reason]),),
        )

    def _taxes_warning(self, chosen: LineTaxes, reasons: Sequence[str]) -> Difference:
        return Difference(
            field="taxes",
            source=f"only total_tax {self._money(self.invoice.total_tax)}",
            target=describe_assignment(chosen),
            reason="Perfex does not return line taxes; " + "; ".join(reasons),
        )

    def _money(self, amount: Decimal) -> str:
        code = self.invoice.currency_code
        return f"{format_money(amount)} {code}" if code else format_money(amount)


def _explains_tax(invoice: PerfexInvoice, assignment: LineTaxes) -> bool:
    return _server_tax(invoice, _with_taxes(_lines_of(invoice), assignment)) == invoice.total_tax


def learned_taxes(
    invoice: PerfexInvoice, inference: TaxInference
) -> dict[str, tuple[TaxSpec, ...]]:
    """Description → taxes that a certain inference settled, for `TaxEvidence.history` on
    later invoices; nothing from an uncertain one (a guess must not become evidence)."""
    if not inference.certain:
        return {}
    return {
        description_key(line.description): taxes
        for line, taxes in zip(_lines_of(invoice), inference.line_taxes, strict=True)
    }
