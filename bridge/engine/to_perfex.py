"""One pass ONLYOFFICE → Perfex: observe, decide, hand each invoice to the mirror.

Observe: the `invoice/filter` rows of ONLYOFFICE (no lines: shared/contracts/onlyoffice-api.md
3.2) and one listing of Perfex invoice numbers, keyed the way the mapping parses ONLYOFFICE
numbers. A linked invoice whose row fingerprint is as last synced needs nothing more (line-only
edits move `cost`, which the row fingerprint holds; the periodic deep pass catches the rest);
the others are read in full and, when the decision table says so, mirrored. Each invoice is
isolated: its failure is recorded and the pass goes on.

Must not: delete anything in Perfex: an invoice gone from ONLYOFFICE is reported, never
removed from Perfex.
"""

from __future__ import annotations

import logging
from datetime import date

from bridge.engine.context import RunContext
from bridge.engine.outcomes import failure_outcome, invoice_outcome
from bridge.engine.perfex_mirror import PerfexMirror
from bridge.engine.perfex_writer import PerfexNumber
from bridge.engine.plan import Step, decide_one_way, needs_full_read
from bridge.engine.to_onlyoffice import PassOptions, perfex_rows
from bridge.engine.workers import run_isolated
from bridge.errors import SafetyStop
from mappings.fingerprint import onlyoffice_fingerprint, onlyoffice_row_fingerprint
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.perfex import PerfexInvoice
from mappings.status import OnlyofficeStatus

log = logging.getLogger(__name__)

# Invoices still being worked on; the deep pass re-reads these to catch line-only edits.
ONLYOFFICE_OPEN_STATUSES = frozenset({OnlyofficeStatus.DRAFT, OnlyofficeStatus.SENT})


class OnlyofficeToPerfexPass:
    def __init__(self, ctx: RunContext, options: PassOptions) -> None:
        self.ctx = ctx
        self.options = options

    def run(self) -> None:
        rows = onlyoffice_rows(self.ctx)
        check_onlyoffice_safety(self.ctx, rows, self.options.since)
        mirror = PerfexMirror(self.ctx, numbers=perfex_numbers(perfex_rows(self.ctx)))
        if self.options.since is None:
            report_deleted_in_onlyoffice(self.ctx, rows)
        work = [row for row in within(rows, self.options.since) if self._triage(row)]
        if self.options.progress:
            self.options.progress(len(work))
        run_isolated(
            self.ctx,
            work,
            lambda row: self._sync_one(mirror, row),
            lambda row, error, internal: failure_outcome(
                str(row.id), row.number, error, internal=internal, **REVERSE
            ),
            workers=min(
                self.ctx.settings.perfex_concurrency, self.ctx.settings.onlyoffice_concurrency
            ),
            advance=self.options.advance,
        )

    def _triage(self, row: OnlyofficeInvoice) -> bool:
        """True when the row needs a full read; counts the untouched ones directly."""
        link = self.ctx.link_for("invoice", "onlyoffice", str(row.id))
        deep = self.options.deep_pass and row.status in ONLYOFFICE_OPEN_STATUSES
        row_changed = link is None or link.onlyoffice_row_fp != onlyoffice_row_fingerprint(row)
        if needs_full_read(linked=link is not None, row_changed=row_changed, deep_pass=deep):
            return True
        self.ctx.journal.count_unchanged()
        return False

    def _sync_one(self, mirror: PerfexMirror, row: OnlyofficeInvoice) -> None:
        invoice = OnlyofficeInvoice.from_api(self.ctx.onlyoffice.get_invoice(row.id))
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


# The outcome fields of this direction.
REVERSE = {"source": "onlyoffice", "target": "perfex"}


# -- observation, shared with the two-way pass ----------------------------------------------


def onlyoffice_rows(ctx: RunContext) -> list[OnlyofficeInvoice]:
    return [OnlyofficeInvoice.from_api(raw) for raw in ctx.onlyoffice.list_invoices()]


def within(rows: list[OnlyofficeInvoice], since: date | None) -> list[OnlyofficeInvoice]:
    return rows if since is None else [row for row in rows if row.issue_date >= since]


def check_onlyoffice_safety(
    ctx: RunContext, rows: list[OnlyofficeInvoice], since: date | None
) -> None:
    """A portal that suddenly lists nothing while the ledger links invoices is far more likely
    a wrong URL, an account that lost its CRM access or a broken portal than a company that
    deleted every invoice: stop rather than act on it."""
    if rows or since is not None or not ctx.settings.safety_stop:
        return
    linked = len(ctx.links("invoice"))
    if linked:
        raise SafetyStop(
            f"ONLYOFFICE lists no invoices at all while the ledger links {linked}; nothing was "
            "written. Check [onlyoffice].url and that the account may read the CRM, or set "
            "[sync].safety_stop = false if the invoices really were all deleted."
        )


def perfex_numbers(rows: list[PerfexInvoice]) -> dict[PerfexNumber, str]:
    """Perfex natural key -> invoice id. Drafts that still carry the placeholder number all
    share it (contract 2.5 step 5) and name nothing, so they are left out."""
    index: dict[PerfexNumber, str] = {}
    for row in sorted(rows, key=lambda r: int(r.id or 0)):
        if row.id is not None and not row.is_placeholder_draft:
            index.setdefault(PerfexNumber.of(row), row.id)
    return index


def report_deleted_in_onlyoffice(ctx: RunContext, rows: list[OnlyofficeInvoice]) -> None:
    listed = {str(row.id) for row in rows}
    for link in ctx.links("invoice"):
        if link.onlyoffice_id not in listed:
            ctx.record(
                invoice_outcome(
                    link.onlyoffice_id,
                    link.perfex_id,
                    link.natural_key,
                    "skipped",
                    error="deleted in ONLYOFFICE; its Perfex counterpart was left as it is",
                    **REVERSE,
                )
            )
