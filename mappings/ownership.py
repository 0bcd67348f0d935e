"""Update bodies that change only carried fields and send every owned field back as it is.

Both APIs replace the whole invoice on PUT and reset what the writer leaves out (Perfex API notes
2.6, ONLYOFFICE API notes 3.4), so an update built from the source alone would switch off a
Perfex invoice's recurrence or drop an ONLYOFFICE invoice's deal link. These functions take the
body the mapping built (carried fields only) and the target's current record, and put each
field `mappings.fields` marks as owned back into the body the way that API keeps it.

Must not: decide carried content (the direction's mapping does) or look anything up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mappings.fields import ONLYOFFICE_INVOICE, OWNED
from mappings.money import format_money
from mappings.onlyoffice import OnlyofficeInvoice
from mappings.perfex import PerfexInvoice

# The owned ONLYOFFICE fields a PUT takes (the rest are read-only there), and where the
# current invoice keeps each of them.
_ONLYOFFICE_OWNED_PUT = {
    "consigneeId": lambda invoice: invoice.consignee_id,
    "entityId": lambda invoice: invoice.entity_id,
    "purchaseOrderNumber": lambda invoice: invoice.purchase_order_number,
    "exchangeRate": lambda invoice: format_money(invoice.exchange_rate),
    "language": lambda invoice: invoice.language,
    "templateType": lambda invoice: invoice.template_type,
}
assert set(_ONLYOFFICE_OWNED_PUT) | {"deliveryAddressID", "entityType"} == {
    rule.name for rule in ONLYOFFICE_INVOICE.values() if rule.ownership is OWNED
}


def onlyoffice_update_body(
    body: Mapping[str, Any],
    current: OnlyofficeInvoice,
    delivery_address_id: int | None = None,
) -> dict[str, Any]:
    """`body` (a PUT built from the source) with ONLYOFFICE's owned fields as they are now.

    The delivery address can only be read from the invoice's print data (ONLYOFFICE API notes
    3.8) and needs a consignee; the caller reads it when there is one.
    """
    kept = {name: read(current) for name, read in _ONLYOFFICE_OWNED_PUT.items()}
    if not current.language:
        kept.pop("language")  # never send an empty culture: ONLYOFFICE refuses it (3.3)
    result = {key: value for key, value in body.items() if key != "number"}
    result.update(kept)
    if current.consignee_id and delivery_address_id:
        result["deliveryAddressID"] = delivery_address_id
    return result


def perfex_update_body_keeping(body: Mapping[str, Any], current: PerfexInvoice) -> dict[str, Any]:
    """`body` (a replace-all PUT) with Perfex's reset-when-omitted owned fields as they are.

    Perfex keeps most header fields a PUT leaves out, but resets recurrence, cycles, shipping
    and the overdue-reminder switch (Perfex API notes 2.6); these are sent back with the
    meaning its update code gives them (2.5 steps 2, 4 and 6).
    """
    owned = current.owned
    result = dict(body)
    if owned.get("cancel_overdue_reminders", "0") not in ("", "0"):
        result["cancel_overdue_reminders"] = "1"  # the key's presence switches it on
    result.update(_recurrence(owned))
    if owned.get("include_shipping", "0") not in ("", "0"):
        result["include_shipping"] = "1"  # shipping_* are kept while this is sent
        if owned.get("show_shipping_on_invoice", "1") not in ("", "0"):
            result["show_shipping_on_invoice"] = "1"
    return result


def _recurrence(owned: Mapping[str, str]) -> dict[str, str]:
    every = owned.get("recurring", "0") or "0"
    if every == "0":
        return {}
    cycles = owned.get("cycles", "0") or "0"
    if owned.get("custom_recurring", "0") not in ("", "0"):
        # A custom recurrence is posted as "custom" with its interval and unit (2.5 step 4).
        return {
            "recurring": "custom",
            "repeat_every_custom": every,
            "repeat_type_custom": owned.get("recurring_type", "") or "month",
            "cycles": cycles,
        }
    return {"recurring": every, "cycles": cycles}
