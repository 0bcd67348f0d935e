"""Loading a neutral `SeedData` into the simulated portal in ONLYOFFICE's own shapes.

Owns the seeding rules: taxes (ids 1..), one item per product (its tax as `invoiceTax1`), one
shared company per customer with an e-mail row and a Billing (category 3) address, and one
invoice per seed invoice, numbered `INV-000042`, its lines pointing at the item of the same
title, its status reached through the allowed transitions (draft -> Draft, unpaid and
partially_paid -> Sent, paid -> Paid, cancelled -> Rejected). It writes through the store
directly, so the seed bypasses permissions, but never the transition table or the rounding.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bridge.sandbox.onlyoffice.access import SHARE_READ_WRITE
from bridge.sandbox.onlyoffice.invoice_writes import move_status
from bridge.sandbox.onlyoffice.printdata import build_print_data
from bridge.sandbox.onlyoffice.records import (
    ADDRESS_BILLING,
    INFO_ADDRESS,
    INFO_EMAIL,
    Contact,
    ContactInfo,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Item,
    Tax,
    stored_decimal,
)
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.seed import SeedCustomer, SeedData, SeedInvoice, SeedLine, SeedTax

EMAIL_WORK = 1
STATUS_PATHS: dict[str, tuple[InvoiceStatus, ...]] = {
    "draft": (),
    "unpaid": (InvoiceStatus.SENT,),
    "partially_paid": (InvoiceStatus.SENT,),
    "paid": (InvoiceStatus.SENT, InvoiceStatus.PAID),
    "cancelled": (InvoiceStatus.SENT, InvoiceStatus.REJECTED),
}
DEFAULT_DUE = timedelta(days=30)


class _Loader:
    """Holds the id maps of one seeding run."""

    def __init__(self, store: OnlyofficeStore, zone: ZoneInfo, now: datetime) -> None:
        self.store, self.zone, self.now = store, zone, now
        self.admin = store.admin.id
        self.tax_ids: dict[SeedTax, int] = {}
        self.item_ids: dict[str, int] = {}
        self.companies: dict[int, tuple[int, int]] = {}  # customer key -> (contact, billing)

    def tax(self, seed: SeedTax) -> None:
        tax = Tax(
            self.store.next_id("invoicetax"),
            seed.name,
            "",
            stored_decimal(seed.rate),
            self.now,
            self.admin,
        )
        self.tax_ids[seed] = self.store.put_tax(tax).id

    def item(self, title: str, price: Decimal, seed_tax: SeedTax | None) -> None:
        item = Item(
            id=self.store.next_id("invoiceitem"),
            title=title,
            description="",
            sku="",
            price=stored_decimal(price),
            stock_quantity=Decimal(0),
            track_inventory=False,
            tax1_id=self._tax_id(seed_tax),
            tax2_id=0,
            create_on=self.now,
            create_by=self.admin,
        )
        self.item_ids[title] = self.store.put_item(item).id

    def _tax_id(self, seed_tax: SeedTax | None) -> int:
        return 0 if seed_tax is None else self.tax_ids[seed_tax]

    def company(self, customer: SeedCustomer) -> None:
        contact = Contact(
            id=self.store.next_id("contact"),
            is_company=True,
            company_name=customer.company,
            first_name="",
            last_name="",
            job_title=None,
            company_id=0,
            about=None,
            share_type=SHARE_READ_WRITE,
            managers=(),
            currency=customer.currency,
            created=self.now,
            create_by=self.admin,
        )
        self.store.put_contact(contact)
        self._info(contact.id, INFO_EMAIL, EMAIL_WORK, customer.email)
        address = {
            "street": customer.street,
            "city": customer.city,
            "state": "",
            "zip": customer.zip,
            "country": customer.country,
        }
        text = json.dumps(address, ensure_ascii=False, indent=2)
        billing = self._info(contact.id, INFO_ADDRESS, ADDRESS_BILLING, text)
        self.companies[customer.key] = (contact.id, billing.id)

    def _info(self, contact_id: int, info_type: int, category: int, data: str) -> ContactInfo:
        info_id = self.store.next_id("contactinfo")
        info = ContactInfo(info_id, contact_id, info_type, category, data, is_primary=True)
        return self.store.put_info(info)

    def _utc_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)

    def _line(self, invoice_id: int, position: int, seed: SeedLine) -> InvoiceLine:
        item_id = self.item_ids.get(seed.description)
        if item_id is None:
            raise ValueError(f"seed line {seed.description!r} names no seeded product")
        return InvoiceLine(
            id=self.store.next_id("invoiceline"),
            invoice_id=invoice_id,
            item_id=item_id,
            tax1_id=self._tax_id(seed.tax),
            tax2_id=0,
            sort_order=position,
            description=seed.description,
            quantity=stored_decimal(seed.qty),
            price=stored_decimal(seed.rate),
            discount=Decimal(0),
        )

    def invoice(self, seed: SeedInvoice) -> None:
        store = self.store
        contact_id, billing_id = self.companies[seed.customer]
        invoice_id = store.next_id("invoice")
        due = seed.duedate or seed.date + DEFAULT_DUE
        invoice = Invoice(
            id=invoice_id,
            number=f"INV-{seed.number:06d}",
            status=InvoiceStatus.DRAFT,
            issue_date=self._utc_midnight(seed.date),
            due_date=self._utc_midnight(due),
            template_type=0,
            contact_id=contact_id,
            consignee_id=0,
            entity_id=0,
            language="en-US",
            currency=seed.currency,
            exchange_rate=Decimal(1),
            purchase_order_number="",
            terms=seed.terms,
            description=seed.clientnote,
            file_id=0,
            billing_address_id=billing_id,
            delivery_address_id=0,
            json_data="",
            create_on=self.now,
            create_by=self.admin,
            lines=tuple(self._line(invoice_id, i, line) for i, line in enumerate(seed.lines)),
        )
        store.put_invoice(invoice)
        store.edit_invoice(invoice_id, json_data=build_print_data(store, invoice, self.zone))
        for status in STATUS_PATHS[seed.state]:
            move_status(store, store.invoice(invoice_id), status)  # type: ignore[arg-type]


def load_seed(store: OnlyofficeStore, seed: SeedData, zone: ZoneInfo, now: datetime) -> None:
    """Adds everything in `seed` to the store, in seed order, under the store's lock."""
    with store.lock:
        loader = _Loader(store, zone, now)
        for tax in seed.taxes:
            loader.tax(tax)
        for product in seed.products:
            loader.item(product.title, product.price, product.tax)
        for customer in seed.customers:
            loader.company(customer)
        for invoice in seed.invoices:
            loader.invoice(invoice)
