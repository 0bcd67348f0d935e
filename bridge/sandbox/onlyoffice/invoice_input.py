"""Binding and validating the body of `POST invoice` / `PUT invoice/{id}` and of lines (§3.3).

Owns the invoice and line parameters as bound values, and the checks of §3.3 in their order:
lines first (400), then required fields (400), then contact/consignee/deal (400 vs 403), then
the currency (400), then the billing/delivery address ids (400). Number checks and saving are
the handlers' (they differ between create and update). It must not store anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.access import Caller
from bridge.sandbox.onlyoffice.binding import Params, to_decimal, to_int
from bridge.sandbox.onlyoffice.failures import access_denied, bad_argument
from bridge.sandbox.onlyoffice.records import (
    ADDRESS_BILLING,
    ADDRESS_POSTAL,
    INFO_ADDRESS,
    parse_enum,
)
from bridge.sandbox.onlyoffice.store import OnlyofficeStore

# The C# properties of an invoice line; each binds under exactly three spellings (§2.6).
LINE_FIELDS = (
    "ID",
    "InvoiceID",
    "InvoiceItemID",
    "InvoiceTax1ID",
    "InvoiceTax2ID",
    "SortOrder",
    "Description",
    "Quantity",
    "Price",
    "Discount",
)
TEMPLATE_TYPES = {0: "Eur", 1: "Rus"}


@dataclass(frozen=True)
class LineInput:
    item_id: int
    tax1_id: int
    tax2_id: int
    sort_order: int
    description: str | None
    quantity: Decimal
    price: Decimal
    discount: Decimal


@dataclass(frozen=True)
class InvoiceInput:
    number: str | None
    issue_date: datetime | None
    due_date: datetime | None
    contact_id: int
    consignee_id: int
    entity_id: int
    billing_address_id: int
    delivery_address_id: int
    template_type: int
    language: str | None
    currency: str | None
    exchange_rate: Decimal
    purchase_order_number: str | None
    terms: str | None
    description: str | None
    lines: tuple[LineInput, ...] | None


def _int(row: dict[str, str], key: str) -> int:
    return to_int(row[key]) if row.get(key) else 0


def _dec(row: dict[str, str], key: str) -> Decimal:
    return to_decimal(row[key]) if row.get(key) else Decimal(0)


def _line_from_row(row: dict[str, str]) -> LineInput:
    return LineInput(
        item_id=_int(row, "InvoiceItemID"),
        tax1_id=_int(row, "InvoiceTax1ID"),
        tax2_id=_int(row, "InvoiceTax2ID"),
        sort_order=_int(row, "SortOrder"),
        description=row.get("Description"),
        quantity=_dec(row, "Quantity"),
        price=_dec(row, "Price"),
        discount=_dec(row, "Discount"),
    )


def bind_invoice(params: Params) -> InvoiceInput:
    rows = params.objects("invoiceLines", LINE_FIELDS)  # the array key is case-sensitive
    template = params.text("templateType")
    return InvoiceInput(
        number=params.text("number"),
        issue_date=params.datetime("issueDate"),
        due_date=params.datetime("dueDate"),
        contact_id=params.integer("contactId"),
        consignee_id=params.integer("consigneeId"),
        entity_id=params.integer("entityId"),
        billing_address_id=params.integer("billingAddressID"),
        delivery_address_id=params.integer("deliveryAddressID"),
        template_type=parse_enum(template, TEMPLATE_TYPES) if template else 0,
        language=params.text("language"),
        currency=params.text("currency"),
        exchange_rate=params.decimal("exchangeRate"),
        purchase_order_number=params.text("purchaseOrderNumber"),
        terms=params.text("terms"),
        description=params.text("description"),
        lines=None if rows is None else tuple(_line_from_row(row) for row in rows),
    )


def bind_line_params(params: Params) -> LineInput:
    """The top-level parameters of the `invoiceline` endpoints (case-insensitive, §5.2)."""
    return LineInput(
        item_id=params.integer("invoiceItemId"),
        tax1_id=params.integer("invoiceTax1Id"),
        tax2_id=params.integer("invoiceTax2Id"),
        sort_order=params.integer("sortOrder"),
        description=params.text("description"),
        quantity=params.decimal("quantity"),
        price=params.decimal("price"),
        discount=params.decimal("discount"),
    )


def line_is_valid(store: OnlyofficeStore, line: LineInput) -> bool:
    """IsLinesForInvoiceCorrect for one line, including that its item and taxes exist."""
    if line.item_id <= 0 or line.tax1_id < 0 or line.tax2_id < 0:
        return False
    if line.quantity < 0 or line.price < 0 or not 0 <= line.discount <= 100:
        return False
    if store.item(line.item_id) is None:
        return False
    return all(t == 0 or store.tax(t) is not None for t in (line.tax1_id, line.tax2_id))


def check_lines(store: OnlyofficeStore, lines: tuple[LineInput, ...] | None) -> None:
    """Step 1 of §3.3, before anything else: at least one line, every line valid."""
    if not lines or not all(line_is_valid(store, line) for line in lines):
        raise bad_argument()


def check_header(store: OnlyofficeStore, caller: Caller, data: InvoiceInput) -> str:
    """Steps 2-5 of §3.3; returns the upper-cased currency abbreviation."""
    if data.issue_date is None or data.due_date is None or data.contact_id <= 0:
        raise bad_argument()
    if not data.currency or data.exchange_rate <= 0 or not data.terms:
        raise bad_argument()
    _check_contact(store, caller, data.contact_id)
    if data.consignee_id > 0:
        _check_contact(store, caller, data.consignee_id)
    if data.entity_id > 0:
        _check_deal(store, caller, data.entity_id, data.contact_id)
    currency = data.currency.upper()
    if store.currency(currency) is None:
        raise bad_argument()
    _check_address(store, data.billing_address_id, data.contact_id, ADDRESS_BILLING)
    _check_address(store, data.delivery_address_id, data.consignee_id, ADDRESS_POSTAL)
    return currency


def _check_contact(store: OnlyofficeStore, caller: Caller, contact_id: int) -> None:
    contact = store.contact(contact_id)
    if contact is None:
        raise bad_argument()
    if not access.can_read_contact(caller, contact):
        raise access_denied()


def _check_deal(store: OnlyofficeStore, caller: Caller, deal_id: int, contact_id: int) -> None:
    deal = store.deal(deal_id)
    if deal is None:
        raise bad_argument()
    if not access.can_read_deal(caller, deal):
        raise access_denied()
    if contact_id not in deal.members:
        raise bad_argument()  # the invoice's contact must be linked to the deal (§3.3)


def _check_address(store: OnlyofficeStore, info_id: int, owner_id: int, category: int) -> None:
    # The delivery address must belong to the consignee, so it needs one (§3.3).
    if info_id <= 0:
        return
    info = store.info(info_id)
    if info is None or info.info_type != INFO_ADDRESS or info.category != category:
        raise bad_argument()
    if owner_id <= 0 or info.contact_id != owner_id:
        raise bad_argument()
