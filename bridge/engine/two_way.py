"""One pass in both directions: observe both sides, decide per invoice, hand it to a mirror.

Observe both lists (`observe`; rows carry no lines). Each link is a pair whose sides are SAME,
CHANGED or ABSENT: the row fingerprint first, then, where the row moved or the deep pass is
due, a full read compared with the link's full fingerprint. Unlinked invoices are paired by
number with an unlinked one on the other side, or stand alone (`observe.pair_rows`).
`plan.decide_two_way` decides, told whether both sides already agree under the mapping (the
same edit made twice, or an adopted pair that already matches, is no conflict); conflicts
follow `[sync].conflict_policy`. The two one-way mirrors execute and store both sides'
fingerprints after each write, so the bridge's own writes never come back as changes.

A failed write may still have changed its target (a reopened ONLYOFFICE invoice, lines half
replaced, a create without its follow-up). The pass then marks the target's fingerprint in the
link as pending, a local step that cannot fail the way a remote read can: the next pass takes
what that side holds for the bridge's unfinished work, not a person's edit, and sends the
source again instead of calling it a conflict.

Must not: delete anything on either side; an invoice gone from one side is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Generic, TypeVar

from bridge.engine.context import RunContext
from bridge.engine.observe import (
    Pair,
    check_onlyoffice_safety,
    check_perfex_safety,
    onlyoffice_needs_read,
    onlyoffice_numbers_of,
    onlyoffice_rows,
    pair_rows,
    perfex_and_onlyoffice_taxes,
    perfex_needs_read,
    perfex_numbers,
    perfex_rows,
    read_onlyoffice,
    read_perfex,
    skips_perfex_draft,
)
from bridge.engine.onlyoffice_mirror import OnlyofficeMirror
from bridge.engine.outcomes import REVERSE, failure_outcome, invoice_outcome
from bridge.engine.passes import PassOptions, sync_isolated
from bridge.engine.perfex_mirror import PerfexMirror
from bridge.engine.plan import Decision, SideState, Step, decide_two_way
from bridge.engine.workers import RUN_ENDING
from bridge.errors import BridgeError
from mappings.fingerprint import (
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.perfex import PerfexInvoice
from mappings.problems import MappingError
from state import Link
from state.records import Outcome

log = logging.getLogger(__name__)

# Stored in place of a target's fingerprint after a write to it failed (see the docstring).
PENDING = "pending"


Invoice = TypeVar("Invoice", PerfexInvoice, OnlyofficeInvoice)


@dataclass(frozen=True)
class Side(Generic[Invoice]):
    """One side of a pair after observation: its state and, when it was read, the invoice."""

    state: SideState
    full: Invoice | None = None
    pending: bool = False  # an unfinished write of the bridge's, not a person's edit


class TwoWayPass:
    def __init__(self, ctx: RunContext, options: PassOptions) -> None:
        self.ctx = ctx
        self.options = options

    def run(self) -> None:
        perfex = perfex_rows(self.ctx)
        onlyoffice = onlyoffice_rows(self.ctx)
        check_perfex_safety(self.ctx, perfex, self.options.since)
        check_onlyoffice_safety(self.ctx, onlyoffice, self.options.since)
        self.to_onlyoffice = OnlyofficeMirror(
            self.ctx,
            numbers=onlyoffice_numbers_of(onlyoffice),
            taxes=perfex_and_onlyoffice_taxes(self.ctx),
        )
        self.to_perfex = PerfexMirror(self.ctx, numbers=perfex_numbers(perfex))
        pairs = pair_rows(self.ctx, perfex, onlyoffice, self.options.since)
        work = [pair for pair in pairs if self._triage(pair)]
        sync_isolated(self.ctx, self.options, work, self._sync_pair, _observation_failed)

    # -- observation ----------------------------------------------------------------------

    def _triage(self, pair: Pair) -> bool:
        """True when the pair needs work; records the cheap outcomes directly."""
        link, perfex, onlyoffice = pair.link, pair.perfex, pair.onlyoffice
        if link is None and onlyoffice is None and perfex is not None:
            if skips_perfex_draft(self.ctx, perfex):
                return False
        if link is None or perfex is None or onlyoffice is None:
            return True
        if PENDING in (link.perfex_fp, link.onlyoffice_fp):
            return True  # a write that failed last time is to be finished
        deep = self.options.deep_pass
        if perfex_needs_read(link, perfex, deep) or onlyoffice_needs_read(link, onlyoffice, deep):
            return True
        self.ctx.journal.count_unchanged()
        return False

    def _observe_perfex(self, link: Link, row: PerfexInvoice | None) -> Side[PerfexInvoice]:
        if row is None:
            return Side(SideState.ABSENT)
        if link.perfex_fp == PENDING:
            return Side(SideState.SAME, pending=True)
        if not perfex_needs_read(link, row, self.options.deep_pass):
            return Side(SideState.SAME)
        full = read_perfex(self.ctx, row.id or "")
        same = perfex_fingerprint(full) == link.perfex_fp
        return Side(SideState.SAME if same else SideState.CHANGED, full)

    def _observe_onlyoffice(
        self, link: Link, row: OnlyofficeInvoice | None
    ) -> Side[OnlyofficeInvoice]:
        if row is None:
            return Side(SideState.ABSENT)
        if link.onlyoffice_fp == PENDING:
            return Side(SideState.SAME, pending=True)
        if not onlyoffice_needs_read(link, row, self.options.deep_pass):
            return Side(SideState.SAME)
        full = read_onlyoffice(self.ctx, str(row.id))
        same = onlyoffice_fingerprint(full) == link.onlyoffice_fp
        return Side(SideState.SAME if same else SideState.CHANGED, full)

    # -- deciding -------------------------------------------------------------------------

    def _sync_pair(self, pair: Pair) -> None:
        if pair.link is not None:
            self._sync_linked(pair.link, pair)
        elif pair.perfex is not None and pair.onlyoffice is not None:
            self._sync_same_number(pair.perfex, pair.onlyoffice)
        elif pair.perfex is not None:
            self._create_from_perfex(pair.perfex)
        elif pair.onlyoffice is not None:
            self._create_from_onlyoffice(pair.onlyoffice)

    def _sync_linked(self, link: Link, pair: Pair) -> None:
        perfex = self._observe_perfex(link, pair.perfex)
        onlyoffice = self._observe_onlyoffice(link, pair.onlyoffice)
        if perfex.pending and onlyoffice.state is SideState.SAME:
            # The unfinished write came from ONLYOFFICE: send its content again.
            full = onlyoffice.full or read_onlyoffice(self.ctx, link.onlyoffice_id)
            onlyoffice = Side(SideState.CHANGED, full)
        if onlyoffice.pending and perfex.state is SideState.SAME:
            perfex = Side(SideState.CHANGED, perfex.full or read_perfex(self.ctx, link.perfex_id))
        agree = False
        if perfex.state is SideState.CHANGED and onlyoffice.state is SideState.CHANGED:
            agree = self.to_perfex.agrees(_read(onlyoffice.full), _read(perfex.full))
        decision = decide_two_way(
            perfex=perfex.state,
            onlyoffice=onlyoffice.state,
            conflict_policy=self.ctx.settings.conflict_policy,
            in_agreement=agree,
        )
        self._execute_linked(decision, link, perfex, onlyoffice)

    def _sync_same_number(
        self, perfex_row: PerfexInvoice, onlyoffice_row: OnlyofficeInvoice
    ) -> None:
        """Unlinked invoices with the same number on both sides: adopt the pair."""
        perfex = read_perfex(self.ctx, perfex_row.id or "")
        onlyoffice = read_onlyoffice(self.ctx, str(onlyoffice_row.id))
        decision = decide_two_way(
            perfex=SideState.UNLINKED,
            onlyoffice=SideState.UNLINKED,
            conflict_policy=self.ctx.settings.conflict_policy,
            in_agreement=self.to_perfex.agrees(onlyoffice, perfex),
        )
        if decision.step is Step.CONFLICT:
            self._conflict(perfex.id or "", str(onlyoffice.id), onlyoffice.number, decision)
        elif decision.source is None:
            self._adopt(perfex, onlyoffice)
        else:
            self._mirror(decision.source, perfex, onlyoffice, None, Step.LINK)

    def _create_from_perfex(self, row: PerfexInvoice) -> None:
        invoice = read_perfex(self.ctx, row.id or "")
        # A number ONLYOFFICE already uses is linked to another invoice (unlinked ones were
        # paired above): a link attempt reports the collision with its reason.
        taken = self.to_onlyoffice.number_of(invoice) in self.to_onlyoffice.numbers
        self._mirror("perfex", invoice, None, None, Step.LINK if taken else Step.CREATE)

    def _create_from_onlyoffice(self, row: OnlyofficeInvoice) -> None:
        invoice = read_onlyoffice(self.ctx, str(row.id))
        self._mirror("onlyoffice", None, invoice, None, Step.CREATE)

    # -- executing ------------------------------------------------------------------------

    def _execute_linked(
        self,
        decision: Decision,
        link: Link,
        perfex: Side[PerfexInvoice],
        onlyoffice: Side[OnlyofficeInvoice],
    ) -> None:
        number = link.natural_key
        if decision.step is Step.UNCHANGED:
            self._remember(link, perfex.full, onlyoffice.full)
            self.ctx.journal.count_unchanged()
        elif decision.step is Step.CONFLICT:
            self._conflict(link.perfex_id, link.onlyoffice_id, number, decision)
        elif decision.step is Step.SKIP:
            self.ctx.record(
                invoice_outcome(
                    link.perfex_id, link.onlyoffice_id, number, "skipped", error=decision.reason
                )
            )
        elif decision.source == "perfex" and onlyoffice.state is SideState.CHANGED:
            # ONLYOFFICE moved too and lost by policy, so its content is not the last synced
            # one: the mirror must compare with what ONLYOFFICE holds now.
            unsynced = replace(link, onlyoffice_fp=None)
            self._mirror("perfex", perfex.full, onlyoffice.full, unsynced, Step.UPDATE)
        else:
            self._mirror(decision.source or "", perfex.full, onlyoffice.full, link, Step.UPDATE)

    def _remember(
        self, link: Link, perfex: PerfexInvoice | None, onlyoffice: OnlyofficeInvoice | None
    ) -> None:
        """Stores the fingerprints of what was read where nothing needed writing."""
        updated = link
        if perfex is not None:
            full, row = perfex_fingerprint(perfex), perfex_row_fingerprint(perfex)
            updated = replace(updated, perfex_fp=full, perfex_row_fp=row)
        if onlyoffice is not None:
            full, row = onlyoffice_fingerprint(onlyoffice), onlyoffice_row_fingerprint(onlyoffice)
            updated = replace(updated, onlyoffice_fp=full, onlyoffice_row_fp=row)
        if updated != link:
            self.ctx.save_link(updated)

    def _adopt(self, perfex: PerfexInvoice, onlyoffice: OnlyofficeInvoice) -> None:
        """Links a same-numbered pair that already agrees; nothing is written to either side."""
        link = Link("invoice", perfex.id or "", str(onlyoffice.id), onlyoffice.number)
        self._remember(link, perfex, onlyoffice)
        self.ctx.record(
            invoice_outcome(link.perfex_id, link.onlyoffice_id, link.natural_key, "linked")
        )

    def _conflict(self, perfex_id: str, onlyoffice_id: str, number: str, why: Decision) -> None:
        self.ctx.record(
            invoice_outcome(perfex_id, onlyoffice_id, number, "conflict", error=why.reason)
        )

    def _mirror(
        self,
        source: str,
        perfex: PerfexInvoice | None,
        onlyoffice: OnlyofficeInvoice | None,
        link: Link | None,
        step: Step,
    ) -> None:
        """Hands the source's invoice to the mirror of its direction, with what was read of
        the other side. A failure is recorded for that direction and its target marked as
        pending (see the module docstring)."""
        if source == "perfex":
            invoice = _read(perfex)
            source_id, number = invoice.id or "", self.to_onlyoffice.number_of(invoice)
            write = partial(self.to_onlyoffice.apply, invoice, link, step)
        else:
            reverse = _read(onlyoffice)
            source_id, number = str(reverse.id), reverse.number
            write = partial(self.to_perfex.apply, reverse, link, step, current=perfex)
        self._guarded(source, source_id, link.natural_key if link else number, write)

    def _guarded(self, source: str, source_id: str, number: str, write: Callable[[], None]) -> None:
        try:
            write()
        except RUN_ENDING:
            raise
        except Exception as error:  # one record's failure must not take the others down
            internal = not isinstance(error, BridgeError | MappingError)
            if internal:
                log.exception("internal error while syncing invoice %s", number)
            self._mark_pending(source, source_id)
            target = "onlyoffice" if source == "perfex" else "perfex"
            outcome = failure_outcome(
                source_id, number, error, internal=internal, source=source, target=target
            )
            self.ctx.record(outcome)

    def _mark_pending(self, source: str, source_id: str) -> None:
        link = self.ctx.link_for("invoice", source, source_id)
        if link is None or self.ctx.dry_run:
            return  # nothing was linked yet, so nothing can be mistaken for an edit
        target_fp = "onlyoffice_fp" if source == "perfex" else "perfex_fp"
        self.ctx.save_link(replace(link, **{target_fp: PENDING}))


def _read(invoice: Invoice | None) -> Invoice:
    """A side the decision writes from, or compares, was read in full when it was observed."""
    assert invoice is not None, "a changed side is always read in full"
    return invoice


def _observation_failed(pair: Pair, error: BaseException, internal: bool) -> Outcome:
    """A failure while reading a pair, before any write: reported from a side that is listed."""
    number = pair.link.natural_key if pair.link else None
    if pair.perfex is not None:
        return failure_outcome(pair.perfex.id or "", number, error, internal=internal)
    row = pair.onlyoffice
    source_id = str(row.id) if row else (pair.link.onlyoffice_id if pair.link else "")
    number = number or (row.number if row else None)
    return failure_outcome(source_id, number, error, internal=internal, **REVERSE)
