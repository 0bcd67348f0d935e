"""Mirrors one Perfex invoice into ONLYOFFICE: map, resolve what it refers to, write, record.

The pass (`to_onlyoffice`, or the two-way pass) decides *that* an invoice needs work; the
mirror does it: it maps the full Perfex invoice, skips the write when ONLYOFFICE already holds
that content, writes through `OnlyofficeInvoiceWriter`, checks the read-back against what was
meant, stores the link with both fingerprints, and records the outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from bridge.engine.context import RunContext
from bridge.engine.onlyoffice_directory import OnlyofficeDirectory
from bridge.engine.onlyoffice_writer import InvoiceLocked, OnlyofficeInvoiceWriter, Written
from bridge.engine.outcomes import invoice_outcome
from bridge.engine.plan import Step
from bridge.errors import NumberInUse
from mappings.changes import onlyoffice_changes
from mappings.fingerprint import (
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.perfex import PerfexInvoice, TaxSpec
from mappings.problems import MappingProblem
from mappings.to_onlyoffice import (
    OnlyofficeRefs,
    OnlyofficeTarget,
    onlyoffice_needs,
    perfex_to_onlyoffice,
)
from state import Link


@dataclass(frozen=True)
class PerfexTaxes:
    """What Perfex tells about taxes, for inferring line taxes its GET does not return."""

    candidates: tuple[TaxSpec, ...] = ()
    hints: Mapping[str, TaxSpec] = field(default_factory=dict)


class OnlyofficeMirror:
    def __init__(self, ctx: RunContext, *, numbers: Mapping[str, int], taxes: PerfexTaxes) -> None:
        self.ctx = ctx
        self.mapping = ctx.settings.mapping
        self.numbers = numbers  # ONLYOFFICE invoice number -> id, as listed this run
        self.taxes = taxes
        self.directory = OnlyofficeDirectory(ctx)
        self.writer = OnlyofficeInvoiceWriter(ctx)

    def number_of(self, invoice: PerfexInvoice) -> str:
        return self.mapping.number_format.format(invoice.prefix, invoice.number, invoice.date.year)

    def apply(self, invoice: PerfexInvoice, link: Link | None, step: Step) -> None:
        """Carries out `step` (create, link or update) for one full Perfex invoice."""
        number = self.number_of(invoice)
        source_fp = perfex_fingerprint(invoice)
        target = self._map(invoice)
        if isinstance(target, MappingProblem):
            self._report_problem(invoice, number, link, target)
            return
        if link is not None and onlyoffice_fingerprint(target.invoice) == link.onlyoffice_fp:
            # The Perfex edit does not show in ONLYOFFICE (an admin note, a billing detail
            # ONLYOFFICE has no field for): nothing to write.
            self.remember(link, invoice)
            self.ctx.journal.count_unchanged()
            return
        try:
            written, action = self._write(step, invoice, link, target)
        except InvoiceLocked as locked:
            # The operator chose to leave non-Draft invoices alone: a decision, not a failure.
            # The link keeps its old fingerprints, so every run reports it until it is settled.
            target_id = link.onlyoffice_id if link else None
            self.ctx.record(
                invoice_outcome(invoice.id, target_id, number, "skipped", error=str(locked))
            )
            return
        self._finish(invoice, number, source_fp, target, written, action)

    def _map(self, invoice: PerfexInvoice) -> OnlyofficeTarget | MappingProblem:
        needs = onlyoffice_needs(invoice, self.mapping, self.taxes.candidates, self.taxes.hints)
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
            written.meant
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
            differing = onlyoffice_changes(written.meant, written.after)
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

    def remember(self, link: Link | None, invoice: PerfexInvoice) -> None:
        """Stores the new Perfex fingerprints of an invoice that needed no write."""
        if link is None:
            return
        self.ctx.save_link(
            replace(
                link,
                perfex_fp=perfex_fingerprint(invoice),
                perfex_row_fp=perfex_row_fingerprint(invoice),
            )
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


def _provisional_link(invoice: PerfexInvoice, target: OnlyofficeTarget) -> Callable[[int], Link]:
    """The link stored the moment a create lands, before its status moves and read-back.
    No fingerprints yet: if the run stops here, the next one compares and finishes the job."""

    def build(target_id: int) -> Link:
        return Link("invoice", invoice.id, str(target_id), target.invoice.number)

    return build
