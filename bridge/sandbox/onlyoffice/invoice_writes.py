"""Handlers that change invoices: create, replace, delete, and the batch status change (§3.3-§3.6).

Owns the order of checks and side effects of each write, the quirks a client must survive
(the create reply's empty `createOn`/`createBy`, 404 for editing a non-Draft invoice, new line
ids on every replace, deleted invoices answering with `cost` 0, disallowed status moves
silently ignored, a bad `language` failing after the invoice was saved) and the stock effects
of status moves. It must not bypass `invoice_input`'s validation order.
"""

from __future__ import annotations

import dataclasses
from collections import deque

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.cultures import check_culture
from bridge.sandbox.onlyoffice.failures import (
    access_denied,
    bad_argument,
    not_found,
    server_error,
)
from bridge.sandbox.onlyoffice.invoice_input import (
    InvoiceInput,
    bind_invoice,
    check_header,
    check_lines,
)
from bridge.sandbox.onlyoffice.printdata import build_print_data
from bridge.sandbox.onlyoffice.records import (
    STATUS_NAMES,
    STATUS_TITLES,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Item,
    parse_enum,
    stored_decimal,
)
from bridge.sandbox.onlyoffice.routing import Call
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wire import MIN_DATE_TEXT
from bridge.sandbox.onlyoffice.wrappers import EMPTY_GUID, View, invoice_wrapper, item_wrapper

# InvoiceDao.invoiceStatusMap: every other move, X -> X included, is silently ignored (§3.6).
TRANSITIONS = frozenset(
    {
        (InvoiceStatus.DRAFT, InvoiceStatus.SENT),
        (InvoiceStatus.SENT, InvoiceStatus.PAID),
        (InvoiceStatus.SENT, InvoiceStatus.REJECTED),
        (InvoiceStatus.REJECTED, InvoiceStatus.DRAFT),
        (InvoiceStatus.PAID, InvoiceStatus.SENT),
    }
)


def _lines(store: OnlyofficeStore, invoice_id: int, data: InvoiceInput) -> tuple[InvoiceLine, ...]:
    # Sent ids and sortOrder are ignored: new ids, sortOrder = position in the array (§3.3).
    return tuple(
        InvoiceLine(
            id=store.next_id("invoiceline"),
            invoice_id=invoice_id,
            item_id=line.item_id,
            tax1_id=line.tax1_id,
            tax2_id=line.tax2_id,
            sort_order=position,
            description=line.description or "",
            quantity=stored_decimal(line.quantity),
            price=stored_decimal(line.price),
            discount=stored_decimal(line.discount),
        )
        for position, line in enumerate(data.lines or ())
    )


def _fields(data: InvoiceInput, currency: str) -> dict[str, object]:
    """The columns a create or replace writes; omitted optional fields become defaults."""
    if data.language is None:
        raise server_error("Column 'language' cannot be null")  # NOT NULL column (§3.3)
    assert data.issue_date is not None and data.due_date is not None
    return {
        "issue_date": data.issue_date,
        "due_date": data.due_date,
        "template_type": data.template_type,
        "contact_id": data.contact_id,
        "consignee_id": max(data.consignee_id, 0),
        "entity_id": max(data.entity_id, 0),
        "language": data.language,
        "currency": currency,
        "exchange_rate": stored_decimal(data.exchange_rate),
        "purchase_order_number": data.purchase_order_number or "",
        "terms": data.terms or "",
        "description": data.description or "",
        "billing_address_id": max(data.billing_address_id, 0),
        "delivery_address_id": max(data.delivery_address_id, 0),
    }


def _save_print_data(call: Call, invoice: Invoice) -> Invoice:
    # Rendering needs the culture; an unknown one fails here, after the invoice was saved,
    # leaving the stored print data as it was (§3.3, §9.2 item 3).
    check_culture(invoice.language)
    json_data = build_print_data(call.store, invoice, call.view.zone)
    return call.store.put_invoice(dataclasses.replace(invoice, json_data=json_data))


def create_invoice(call: Call) -> object:
    store, data = call.store, bind_invoice(call.params)
    check_lines(store, data.lines)
    currency = check_header(store, call.caller, data)
    if not data.number or store.invoice_by_number(data.number) is not None:
        raise bad_argument()
    fields = _fields(data, currency)
    invoice_id = store.next_id("invoice")
    invoice = Invoice(
        id=invoice_id,
        number=data.number,
        status=InvoiceStatus.DRAFT,
        file_id=0,
        json_data="",
        create_on=call.now,
        create_by=call.caller.id,
        lines=_lines(store, invoice_id, data),
        **fields,  # type: ignore[arg-type]
    )
    store.put_invoice(invoice)
    invoice = _save_print_data(call, invoice)
    return _created_reply(call, invoice, data)


def _created_reply(call: Call, invoice: Invoice, data: InvoiceInput) -> object:
    """The reply is built from the in-memory object whose creation fields were never
    filled: `createOn` 0001-01-01, an empty `createBy`, and for a non-admin no edit or delete
    rights; `description` stays null when none was sent (§3.3)."""
    wire = invoice_wrapper(call.view, invoice, full=True)
    wire["description"] = data.description
    if call.options.create_on_quirk:
        wire["createOn"] = MIN_DATE_TEXT
        wire["createBy"] = {
            "id": EMPTY_GUID,
            "displayName": "",
            "avatarSmall": None,
            "profileUrl": "",
        }
        wire["canEdit"] = wire["canDelete"] = call.caller.is_admin
    return wire


