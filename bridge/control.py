"""Per-invoice control: `sync --invoice`, `resolve`, `accept` and `retry`.

Each command finds the invoice a person names (a number as either system shows it, an id on
either side, or a side-qualified id such as `perfex:58`) the way the engine pairs invoices
(`bridge.audit.view`), prepares the ledger under the runner lock where a decision needs it, and
lets the engine carry the invoice (`RunRequest.invoices`), so that every write goes through the
one decision table, with its checks, intents and journal. Each returns one sentence saying what
it did and the exit code of the README.

What each command means:
- `sync --invoice N`: one sync of that invoice now (its open invoices read in full);
- `resolve N --keep SIDE`: the kept side's content is written to the other side (the other
  side is marked pending in the link, so the decision table sends the kept content again; an
  unlinked pair of the same invoice is linked that way first; a deleted counterpart is created
  again). In a one-way direction the read-only side is the only one that can be written to, so
  keeping the mirror means accepting it as it is now. Two different invoices that share a
  number cannot be merged;
- `accept N`: both sides as they are now become the pair's baseline (the engine then sees
  both as unchanged), the acceptance is remembered for `audit` (`bridge.audit.acceptance`),
  and the open problem is settled; all of it holds until either invoice changes again;
- `retry`: every open failure is made due and the engine runs for those invoices now.

Must not: write to either system except through `SyncEngine.run`, or delete an invoice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bridge.audit import acceptance
from bridge.audit.compare import compare
from bridge.audit.view import BridgeView
from bridge.engine import RunRequest, SyncEngine
from bridge.engine.plan import SIDES, name, other
from bridge.engine.sides import PENDING, Listed
from bridge.engine.sync import Pair, pair_names
from bridge.errors import BridgeError
from bridge.outcome_words import run_sentences
from state import Ledger, Link
from state.records import RunRecord


class InvoiceRefused(BridgeError):
    """A per-invoice command that cannot do what was asked; the message says what to do."""

    exit_code = 1


@dataclass(frozen=True)
class Done:
    code: int
    text: str
    record: RunRecord | None = None


@dataclass
class Controls:
    """What the per-invoice commands work with: the ledger, the engine, a view of both sides."""

    ledger: Ledger
    engine: SyncEngine
    view: Callable[[], BridgeView]  # a fresh view (fresh caches) each time
    direction: str
    now: Callable[[], datetime]

    # -- sync --invoice -------------------------------------------------------------------

    def sync_invoice(self, wanted: str, *, dry_run: bool = False) -> Done:
        view = self.view()
        pairs = view.named(view.pairs(), wanted)
        if not pairs:
            raise _unknown(wanted)
        ignored = [pair for pair in pairs if _not_the_bridges(view, pair)]
        if len(ignored) == len(pairs):
            return Done(0, _mirror_only(view, ignored[0]))
        # Journalled as its own command: a run over one invoice says nothing about the others
        # (`status` counts only full passes as good runs).
        request = RunRequest(
            "sync-invoice", self.direction, dry_run=dry_run, deep_pass=True, invoices=_names(pairs)
        )
        record = self.engine.run(request)
        said = run_sentences(record, dry_run=dry_run, subject=_number(pairs[0]))
        return Done(_exit(record), " ".join(said), record)

    # -- resolve --------------------------------------------------------------------------

    def resolve(self, wanted: str, keep: str) -> Done:
        view = self.view()
        pair = _one(view, wanted)
        number = _number(pair)
        kept, lost = _listed(pair, keep), _listed(pair, other(keep))
        _refuse_unreadable(pair)
        if kept is None:
            raise InvoiceRefused(
                f"{number} is not in {name(keep)} (deleted there, or never copied), so there is "
                f"nothing to keep; the bridge never deletes invoices: delete it in "
                f"{name(other(keep))} yourself if it should go, or run `crm-bridge accept "
                f"{number}` to stop it being reported."
            )
        if lost is not None and pair.link is None:
            _refuse_foreign(view, pair, number)
        if other(keep) not in view.direction.writable:
            self.ledger.acquire_lock("resolve", self.now())
            try:
                self._accept(view, pair)
            finally:
                self.ledger.release_lock()
            source = name(view.direction.source or "")
            return Done(
                0,
                f"Kept {number} as it is now in {name(keep)}: {self.direction} never writes "
                f"{source}, so keeping the copy accepts it; it stays as it is until the "
                f"{source} invoice changes again.",
            )
        self.ledger.acquire_lock("resolve", self.now())
        try:
            self._keep(view, pair, keep)
            record = self.engine.run(
                RunRequest("resolve", self.direction, deep_pass=False, invoices=_names([pair]))
            )
        finally:
            self.ledger.release_lock()
        said = " ".join(run_sentences(record, subject=number))
        return Done(_exit(record), f"Resolved {number} keeping {name(keep)}: {said}", record)

    def _keep(self, view: BridgeView, pair: Pair, keep: str) -> None:
        """Marks the other side pending (the decision table then sends the kept side's content
        again); a deleted counterpart's link is dropped, so the kept invoice is created anew."""
        kept = _listed(pair, keep)
        assert kept is not None
        if _listed(pair, other(keep)) is None:
            if pair.link is not None:
                self.ledger.delete_link("invoice", keep, kept.record_id)
            return
        read = view.read(keep, kept.record_id)
        if read.doc is None:
            raise InvoiceRefused(
                f"{name(keep)} invoice {kept.record_id} cannot be read: {read.error}"
            )
        facts = {
            f"{keep}_fp": view.sides[keep].fingerprint(read.doc),
            f"{keep}_row_fp": kept.row_fp,
            f"{other(keep)}_fp": PENDING,
        }
        self.ledger.save_link(replace(_link_of(pair), **facts))

    # -- accept ---------------------------------------------------------------------------

    def accept(self, wanted: str) -> Done:
        view = self.view()
        pair = _one(view, wanted)
        number = _number(pair)
        _refuse_unreadable(pair)
        present = [side for side in SIDES if _listed(pair, side) is not None]
        if len(present) == 2 and pair.link is None:
            _refuse_foreign(view, pair, number)
        docs = self._read_all(view, pair)
        agree = len(present) == 2 and compare(view, docs).agree
        self.ledger.acquire_lock("accept", self.now())
        try:
            # Even a pair that agrees gets its baseline: a conflict between two identical
            # edits is then settled now rather than by the next sync.
            self._accept(view, pair, docs)
        finally:
            self.ledger.release_lock()
        if agree:
            return Done(
                0, f"{number} already says the same in Perfex and ONLYOFFICE; nothing to accept."
            )
        if len(present) == 1:
            return Done(
                0,
                f"Accepted that {number} is only in {name(present[0])}: audit will not list it "
                "until it changes again.",
            )
        return Done(
            0,
            f"Accepted {number} as it is now in Perfex and ONLYOFFICE: audit will not list the "
            "difference and the sync leaves both as they are, until either invoice changes again.",
        )

    def _read_all(self, view: BridgeView, pair: Pair) -> dict[str, Any]:
        docs = {}
        for side in SIDES:
            listed = _listed(pair, side)
            if listed is None:
                continue
            read = view.read(side, listed.record_id)
            if read.doc is None:
                raise InvoiceRefused(
                    f"{name(side)} invoice {listed.record_id} cannot be read: {read.error}"
                )
            docs[side] = read.doc
        return docs

    def _accept(self, view: BridgeView, pair: Pair, docs: dict[str, Any] | None = None) -> None:
        docs = docs if docs is not None else self._read_all(view, pair)
        prints = {side: view.sides[side].fingerprint(doc) for side, doc in docs.items()}
        kept = acceptance.record(prints, self.now())
        listed = [item for item in (pair.perfex, pair.onlyoffice) if item is not None]
        if pair.link is None and len(listed) == 1:
            only = listed[0]
            acceptance.remember_lone(self.ledger, only.side, only.record_id, prints, self.now())
        else:
            facts: dict[str, Any] = {}
            for item in listed:
                facts[f"{item.side}_fp"] = prints[item.side]
                facts[f"{item.side}_row_fp"] = item.row_fp
            link = replace(_link_of(pair), **facts).with_facts(**{acceptance.FACT: kept})
            self.ledger.save_link(link)
        for item in listed:
            self.ledger.settle_problem("invoice", item.side, item.record_id)
        if pair.link is not None:
            self.ledger.settle_problem("invoice", "perfex", pair.link.perfex_id)

    # -- retry ----------------------------------------------------------------------------

    def retry(self) -> Done:
        problems = [p for p in self.ledger.open_problems() if p.kind == "invoice"]
        failed = [p for p in problems if p.action == "failed"]
        waiting = _conflicts_sentence(len(problems) - len(failed))
        if not failed:
            return Done(0, "No open failures to retry." + waiting)
        view = self.view()
        pairs = view.pairs()
        listed = set().union(*(pair_names(pair) for pair in pairs)) if pairs else set()
        names = {f"{p.side}:{p.record_id}" for p in failed}
        gone = [p for p in failed if f"{p.side}:{p.record_id}" not in listed]
        self.ledger.acquire_lock("retry", self.now())
        try:
            for problem in gone:
                self.ledger.settle_problem("invoice", problem.side, problem.record_id)
            self.ledger.make_retries_due(self.now())
            record = None
            if len(gone) < len(failed):
                request = RunRequest(
                    "retry", self.direction, deep_pass=False, invoices=frozenset(names)
                )
                record = self.engine.run(request)
        finally:
            self.ledger.release_lock()
        still = [
            p
            for p in self.ledger.open_problems()
            if p.action == "failed" and f"{p.side}:{p.record_id}" in names
        ]
        text = _retry_sentence(len(failed), len(gone), still) + waiting
        return Done(1 if still else 0, text, record)


