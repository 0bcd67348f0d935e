"""One pass ONLYOFFICE → Perfex: observe, decide, hand each invoice to the mirror.

Observe (`observe`): the `invoice/filter` rows of ONLYOFFICE (no lines:
shared/contracts/onlyoffice-api.md 3.2) and one listing of Perfex invoice numbers, keyed the way
the mapping parses ONLYOFFICE numbers. A linked invoice whose row fingerprint is as last synced
needs nothing more (line-only edits move `cost`, which the row fingerprint holds; the periodic
deep pass catches the rest); the others are read in full and, when the decision table says so,
mirrored. Each invoice is isolated: its failure is recorded and the pass goes on.

Must not: delete anything in Perfex: an invoice gone from ONLYOFFICE is reported, never
removed from Perfex.
"""

from __future__ import annotations

from bridge.engine.context import RunContext
from bridge.engine.observe import (
    check_onlyoffice_safety,
    onlyoffice_needs_read,
    onlyoffice_rows,
    perfex_numbers,
    perfex_rows,
    read_onlyoffice,
    report_deleted_in_onlyoffice,
)
from bridge.engine.outcomes import REVERSE, failure_outcome
from bridge.engine.passes import PassOptions, sync_isolated
from bridge.engine.perfex_mirror import PerfexMirror
from bridge.engine.plan import Step, decide_one_way
from mappings.fingerprint import onlyoffice_fingerprint
from mappings.onlyoffice import OnlyofficeInvoice


class OnlyofficeToPerfexPass:
    def __init__(self, ctx: RunContext, options: PassOptions) -> None:
        self.ctx = ctx
        self.options = options

    def run(self) -> None:
        since = self.options.since
        rows = onlyoffice_rows(self.ctx, since)
        check_onlyoffice_safety(self.ctx, rows, since)
        mirror = PerfexMirror(self.ctx, numbers=perfex_numbers(perfex_rows(self.ctx)))
        report_deleted_in_onlyoffice(self.ctx, rows, since)
        sync_isolated(
            self.ctx,
            self.options,
            [row for row in rows if self._triage(row)],
            lambda row: self._sync_one(mirror, row),
            lambda row, error, internal: failure_outcome(
                str(row.id), row.number, error, internal=internal, **REVERSE
            ),
        )

    def _triage(self, row: OnlyofficeInvoice) -> bool:
        """True when the row needs a full read; counts the untouched ones directly."""
        link = self.ctx.link_for("invoice", "onlyoffice", str(row.id))
        if onlyoffice_needs_read(link, row, self.options.deep_pass):
            return True
        self.ctx.journal.count_unchanged()
        return False

    def _sync_one(self, mirror: PerfexMirror, row: OnlyofficeInvoice) -> None:
        invoice = read_onlyoffice(self.ctx, row.id)
        link = self.ctx.link_for("invoice", "onlyoffice", str(invoice.id))
        decision = decide_one_way(
            source="onlyoffice",
            linked=link is not None,
            source_changed=link is None or link.onlyoffice_fp != onlyoffice_fingerprint(invoice),
            counterpart_by_key=mirror.key_of(invoice) in mirror.numbers,
        )
        if decision.step is Step.UNCHANGED:
            mirror.remember(link, invoice)
            self.ctx.journal.count_unchanged()
            return
        mirror.apply(invoice, link, decision.step)
