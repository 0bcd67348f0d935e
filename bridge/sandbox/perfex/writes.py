"""`Invoices_model::add`, `::update` and `::delete` on the simulated store (API notes 2.5-2.7).

Owns: the order of work inside each model call, what counts as "something changed" (a PUT
that changes nothing returns False, which the API reports as 404 "Invoice Update Fail"),
draft handling, `next_invoice_number`, tags, and the recompute of `total_tax` and status.
Partial effects are real: a PHP fatal error half-way through an update leaves what was already
written, as it would on the server.

Must not: validate input or build HTTP answers (the invoice controller does).
"""

from __future__ import annotations

from bridge.sandbox.perfex import engine, header, lines
from bridge.sandbox.perfex.php import PhpValue, to_php_string
from bridge.sandbox.perfex.schema import INVOICE_COLUMNS, Stored, WriteRejected
from bridge.sandbox.perfex.store import PerfexStore, StoredInvoice

Data = dict[int | str, PhpValue]
DRAFT_NUMBER = 1000000000
_DRAFT_KEYS = ("save_as_draft", "save_and_send_later")


def create_invoice(store: PerfexStore, posted: Data) -> int | None:
    """`Invoices_model::add`: the new id, or None when the INSERT failed (nothing stored)."""
    data = dict(posted)
    custom_fields = data.pop("custom_fields", None)
    tags = data.pop("tags", None)
    newitems = data.pop("newitems", None)
    draft = any(data.pop(key, None) is not None for key in _DRAFT_KEYS)
    data.update(
        prefix=store.options.invoice_prefix,
        number_format=1,
        datecreated=store.now().strftime("%Y-%m-%d %H:%M:%S"),
        addedfrom=0,
        hash=store.new_hash(),
    )
    if draft:
        data["status"] = engine.DRAFT
    header.normalise(data)
    header.format_sales_data(data)
    try:
        values = header.column_values(data, inserting=True)
        row = _new_row(store, values)
    except WriteRejected:
        return None
    invoice = StoredInvoice(row, _tag_list(tags))
    store.insert_invoice(invoice)
    save_custom_fields(store, invoice, custom_fields)
    _after_insert(store, invoice, newitems)
    return invoice.id


def _new_row(store: PerfexStore, values: dict[str, Stored]) -> dict[str, Stored]:
    if "id" in values:
        raise WriteRejected("explicit ids are not simulated")
    row: dict[str, Stored] = {column.name: column.default for column in INVOICE_COLUMNS}
    row.update(values)
    for column in INVOICE_COLUMNS:
        if row[column.name] is None and not column.nullable and column.name != "id":
            raise WriteRejected(f"Field '{column.name}' doesn't have a default value")
    if row["status"] == engine.DRAFT:
        row["number"] = DRAFT_NUMBER
    row["id"] = store.next_id("invoices")
    refresh_formatted_number(store, row)
    return row


def _after_insert(store: PerfexStore, invoice: StoredInvoice, newitems: PhpValue) -> None:
    store.refresh_status(invoice.id)
    if invoice.status != engine.DRAFT:
        store.next_invoice_number += 1
    lines.add_lines(store, invoice.id, newitems)
    store.recompute_total_tax(invoice.id)


def refresh_formatted_number(store: PerfexStore, row: dict[str, Stored]) -> None:
    """The `formatted_number` column of newer Perfex: prefix + padded number, or DRAFT."""
    if not store.options.formatted_number_column:
        return
    if row["status"] == engine.DRAFT:
        row["formatted_number"] = f"{row['prefix'] or ''}DRAFT"
        return
    number = str(row["number"]).zfill(store.options.number_padding)
    row["formatted_number"] = f"{row['prefix'] or ''}{number}"


def _tag_list(tags: PhpValue) -> list[str]:
    if tags is None:
        return []
    parts = tags.values() if isinstance(tags, dict) else to_php_string(tags).split(",")
    return [to_php_string(part).strip() for part in parts if to_php_string(part).strip()]


def update_invoice(store: PerfexStore, invoice_id: int, posted: Data) -> bool:
    """`Invoices_model::update`: True if anything at all changed (API notes 5.1)."""
    invoice = store.invoices[invoice_id]
    data = dict(posted)
    before = int(invoice.row["recurring"] or 0)  # type: ignore[arg-type]
    header.normalise(data, updating=True, recurring_before=before)
    items, newitems = data.pop("items", None), data.pop("newitems", None)
    updated = save_custom_fields(store, invoice, data.pop("custom_fields", None))
    updated = (_save_tags(invoice, data.pop("tags", None)) if "tags" in data else False) or updated
    header.format_sales_data(data)
    removed = data.pop("removed_items", None)
    strict = store.options.strict_item_scope
    updated = lines.remove_lines(store, invoice_id, removed, strict) or updated
    updated = _update_header(store, invoice, data) or updated
    updated = lines.update_lines(store, invoice_id, items, strict) or updated
    updated = lines.add_lines(store, invoice_id, newitems) or updated
    if updated:
        store.recompute_total_tax(invoice_id)
        store.refresh_status(invoice_id)
    return updated


def save_custom_fields(store: PerfexStore, invoice: StoredInvoice, posted: PhpValue) -> bool:
    """`handle_custom_fields_post`: `custom_fields[invoice][<field id>] = value`; only fields
    defined for invoices are saved; True when a value changed."""
    if not isinstance(posted, dict):
        return False
    wanted = posted.get("invoice")
    if not isinstance(wanted, dict):
        return False
    changed = False
    for key, value in wanted.items():
        field = store.custom_fields.get(key) if isinstance(key, int) else None
        if field is None or field.fieldto != "invoice":
            continue
        text = _custom_value(value)
        if invoice.custom_values.get(field.id, "") != text:
            invoice.custom_values[field.id] = text
            changed = True
    return changed


def _custom_value(value: PhpValue) -> str:
    if isinstance(value, dict):  # checkbox groups arrive as arrays and are stored joined
        return ", ".join(to_php_string(item) for item in value.values())
    return to_php_string(value)


def _save_tags(invoice: StoredInvoice, tags: PhpValue) -> bool:
    wanted = _tag_list(tags)
    if wanted == invoice.tags:
        return False
    invoice.tags[:] = wanted
    return True


def _update_header(store: PerfexStore, invoice: StoredInvoice, data: Data) -> bool:
    """One UPDATE statement: all columns or none; True when MySQL reports affected rows."""
    try:
        values = header.column_values(data, inserting=False)
    except WriteRejected:
        return False  # db_debug off: the statement failed quietly, the lines still apply
    if values.get("id", invoice.id) != invoice.id:
        return False
    # The row now holds what was written: damage to those columns is gone.
    store.damage.repair("invoice", invoice.id, values)
    changed = {name: value for name, value in values.items() if invoice.row[name] != value}
    if not changed:
        return False
    invoice.row.update(changed)
    refresh_formatted_number(store, invoice.row)
    return True


def delete_invoice(store: PerfexStore, invoice_id: int) -> bool:
    """`Invoices_model::delete`: False when only the newest invoice may go and this is not it."""
    invoice = store.invoices[invoice_id]
    if store.options.delete_only_on_last_invoice and invoice_id != max(store.invoices):
        return False
    store.remove_invoice(invoice_id)
    if store.options.invoice_number_decrement_on_delete and invoice.status != engine.DRAFT:
        store.next_invoice_number = max(1, store.next_invoice_number - 1)
    return True
