"""One pass Perfex → ONLYOFFICE: observe, decide, hand each invoice to the mirror.

Observe: one list of Perfex invoices (rows carry no lines) and one listing of ONLYOFFICE
invoice numbers. A linked invoice whose row fingerprint is as last synced needs nothing more;
the others are read in full and, when the decision table says so, mirrored. Each invoice is
isolated: its failure is recorded and the pass goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bridge.engine.context import RunContext
from bridge.engine.onlyoffice_mirror import OnlyofficeMirror, PerfexTaxes
from bridge.engine.outcomes import failure_outcome, invoice_outcome
from bridge.engine.plan import Step, decide_one_way, needs_full_read
from bridge.engine.workers import run_isolated
from bridge.errors import CredentialsRejected, RecordRejected, SafetyStop
from mappings.fingerprint import perfex_fingerprint, perfex_row_fingerprint
from mappings.perfex import PerfexInvoice, PerfexTax, TaxSpec
from state.records import Outcome

log = logging.getLogger(__name__)

PERFEX_DRAFT = 6
PERFEX_OPEN_STATUSES = frozenset({1, 3, 4, 6})  # unpaid, partially paid, overdue, draft
DRAFT_REASON = (
    "Perfex draft: its number is a placeholder until it is sent, and ONLYOFFICE numbers "
    "cannot change later"
)


@dataclass(frozen=True)
class PassOptions:
    since: date | None = None
    deep_pass: bool = False
    progress: Callable[[int], None] | None = None  # called with the number of records to do
    advance: Callable[[], None] | None = None  # called once per record done


class PerfexToOnlyofficePass:
    def __init__(self, ctx: RunContext, options: PassOptions) -> None:
        self.ctx = ctx
        self.options = options
        self.mapping = ctx.settings.mapping

    def run(self) -> None:
        rows = perfex_rows(self.ctx, self.options.since)
        check_perfex_safety(self.ctx, rows, self.options.since)
        mirror = OnlyofficeMirror(
            self.ctx, numbers=onlyoffice_numbers(self.ctx), taxes=perfex_taxes(self.ctx)
        )
        if self.options.since is None:
            report_deleted_in_perfex(self.ctx, rows)
        work = [row for row in rows if self._triage(row)]
        if self.options.progress:
            self.options.progress(len(work))
        run_isolated(
            self.ctx,
            work,
            lambda row: self._sync_one(mirror, row),
            lambda row, error, internal: failure_outcome(
                row.id, mirror.number_of(row), error, internal=internal
            ),
            workers=min(
                self.ctx.settings.perfex_concurrency, self.ctx.settings.onlyoffice_concurrency
            ),
            advance=self.options.advance,
        )

    def _triage(self, row: PerfexInvoice) -> bool:
        """True when the row needs a full read; records the cheap outcomes directly."""
        link = self.ctx.link_for("invoice", "perfex", row.id)
        if link is None and row.status == PERFEX_DRAFT and self.mapping.perfex_drafts == "skip":
            self.ctx.record(invoice_outcome(row.id, None, None, "skipped", error=DRAFT_REASON))
            return False
        deep = self.options.deep_pass and row.status in PERFEX_OPEN_STATUSES
        row_changed = link is None or link.perfex_row_fp != perfex_row_fingerprint(row)
        if needs_full_read(linked=link is not None, row_changed=row_changed, deep_pass=deep):
            return True
        self.ctx.journal.count_unchanged()
        return False

    def _sync_one(self, mirror: OnlyofficeMirror, row: PerfexInvoice) -> None:
        invoice = PerfexInvoice.from_api(self.ctx.perfex.get_invoice(row.id))
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


# -- observation, shared with the two-way pass ----------------------------------------------


def perfex_rows(ctx: RunContext, since: date | None = None) -> list[PerfexInvoice]:
    rows = [PerfexInvoice.from_api(raw) for raw in ctx.perfex.list_invoices()]
    if since is not None:
        rows = [row for row in rows if row.date >= since]
    return rows


def check_perfex_safety(ctx: RunContext, rows: list[PerfexInvoice], since: date | None) -> None:
    """A source that suddenly lists nothing while the ledger links invoices is far more likely
    a wrong URL, a token without permissions or a broken install than a company that deleted
    every invoice: stop rather than act on it."""
    if rows or since is not None or not ctx.settings.safety_stop:
        return
    linked = len(ctx.links("invoice"))
    if linked:
        raise SafetyStop(
            f"Perfex lists no invoices at all while the ledger links {linked}; nothing was "
            "written. Check [perfex].url and the API token's permissions, or set "
            "[sync].safety_stop = false if the invoices really were all deleted."
        )


def onlyoffice_numbers(ctx: RunContext) -> dict[str, int]:
    """ONLYOFFICE invoice number -> id; numbers are unique per portal (contract 3.3)."""
    index: dict[str, int] = {}
    for raw in ctx.onlyoffice.list_invoices():
        index.setdefault(str(raw["number"]), int(raw["id"]))
    return index


def perfex_taxes(ctx: RunContext) -> PerfexTaxes:
    """Candidate taxes and per-product hints for inferring line taxes (GET has none)."""
    try:
        candidates = tuple(PerfexTax.from_api(raw) for raw in ctx.perfex.tax_data())
    except (RecordRejected, CredentialsRejected) as error:
        # Module 2.x checks /common against a permission its UI never offers (contract 1.2):
        # without it, the catalogue's taxes are the only candidates.
        log.warning("Perfex tax list unavailable (%s); using the item catalogue's taxes", error)
        candidates = ()
    hints = _catalogue_hints(ctx)
    extra = tuple(dict.fromkeys(tax for tax in hints.values() if tax not in candidates))
    return PerfexTaxes(candidates + extra, hints)


def _catalogue_hints(ctx: RunContext) -> dict[str, TaxSpec]:
    try:
        items = ctx.perfex.list_items()
    except RecordRejected:
        return {}
    hints: dict[str, TaxSpec] = {}
    for item in items:
        if item.get("taxname") and item.get("taxrate") is not None:
            tax = PerfexTax.from_api({"name": item["taxname"], "taxrate": item["taxrate"]})
            hints.setdefault(str(item["description"]).strip(), tax)
    return hints


def report_deleted_in_perfex(ctx: RunContext, rows: list[PerfexInvoice]) -> None:
    listed = {row.id for row in rows}
    for link in ctx.links("invoice"):
        if link.perfex_id not in listed:
            ctx.record(_deleted_outcome(link.perfex_id, link.onlyoffice_id, link.natural_key))


def _deleted_outcome(perfex_id: str, onlyoffice_id: str, number: str) -> Outcome:
    return invoice_outcome(
        perfex_id,
        onlyoffice_id,
        number,
        "skipped",
        error="deleted in Perfex; its ONLYOFFICE counterpart was left as it is",
    )