def update_invoice(call: Call) -> object:
    store, data = call.store, bind_invoice(call.params)
    check_lines(store, data.lines)
    current = store.invoice(call.params.route_id("invoiceid"))
    # Not editable (not Draft, or neither admin nor creator) is reported as missing (§3.4).
    if current is None or not access.can_edit_invoice(call.caller, current):
        raise not_found()
    currency = check_header(store, call.caller, data)
    # A full replacement rewrites the row and all lines: any broken field is gone.
    store.damage.repair("invoice", current.id)
    for line in current.lines:
        store.damage.repair("line", line.id)
    replaced = dataclasses.replace(
        current,
        file_id=0,  # the stored PDF link is reset until a new PDF is generated
        lines=_lines(store, current.id, data),
        **_fields(data, currency),  # type: ignore[arg-type]
    )
    store.put_invoice(replaced)
    replaced = _save_print_data(call, replaced)
    return invoice_wrapper(call.view, replaced, full=True)


def _deleted(view: View, invoice: Invoice) -> object:
    # The reply is built after the lines are gone, so its cost is 0 (§3.5).
    return invoice_wrapper(view, dataclasses.replace(invoice, lines=()), full=False)


def delete_invoice(call: Call) -> object:
    invoice_id = call.params.route_id("invoiceid")
    if invoice_id <= 0:
        raise bad_argument()
    invoice = call.store.invoice(invoice_id)
    if invoice is None:
        raise not_found()
    if not access.can_delete_invoice(call.caller, invoice):
        raise access_denied()
    call.store.remove_invoice(invoice_id)
    return _deleted(call.view, invoice)


def delete_invoices(call: Call) -> object:
    ids = call.params.int_list("invoiceids")
    if not ids:
        raise bad_argument()
    deleted = []
    for invoice_id in sorted(set(ids)):
        invoice = call.store.invoice(invoice_id)
        # Missing ids and invoices the caller may not delete are skipped silently (§3.5).
        if invoice is not None and access.can_delete_invoice(call.caller, invoice):
            call.store.remove_invoice(invoice_id)
            deleted.append(_deleted(call.view, invoice))
    return deleted


def change_status(call: Call) -> object:
    status = parse_enum(call.params.route("status"), STATUS_NAMES, STATUS_TITLES)
    ids = call.params.int_list("invoiceids")
    if not ids:
        raise bad_argument()
    processed: list[Invoice] = []
    stock: dict[int, Item] = {}
    for invoice_id in sorted(set(ids)):
        invoice = call.store.invoice(invoice_id)
        if invoice is None or not _readable(call, invoice):
            continue  # unknown or unreadable ids are skipped silently (§3.6)
        processed.append(move_status(call.store, invoice, status, stock))
    return {
        "key": [invoice_wrapper(call.view, inv, full=False) for inv in processed],
        "value": [item_wrapper(call.view, item) for item in stock.values()],
    }


def _readable(call: Call, invoice: Invoice) -> bool:
    contact = call.store.contact(invoice.contact_id)
    return access.can_read_invoice(call.caller, invoice, contact)


def move_status(
    store: OnlyofficeStore, invoice: Invoice, status: int, stock: dict[int, Item] | None = None
) -> Invoice:
    """Applies one status move if the transition table allows it, with its stock effect."""
    if (invoice.status, status) not in TRANSITIONS:
        return invoice
    if (invoice.status, status) == (InvoiceStatus.DRAFT, InvoiceStatus.SENT):
        _adjust_stock(store, invoice, -1, stock)
    elif (invoice.status, status) == (InvoiceStatus.SENT, InvoiceStatus.REJECTED):
        _adjust_stock(store, invoice, +1, stock)
    return store.put_invoice(dataclasses.replace(invoice, status=status))


def _adjust_stock(
    store: OnlyofficeStore, invoice: Invoice, sign: int, stock: dict[int, Item] | None
) -> None:
    # Only items that track inventory move; Paid and other moves never touch stock (§3.6).
    for line in invoice.lines:
        item = store.item(line.item_id)
        if item is None or not item.track_inventory:
            continue
        quantity = stored_decimal(item.stock_quantity + sign * line.quantity)
        item = store.put_item(dataclasses.replace(item, stock_quantity=quantity))
        if stock is not None:
            stock[item.id] = item


def status_path(current: int, wanted: int) -> tuple[int, ...]:
    """The shortest chain of allowed status moves from `current` to `wanted` (3.6)."""
    if current == wanted:
        return ()
    previous: dict[int, int] = {current: current}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        for after in sorted(b for a, b in TRANSITIONS if a == status):
            if after not in previous:
                previous[after] = status
                queue.append(after)
    if wanted not in previous:
        raise ValueError(f"no allowed way from status {current} to {wanted}")
    path = [wanted]
    while previous[path[-1]] != current:
        path.append(previous[path[-1]])
    return tuple(reversed(path))
