"""Handlers of single invoice lines: `POST invoiceline`, `PUT/DELETE invoiceline/{id}` (§5.2).

Owns the line endpoints' own order of checks (400 for a missing invoice on POST, 403 for an
invoice that is not editable, 404 for a line of another invoice, 500 when deleting the last
line) and keeps `sortOrder` as sent. It must not rebuild the print data: the real server
discards that recomputation, so `jsondata` goes stale after line edits (§3.8).
"""

from __future__ import annotations

import dataclasses

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.failures import (
    access_denied,
    bad_argument,
    not_found,
    server_error,
)
from bridge.sandbox.onlyoffice.invoice_input import LineInput, bind_line_params, line_is_valid
from bridge.sandbox.onlyoffice.records import Invoice, InvoiceLine, stored_decimal
from bridge.sandbox.onlyoffice.routing import Call
from bridge.sandbox.onlyoffice.wrappers import line_wrapper


def _stored_line(line_id: int, invoice_id: int, data: LineInput) -> InvoiceLine:
    return InvoiceLine(
        id=line_id,
        invoice_id=invoice_id,
        item_id=data.item_id,
        tax1_id=data.tax1_id,
        tax2_id=data.tax2_id,
        sort_order=data.sort_order,  # kept as sent; no renumbering here (§5.2)
        description=data.description or "",
        quantity=stored_decimal(data.quantity),
        price=stored_decimal(data.price),
        discount=stored_decimal(data.discount),
    )


def _editable_invoice(call: Call, invoice: Invoice | None) -> Invoice:
    if invoice is None:
        raise bad_argument()
    if not access.can_edit_invoice(call.caller, invoice):
        raise access_denied()  # 403 here, unlike the 404 of PUT invoice/{id} (§5.2)
    return invoice


def create_line(call: Call) -> object:
    data = bind_line_params(call.params)
    invoice_id = call.params.integer("invoiceId")
    if invoice_id <= 0:
        raise bad_argument()
    invoice = _editable_invoice(call, call.store.invoice(invoice_id))
    if not line_is_valid(call.store, data):
        raise bad_argument()
    line = _stored_line(call.store.next_id("invoiceline"), invoice.id, data)
    call.store.put_invoice(dataclasses.replace(invoice, lines=(*invoice.lines, line)))
    return line_wrapper(line)


def update_line(call: Call) -> object:
    data = bind_line_params(call.params)
    line_id = call.params.route_id("lineid")
    invoice_id = call.params.integer("invoiceId")
    if invoice_id <= 0:
        raise bad_argument()
    if call.store.line_owner(line_id) != invoice_id:
        raise not_found()  # missing, or a line of another invoice
    invoice = _editable_invoice(call, call.store.invoice(invoice_id))
    if not line_is_valid(call.store, data):
        raise bad_argument()
    line = _stored_line(line_id, invoice.id, data)
    lines = tuple(line if old.id == line_id else old for old in invoice.lines)
    call.store.put_invoice(dataclasses.replace(invoice, lines=lines))
    return line_wrapper(line)


def delete_line(call: Call) -> object:
    line_id = call.params.route_id("lineid")
    owner = call.store.line_owner(line_id)
    if owner is None:
        raise not_found()
    invoice = call.store.invoice(owner)
    if invoice is not None and len(invoice.lines) <= 1:
        raise server_error("Can't delete invoice line")  # the last line stays (§5.2)
    if invoice is None:
        raise not_found()
    if not access.can_edit_invoice(call.caller, invoice):
        raise access_denied()
    lines = tuple(line for line in invoice.lines if line.id != line_id)
    call.store.put_invoice(dataclasses.replace(invoice, lines=lines))
    return line_id
