"""Writes one mapped invoice to Perfex: create or update, then read it back.

Create: the form-encoded POST of shared/contracts/perfex-api.md 2.5, journalled as an intent
first. Module 2.x answers without the new id, so it is found by searching the number and keeping
the rows with that number, customer and year (the search also matches phone numbers and zips:
contract 2.4), highest id first; module 3.x may send `record_id` directly. A lost answer is
settled by the same search, never by a blind second POST.

Update: the JSON PUT of the full header with the replace-all line pattern (contract 2.6). Perfex
answers 404 "Invoice Update Fail" also when nothing changed (5.1), so every PUT is followed by a
GET and a comparison. A PUT that was applied but whose answer was lost is repeated by the retry
policy, and a second replace-all appends the new lines again (the removed ids are already gone):
the read-back shows it, and the writer replaces all lines once more.

Must not: decide content (`mappings.to_perfex` does), or trust an answer over a read-back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bridge.engine.context import RunContext
from bridge.errors import AnswerLost, NumberInUse, RemoteError
from mappings.fingerprint import perfex_fingerprint
from mappings.perfex import PerfexInvoice
from mappings.status import PerfexStatus
from mappings.to_perfex import PerfexTarget, perfex_update_body

MAX_REWRITES = 3
# Among these Perfex sets the status itself, from payments and the due date (contract 3.2):
# whichever of them was posted, the stored one is Perfex's to decide.
PERFEX_DERIVED_STATUSES = frozenset(
    {PerfexStatus.UNPAID, PerfexStatus.PAID, PerfexStatus.PARTIALLY_PAID, PerfexStatus.OVERDUE}
)


@dataclass(frozen=True, order=True)
class PerfexNumber:
    """Perfex's natural key of an invoice: its integer number, unique per calendar year of its
    date, drafts included (contract 2.5)."""

    number: int
    year: int

    @classmethod
    def of(cls, invoice: PerfexInvoice) -> PerfexNumber:
        return cls(invoice.number, invoice.date.year)

    def intent_key(self, clientid: str) -> str:
        """How a create intent names the invoice it creates: "42/2025/7" (number, year and
        customer, the filters that tell it apart in a search)."""
        return f"{self.number}/{self.year}/{clientid}"

    @classmethod
    def from_intent_key(cls, text: str) -> tuple[PerfexNumber, str] | None:
        parts = text.split("/")
        if len(parts) != 3 or not all(part.isdigit() for part in parts[:2]):
            return None
        return cls(int(parts[0]), int(parts[1])), parts[2]


@dataclass(frozen=True)
class PerfexWritten:
    target_id: str
    before: PerfexInvoice | None  # None for a create
    after: PerfexInvoice  # the read-back (or, in a dry run, the intended state)
    wrote: bool


def settled(desired: PerfexInvoice, stored: PerfexInvoice) -> PerfexInvoice:
    """`desired` as Perfex keeps it once it has chosen the status it derives itself."""
    if desired.status in PERFEX_DERIVED_STATUSES and stored.status in PERFEX_DERIVED_STATUSES:
        return replace(desired, status=stored.status)
    return desired


def holds(stored: PerfexInvoice, desired: PerfexInvoice) -> bool:
    """Whether Perfex already holds what `desired` says."""
    return perfex_fingerprint(settled(desired, stored)) == perfex_fingerprint(stored)


class PerfexInvoiceWriter:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.client = ctx.perfex

    def create(
        self,
        target: PerfexTarget,
        source_id: str,
        number: str,
        on_created: Callable[[str, int | None], None],
    ) -> PerfexWritten:
        """Creates the invoice. `on_created(target_id, intent)` runs as soon as its id is known,
        so the caller can link it before the follow-up write (a failure after that point must
        not leave an unlinked invoice behind). `number` names it in messages."""
        if self.ctx.dry_run:
            return PerfexWritten(str(self.ctx.placeholder_id()), None, target.invoice, True)
        key = PerfexNumber.of(target.invoice)
        natural_key = key.intent_key(target.invoice.clientid)
        intent = self.ctx.open_intent("invoice", "perfex", natural_key, "onlyoffice", source_id)
        target_id = self._post(target, key, number)
        on_created(target_id, intent)
        after = self.read(target_id)
        if not holds(after, target.invoice):
            # What a create cannot carry: the prefix comes from Perfex's options (contract 2.5
            # step 1) and a draft is posted as unpaid (see `_creatable`).
            after = self._replace_all(target_id, target.invoice, after, number)
        return PerfexWritten(target_id, None, after, True)

    def _post(self, target: PerfexTarget, key: PerfexNumber, number: str) -> str:
        form = _creatable(target.create_form)
        for attempt in (1, 2):
            try:
                created = self.client.create_invoice(form)
            except AnswerLost:
                # The POST may have been applied. Look before trying again (DESIGN.md).
                found = self.find(key, target.invoice.clientid)
                if found is not None:
                    return found
                if attempt == 2:
                    raise
                continue
            except NumberInUse as error:
                raise _number_in_use(number, key, error) from error
            return created if created is not None else self._learn_new_id(target, key, number)
        raise AssertionError("unreachable")

    def _learn_new_id(self, target: PerfexTarget, key: PerfexNumber, number: str) -> str:
        """Module 2.x answers a create without the new id (contract 2.5)."""
        found = self.find(key, target.invoice.clientid)
        if found is None:
            # The intent stays open: the next run looks for it again before creating anything.
            raise RemoteError(
                f"Perfex accepted invoice {number} but a search by its number does not find "
                "it; check [perfex].currencies (the search skips invoices whose currency id "
                "Perfex does not know)",
                system="perfex",
            )
        return found

    def find(self, key: PerfexNumber, clientid: str | None = None) -> str | None:
        """The id of the invoice with this number in this year (and for this customer), if any."""
        rows = [PerfexInvoice.from_api(row) for row in self.client.search_invoices(str(key.number))]
        ids = [
            row.id
            for row in rows
            if row.id is not None
            and PerfexNumber.of(row) == key
            and (clientid is None or row.clientid == clientid)
        ]
        return max(ids, key=int) if ids else None

    def update(
        self, target_id: str, target: PerfexTarget, current: PerfexInvoice, number: str
    ) -> PerfexWritten:
        """Rewrites the invoice unless Perfex already holds `target`; `current` is its full
        content as just read."""
        if holds(current, target.invoice):
            return PerfexWritten(target_id, current, current, False)
        if self.ctx.dry_run:
            return PerfexWritten(target_id, current, target.invoice, True)
        after = self._replace_all(target_id, target.invoice, current, number)
        return PerfexWritten(target_id, current, after, True)

    def _replace_all(
        self, target_id: str, desired: PerfexInvoice, current: PerfexInvoice, number: str
    ) -> PerfexInvoice:
        """PUTs `desired` over `current` until a read-back shows it, a few times at most."""
        for _ in range(MAX_REWRITES):
            try:
                # False: "Invoice Update Fail", which also means "nothing changed" (5.1).
                self.client.update_invoice(target_id, perfex_update_body(desired, current))
            except NumberInUse as error:
                raise _number_in_use(number, PerfexNumber.of(desired), error) from error
            current = self.read(target_id)
            if holds(current, desired):
                break
        return current

    def read(self, target_id: str) -> PerfexInvoice:
        return PerfexInvoice.from_api(self.client.get_invoice(target_id))


def _creatable(form: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The create form, a draft posted as unpaid: Perfex gives a new draft the placeholder
    number 1000000000 (contract 2.5 step 5, 3.2), while a PUT keeps the number it has. The
    follow-up PUT of `create` makes it a draft."""
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
