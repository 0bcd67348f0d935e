"""The stored "print data" of an invoice, served by `invoice/jsondata/{id}` (§3.8).

Owns building that JSON text (InvoiceFormattedData: PascalCase keys, .NET tuples as
`{"Item1", "Item2"}`) when an invoice is created or replaced. It carries the only copy of
`BillingAddressID` and `DeliveryAddressID` a client can read. It must not be rebuilt by the
`invoiceline` endpoints: the real server discards its recomputation there (§3.8), and so do we.
Culture-specific number and date formats are not simulated; amounts use a dot and two decimals.
"""

from __future__ import annotations

import json
from decimal import Decimal
from zoneinfo import ZoneInfo

from bridge.sandbox.onlyoffice.costing import HUNDRED, bankers_round
from bridge.sandbox.onlyoffice.records import Invoice, InvoiceLine
from bridge.sandbox.onlyoffice.store import OnlyofficeStore

HEADER_ROW = ["Item", "Quantity", "Price", "Discount", "Tax", "Amount"]


def _pair(label: str, text: str | None) -> dict[str, str] | None:
    return None if not text else {"Item1": label, "Item2": text}


def _money(value: Decimal) -> str:
    return f"{bankers_round(value):f}"


def _address_text(store: OnlyofficeStore, info_id: int) -> str:
    info = store.info(info_id) if info_id > 0 else None
    if info is None:
        return ""
    try:
        parts = json.loads(info.data)
    except ValueError:
        return info.data
    keys = ("street", "city", "state", "zip", "country")
    return ", ".join(str(parts.get(k)) for k in keys if isinstance(parts, dict) and parts.get(k))


def _party(store: OnlyofficeStore, label: str, contact_id: int, address_id: int) -> object:
    contact = store.contact(contact_id) if contact_id > 0 else None
    if contact is None:
        return None
    text = "\n".join(t for t in (contact.display_name, _address_text(store, address_id)) if t)
    return _pair(label, text)


def _rate(store: OnlyofficeStore, line: InvoiceLine) -> Decimal:
    taxes = (store.tax(t) for t in (line.tax1_id, line.tax2_id) if t > 0)
    return sum((t.rate for t in taxes if t is not None), Decimal(0))


def _body_row(store: OnlyofficeStore, line: InvoiceLine) -> tuple[list[str], Decimal, Decimal]:
    item = store.item(line.item_id)
    title = item.title if item else ""
    gross = bankers_round(line.price * line.quantity)
    net = gross - bankers_round(gross * line.discount / HUNDRED)
    rate = _rate(store, line)
    # The print data rounds the combined rate once per line, unlike `cost` (§4.3).
    tax = bankers_round(net * rate / HUNDRED)
    row = [
        "\n".join(t for t in (title, line.description) if t),
        f"{line.quantity:f}",
        _money(line.price),
        f"{line.discount:f}",
        f"{rate:f}",
        _money(net),
    ]
    return row, net, tax


def build_print_data(store: OnlyofficeStore, invoice: Invoice, zone: ZoneInfo) -> str:
    rows = [_body_row(store, line) for line in sorted(invoice.lines, key=lambda x: x.sort_order)]
    subtotal = sum((net for _, net, _ in rows), Decimal(0))
    tax_total = sum((tax for _, _, tax in rows), Decimal(0))
    settings = store.settings
    day = "%Y-%m-%d"
    data = {
        "TemplateType": invoice.template_type,
        "Seller": _pair("Seller", settings.company_name),
        "LogoBase64Id": settings.company_logo_id,
        "LogoBase64": None,
        "LogoSrcFormat": "data:image/jpeg;base64,{0}",
        "Number": _pair("Invoice #", invoice.number),
        "Invoice": [
            p
            for p in (
                _pair("Issue date", invoice.issue_date.astimezone(zone).strftime(day)),
                _pair("P.O. Number", invoice.purchase_order_number),
                _pair("Due date", invoice.due_date.astimezone(zone).strftime(day)),
            )
            if p is not None
        ],
        "Customer": _party(store, "Bill To", invoice.contact_id, invoice.billing_address_id),
        "TableHeaderRow": HEADER_ROW,
        "TableBodyRows": [row for row, _, _ in rows],
        "TableFooterRows": [_pair("Subtotal", _money(subtotal)), _pair("Tax", _money(tax_total))],
        "TableTotalRow": _pair(f"Total ({invoice.currency})", _money(subtotal + tax_total)),
        "Terms": _pair("Terms", invoice.terms),
        "Notes": _pair("Notes", invoice.description),
        "Consignee": _party(store, "Ship To", invoice.consignee_id, invoice.delivery_address_id),
        "DeliveryAddressID": invoice.delivery_address_id,
        "BillingAddressID": invoice.billing_address_id,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
