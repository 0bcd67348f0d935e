"""The wire shapes of invoices, lines, items, taxes, currencies and users (§4, §5.1, §6, §8).

Owns turning stored records into the camelCase dictionaries ONLYOFFICE's wrappers serialise to
(`invoiceItemID`, `fileID`, `trackInvenory` with its typo, enums as numbers), as seen by one
caller at one portal time zone. It must not change data or raise HTTP errors other than the
500 the real server gives when a wrapper dereferences a missing tax (§6.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.access import Caller
from bridge.sandbox.onlyoffice.costing import invoice_cost
from bridge.sandbox.onlyoffice.failures import null_reference
from bridge.sandbox.onlyoffice.options import CurrencyInfo
from bridge.sandbox.onlyoffice.records import (
    STATUS_TITLES,
    Contact,
    Invoice,
    InvoiceLine,
    Item,
    Tax,
)
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wire import format_api_datetime

EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
Wire = dict[str, object]


@dataclass(frozen=True)
class View:
    """Everything a wrapper needs to know about the request it answers."""

    store: OnlyofficeStore
    caller: Caller | None
    zone: ZoneInfo
    base_url: str  # "http://host/" as the client addressed the portal

    def date(self, moment: datetime | None) -> str:
        return format_api_datetime(moment, self.zone)

    @property
    def is_admin(self) -> bool:
        return self.caller is not None and self.caller.is_admin


def currency_wrapper(currency: CurrencyInfo | None) -> Wire | None:
    if currency is None:
        return None
    return {
        "title": currency.title,
        "symbol": currency.symbol,
        "abbreviation": currency.abbreviation,
        "cultureName": currency.culture_name,
        "isConvertable": currency.is_convertable,
        "isBasic": currency.is_basic,
    }


def default_currency(view: View) -> Wire | None:
    return currency_wrapper(view.store.currency(view.store.default_currency))


def employee_wrapper(view: View, user_id: str) -> Wire:
    user = view.store.user(user_id)
    if user is None:
        # What the POST invoice reply carries: a user that was never filled in (§3.3).
        return {"id": EMPTY_GUID, "displayName": "", "avatarSmall": None, "profileUrl": ""}
    wire: Wire = {"id": user.id, "displayName": user.display_name}
    if user.title:
        wire["title"] = user.title
    wire["avatarSmall"] = None
    wire["profileUrl"] = f"{view.base_url}Products/People/Profile.aspx?user={user.user_name}"
    return wire


def status_wrapper(status: int) -> Wire:
    return {"id": int(status), "title": STATUS_TITLES.get(status, str(status))}


def line_wrapper(line: InvoiceLine, store: OnlyofficeStore | None = None) -> Wire:
    wire: Wire = {
        "id": line.id,
        "invoiceID": line.invoice_id,
        "invoiceItemID": line.item_id,
        "invoiceTax1ID": line.tax1_id,
        "invoiceTax2ID": line.tax2_id,
        "sortOrder": line.sort_order,
        "description": line.description,
        "quantity": line.quantity,
        "price": line.price,
        "discount": line.discount,
    }
    return wire if store is None else store.damage.apply("line", line.id, wire)


def tax_wrapper(view: View, tax: Tax) -> Wire:
    return view.store.damage.apply(
        "tax",
        tax.id,
        {
            "id": tax.id,
            "name": tax.name,
            "description": tax.description,
            "rate": tax.rate,
            "createOn": view.date(tax.create_on),
            "createBy": employee_wrapper(view, tax.create_by),
            "canEdit": view.is_admin,
            "canDelete": view.is_admin and not view.store.tax_in_use(tax.id),
        },
    )


def _item_tax(view: View, tax_id: int) -> Wire | None:
    if tax_id <= 0:
        return None
    tax = view.store.tax(tax_id)
    if tax is None:
        raise null_reference()  # items keep unchecked tax ids; reading one fails (§6.1)
    return tax_wrapper(view, tax)


def item_wrapper(view: View, item: Item) -> Wire:
    return view.store.damage.apply(
        "item",
        item.id,
        {
            "id": item.id,
            "title": item.title,
            "stockKeepingUnit": item.sku,
            "description": item.description,
            "price": item.price,
            "currency": default_currency(view),
            "stockQuantity": item.stock_quantity,
            "trackInvenory": item.track_inventory,  # sic: the typo is on the wire (§2.3)
            "invoiceTax1": _item_tax(view, item.tax1_id),
            "invoiceTax2": _item_tax(view, item.tax2_id),
            "createOn": view.date(item.create_on),
            "createBy": employee_wrapper(view, item.create_by),
            "canEdit": view.is_admin,
            "canDelete": view.is_admin and not view.store.item_in_use(item.id),
        },
    )


def _photo_url(view: View, contact: Contact, size: int) -> str:
    flag = "True" if contact.is_company else "False"
    return (
        f"{view.base_url}HttpHandlers/filehandler.ashx?action=contactphotoulr"
        f"&cid={contact.id}&isc={flag}&ps={size}"
    )


def contact_base(view: View, contact: Contact, *, can_delete: bool = False) -> Wire:
    """ContactBaseWrapper, the quick variant used inside invoices (`canDelete` false, §4.1)."""
    private = contact.share_type == access.SHARE_NONE
    wire: Wire = {
        "id": contact.id,
        "displayName": contact.display_name,
        "isCompany": contact.is_company,
        "isPrivate": private,
        "isShared": not private,
        "shareType": contact.share_type,
        "currency": currency_wrapper(view.store.currency(contact.currency or "")),
        "canEdit": view.caller is not None and access.can_edit_contact(view.caller, contact),
        "canDelete": can_delete,
        "smallFotoUrl": _photo_url(view, contact, 1),
        "mediumFotoUrl": _photo_url(view, contact, 2),
    }
    if private:
        wire["accessList"] = [employee_wrapper(view, uid) for uid in contact.managers]
    return view.store.damage.apply("contact", contact.id, wire)


def _readable_contact(view: View, contact_id: int) -> Wire | None:
    contact = view.store.contact(contact_id) if contact_id > 0 else None
    if contact is None or view.caller is None:
        return None
    if not access.can_read_contact(view.caller, contact):
        return None  # lists show null for contacts the caller cannot read (§3.2)
    return contact_base(view, contact)


def invoice_wrapper(view: View, invoice: Invoice, *, full: bool, enrich: bool = True) -> Wire:
    """InvoiceWrapper (full: with lines) or InvoiceBaseWrapper; `enrich=False` is the partial
    shape of `invoice/bynumber`: no contacts, no entity, no lines, cost 0 (§3.9)."""
    caller = view.caller
    currency = view.store.currency(invoice.currency) or view.store.currency(
        view.store.default_currency
    )
    wire: Wire = {
        "id": invoice.id,
        "status": status_wrapper(invoice.status),
        "number": invoice.number,
        "issueDate": view.date(invoice.issue_date),
        "templateType": invoice.template_type,
        "contact": _readable_contact(view, invoice.contact_id) if enrich else None,
        "consignee": _readable_contact(view, invoice.consignee_id) if enrich else None,
        "entity": entity_wrapper(view, invoice.entity_id) if enrich else None,
        "dueDate": view.date(invoice.due_date),
        "language": invoice.language,
        "currency": currency_wrapper(currency),
        "exchangeRate": invoice.exchange_rate,
        "purchaseOrderNumber": invoice.purchase_order_number,
        "terms": invoice.terms,
        "description": invoice.description,
        "fileID": invoice.file_id,
        "createOn": view.date(invoice.create_on),
        "createBy": employee_wrapper(view, invoice.create_by),
        "cost": invoice_cost(invoice.lines, view.store.taxes) if enrich else Decimal(0),
        "canEdit": caller is not None and access.can_edit_invoice(caller, invoice),
        "canDelete": caller is not None and access.can_delete_invoice(caller, invoice),
    }
    if full:
        wire["invoiceLines"] = sorted_lines(invoice, view.store) if enrich else None
    return view.store.damage.apply("invoice", invoice.id, wire)


def entity_wrapper(view: View, deal_id: int) -> Wire | None:
    """The linked deal as `{entityType, entityId, entityTitle}`; null without one (§4.1)."""
    deal = view.store.deal(deal_id) if deal_id > 0 else None
    if deal is None:
        return None
    return {"entityType": "opportunity", "entityId": deal.id, "entityTitle": deal.title}


def sorted_lines(invoice: Invoice, store: OnlyofficeStore | None = None) -> list[Wire]:
    ordered = sorted(invoice.lines, key=lambda line: (line.sort_order, line.id))
    return [line_wrapper(line, store) for line in ordered]
