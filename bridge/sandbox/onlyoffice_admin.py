"""Edits to simulated ONLYOFFICE invoices as a person makes them in the CRM's screens.

ONLYOFFICE lets a person edit only a Draft (API notes 3.4), so the screens are used the way
people use them: reopen a sent invoice (Sent -> Rejected -> Draft), change it, and send it
again, through the allowed status moves with their stock effects (3.6). New invoices start as
Drafts with a number the person types. Lines name a product and carry up to two taxes and a
percent discount; the server works out `cost` from them (4.3). Besides lines and dates, a
person sets what the API only carries along: purchase order number, exchange rate, language,
template, consignee with its delivery address, and the deal the invoice belongs to; each is
saved with the same rules the API applies (the contact must be a member of the deal, the
delivery address must be a Delivery address of the consignee). The demo, the sandbox's edit
endpoint and the end-to-end tests use these edits to play that person, and `damage` plays a
broken database row.

Must not: be used by the bridge itself, import the bridge's own code, or skip the rules a
person meets in the screens (Draft-only edits, allowed status moves); it writes to the
simulator's store directly.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from bridge.sandbox import broken_rows
from bridge.sandbox.onlyoffice import Invoice, InvoiceLine, InvoiceStatus, OnlyofficeSimulator
from bridge.sandbox.onlyoffice.access import SHARE_READ_WRITE
from bridge.sandbox.onlyoffice.cultures import check_culture
from bridge.sandbox.onlyoffice.failures import ApiError
from bridge.sandbox.onlyoffice.invoice_writes import move_status, status_path
from bridge.sandbox.onlyoffice.printdata import build_print_data
from bridge.sandbox.onlyoffice.records import (
    ADDRESS_BILLING,
    ADDRESS_POSTAL,
    INFO_ADDRESS,
    Contact,
    ContactInfo,
    Deal,
    Item,
    stored_decimal,
)


class ScreenRefused(ValueError):
    """The screen would not save this (the same rule the API applies)."""


@dataclass(frozen=True)
class AdminLine:
    """A line as typed on the invoice screen: a product, its quantity and price, taxes by id."""

    item_id: int
    quantity: Decimal
    price: Decimal
    description: str = ""
    tax1_id: int = 0
    tax2_id: int = 0
    discount: Decimal = Decimal(0)  # percent


class OnlyofficeAdmin:
    """One person at the CRM screens of an ONLYOFFICE simulator."""

    def __init__(self, simulator: OnlyofficeSimulator) -> None:
        self.store = simulator.store
        self.zone = simulator.options.zone
        self._clock = simulator.clock

    # -- looking things up the way the screens show them ------------------------------------

    def item_id(self, title: str) -> int:
        return min(item.id for item in self.store.items.values() if item.title == title)

    def tax_of_item(self, item_id: int) -> int:
        item = self.store.item(item_id)
        return item.tax1_id if item else 0

    def company_id(self, name: str) -> int:
        return min(c.id for c in self.store.contacts.values() if c.display_name == name)

    def contact_id(self, name: str) -> int:
        return self.company_id(name)

    # -- invoices -------------------------------------------------------------------------

    def create_invoice(
        self,
        number: str,
        contact_id: int,
        lines: Sequence[AdminLine],
        issued: date,
        due: date,
        *,
        currency: str = "EUR",
        terms: str = "Payment within 30 days.",
        description: str = "",
    ) -> int:
        """A new Draft, saved as the invoice screen saves it (with the contact's billing
        address, as the screen proposes it)."""
        with self.store.lock:
            invoice_id = self.store.next_id("invoice")
            invoice = Invoice(
                id=invoice_id,
                number=number,
                status=InvoiceStatus.DRAFT,
                issue_date=self._utc(issued),
                due_date=self._utc(due),
                template_type=0,
                contact_id=contact_id,
                consignee_id=0,
                entity_id=0,
                language="en-US",
                currency=currency,
                exchange_rate=Decimal("1.00"),
                purchase_order_number="",
                terms=terms,
                description=description,
                file_id=0,
                billing_address_id=self._billing_address(contact_id),
                delivery_address_id=0,
                json_data="",
                create_on=self._clock(),
                create_by=self.store.admin.id,
                lines=self._stored_lines(invoice_id, lines),
            )
            self._save(invoice)
            return invoice_id

    def set_lines(self, invoice_id: int, lines: Sequence[AdminLine]) -> None:
        """Replaces every line, reopening the invoice first when it is not a Draft."""
        with self.store.lock:
            self._edit(invoice_id, lines=self._stored_lines(invoice_id, lines))

    def lines_of(self, invoice_id: int) -> list[AdminLine]:
        invoice = self._invoice(invoice_id)
        return [
            AdminLine(
                line.item_id,
                line.quantity,
                line.price,
                line.description,
                line.tax1_id,
                line.tax2_id,
                line.discount,
            )
            for line in invoice.lines
        ]

    def set_quantity(self, invoice_id: int, position: int, quantity: Decimal) -> None:
        self._change_line(invoice_id, position, quantity=quantity)

    def set_price(self, invoice_id: int, position: int, price: Decimal) -> None:
        self._change_line(invoice_id, position, price=price)

    def set_line_discount(self, invoice_id: int, position: int, percent: Decimal) -> None:
        self._change_line(invoice_id, position, discount=percent)

    def set_line_taxes(
        self, invoice_id: int, position: int, tax1_id: int, tax2_id: int = 0
    ) -> None:
        self._change_line(invoice_id, position, tax1_id=tax1_id, tax2_id=tax2_id)

    def add_line(self, invoice_id: int, line: AdminLine) -> None:
        with self.store.lock:
            self.set_lines(invoice_id, [*self.lines_of(invoice_id), line])

    def remove_line(self, invoice_id: int, position: int) -> None:
        with self.store.lock:
            lines = self.lines_of(invoice_id)
            del lines[position]
            self.set_lines(invoice_id, lines)

    def set_due_date(self, invoice_id: int, due: date) -> None:
        with self.store.lock:
            self._edit(invoice_id, due_date=self._utc(due))

    def set_issue_date(self, invoice_id: int, issued: date) -> None:
        with self.store.lock:
            self._edit(invoice_id, issue_date=self._utc(issued))

    def set_terms(self, invoice_id: int, terms: str) -> None:
        if not terms:
            raise ScreenRefused("terms are required")
        self._edit(invoice_id, terms=terms)

    def set_description(self, invoice_id: int, description: str) -> None:
        self._edit(invoice_id, description=description)

    def move_to(self, invoice_id: int, status: int) -> None:
        """Moves the invoice through the allowed transitions, as the status menu would."""
        with self.store.lock:
            try:
                path = status_path(self._invoice(invoice_id).status, status)
            except ValueError as error:
                raise ScreenRefused(str(error)) from None
            for step in path:
                move_status(self.store, self._invoice(invoice_id), step)

    # -- fields the API only carries along -----------------------------------------------

    def set_purchase_order_number(self, invoice_id: int, number: str) -> None:
        self._edit(invoice_id, purchase_order_number=number)

    def set_exchange_rate(self, invoice_id: int, rate: Decimal) -> None:
        if Decimal(rate) <= 0:
            raise ScreenRefused("the exchange rate must be above 0")
        self._edit(invoice_id, exchange_rate=stored_decimal(Decimal(rate)))

    def set_language(self, invoice_id: int, language: str) -> None:
        try:
            check_culture(language)  # the screen offers known cultures only
        except ApiError as error:
            raise ScreenRefused(error.message) from None
        self._edit(invoice_id, language=language)

    def set_template_type(self, invoice_id: int, template_type: int) -> None:
        self._edit(invoice_id, template_type=template_type)

    def set_consignee(
        self, invoice_id: int, consignee_id: int, delivery_address_id: int = 0
    ) -> None:
        """Ships to `consignee_id` (0: nobody), to one of its Delivery addresses."""
        with self.store.lock:
            if consignee_id and self.store.contact(consignee_id) is None:
                raise ScreenRefused(f"no contact {consignee_id}")
            if delivery_address_id:
                self._check_delivery(delivery_address_id, consignee_id)
            self._edit(
                invoice_id, consignee_id=consignee_id, delivery_address_id=delivery_address_id
            )

    def set_deal(self, invoice_id: int, deal_id: int) -> None:
        """Links the invoice to a deal its contact belongs to (0 unlinks it)."""
        with self.store.lock:
            if deal_id:
                deal = self.store.deal(deal_id)
                contact = self._invoice(invoice_id).contact_id
                if deal is None or contact not in deal.members:
                    raise ScreenRefused(f"contact {contact} is not a member of deal {deal_id}")
            self._edit(invoice_id, entity_id=deal_id)

    # -- contacts, addresses and deals ---------------------------------------------------

    def create_product(self, title: str, price: Decimal) -> int:
        """A product saved in the CRM's products screen (admins only there too); its id."""
        with self.store.lock:
            item = Item(
                id=self.store.next_id("invoiceitem"),
                title=title,
                description="",
                sku="",
                price=stored_decimal(Decimal(price)),
                stock_quantity=Decimal(0),
                track_inventory=False,
                tax1_id=0,
                tax2_id=0,
                create_on=self._clock(),
                create_by=self.store.admin.id,
            )
            return self.store.put_item(item).id

    def create_company(self, name: str) -> int:
        return self._contact(is_company=True, company_name=name)

    def create_person(self, first_name: str, last_name: str) -> int:
        return self._contact(is_company=False, first_name=first_name, last_name=last_name)

    def add_address(
        self,
        contact_id: int,
        street: str,
        city: str = "",
        zip_code: str = "",
        country: str = "",
        *,
        delivery: bool = True,
    ) -> int:
        """A Delivery (Postal) address, or with `delivery=False` a Billing one; its id."""
        data = {"street": street, "city": city, "state": "", "zip": zip_code, "country": country}
        category = ADDRESS_POSTAL if delivery else ADDRESS_BILLING
        with self.store.lock:
            info = ContactInfo(
                self.store.next_id("contactinfo"),
                contact_id,
                INFO_ADDRESS,
                category,
                json.dumps(data, ensure_ascii=False, indent=2),
                is_primary=True,
            )
            return self.store.put_info(info).id

    def create_deal(
        self,
        title: str,
        contact_id: int,
        members: Sequence[int] = (),
        *,
        private_to: Sequence[str] | None = None,
    ) -> int:
        """A deal of `contact_id` with further `members`; `private_to` makes it private and
        readable only by those user ids."""
        with self.store.lock:
            deal = Deal(
                self.store.next_id("deal"),
                title,
                contact_id,
                tuple(dict.fromkeys((contact_id, *members))),
                private_to is not None,
                tuple(private_to or ()),
                self._clock(),
                self.store.admin.id,
            )
            return self.store.put_deal(deal).id

    # -- broken rows ---------------------------------------------------------------------

    def damage(self, kind: str, record_id: int, field: str, how: str) -> None:
        """Makes one field of one stored record look broken on the wire (`damage.HOWS`).

        `kind` is one of invoice, line, contact, item, tax. ONLYOFFICE has no payment modes.
        """
        broken_rows.damage_onlyoffice(self.store, self.zone, kind, record_id, field, how)

    def repair(self, kind: str, record_id: int) -> None:
        self.store.damage.repair(kind, record_id)

    # -- plumbing -------------------------------------------------------------------------

    def _change_line(self, invoice_id: int, position: int, **changes: object) -> None:
        with self.store.lock:
            lines = self.lines_of(invoice_id)
            lines[position] = dataclasses.replace(lines[position], **changes)  # type: ignore[arg-type]
            self.set_lines(invoice_id, lines)

    def _edit(self, invoice_id: int, **changes: object) -> None:
        """Reopen if needed, change, save, and send it back to where it was."""
        with self.store.lock:
            status = self._invoice(invoice_id).status
            self.move_to(invoice_id, InvoiceStatus.DRAFT)
            self._save(dataclasses.replace(self._invoice(invoice_id), **changes))  # type: ignore[arg-type]
            self.move_to(invoice_id, status)

    def _save(self, invoice: Invoice) -> None:
        self.store.damage.repair("invoice", invoice.id)  # the screen saves the whole row
        self.store.put_invoice(invoice)
        print_data = build_print_data(self.store, invoice, self.zone)
        self.store.edit_invoice(invoice.id, json_data=print_data)

    def _stored_lines(self, invoice_id: int, lines: Sequence[AdminLine]) -> tuple[InvoiceLine, ...]:
        return tuple(
            InvoiceLine(
                id=self.store.next_id("invoiceline"),
                invoice_id=invoice_id,
                item_id=line.item_id,
                tax1_id=line.tax1_id,
                tax2_id=line.tax2_id,
                sort_order=position,
                description=line.description,
                quantity=stored_decimal(Decimal(line.quantity)),
                price=stored_decimal(Decimal(line.price)),
                discount=stored_decimal(Decimal(line.discount)),
            )
            for position, line in enumerate(lines)
        )

    def _contact(self, **fields: object) -> int:
        with self.store.lock:
            base: dict[str, object] = {
                "id": self.store.next_id("contact"),
                "is_company": False,
                "company_name": "",
                "first_name": "",
                "last_name": "",
                "job_title": None,
                "company_id": 0,
                "about": None,
                "share_type": SHARE_READ_WRITE,
                "managers": (),
                "currency": None,
                "created": self._clock(),
                "create_by": self.store.admin.id,
            }
            base.update(fields)
            return self.store.put_contact(Contact(**base)).id  # type: ignore[arg-type]

    def _check_delivery(self, info_id: int, consignee_id: int) -> None:
        info = self.store.info(info_id)
        if info is None or info.info_type != INFO_ADDRESS or info.category != ADDRESS_POSTAL:
            raise ScreenRefused(f"{info_id} is no delivery address")
        if info.contact_id != consignee_id:
            raise ScreenRefused(f"address {info_id} does not belong to contact {consignee_id}")

    def _billing_address(self, contact_id: int) -> int:
        ids = [
            info.id
            for info in self.store.infos_of(contact_id)
            if info.info_type == INFO_ADDRESS and info.category == ADDRESS_BILLING
        ]
        return min(ids, default=0)

    def _invoice(self, invoice_id: int) -> Invoice:
        invoice = self.store.invoice(invoice_id)
        if invoice is None:
            raise KeyError(f"no ONLYOFFICE invoice {invoice_id}")
        return invoice

    def _utc(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)