# -- finding the invoice ---------------------------------------------------------------------


def _one(view: BridgeView, wanted: str) -> Pair:
    pairs = view.named(view.pairs(), wanted)
    if not pairs:
        raise _unknown(wanted)
    if len(pairs) > 1:
        which = "; ".join(_describe(pair) for pair in pairs)
        raise InvoiceRefused(
            f"{wanted} names {len(pairs)} invoices ({which}); give one by its id, e.g. "
            f"perfex:{_any_id(pairs[0])}."
        )
    return pairs[0]


def _unknown(wanted: str) -> InvoiceRefused:
    return InvoiceRefused(
        f"No invoice {wanted} in Perfex or ONLYOFFICE: give the number as either system shows "
        "it, or an id such as perfex:58 or onlyoffice:42."
    )


def _describe(pair: Pair) -> str:
    parts = [
        f"{name(item.side)} {item.record_id}" for item in (pair.perfex, pair.onlyoffice) if item
    ]
    return f"{_number(pair)}: " + " and ".join(parts)


def _any_id(pair: Pair) -> str:
    listed = pair.perfex or pair.onlyoffice
    return listed.record_id if listed is not None else "?"


def _listed(pair: Pair, side: str) -> Listed | None:
    return pair.perfex if side == "perfex" else pair.onlyoffice


