"""The simulated MySQL tables: column lists, types, defaults, and how values are stored and read.

Owns: the column order of `tblinvoices` and `tblclients` (Core 3.4 schema, API notes 3.1 and 4.1),
non-strict MySQL coercion of written PHP values (CodeIgniter turns strict mode off, so `"abc"`
in an INT column becomes 0 rather than an error), and the rendering of stored values as the
strings the mysqli driver returns.

Must not: apply business rules (status, totals, nl2br); that is the store's and the writers'.
Stored values are typed: `int`, `Decimal` (two places), `date`, `datetime`, `str` or `None`;
a date column may also hold `ZERO_DATE`, the string MySQL stores for 0000-00-00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bridge.sandbox.perfex.php import PhpValue, round_half_up, to_decimal, to_php_string

Stored = int | Decimal | date | datetime | str | None


class WriteRejected(Exception):
    """MySQL refused the statement. With `db_debug` off the model just sees a failed write."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int", "money", "date", "datetime", "text"
    nullable: bool = True
    default: Stored = None


def _cols(spec: str, kind: str, nullable: bool = True, default: Stored = None) -> list[Column]:
    return [Column(name, kind, nullable, default) for name in spec.split()]


ZERO = Decimal("0.00")
# MySQL's zero date: legal in a real `date` column (and common in old installs), no date at all.
ZERO_DATE = "0000-00-00"

INVOICE_COLUMNS: tuple[Column, ...] = (
    Column("id", "int", False),
    Column("sent", "int", False, 0),
    Column("datesend", "datetime"),
    Column("clientid", "int", False),
    Column("deleted_customer_name", "text"),
    Column("number", "int", False),
    Column("prefix", "text"),
    Column("number_format", "int", False, 0),
    Column("formatted_number", "text"),
    Column("datecreated", "datetime", False),
    Column("date", "date", False),
    Column("duedate", "date"),
    Column("currency", "int", False),
    Column("subtotal", "money", False),
    Column("total_tax", "money", False, ZERO),
    Column("total", "money", False),
    Column("adjustment", "money"),
    Column("addedfrom", "int"),
    Column("hash", "text", False),
    Column("status", "int", False, 1),
    *_cols("clientnote adminnote", "text"),
    *_cols("last_overdue_reminder last_due_reminder", "date"),
    Column("cancel_overdue_reminders", "int", False, 0),
    *_cols("allowed_payment_modes token", "text"),
    *_cols("discount_percent discount_total", "money", True, ZERO),
    Column("discount_type", "text", False, ""),
    Column("recurring", "int", False, 0),
    Column("recurring_type", "text"),
    *_cols("custom_recurring cycles total_cycles", "int", False, 0),
    Column("is_recurring_from", "int"),
    Column("last_recurring_date", "date"),
    Column("terms", "text"),
    Column("sale_agent", "int", False, 0),
    *_cols("billing_street billing_city billing_state billing_zip", "text"),
    Column("billing_country", "int"),
    *_cols("shipping_street shipping_city shipping_state shipping_zip", "text"),
    Column("shipping_country", "int"),
    Column("include_shipping", "int", False, 0),
    *_cols("show_shipping_on_invoice show_quantity_as", "int", False, 1),
    *_cols("project_id subscription_id", "int", True, 0),
    Column("short_link", "text"),
)
INVOICE_COLUMN_MAP = {column.name: column for column in INVOICE_COLUMNS}

CLIENT_COLUMNS: tuple[Column, ...] = (
    Column("userid", "int", False),
    *_cols("company vat phonenumber", "text"),
    Column("country", "int", False, 0),
    *_cols("city zip state address website", "text"),
    Column("datecreated", "datetime", False),
    Column("active", "int", False, 1),
    Column("leadid", "int"),
    *_cols("billing_street billing_city billing_state billing_zip", "text"),
    Column("billing_country", "int", True, 0),
    *_cols("shipping_street shipping_city shipping_state shipping_zip", "text"),
    Column("shipping_country", "int", True, 0),
    *_cols("longitude latitude default_language", "text"),
    Column("default_currency", "int", False, 0),
    Column("show_primary_contact", "int", False, 0),
    Column("stripe_id", "text"),
    Column("registration_confirmed", "int", False, 1),
    Column("addedfrom", "int", False, 0),
)
CLIENT_COLUMN_MAP = {column.name: column for column in CLIENT_COLUMNS}

# tblitemable: a line without description or qty cannot be inserted (NOT NULL, API notes 2.5).
LINE_COLUMNS: dict[str, Column] = {
    "description": Column("description", "text", False),
    "long_description": Column("long_description", "text"),
    "qty": Column("qty", "money", False),
    "rate": Column("rate", "money", False),
    "unit": Column("unit", "text"),
    "item_order": Column("item_order", "int"),
}


def render(value: Stored) -> str | None:
    """A stored value as CodeIgniter's mysqli driver hands it over: a string, or None for NULL."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def coerce(value: PhpValue, column: Column, *, inserting: bool) -> Stored:
    """The value MySQL (non-strict) stores when PHP writes `value` into `column`.

    Arrays make CodeIgniter build invalid SQL; NULL into a NOT NULL column fails a single-row
    INSERT but becomes the implicit default on UPDATE; invalid dates are refused (real MySQL
    would store 0000-00-00, which no client should ever meet).
    """
    if isinstance(value, dict):
        raise WriteRejected(f"array written to {column.name}")
    if value is None:
        if column.nullable:
            return None
        if inserting:
            raise WriteRejected(f"Column '{column.name}' cannot be null")
        return _implicit_default(column)
    if isinstance(value, bool):
        value = int(value)
    return _COERCERS[column.kind](value, column)


def _implicit_default(column: Column) -> Stored:
    return {"int": 0, "money": ZERO, "text": ""}.get(column.kind)


_MYSQL_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _number(value: PhpValue) -> Decimal:
    if isinstance(value, int | float):
        return to_decimal(value)
    match = _MYSQL_NUMBER.match(to_php_string(value))
    return to_decimal(match.group(0)) if match else Decimal(0)


def _to_int(value: PhpValue, column: Column) -> int:
    return int(round_half_up(_number(value), Decimal(1)))


def _to_money(value: PhpValue, column: Column) -> Decimal:
    return round_half_up(_number(value))


_MYSQL_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2}):(\d{1,2}))?")


def _to_date(value: PhpValue, column: Column) -> date | datetime:
    match = _MYSQL_DATE.fullmatch(to_php_string(value).strip())
    if match is None:
        raise WriteRejected(f"Incorrect date value for {column.name}")
    parts = [int(part) for part in match.groups() if part is not None]
    try:
        if column.kind == "date":
            return date(*parts[:3])
        return datetime(*parts) if len(parts) == 6 else datetime(*parts[:3])
    except ValueError as error:
        raise WriteRejected(f"Incorrect date value for {column.name}") from error


def _to_text(value: PhpValue, column: Column) -> str:
    return to_php_string(value)


_COERCERS = {
    "int": _to_int,
    "money": _to_money,
    "date": _to_date,
    "datetime": _to_date,
    "text": _to_text,
}
