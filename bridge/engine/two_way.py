"""One pass in both directions: observe both sides, decide per invoice, hand it to a mirror.

Observe: both lists (rows carry no lines). Each link is one pair; each side of it is SAME,
CHANGED or ABSENT: the row fingerprint first, then, where the row moved or the deep pass is
due, a full read compared with the link's full fingerprint. Unlinked invoices are paired by
number with an unlinked one on the other side, or stand alone. `plan.decide_two_way` decides,
told whether the two sides already agree under the mapping (the same edit made on both sides,
or an adopted pair that already matches, is not a conflict); conflicts follow
`[sync].conflict_policy`. The two one-way mirrors execute, and each stores both sides'
fingerprints after its write, so the bridge's own writes never come back as changes.

A write that fails may still have changed its target (a reopened ONLYOFFICE invoice, lines
half replaced). The pass then records what the target holds now as its last-synced state and
leaves the source marked as changed, so the next pass rewrites the target from the source
instead of taking the failed write for a person's edit and calling it a conflict.

Must not: delete anything on either side; an invoice gone from one side is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from bridge.engine.context import RunContext
from bridge.engine.onlyoffice_mirror import OnlyofficeMirror
from bridge.engine.outcomes import failure_outcome, invoice_outcome
from bridge.engine.perfex_mirror import PerfexMirror
from bridge.engine.plan import Decision, SideState, Step, decide_two_way, needs_full_read
from bridge.engine.to_onlyoffice import (
    DRAFT_REASON,
    PERFEX_DRAFT,
    PERFEX_OPEN_STATUSES,
    PassOptions,
    check_perfex_safety,
    perfex_rows,
    perfex_taxes,
)
from bridge.engine.to_perfex import (
    ONLYOFFICE_OPEN_STATUSES,
    check_onlyoffice_safety,
    onlyoffice_rows,
    perfex_numbers,
)
from bridge.engine.workers import RUN_ENDING, run_isolated
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

CONFLICT_ADVICE = (
    '; [sync].conflict_policy = "report" left both as they are: make the two agree by hand, '
    "or set the policy to perfex_wins or onlyoffice_wins"
)


@dataclass(frozen=True)
class Pair:
    """One invoice as the pass sees it: its link, if any, and its list row on each side."""

    link: Link | None
    perfex: PerfexInvoice | None
    onlyoffice: OnlyofficeInvoice | None


@dataclass(frozen=True)
class Side:
    """One side of a pair after observation: its state and, when it was read, the invoice."""

    state: SideState
    full: PerfexInvoice | OnlyofficeInvoice | None = None


class TwoWayPass:
    def __init__(self, ctx: RunContext, options: PassOptions) -> None:
        self.ctx = ctx
        self.options = options
        self.mapping = ctx.settings.mapping

    def run(self) -> None:
        perfex = perfex_rows(self.ctx)
        onlyoffice = onlyoffice_rows(self.ctx)
        check_perfex_safety(self.ctx, perfex, self.options.since)
        check_onlyoffice_safety(self.ctx, onlyoffice, self.options.since)
        self.to_onlyoffice = OnlyofficeMirror(
            self.ctx,
            numbers={row.number: int(row.id) for row in onlyoffice if row.id is not None},
            taxes=perfex_taxes(self.ctx),
        )
        self.to_perfex = PerfexMirror(self.ctx, numbers=perfex_numbers(perfex))
        work = [pair for pair in self._pairs(perfex, onlyoffice) if self._triage(pair)]
        if self.options.progress:
            self.options.progress(len(work))
        run_isolated(
            self.ctx,
            work,
            self._sync_pair,
            _observation_failed,
            workers=min(
                self.ctx.settings.perfex_concurrency, self.ctx.settings.onlyoffice_concurrency
            ),
            advance=self.options.advance,
        )

    # -- observation ----------------------------------------------------------------------

    def _pairs(
        self, perfex: list[PerfexInvoice], onlyoffice: list[OnlyofficeInvoice]
    ) -> list[Pair]:
        """Every link with its rows, then the unlinked rows, paired by number where they can."""
        perfex_by_id = {row.id: row for row in perfex}
        onlyoffice_by_id = {str(row.id): row for row in onlyoffice}
        pairs = [
            Pair(
                link,
                perfex_by_id.pop(link.perfex_id, None),
                onlyoffice_by_id.pop(link.onlyoffice_id, None),
            )
            for link in self.ctx.links("invoice")
        ]
        unlinked = {row.number: row for row in onlyoffice_by_id.values()}
        for row in perfex_by_id.values():
            pairs.append(Pair(None, row, unlinked.pop(self._number_of(row), None)))
        pairs += [Pair(None, None, row) for row in unlinked.values()]
        return [pair for pair in pairs if self._in_window(pair)]

    def _number_of(self, invoice: PerfexInvoice) -> str:
        return invoice.display_number(self.mapping.number_format)

    def _in_window(self, pair: Pair) -> bool:
        """With --since, only pairs with a side dated on or after it (deletions are reported
        only by a full pass: a row outside the window is not missing)."""
        since = self.options.since
        if since is None:
            return True
        dates = [row.date for row in (pair.perfex,) if row] + [
            row.issue_date for row in (pair.onlyoffice,) if row
        ]
        return any(day >= since for day in dates)

    def _triage(self, pair: Pair) -> bool:
        """True when the pair needs work; records the cheap outcomes directly."""
        link, perfex = pair.link, pair.perfex
        if link is None and pair.onlyoffice is None and perfex is not None:
            if perfex.status == PERFEX_DRAFT and self.mapping.perfex_drafts == "skip":
                self.ctx.record(
                    invoice_outcome(perfex.id or "", None, None, "skipped", error=DRAFT_REASON)
                )
                return False
        if link is None or perfex is None or pair.onlyoffice is None:
            return True
        if self._perfex_needs_read(link, perfex) or self._onlyoffice_needs_read(
            link, pair.onlyoffice
        ):
            return True
        self.ctx.journal.count_unchanged()
        return False

    def _perfex_needs_read(self, link: Link, row: PerfexInvoice) -> bool:
        deep = self.options.deep_pass and row.status in PERFEX_OPEN_STATUSES
        changed = link.perfex_row_fp != perfex_row_fingerprint(row)
        return needs_full_read(linked=True, row_changed=changed, deep_pass=deep)

    def _onlyoffice_needs_read(self, link: Link, row: OnlyofficeInvoice) -> bool:
        deep = self.options.deep_pass and row.status in ONLYOFFICE_OPEN_STATUSES
        changed = link.onlyoffice_row_fp != onlyoffice_row_fingerprint(row)
        return needs_full_read(linked=True, row_changed=changed, deep_pass=deep)

    def _observe_perfex(self, link: Link, row: PerfexInvoice | None) -> Side:
        if row is None:
            return Side(SideState.ABSENT)
        if not self._perfex_needs_read(link, row):
            return Side(SideState.SAME)
        full = self._read_perfex(row.id or "")
        same = perfex_fingerprint(full) == link.perfex_fp
        return Side(SideState.SAME if same else SideState.CHANGED, full)

    def _observe_onlyoffice(self, link: Link, row: OnlyofficeInvoice | None) -> Side:
        if row is None:
            return Side(SideState.ABSENT)
        if not self._onlyoffice_needs_read(link, row):
            return Side(SideState.SAME)
        full = self._read_onlyoffice(str(row.id))
        same = onlyoffice_fingerprint(full) == link.onlyoffice_fp
        return Side(SideState.SAME if same else SideState.CHANGED, full)

    def _read_perfex(self, invoice_id: str) -> PerfexInvoice:
        return PerfexInvoice.from_api(self.ctx.perfex.get_invoice(invoice_id))

    def _read_onlyoffice(self, invoice_id: str) -> OnlyofficeInvoice:
        return OnlyofficeInvoice.from_api(self.ctx.onlyoffice.get_invoice(invoice_id))

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
        agree = False
        if perfex.state is SideState.CHANGED and onlyoffice.state is SideState.CHANGED:
            agree = self.to_perfex.agrees(onlyoffice.full, perfex.full)  # type: ignore[arg-type]
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
        perfex = self._read_perfex(perfex_row.id or "")
        onlyoffice = self._read_onlyoffice(str(onlyoffice_row.id))
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
        elif decision.source == "perfex":
            self._guarded(
                "perfex",
                perfex.id or "",
                onlyoffice.number,
                lambda: self.to_onlyoffice.apply(perfex, None, Step.LINK),
            )
        else:
            self._guarded(
                "onlyoffice",
                str(onlyoffice.id),
                onlyoffice.number,
                lambda: self.to_perfex.apply(onlyoffice, None, Step.LINK, current=perfex),
            )

    def _create_from_perfex(self, row: PerfexInvoice) -> None:
        invoice = self._read_perfex(row.id or "")
        # A number ONLYOFFICE already uses is linked to another invoice (unlinked ones were
        # paired above): a link attempt reports the collision with its reason.
        taken = self._number_of(invoice) in self.to_onlyoffice.numbers
        step = Step.LINK if taken else Step.CREATE
        self._guarded(
            "perfex",
            invoice.id or "",
            self._number_of(invoice),
            lambda: self.to_onlyoffice.apply(invoice, None, step),
        )

    def _create_from_onlyoffice(self, row: OnlyofficeInvoice) -> None:
        invoice = self._read_onlyoffice(str(row.id))
        self._guarded(
            "onlyoffice",
            str(invoice.id),
            invoice.number,
            lambda: self.to_perfex.apply(invoice, None, Step.CREATE),
        )

    # -- executing ------------------------------------------------------------------------

    def _execute_linked(
        self, decision: Decision, link: Link, perfex: Side, onlyoffice: Side
    ) -> None:
        number = link.natural_key
        if decision.step is Step.UNCHANGED:
            self._remember(link, perfex.full, onlyoffice.full)  # type: ignore[arg-type]
            self.ctx.journal.count_unchanged()
        elif decision.step is Step.CONFLICT:
            self._conflict(link.perfex_id, link.onlyoffice_id, number, decision)
        elif decision.step is Step.SKIP:
            self.ctx.record(
                invoice_outcome(
                    link.perfex_id, link.onlyoffice_id, number, "skipped", error=decision.reason
                )
            )
        elif decision.source == "perfex":
            source = perfex.full
            # When ONLYOFFICE moved too and lost by policy, its content is not the last synced
            # one: let the mirror compare with what ONLYOFFICE holds now.
            target_link = (
                link if onlyoffice.state is SideState.SAME else replace(link, onlyoffice_fp=None)
            )
            self._guarded(
                "perfex",
                link.perfex_id,
                number,
                lambda: self.to_onlyoffice.apply(source, target_link, Step.UPDATE),
            )  # type: ignore[arg-type]
        else:
            source = onlyoffice.full
            current = perfex.full
            self._guarded(
                "onlyoffice",
                link.onlyoffice_id,
                number,
                lambda: self.to_perfex.apply(source, link, Step.UPDATE, current=current),
            )  # type: ignore[arg-type]

    def _remember(
        self, link: Link, perfex: PerfexInvoice | None, onlyoffice: OnlyofficeInvoice | None
    ) -> None:
        """Stores the fingerprints of what was read where nothing needed writing."""
        updated = link
        if perfex is not None:
            updated = replace(
                updated,
                perfex_fp=perfex_fingerprint(perfex),
                perfex_row_fp=perfex_row_fingerprint(perfex),
            )
        if onlyoffice is not None:
            updated = replace(
                updated,
                onlyoffice_fp=onlyoffice_fingerprint(onlyoffice),
                onlyoffice_row_fp=onlyoffice_row_fingerprint(onlyoffice),
            )
        if updated != link:
            self.ctx.save_link(updated)

    def _adopt(self, perfex: PerfexInvoice, onlyoffice: OnlyofficeInvoice) -> None:
        """Links a same-numbered pair that already agrees; nothing is written to either side."""
        link = Link("invoice", perfex.id or "", str(onlyoffice.id), onlyoffice.number)
        self._remember(link, perfex, onlyoffice)
        self.ctx.record(
            invoice_outcome(link.perfex_id, link.onlyoffice_id, link.natural_key, "linked")
        )

    def _conflict(
        self, perfex_id: str, onlyoffice_id: str, number: str, decision: Decision
    ) -> None:
        self.ctx.record(
            invoice_outcome(
                perfex_id,
                onlyoffice_id,
                number,
                "conflict",
                error=f"{decision.reason}{CONFLICT_ADVICE}",
            )
        )

    def _guarded(self, source: str, source_id: str, number: str, write: Callable[[], None]) -> None:
        """Runs one mirror write from `source`; a failure is recorded for this direction and the
        target's last-synced state re-read (see the module docstring)."""
        target = "onlyoffice" if source == "perfex" else "perfex"
        try:
            write()
        except RUN_ENDING:
            raise
        except (BridgeError, MappingError) as error:
            self._rebaseline(source, source_id)
            self.ctx.record(failure_outcome(source_id, number, error, source=source, target=target))
        except Exception as error:  # a bug must not take the other records down with it
            log.exception("internal error while syncing invoice %s", number)
            self._rebaseline(source, source_id)
            self.ctx.record(
                failure_outcome(
                    source_id, number, error, internal=True, source=source, target=target
                )
            )

    def _rebaseline(self, source: str, source_id: str) -> None:
        link = self.ctx.link_for("invoice", source, source_id)
        if link is None or self.ctx.dry_run:
            return
        try:
            if source == "perfex":
                onlyoffice = self._read_onlyoffice(link.onlyoffice_id)
                self._remember(link, None, onlyoffice)
            else:
                self._remember(link, self._read_perfex(link.perfex_id), None)
        except Exception as error:  # the write's own failure is the one worth reporting
            log.warning(
                "could not re-read invoice %s after a failed write: %s", link.natural_key, error
            )


def _observation_failed(pair: Pair, error: BaseException, internal: bool) -> Outcome:
    """A failure before any write, while reading a pair: reported from the side it came from."""
    if pair.perfex is not None:
        return failure_outcome(
            pair.perfex.id or "",
            pair.link.natural_key if pair.link else None,
            error,
            internal=internal,
        )
    row = pair.onlyoffice
    return failure_outcome(
        str(row.id) if row else (pair.link.onlyoffice_id if pair.link else ""),
        row.number if row else None,
        error,
        internal=internal,
        source="onlyoffice",
        target="perfex",
    )
