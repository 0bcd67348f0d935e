"""Mirrors one ONLYOFFICE invoice into Perfex: map, resolve its customer, write, record.

The pass (`to_perfex`, or the two-way pass) decides *that* an invoice needs work; the mirror
does it: it maps the full ONLYOFFICE invoice (against the current Perfex invoice when there is
one: the replace-all update needs its line ids, and Perfex-only fields are kept), writes
through `PerfexInvoiceWriter` only where Perfex does not hold that content yet, checks the
read-back against what was meant, stores the link with both fingerprints, and records the
outcome.

Must not: write to ONLYOFFICE, or fake a payment: Perfex's paid states come from payments, and
the mapping says so in a warning rather than posting them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bridge.engine.context import RunContext
from bridge.engine.outcomes import invoice_outcome
from bridge.engine.perfex_directory import PerfexDirectory, ResolvedCustomer
from bridge.engine.perfex_writer import (
    PerfexInvoiceWriter,
    PerfexNumber,
    PerfexWritten,
    holds,
    settled,
)
from bridge.engine.plan import Step
from bridge.errors import NumberInUse
from mappings.changes import perfex_changes
from mappings.fingerprint import (
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.perfex import PerfexInvoice
from mappings.problems import MappingProblem
from mappings.to_perfex import (
    PerfexRefs,
    PerfexTarget,
    onlyoffice_to_perfex,
    perfex_needs,
)
from state import Link
from state.records import Outcome


class PerfexMirror:
    def __init__(self, ctx: RunContext, *, numbers: Mapping[PerfexNumber, str]) -> None:
        self.ctx = ctx
        self.mapping = ctx.settings.mapping
        self.numbers = numbers  # Perfex natural key -> invoice id, as listed this run
        self.directory = PerfexDirectory(ctx)
        self.writer = PerfexInvoiceWriter(ctx)

    def key_of(self, invoice: OnlyofficeInvoice) -> PerfexNumber | None:
        """The Perfex number this ONLYOFFICE invoice becomes, parsed as the mapping parses it."""
        parsed = self.mapping.number_format.parse(invoice.number)
        return None if parsed is None else PerfexNumber(parsed.number, invoice.issue_date.year)

    def apply(
        self,
        invoice: OnlyofficeInvoice,
        link: Link | None,
        step: Step,
        current: PerfexInvoice | None = None,
    ) -> None:
        """Carries out `step` (create, link or update) for one full ONLYOFFICE invoice.

        `current` is the Perfex counterpart as already read this run, if it was; for a link it
        names the invoice to adopt.
        """
        source_fp = onlyoffice_fingerprint(invoice)
        target_id = self._target_id(invoice, link, step, current)
        if target_id is not None and current is None:
            current = self.writer.read(target_id)
        target = self._map(invoice, current, self.directory.customer_for)
        if isinstance(target, MappingProblem):
            self._report_problem(invoice, link, target)
            return
        written, action = self._write(step, invoice, target_id, target, current)
        self._finish(invoice, source_fp, target, written, action)

    def agrees(self, invoice: OnlyofficeInvoice, current: PerfexInvoice) -> bool:
        """Whether Perfex already says what this ONLYOFFICE invoice says. Only looks: no
        customer is linked or created to find out."""
        target = self._map(invoice, current, self.directory.existing_customer)
        return isinstance(target, PerfexTarget) and holds(current, target.invoice)

    def remember(self, link: Link | None, invoice: OnlyofficeInvoice) -> None:
        """Stores the new ONLYOFFICE fingerprints of an invoice that needed no write."""
        if link is None:
            return
        self.ctx.save_link(
            replace(
                link,
                onlyoffice_fp=onlyoffice_fingerprint(invoice),
                onlyoffice_row_fp=onlyoffice_row_fingerprint(invoice),
            )
        )

    # -- deciding what to write -------------------------------------------------------------

    def _target_id(
        self,
        invoice: OnlyofficeInvoice,
        link: Link | None,
        step: Step,
        current: PerfexInvoice | None,
    ) -> str | None:
        """The Perfex invoice to write: none for a create, the one to adopt, or the linked one."""
        if step is Step.CREATE:
            self._refuse_used_number(invoice)
            return None
        if step is Step.LINK:
            return self._adoptable(invoice, current)
        assert link is not None, "an update is always of a linked invoice"
        return link.perfex_id

    def _refuse_used_number(self, invoice: OnlyofficeInvoice) -> None:
        key = self.key_of(invoice)
        if key is not None and key in self.numbers:
            raise self._taken(invoice, key, self.numbers[key])

    def _adoptable(self, invoice: OnlyofficeInvoice, current: PerfexInvoice | None) -> str:
        """The counterpart with this number (or the one named by `current`), unless it already
        mirrors another ONLYOFFICE invoice."""
        key = self.key_of(invoice)
        listed = self.numbers.get(key) if key is not None else None
        target_id = current.id if current is not None else listed
        assert target_id is not None, "a link is decided only when the number is listed"
        other = self.ctx.link_for("invoice", "perfex", target_id)
        if other is not None and other.onlyoffice_id != str(invoice.id):
            raise self._taken(invoice, key, target_id)
        return target_id

    def _taken(
        self, invoice: OnlyofficeInvoice, key: PerfexNumber | None, perfex_id: str
    ) -> Exception:
        """Adopting or duplicating a Perfex number already in use would merge two invoices
        into one, or be refused by Perfex: report the collision instead."""
        other = self.ctx.link_for("invoice", "perfex", perfex_id)
        mirrors = f", which mirrors ONLYOFFICE invoice {other.natural_key}" if other else ""
        year = f" in {key.year}" if key else ""
        return NumberInUse(
            f"invoice number {invoice.number} is already used in Perfex{year} by invoice "
            f"{perfex_id}{mirrors}; give one of them another number",
            system="perfex",
        )

    def _map(
        self,
        invoice: OnlyofficeInvoice,
        current: PerfexInvoice | None,
        customer_of: Callable[[int], ResolvedCustomer | None],
    ) -> PerfexTarget | MappingProblem:
        lines = invoice.lines or ()
        tax_ids = {tax for line in lines for tax in (line.tax1_id, line.tax2_id) if tax > 0}
        unnamed = {line.item_id for line in lines if not line.description.strip()}
        taxes = self.directory.taxes(tax_ids)
        items = self.directory.items(unnamed) if unnamed else {}
        needs = perfex_needs(invoice, taxes, items)
        if isinstance(needs, MappingProblem):
            return needs
        customer = customer_of(needs.contact_id)
        if customer is None:
            return MappingProblem("contactId", "the contact has no Perfex customer yet")
        refs = PerfexRefs(clientid=customer.clientid, billing=customer.billing)
        target = onlyoffice_to_perfex(invoice, needs, refs, self.mapping, current)
        return target

    # -- writing and recording --------------------------------------------------------------

    def _write(
        self,
        step: Step,
        invoice: OnlyofficeInvoice,
        target_id: str | None,
        target: PerfexTarget,
        current: PerfexInvoice | None,
    ) -> tuple[PerfexWritten, str]:
        if step is Step.CREATE:
            written = self.writer.create(
                target, str(invoice.id), invoice.number, self._provisional_link(invoice)
            )
            return written, "created"
        assert target_id is not None and current is not None
        written = self.writer.update(target_id, target, current, invoice.number)
        if step is Step.LINK:
            return written, "updated" if written.wrote else "linked"
        return written, "updated" if written.wrote else "unchanged"

    def _provisional_link(self, invoice: OnlyofficeInvoice) -> Callable[[str, int | None], None]:
        """The link stored the moment a create lands, before its follow-up write and read-back.
        No fingerprints yet: if the run stops here, the next one compares and finishes the job."""

        def save(target_id: str, intent: int | None) -> None:
            link = Link("invoice", target_id, str(invoice.id), invoice.number)
            self.ctx.save_link(link, intent)

        return save

    def _finish(
        self,
        invoice: OnlyofficeInvoice,
        source_fp: str,
        target: PerfexTarget,
        written: PerfexWritten,
        action: str,
    ) -> None:
        stored_as_meant = holds(written.after, target.invoice)
        self.ctx.save_link(
            Link(
                "invoice",
                written.target_id,
                str(invoice.id),
                invoice.number,
                perfex_fp=perfex_fingerprint(written.after),
                # A read-back that differs from what was meant keeps the source fingerprint
                # unset, so the next run compares again instead of calling it unchanged.
                onlyoffice_fp=source_fp if stored_as_meant else None,
                perfex_row_fp=perfex_row_fingerprint(written.after),
                onlyoffice_row_fp=onlyoffice_row_fingerprint(invoice),
            )
        )
        changes = perfex_changes(written.before, written.after)
        if not stored_as_meant:
            differing = perfex_changes(settled(target.invoice, written.after), written.after)
            error = "Perfex stored the invoice differently from what was sent: " + ", ".join(
                sorted(differing)
            )
            self.ctx.record(self._outcome(invoice, written.target_id, "failed", changes, error))
            return
        if action == "unchanged":
            self.ctx.journal.count_unchanged()
            return
        warning = "; ".join(target.warnings) or None
        self.ctx.record(self._outcome(invoice, written.target_id, action, changes, warning))

    def _report_problem(
        self, invoice: OnlyofficeInvoice, link: Link | None, problem: MappingProblem
    ) -> None:
        action = "skipped" if problem.skip else "failed"
        target_id = link.perfex_id if link else None
        self.ctx.record(self._outcome(invoice, target_id, action, None, str(problem)))

    def _outcome(
        self,
        invoice: OnlyofficeInvoice,
        target_id: str | None,
        action: str,
        changes: dict | None,
        error: str | None,
    ) -> Outcome:
        return invoice_outcome(
            str(invoice.id),
            target_id,
            invoice.number,
            action,
            changes=changes,
            error=error,
            source="onlyoffice",
            target="perfex",
        )
