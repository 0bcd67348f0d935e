"""Canonical content and SHA-256 fingerprints of invoices, one kind per side.

Neither API exposes a modification time or an ETag, so change is detected by hashing content
(docs/architecture.md, "The sync algorithm"). The canonical form keeps what a person would call the
invoice and drops what the server invents or recomputes on its own; the dropped fields are
listed with their reasons in `PERFEX_IGNORED` and `ONLYOFFICE_IGNORED`.

Stable across runs and Python versions: every value is a string (Decimal at two decimals,
dates ISO, ids as text) and the JSON is dumped with sorted keys and fixed separators.
The canonical keys are the target API's own field names, so `changes.py` can reuse them.

Must not: include anything volatile, or depend on dict order, locale or float formatting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from mappings.money import format_money
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeLine
from mappings.perfex import PerfexInvoice, PerfexLine
from mappings.status import PerfexStatus

Canonical = dict[str, Any]

PERFEX_IGNORED: Mapping[str, str] = {
    "id": "the record's key, not its content; the ledger links ids",
    "number_format": "display setting captured from Perfex's options at creation",
    "formatted_number": "derived from prefix, number and number_format; absent on older Perfex",
    "datecreated": "set by the server at creation",
    "addedfrom": "staff id of the creator, 0 for API writes",
    "hash": "random public-link token",
    "sent, datesend": "e-mail bookkeeping, changes without any edit to the invoice",
    "last_overdue_reminder, last_due_reminder": "reminder cron bookkeeping",
    "total_left_to_pay, payments": "driven by payments recorded in Perfex, not invoice content",
    "status 4 (overdue)": "folded into 1 (unpaid): cron derives it from duedate and today",
    "allowed_payment_modes": "owned by Perfex: configuration ONLYOFFICE has no field for",
    "currency_name, symbol, name, placement, …": "joined from the currency table; the id stays",
    "items[].id, items[].rel_id": "line ids change on every replace-all update",
    "items[].item_order": "only the order it gives matters, not its numbering",
    "items[].customfields, customfields, attachments, client": "not part of the sync",
    "<br /> before newlines": "added by the server's nl2br on every write (API notes 5.1)",
    "adminnote, billing_country, shipping_*, recurring, cycles, sale_agent, project_id, tags, "
    "items[].unit": "owned by Perfex (mappings/fields.py): not carried, so not compared",
}

ONLYOFFICE_IGNORED: Mapping[str, str] = {
    "id": "the record's key, not its content; the ledger links ids",
    "invoiceLines[].id, invoiceLines[].invoiceID": "new line ids on every PUT (API notes 3.4)",
    "invoiceLines[].sortOrder": "always the line's position, which the list order already is",
    "fileID": "PDF link, reset to 0 on every PUT and set again by a background job",
    "createOn, createBy": "bogus in the POST reply (API notes 3.3) and never edited",
    "cost": "computed by the server from the lines; kept only in the row fingerprint, where "
    "it stands in for the lines a list row does not carry",
    "canEdit, canDelete": "about the caller's permissions, not the invoice",
    "contact, consignee (objects)": "display data of other records; only their ids are kept",
    "currency (object)": "only its abbreviation is kept",
    "status.title": "localised display text; status.id is kept",
    "consigneeId, entity, purchaseOrderNumber, exchangeRate, language, templateType": "owned "
    "by ONLYOFFICE (mappings/fields.py): not carried, so not compared",
}


def _money(value: Decimal) -> str:
    return format_money(value)


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _digest(canonical: Canonical) -> str:
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _folded_perfex_status(status: int) -> int:
    return PerfexStatus.UNPAID if status == PerfexStatus.OVERDUE else status


def perfex_header_canonical(invoice: PerfexInvoice) -> Canonical:
    """The header content of a Perfex invoice, keyed by Perfex's column names."""
    return {
        "number": str(invoice.number),
        "prefix": invoice.prefix,
        "date": _day(invoice.date),
        "duedate": _day(invoice.duedate),
        "clientid": invoice.clientid,
        "currency": invoice.currency_id,
        "subtotal": _money(invoice.subtotal),
        "total_tax": _money(invoice.total_tax),
        "total": _money(invoice.total),
        "adjustment": _money(invoice.adjustment),
        "discount_percent": _money(invoice.discount_percent),
        "discount_total": _money(invoice.discount_total),
        "discount_type": invoice.discount_type,
        "status": str(int(_folded_perfex_status(invoice.status))),
        "terms": invoice.terms,
        "clientnote": invoice.clientnote,
        "billing_street": invoice.billing_street,
        "billing_city": invoice.billing_city,
        "billing_state": invoice.billing_state,
        "billing_zip": invoice.billing_zip,
    }


def perfex_line_canonical(line: PerfexLine) -> Canonical:
    return {
        "description": line.description,
        "long_description": line.long_description,
        "qty": _money(line.qty),
        "rate": _money(line.rate),
    }


def perfex_canonical(invoice: PerfexInvoice) -> Canonical:
    """Header plus lines in `item_order`; needs a full invoice."""
    if invoice.lines is None:
        raise ValueError("a full Perfex fingerprint needs the invoice's lines")
    ordered = sorted(invoice.lines, key=lambda line: line.item_order)
    return {
        **perfex_header_canonical(invoice),
        "items": [perfex_line_canonical(x) for x in ordered],
    }


def perfex_fingerprint(invoice: PerfexInvoice) -> str:
    return _digest(perfex_canonical(invoice))


def perfex_row_fingerprint(invoice: PerfexInvoice) -> str:
    """From the header alone: a list row and the full object of one invoice give the same."""
    return _digest(perfex_header_canonical(invoice))


def onlyoffice_header_canonical(invoice: OnlyofficeInvoice) -> Canonical:
    """The header content of an ONLYOFFICE invoice, keyed by its API's camelCase names."""
    return {
        "number": invoice.number,
        "status": str(int(invoice.status)),
        "issueDate": _day(invoice.issue_date),
        "dueDate": _day(invoice.due_date),
        "contactId": "" if invoice.contact_id is None else str(invoice.contact_id),
        "currency": invoice.currency,
        "terms": invoice.terms,
        "description": invoice.description,
    }


def onlyoffice_line_canonical(line: OnlyofficeLine) -> Canonical:
    return {
        "invoiceItemID": str(line.item_id),
        "invoiceTax1ID": str(line.tax1_id),
        "invoiceTax2ID": str(line.tax2_id),
        "description": line.description,
        "quantity": _money(line.quantity),
        "price": _money(line.price),
        "discount": _money(line.discount),
    }


def onlyoffice_canonical(invoice: OnlyofficeInvoice) -> Canonical:
    """Header plus lines in their order; needs a full invoice. No ids, no cost."""
    if invoice.lines is None:
        raise ValueError("a full ONLYOFFICE fingerprint needs the invoice's lines")
    lines = [onlyoffice_line_canonical(line) for line in invoice.lines]
    return {**onlyoffice_header_canonical(invoice), "invoiceLines": lines}


def onlyoffice_fingerprint(invoice: OnlyofficeInvoice) -> str:
    return _digest(onlyoffice_canonical(invoice))


def onlyoffice_row_fingerprint(invoice: OnlyofficeInvoice) -> str:
    """From an `invoice/filter` row or a full object alike: header plus the server's cost."""
    cost = "" if invoice.cost is None else _money(invoice.cost)
    return _digest({**onlyoffice_header_canonical(invoice), "cost": cost})
