"""How many realistic invoices each direction writes exactly, writes with warnings, or refuses.

Generates a few thousand invoices like a small company's (see `realistic.py`): mixed and
double taxes per line, percent and fixed discounts before and after tax, adjustments, several
currencies, fractional quantities, long texts. Maps every one with the real translation and
prints, per direction, the share written exactly, written with warnings (by field) and
refused, under the default ("warn") and the strict ("fail") settings. Nothing is asserted: it
is a measuring tool.

    python3 bench/exactness.py --invoices 3000 --seed 1
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from dataclasses import replace

from realistic import (
    CURRENCY_IDS,
    ONLYOFFICE_TAXES,
    TAX_LIST,
    PerfexCase,
    catalogue_rows,
    onlyoffice_invoices,
    perfex_cases,
)

from mappings import (
    MappingProblem,
    MappingSettings,
    OnlyofficeRefs,
    OnlyofficeTarget,
    PerfexRefs,
    TaxEvidence,
    catalogue_taxes,
    learned_taxes,
    onlyoffice_cost,
    onlyoffice_needs,
    onlyoffice_to_perfex,
    perfex_needs,
    perfex_to_onlyoffice,
    written_line_taxes,
)
from mappings.taxes import combo_of

DEFAULT = MappingSettings(perfex_currency_ids=CURRENCY_IDS)
STRICT = replace(DEFAULT, money_mismatch="fail", uncertain_taxes="fail")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases = perfex_cases(args.seed, args.invoices)
    catalogue = catalogue_taxes(catalogue_rows())
    print(f"{args.invoices} invoices per direction, seed {args.seed}\n")
    _perfex_direction(cases, "tax list, catalogue and history", catalogue)
    _perfex_direction(cases, "tax list only (no catalogue, no history)", None)
    _onlyoffice_direction(onlyoffice_invoices(args.seed, args.invoices))
    return 0


class Tally:
    def __init__(self) -> None:
        self.total = 0
        self.exact = 0
        self.warned = 0
        self.refused = 0
        self.strict_refused = 0
        self.fields: Counter[str] = Counter()
        self.by_kind: dict[str, Counter[str]] = {}
        self.by_size: dict[str, Counter[str]] = {}
        self.seconds: list[float] = []

    def count(
        self, kind: str, lines: int, outcome: str, fields: set[str], strict_refused: bool
    ) -> None:
        self.total += 1
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.fields.update(fields)
        self.by_kind.setdefault(kind, Counter())[outcome] += 1
        self.by_size.setdefault(_size_band(lines), Counter())[outcome] += 1
        self.strict_refused += strict_refused

    def print(self, title: str) -> None:
        print(title)
        for label, value in (
            ("written exactly", self.exact),
            ("written with warnings", self.warned),
            ("refused (default settings)", self.refused),
            ("refused under strict settings", self.strict_refused),
        ):
            print(f"  {label:<34}{value:>6}  {_share(value, self.total)}")
        for field, value in sorted(self.fields.items()):
            print(f"    warnings on {field:<22}{value:>6}  {_share(value, self.total)}")
        print("  by kind of invoice:                  exact  warned  refused")
        for kind, counter in sorted(self.by_kind.items()):
            print(
                f"    {kind:<32}{counter['exact']:>7} {counter['warned']:>7} "
                f"{counter['refused']:>8}"
            )
        print("  by number of lines:")
        for band in SIZE_BANDS:
            counter = self.by_size.get(band, Counter())
            print(
                f"    {band:<32}{counter['exact']:>7} {counter['warned']:>7} "
                f"{counter['refused']:>8}"
            )
        ms = [s * 1000 for s in self.seconds]
        print(
            f"  time per invoice: median {statistics.median(ms):.1f} ms, "
            f"95th percentile {_percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms"
        )


SIZE_BANDS = ("1 line", "2-3 lines", "4-10 lines", "11-50 lines")


def _size_band(lines: int) -> str:
    return SIZE_BANDS[0 if lines == 1 else 1 if lines <= 3 else 2 if lines <= 10 else 3]


def _share(value: int, total: int) -> str:
    return f"{100 * value / total:5.1f} %" if total else "   - %"


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)]


# -- Perfex → ONLYOFFICE ----------------------------------------------------------------------


def _perfex_direction(cases: list[PerfexCase], title: str, catalogue: dict | None) -> None:
    tally = Tally()
    history: dict[str, tuple] = {}
    certain = certain_wrong = guessed = guessed_right = 0
    for case in cases:
        evidence = TaxEvidence(taxes=TAX_LIST, catalogue=catalogue or {}, history=history)
        started = time.perf_counter()
        target = _to_onlyoffice(case, evidence, DEFAULT)
        tally.seconds.append(time.perf_counter() - started)
        strict = _to_onlyoffice(case, evidence, STRICT)
        if isinstance(target, MappingProblem):
            tally.count(case.kind, len(case.invoice.lines or ()), "refused", set(), True)
            continue
        fields = {warning.field for warning in target.warnings}
        outcome = "warned" if target.warnings else "exact"
        size = len(case.invoice.lines or ())
        tally.count(case.kind, size, outcome, fields, isinstance(strict, MappingProblem))
        inference = _inference_of(case, evidence)
        right = [combo_of(t) for t in inference.line_taxes] == [combo_of(t) for t in case.truth]
        if inference.certain:
            certain += 1
            certain_wrong += not right
            if catalogue is not None:  # the engine would remember what it settled
                history.update(learned_taxes(case.invoice, inference))
        else:
            guessed += 1
            guessed_right += right
    tally.print(f"Perfex → ONLYOFFICE, evidence: {title}")
    print(
        f"  line taxes certain {certain} ({_share(certain, tally.total)}), of which not what "
        f"Perfex holds: {certain_wrong}; uncertain {guessed}, of which the chosen reading is "
        f"Perfex's: {guessed_right}\n"
    )


def _to_onlyoffice(case: PerfexCase, evidence: TaxEvidence, settings: MappingSettings):
    needs = onlyoffice_needs(case.invoice, settings, evidence)
    if isinstance(needs, MappingProblem):
        return needs
    return perfex_to_onlyoffice(case.invoice, needs, _refs(needs.products, needs.taxes), settings)


def _refs(products, taxes) -> OnlyofficeRefs:
    """Ids as the engine would resolve them: products and taxes numbered in order."""
    return OnlyofficeRefs(
        contact_id=10,
        billing_address_id=None,
        item_ids={product.title: index for index, product in enumerate(products, 1)},
        tax_ids={tax: index for index, tax in enumerate(taxes, 1)},
    )


def _inference_of(case: PerfexCase, evidence: TaxEvidence):
    needs = onlyoffice_needs(case.invoice, DEFAULT, evidence)
    assert not isinstance(needs, MappingProblem) and needs.inference is not None
    return needs.inference


# -- ONLYOFFICE → Perfex, and back --------------------------------------------------------------


def _onlyoffice_direction(invoices: list) -> None:
    tally = Tally()
    trips = trips_same = 0
    rates = {tax_id: tax.rate for tax_id, tax in ONLYOFFICE_TAXES.items()}
    for invoice, kind in invoices:
        started = time.perf_counter()
        target = _to_perfex(invoice, DEFAULT)
        tally.seconds.append(time.perf_counter() - started)
        strict = _to_perfex(invoice, STRICT)
        if isinstance(target, MappingProblem):
            tally.count(kind, len(invoice.lines), "refused", set(), True)
            continue
        fields = {warning.field for warning in target.warnings}
        outcome = "warned" if target.warnings else "exact"
        size = len(invoice.lines)
        tally.count(kind, size, outcome, fields, isinstance(strict, MappingProblem))
        back, back_rates = _back_to_onlyoffice(target)
        if isinstance(back, OnlyofficeTarget):
            trips += 1
            original = onlyoffice_cost(invoice.lines, rates)
            trips_same += onlyoffice_cost(back.invoice.lines, back_rates) == original
    tally.print("ONLYOFFICE → Perfex")
    print(
        f"  round trip ONLYOFFICE → Perfex → ONLYOFFICE (Perfex read back without line taxes, "
        f"the bridge's own record as evidence): same cost {trips_same} of {trips} "
        f"({_share(trips_same, trips)})\n"
    )


def _to_perfex(invoice, settings: MappingSettings):
    needs = perfex_needs(invoice, ONLYOFFICE_TAXES)
    if isinstance(needs, MappingProblem):
        return needs
    return onlyoffice_to_perfex(invoice, needs, PerfexRefs("7", None), settings, None)


def _back_to_onlyoffice(target):
    """What Perfex stores (no line taxes on read) mapped back with the ledger's record."""
    written = written_line_taxes(target.invoice.lines)
    stored = replace(
        target.invoice,
        id="1",
        lines=tuple(replace(line, taxes=()) for line in target.invoice.lines),
    )
    evidence = TaxEvidence(taxes=TAX_LIST, written=written)
    needs = onlyoffice_needs(stored, DEFAULT, evidence)
    if isinstance(needs, MappingProblem):
        return needs, {}
    rates = {index: tax.rate for index, tax in enumerate(needs.taxes, 1)}
    refs = _refs(needs.products, needs.taxes)
    return perfex_to_onlyoffice(stored, needs, refs, DEFAULT), rates


if __name__ == "__main__":
    raise SystemExit(main())
