"""One pass Perfex → ONLYOFFICE: observe, decide, hand each invoice to the mirror.

Observe (`observe`): one list of Perfex invoices (rows carry no lines) and one listing of
ONLYOFFICE invoice numbers. A linked invoice whose row fingerprint is as last synced needs
nothing more; the others are read in full and, when the decision table says so, mirrored. Each
invoice is isolated: its failure is recorded and the pass goes on.
"""

from __future__ import annotations

from bridge.engine.context import RunContext
from bridge.engine.observe import (
    check_perfex_safety,
    onlyoffice_numbers,
    perfex_needs_read,
    perfex_rows,
    perfex_taxes,
    read_perfex,
    report_deleted_in_perfex,
    skips_perfex_draft,
)
from bridge.engine.onlyoffice_mirror import OnlyofficeMirror
from bridge.engine.outcomes import failure_outcome
from bridge.engine.passes import PassOptions, sync_isolated
from bridge.engine.plan import Step, decide_one_way
from mappings.fingerprint import perfex_fingerprint
from mappings.perfex import PerfexInvoice


class PerfexToOnlyofficePass:
    def __init__(self, ctx: RunContext, options: PassOptions) -> None:
        self.ctx = ctx
        self.options = options

    def run(self) -> None:
        since = self.options.since
        rows = perfex_rows(self.ctx, since)
        check_perfex_safety(self.ctx, rows, since)
        mirror = OnlyofficeMirror(
            self.ctx, numbers=onlyoffice_numbers(self.ctx), taxes=perfex_taxes(self.ctx)
        )
        report_deleted_in_perfex(self.ctx, rows, since)
        sync_isolated(
            self.ctx,
            self.options,
            [row for row in rows if self._triage(row)],
            lambda row: self._sync_one(mirror, row),
            lambda row, error, internal: failure_outcome(
                row.id, mirror.number_of(row), error, internal=internal
            ),
        )

    def _triage(self, row: PerfexInvoice) -> bool:
        """True when the row needs a full read; records the cheap outcomes directly."""
        link = self.ctx.link_for("invoice", "perfex", row.id)
        if link is None and skips_perfex_draft(self.ctx, row):
            return False
        if perfex_needs_read(link, row, self.options.deep_pass):
            return True
        self.ctx.journal.count_unchanged()
        return False

    def _sync_one(self, mirror: OnlyofficeMirror, row: PerfexInvoice) -> None:
        invoice = read_perfex(self.ctx, row.id)
        link = self.ctx.link_for("invoice", "perfex", invoice.id)
        decision = decide_one_way(
            source="perfex",
            linked=link is not None,
            source_changed=link is None or link.perfex_fp != perfex_fingerprint(invoice),
            counterpart_by_key=mirror.number_of(invoice) in mirror.numbers,
        )
        if decision.step is Step.UNCHANGED:
            mirror.remember(link, invoice)
            self.ctx.journal.count_unchanged()
            return
        mirror.apply(invoice, link, decision.step)
