"""One pass Perfex → ONLYOFFICE: observe, decide, execute, one invoice at a time.

Observe: one list of Perfex invoices (rows carry no lines) and one listing of ONLYOFFICE
invoice numbers. A linked invoice whose row fingerprint is as last synced needs nothing more;
the others are read in full, mapped, and written, each on its own: one invoice's failure is
recorded and the pass goes on. Reads and writes run on a small thread pool (the per-system
concurrency); the ledger is only touched through the run context.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date

from bridge.engine.context import RunContext
from bridge.engine.onlyoffice_directory import OnlyofficeDirectory
from bridge.engine.onlyoffice_writer import OnlyofficeInvoiceWriter, Written
from bridge.engine.outcomes import failure_outcome, invoice_outcome
from bridge.engine.plan import Step, decide_one_way, needs_full_read
from bridge.errors import (
    BridgeError,
    CredentialsRejected,
    NumberInUse,
    RecordRejected,
    RetryableError,
    SafetyStop,
    Unreachable,
)
from mappings.changes import onlyoffice_changes
from mappings.fingerprint import (
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.perfex import PerfexInvoice, PerfexTax, TaxSpec
from mappings.problems import MappingError
from mappings.to_onlyoffice import (
    MappingProblem,
    OnlyofficeRefs,
    OnlyofficeTarget,
    onlyoffice_needs,
    perfex_to_onlyoffice,
)
from state import Link

log = logging.getLogger(__name__)

PERFEX_DRAFT = 6
PERFEX_OPEN_STATUSES = frozenset({1, 3, 4, 6})  # unpaid, partially paid, overdue, draft
# Errors that end the whole run rather than one record: nothing else can succeed either.
RUN_ENDING = (CredentialsRejected, Unreachable)


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
        self.directory = OnlyofficeDirectory(ctx)
        self.writer = OnlyofficeInvoiceWriter(ctx)
        self.numbers: dict[str, int] = {}
        self.tax_candidates: tuple[TaxSpec, ...] = ()
        self.tax_hints: dict[str, TaxSpec] = {}

    def run(self) -> None:
        rows = self._perfex_rows()
        self._check_safety(rows)
        self.numbers = self._onlyoffice_numbers()
        self.tax_candidates, self.tax_hints = self._perfex_taxes()
        self._report_deleted(rows)
        work = [row for row in rows if self._triage(row)]
        if self.options.progress:
            self.options.progress(len(work))
        self._run_all(work)

    # -- observe --------------------------------------------------------------------------

    def _perfex_rows(self) -> list[PerfexInvoice]:
        rows = [PerfexInvoice.from_api(raw) for raw in self.ctx.perfex.list_invoices()]
        if self.options.since is not None:
            rows = [row for row in rows if row.date >= self.options.since]
        return rows

    def _check_safety(self, rows: list[PerfexInvoice]) -> None:
        if rows or self.options.since is not None or not self.ctx.settings.safety_stop:
            return
        linked = len(self.ctx.links("invoice"))
        if linked:
            raise SafetyStop(
                f"Perfex lists no invoices at all while the ledger links {linked}; nothing was "
                "written. Check [perfex].url and the API token's permissions, or set "
                "[sync].safety_stop = false if the invoices really were all deleted."
            )

    def _onlyoffice_numbers(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for raw in self.ctx.onlyoffice.list_invoices():
            index.setdefault(str(raw["number"]), int(raw["id"]))
        return index

    def _perfex_taxes(self) -> tuple[tuple[TaxSpec, ...], dict[str, TaxSpec]]:
        """Candidate taxes and per-product hints for inferring line taxes (GET has none)."""
        try:
            candidates = tuple(PerfexTax.from_api(raw) for raw in self.ctx.perfex.tax_data())
        except (RecordRejected, CredentialsRejected) as error:
            # Module 2.x checks /common against a permission its UI never offers (contract
            # 1.2): without it, the catalogue's taxes are the only candidates.
            log.warning("Perfex tax list unavailable (%s); using the item catalogue's taxes", error)
            candidates = ()
        hints = self._catalogue_hints()
        extra = tuple(tax for tax in hints.values() if tax not in candidates)
        return candidates + tuple(dict.fromkeys(extra)), hints

    def _catalogue_hints(self) -> dict[str, TaxSpec]:
        try:
            items = self.ctx.perfex.list_items()
        except RecordRejected:
            return {}
        hints: dict[str, TaxSpec] = {}
        for item in items:
            if item.get("taxname") and item.get("taxrate") is not None:
                tax = PerfexTax.from_api({"name": item["taxname"], "taxrate": item["taxrate"]})
                hints.setdefault(str(item["description"]).strip(), tax)
        return hints

    def _report_deleted(self, rows: list[PerfexInvoice]) -> None:
        if self.options.since is not None:
            return  # a partial listing says nothing about the invoices it left out
        listed = {row.id for row in rows}
        for link in self.ctx.links("invoice"):
            if link.perfex_id not in listed:
                self.ctx.record(
                    invoice_outcome(
                        link.perfex_id,
                        link.onlyoffice_id,
                        link.natural_key,
                        "skipped",
                        error="deleted in Perfex; its ONLYOFFICE counterpart was left as it is",
                    )
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

    # -- execute --------------------------------------------------------------------------

    def _run_all(self, rows: Iterable[PerfexInvoice]) -> None:
        workers = max(
            1, min(self.ctx.settings.perfex_concurrency, self.ctx.settings.onlyoffice_concurrency)
        )
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync") as pool:
            futures = [pool.submit(self._sync_guarded, row) for row in rows]
            for future in futures:
                future.result()  # re-raises run-ending errors after the pool drains

    def _sync_guarded(self, row: PerfexInvoice) -> None:
        if self.ctx.stop.is_set():
            return
        try:
            self._sync_one(row)
        except RUN_ENDING:
            self.ctx.stop.set()  # the other workers stop before their next record
            raise
        except (RecordRejected, RetryableError, MappingError, BridgeError) as error:
            self.ctx.record(failure_outcome(row.id, self._number_of(row), error))
        except Exception as error:  # a bug must not take the other invoices down with it
            log.exception("internal error on Perfex invoice %s", row.id)
            self.ctx.record(failure_outcome(row.id, self._number_of(row), error, internal=True))
        finally:
            if self.options.advance:
                self.options.advance()

    def _number_of(self, row: PerfexInvoice) -> str:
        return self.mapping.number_format.format(row.prefix, row.number, row.date.year)

    def _sync_one(self, row: PerfexInvoice) -> None:
        invoice = PerfexInvoice.from_api(self.ctx.perfex.get_invoice(row.id))
        number = self._number_of(invoice)
        link = self.ctx.link_for("invoice", "perfex", invoice.id)
        source_fp = perfex_fingerprint(invoice)
        decision = decide_one_way(
            source="perfex",
            linked=link is not None,
            source_changed=link is None or link.perfex_fp != source_fp,
            counterpart_by_key=number in self.numbers,
        )
        if decision.step is Step.UNCHANGED:
            self._remember(link, invoice, source_fp)
            self.ctx.journal.count_unchanged()
            return
        target = self._map(invoice)
        if isinstance(target, MappingProblem):
            self._report_problem(invoice, number, link, target)
            return
        if link is not None and onlyoffice_fingerprint(target.invoice) == link.onlyoffice_fp:
            # The Perfex edit does not show in ONLYOFFICE (an overdue flag set by Perfex's cron,
            # an admin note): nothing to write.
            self._remember(link, invoice, source_fp)
            self.ctx.journal.count_unchanged()
            return
        written, action = self._write(decision.step, invoice, link, target)
        self._finish(invoice, number, source_fp, target, written, action)

    def _map(self, invoice: PerfexInvoice) -> OnlyofficeTarget | MappingProblem:
        needs = onlyoffice_needs(invoice, self.mapping, self.tax_candidates, self.tax_hints)
        if isinstance(needs, MappingProblem):
            return needs
        contact = self.directory.contact_for(invoice.clientid)
        refs = OnlyofficeRefs(
            contact_id=contact.contact_id,
            billing_address_id=contact.billing_address_id,
            item_ids=self.directory.item_ids(needs.products),
            tax_ids=self.directory.tax_ids(needs.taxes),
        )
        return perfex_to_onlyoffice(invoice, needs, refs, self.mapping)

    def _write(
        self,
        step: Step,
        invoice: PerfexInvoice,
        link: Link | None,
        target: OnlyofficeTarget,
    ) -> tuple[Written, str]:
        if step is Step.CREATE:
            provisional = _provisional_link(invoice, target)
            written = self.writer.create(
                target,
                invoice.id,
                lambda target_id, intent: self.ctx.save_link(provisional(target_id), intent),
            )
            return written, "created"
        if step is Step.LINK:
            target_id = self.numbers[target.invoice.number]
            self._refuse_taken(target_id, invoice, target.invoice.number)
            written = self.writer.update(target_id, target)
            return written, "updated" if written.wrote else "linked"
        assert link is not None
        written = self.writer.update(int(link.onlyoffice_id), target)
        return written, "updated" if written.wrote else "unchanged"

    def _refuse_taken(self, target_id: int, invoice: PerfexInvoice, number: str) -> None:
        """Adopting a counterpart that already mirrors another Perfex invoice would merge two
        invoices into one: report the collision instead (e.g. numbers restarting each year)."""
        other = self.ctx.link_for("invoice", "onlyoffice", str(target_id))
        if other is not None and other.perfex_id != invoice.id:
            raise NumberInUse(
                f"invoice number {number} already mirrors Perfex invoice {other.perfex_id}; "
                "include {year} in [mapping].number_format if Perfex restarts numbers yearly",
                system="onlyoffice",
            )

    def _finish(
        self,
        invoice: PerfexInvoice,
        number: str,
        source_fp: str,
        target: OnlyofficeTarget,
        written: Written,
        action: str,
    ) -> None:
        stored_as_meant = onlyoffice_fingerprint(written.after) == onlyoffice_fingerprint(
            target.invoice
        )
        self.ctx.save_link(
            Link(
                "invoice",
                invoice.id,
                str(written.target_id),
                number,
                # A read-back that differs from what was meant keeps the source fingerprint
                # unset, so the next run compares again instead of calling it unchanged.
                perfex_fp=source_fp if stored_as_meant else None,
                onlyoffice_fp=onlyoffice_fingerprint(written.after),
                perfex_row_fp=perfex_row_fingerprint(invoice),
                onlyoffice_row_fp=onlyoffice_row_fingerprint(written.after),
            )
        )
        changes = onlyoffice_changes(written.before, written.after)
        if not stored_as_meant:
            differing = onlyoffice_changes(target.invoice, written.after)
            self.ctx.record(
                invoice_outcome(
                    invoice.id,
                    str(written.target_id),
                    number,
                    "failed",
                    changes=changes,
                    error="ONLYOFFICE stored the invoice differently from what was sent: "
                    + ", ".join(sorted(differing)),
                )
            )
            return
        if action == "unchanged":
            self.ctx.journal.count_unchanged()
            return
        warning = "; ".join(target.warnings) or None
        self.ctx.record(
            invoice_outcome(
                invoice.id, str(written.target_id), number, action, changes=changes, error=warning
            )
        )

    def _remember(self, link: Link | None, invoice: PerfexInvoice, source_fp: str) -> None:
        """Stores the new Perfex fingerprints of an invoice that needed no write."""
        if link is None:
            return
        self.ctx.save_link(
            replace(link, perfex_fp=source_fp, perfex_row_fp=perfex_row_fingerprint(invoice))
        )

    def _report_problem(
        self, invoice: PerfexInvoice, number: str, link: Link | None, problem: MappingProblem
    ) -> None:
        self.ctx.record(
            invoice_outcome(
                invoice.id,
                link.onlyoffice_id if link else None,
                number,
                "skipped" if problem.skip else "failed",
                error=f"{problem.field}: {problem.message}",
            )
        )


DRAFT_REASON = (
    "Perfex draft: its number is a placeholder until it is sent, and ONLYOFFICE numbers "
    "cannot change later"
)


def _provisional_link(invoice: PerfexInvoice, target: OnlyofficeTarget) -> Callable[[int], Link]:
    """The link stored the moment a create lands, before its status moves and read-back.
    No fingerprints yet: if the run stops here, the next one compares and finishes the job."""

    def build(target_id: int) -> Link:
        return Link("invoice", invoice.id, str(target_id), target.invoice.number)

    return build
