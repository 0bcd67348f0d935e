"""How `Invoices_model` turns posted header fields into column values (API notes 2.5, 2.6).

Owns: the normalisation of create and update (cancel_overdue_reminders, cycles and recurring
with their update-only resets, PHP-serialized payment modes, shipping mapping, street
`nl2br`, NULL due date), the
`_format_data_sales_feature` formatter (helper keys dropped, `to_sql_date`, `nl2br` on notes,
adjustment default, discount_type cleared, empty ids to 0), and the write of the remaining keys
as columns, where an unknown key or an unstorable value fails the whole statement.

Must not: touch lines, statuses or totals (lines.py, writes.py), or validate (the controllers).
"""

from __future__ import annotations

import re

from bridge.sandbox.perfex.php import (
    PhpFatalError,
    PhpValue,
    is_numeric,
    nl2br,
    number_format_2,
    php_trim,
    serialize,
    to_decimal,
    to_php_string,
)
from bridge.sandbox.perfex.schema import INVOICE_COLUMN_MAP, Stored, WriteRejected, coerce

Data = dict[int | str, PhpValue]

SHIPPING_FIELDS = (
    "shipping_street",
    "shipping_city",
    "shipping_state",
    "shipping_zip",
    "shipping_country",
)
# Keys `_format_data_sales_feature` removes before the row is written (Core pre-query helper).
HELPER_KEYS = frozenset(
    {
        "currency_symbol",
        "price",
        "taxname",
        "description",
        "long_description",
        "taxid",
        "rate",
        "quantity",
        "unit",
        "item_select",
        "tax",
        "billed_tasks",
        "billed_expenses",
        "task_select",
        "task_id",
        "expense_id",
        "repeat_every_custom",
        "repeat_type_custom",
        "bill_expenses",
        "save_and_send",
        "merge_current_invoice",
        "cancel_merged_invoices",
        "invoices_to_merge",
        "tags",
        "s_prefix",
        "save_and_record_payment",
        "isedit",
    }
)
_SQL_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}\n?")


def equals_zero(value: PhpValue) -> bool:
    """PHP 8 `$value == 0`: true only for numbers and numeric strings equal to zero."""
    return is_numeric(value) and to_decimal(value) == 0


def to_sql_date(value: PhpValue) -> str | None:
    """Perfex `to_sql_date` with the default company format: `YYYY-MM-DD` passes unchanged.

    Anything else makes `DateTime::createFromFormat()` return false and `->format()` on false
    is a fatal error: HTTP 500 (API notes 2.5).
    """
    text = to_php_string(value)
    if text == "":
        return None
    if _SQL_DATE.fullmatch(text) is None:
        raise PhpFatalError("Call to a member function format() on bool")
    return text.rstrip("\n")


def normalise(data: Data, *, updating: bool = False, recurring_before: int = 0) -> None:
    """The header steps of `Invoices_model::add` / `::update` before the formatter.

    On update (API notes 2.6) `cycles` left out is reset to 0, and a left-out `recurring`
    also resets `recurring_type` and `custom_recurring`.
    """
    # isset(): present and not NULL, whatever the value ("0" and false count as present).
    data["cancel_overdue_reminders"] = 1 if data.get("cancel_overdue_reminders") is not None else 0
    if updating and data.get("cycles") is None:
        data["cycles"] = 0
    _recurring(data, updating, recurring_before)
    modes = data.get("allowed_payment_modes")
    data["allowed_payment_modes"] = serialize(modes if modes is not None else {})
    _map_shipping(data)
    for street in ("billing_street", "shipping_street"):
        if data.get(street) is not None:
            data[street] = nl2br(php_trim(data[street]))
    if not _present(data.get("duedate")):
        data["duedate"] = None


def _present(value: PhpValue) -> bool:
    """PHP `!empty()` for a scalar or array."""
    return value not in (None, "", "0", 0, False) and value != {}


def _recurring(data: Data, updating: bool, recurring_before: int) -> None:
    if data.get("recurring") is None:
        data.update(recurring=0, custom_recurring=0)
        if updating:
            data["recurring_type"] = None
    elif data["recurring"] == "custom":
        data["recurring_type"] = data.get("repeat_type_custom")
        data["custom_recurring"] = 1
        data["recurring"] = data.get("repeat_every_custom")
    elif updating:
        data.update(custom_recurring=0, recurring_type=None)
    # A recurring invoice switched to "no" loses its cycle bookkeeping.
    if updating and recurring_before != 0 and equals_zero(data["recurring"]):
        data.update(cycles=0, total_cycles=0, last_recurring_date=None)


def _map_shipping(data: Data) -> None:
    if data.get("include_shipping") is None:
        for name in SHIPPING_FIELDS:
            if data.get(name) is not None:
                data[name] = None
        data["show_shipping_on_invoice"] = 1
        data["include_shipping"] = 0
        return
    data["include_shipping"] = 1
    shown = data.get("show_shipping_on_invoice")
    data["show_shipping_on_invoice"] = 1 if shown == "on" or _equals_one(shown) else 0


def _equals_one(value: PhpValue) -> bool:
    """PHP 8 `$value == 1`."""
    if isinstance(value, bool):
        return value
    return is_numeric(value) and to_decimal(value) == 1


def format_sales_data(data: Data) -> None:
    """`_format_data_sales_feature` (API notes 2.5 step 9)."""
    for key in HELPER_KEYS:
        data.pop(key, None)
    for name in ("date", "duedate"):
        if data.get(name) is not None:
            data[name] = to_sql_date(data[name])
    for name in ("clientnote", "terms", "adminnote"):
        if data.get(name) is not None:
            data[name] = nl2br(data[name])
    adjustment = data.get("adjustment")
    data["adjustment"] = number_format_2(adjustment) if is_numeric(adjustment) else 0
    if data.get("discount_total") is not None and equals_zero(data["discount_total"]):
        data["discount_type"] = ""
    for name in ("billing_country", "shipping_country", "project_id", "sale_agent"):
        if data.get(name) == "":
            data[name] = 0


def column_values(data: Data, *, inserting: bool) -> dict[str, Stored]:
    """Every remaining key as a column value; raises `WriteRejected` like the failed SQL would."""
    values: dict[str, Stored] = {}
    for key, value in data.items():
        column = INVOICE_COLUMN_MAP.get(str(key))
        if column is None:
            raise WriteRejected(f"Unknown column '{key}' in 'field list'")
        values[column.name] = coerce(value, column, inserting=inserting)
    return values
