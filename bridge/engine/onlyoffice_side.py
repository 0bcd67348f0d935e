"""ONLYOFFICE as one side of the sync: its invoices listed and read, and Perfex invoices written.

Reading: `invoice/filter` pages of up to 1000 rows (ONLYOFFICE API notes 3.2); rows carry every
field but the lines, including the server's `cost`, which stands in for the lines in the row
fingerprint. A full read adds the lines (3.1).

Writing (a Perfex invoice carried into ONLYOFFICE): products, taxes and the customer's company
are found or created first (`OnlyofficeDirectory`); then
- create: a POST whose 201 answer holds the stored invoice (3.3), journalled as an intent
  first; a lost answer is settled by looking the number up, never by a second POST;
- update: ONLYOFFICE edits only Drafts and answers 404 for anything else (3.4), while most
  real invoices have been sent. By default the window's locked invoices are reopened together
  (Sent → Rejected → Draft through the allowed moves, 3.6), written, and their statuses then
  moved to what the mapping wants, again together: `PUT invoice/status/{status}` takes a list
  of ids, and its answer says where each invoice ended up (moves the server does not allow are
  ignored with a 200, so nothing is assumed). `[sync].locked_invoices = "report"` leaves them
  alone. The PUT replaces the whole invoice, so every field ONLYOFFICE owns is sent back as it
  is (`mappings.ownership`).
The answers to POST, PUT and the status moves carry what is stored, so no read-back is needed:
the link's fingerprints come from them. A status move that fails leaves a `failed` record
saying where the invoice was left, and the link pending, so the next run puts it right.

Must not: write to Perfex, or decide content (`mappings.to_onlyoffice` does).
"""

from __future__ import annotations

import functools
import itertools
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bridge.engine.context import RunContext
from bridge.engine.onlyoffice_directory import OnlyofficeDirectory, ResolvedContact
from bridge.engine.plan import Prepared, Step, Verdict
from bridge.engine.report_details import invoice_details
from bridge.engine.sides import (
    NUMBER_CHARS,
    PENDING,
    InvoiceFacts,
    InvoiceSide,
    Listed,
    Work,
    WriteReport,
    Written,
    each_alone,
    listed_alone,
    raw_id,
)
from bridge.engine.tax_evidence import history_of, run_evidence, with_written
from bridge.errors import (
    AnswerLost,
    CredentialsRejected,
    NumberInUse,
    RecordRejected,
    RemoteError,
    RetryableError,
    Unreachable,
)
from mappings.changes import onlyoffice_changes
from mappings.fingerprint import onlyoffice_fingerprint, onlyoffice_row_fingerprint
from mappings.line_diff import diff_line_views, onlyoffice_line_views
from mappings.onlyoffice import OnlyofficeInvoice, slim_invoice_row
from mappings.ownership import onlyoffice_update_body
from mappings.perfex import PerfexInvoice, TaxSpec
from mappings.problems import MappingError, MappingProblem, clipped
from mappings.status import DRAFT, PAID, SENT, OnlyofficeStatus, status_path
from mappings.tax_evidence import TaxEvidence
from mappings.taxes import learned_taxes
from mappings.to_onlyoffice import (
    OnlyofficeNeeds,
    OnlyofficeRefs,
    OnlyofficeTarget,
    onlyoffice_needs,
    perfex_to_onlyoffice,
)

ONLYOFFICE_OPEN_STATUSES = frozenset({OnlyofficeStatus.DRAFT, OnlyofficeStatus.SENT})
STATUS_BATCH = 100  # invoice ids per status move request
STATUS_NAMES = {int(status): status.name.title() for status in OnlyofficeStatus}


@dataclass
class OnlyofficePlan:
    """What preparing a write into ONLYOFFICE worked out."""

    needs: OnlyofficeNeeds
    target: OnlyofficeTarget | None  # None until every dependency exists
    current: OnlyofficeInvoice | None  # the full current invoice, or its list row
    current_status: int | None
    content_change: bool = True
    intent: int | None = None
    target_id: int | None = None
    stored: OnlyofficeInvoice | None = None  # what the POST or PUT answered
    reopened: bool = False
    final_row: OnlyofficeInvoice | None = None  # the last status move's answer for it


