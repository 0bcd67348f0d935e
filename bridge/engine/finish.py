"""The end of a pair's way through a run: the link, both fingerprints, the outcome, problems.

After a write the pair is linked with the fingerprints of both sides as they now are (the
source as read, the target as its answers showed it), so the next run recognises the bridge's
own write instead of taking it for an edit. Every outcome is journalled; a failure or conflict
is also kept as an open problem (with the time its retry is due) until a later run settles it.

Must not: talk to either system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from bridge.engine.context import RunContext
from bridge.engine.outcomes import pair_outcome
from bridge.engine.plan import SIDES, Step
from bridge.engine.sides import (
    PENDING,
    InvoiceSide,
    Work,
    WriteReport,
    problem_key,
    rows_fingerprint,
)
from state import Link

# When a failed record is tried again by the daemon: the next cycle, then less and less often,
# at most once a day; at once whenever its list row changes.
RETRY_DELAYS = (
    timedelta(0),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
    timedelta(days=1),
)


class Finisher:
    def __init__(
        self,
        ctx: RunContext,
        sides: dict[str, InvoiceSide],
        advance: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.sides = sides
        self.advance = advance

    # -- pairs nothing was written for ----------------------------------------------------

    def unchanged(self, work: Work) -> None:
        """Remembers the fingerprints of what was read (the same, or the same edit made on
        both sides), so the next run needs no read."""
        if work.link is not None:
            updated = self._refreshed(work.link, work)
            if work.deep:
                updated = replace(updated, checked_at=self.ctx.now())
            if updated != work.link:
                self.ctx.save_link(updated)
            self.ctx.settle_problem("perfex", work.link.perfex_id)
        self.ctx.journal.count_unchanged()
        self._done(work)

    def adopt(self, work: Work) -> None:
        """Links an unlinked pair that already agrees; nothing is written to either side."""
        perfex_id, onlyoffice_id = work.record_id("perfex"), work.record_id("onlyoffice")
        assert perfex_id and onlyoffice_id
        link = Link("invoice", perfex_id, onlyoffice_id, self._natural_key(work))
        self.ctx.save_link(self._refreshed(link, work))
        self.ctx.settle_problem("perfex", perfex_id)
        self.ctx.record(pair_outcome(work, "linked"))
        self._done(work)

    def record(self, work: Work, action: str, *, error: str | None = None) -> None:
        """A skip, failure or conflict: journalled, and kept as an open problem."""
        outcome = pair_outcome(work, action, error=error)
        self.ctx.record(outcome)
        side, record_id = problem_key(work.listed, work.link)
        if action in ("failed", "conflict") and record_id:
            code = work.decision.code if work.decision is not None else None
            self.ctx.note_problem(
                side,
                record_id,
                number=work.number,
                action=action,
                reason=code,
                error=error,
                row_fp=rows_fingerprint(work.listed),
                retry_delays=RETRY_DELAYS,
            )
        self._done(work)

    def mark_pending(self, work: Work) -> None:
        """The write to the target failed after it may have changed something: the next run
        takes what the target holds for the bridge's unfinished work, not a person's edit."""
        perfex_id = work.record_id("perfex")
        link = work.link or (
            self.ctx.link_for("invoice", "perfex", perfex_id) if perfex_id else None
        )
        if link is None or self.ctx.dry_run or work.decision is None:
            return
        field = "perfex_fp" if work.target == "perfex" else "onlyoffice_fp"
        self.ctx.save_link(replace(link, **{field: PENDING}))

    # -- pairs that were written ------------------------------------------------------------

    def finish(self, work: Work) -> None:
        written = work.written
        assert written is not None and work.decision is not None
        source, target = work.source, work.target
        ids = {source: work.record_id(source), target: written.target_id}
        source_listed = work.listed[source]
        fps = {
            source: self.sides[source].fingerprint(work.docs[source]),
            target: written.fingerprint,
        }
        row_fps = {
            source: source_listed.row_fp if source_listed is not None else None,
            target: written.row_fp,
        }
        base = work.link or Link(
            "invoice", ids["perfex"] or "?", ids["onlyoffice"] or "?", self._natural_key(work)
        )
        link = replace(
            base,
            perfex_id=ids["perfex"] or base.perfex_id,
            onlyoffice_id=ids["onlyoffice"] or base.onlyoffice_id,
            natural_key=self._natural_key(work) or base.natural_key,
            perfex_fp=fps["perfex"],
            onlyoffice_fp=fps["onlyoffice"],
            perfex_row_fp=row_fps["perfex"],
            onlyoffice_row_fp=row_fps["onlyoffice"],
            # The source's raw row as listed; the target's changed with the write.
            perfex_raw_fp=source_listed.digest if source == "perfex" and source_listed else None,
            onlyoffice_raw_fp=source_listed.digest
            if source == "onlyoffice" and source_listed
            else None,
            checked_at=self.ctx.now() if work.deep else base.checked_at,
        ).with_facts(**written.facts)
        self.ctx.save_link(link, getattr(work.plan, "intent", None))
        self.ctx.settle_problem("perfex", link.perfex_id)
        report = self.sides[target].report(work)
        self.ctx.record(
            pair_outcome(
                work,
                _action(work),
                changes=report.changes,
                warnings=report.warnings,
                details=report.details,
            )
        )
        self._done(work)

    # -- shared -----------------------------------------------------------------------------

    def _refreshed(self, link: Link, work: Work) -> Link:
        """`link` with the fingerprints of every side read in full (and its list row)."""
        updated = link
        for side in SIDES:
            doc = work.docs.get(side)
            listed = work.listed.get(side)
            if doc is None or listed is None or listed.row is None:
                continue
            full = self.sides[side].fingerprint(doc)
            if side == "perfex":
                updated = replace(
                    updated,
                    perfex_fp=full,
                    perfex_row_fp=listed.row_fp,
                    perfex_raw_fp=listed.digest,
                )
            else:
                updated = replace(
                    updated,
                    onlyoffice_fp=full,
                    onlyoffice_row_fp=listed.row_fp,
                    onlyoffice_raw_fp=listed.digest,
                )
        return updated

    def _natural_key(self, work: Work) -> str:
        return self.sides["onlyoffice"].natural_key(work)

    def _done(self, work: Work) -> None:
        work.done = True
        if self.advance:
            self.advance()


def _action(work: Work) -> str:
    step = work.decision.step if work.decision else None
    if step is Step.CREATE:
        return "created"
    return "updated"


__all__ = ["RETRY_DELAYS", "Finisher", "WriteReport"]
