"""Invoice line writes as Perfex's sales helpers do them (API notes 2.5, 2.6, 5.1).

Owns: `add_new_sales_item_post` (a line without description or qty is silently not created,
`rate` through `number_format`, `long_description` through `nl2br`), line taxes from a
`taxname` **array** only, `update_sales_item_post` (missing keys blank the columns), the tax
reconciliation of an update (missing or empty `taxname` deletes the line's taxes; existing
taxes compared as `NAME|RATE` strings), and `removed_items`. Each returns whether a row changed,
because "nothing changed" is what turns a PUT into 404 "Invoice Update Fail".

Must not: recompute totals or status, or check which invoice a line belongs to unless the
`strict_item_scope` option asks for it (the real server does not).
"""

from __future__ import annotations

from decimal import Decimal

from bridge.sandbox.perfex.engine import LineTax
from bridge.sandbox.perfex.php import PhpFatalError, PhpValue, nl2br, number_format_2, php_trim
from bridge.sandbox.perfex.php import to_php_string as php_str
from bridge.sandbox.perfex.schema import LINE_COLUMNS, WriteRejected, coerce
from bridge.sandbox.perfex.store import PerfexStore, StoredLine

Entry = dict[int | str, PhpValue]


def _entry(value: PhpValue) -> Entry:
    # A non-array entry reads every key as NULL (PHP warns and carries on).
    return value if isinstance(value, dict) else {}


def _entries(value: PhpValue) -> list[Entry]:
    # `foreach` over a non-array only warns: no lines.
    return [_entry(item) for item in value.values()] if isinstance(value, dict) else []


def _line_id(value: PhpValue) -> int | None:
    try:
        return int(coerce(value, LINE_COLUMNS["item_order"], inserting=False))  # type: ignore[arg-type]
    except (WriteRejected, TypeError):
        return None


def add_lines(store: PerfexStore, invoice_id: int, newitems: PhpValue) -> bool:
    """Inserts `newitems`; True if at least one line was created."""
    added = False
    for entry in _entries(newitems):
        line = _new_line(store, invoice_id, entry)
        if line is None:
            continue
        store.insert_line(line)
        _insert_taxes(line, entry.get("taxname"))
        added = True
    return added


def _new_line(store: PerfexStore, invoice_id: int, entry: Entry) -> StoredLine | None:
    long_description = nl2br(entry.get("long_description"))
    rate = number_format_2(entry.get("rate"))  # may raise: PHP 8 TypeError -> 500
    try:
        values = {
            "description": coerce(
                entry.get("description"), LINE_COLUMNS["description"], inserting=True
            ),
            "qty": coerce(entry.get("qty"), LINE_COLUMNS["qty"], inserting=True),
            "rate": coerce(rate, LINE_COLUMNS["rate"], inserting=True),
            "unit": coerce(entry.get("unit"), LINE_COLUMNS["unit"], inserting=True),
            "item_order": coerce(entry.get("order"), LINE_COLUMNS["item_order"], inserting=True),
        }
    except WriteRejected:
        return None  # db_debug off: the INSERT failed, insert_id() is 0, the loop goes on
    return StoredLine(
        store.next_id("itemable"),
        invoice_id,
        values["description"],
        long_description,  # type: ignore[arg-type]
        values["qty"],
        values["rate"],
        values["unit"],
        values["item_order"],  # type: ignore[arg-type]
    )


def _insert_taxes(line: StoredLine, taxnames: PhpValue) -> bool:
    """`_maybe_insert_post_item_tax`: only an array counts; a plain string is ignored."""
    if not isinstance(taxnames, dict):
        return False
    inserted = False
    for value in taxnames.values():
        text = php_str(value)
        parts = text.split("|")
        if text == "" or len(parts) < 2:
            continue
        tax = LineTax(
            php_trim(parts[0]), coerce(php_trim(parts[1]), LINE_COLUMNS["rate"], inserting=True)
        )  # type: ignore[arg-type]
        if not any(_same_tax(tax, existing) for existing in line.taxes):
            line.taxes.append(tax)
            inserted = True
    return inserted


def _same_tax(a: LineTax, b: LineTax) -> bool:
    # The existence check is SQL: case-insensitive name, numeric rate.
    return a.name.casefold() == b.name.casefold() and a.rate == b.rate


def remove_lines(store: PerfexStore, invoice_id: int, removed: PhpValue, strict: bool) -> bool:
    """`removed_items`: deletes lines by id, from any invoice unless `strict`."""
    if not isinstance(removed, dict):
        return False
    changed = False
    for value in removed.values():
        line = store.lines.get(_line_id(value) or 0)
        if line is None or (strict and line.rel_id != invoice_id):
            continue
        changed = store.delete_line(line.id) or changed
    return changed


def update_lines(store: PerfexStore, invoice_id: int, items: PhpValue, strict: bool) -> bool:
    """`items`: each entry rewrites its line's six columns and reconciles its taxes."""
    changed = False
    for entry in _entries(items):
        line = store.lines.get(_line_id(entry.get("itemid")) or 0)
        if line is not None and strict and line.rel_id != invoice_id:
            line = None
        if line is not None:
            store.damage.repair("line", line.id, LINE_COLUMNS)  # all six columns are rewritten
        changed = _rewrite(line, entry) or changed
        changed = _reconcile_taxes(line, entry.get("taxname")) or changed
    return changed


def _rewrite(line: StoredLine | None, entry: Entry) -> bool:
    """`update_sales_item_post`: missing keys are written as NULL, i.e. blanked."""
    long_description = nl2br(entry.get("long_description"))
    rate = Decimal(number_format_2(entry.get("rate")))
    if line is None:
        return False
    try:
        new = {
            "item_order": coerce(entry.get("order"), LINE_COLUMNS["item_order"], inserting=False),
            "description": coerce(
                entry.get("description"), LINE_COLUMNS["description"], inserting=False
            ),
            "long_description": long_description,
            "rate": rate,
            "qty": coerce(entry.get("qty"), LINE_COLUMNS["qty"], inserting=False),
            "unit": coerce(entry.get("unit"), LINE_COLUMNS["unit"], inserting=False),
        }
    except WriteRejected:
        return False
    old = {name: getattr(line, name) for name in new}
    for name, value in new.items():
        setattr(line, name, value)
    return old != new


def _reconcile_taxes(line: StoredLine | None, taxnames: PhpValue) -> bool:
    if taxnames is not None and not isinstance(taxnames, dict):
        raise PhpFatalError("count(): Argument #1 must be of type Countable|array")
    if line is None:
        return False
    if not taxnames:
        had_taxes = bool(line.taxes)
        line.taxes.clear()
        return had_taxes
    wanted = {php_str(value) for value in taxnames.values() if not isinstance(value, dict)}
    kept = [tax for tax in line.taxes if tax.key in wanted]
    deleted = len(kept) != len(line.taxes)
    line.taxes[:] = kept
    return _insert_taxes(line, taxnames) or deleted
