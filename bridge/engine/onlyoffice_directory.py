"""Finds or creates, on ONLYOFFICE, what a Perfex invoice refers to: its contact, products, taxes.

Resolution order for each dependency: the ledger's link, then the natural key on ONLYOFFICE
(company name or e-mail, product title, tax name and rate), then a create. A create is
journalled as an intent first and, if its answer is lost, looked up by the same natural key
before anything is tried again, so a lost answer never produces a second company, product or
tax.

Workers resolve dependencies concurrently; one lock per kind keeps two of them from creating the
same thing at once. Every create is reported as its own outcome (kind contact, item or tax).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bridge.engine.context import RunContext
from bridge.errors import AnswerLost, RecordRejected
from mappings.onlyoffice import OnlyofficeContact, OnlyofficeItem, OnlyofficeTax
from mappings.onlyoffice_needs import (
    ProductSpec,
    onlyoffice_billing_address,
    onlyoffice_company_payload,
)
from mappings.perfex import PerfexCustomer, TaxSpec
from mappings.problems import MappingError
from state import Link
from state.records import Outcome

ADDRESS_INFO_TYPE = 7  # API notes §7.4: ContactInfoType.Address
BILLING_CATEGORY = 3  # API notes §7.4: AddressCategory.Billing


@dataclass(frozen=True)
class ResolvedContact:
    contact_id: int
    billing_address_id: int | None


class OnlyofficeDirectory:
    """Per-run memory of ONLYOFFICE contacts, items and taxes, and how to get new ones."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._locks = {kind: threading.RLock() for kind in ("contact", "item", "tax")}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._contacts: dict[str, ResolvedContact] = {}
        self._items: dict[str, int] | None = None  # title -> id
        self._taxes: dict[TaxSpec, int] | None = None
        self._tax_names: set[str] = set()
        # Names of catalogue rows that could not be read: never created a second time.
        self._unreadable_items: dict[str, str] = {}
        self._unreadable_taxes: dict[str, str] = {}
        self._customers: dict[str, PerfexCustomer] = {}
        self._not_found: set[str] = set()  # customers with no company on ONLYOFFICE yet
        self._names: tuple[dict[str, str], dict[str, str]] | None = None

    # -- contacts -------------------------------------------------------------------------

    def contact_for(self, clientid: str) -> ResolvedContact:
        with self._lock_for("contact", clientid):
            if clientid not in self._contacts:
                self._contacts[clientid] = self._resolve_contact(clientid)
            return self._contacts[clientid]

    def existing_contact(self, clientid: str) -> ResolvedContact | None:
        """Like `contact_for`, but only looks: nothing is linked or created."""
        with self._lock_for("contact", clientid):
            if clientid in self._contacts:
                return self._contacts[clientid]
            if clientid in self._not_found:
                return None
            link = self.ctx.link_for("contact", "perfex", clientid)
            if link is not None:
                contact_id = int(link.onlyoffice_id)
                resolved = ResolvedContact(contact_id, self._billing_address_id(contact_id))
                self._contacts[clientid] = resolved
                return resolved
            found = self._find_contact(self.perfex_customer(clientid))
            if found is None:
                self._not_found.add(clientid)  # contact_for creates it without asking again
                return None
            return ResolvedContact(found.id, self._billing_address_id(found.id))

    def existing_item_ids(self, products: tuple[ProductSpec, ...]) -> dict[str, int] | None:
        """The ids of these products where every one exists already, else None."""
        ids: dict[str, int] = {}
        for product in products:
            link = self.ctx.link_for("item", "perfex", product.title)
            found = int(link.onlyoffice_id) if link else self._item_index().get(product.title)
            if found is None:
                return None
            ids[product.title] = found
        return ids

    def existing_tax_ids(self, taxes: tuple[TaxSpec, ...]) -> dict[TaxSpec, int] | None:
        """The ids of these taxes where every one exists already, else None."""
        ids: dict[TaxSpec, int] = {}
        with self._locks["tax"]:
            for tax in taxes:
                link = self.ctx.link_for("tax", "perfex", tax.perfex_taxname)
                found = int(link.onlyoffice_id) if link else self._tax_index().get(tax)
                if found is None:
                    return None
                ids[tax] = found
        return ids

    def _lock_for(self, kind: str, key: str) -> threading.Lock:
        """One lock per dependency: two invoices of one customer never create it twice, while
        invoices of different customers resolve theirs side by side."""
        with self._locks[kind]:
            return self._key_locks.setdefault((kind, key), threading.Lock())

    def _resolve_contact(self, clientid: str) -> ResolvedContact:
        link = self.ctx.link_for("contact", "perfex", clientid)
        if link is not None:
            contact_id = int(link.onlyoffice_id)
            return ResolvedContact(contact_id, self._billing_address_id(contact_id))
        customer = self.perfex_customer(clientid)
        found = None if clientid in self._not_found else self._find_contact(customer)
        if found is not None:
            self._save_contact_link(customer, found.id, action="linked")
            return ResolvedContact(found.id, self._billing_address_id(found.id))
        return self._create_contact(customer)

    def known_customer_name(self, clientid: str) -> str:
        """The Perfex customer's company, if this run read it (nothing is read to find out)."""
        customer = self._customers.get(clientid)
        return customer.company if customer is not None else ""

    def perfex_customer(self, clientid: str) -> PerfexCustomer:
        if clientid not in self._customers:
            raw = self.ctx.perfex.get_customer(clientid)
            self._customers[clientid] = PerfexCustomer.from_api(raw)
        return self._customers[clientid]

    def _find_contact(self, customer: PerfexCustomer) -> OnlyofficeContact | None:
        """An existing contact named exactly like the customer: a company, or else a person
        (Perfex names a customer without a company after its contact person, API notes 4.1);
        the lowest id wins among equals."""
        name = " ".join(customer.company.split())
        if not name:
            return None
        rows = self.ctx.onlyoffice.find_contacts(name)
        rejected: list[tuple[Any, str]] = []
        contacts = self.ctx.readable(
            rows, OnlyofficeContact.from_api, "ONLYOFFICE contacts", rejected
        )
        named = [c for c in contacts if " ".join(c.display_name.split()) == name]
        if not named:
            _refuse_unreadable("company", name, _unreadable_keys(rejected, "displayName"))
        return min(named, key=lambda c: (not c.is_company, c.id)) if named else None

    def _create_contact(self, customer: PerfexCustomer) -> ResolvedContact:
        payload = onlyoffice_company_payload(customer)
        name = payload["companyName"]
        created, intent = self._create_with_intent(
            "contact",
            name,
            customer.userid,
            create=lambda: self.ctx.onlyoffice.create_company(name)["id"],
            find=lambda: getattr(self._find_contact(customer), "id", None),
        )
        address_id = self._add_billing_address(created, customer)
        self._save_contact_link(
            customer, created, action="created", intent=intent, billing=address_id
        )
        return ResolvedContact(created, address_id)

    def _add_billing_address(self, contact_id: int, customer: PerfexCustomer) -> int | None:
        address = onlyoffice_billing_address(customer)["address"]
        if self.ctx.dry_run or not any(address[key] for key in ("street", "city", "state", "zip")):
            return None
        try:
            reply = self.ctx.onlyoffice.add_address(
                contact_id, address, category=BILLING_CATEGORY, primary=True
            )
        except (RecordRejected, AnswerLost):
            # The company exists; a missing billing address only leaves the invoice without
            # one. The next run finds the address (or its absence) through contact_data.
            return self._billing_address_id(contact_id)
        return int(reply["id"])

    def _billing_address_id(self, contact_id: int) -> int | None:
        """The contact's Billing address id: remembered on the contact's link (0 for none),
        else read from its contact data once and remembered."""
        link = self.ctx.link_for("contact", "onlyoffice", str(contact_id))
        if link is not None and link.fact("billing_address_id") is not None:
            return int(link.fact("billing_address_id")) or None
        found = self._read_billing_address_id(contact_id)
        if link is not None:
            self.ctx.save_link(link.with_facts(billing_address_id=found or 0))
        return found

    def _read_billing_address_id(self, contact_id: int) -> int | None:
        rows = self.ctx.onlyoffice.contact_data(contact_id)
        ids = []
        for row in rows:
            try:
                info_type, category = int(row.get("infoType", -1)), int(row.get("category", -1))
                if info_type == ADDRESS_INFO_TYPE and category == BILLING_CATEGORY:
                    ids.append(int(row["id"]))
            except (TypeError, ValueError, KeyError, AttributeError):
                continue  # one unreadable contact-data row names no address
        return min(ids) if ids else None

    def _save_contact_link(
        self,
        customer: PerfexCustomer,
        contact_id: int,
        action: str,
        intent: int | None = None,
        billing: int | None = None,
    ) -> None:
        name = customer.company.strip()
        facts = {"billing_address_id": billing or 0} if action == "created" else {}
        self._link("contact", customer.userid, contact_id, name, action, intent, facts)

    # -- products (invoice items) ---------------------------------------------------------

    def item_ids(self, products: tuple[ProductSpec, ...]) -> dict[str, int]:
        return {product.title: self.item_for(product) for product in products}

    def item_for(self, product: ProductSpec) -> int:
        with self._lock_for("item", product.title):
            link = self.ctx.link_for("item", "perfex", product.title)
            if link is not None:
                return int(link.onlyoffice_id)
            index = self._item_index()
            if product.title in index:
                item_id = index[product.title]
                self._link("item", product.title, item_id, product.title, "linked")
                return item_id
            _refuse_unreadable("product", product.title, self._unreadable_items)
            item_id, intent = self._create_with_intent(
                "item",
                product.title,
                product.title,
                create=lambda: self.ctx.onlyoffice.create_item(product.title, product.price)["id"],
                find=lambda: self._refresh_items().get(product.title),
            )
            index[product.title] = item_id
            self._link("item", product.title, item_id, product.title, "created", intent)
            return item_id

    def _item_index(self) -> dict[str, int]:
        with self._locks["item"]:
            if self._items is None:
                self._items = self._refresh_items()
            return self._items

    def _refresh_items(self) -> dict[str, int]:
        index: dict[str, int] = {}
        rejected: list[tuple[Any, str]] = []
        items = self.ctx.readable(
            self.ctx.onlyoffice.list_items(),
            OnlyofficeItem.from_api,
            "ONLYOFFICE products",
            rejected,
        )
        for item in sorted(items, key=lambda item: item.id):
            index.setdefault(item.title, item.id)  # duplicates: oldest wins
        self._items = index
        self._unreadable_items = _unreadable_keys(rejected, "title")
        return index

    # -- taxes ----------------------------------------------------------------------------

    def tax_ids(self, taxes: tuple[TaxSpec, ...]) -> dict[TaxSpec, int]:
        return {tax: self.tax_for(tax) for tax in taxes}

    def tax_for(self, tax: TaxSpec) -> int:
        with self._locks["tax"]:
            key = tax.perfex_taxname
            link = self.ctx.link_for("tax", "perfex", key)
            if link is not None:
                return int(link.onlyoffice_id)
            index = self._tax_index()
            if tax in index:
                self._link("tax", key, index[tax], key, "linked")
                return index[tax]
            _refuse_unreadable("tax", tax.name, self._unreadable_taxes)
            # ONLYOFFICE tax names are unique (API notes §6.2): a name already used with another
            # rate gets the rate appended rather than failing the invoice.
            name = tax.name if tax.name not in self._tax_names else f"{tax.name} {tax.rate}%"
            tax_id, intent = self._create_with_intent(
                "tax",
                key,
                key,
                create=lambda: self.ctx.onlyoffice.create_tax(name, tax.rate)["id"],
                find=lambda: self._refresh_taxes().get(tax),
            )
            index[tax] = tax_id
            self._tax_names.add(name)
            self._link("tax", key, tax_id, key, "created", intent)
            return tax_id

    def _tax_index(self) -> dict[TaxSpec, int]:
        if self._taxes is None:
            self._taxes = self._refresh_taxes()
        return self._taxes

    def _refresh_taxes(self) -> dict[TaxSpec, int]:
        index: dict[TaxSpec, int] = {}
        rejected: list[tuple[Any, str]] = []
        taxes = self.ctx.readable(
            self.ctx.onlyoffice.list_taxes(), OnlyofficeTax.from_api, "ONLYOFFICE taxes", rejected
        )
        for tax in sorted(taxes, key=lambda tax: tax.id):
            self._tax_names.add(tax.name)
            index.setdefault(tax.spec, tax.id)
        self._taxes = index
        self._unreadable_taxes = _unreadable_keys(rejected, "name")
        return index

    # -- names for reports ----------------------------------------------------------------

    def names(self) -> dict[str, dict[str, str]]:
        """Product titles and tax names by id: from the ledger's links and whatever this run
        listed (nothing is read just to name things)."""
        with self._locks["item"], self._locks["tax"]:
            if self._names is None:
                items = {link.onlyoffice_id: link.natural_key for link in self.ctx.links("item")}
                taxes = {
                    link.onlyoffice_id: _tax_name(link.natural_key)
                    for link in self.ctx.links("tax")
                }
                self._names = (items, taxes)
            items, taxes = self._names
            items.update({str(i): title for title, i in (self._items or {}).items()})
            taxes.update(
                {str(i): _tax_name(t.perfex_taxname) for t, i in (self._taxes or {}).items()}
            )
            return {"invoiceItemID": items, "invoiceTax1ID": taxes, "invoiceTax2ID": taxes}

    # -- shared ---------------------------------------------------------------------------

    def _link(
        self,
        kind: str,
        perfex_key: str,
        target_id: int,
        natural_key: str,
        action: str,
        intent: int | None = None,
        facts: dict[str, object] | None = None,
    ) -> None:
        """Stores the link (closing the create intent in the same transaction) and reports it."""
        link = Link(kind, perfex_key, str(target_id), natural_key, extra=facts or {})
        self.ctx.save_link(link, intent)
        self.ctx.record(
            Outcome(
                kind=kind,
                source="perfex",
                source_id=perfex_key,
                target="onlyoffice",
                target_id=str(target_id),
                number=natural_key,
                action=action,
            )
        )

    def _create_with_intent(
        self,
        kind: str,
        natural_key: str,
        source_id: str,
        *,
        create: Callable[[], object],
        find: Callable[[], object | None],
    ) -> tuple[int, int | None]:
        """Creates once; returns the new id and the open intent the link will close. A lost
        answer is settled by looking the natural key up, never by a blind second POST; only a
        confirmed absence allows one more try."""
        if self.ctx.dry_run:
            return self.ctx.placeholder_id(), None  # a dry run says what it would create
        intent = self.ctx.open_intent(kind, "onlyoffice", natural_key, "perfex", source_id)
        for attempt in (1, 2):
            try:
                return int(create()), intent  # type: ignore[call-overload]
            except AnswerLost:
                found = find()
                if found is not None:
                    return int(found), intent  # type: ignore[call-overload]
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _unreadable_keys(rejected: list[tuple[Any, str]], key: str) -> dict[str, str]:
    """The natural keys (`key` of the raw row: a title, a name) that rows left out as
    unreadable still show, with why each was left out."""
    found: dict[str, str] = {}
    for raw, detail in rejected:
        value = raw.get(key) if isinstance(raw, dict) else None
        if isinstance(value, str) and value.strip():
            found.setdefault(value.strip(), detail)
    return found


def _refuse_unreadable(kind: str, name: str, unreadable: dict[str, str]) -> None:
    """A dependency ONLYOFFICE holds under this name but that cannot be read is not created a
    second time (company names, product titles and tax names are how they are matched): the
    invoice waits, naming the row to correct."""
    detail = unreadable.get(name.strip())
    if detail is not None:
        raise MappingError(
            kind,
            f'ONLYOFFICE has a {kind} "{name}" that cannot be read ({detail}); none was '
            "created in its place",
        )


def _tax_name(perfex_taxname: str) -> str:
    """ "VAT|20.00" as a person writes it: "VAT 20%"."""
    name, _, rate = perfex_taxname.rpartition("|")
    try:
        return f"{name} {Decimal(rate).normalize():f}%"
    except ArithmeticError:
        return perfex_taxname
