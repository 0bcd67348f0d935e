"""Typed models of the ONLYOFFICE CRM API's invoice-related payloads, and their parsing.

Owns: `OnlyofficeLine`, `OnlyofficeInvoice`, `OnlyofficeTax`, `OnlyofficeItem`,
`OnlyofficeContact` and `Address`, read from the `response` objects the API wraps in its
envelope (docs/onlyoffice-api.md 2.3-2.5, 4.1, 5.1, 6, 7.2).

Must not: do I/O, unwrap envelopes (the adapter does), or build write payloads (see
`to_onlyoffice.py`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mappings.perfex import TaxSpec
from mappings.raw import RawRecord, one_newline_style

# API notes 2.4: ApiDateTime is local time in the portal's zone, 7 fractional digits, then "Z"
# or "+hh:mm". The portal's zone is the user's calendar, so the date *as printed* is the date.
_API_DATE_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T\d{2}[:-]\d{2}[:-]\d{2}(?:\.\d{1,7})?(?:Z|[+-]\d{2}:\d{2})?)?"
)
# API notes 2.4: a missing or minimum date (.NET's DateTime.MinValue) prints as this day; it
# names no real day, like MySQL's zero date on the Perfex side.
_NO_DATE = "0001-01-01"
_EMAIL = 1  # ContactInfoType.Email (API notes 7.4)
_BILLING = 3  # AddressCategory.Billing (API notes 7.4)


def _reader(raw: object, what: str) -> RawRecord:
    return RawRecord(raw, what, any_case=True)


def _api_date(row: RawRecord, name: str) -> date:
    value = row.required(name)
    match = _API_DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise row.error(name, f"expected an ApiDateTime like 2024-05-01T00:00:00Z, got {value!r}")
    if match["date"] == _NO_DATE:
        raise row.error(name, f'"{value}" is not a date')
    return row.date_from(name, match["date"])


def _nested_id(row: RawRecord, name: str) -> int | None:
    """The `id` of a nested object (`contact`, `status`, `invoiceTax1`), or None when null."""
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, dict):
        return _reader(value, f"{row.what}: {name}").integer("id")
    return row.integer(name)


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    state: str
    zip: str
    country: str

    @classmethod
    def from_api(cls, raw: object, what: str = "ONLYOFFICE address") -> Address:
        row = _reader(raw, what)
        return cls(
            street=one_newline_style(row.text("street")),
            city=row.text("city"),
            state=row.text("state"),
            zip=row.text("zip"),
            country=row.text("country"),
        )


@dataclass(frozen=True, slots=True)
class OnlyofficeLine:
    """One invoice line; it must name an existing product (`item_id`). Tax id 0 = none."""

    item_id: int
    tax1_id: int
    tax2_id: int
    description: str
    quantity: Decimal
    price: Decimal
    discount: Decimal  # percent, 0..100

    @classmethod
    def from_api(cls, raw: object, what: str = "ONLYOFFICE line") -> OnlyofficeLine:
        row = _reader(raw, what)
        return cls(
            item_id=row.integer("invoiceItemID"),
            tax1_id=row.optional_integer("invoiceTax1ID") or 0,
            tax2_id=row.optional_integer("invoiceTax2ID") or 0,
            description=one_newline_style(row.text("description")),
            quantity=row.money("quantity"),
            price=row.money("price"),
            discount=row.money_or_zero("discount"),
        )


@dataclass(frozen=True, slots=True)
class OnlyofficeInvoice:
    """An ONLYOFFICE invoice; `lines` is None when read from an `invoice/filter` row."""

    id: int | None
    number: str
    status: int
    issue_date: date
    due_date: date
    contact_id: int | None
    consignee_id: int
    currency: str
    exchange_rate: Decimal
    language: str
    purchase_order_number: str
    terms: str
    description: str
    cost: Decimal | None
    lines: tuple[OnlyofficeLine, ...] | None
    # Owned by ONLYOFFICE (mappings/fields.py): read so that an update can send them back.
    entity_id: int = 0  # the deal (opportunity) the invoice is linked to; 0 = none
    template_type: int = 0
    contact_name: str = ""  # the contact's display name, for reports and for pairing

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> OnlyofficeInvoice:
        """Parse an InvoiceWrapper (`GET invoice/{id}`) or an InvoiceBaseWrapper list row."""
        row = RawRecord.named(raw, "ONLYOFFICE invoice", any_case=True)
        return cls(
            id=row.optional_integer("id"),
            number=row.text("number"),
            status=_required_nested_id(row, "status"),
            issue_date=_api_date(row, "issueDate"),
            due_date=_api_date(row, "dueDate"),
            contact_id=_nested_id(row, "contact"),
            consignee_id=_nested_id(row, "consignee") or 0,
            currency=_currency(row),
            exchange_rate=row.money("exchangeRate"),
            language=row.text("language"),
            purchase_order_number=row.text("purchaseOrderNumber"),
            terms=one_newline_style(row.text("terms")),
            description=one_newline_style(row.text("description")),
            cost=row.money("cost") if row.get("cost") is not None else None,
            lines=_lines(row),
            entity_id=_deal_id(row),
            template_type=row.optional_integer("templateType") or 0,
            contact_name=_contact_name(row),
        )


# Every field `OnlyofficeInvoice.from_api` reads (lower-cased: it reads any case), and of the
# nested objects the parts it reads; `slim_invoice_row` keeps only these.
_INVOICE_FIELDS_READ = frozenset(
    {
        "id",
        "number",
        "status",
        "issuedate",
        "duedate",
        "contact",
        "consignee",
        "currency",
        "exchangerate",
        "language",
        "purchaseordernumber",
        "terms",
        "description",
        "cost",
        "invoicelines",
        "entity",
        "templatetype",
    }
)
_NESTED_FIELDS_READ = {
    "status": frozenset({"id"}),
    "contact": frozenset({"id", "displayname"}),
    "consignee": frozenset({"id"}),
    "currency": frozenset({"abbreviation"}),
    "entity": frozenset({"entityid"}),
}


def slim_invoice_row(raw: Any, share: Callable[[str], str] | None = None) -> Any:
    """A list row with only what `OnlyofficeInvoice.from_api` reads (contacts lose their
    photo links, the creator and currency objects their display data): what a run keeps of
    thousands of rows until it needs them, at a fraction of the memory. `share` (`sys.intern`,
    say) lets rows hold one copy of the texts they repeat: terms, notes, dates, ids."""
    if not isinstance(raw, dict):
        return raw
    slim: dict[str, Any] = {}
    for key, value in raw.items():
        kept = _kept_field(key)
        if kept is None:
            continue
        if kept and isinstance(value, dict):
            value = {k: v for k, v in value.items() if _kept_nested(kept, k)}
            if share is not None:
                value = {k: share(v) if v.__class__ is str else v for k, v in value.items()}
        elif share is not None and value.__class__ is str:
            value = share(value)
        slim[key] = value
    return slim


@functools.lru_cache(maxsize=256)
def _kept_field(key: Any) -> frozenset[str] | None:
    """None for a field `from_api` does not read; else the parts of it read when it is an
    object (empty: all of it). Cached per spelling: rows repeat the same few keys."""
    name = str(key).lower()
    if name not in _INVOICE_FIELDS_READ:
        return None
    return _NESTED_FIELDS_READ.get(name, frozenset())


@functools.lru_cache(maxsize=256)
def _kept_nested(kept: frozenset[str], key: Any) -> bool:
    return str(key).lower() in kept


def _contact_name(row: RawRecord) -> str:
    contact = row.get("contact")
    if not isinstance(contact, dict):
        return ""
    return _reader(contact, f"{row.what}: contact").text("displayName").strip()


def _deal_id(row: RawRecord) -> int:
    """The deal an invoice is linked to: `entity` is `{"entityType": "opportunity",
    "entityId": 5, ...}` or null (API notes 4.1)."""
    entity = row.get("entity")
    if not isinstance(entity, dict):
        return 0
    return _reader(entity, f"{row.what}: entity").optional_integer("entityId") or 0


def _required_nested_id(row: RawRecord, name: str) -> int:
    value = _nested_id(row, name)
    if value is None:
        raise row.error(name, "missing")
    return value


def _currency(row: RawRecord) -> str:
    value = row.required("currency")
    if isinstance(value, dict):
        value = _reader(value, f"{row.what}: currency").required("abbreviation")
    if not isinstance(value, str) or not value.strip():
        raise row.error("currency", f"expected a currency code, got {value!r}")
    return value.strip().upper()


def _lines(row: RawRecord) -> tuple[OnlyofficeLine, ...] | None:
    lines = row.get("invoiceLines")
    if lines is None:
        return None
    if not isinstance(lines, list):
        raise row.error("invoiceLines", f"expected a list, got {type(lines).__name__}")
    return tuple(
        OnlyofficeLine.from_api(line, f"{row.what}: invoiceLines[{i}]")
        for i, line in enumerate(lines)
    )


@dataclass(frozen=True, slots=True)
class OnlyofficeTax:
    """A tax object (`GET invoice/tax`; API notes 6.2); lines refer to it by id."""

    id: int
    name: str
    rate: Decimal

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> OnlyofficeTax:
        row = RawRecord.named(raw, "ONLYOFFICE tax", any_case=True)
        return cls(id=row.integer("id"), name=row.text("name").strip(), rate=row.money("rate"))

    @property
    def spec(self) -> TaxSpec:
        return TaxSpec(name=self.name, rate=self.rate)


@dataclass(frozen=True, slots=True)
class OnlyofficeItem:
    """A product (`crm/invoiceitem`; API notes 6.1). Tax ids are 0 when the item has none."""

    id: int
    title: str
    price: Decimal
    tax1_id: int
    tax2_id: int

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> OnlyofficeItem:
        row = RawRecord.named(raw, "ONLYOFFICE item", any_case=True)
        return cls(
            id=row.integer("id"),
            title=row.text("title"),
            price=row.money("price"),
            tax1_id=_nested_id(row, "invoiceTax1") or 0,
            tax2_id=_nested_id(row, "invoiceTax2") or 0,
        )


@dataclass(frozen=True, slots=True)
class OnlyofficeContact:
    """A person or company (`GET contact/{id}`; API notes 7.2)."""

    id: int
    display_name: str
    is_company: bool
    emails: tuple[str, ...]
    billing_address: Address | None

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> OnlyofficeContact:
        row = RawRecord.named(raw, "ONLYOFFICE contact", any_case=True)
        return cls(
            id=row.integer("id"),
            display_name=row.text("displayName").strip(),
            is_company=row.get("isCompany") is True,
            emails=_emails(row),
            billing_address=_billing_address(row),
        )


def _emails(row: RawRecord) -> tuple[str, ...]:
    found: list[str] = []
    for info in _list(row, "commonData"):
        item = _reader(info, f"{row.what}: commonData")
        if item.get("infoType") in (_EMAIL, "Email") and item.text("data").strip():
            found.append(item.text("data").strip())
    return tuple(found)


def _list(row: RawRecord, name: str) -> list[Any]:
    """A list field; missing or null reads as empty."""
    value = row.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise row.error(name, f"expected a list, got {type(value).__name__}")
    return value


def _billing_address(row: RawRecord) -> Address | None:
    """The primary Billing (category 3) address, else the first Billing one, else None."""
    billing = [
        address
        for address in _list(row, "addresses")
        if isinstance(address, dict) and _reader(address, "address").get("category") == _BILLING
    ]
    billing.sort(key=lambda address: _reader(address, "address").get("isPrimary") is not True)
    return Address.from_api(billing[0], f"{row.what}: addresses") if billing else None
