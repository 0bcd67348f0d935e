"""`crm-bridge audit`: read both sides in full and report every way they disagree.

What counts (the operations guide says the same to operators):
- every pair with an invoice on both sides is read in full and compared under the mapping
  (`compare`); a pair the ledger does not link yet but whose numbers match is compared too;
- an invoice without a counterpart is listed as missing on the other side, except a Perfex
  draft the bridge does not carry (a placeholder number, or drafts not carried by
  `[sync].perfex_drafts`), which nobody expects on the other side. In a one-way direction an
  invoice only the mirror has is listed as missing on the source side: it is reported, but it
  is not the bridge's to copy;
- a difference a person accepted (`crm-bridge accept`) is counted, not listed, until either
  invoice changes again;
- an invoice that cannot be read is listed apart (unchecked): the audit then cannot say that
  everything agrees;
- per currency, the count and sum of invoice totals on each side (Perfex `total`, ONLYOFFICE
  `cost`), over the same invoices the differences cover (the drafts above left out).

Must not: write to either system or to the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from bridge.audit import acceptance
from bridge.audit.compare import compare
from bridge.audit.findings import (
    FIELDS,
    MISSING_IN,
    AuditResult,
    CurrencyTotals,
    Difference,
    Unchecked,
)
from bridge.audit.view import BridgeView
from bridge.engine.plan import SIDES, name, other
from bridge.engine.sides import Listed
from bridge.engine.sync import Pair, pair_names
from state import Ledger

CHUNK = 200  # pairs read and compared together: bounds memory on large installs


def run_audit(
    view: BridgeView,
    ledger: Ledger,
    *,
    now: Callable[[], datetime],
    only: frozenset[str] | None = None,
) -> AuditResult:
    """Audits every pair, or with `only` the pairs one of those names names (see
    `sync.pair_names`)."""
    pairs = view.pairs()
    if only is not None:
        pairs = [pair for pair in pairs if pair_names(pair) & only]
    auditor = Auditor(view, ledger)
    for pair in pairs:
        auditor.look_at(pair)
    auditor.compare_pairs()
    return auditor.result(now(), view.direction.name)


class Auditor:
    def __init__(self, view: BridgeView, ledger: Ledger) -> None:
        self.view = view
        self.ledger = ledger
        self.waiting: list[Pair] = []
        self.differences: list[Difference] = []
        self.unchecked: list[Unchecked] = []
        self.totals: dict[str, CurrencyTotals] = {}
        self.compared = 0
        self.agree = 0
        self.accepted = 0

    # -- sorting the pairs ----------------------------------------------------------------

    def look_at(self, pair: Pair) -> None:
        present = [listed for listed in (pair.perfex, pair.onlyoffice) if listed is not None]
        if not present:
            return  # deleted on both sides: nothing is left to disagree
        if len(present) == 1 and pair.link is None and self.view.skip_reason(present[0]):
            return  # a Perfex draft the bridge does not carry: not expected anywhere else
        for listed in present:
            self._count(listed)
        broken = [listed for listed in present if listed.error is not None]
        if broken:
            self.unchecked.append(_unchecked(pair, f"{name(broken[0].side)} {broken[0].error}"))
        elif len(present) == 2:
            self.waiting.append(pair)
        else:
            self._lone(pair, present[0])

    def _count(self, listed: Listed) -> None:
        row = listed.row
        if row is None:
            return
        if listed.side == "perfex":
            currency = row.currency_code or self._perfex_currency(row.currency_id)
            amount = row.total
        else:
            currency, amount = row.currency, row.cost if row.cost is not None else Decimal("0")
        totals = self.totals.get(currency, CurrencyTotals())
        if listed.side == "perfex":
            totals = CurrencyTotals(totals.perfex.plus(amount), totals.onlyoffice)
        else:
            totals = CurrencyTotals(totals.perfex, totals.onlyoffice.plus(amount))
        self.totals[currency] = totals

    def _perfex_currency(self, currency_id: str) -> str:
        codes = self.view.settings.mapping.perfex_currency_ids
        found = next((code for code, ident in codes.items() if ident == currency_id), None)
        return found or f"Perfex currency {currency_id}"

    # -- an invoice alone -----------------------------------------------------------------

    def _lone(self, pair: Pair, listed: Listed) -> None:
        stored = (
            acceptance.of_link(pair.link)
            if pair.link is not None
            else acceptance.of_lone(self.ledger, listed.side, listed.record_id)
        )
        if stored and self._still_accepted(listed, stored):
            self.accepted += 1
            return
        missing = other(listed.side)
        taken = pair.taken_by
        self.differences.append(
            Difference(
                number=_number(pair),
                perfex_id=_id(pair, "perfex"),
                onlyoffice_id=_id(pair, "onlyoffice"),
                kind=MISSING_IN[missing],
                customer=self._customer(listed),
                linked=pair.link is not None,
                note=self._lone_note(pair, listed),
                taken_by=(taken.number or taken.record_id) if taken is not None else None,
            )
        )

    def _still_accepted(self, listed: Listed, stored: Any) -> bool:
        read = self.view.read(listed.side, listed.record_id)
        if read.doc is None:
            return False
        prints = {listed.side: self.view.sides[listed.side].fingerprint(read.doc)}
        return acceptance.holds(stored, prints)

    def _lone_note(self, pair: Pair, listed: Listed) -> str:
        here, missing = name(listed.side), name(other(listed.side))
        if pair.link is not None:
            return f"deleted in {missing}; the invoice is still in {here}"
        if pair.taken_by is not None:
            holder = pair.taken_by.number or pair.taken_by.record_id
            return (
                f"only {here} has it, and its number is used in {missing} by invoice {holder}, "
                "which is linked to another invoice"
            )
        direction = self.view.direction
        if direction.one_way and listed.side != direction.source:
            return (
                f"only {here} has it; {direction.name} copies {name(direction.source or '')} "
                f"invoices to {here}, so this one is not the bridge's"
            )
        problem = self.ledger.problem_for("invoice", listed.side, listed.record_id)
        if problem is not None and problem.error:
            return f"only {here} has it; the sync could not copy it: {problem.error}"
        return f"only {here} has it; it has not been copied to {missing} yet"

    # -- pairs ----------------------------------------------------------------------------

    def compare_pairs(self) -> None:
        chunks = [
            self.waiting[start : start + CHUNK] for start in range(0, len(self.waiting), CHUNK)
        ]
        wanted = (
            [(side, _listed(pair, side).record_id) for pair in chunk for side in SIDES]
            for chunk in chunks
        )
        for chunk, reads in zip(chunks, self.view.read_in_batches(wanted), strict=True):
            for pair in chunk:
                docs = {side: reads[(side, _listed(pair, side).record_id)] for side in SIDES}
                self._compare(pair, docs)

    def _compare(self, pair: Pair, reads: dict[str, Any]) -> None:
        failed = [side for side in SIDES if reads[side].doc is None]
        if failed:
            self.unchecked.append(_unchecked(pair, f"{name(failed[0])}: {reads[failed[0]].error}"))
            return
        docs = {side: reads[side].doc for side in SIDES}
        self.compared += 1
        found = compare(self.view, docs)
        if found.agree:
            self.agree += 1
            return
        prints = {side: self.view.sides[side].fingerprint(docs[side]) for side in SIDES}
        if acceptance.holds(acceptance.of_link(pair.link), prints):
            self.agree += 1
            self.accepted += 1
            return
        mismatch = self.view.mismatch(pair) if pair.link is None else None
        changed = frozenset(
            side
            for side in SIDES
            if pair.link is not None and prints[side] != getattr(pair.link, f"{side}_fp")
        )
        self.differences.append(
            Difference(
                number=_number(pair),
                perfex_id=_id(pair, "perfex"),
                onlyoffice_id=_id(pair, "onlyoffice"),
                kind=FIELDS,
                fields=dict(found.fields),
                shape=found.shape,
                customer=self._customer(_listed(pair, "perfex")),
                linked=pair.link is not None,
                note=_pair_note(pair, mismatch, changed),
                foreign=mismatch,
                changed=changed,
            )
        )

    def _customer(self, listed: Listed) -> str:
        row = listed.row
        if row is None:
            return ""
        if listed.side == "perfex":
            return self.view.sides["perfex"].customer_name(row.clientid)  # type: ignore[attr-defined]
        return row.contact_name

    def result(self, checked_at: datetime, direction: str) -> AuditResult:
        return AuditResult(
            checked_at=checked_at,
            direction=direction,
            pairs=self.compared,
            agree=self.agree,
            accepted=self.accepted,
            differences=tuple(sorted(self.differences, key=_order)),
            unchecked=tuple(sorted(self.unchecked, key=_order)),
            totals=dict(sorted(self.totals.items())),
            notes=self.view.notes,
        )


def _pair_note(pair: Pair, mismatch: str | None, changed: frozenset[str]) -> str:
    if pair.link is not None:
        since = " and ".join(name(side) for side in SIDES if side in changed)
        edited = f"; edited in {since} since the last sync" if since else ""
        return f"the two invoices the ledger links say different things{edited}"
    if mismatch is not None:
        return (
            f"not linked: the two invoices carrying this number are different invoices "
            f"(their {mismatch} differs)"
        )
    return "not linked yet: the same invoice in both systems, saying different things"


def _listed(pair: Pair, side: str) -> Listed:
    listed = pair.perfex if side == "perfex" else pair.onlyoffice
    assert listed is not None
    return listed


def _id(pair: Pair, side: str) -> str | None:
    listed = pair.perfex if side == "perfex" else pair.onlyoffice
    if listed is not None:
        return listed.record_id
    return pair.link.id_on(side) if pair.link is not None else None


def _number(pair: Pair) -> str | None:
    if pair.link is not None and pair.link.natural_key:
        return pair.link.natural_key
    for listed in (pair.perfex, pair.onlyoffice):
        if listed is not None and listed.number:
            return listed.number
    return None


def _unchecked(pair: Pair, reason: str) -> Unchecked:
    return Unchecked(_number(pair), _id(pair, "perfex"), _id(pair, "onlyoffice"), reason)


def _order(item: Difference | Unchecked) -> tuple[str, str, str]:
    return (item.number or "", item.perfex_id or "", item.onlyoffice_id or "")


def names_of(differences: Iterable[Difference]) -> frozenset[str]:
    """Side-qualified ids naming exactly these pairs (`RunRequest.invoices`, `run_audit`)."""
    found: set[str] = set()
    for difference in differences:
        for side in SIDES:
            ident = difference.id_on(side)
            if ident:
                found.add(f"{side}:{ident}")
    return frozenset(found)
