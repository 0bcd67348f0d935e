"""Perfex as one side of the sync: its invoices listed and read, and ONLYOFFICE invoices written.

Reading: one `GET /api/invoices` lists every invoice (Perfex API notes 2.2; pages on module
3.x), each row parsed on its own; a full read adds the lines (2.3). Line taxes are never
returned (3.3): the ONLYOFFICE side infers them when it maps a Perfex invoice.

Writing (an ONLYOFFICE invoice carried into Perfex):
- create: the form-encoded POST of 2.5, journalled as an intent first. Module 3.x answers with
  `record_id`; module 2.x answers without the new id, so after a window's creates one listing
  finds them all by number, year and customer. A lost answer is settled by a search, never by
  a blind second POST. A draft is posted as unpaid (Perfex forces a placeholder number on draft
  creates, 2.5 step 5) and made a draft by a follow-up PUT, which also sets a prefix that
  differs from Perfex's option;
- update: one JSON PUT of the full header with the replace-all line pattern (2.6), every owned
  field sent back as it is (`mappings.ownership`). A replace-all PUT applied twice appends the
  lines twice, so it is never repeated blindly: an uncertain answer is settled by reading the
  invoice back and replacing its lines once more if needed. Perfex answers "Invoice Update
  Fail" when nothing changed (5.1): that is success.
The answers carry no invoice, so the link's fingerprint is that of the content sent (with the
tax Perfex computes itself, 5.3); a row that differs at the next listing is read and compared.

Must not: write to ONLYOFFICE, fake a payment (Perfex's paid states come from payments), or
decide content (`mappings.to_perfex` does).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from bridge.engine.context import RunContext
from bridge.engine.perfex_directory import PerfexDirectory, ResolvedCustomer
from bridge.engine.plan import Prepared, Step, Verdict
from bridge.engine.report_details import invoice_details
from bridge.engine.sides import (
    NUMBER_CHARS,
    InvoiceFacts,
    InvoiceSide,
    Listed,
    Work,
    WriteReport,
    Written,
    consuming,
    each_alone,
    listed_alone,
    raw_id,
)
from bridge.engine.tax_evidence import WRITTEN_FACT, history_of, written_fact
from bridge.errors import (
    AnswerLost,
    CredentialsRejected,
    NumberInUse,
    RemoteError,
    RetryableError,
    Unreachable,
)
from mappings.changes import perfex_changes
from mappings.fingerprint import perfex_fingerprint, perfex_row_fingerprint
from mappings.line_diff import diff_line_views, perfex_line_views
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.ownership import perfex_update_body_keeping
from mappings.perfex import PERFEX_DRAFT_NUMBER, PerfexInvoice, slim_invoice_row
from mappings.problems import MappingError, MappingProblem, clipped
from mappings.raw import RawRecord
from mappings.status import PerfexStatus
from mappings.tax_evidence import description_key
from mappings.to_perfex import (
    PerfexRefs,
    PerfexTarget,
    onlyoffice_to_perfex,
    perfex_needs,
    perfex_update_body,
)

MAX_REWRITES = 3
T = TypeVar("T")
PERFEX_OPEN_STATUSES = frozenset(
    {PerfexStatus.UNPAID, PerfexStatus.PARTIALLY_PAID, PerfexStatus.OVERDUE, PerfexStatus.DRAFT}
)
# Among these Perfex sets the status itself, from payments and the due date (3.2).
PERFEX_DERIVED_STATUSES = frozenset(
    {PerfexStatus.UNPAID, PerfexStatus.PAID, PerfexStatus.PARTIALLY_PAID, PerfexStatus.OVERDUE}
)
PLACEHOLDER_REASON = (
    "Perfex draft: its number is a placeholder until it is sent, and ONLYOFFICE numbers "
    "cannot change later"
)
DRAFTS_SKIPPED_REASON = 'Perfex draft, and [sync].perfex_drafts = "skip"'
UNKNOWN_CUSTOMER = "0"  # stands in for a customer not created yet while a write is checked


@dataclass(frozen=True, order=True)
class PerfexNumber:
    """Perfex's natural key of an invoice: its integer number, unique per calendar year of its
    date, drafts included (2.5)."""

    number: int
    year: int

    @classmethod
    def of(cls, invoice: PerfexInvoice) -> PerfexNumber:
        return cls(invoice.number, invoice.date.year)

    def intent_key(self, clientid: str) -> str:
        """How a create intent names the invoice it creates: "42/2025/7"."""
        return f"{self.number}/{self.year}/{clientid}"

    @classmethod
    def from_intent_key(cls, text: str) -> tuple[PerfexNumber, str] | None:
        parts = text.split("/")
        if len(parts) != 3 or not all(part.isdigit() for part in parts[:2]):
            return None
        return cls(int(parts[0]), int(parts[1])), parts[2]


@dataclass
class PerfexPlan:
    """What preparing a write into Perfex worked out."""

    contact_id: int
    customer: ResolvedCustomer | None
    target: PerfexTarget
    current: PerfexInvoice | None
    intent: int | None = None
    target_id: str | None = None
    listed_row: PerfexInvoice | None = None  # the new invoice's row, when one was listed
    facts: dict[str, Any] = field(default_factory=dict)


def settled(desired: PerfexInvoice, stored: PerfexInvoice | None) -> PerfexInvoice:
    """`desired` as Perfex keeps it once it has chosen the status it derives itself."""
    if stored is None:
        return desired
    if desired.status in PERFEX_DERIVED_STATUSES and stored.status in PERFEX_DERIVED_STATUSES:
        return replace(desired, status=stored.status)
    return desired


def holds(stored: PerfexInvoice, desired: PerfexInvoice) -> bool:
    """Whether Perfex already holds what `desired` says."""
    return perfex_fingerprint(settled(desired, stored)) == perfex_fingerprint(stored)


class PerfexSide(InvoiceSide):
    system = "perfex"

    def __init__(self, ctx: RunContext) -> None:
        super().__init__(ctx)
        self.mapping = ctx.settings.mapping
        self.directory = PerfexDirectory(ctx)
        self._lock = threading.Lock()
        self._customer_names: dict[str, str] | None = None
        self._customers_unlisted = False  # the customer list could not be read this run
        # List rows kept slim, the texts they repeat (terms, notes, dates) held once.
        self._slim = functools.partial(slim_invoice_row, share=sys.intern)

    # -- observing ------------------------------------------------------------------------

    def list_rows(self) -> list[Listed]:
        return listed_alone("perfex", consuming(self.ctx.perfex.list_invoices()), self._listed)

    def _listed(self, raw: Any, index: int) -> Listed:
        number, keys = self._raw_number(raw)
        record_id = raw_id(raw, index)
        return Listed("perfex", record_id, number, raw, self._parse_row, keys, self._slim)

    def _raw_number(self, raw: Any) -> tuple[str | None, tuple[str, ...]]:
        """The number as the other side shows it, and the keys an ONLYOFFICE invoice with that
        number is paired under, read from the raw row without parsing it all. A draft with the
        placeholder number names nothing (every such draft shares it, API notes 2.5 step 5)."""
        try:
            number, year = int(raw["number"]), int(str(raw["date"])[:4])
        except (KeyError, TypeError, ValueError):
            return self._damaged_number(raw)
        if number == PERFEX_DRAFT_NUMBER:
            return f"{raw.get('prefix') or ''}DRAFT-{raw.get('id')}", ()
        if year < 1:  # MySQL's zero date
            return self._damaged_number(raw)
        shown = self.mapping.number_format.format(str(raw.get("prefix") or ""), number, year)
        keys = (shown, f"{number}/{year}")
        return (clipped(shown, NUMBER_CHARS) if len(shown) > NUMBER_CHARS else shown), keys

    def _parse_row(self, raw: Any) -> tuple[PerfexInvoice, str]:
        row = PerfexInvoice.from_api(raw)
        return row, perfex_row_fingerprint(row)

    def _damaged_number(self, raw: Any) -> tuple[str | None, tuple[str, ...]]:
        """The display number and pairing keys of a damaged row, as far as its `number`,
        `prefix` and `date` can be read; a placeholder draft number names nothing."""
        if not isinstance(raw, dict):
            return None, ()
        row = RawRecord(raw, "Perfex invoice")
        number = _readable(lambda: row.integer("number"))
        if number is None or number == PERFEX_DRAFT_NUMBER:
            return None, ()
        prefix = _readable(lambda: row.text("prefix")) or ""
        day = _readable(lambda: row.iso_date("date"))
        fmt = self.mapping.number_format
        if day is not None:
            shown = clipped(fmt.format(prefix, number, day.year), NUMBER_CHARS)
            return shown, (shown, f"{number}/{day.year}")
        if "{year" not in fmt.pattern:
            shown = clipped(fmt.format(prefix, number, 0), NUMBER_CHARS)
            return shown, (shown,)
        return clipped(f"{prefix}{number}", NUMBER_CHARS), ()

    def _number(self, row: PerfexInvoice) -> str:
        if row.is_placeholder_draft:
            return f"{row.prefix}DRAFT-{row.id}"
        return row.display_number(self.mapping.number_format)

    def read(self, record_id: str) -> PerfexInvoice:
        return PerfexInvoice.from_api(self.ctx.perfex.get_invoice(record_id))

    def fingerprint(self, doc: PerfexInvoice) -> str:
        return perfex_fingerprint(doc)

    def date_of(self, row: PerfexInvoice) -> date:
        return row.date

    def is_open(self, row: PerfexInvoice) -> bool:
        return row.status in PERFEX_OPEN_STATUSES

    def skip_reason(self, row: PerfexInvoice) -> str | None:
        if row.status != PerfexStatus.DRAFT:
            return None
        if row.is_placeholder_draft:
            return PLACEHOLDER_REASON
        return DRAFTS_SKIPPED_REASON if self.mapping.perfex_drafts == "skip" else None

    def facts(self, row: PerfexInvoice) -> InvoiceFacts:
        return InvoiceFacts(
            customer_id=row.clientid,
            customer_name=self.customer_name(row.clientid),
            year=row.date.year,
            total=row.total,
            currency=row.currency_code,
            adjustment=row.adjustment,
        )

    def customer_name(self, clientid: str) -> str:
        """The company of a Perfex customer, from one listing of all customers per run. When
        that list cannot be read (one customer holding text that is not UTF-8 empties it:
        Perfex API notes 1.3), each customer is read on its own, so only the invoices of a
        customer that cannot be read wait."""
        with self._lock:
            if self._customer_names is None:
                self._customer_names = self._list_customer_names()
            known = self._customer_names.get(clientid)
        if known is None and self._customers_unlisted:
            known = _company(self.ctx.perfex.get_customer(clientid))
            with self._lock:
                self._customer_names[clientid] = known
        return known or ""

    def _list_customer_names(self) -> dict[str, str]:
        try:
            rows = self.ctx.perfex.list_customers()
        except RemoteError as error:
            if isinstance(error, CredentialsRejected | Unreachable):
                raise
            self.ctx.journal.note(
                f"Perfex's customer list could not be read ({clipped(str(error), 160)}); "
                "customers were read one by one"
            )
            self._customers_unlisted = True
            return {}
        return {
            str(raw["userid"]): _company(raw)
            for raw in rows
            if isinstance(raw, dict) and raw.get("userid") is not None
        }

    # -- as the target of a write -----------------------------------------------------------

    def holds(self, source_doc: OnlyofficeInvoice, target_doc: PerfexInvoice) -> bool:
        customer = (
            self.directory.existing_customer(source_doc.contact_id)
            if (source_doc.contact_id)
            else None
        )
        if customer is None:
            return False
        mapped = self._map(source_doc, target_doc, customer)
        return isinstance(mapped, PerfexTarget) and holds(target_doc, mapped.invoice)

    def expected(
        self, source_doc: OnlyofficeInvoice, current: PerfexInvoice | None
    ) -> PerfexInvoice | MappingProblem:
        """The invoice Perfex would hold for `source_doc` (for `crm-bridge audit`), looking
        only: a customer Perfex does not have yet stands as customer "0"."""
        customer = (
            self.directory.existing_customer(source_doc.contact_id)
            if source_doc.contact_id
            else None
        )
        mapped = self._map(source_doc, current, customer)
        if isinstance(mapped, MappingProblem):
            return mapped
        return settled(mapped.invoice, current)

    def needs_current(self, work: Work) -> bool:
        # The replace-all update names every current line id (2.6): the lines are needed.
        return work.decision is not None and work.decision.step is not Step.CREATE

    def prepare(self, work: Work) -> Prepared:
        source: OnlyofficeInvoice = work.docs["onlyoffice"]
        current: PerfexInvoice | None = work.docs.get("perfex")
        if source.contact_id is None:
            return _refused("contactId", "the invoice has no contact the sync account can read")
        customer = self.directory.existing_customer(source.contact_id)
        mapped = self._map(source, current, customer)
        if isinstance(mapped, MappingProblem):
            return _refusal(mapped)
        work.plan = PerfexPlan(source.contact_id, customer, mapped, current)
        if current is not None and customer is not None and holds(current, mapped.invoice):
            return Prepared(Verdict.SAME)
        return Prepared(Verdict.WRITE)

    def _map(
        self,
        source: OnlyofficeInvoice,
        current: PerfexInvoice | None,
        customer: ResolvedCustomer | None,
    ) -> PerfexTarget | MappingProblem:
        lines = source.lines or ()
        tax_ids = {tax for line in lines for tax in (line.tax1_id, line.tax2_id) if tax > 0}
        unnamed = {line.item_id for line in lines if not line.description.strip()}
        taxes = self.directory.taxes(tax_ids)
        items = self.directory.items(unnamed) if unnamed else {}
        unreadable = self._unreadable_reference(source, taxes, items)
        if unreadable is not None:
            return unreadable
        needs = perfex_needs(source, taxes, items, self.mapping)
        if isinstance(needs, MappingProblem):
            return needs
        if customer is None:
            contact = self.directory.contact(needs.contact_id)
            customer = ResolvedCustomer(UNKNOWN_CUSTOMER, contact.billing_address)
        refs = PerfexRefs(clientid=customer.clientid, billing=customer.billing)
        return onlyoffice_to_perfex(source, needs, refs, self.mapping, current)

    def _unreadable_reference(
        self, source: OnlyofficeInvoice, taxes: dict[int, Any], items: dict[int, Any]
    ) -> MappingProblem | None:
        """A line that names an ONLYOFFICE tax or product whose row cannot be read: the
        invoice waits, naming that row (its rate or title cannot be carried)."""
        unreadable_taxes = self.directory.unreadable_taxes
        unreadable_items = self.directory.unreadable_items
        for number, line in enumerate(source.lines or (), start=1):
            for tax in (line.tax1_id, line.tax2_id):
                if tax > 0 and tax not in taxes:
                    problem = _unreadable_row(number, "uses", "tax", tax, unreadable_taxes)
                    if problem is not None:
                        return problem
            if not line.description.strip() and line.item_id not in items:
                item = line.item_id
                problem = _unreadable_row(number, "names", "product", item, unreadable_items)
                if problem is not None:
                    return problem
        return None

    def resolve(self, work: Work) -> None:
        plan: PerfexPlan = work.plan
        if plan.customer is not None:
            return
        plan.customer = self.directory.customer_for(plan.contact_id)
        mapped = self._map(work.docs["onlyoffice"], plan.current, plan.customer)
        if isinstance(mapped, MappingProblem):  # the same checks passed a moment ago
            raise MappingError(mapped.field, mapped.message)
        plan.target = mapped

    def before_writes(self, works: Sequence[Work]) -> None:
        """Nothing to do together before Perfex writes: every invoice is editable there."""

    def write(self, work: Work) -> None:
        plan: PerfexPlan = work.plan
        desired = plan.target.invoice
        if self.ctx.dry_run:
            plan.target_id = plan.current.id if plan.current else str(self.ctx.placeholder_id())
            return
        if plan.current is None:
            plan.target_id = self._create(work, plan)
        else:
            assert plan.current.id is not None
            plan.target_id = plan.current.id
            self._replace_all(plan.current.id, desired, plan.current, work.number or "")

    def after_writes(self, works: Sequence[Work]) -> None:
        if not self.ctx.dry_run:
            self._learn_new_ids([w for w in works if w.plan.target_id is None])
            created = [w for w in works if w.plan.current is None and w.plan.target_id]
            each_alone(created, self._follow_up)
        each_alone([w for w in works if w.plan.target_id is not None], self._record_written)
        written = [w.plan.target.invoice for w in works if w.written is not None]
        # The bridge knows these lines' taxes for certain: evidence for later invoices.
        self.ctx.remember_line_taxes(
            history_of(
                {
                    description_key(line.description): line.taxes
                    for invoice in written
                    for line in invoice.lines or ()
                }
            )
        )

    def _record_written(self, work: Work) -> None:
        work.written = self._written(work.plan)

    def report(self, work: Work) -> WriteReport:
        plan: PerfexPlan = work.plan
        after = work.written.after if work.written else plan.target.invoice
        before = plan.current
        lines: list = []
        if before is not None and before.lines is not None and after.lines is not None:
            lines = diff_line_views(perfex_line_views(before.lines), perfex_line_views(after.lines))
        customer = work.docs["onlyoffice"].contact_name
        return WriteReport(
            changes=perfex_changes(before, after),
            warnings=tuple(str(w) for w in plan.target.warnings),
            details=invoice_details(
                customer=customer,
                currency=after.currency_code,
                before_total=before.total if before else None,
                after_total=after.total,
                shape="perfex invoice",
                lines=lines,
                names={"clientid": {after.clientid: customer}} if customer else None,
            ),
        )

    # -- creating ---------------------------------------------------------------------------

    def _create(self, work: Work, plan: PerfexPlan) -> str | None:
        desired = plan.target.invoice
        key = PerfexNumber.of(desired)
        source_id = work.record_id("onlyoffice") or "?"
        plan.intent = self.ctx.open_intent(
            "invoice", "perfex", key.intent_key(desired.clientid), "onlyoffice", source_id
        )
        form = _creatable(plan.target.create_form)
        for attempt in (1, 2):
            try:
                return self.ctx.perfex.create_invoice(form)
            except AnswerLost:
                # The POST may have been applied. Look before trying again (DESIGN: creates).
                found = self.find(key, desired.clientid)
                if found is not None:
                    return found
                if attempt == 2:
                    raise
            except NumberInUse as error:
                raise _number_in_use(work.number or "", key, error) from error
        raise AssertionError("unreachable")

    def find(self, key: PerfexNumber, clientid: str | None = None) -> str | None:
        """The id of the invoice with this number in this year (and for this customer)."""
        rows = []
        for raw in self.ctx.perfex.search_invoices(str(key.number)):
            try:
                rows.append(PerfexInvoice.from_api(raw))
            except MappingError:
                continue  # a search row that cannot be read is not the one we look for
        ids = [
            row.id
            for row in rows
            if row.id is not None
            and PerfexNumber.of(row) == key
            and (clientid is None or row.clientid == clientid)
        ]
        return max(ids, key=int) if ids else None

    def _learn_new_ids(self, works: Sequence[Work]) -> None:
        """Module 2.x answers a create without the new id (2.5): one listing finds every
        invoice created in this window, by number, year and customer, the newest first."""
        if not works:
            return
        rows: dict[tuple[PerfexNumber, str], PerfexInvoice] = {}
        for raw in self.ctx.perfex.list_invoices():
            try:
                row = PerfexInvoice.from_api(raw)
            except MappingError:
                continue
            key = (PerfexNumber.of(row), row.clientid)
            if row.id is not None and (key not in rows or int(row.id) > int(rows[key].id or 0)):
                rows[key] = row
        for work in works:
            plan: PerfexPlan = work.plan
            desired = plan.target.invoice
            found = rows.get((PerfexNumber.of(desired), desired.clientid))
            if found is None:
                # The intent stays open: the next run looks for it again before creating.
                work.error = RemoteError(
                    f"Perfex accepted invoice {work.number} but no listed invoice has its "
                    "number, year and customer; check [perfex].currencies",
                    system="perfex",
                )
                continue
            plan.target_id = found.id
            plan.listed_row = found

    def _follow_up(self, work: Work) -> None:
        """What a create cannot carry: a draft status (drafts get Perfex's placeholder number
        on create) and a prefix other than Perfex's option (2.5 step 1)."""
        plan: PerfexPlan = work.plan
        desired = plan.target.invoice
        stored_prefix = plan.listed_row.prefix if plan.listed_row else None
        is_draft = desired.status == PerfexStatus.DRAFT
        if not is_draft and stored_prefix in (None, desired.prefix):
            return
        assert plan.target_id is not None
        current = self.read(plan.target_id)
        if not holds(current, desired):
            current = self._replace_all(plan.target_id, desired, current, work.number or "")
        plan.listed_row = current

    # -- updating ---------------------------------------------------------------------------

    def _replace_all(
        self, target_id: str, desired: PerfexInvoice, current: PerfexInvoice, number: str
    ) -> PerfexInvoice:
        """PUTs `desired` over `current`; an uncertain answer is settled by a read-back."""
        for _ in range(MAX_REWRITES):
            body = perfex_update_body_keeping(perfex_update_body(desired, current), current)
            try:
                # False: "Invoice Update Fail", which also means "nothing changed" (5.1).
                self.ctx.perfex.update_invoice(target_id, body)
                return settled(desired, current)
            except NumberInUse as error:
                raise _number_in_use(number, PerfexNumber.of(desired), error) from error
            except (AnswerLost, RetryableError):
                current = self.read(target_id)
                if holds(current, desired):
                    return current
        raise RemoteError(
            f"Perfex did not keep invoice {number} as sent after {MAX_REWRITES} attempts",
            system="perfex",
        )

    # -- the result -------------------------------------------------------------------------

    def _written(self, plan: PerfexPlan) -> Written:
        assert plan.target_id is not None
        desired = replace(
            settled(plan.target.invoice, plan.current or plan.listed_row), id=plan.target_id
        )
        row = (
            plan.listed_row
            if plan.listed_row is not None and plan.listed_row.lines is None
            else None
        )
        return Written(
            target_id=plan.target_id,
            after=desired,
            row_fp=perfex_row_fingerprint(row if row is not None else desired),
            fingerprint=perfex_fingerprint(desired),
            facts={WRITTEN_FACT: written_fact(desired.lines or ())},
        )


