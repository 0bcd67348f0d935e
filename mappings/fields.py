"""Field ownership: for every field of the records the bridge reads and writes, who owns it.

Both APIs replace the whole invoice on PUT and reset what the writer leaves out (Perfex API notes
2.6, ONLYOFFICE API notes 3.4), so the bridge must know, for each field of each shape, whether it
may write it. Every field is one of:

- **carried**: it says something the other side also says; the bridge sets it from the other
  side on every write, compares it, fingerprints it and reports changes to it;
- **owned**: only the side it lives on has it (a person sets it there); on every write the bridge
  sends back the target's current value, so a PUT never resets it, and it is neither
  fingerprinted nor reported;
- **seeded**: set from the other side when the bridge creates the record, then owned by the side
  it lives on (the bridge never updates customers, products or taxes it created);
- **computed**: the server works it out (ids, totals it recomputes, bookkeeping); never written.

Each field also carries the label a bookkeeper reads in reports. This table is the one place that
says so; payload builders, fingerprints and the reports read it.

Must not: know payload formats or values; it lists names and rules only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Ownership(StrEnum):
    CARRIED = "carried"
    OWNED = "owned"
    SEEDED = "seeded"
    COMPUTED = "computed"


CARRIED, OWNED, SEEDED, COMPUTED = Ownership


@dataclass(frozen=True, slots=True)
class FieldRule:
    name: str  # the field's name on the wire
    ownership: Ownership
    label: str  # what a person calls it
    why: str = ""  # for owned and computed fields: what makes them so


def _table(*rules: FieldRule) -> Mapping[str, FieldRule]:
    return {rule.name: rule for rule in rules}


F = FieldRule

PERFEX_INVOICE: Mapping[str, FieldRule] = _table(
    F("number", CARRIED, "number", "with prefix and year, the invoice number both sides show"),
    F("prefix", CARRIED, "number prefix"),
    F("date", CARRIED, "invoice date"),
    F("duedate", CARRIED, "due date", "reset to none by a PUT that leaves it out"),
    F("clientid", CARRIED, "customer"),
    F("currency", CARRIED, "currency"),
    F("subtotal", CARRIED, "subtotal", "sent as the admin screen computes it"),
    F("total", CARRIED, "total", "sent as the admin screen computes it"),
    F("adjustment", CARRIED, "adjustment", "reset to 0 by a PUT that leaves it out"),
    F("discount_percent", CARRIED, "discount (percent)"),
    F("discount_total", CARRIED, "discount (amount)"),
    F("discount_type", CARRIED, "discount applied"),
    F("status", CARRIED, "status", "paid, partly paid and overdue are derived by Perfex"),
    F("terms", CARRIED, "terms"),
    F("clientnote", CARRIED, "note to the customer"),
    F("billing_street", CARRIED, "billing street"),
    F("billing_city", CARRIED, "billing city"),
    F("billing_state", CARRIED, "billing state"),
    F("billing_zip", CARRIED, "billing postcode"),
    F("items", CARRIED, "lines"),
    F("adminnote", OWNED, "admin note", "Perfex's internal note; ONLYOFFICE has none"),
    F("billing_country", OWNED, "billing country", "an id into Perfex's own country table"),
    F("allowed_payment_modes", OWNED, "payment modes", "Perfex configuration; reset if omitted"),
    F("recurring", OWNED, "recurrence", "reset to none by a PUT that leaves it out"),
    F("recurring_type", OWNED, "recurrence unit"),
    F("custom_recurring", OWNED, "custom recurrence"),
    F("cycles", OWNED, "recurrence cycles", "reset to 0 by a PUT that leaves it out"),
    F("total_cycles", OWNED, "cycles done"),
    F("last_recurring_date", OWNED, "last recurrence"),
    F("is_recurring_from", OWNED, "recurring parent"),
    F("include_shipping", OWNED, "include shipping", "reset to 0 by a PUT that leaves it out"),
    F("show_shipping_on_invoice", OWNED, "show shipping"),
    F("shipping_street", OWNED, "shipping street"),
    F("shipping_city", OWNED, "shipping city"),
    F("shipping_state", OWNED, "shipping state"),
    F("shipping_zip", OWNED, "shipping postcode"),
    F("shipping_country", OWNED, "shipping country"),
    F("cancel_overdue_reminders", OWNED, "overdue reminders", "a PUT without the key sets 0"),
    F("sale_agent", OWNED, "sale agent"),
    F("project_id", OWNED, "project"),
    F("show_quantity_as", OWNED, "quantity shown as"),
    F("tags", OWNED, "tags", "never returned by the API; kept when the key is left out"),
    F("custom_fields", OWNED, "custom fields", "kept when the key is left out"),
    F("id", COMPUTED, "id"),
    F("number_format", COMPUTED, "number format", "taken from Perfex's options at creation"),
    F("formatted_number", COMPUTED, "formatted number"),
    F("total_tax", COMPUTED, "tax", "recomputed by the server from the line taxes"),
    F("datecreated", COMPUTED, "created"),
    F("addedfrom", COMPUTED, "created by"),
    F("hash", COMPUTED, "public link"),
    F("sent", COMPUTED, "sent"),
    F("datesend", COMPUTED, "sent on"),
    F("last_overdue_reminder", COMPUTED, "last overdue reminder"),
    F("last_due_reminder", COMPUTED, "last due reminder"),
    F("total_left_to_pay", COMPUTED, "left to pay", "from payments recorded in Perfex"),
    F("payments", COMPUTED, "payments"),
    F("subscription_id", COMPUTED, "subscription"),
    F("short_link", COMPUTED, "short link"),
    F("deleted_customer_name", COMPUTED, "deleted customer"),
)

PERFEX_LINE: Mapping[str, FieldRule] = _table(
    F("description", CARRIED, "description"),
    F("long_description", CARRIED, "details"),
    F("qty", CARRIED, "quantity"),
    F("rate", CARRIED, "price"),
    F("taxname", CARRIED, "taxes", "never returned by the API; inferred when read"),
    F("item_order", CARRIED, "position"),
    F("unit", OWNED, "unit", "ONLYOFFICE lines have no unit"),
    F("id", COMPUTED, "line id", "new ids on every replace-all update"),
)

ONLYOFFICE_INVOICE: Mapping[str, FieldRule] = _table(
    F("number", CARRIED, "number", "set at creation; ONLYOFFICE never changes it"),
    F("issueDate", CARRIED, "invoice date"),
    F("dueDate", CARRIED, "due date"),
    F("contactId", CARRIED, "customer"),
    F("billingAddressID", CARRIED, "billing address", "the customer's billing address"),
    F("currency", CARRIED, "currency"),
    F("terms", CARRIED, "terms"),
    F("description", CARRIED, "note to the customer"),
    F("invoiceLines", CARRIED, "lines"),
    F("status", CARRIED, "status", "moved through the allowed transitions, never by PUT"),
    F("consigneeId", OWNED, "consignee", "reset to none by a PUT that leaves it out"),
    F("deliveryAddressID", OWNED, "delivery address", "belongs to the consignee"),
    F("entityId", OWNED, "deal", "reset to none by a PUT that leaves it out"),
    F("entityType", OWNED, "deal kind"),
    F("purchaseOrderNumber", OWNED, "purchase order", "reset to empty by a PUT without it"),
    F("exchangeRate", OWNED, "exchange rate", "ONLYOFFICE-only; 1.00 at creation"),
    F("language", OWNED, "language", "the print language; the configured one at creation"),
    F("templateType", OWNED, "template", "reset to 0 by a PUT that leaves it out"),
    F("id", COMPUTED, "id"),
    F("cost", COMPUTED, "total", "computed by the server from the lines"),
    F("fileID", COMPUTED, "PDF", "reset by every PUT, set again by a background job"),
    F("createOn", COMPUTED, "created"),
    F("createBy", COMPUTED, "created by"),
    F("canEdit", COMPUTED, "editable"),
    F("canDelete", COMPUTED, "deletable"),
)

ONLYOFFICE_LINE: Mapping[str, FieldRule] = _table(
    F("invoiceItemID", CARRIED, "product"),
    F("invoiceTax1ID", CARRIED, "tax"),
    F("invoiceTax2ID", CARRIED, "second tax"),
    F("description", CARRIED, "description"),
    F("quantity", CARRIED, "quantity"),
    F("price", CARRIED, "price"),
    F("discount", CARRIED, "discount (percent)"),
    F("sortOrder", CARRIED, "position", "always the position in the list"),
    F("id", COMPUTED, "line id", "new ids on every PUT"),
    F("invoiceID", COMPUTED, "invoice"),
)

# Records the bridge creates on a target for an invoice's sake and never updates afterwards.
PERFEX_CUSTOMER: Mapping[str, FieldRule] = _table(
    F("company", SEEDED, "company"),
    F("billing_street", SEEDED, "billing street"),
    F("billing_city", SEEDED, "billing city"),
    F("billing_state", SEEDED, "billing state"),
    F("billing_zip", SEEDED, "billing postcode"),
    F("vat", OWNED, "VAT number"),
    F("phonenumber", OWNED, "phone"),
    F("default_currency", OWNED, "default currency"),
    F("userid", COMPUTED, "id"),
)

ONLYOFFICE_CONTACT: Mapping[str, FieldRule] = _table(
    F("companyName", SEEDED, "company"),
    F("address", SEEDED, "billing address", "added once, as a primary Billing address"),
    F("shareType", SEEDED, "sharing", "shared read-write so the sync account can read it"),
    F("id", COMPUTED, "id"),
)

ONLYOFFICE_PRODUCT: Mapping[str, FieldRule] = _table(
    F("title", SEEDED, "product"),
    F("price", SEEDED, "catalogue price", "each line carries its own price"),
    F("id", COMPUTED, "id"),
)

ONLYOFFICE_TAX: Mapping[str, FieldRule] = _table(
    F("name", SEEDED, "tax"),
    F("rate", SEEDED, "rate"),
    F("id", COMPUTED, "id"),
)

SHAPES: Mapping[str, Mapping[str, FieldRule]] = {
    "perfex invoice": PERFEX_INVOICE,
    "perfex line": PERFEX_LINE,
    "onlyoffice invoice": ONLYOFFICE_INVOICE,
    "onlyoffice line": ONLYOFFICE_LINE,
    "perfex customer": PERFEX_CUSTOMER,
    "onlyoffice contact": ONLYOFFICE_CONTACT,
    "onlyoffice product": ONLYOFFICE_PRODUCT,
    "onlyoffice tax": ONLYOFFICE_TAX,
}


def names(shape: Mapping[str, FieldRule], ownership: Ownership) -> tuple[str, ...]:
    """The fields of `shape` with this ownership, in table order."""
    return tuple(rule.name for rule in shape.values() if rule.ownership is ownership)


def label(field: str, shape: str | None = None) -> str:
    """What a person calls a field ("dueDate" -> "due date"), looked up in `shape` (a key of
    `SHAPES`, e.g. "onlyoffice invoice") or else in every table; the name itself when no
    table knows it."""
    tables = [SHAPES[shape]] if shape else list(SHAPES.values())
    for table in tables:
        if field in table:
            return table[field].label
    return field
