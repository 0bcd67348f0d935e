"""The exact bodies Perfex's REST API module accepts for invoice and customer writes.

Owns the wire rules of docs/perfex-api.md 2.5, 2.6, 4.1 and 7.2: creates are
`application/x-www-form-urlencoded` pairs with PHP bracket keys (module 2.x reads only form
fields), updates are JSON with the full header every time (omitted fields are reset) and the
replace-all line pattern, amounts are strings with two decimals and a dot.

Must not: decide content; `to_perfex.py` builds the `PerfexInvoice` these bodies carry.
"""

from __future__ import annotations

from typing import Any

from mappings.money import format_money
from mappings.onlyoffice import Address, OnlyofficeContact
from mappings.perfex import PerfexInvoice, PerfexLine
from mappings.problems import MappingError


def perfex_create_form(invoice: PerfexInvoice) -> list[tuple[str, str]]:
    """Form pairs for `POST /api/invoices`: module 2.x reads only form fields (API notes 2.5).

    No `items`/`removed_items`: unknown columns make the insert fail. No `prefix`: the server
    sets it from its own options. No `adminnote`: the bridge never has one to add.
    """
    pairs = [(key, value) for key, value in _header(invoice).items() if key != "prefix"]
    pairs += [("allowed_payment_modes[]", mode) for mode in invoice.allowed_payment_modes]
    for index, line in enumerate(invoice.lines or (), start=1):
        fields = _line_fields(line)
        taxnames = fields.pop("taxname")
        pairs += [(f"newitems[{index}][{key}]", value) for key, value in fields.items()]
        pairs += [(f"newitems[{index}][taxname][]", name) for name in taxnames]
    return pairs


def perfex_update_body(invoice: PerfexInvoice, current: PerfexInvoice | None) -> dict[str, Any]:
    """JSON for `PUT /api/invoices/{id}`: the full header every time (omitted fields are reset,
    API notes 2.6) and the replace-all line pattern."""
    removed = [line.id for line in (current.lines or ()) if line.id] if current else []
    return {
        **_header(invoice),
        "allowed_payment_modes": list(invoice.allowed_payment_modes),
        "items": [],
        "removed_items": removed,
        "newitems": {
            str(index): _line_fields(line) for index, line in enumerate(invoice.lines or (), 1)
        },
    }


def _header(invoice: PerfexInvoice) -> dict[str, str]:
    # Amounts as strings with two decimals: the `decimal` rule needs a literal dot (2.5).
    return {
        "clientid": invoice.clientid,
        "number": str(invoice.number),
        "prefix": invoice.prefix,
        "date": invoice.date.isoformat(),
        "duedate": invoice.duedate.isoformat() if invoice.duedate else "",
        "currency": invoice.currency_id,
        "billing_street": invoice.billing_street,
        "billing_city": invoice.billing_city,
        "billing_state": invoice.billing_state,
        "billing_zip": invoice.billing_zip,
        "subtotal": format_money(invoice.subtotal),
        "total": format_money(invoice.total),
        "discount_type": invoice.discount_type,
        "discount_percent": format_money(invoice.discount_percent),
        "discount_total": format_money(invoice.discount_total),
        "adjustment": format_money(invoice.adjustment),
        "terms": invoice.terms,
        "clientnote": invoice.clientnote,
        "status": str(int(invoice.status)),
    }


def _line_fields(line: PerfexLine) -> dict[str, Any]:
    # All six scalar keys on every line, and `taxname` always as a list (API notes 2.5).
    return {
        "description": line.description,
        "long_description": line.long_description,
        "qty": format_money(line.qty),
        "rate": format_money(line.rate),
        "unit": line.unit,
        "order": str(line.item_order),
        "taxname": [tax.perfex_taxname for tax in line.taxes],
    }


def perfex_customer_form(contact: OnlyofficeContact) -> list[tuple[str, str]]:
    """Form pairs for `POST /api/customers` (API notes 4.1): `company` is the only required one.

    The country stays unset: Perfex wants an id into its own country table.
    """
    if not contact.display_name:
        raise MappingError("displayName", f"ONLYOFFICE contact {contact.id} has no name")
    address = contact.billing_address or Address("", "", "", "", "")
    return [
        ("company", contact.display_name),
        ("billing_street", address.street),
        ("billing_city", address.city),
        ("billing_state", address.state),
        ("billing_zip", address.zip),
    ]
