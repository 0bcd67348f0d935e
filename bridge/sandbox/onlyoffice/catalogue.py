"""Handlers of invoice items (products) and taxes: `crm/invoiceitem`, `crm/invoice/tax` (§6).

Owns reading the catalogue (any user), writing it (CRM admins only, 403 otherwise), the
validation of §6 (item title and price > 0 and <= 99999999.99; tax name required and unique
on create only), and the rule that an item or tax in use cannot be deleted (403). Item tax
ids are deliberately not validated: the server accepts them and later fails to read the
item (§6.1). It must not touch invoices.
"""

from __future__ import annotations

import dataclasses

from bridge.sandbox.onlyoffice.failures import (
    access_denied,
    bad_argument,
    not_found,
    null_reference,
)
from bridge.sandbox.onlyoffice.paging import db_page, words_match
from bridge.sandbox.onlyoffice.records import COLUMN_MAX, Item, Tax, stored_decimal
from bridge.sandbox.onlyoffice.routing import Call, Reply
from bridge.sandbox.onlyoffice.wrappers import item_wrapper, tax_wrapper

ITEM_SORT_KEYS = {
    "name": lambda item: item.title.lower(),
    "price": lambda item: item.price,
    "quantity": lambda item: item.stock_quantity,
    "sku": lambda item: item.sku.lower(),
    "created": lambda item: item.create_on,
}
TAX_NAME_EMPTY = "The tax name cannot be empty."
TAX_NAME_EXISTS = "A tax with this name already exists."


def _demand_admin(call: Call) -> None:
    if not call.caller.is_admin:
        raise access_denied()


# --- items (§6.1) ------------------------------------------------------------------------


def filter_items(call: Call) -> object:
    paging = call.paging
    stock = call.params.opt_boolean("inventoryStock")  # `status` is accepted and ignored
    rows = [
        item
        for item in call.store.items.values()
        if (stock is None or item.track_inventory == stock)
        and words_match(paging.filter_value, (item.title, item.description, item.sku))
    ]
    key = ITEM_SORT_KEYS.get((paging.sort_by or "name").lower(), ITEM_SORT_KEYS["name"])
    rows.sort(key=lambda item: (key(item), item.id), reverse=paging.descending)
    page, total = db_page(rows, paging)
    return Reply([item_wrapper(call.view, item) for item in page], total, True)


def get_item(call: Call) -> object:
    item = call.store.item(call.params.route_id("itemid"))
    if item is None:
        raise not_found()
    return item_wrapper(call.view, item)


def _item_fields(call: Call) -> dict[str, object]:
    params = call.params
    title, price = params.text("title"), params.decimal("price")
    if not title or price <= 0:
        raise bad_argument()
    if price > COLUMN_MAX:
        raise bad_argument("Max Invoice Item Price: 99999999.99")
    return {
        "title": title,
        "description": params.text("description") or "",
        "sku": params.text("sku") or "",
        "price": stored_decimal(price),
        "stock_quantity": stored_decimal(params.decimal("stockQuantity")),
        "track_inventory": params.boolean("trackInventory"),
        "tax1_id": params.integer("invoiceTax1id"),
        "tax2_id": params.integer("invoiceTax2id"),
    }


def create_item(call: Call) -> object:
    _demand_admin(call)
    fields = _item_fields(call)
    item = Item(
        id=call.store.next_id("invoiceitem"),
        create_on=call.now,
        create_by=call.caller.id,
        **fields,  # type: ignore[arg-type]
    )
    return item_wrapper(call.view, call.store.put_item(item))


def update_item(call: Call) -> object:
    _demand_admin(call)
    item_id = call.params.route_id("itemid")
    if item_id <= 0:
        raise bad_argument()
    fields = _item_fields(call)
    item = call.store.item(item_id)
    if item is None:
        raise not_found()
    call.store.damage.repair("item", item.id)
    updated = call.store.put_item(dataclasses.replace(item, **fields))  # type: ignore[arg-type]
    return item_wrapper(call.view, updated)


def delete_item(call: Call) -> object:
    _demand_admin(call)
    item = call.store.item(call.params.route_id("itemid"))
    if item is None:
        raise not_found()
    if call.store.item_in_use(item.id):
        raise access_denied()  # an item referenced by any invoice line stays (§6.1)
    call.store.remove_item(item.id)
    return item_wrapper(call.view, item)


def delete_items(call: Call) -> object:
    _demand_admin(call)
    ids = call.params.int_list("ids")
    if ids is None:
        raise bad_argument()
    if not ids:
        raise null_reference()  # an empty array reaches the DAO as a null list (§6.1)
    deleted = []
    for item_id in sorted(set(ids)):
        item = call.store.item(item_id)
        if item is not None and not call.store.item_in_use(item_id):
            call.store.remove_item(item_id)
            deleted.append(item_wrapper(call.view, item))
    return deleted


# --- taxes (§6.2) ------------------------------------------------------------------------


def list_taxes(call: Call) -> object:
    taxes = sorted(call.store.taxes.values(), key=lambda tax: tax.id)
    return [tax_wrapper(call.view, tax) for tax in taxes]


def _tax_fields(call: Call) -> dict[str, object]:
    name = call.params.text("name")
    if not name or not name.strip():
        raise bad_argument(TAX_NAME_EMPTY)
    return {
        "name": name,
        "description": call.params.text("description") or "",
        "rate": stored_decimal(call.params.decimal("rate")),  # not range-checked (§6.2)
    }


def create_tax(call: Call) -> object:
    _demand_admin(call)
    fields = _tax_fields(call)
    wanted = str(fields["name"]).lower()
    if any(tax.name.lower() == wanted for tax in call.store.taxes.values()):
        raise bad_argument(TAX_NAME_EXISTS)
    tax = Tax(
        id=call.store.next_id("invoicetax"),
        create_on=call.now,
        create_by=call.caller.id,
        **fields,  # type: ignore[arg-type]
    )
    return tax_wrapper(call.view, call.store.put_tax(tax))


def update_tax(call: Call) -> object:
    _demand_admin(call)
    tax_id = call.params.route_id("taxid")
    if tax_id <= 0:
        raise bad_argument()
    fields = _tax_fields(call)  # duplicate names are not checked on update (§6.2)
    tax = call.store.tax(tax_id)
    if tax is None:
        raise not_found()
    call.store.damage.repair("tax", tax.id)
    updated = call.store.put_tax(dataclasses.replace(tax, **fields))  # type: ignore[arg-type]
    return tax_wrapper(call.view, updated)


def delete_tax(call: Call) -> object:
    _demand_admin(call)
    tax = call.store.tax(call.params.route_id("taxid"))
    if tax is None:
        raise not_found()
    if call.store.tax_in_use(tax.id):
        raise access_denied()  # used by an item or a line (§6.2)
    call.store.remove_tax(tax.id)
    return tax_wrapper(call.view, tax)
