"""Reference tables of the simulated install: currencies, taxes, catalogue, payment modes.

Owns: the row types of `tblcurrencies`, `tbltaxes`, `tblitems`, `tblpayment_modes`, the
online gateways, `tblcustomfields` and `tblexpenses_categories`, and the defaults every
simulator starts with: EUR (id 1, the base currency), USD (2) and GBP (3); two offline payment
modes a client may use, one that is invoice-only and one inactive (both hidden from
`common/payment_mode`), and two gateways; plus the look of currencies an admin may add later
(`ADDABLE_CURRENCIES`).

Must not: hold invoices or customers (store.py) or know about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Currency:
    id: int
    symbol: str
    name: str  # the ISO code
    decimal_separator: str
    thousand_separator: str
    placement: str
    isdefault: int


@dataclass(frozen=True)
class Tax:
    id: int
    name: str
    taxrate: Decimal


@dataclass(frozen=True)
class CatalogueItem:
    id: int
    description: str
    long_description: str
    rate: Decimal
    unit: str
    taxid: int | None = None
    taxid_2: int | None = None
    group_id: int = 0


@dataclass(frozen=True)
class PaymentMode:
    id: int
    name: str
    description: str = ""
    show_on_pdf: int = 0
    invoices_only: int = 0
    expenses_only: int = 0
    selected_by_default: int = 1
    active: int = 1


@dataclass(frozen=True)
class Gateway:
    id: str  # online gateways have string ids such as "stripe"
    name: str
    active: int = 1
    selected_by_default: int = 1


@dataclass(frozen=True)
class CustomField:
    """One `tblcustomfields` row; `fieldto` is what it belongs to ("invoice", "customers")."""

    id: int
    name: str
    fieldto: str = "invoice"


@dataclass(frozen=True)
class ExpenseCategory:
    id: int
    name: str
    description: str = ""


DEFAULT_CURRENCIES = (
    Currency(1, "€", "EUR", ",", ".", "after", 1),
    Currency(2, "$", "USD", ".", ",", "before", 0),
    Currency(3, "£", "GBP", ".", ",", "before", 0),
)
# Currencies an admin adds when the books need them: (symbol, decimal, thousands, placement).
ADDABLE_CURRENCIES = {
    "CHF": ("CHF", ".", "'", "before"),
    "PLN": ("zł", ",", " ", "after"),
    "CZK": ("Kč", ",", " ", "after"),
    "SEK": ("kr", ",", " ", "after"),
    "DKK": ("kr.", ",", ".", "after"),
    "JPY": ("¥", ".", ",", "before"),
}
DEFAULT_PAYMENT_MODES = (
    PaymentMode(1, "Bank transfer", "IBAN on the invoice.", show_on_pdf=1),
    PaymentMode(2, "Cash"),
    PaymentMode(3, "Cheque (invoices only)", invoices_only=1, selected_by_default=0),
    PaymentMode(4, "Old card terminal", active=0, selected_by_default=0),
)
DEFAULT_GATEWAYS = (Gateway("paypal", "PayPal", selected_by_default=0), Gateway("stripe", "Stripe"))
DEFAULT_EXPENSE_CATEGORIES = (
    ExpenseCategory(1, "Travel", "Trains, flights, hotels"),
    ExpenseCategory(2, "Office", ""),
)
