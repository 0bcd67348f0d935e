"""Writes one mapped invoice to ONLYOFFICE: create or update, the status dance, the read-back.

ONLYOFFICE accepts a PUT only on Drafts and answers 404 for anything else (contract §3.4), while
most real invoices have been sent. By default the writer reopens such an invoice through the
allowed transitions (Sent → Rejected → Draft, contract §3.6), writes it and restores its status;
with `locked_invoices = "report"` it leaves it alone and says so. Status moves that the server
silently ignores are detected from its reply rather than trusted.

Every write ends with a GET of the invoice: the read-back is what the ledger fingerprints, so the
next poll recognises the bridge's own write even where the server rewrote something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bridge.engine.context import RunContext
from bridge.errors import AnswerLost, NumberInUse, RecordRejected
from mappings.fingerprint import onlyoffice_fingerprint
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.status import DRAFT, PAID, SENT, status_path
from mappings.to_onlyoffice import OnlyofficeTarget


class InvoiceLocked(RecordRejected):
    """The invoice is not a Draft and the policy forbids reopening it."""


@dataclass(frozen=True)
class Written:
    target_id: int
    before: OnlyofficeInvoice | None  # None for a create
    after: OnlyofficeInvoice  # the read-back (or, in a dry run, the intended state)
    wrote: bool
    meant: OnlyofficeInvoice  # what the write aimed at; the read-back should equal it


def content_fingerprint(invoice: OnlyofficeInvoice) -> str:
    """The fingerprint of everything but the status: what a PUT changes."""
    return onlyoffice_fingerprint(replace(invoice, status=DRAFT))


class OnlyofficeInvoiceWriter:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.client = ctx.onlyoffice

    def create(
        self,
        target: OnlyofficeTarget,
        source_id: str,
        on_created: Callable[[int, int | None], None],
    ) -> Written:
        """Creates the invoice. `on_created(target_id, intent)` runs as soon as the POST is
        known to have landed, so the caller can link it before the status moves that follow
        (a failure after that point must not leave an unlinked invoice behind)."""
        number = target.invoice.number
        if self.ctx.dry_run:
            return Written(self.ctx.placeholder_id(), None, target.invoice, True, target.invoice)
        intent = self.ctx.open_intent("invoice", "onlyoffice", number, "perfex", source_id)
        target_id = self._post(target)
        on_created(target_id, intent)
        self._move_status(target_id, DRAFT, target.status)
        return Written(target_id, None, self.read(target_id), True, target.invoice)

    def _post(self, target: OnlyofficeTarget) -> int:
        number = target.invoice.number
        for attempt in (1, 2):
            try:
                return int(self.client.create_invoice(target.create_payload)["id"])
            except AnswerLost:
                # The POST may have been applied. Look before trying again (DESIGN.md).
                found = self.client.invoice_by_number(number)
                if found is not None:
                    return int(found["id"])
                if attempt == 2:
                    raise
            except RecordRejected as error:
                # A duplicate number is a bare "Value does not fall within the expected range"
                # among other causes (contract §3.3 step 6): ask the server which it was.
                if self.client.invoice_number_exists(number):
                    raise NumberInUse(
                        f"invoice number {number} is already used in ONLYOFFICE by an invoice "
                        "the ledger does not link",
                        system="onlyoffice",
                        status=error.status,
                    ) from error
                raise
        raise AssertionError("unreachable")

    def update(self, target_id: int, target: OnlyofficeTarget) -> Written:
        current = self.read(target_id)
        target = self._keeping_payment(current, target)
        meant = target.invoice
        content_same = content_fingerprint(current) == content_fingerprint(meant)
        if content_same and current.status == target.status:
            return Written(target_id, current, current, False, meant)
        if self.ctx.dry_run:
            return Written(target_id, current, meant, True, meant)
        status = current.status
        if not content_same:
            status = self._rewrite(target_id, current, target)
        self._move_status(target_id, status, target.status)
        return Written(target_id, current, self.read(target_id), True, meant)

    def _keeping_payment(
        self, current: OnlyofficeInvoice, target: OnlyofficeTarget
    ) -> OnlyofficeTarget:
        """In two-way sync a payment recorded in ONLYOFFICE is news Perfex cannot carry: Perfex
        marks an invoice paid only from its own recorded payments (contract 3.2). Its
        "unpaid" therefore never takes an ONLYOFFICE Paid invoice back to Sent."""
        both = self.ctx.journal.direction == "both"
        if not both or current.status != PAID or target.status != SENT:
            return target
        return replace(target, status=PAID, invoice=replace(target.invoice, status=PAID))

    def _rewrite(self, target_id: int, current: OnlyofficeInvoice, target: OnlyofficeTarget) -> int:
        """PUTs the new content, reopening a non-Draft first. Returns the status it leaves."""
        if current.status != DRAFT and self.ctx.settings.locked_invoices == "report":
            raise InvoiceLocked(
                f"invoice {current.number} is not a Draft in ONLYOFFICE, which only edits "
                'Drafts; set [sync].locked_invoices = "reopen" to let the bridge reopen it',
                system="onlyoffice",
            )
        self._move_status(target_id, current.status, DRAFT)
        try:
            self.client.update_invoice(target_id, target.update_payload)
        except Exception:
            # Put the invoice back where it was before reporting the failure.
            self._restore(target_id, current.status)
            raise
        return DRAFT

    def _restore(self, target_id: int, status: int) -> None:
        try:
            self._move_status(target_id, DRAFT, status)
        except Exception:  # the original failure is the one worth reporting
            pass

    def _move_status(self, target_id: int, current: int, wanted: int) -> None:
        for step in status_path(current, wanted):
            reply = self.client.set_invoice_status([target_id], step)
            moved = [row for row in reply.get("key", []) if int(row["id"]) == target_id]
            if not moved or int(moved[0]["status"]["id"]) != step:
                # Disallowed moves are ignored with a 200 (contract §3.6): never assume success.
                raise RecordRejected(
                    f"ONLYOFFICE did not move invoice {target_id} to status {step}",
                    system="onlyoffice",
                )

    def read(self, target_id: int) -> OnlyofficeInvoice:
        return OnlyofficeInvoice.from_api(self.client.get_invoice(target_id))