def _unreadable_row(
    line: int, verb: str, what: str, record_id: int, unreadable: dict[str, str]
) -> MappingProblem | None:
    """The problem of a line whose tax or product is not among the rows that could be read:
    its own row is unreadable, or a row that does not even show its id is."""
    detail = unreadable.get(str(record_id))
    if detail is not None:
        return MappingProblem(
            "invoiceLines", f"line {line} {verb} a {what} that cannot be read ({detail})"
        )
    detail = unreadable.get("")
    if detail is not None:
        return MappingProblem(
            "invoiceLines",
            f"line {line} {verb} ONLYOFFICE {what} {record_id}, which the list does not show; "
            f"a row of it cannot be read ({detail})",
        )
    return None


def _company(raw: Any) -> str:
    return str(raw.get("company") or "").strip() if isinstance(raw, dict) else ""


def _creatable(form: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The create form, a draft posted as unpaid (see the module docstring)."""
    draft = str(int(PerfexStatus.DRAFT))
    unpaid = str(int(PerfexStatus.UNPAID))
    return [(key, unpaid if key == "status" and value == draft else value) for key, value in form]


def _number_in_use(number: str, key: PerfexNumber, error: NumberInUse) -> NumberInUse:
    return NumberInUse(
        f"invoice number {number} is already used in Perfex in {key.year} (number "
        f"{key.number}) by an invoice the ledger does not link to it",
        system="perfex",
        status=error.status,
        remote_message=error.remote_message,
    )


def _refusal(problem: MappingProblem) -> Prepared:
    verdict = Verdict.DECLINED if problem.skip else Verdict.REFUSED
    return Prepared(verdict, str(problem), _reason_code(problem.field))


def _refused(field_name: str, message: str) -> Prepared:
    return Prepared(Verdict.REFUSED, f"{field_name}: {message}", _reason_code(field_name))


def _reason_code(field_name: str) -> str:
    return {
        "total": "money",
        "currency": "currency",
        "status": "status",
        "number": "number",
        "total_tax": "taxes",
        "contactId": "customer",
    }.get(field_name.split(":")[-1].strip(), "refused")


def _readable(read: Callable[[], T]) -> T | None:
    """One field of a row that cannot be parsed as a whole, or None when it is unreadable too."""
    try:
        return read()
    except MappingError:
        return None
