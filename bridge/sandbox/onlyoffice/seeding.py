"""Loading a neutral `SeedData` into the simulated portal in ONLYOFFICE's own shapes.

Owns the seeding rules:
* taxes (ids 1..), one item per product with its catalogue taxes as `invoiceTax1`/`invoiceTax2`;
* one contact per customer, ids 1.. in order, shared (`shareType` 1), in the customer's
  currency, with an e-mail row (category Work) and, when the customer has one, a Billing
  (category 3) address; persons are persons (first and last name), companies are companies;
* deals (opportunities) named on invoices, one per title and contact, with that contact as a
  member; a Delivery (Postal, category 1) address on the consignee of a shipped invoice (the
  other customer it ships to, or the customer itself);
* one invoice per seed invoice ONLYOFFICE holds (a Perfex draft without a number yet was never
  copied), in seed order: number `INV-000042`, the customer as contact, its billing address as
  `billingAddressID`, the consignee and its delivery address, the deal, currency, exchange
  rate, language, template, purchase order number, terms, the client note as `description`,
  issue and due date at midnight in the portal zone (no due date, or MySQL's zero date in
  Perfex, becomes issue date + 30 days); text with CRLF line breaks arrives with LF, as the
  portal's screens send it;
* lines pointing at the item of their product, the line's own text (empty for a bare line, so
  the title shows), up to two taxes, the line discount; a Perfex invoice discount becomes the
  per-line percentage a person would type (the percent itself, or a fixed amount as a
  two-decimal share of the subtotal); Perfex adjustments have no place and are left out;
* the status reached through the allowed transitions: draft -> Draft; unpaid and
  partially_paid -> Sent; paid -> Paid (via Sent); cancelled -> Rejected (via Sent).

It writes through the store directly, so the seed bypasses permissions, but never the
transition table or the rounding.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bridge.sandbox.onlyoffice.access import SHARE_READ_WRITE
from bridge.sandbox.onlyoffice.invoice_writes import move_status
from bridge.sandbox.onlyoffice.printdata import build_print_data
from bridge.sandbox.onlyoffice.records import (
    ADDRESS_BILLING,
    ADDRESS_POSTAL,
    INFO_ADDRESS,
    INFO_EMAIL,
    Contact,
    ContactInfo,
    Deal,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Item,
    Tax,
    stored_decimal,
)
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.seed import (
    SeedAddress,
    SeedCustomer,
    SeedData,
    SeedInvoice,
    SeedLine,
    SeedProduct,
    SeedTax,
)

EMAIL_WORK = 1
STATUS_PATHS: dict[str, tuple[InvoiceStatus, ...]] = {
    "draft": (),
    "unpaid": (InvoiceStatus.SENT,),
    "partially_paid": (InvoiceStatus.SENT,),
    "paid": (InvoiceStatus.SENT, InvoiceStatus.PAID),
    "cancelled": (InvoiceStatus.SENT, InvoiceStatus.REJECTED),
}
DEFAULT_DUE = timedelta(days=30)
CENT = Decimal("0.01")


def address_text(address: SeedAddress) -> str:
    """Address contact info as the portal stores it: indented JSON text."""
    parts = {
        "street": address.street,
        "city": address.city,
        "state": address.state,
        "zip": address.zip,
        "country": address.country,
    }
    return json.dumps(parts, ensure_ascii=False, indent=2)


class _Loader:
    """Holds the id maps of one seeding run."""

    def __init__(self, store: OnlyofficeStore, zone: ZoneInfo, now: datetime) -> None:
        self.store, self.zone, self.now = store, zone, now
        self.admin = store.admin.id
        self.tax_ids: dict[SeedTax, int] = {}
        self.item_ids: dict[str, int] = {}
        self.contacts: dict[int, tuple[int, int]] = {}  # customer key -> (contact, billing)
        self.deliveries: dict[tuple[int, str], int] = {}  # (contact, address) -> info id
        self.deals: dict[tuple[str, int], int] = {}  # (title, contact) -> deal id

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

    def item(self, product: SeedProduct) -> None:
        taxes = [self.tax_ids[tax] for tax in product.taxes[:2]] + [0, 0]
        item = Item(
            id=self.store.next_id("invoiceitem"),
            title=product.title,
            description=_lf(product.long_description),
            sku="",
            price=stored_decimal(product.price),
            stock_quantity=Decimal(0),
            track_inventory=False,
            tax1_id=taxes[0],
            tax2_id=taxes[1],
            create_on=self.now,
            create_by=self.admin,
        )
        self.item_ids[product.title] = self.store.put_item(item).id

    def contact(self, customer: SeedCustomer) -> None:
        contact = Contact(
            id=self.store.next_id("contact"),
            is_company=not customer.is_person,
            company_name="" if customer.is_person else customer.company,
            first_name=customer.first_name,
            last_name=customer.last_name,
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
        billing = 0
        if customer.billing:
            billing = self._info(
                contact.id, INFO_ADDRESS, ADDRESS_BILLING, address_text(customer.address)
            ).id
        self.contacts[customer.key] = (contact.id, billing)

    def _info(self, contact_id: int, info_type: int, category: int, data: str) -> ContactInfo:
        info_id = self.store.next_id("contactinfo")
        info = ContactInfo(info_id, contact_id, info_type, category, data, is_primary=True)
        return self.store.put_info(info)

    def _delivery(self, contact_id: int, address: SeedAddress) -> int:
        text = address_text(address)
        known = self.deliveries.get((contact_id, text))
        if known is None:
            known = self._info(contact_id, INFO_ADDRESS, ADDRESS_POSTAL, text).id
            self.deliveries[(contact_id, text)] = known
        return known

    def _deal(self, title: str | None, contact_id: int) -> int:
        if title is None:
            return 0
        known = self.deals.get((title, contact_id))
        if known is None:
            deal = Deal(
                self.store.next_id("deal"),
                title,
                contact_id,
                (contact_id,),
                False,
                (),
                self.now,
                self.admin,
            )
            known = self.deals[(title, contact_id)] = self.store.put_deal(deal).id
        return known

    def _utc_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)

    def _line(
        self, invoice_id: int, position: int, seed: SeedLine, discount: Decimal
    ) -> InvoiceLine:
        item_id = self.item_ids.get(seed.product_title)
        if item_id is None:
            raise ValueError(f"seed line {seed.product_title!r} names no seeded product")
        taxes = [self.tax_ids[tax] for tax in seed.taxes[:2]] + [0, 0]
        return InvoiceLine(
            id=self.store.next_id("invoiceline"),
            invoice_id=invoice_id,
            item_id=item_id,
            tax1_id=taxes[0],
            tax2_id=taxes[1],
            sort_order=position,
            description=_lf(seed.onlyoffice_description),
            quantity=stored_decimal(seed.qty),
            price=stored_decimal(seed.rate),
            discount=stored_decimal(seed.discount or discount),
        )

    def invoice(self, seed: SeedInvoice) -> None:
        store = self.store
        contact_id, billing_id = self.contacts[seed.customer]
        consignee_id, delivery_id = self._consignee(seed, contact_id)
        extras = seed.onlyoffice
        invoice_id = store.next_id("invoice")
        discount = _header_discount(seed)
        invoice = Invoice(
            id=invoice_id,
            number=f"INV-{seed.number:06d}",
            status=InvoiceStatus.DRAFT,
            issue_date=self._utc_midnight(seed.date),
            due_date=self._utc_midnight(seed.duedate or seed.date + DEFAULT_DUE),
            template_type=extras.template_type,
            contact_id=contact_id,
            consignee_id=consignee_id,
            entity_id=self._deal(extras.deal, contact_id),
            language=extras.language,
            currency=seed.currency,
            exchange_rate=stored_decimal(extras.exchange_rate),
            purchase_order_number=extras.purchase_order_number,
            terms=_lf(seed.terms),
            description=_lf(seed.clientnote),
            file_id=0,
            billing_address_id=billing_id,
            delivery_address_id=delivery_id,
            json_data="",
            create_on=self.now,
            create_by=self.admin,
            lines=tuple(
                self._line(invoice_id, i, line, discount) for i, line in enumerate(seed.lines)
            ),
        )
        store.put_invoice(invoice)
        store.edit_invoice(invoice_id, json_data=build_print_data(store, invoice, self.zone))
        for status in STATUS_PATHS[seed.state]:
            move_status(store, store.invoice(invoice_id), status)  # type: ignore[arg-type]

    def _consignee(self, seed: SeedInvoice, contact_id: int) -> tuple[int, int]:
        if seed.shipping is None:
            return 0, 0
        key = seed.shipping.consignee
        consignee = self.contacts[key][0] if key is not None else contact_id
        return consignee, self._delivery(consignee, seed.shipping.address)


def _header_discount(seed: SeedInvoice) -> Decimal:
    """A Perfex invoice discount as the per-line percentage a person would type."""
    discount = seed.discount
    if discount is None:
        return Decimal(0)
    if discount.percent:
        return discount.percent
    subtotal = sum(((line.qty * line.rate).quantize(CENT) for line in seed.lines), Decimal(0))
    if not subtotal:
        return Decimal(0)
    return (discount.fixed * 100 / subtotal).quantize(CENT, rounding=ROUND_HALF_UP)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def load_seed(store: OnlyofficeStore, seed: SeedData, zone: ZoneInfo, now: datetime) -> None:
    """Adds everything in `seed` to the store, in seed order, under the store's lock."""
    with store.lock:
        loader = _Loader(store, zone, now)
        for tax in seed.taxes:
            loader.tax(tax)
        for product in seed.products:
            loader.item(product)
        for customer in seed.customers:
            loader.contact(customer)
        for invoice in seed.invoices:
            if invoice.onlyoffice.copied:
                loader.invoice(invoice)
