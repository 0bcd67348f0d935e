"""Raw API payloads shaped exactly like the contracts' examples, and builders around them.

`PERFEX_INVOICE` is docs/perfex-api.md 3.5; `ONLYOFFICE_INVOICE` is the `response`
of docs/onlyoffice-api.md 4.1. Tests copy and edit them rather than invent shapes.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from mappings.onlyoffice import Address, OnlyofficeTax
from mappings.perfex import PerfexInvoice, TaxSpec
from mappings.settings import MappingSettings
from mappings.to_onlyoffice import OnlyofficeRefs

PERFEX_INVOICE: dict[str, Any] = {
    "id": "58",
    "sent": "0",
    "datesend": None,
    "clientid": "7",
    "deleted_customer_name": None,
    "number": "1042",
    "prefix": "INV-",
    "number_format": "1",
    "datecreated": "2024-03-01 09:14:02",
    "date": "2024-03-01",
    "duedate": "2024-03-31",
    "currency": "1",
    "subtotal": "900.00",
    "total_tax": "180.00",
    "total": "1080.00",
    "adjustment": "0.00",
    "addedfrom": "0",
    "hash": "3f0c1e9a7b2d4c6e8f1a2b3c4d5e6f70",
    "status": "1",
    "clientnote": "",
    "adminnote": None,
    "last_overdue_reminder": None,
    "last_due_reminder": None,
    "cancel_overdue_reminders": "0",
    "allowed_payment_modes": 'a:2:{i:0;s:1:"1";i:1;s:1:"2";}',
    "token": None,
    "discount_percent": "0.00",
    "discount_total": "0.00",
    "discount_type": "",
    "recurring": "0",
    "recurring_type": None,
    "custom_recurring": "0",
    "cycles": "0",
    "total_cycles": "0",
    "is_recurring_from": None,
    "last_recurring_date": None,
    "terms": "",
    "sale_agent": "0",
    "billing_street": "Main Street 1",
    "billing_city": "",
    "billing_state": "",
    "billing_zip": "",
    "billing_country": "0",
    "shipping_street": None,
    "shipping_city": None,
    "shipping_state": None,
    "shipping_zip": None,
    "shipping_country": None,
    "include_shipping": "0",
    "show_shipping_on_invoice": "1",
    "show_quantity_as": "1",
    "project_id": "0",
    "subscription_id": "0",
    "short_link": None,
    "symbol": "€",
    "name": "EUR",
    "decimal_separator": ",",
    "thousand_separator": ".",
    "placement": "after",
    "isdefault": "1",
    "currencyid": "1",
    "currency_name": "EUR",
    "total_left_to_pay": "1080.00",
    "items": [
        {
            "id": "311",
            "rel_id": "58",
            "rel_type": "invoice",
            "description": "Consulting",
            "long_description": "March",
            "qty": "10.00",
            "rate": "90.00",
            "unit": "h",
            "item_order": "1",
            "customfields": [],
        }
    ],
    "attachments": [],
    "visible_attachments_to_customer_found": False,
    "client": {"userid": "7", "company": "Acme Ltd", "vat": None},
    "payments": [],
    "scheduled_email": None,
    "customfields": [],
}

# What a `GET /api/invoices` row lacks compared with the full object (API notes 2.2).
_FULL_ONLY = (
    "items",
    "attachments",
    "visible_attachments_to_customer_found",
    "client",
    "payments",
    "scheduled_email",
    "total_left_to_pay",
)

ONLYOFFICE_INVOICE: dict[str, Any] = {
    "id": 42,
    "status": {"id": 1, "title": "Draft"},
    "number": "INV-0000042",
    "issueDate": "2024-05-01T00:00:00.0000000Z",
    "templateType": 0,
    "contact": {
        "id": 10,
        "displayName": "Acme Ltd",
        "isCompany": True,
        "isPrivate": False,
        "isShared": True,
        "shareType": 1,
        "currency": None,
        "canEdit": True,
        "canDelete": False,
        "smallFotoUrl": "...",
        "mediumFotoUrl": "...",
    },
    "consignee": None,
    "entity": None,
    "dueDate": "2024-05-31T00:00:00.0000000Z",
    "language": "en-US",
    "currency": {
        "title": "Euro",
        "symbol": "€",
        "abbreviation": "EUR",
        "cultureName": "EU",
        "isConvertable": True,
        "isBasic": True,
    },
    "exchangeRate": 1.00,
    "purchaseOrderNumber": "PO-77",
    "terms": "Payment within 30 days",
    "description": "Synced from Perfex #123",
    "fileID": 0,
    "createOn": "2024-05-01T08:12:45.0000000Z",
    "createBy": {"id": "6f3c", "displayName": "Sync Bot", "avatarSmall": None, "profileUrl": "x"},
    "cost": 1210.00,
    "canEdit": True,
    "canDelete": True,
    "invoiceLines": [
        {
            "id": 901,
            "invoiceID": 42,
            "invoiceItemID": 3,
            "invoiceTax1ID": 1,
            "invoiceTax2ID": 0,
            "sortOrder": 0,
            "description": "Consulting",
            "quantity": 10.00,
            "price": 100.00,
            "discount": 0.00,
        }
    ],
}

VAT20 = TaxSpec("VAT", Decimal("20"))
VAT10 = TaxSpec("VAT", Decimal("10"))
ONLYOFFICE_TAXES = {1: OnlyofficeTax(id=1, name="VAT", rate=Decimal("21.00"))}
SETTINGS = MappingSettings(perfex_currency_ids={"EUR": "1", "USD": "2"})


def perfex_raw(**changes: Any) -> dict[str, Any]:
    """The contract's GET-one invoice with some fields replaced."""
    raw = copy.deepcopy(PERFEX_INVOICE)
    raw.update(changes)
    return raw


def perfex_list_row(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if key not in _FULL_ONLY}


def perfex_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(PERFEX_INVOICE["items"][0])
    item.update(changes)
    return item


def perfex_invoice(**changes: Any) -> PerfexInvoice:
    return PerfexInvoice.from_api(perfex_raw(**changes))


def onlyoffice_raw(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(ONLYOFFICE_INVOICE)
    raw.update(changes)
    return raw


def onlyoffice_line_raw(**changes: Any) -> dict[str, Any]:
    line = copy.deepcopy(ONLYOFFICE_INVOICE["invoiceLines"][0])
    line.update(changes)
    return line


def onlyoffice_filter_row(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if key != "invoiceLines"}


def onlyoffice_refs() -> OnlyofficeRefs:
    """Refs for the sample Perfex invoice: contact 10, billing address 55, item 3."""
    return OnlyofficeRefs(
        contact_id=10,
        billing_address_id=55,
        item_ids={"Consulting": 3, "Travel": 4, "Hosting": 5},
        tax_ids={VAT20: 1, VAT10: 2},
    )


BILLING = Address(street="Main Street 1", city="Berlin", state="", zip="10115", country="DE")