def _number(pair: Pair) -> str:
    if pair.link is not None and pair.link.natural_key:
        return pair.link.natural_key
    for listed in (pair.onlyoffice, pair.perfex):
        if listed is not None and listed.number:
            return listed.number
    return _any_id(pair)


def _names(pairs: Iterable[Pair]) -> frozenset[str]:
    """Side-qualified ids: exactly these pairs, even where the two systems' ids overlap."""
    found: set[str] = set()
    for pair in pairs:
        found |= {n for n in pair_names(pair) if n.startswith(("perfex:", "onlyoffice:"))}
    return frozenset(found)


def _not_the_bridges(view: BridgeView, pair: Pair) -> bool:
    """One-way, unlinked, and only the mirror has it: the engine leaves it alone."""
    direction = view.direction
    if not direction.one_way or pair.link is not None:
        return False
    return _listed(pair, direction.source or "") is None


def _mirror_only(view: BridgeView, pair: Pair) -> str:
    source = view.direction.source or ""
    return (
        f"{_number(pair)} is only in {name(other(source))}; {view.direction.name} copies "
        f"{name(source)} invoices there and leaves this one alone, so there is nothing to sync."
    )


def _refuse_unreadable(pair: Pair) -> None:
    for listed in (pair.perfex, pair.onlyoffice):
        if listed is not None and listed.error is not None:
            raise InvoiceRefused(
                f"{name(listed.side)} invoice {listed.record_id} cannot be read ({listed.error}); "
                "fix it there first."
            )


def _refuse_foreign(view: BridgeView, pair: Pair, number: str) -> None:
    mismatch = view.mismatch(pair)
    if mismatch is None:
        return
    raise InvoiceRefused(
        f"Perfex invoice {_listed(pair, 'perfex').record_id} and ONLYOFFICE invoice "  # type: ignore[union-attr]
        f"{_listed(pair, 'onlyoffice').record_id} both carry {number} but are different "  # type: ignore[union-attr]
        f"invoices (their {mismatch} differs), so they cannot be merged: give one of them "
        "another number (Perfex numbers can be edited, ONLYOFFICE numbers cannot), then run "
        "`crm-bridge sync`."
    )


def _link_of(pair: Pair) -> Link:
    """The pair's link, or a new one for an unlinked pair (its natural key is ONLYOFFICE's
    number, as the engine's links are)."""
    if pair.link is not None:
        return pair.link
    perfex, onlyoffice = pair.perfex, pair.onlyoffice
    assert perfex is not None and onlyoffice is not None
    return Link("invoice", perfex.record_id, onlyoffice.record_id, onlyoffice.number or "")


def _exit(record: RunRecord) -> int:
    return 0 if record.run.status == "ok" else 1


def _conflicts_sentence(count: int) -> str:
    if not count:
        return ""
    what = "conflict waits" if count == 1 else "conflicts wait"
    return f" {count} {what} for a person: see `crm-bridge status`, then `crm-bridge resolve`."


def _retry_sentence(failed: int, gone: int, still: list[Any]) -> str:
    tried = failed - gone
    plural = "s" if tried != 1 else ""
    text = f"Retried {tried} failed invoice{plural}: {tried - len(still)} now in step"
    if still:
        listed = "; ".join(f"{p.number or p.record_id}: {p.error}" for p in still[:3])
        more = f" and {len(still) - 3} more" if len(still) > 3 else ""
        text += f", {len(still)} still failing ({listed}{more})"
    if gone:
        text += f"; {gone} no longer in either system, closed"
    return text + "."
