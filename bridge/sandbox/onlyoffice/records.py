"""The simulated portal's data: frozen records of invoices, lines, items, taxes and contacts.

Owns the shapes of stored rows (deals included), the CRM enums with their names and English
titles, and the `decimal(10,2)` column rule. It must not know about HTTP, JSON or who is asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import IntEnum

from bridge.sandbox.onlyoffice.failures import bad_argument, server_error

CENT = Decimal("0.01")
COLUMN_MAX = Decimal("99999999.99")


class InvoiceStatus(IntEnum):
    DRAFT = 1
    SENT = 2
    REJECTED = 3
    PAID = 4
    ARCHIVED = 5


# Enum names as .NET knows them, and the English display titles of CRMEnumResource (§4.2).
STATUS_NAMES = {1: "Draft", 2: "Sent", 3: "Rejected", 4: "Paid", 5: "Archived"}
STATUS_TITLES = {1: "Draft", 2: "Billed", 3: "Rejected", 4: "Paid", 5: "Archive"}

INFO_TYPE_NAMES = {
    0: "Phone",
    1: "Email",
    2: "Website",
    3: "Skype",
    4: "Twitter",
    5: "LinkedIn",
    6: "Facebook",
    7: "Address",
    8: "LiveJournal",
    9: "MySpace",
    10: "GMail",
    11: "Blogger",
    12: "Yahoo",
    13: "MSN",
    14: "ICQ",
    15: "Jabber",
    16: "AIM",
    17: "VK",
}
INFO_PHONE = 0
INFO_EMAIL = 1
INFO_ADDRESS = 7
PHONE_CATEGORIES = {0: "Home", 1: "Work", 2: "Mobile", 3: "Fax", 4: "Direct", 5: "Other"}
ADDRESS_CATEGORIES = {0: "Home", 1: "Postal", 2: "Office", 3: "Billing", 4: "Other", 5: "Work"}
OTHER_CATEGORIES = {0: "Home", 1: "Work", 2: "Other"}
ADDRESS_POSTAL = 1  # shown as "Delivery" (§7.4)
ADDRESS_BILLING = 3
SHARE_TYPE_NAMES = {0: "None", 1: "ReadWrite", 2: "Read"}
LIST_VIEW_NAMES = {0: "All", 1: "Company", 2: "Person", 3: "WithOpportunity"}


def categories_of(info_type: int) -> dict[int, str]:
    """The category enum that goes with a contact-info type (§7.4)."""
    if info_type == INFO_PHONE:
        return PHONE_CATEGORIES
    if info_type == INFO_ADDRESS:
        return ADDRESS_CATEGORIES
    return OTHER_CATEGORIES


def category_title(info_type: int, category: int) -> str:
    if info_type == INFO_ADDRESS and category == ADDRESS_POSTAL:
        return "Delivery"
    return categories_of(info_type).get(category, str(category))


def parse_enum(text: str, names: dict[int, str], titles: dict[int, str] | None = None) -> int:
    """Converts like LocalizedEnumConverter: name in any case, English title, or a number.

    Any integer is accepted, as .NET's Enum.Parse accepts undefined numeric values (§2.6).
    """
    wanted = text.strip().lower()
    for table in (names, titles or {}):
        for number, name in table.items():
            if name.lower() == wanted:
                return number
    try:
        return int(wanted)
    except ValueError:
        raise bad_argument(f"Requested value '{text}' was not found.") from None


def stored_decimal(value: Decimal) -> Decimal:
    """Rounds as MySQL stores a `decimal(10,2)` column: half away from zero (§2.5)."""
    try:
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        rounded = None
    if rounded is None or abs(rounded) > COLUMN_MAX:
        # Oversize values fail at the database, which surfaces as a 500 (§9.1).
        raise server_error("Out of range value for column")
    return rounded


@dataclass(frozen=True, slots=True)
class User:
    id: str
    user_name: str
    display_name: str
    is_admin: bool
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Tax:
    id: int
    name: str
    description: str
    rate: Decimal
    create_on: datetime
    create_by: str


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    title: str
    description: str
    sku: str
    price: Decimal
    stock_quantity: Decimal
    track_inventory: bool
    tax1_id: int
    tax2_id: int
    create_on: datetime
    create_by: str


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    is_company: bool
    company_name: str
    first_name: str
    last_name: str
    job_title: str | None
    company_id: int
    about: str | None
    share_type: int
    managers: tuple[str, ...]
    currency: str | None
    created: datetime
    create_by: str

    @property
    def display_name(self) -> str:
        if self.is_company:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class Deal:
    """An opportunity: a title, its main contact, and the contacts linked to it (members,
    the main contact included). Private deals are readable through their access list only."""

    id: int
    title: str
    contact_id: int
    members: tuple[int, ...]
    is_private: bool
    access: tuple[str, ...]
    create_on: datetime
    create_by: str


@dataclass(frozen=True, slots=True)
class ContactInfo:
    id: int
    contact_id: int
    info_type: int
    category: int
    data: str
    is_primary: bool


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    id: int
    invoice_id: int
    item_id: int
    tax1_id: int
    tax2_id: int
    sort_order: int
    description: str
    quantity: Decimal
    price: Decimal
    discount: Decimal


@dataclass(frozen=True, slots=True)
class Invoice:
    id: int
    number: str
    status: int
    issue_date: datetime  # UTC
    due_date: datetime  # UTC
    template_type: int
    contact_id: int
    consignee_id: int
    entity_id: int
    language: str
    currency: str
    exchange_rate: Decimal
    purchase_order_number: str
    terms: str
    description: str
    file_id: int
    billing_address_id: int  # only visible through the print data (§3.8)
    delivery_address_id: int
    json_data: str
    create_on: datetime
    create_by: str
    lines: tuple[InvoiceLine, ...]


@dataclass(frozen=True, slots=True)
class InvoiceSettings:
    autogenerated: bool
    prefix: str
    number: str
    terms: str
    company_name: str
    company_logo_id: int
    company_address: str