class OnlyofficeSide(InvoiceSide):
    system = "onlyoffice"

    def __init__(self, ctx: RunContext) -> None:
        super().__init__(ctx)
        self.mapping = ctx.settings.mapping
        self.directory = OnlyofficeDirectory(ctx)
        self._evidence: TaxEvidence | None = None
        self._known_currencies: frozenset[str] | None = None
        # List rows kept slim, the texts they repeat (terms, notes, dates) held once.
        self._slim = functools.partial(slim_invoice_row, share=sys.intern)
        self._lock = threading.Lock()

    # -- observing ------------------------------------------------------------------------

    def list_rows(self) -> list[Listed]:
        rows = enumerate(self.ctx.onlyoffice.iter_invoices())  # a page at a time, kept slim
        return listed_alone("onlyoffice", rows, self._listed)

    def _listed(self, raw: Any, index: int) -> Listed:
        number = str(raw.get("number")) if isinstance(raw, dict) and raw.get("number") else None
        keys = self._keys(number, raw.get("issueDate") if isinstance(raw, dict) else None)
        shown = clipped(number, NUMBER_CHARS) if number is not None else None
        record_id = raw_id(raw, index)
        return Listed("onlyoffice", record_id, shown, raw, self._parse_row, keys, self._slim)

    def _keys(self, number: str | None, issued: Any) -> tuple[str, ...]:
        """The number itself, and Perfex's key for it (its digits and the year issued: Perfex
        numbers are unique per year, API notes 2.5), read from the raw row."""
        if not number:
            return ()
        parsed = self.mapping.number_format.parse(number)
        year = str(issued)[:4] if isinstance(issued, str) else ""
        if parsed is None or not year.isdigit() or int(year) <= 1:  # .NET's empty year 1
            return (number,)
        return (number, f"{parsed.number}/{int(year)}")

    def _parse_row(self, raw: Any) -> tuple[OnlyofficeInvoice, str]:
        row = OnlyofficeInvoice.from_api(raw)
        return row, onlyoffice_row_fingerprint(row)

    def read(self, record_id: str) -> OnlyofficeInvoice:
        return OnlyofficeInvoice.from_api(self.ctx.onlyoffice.get_invoice(record_id))

    def fingerprint(self, doc: OnlyofficeInvoice) -> str:
        return onlyoffice_fingerprint(doc)

    def date_of(self, row: OnlyofficeInvoice) -> date:
        return row.issue_date

    def is_open(self, row: OnlyofficeInvoice) -> bool:
        return row.status in ONLYOFFICE_OPEN_STATUSES

    def skip_reason(self, row: OnlyofficeInvoice) -> str | None:
        return None

    def facts(self, row: OnlyofficeInvoice) -> InvoiceFacts:
        return InvoiceFacts(
            customer_id=str(row.contact_id) if row.contact_id is not None else None,
            customer_name=row.contact_name,
            year=row.issue_date.year,
            total=row.cost,
            currency=row.currency,
        )

    def natural_key(self, work: Work) -> str:
        plan = work.plan if isinstance(work.plan, OnlyofficePlan) else None
        if plan is not None and plan.target is not None:
            return plan.target.invoice.number
        listed = work.listed.get("onlyoffice")
        if listed is not None and listed.row is not None:
            return listed.row.number
        return work.number or ""

    # -- as the target of a write -----------------------------------------------------------

    def holds(self, source_doc: PerfexInvoice, target_doc: OnlyofficeInvoice) -> bool:
        needs = self._needs(source_doc, None)
        if isinstance(needs, MappingProblem):
            return False
        refs = self._existing_refs(needs)
        if refs is None:
            return False
        target = perfex_to_onlyoffice(source_doc, needs, refs, self.mapping)
        if isinstance(target, MappingProblem):
            return False
        target = self._keeping_payment(target_doc.status, target)
        return onlyoffice_fingerprint(target.invoice) == onlyoffice_fingerprint(target_doc)

    def expected(
        self, source_doc: PerfexInvoice, current: OnlyofficeInvoice | None
    ) -> OnlyofficeInvoice | MappingProblem:
        """The invoice ONLYOFFICE would hold for `source_doc` (for `crm-bridge audit`), looking
        only: a company, product or tax ONLYOFFICE does not have yet stands as a negative id."""
        needs = self._needs(source_doc, None)
        if isinstance(needs, MappingProblem):
            return needs
        missing = itertools.count(-1, -1)
        contact = self.directory.existing_contact(needs.clientid)
        items = {
            p.title: (self.directory.existing_item_ids((p,)) or {}).get(p.title, next(missing))
            for p in needs.products
        }
        taxes = {
            t: (self.directory.existing_tax_ids((t,)) or {}).get(t, next(missing))
            for t in needs.taxes
        }
        if contact is None:
            contact = ResolvedContact(next(missing), None)
        mapped = perfex_to_onlyoffice(source_doc, needs, _refs(contact, items, taxes), self.mapping)
        if isinstance(mapped, MappingProblem):
            return mapped
        status = current.status if current is not None else None
        plan = OnlyofficePlan(needs, None, current, status)
        return self._keeping_payment(plan.current_status, mapped).invoice

    def needs_current(self, work: Work) -> bool:
        """The full current invoice is needed only when what it holds is not known: a create
        needs none; an update of an invoice whose row is as the bridge last wrote it compares
        with the link's fingerprint instead of reading it."""
        decision = work.decision
        if decision is None or decision.step is Step.CREATE:
            return False
        link, listed = work.link, work.listed.get("onlyoffice")
        if link is None or listed is None or link.onlyoffice_fp in (None, PENDING):
            return True
        return link.onlyoffice_row_fp != listed.row_fp

    def prepare(self, work: Work) -> Prepared:
        source: PerfexInvoice = work.docs["perfex"]
        needs = self._needs(source, work.link.extra if work.link is not None else None)
        if isinstance(needs, MappingProblem):
            return _refusal(needs)
        unknown = self._unknown_currency(source)
        if unknown is not None:
            return unknown
        current = work.docs.get("onlyoffice") or work.row("onlyoffice")
        plan = OnlyofficePlan(needs, None, current, current.status if current else None)
        work.plan = plan
        refs = self._existing_refs(needs)
        if refs is None:
            # Something the invoice refers to does not exist on ONLYOFFICE yet: it differs.
            return self._locked(plan) or Prepared(Verdict.WRITE)
        mapped = perfex_to_onlyoffice(source, needs, refs, self.mapping)
        if isinstance(mapped, MappingProblem):
            return _refusal(mapped)
        plan.target = self._keeping_payment(plan.current_status, mapped)
        if current is None:
            return Prepared(Verdict.WRITE)
        plan.content_change = not self._content_same(work, plan.target)
        if not plan.content_change and plan.current_status == plan.target.status:
            return Prepared(Verdict.SAME)
        return self._deal_kept(plan) or self._locked(plan) or Prepared(Verdict.WRITE)

    def _deal_kept(self, plan: OnlyofficePlan) -> Prepared | None:
        """An invoice linked to a deal keeps the link (a person set it), and ONLYOFFICE accepts
        the link only while the invoice's contact is a member of the deal (API notes 3.3): a
        change of customer would have the write refused, so it is refused here, before any
        write, with what to do."""
        current, target = plan.current, plan.target
        if current is None or target is None or not current.entity_id:
            return None
        if current.contact_id in (None, target.invoice.contact_id):
            return None
        return Prepared(
            Verdict.REFUSED,
            f"customer: the invoice is linked to a deal in ONLYOFFICE (id {current.entity_id}) "
            "and its customer would change; add the new customer to the deal or remove the "
            "deal link in ONLYOFFICE, then sync again",
            "deal",
        )

    def _unknown_currency(self, source: PerfexInvoice) -> Prepared | None:
        """ONLYOFFICE refuses an invoice in a currency it does not know (3.3 step 4): say so
        before anything is created for the invoice."""
        code = source.currency_code
        known = self._currencies()
        if code is None or not known or code.upper() in known:
            return None
        return Prepared(
            Verdict.REFUSED,
            f"currency: {code} is not set up in ONLYOFFICE (CRM settings, currencies)",
            "currency",
        )

    def _currencies(self) -> frozenset[str]:
        """The currency codes ONLYOFFICE knows, read once per run (empty when unreadable)."""
        with self._lock:
            if self._known_currencies is None:
                try:
                    rows = self.ctx.onlyoffice.currencies()
                except RemoteError as error:
                    if isinstance(error, CredentialsRejected | Unreachable):
                        raise
                    self.ctx.journal.note(f"ONLYOFFICE's currency list was not available ({error})")
                    rows = []
                self._known_currencies = frozenset(
                    str(row.get("abbreviation", "")).upper()
                    for row in rows
                    if isinstance(row, dict) and row.get("abbreviation")
                )
            return self._known_currencies

    def _needs(
        self, source: PerfexInvoice, facts: Mapping[str, Any] | None
    ) -> OnlyofficeNeeds | MappingProblem:
        """What the invoice needs, with every piece of line-tax evidence: the run's, and what
        the bridge wrote on this invoice's lines (a fact on its link)."""
        evidence = with_written(self._run_evidence(), facts)
        return onlyoffice_needs(source, self.mapping, evidence)

    def _run_evidence(self) -> TaxEvidence:
        with self._lock:  # read once per run, whichever worker needs it first
            if self._evidence is None:
                self._evidence = run_evidence(self.ctx)
            return self._evidence

    def _existing_refs(self, needs: OnlyofficeNeeds) -> OnlyofficeRefs | None:
        contact = self.directory.existing_contact(needs.clientid)
        items = self.directory.existing_item_ids(needs.products)
        taxes = self.directory.existing_tax_ids(needs.taxes)
        if contact is None or items is None or taxes is None:
            return None
        return _refs(contact, items, taxes)

    def _content_same(self, work: Work, target: OnlyofficeTarget) -> bool:
        """Everything but the status, compared with the full invoice when it was read, else
        with the fingerprint of what the bridge last wrote (its row has not moved since)."""
        wanted = onlyoffice_fingerprint(replace(target.invoice, status=DRAFT))
        doc = work.docs.get("onlyoffice")
        if doc is not None:
            return wanted == onlyoffice_fingerprint(replace(doc, status=DRAFT))
        link = work.link
        if link is None or link.onlyoffice_fp is None:
            return False
        row = work.row("onlyoffice")
        status = row.status if row is not None else DRAFT
        return onlyoffice_fingerprint(replace(target.invoice, status=status)) == link.onlyoffice_fp

    def _keeping_payment(self, current: int | None, target: OnlyofficeTarget) -> OnlyofficeTarget:
        """In two-way sync a payment recorded in ONLYOFFICE is news Perfex cannot carry: Perfex
        marks an invoice paid only from its own payments (Perfex API notes 3.2). Its "unpaid"
        therefore never takes an ONLYOFFICE Paid invoice back to Sent."""
        both = self.ctx.journal.direction == "both"
        if not both or current != PAID or target.status != SENT:
            return target
        return replace(target, status=PAID, invoice=replace(target.invoice, status=PAID))

    def _locked(self, plan: OnlyofficePlan) -> Prepared | None:
        status = plan.current_status
        if not plan.content_change or status is None or status == DRAFT:
            return None
        if self.ctx.settings.locked_invoices != "report":
            return None
        return Prepared(
            Verdict.DECLINED,
            f"the invoice is {STATUS_NAMES.get(status, status)} in ONLYOFFICE, which only edits "
            'Drafts; set [sync].locked_invoices = "reopen" to let the bridge reopen it',
            "locked",
        )

    def resolve(self, work: Work) -> None:
        plan: OnlyofficePlan = work.plan
        if plan.target is not None:
            return
        needs = plan.needs
        contact = self.directory.contact_for(needs.clientid)
        refs = _refs(
            contact, self.directory.item_ids(needs.products), self.directory.tax_ids(needs.taxes)
        )
        mapped = perfex_to_onlyoffice(work.docs["perfex"], needs, refs, self.mapping)
        if isinstance(mapped, MappingProblem):  # the same checks passed a moment ago
            raise MappingError(mapped.field, mapped.message)
        plan.target = self._keeping_payment(plan.current_status, mapped)

    def before_writes(self, works: Sequence[Work]) -> None:
        """Reopens, together, the locked invoices whose content changes."""
        locked = [
            work
            for work in works
            if work.plan.current is not None
            and work.plan.content_change
            and work.plan.current_status not in (None, DRAFT)
        ]
        if not locked or self.ctx.dry_run:
            return
        for work in locked:
            self._mark_pending(work)
        moves = {int(work.plan.current.id): (work.plan.current_status, DRAFT) for work in locked}
        reached = self._move(moves)
        for work in locked:
            target_id = int(work.plan.current.id)
            if reached.get(target_id, (None, None))[0] == DRAFT:
                work.plan.reopened = True
            else:
                work.error = RecordRejected(
                    f"ONLYOFFICE did not reopen invoice {work.number} for editing (only Drafts "
                    f"can be edited): left {self._status_name(reached, target_id, work)}"
                    f"{self._was(work)}",
                    system="onlyoffice",
                )

    def write(self, work: Work) -> None:
        plan: OnlyofficePlan = work.plan
        assert plan.target is not None
        if work.error is not None:
            raise work.error
        if self.ctx.dry_run:
            plan.target_id = int(plan.current.id) if plan.current else self.ctx.placeholder_id()
            return
        if plan.current is None:
            plan.target_id, plan.stored = self._create(work, plan.target)
            return
        plan.target_id = int(plan.current.id)
        if plan.content_change:
            body = onlyoffice_update_body(
                plan.target.update_payload, plan.current, self._delivery_address(plan)
            )
            answer = self.ctx.onlyoffice.update_invoice(plan.target_id, body)
            plan.stored = OnlyofficeInvoice.from_api(answer)

    def after_writes(self, works: Sequence[Work]) -> None:
        """Moves every written invoice to the status the mapping wants, together; reopened
        invoices whose write did not happen go back to where they were."""
        live = [work for work in works if work.plan.target_id is not None and work.error is None]
        if not self.ctx.dry_run:
            moves = {
                int(w.plan.target_id): (self._status_now(w), w.plan.target.status) for w in live
            }
            restores = {
                int(work.plan.current.id): (DRAFT, work.plan.current_status)
                for work in works
                if work.plan.reopened and (work.error is not None or work.plan.target_id is None)
            }
            reached = self._move({**moves, **restores})
            for work in live:
                target_id = int(work.plan.target_id)
                status, row = reached.get(target_id, (None, None))
                if status != work.plan.target.status:
                    work.error = RecordRejected(
                        f"ONLYOFFICE did not move invoice {work.number} to "
                        f"{STATUS_NAMES.get(work.plan.target.status)}: left "
                        f"{self._status_name(reached, target_id, work)}{self._was(work)}",
                        system="onlyoffice",
                    )
                    continue
                work.plan.final_row = row
        each_alone(live, self._record_written)
        self._learn([work for work in live if work.written is not None])

    def _record_written(self, work: Work) -> None:
        work.written = self._written(work.plan)

    def _learn(self, works: Sequence[Work]) -> None:
        """Line taxes an inference settled for certain become evidence for later invoices."""
        learned: dict[str, tuple[TaxSpec, ...]] = {}
        for work in works:
            inference = work.plan.needs.inference
            if inference is not None:
                learned.update(learned_taxes(work.docs["perfex"], inference))
        self.ctx.remember_line_taxes(history_of(learned))

    def report(self, work: Work) -> WriteReport:
        plan: OnlyofficePlan = work.plan
        after = work.written.after if work.written else plan.target.invoice
        before = work.docs.get("onlyoffice") or plan.current
        names = self._names(work, after)
        lines: list = []
        if before is not None and after.lines is not None:
            old = (
                onlyoffice_line_views(before.lines, names)
                if before.lines is not None
                else work.link.fact("onlyoffice_lines")
                if work.link is not None
                else None
            )
            if old is not None:
                lines = diff_line_views(old, onlyoffice_line_views(after.lines, names))
        return WriteReport(
            changes=onlyoffice_changes(before, after),
            warnings=tuple(str(w) for w in plan.target.warnings),
            details=invoice_details(
                customer=names["contactId"].get(str(after.contact_id)),
                currency=after.currency,
                before_total=before.cost if before is not None else None,
                after_total=after.cost,
                shape="onlyoffice invoice",
                lines=lines,
                names=names,
            ),
        )

    def _names(self, work: Work, after: OnlyofficeInvoice) -> dict[str, dict[str, str]]:
        names = self.directory.names()
        row = work.row("onlyoffice")
        contact = after.contact_name or (row.contact_name if row is not None else "")
        if not contact and work.docs.get("perfex") is not None:
            clientid = work.docs["perfex"].clientid
            contact = self.directory.known_customer_name(clientid)
        names["contactId"] = {str(after.contact_id): contact} if contact else {}
        return names

    # -- writing ----------------------------------------------------------------------------

    def _create(self, work: Work, target: OnlyofficeTarget) -> tuple[int, OnlyofficeInvoice]:
        number = target.invoice.number
        source_id = work.record_id("perfex") or "?"
        work.plan.intent = self.ctx.open_intent(
            "invoice", "onlyoffice", number, "perfex", source_id
        )
        for attempt in (1, 2):
            try:
                stored = OnlyofficeInvoice.from_api(
                    self.ctx.onlyoffice.create_invoice(target.create_payload)
                )
                assert stored.id is not None
                return stored.id, stored
            except AnswerLost:
                # The POST may have been applied. Look before trying again (DESIGN: creates).
                found = self.ctx.onlyoffice.invoice_by_number(number)
                if found is not None:
                    # `bynumber` leaves the lines out (3.9): read the invoice in full.
                    stored = self.read(str(found["id"]))
                    return int(found["id"]), stored
                if attempt == 2:
                    raise
            except RecordRejected as error:
                # A duplicate number is a bare "Value does not fall within the expected range"
                # among other causes (3.3 step 6): ask the server which it was.
                if self.ctx.onlyoffice.invoice_number_exists(number):
                    raise NumberInUse(
                        f"invoice number {number} is already used in ONLYOFFICE by an invoice "
                        "the ledger does not link",
                        system="onlyoffice",
                        status=error.status,
                    ) from error
                raise
        raise AssertionError("unreachable")

    def _delivery_address(self, plan: OnlyofficePlan) -> int | None:
        """The delivery address belongs to the consignee and is readable only from the print
        data (3.8): read it only when there is a consignee."""
        current = plan.current
        if current is None or not current.consignee_id or current.id is None:
            return None
        value = self.ctx.onlyoffice.print_data(current.id).get("DeliveryAddressID")
        return int(value) if isinstance(value, int) and value > 0 else None

    def _mark_pending(self, work: Work) -> None:
        if work.link is not None:
            self.ctx.save_link(replace(work.link, onlyoffice_fp=PENDING))

    def _status_now(self, work: Work) -> int:
        plan: OnlyofficePlan = work.plan
        if plan.current is None or plan.reopened:
            return DRAFT
        return plan.current_status if plan.current_status is not None else DRAFT

    def _move(self, moves: dict[int, tuple[int, int]]) -> dict[int, tuple[int, Any]]:
        """Moves invoices (id → (from, to)) through the allowed transitions, every invoice
        taking the same step together; returns id → (the status it reached, its answer row)."""
        reached: dict[int, tuple[int, Any]] = {i: (start, None) for i, (start, _) in moves.items()}
        paths: dict[int, list[int]] = {}
        for target_id, (start, wanted) in moves.items():
            try:
                paths[target_id] = list(status_path(start, wanted))
            except MappingError:
                paths[target_id] = []  # cannot be reached: left where it is, reported by caller
        while any(paths.values()):
            steps: dict[int, list[int]] = {}
            for target_id, path in paths.items():
                if path:
                    steps.setdefault(path[0], []).append(target_id)
            for status, ids in steps.items():
                moved = self._move_batch(ids, status)
                for target_id in ids:
                    if target_id in moved:
                        reached[target_id] = (status, moved[target_id])
                        paths[target_id].pop(0)
                    else:
                        paths[target_id] = []  # stuck: stays where it was
        return reached

    def _move_batch(self, ids: list[int], status: int) -> dict[int, Any]:
        """One status move for many invoices; the ones the answer does not confirm are tried
        alone, so one refused id never holds the others back."""
        moved: dict[int, Any] = {}
        for start in range(0, len(ids), STATUS_BATCH):
            chunk = ids[start : start + STATUS_BATCH]
            moved.update(self._confirmed(self._try_move(chunk, status), status))
        for target_id in (i for i in ids if i not in moved and len(ids) > 1):
            moved.update(self._confirmed(self._try_move([target_id], status), status))
        return moved

    def _try_move(self, ids: list[int], status: int) -> Any:
        """A move's answer; a refused or unanswered move confirms nothing (the invoices are
        then tried one by one, and what is still unconfirmed is reported)."""
        try:
            return self.ctx.onlyoffice.set_invoice_status(ids, status)
        except (RecordRejected, RetryableError):
            return {}

    def _confirmed(self, answer: Any, status: int) -> dict[int, Any]:
        rows = answer.get("key", []) if isinstance(answer, dict) else []
        confirmed: dict[int, Any] = {}
        for raw in rows:
            try:
                row = OnlyofficeInvoice.from_api(raw)
            except MappingError:
                continue
            if row.id is not None and row.status == status:
                confirmed[row.id] = row
        return confirmed

    def _status_name(self, reached: dict[int, tuple[int, Any]], target_id: int, work: Work) -> str:
        status = reached.get(target_id, (work.plan.current_status, None))[0]
        return f"as {STATUS_NAMES.get(status, status)}" if status is not None else "unchanged"

    def _was(self, work: Work) -> str:
        """What the invoice was before the bridge touched it, when that is worth saying."""
        status = work.plan.current_status
        if status is None:
            return ""
        return f"; was {STATUS_NAMES.get(status, status)}"

    # -- the result -------------------------------------------------------------------------

    def _written(self, plan: OnlyofficePlan) -> Written:
        assert plan.target is not None and plan.target_id is not None
        status = plan.target.status
        content = plan.stored or _known_content(plan)
        after = replace(content, id=plan.target_id, status=status)
        row = plan.final_row
        if row is None and after.cost is not None:
            row = after
        lines = onlyoffice_line_views(after.lines, self.directory.names()) if after.lines else None
        return Written(
            target_id=str(plan.target_id),
            after=after,
            row_fp=onlyoffice_row_fingerprint(row) if row is not None else None,
            fingerprint=onlyoffice_fingerprint(after) if after.lines is not None else None,
            facts={"onlyoffice_lines": lines},
        )


def _known_content(plan: OnlyofficePlan) -> OnlyofficeInvoice:
    """What the invoice holds when nothing was PUT (a status move only): what was compared."""
    assert plan.target is not None
    current = plan.current
    cost = current.cost if current is not None else None
    return replace(plan.target.invoice, cost=cost)


def _refs(
    contact: ResolvedContact, items: dict[str, int], taxes: dict[TaxSpec, int]
) -> OnlyofficeRefs:
    return OnlyofficeRefs(
        contact_id=contact.contact_id,
        billing_address_id=contact.billing_address_id,
        item_ids=items,
        tax_ids=taxes,
    )


def _refusal(problem: MappingProblem) -> Prepared:
    verdict = Verdict.DECLINED if problem.skip else Verdict.REFUSED
    code = {"total": "money", "currency": "currency", "status": "status", "total_tax": "taxes"}
    return Prepared(verdict, str(problem), code.get(problem.field, "refused"))
