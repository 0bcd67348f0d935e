"""Finds what an ONLYOFFICE invoice refers to, the way Perfex needs it: the customer, and
ONLYOFFICE's own taxes and products.

The customer is resolved like every dependency: the ledger's `contact` link, then an active
Perfex customer whose company name is exactly the contact's name, then a create. The create is
journalled as an intent first. Module 2.x answers a customer create without its id (Perfex
API notes 4.1), so the id is found afterwards by searching the name and taking the highest `userid`
no link claims yet; a lost answer is settled by the same search, never by a blind second POST.
Each link or create is reported as its own `contact` outcome.

ONLYOFFICE's taxes and products are only read (line taxes need their name and rate; a line
without a description is named after its product). Perfex keeps line taxes as free text on the
line (API notes 4.3), so nothing is created in Perfex for them.

Must not: write anything to ONLYOFFICE, or create a Perfex customer without an open intent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from bridge.engine.context import RunContext
from bridge.errors import AnswerLost, RecordRejected, RemoteError
from mappings.onlyoffice import Address, OnlyofficeContact, OnlyofficeItem, OnlyofficeTax
from mappings.perfex import PerfexCustomer
from mappings.problems import MappingError
from mappings.to_perfex import perfex_customer_form
from state import Link
from state.records import Outcome


@dataclass(frozen=True)
class ResolvedCustomer:
    clientid: str
    billing: Address | None  # the contact's billing address in ONLYOFFICE, if it has one


class PerfexDirectory:
    """Per-run memory of ONLYOFFICE contacts and their Perfex customers. Thread-safe."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._lock = threading.RLock()
        self._customers: dict[int, ResolvedCustomer] = {}
        self._contacts: dict[int, OnlyofficeContact] = {}
        self._taxes: dict[int, OnlyofficeTax] | None = None
        self._items: dict[int, OnlyofficeItem] | None = None
        # ONLYOFFICE tax and product rows that could not be read, by id: why.
        self.unreadable_taxes: dict[str, str] = {}
        self.unreadable_items: dict[str, str] = {}

    # -- customers ------------------------------------------------------------------------

    def customer_for(self, contact_id: int) -> ResolvedCustomer:
        """The Perfex customer of an ONLYOFFICE contact: linked, found by name, or created."""
        with self._lock:
            if contact_id not in self._customers:
                self._customers[contact_id] = self._resolve(contact_id)
            return self._customers[contact_id]

    def existing_customer(self, contact_id: int) -> ResolvedCustomer | None:
        """Like `customer_for`, but only looks: nothing is linked or created."""
        with self._lock:
            if contact_id in self._customers:
                return self._customers[contact_id]
            contact = self.contact(contact_id)
            link = self.ctx.link_for("contact", "onlyoffice", str(contact_id))
            clientid = link.perfex_id if link else self._find_customer(contact)
            return None if clientid is None else ResolvedCustomer(clientid, contact.billing_address)

    def contact(self, contact_id: int) -> OnlyofficeContact:
        with self._lock:
            if contact_id not in self._contacts:
                raw = self.ctx.onlyoffice.get_contact(contact_id)
                self._contacts[contact_id] = OnlyofficeContact.from_api(raw)
            return self._contacts[contact_id]

    def _resolve(self, contact_id: int) -> ResolvedCustomer:
        contact = self.contact(contact_id)
        link = self.ctx.link_for("contact", "onlyoffice", str(contact_id))
        if link is not None:
            return ResolvedCustomer(link.perfex_id, contact.billing_address)
        found = self._find_customer(contact)
        if found is not None:
            self._save_link(contact, found, "linked")
            return ResolvedCustomer(found, contact.billing_address)
        return ResolvedCustomer(self._create_customer(contact), contact.billing_address)

    def _find_customer(self, contact: OnlyofficeContact) -> str | None:
        """An active customer named exactly like the contact and not linked to another contact;
        the lowest `userid` wins if there are several."""
        ids = [
            userid
            for userid in self._customers_named(contact.display_name)
            if self._free_for(userid, contact.id)
        ]
        return min(ids, key=int) if ids else None

    def _customers_named(self, name: str) -> list[str]:
        """`userid`s of the active customers whose company is exactly `name`.

        The search matches substrings of several fields (API notes 4.1), so the rows are
        compared here; a name Perfex refuses in a URI falls back to the full list.
        """
        if not name.strip():
            return []
        try:
            rows = self.ctx.perfex.search_customers(name)
        except RecordRejected:
            rows = self.ctx.perfex.list_customers()
        active = [
            row for row in rows if isinstance(row, dict) and str(row.get("active", "1")) == "1"
        ]
        rejected: list[tuple[Any, str]] = []
        customers = self.ctx.readable(active, PerfexCustomer.from_api, "Perfex customers", rejected)
        found = [customer.userid for customer in customers if customer.company == name.strip()]
        unreadable = _unreadable_by(rejected, "company")
        if not found and name.strip() in unreadable:
            # Matched by company name: one that cannot be read is not created a second time.
            raise MappingError(
                "customer",
                f'Perfex has a customer "{name.strip()}" that cannot be read '
                f"({unreadable[name.strip()]}); none was created in its place",
            )
        return found

    def _free_for(self, userid: str, contact_id: int) -> bool:
        link = self.ctx.link_for("contact", "perfex", userid)
        return link is None or link.onlyoffice_id == str(contact_id)

    def _create_customer(self, contact: OnlyofficeContact) -> str:
        form = perfex_customer_form(contact)
        if self.ctx.dry_run:
            clientid = str(self.ctx.placeholder_id())  # a dry run says what it would create
            self._save_link(contact, clientid, "created")
            return clientid
        name = contact.display_name
        intent = self.ctx.open_intent("contact", "perfex", name, "onlyoffice", str(contact.id))
        clientid = self._post_customer(form, contact)
        self._save_link(contact, clientid, "created", intent)
        return clientid

    def _post_customer(self, form: list[tuple[str, str]], contact: OnlyofficeContact) -> str:
        for attempt in (1, 2):
            try:
                created = self.ctx.perfex.create_customer(form)
            except AnswerLost:
                # The POST may have been applied: look before trying again (docs/architecture.md).
                found = self._newest_unlinked(contact)
                if found is not None:
                    return found
                if attempt == 2:
                    raise
                continue
            return created if created is not None else self._learn_new_id(contact)
        raise AssertionError("unreachable")

    def _learn_new_id(self, contact: OnlyofficeContact) -> str:
        """Module 2.x answers a create without the new `userid` (API notes 4.1)."""
        found = self._newest_unlinked(contact)
        if found is None:
            raise RemoteError(
                f"Perfex accepted the customer {contact.display_name!r} but a search by its "
                "name does not find it; check that the API token may search customers",
                system="perfex",
            )
        return found

    def _newest_unlinked(self, contact: OnlyofficeContact) -> str | None:
        ids = [
            userid
            for userid in self._customers_named(contact.display_name)
            if self._free_for(userid, contact.id)
        ]
        return max(ids, key=int) if ids else None

    def _save_link(
        self, contact: OnlyofficeContact, clientid: str, action: str, intent: int | None = None
    ) -> None:
        link = Link("contact", clientid, str(contact.id), contact.display_name)
        self.ctx.save_link(link, intent)
        self.ctx.record(
            Outcome(
                kind="contact",
                source="onlyoffice",
                source_id=str(contact.id),
                target="perfex",
                target_id=clientid,
                number=contact.display_name,
                action=action,
            )
        )

    # -- ONLYOFFICE taxes and products, read only -------------------------------------------

    def taxes(self, wanted: set[int]) -> dict[int, OnlyofficeTax]:
        """Every ONLYOFFICE tax, read again once if one of `wanted` is not known yet (it may
        have been created since, by this very run)."""
        with self._lock:
            if self._taxes is None or not wanted <= self._taxes.keys():
                rows = self.ctx.onlyoffice.list_taxes()
                rejected: list[tuple[Any, str]] = []
                taxes = self.ctx.readable(
                    rows, OnlyofficeTax.from_api, "ONLYOFFICE taxes", rejected
                )
                self._taxes = {tax.id: tax for tax in taxes}
                self.unreadable_taxes = _unreadable_by(rejected, "id")
            return self._taxes

    def items(self, wanted: set[int]) -> dict[int, OnlyofficeItem]:
        with self._lock:
            if self._items is None or not wanted <= self._items.keys():
                rows = self.ctx.onlyoffice.list_items()
                rejected: list[tuple[Any, str]] = []
                items = self.ctx.readable(
                    rows, OnlyofficeItem.from_api, "ONLYOFFICE products", rejected
                )
                self._items = {item.id: item for item in items}
                self.unreadable_items = _unreadable_by(rejected, "id")
            return self._items


def _unreadable_by(rejected: list[tuple[Any, str]], key: str) -> dict[str, str]:
    """What rows left out as unreadable still show under `key` (an id, a company name), as
    text, with why each was left out; rows that do not even show that are under ""."""
    found: dict[str, str] = {}
    for raw, detail in rejected:
        value = raw.get(key) if isinstance(raw, dict) else None
        shows = isinstance(value, str | int) and not isinstance(value, bool)
        text = str(value).strip() if shows else ""
        found.setdefault(text if key != "id" or text.isdigit() else "", detail)
    return found
