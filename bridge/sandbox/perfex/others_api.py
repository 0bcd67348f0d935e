"""The `Customers`, `Items` and `Common` controllers (API notes 4.1-4.3).

Owns: customer list (by company), get, search (active only), create (only `company` is
validated; no id returned on module 2.x), update and delete; the read-only catalogue with
its search shape; `common/tax_data`, `common/payment_mode`, `common/expense_category` and the
404 "Not valid data" for any other type. There is deliberately no currencies controller (4.4).

Must not: touch invoices.
"""

from __future__ import annotations

from bridge.sandbox.perfex import views
from bridge.sandbox.perfex.context import Call, Post
from bridge.sandbox.perfex.framing import Answer, message
from bridge.sandbox.perfex.paging import paginate
from bridge.sandbox.perfex.php import nl2br, php_trim
from bridge.sandbox.perfex.schema import (
    CLIENT_COLUMN_MAP,
    CLIENT_COLUMNS,
    Stored,
    WriteRejected,
    coerce,
)
from bridge.sandbox.perfex.search import fold, search_catalogue, search_customers
from bridge.sandbox.perfex.store import StoredCustomer
from bridge.sandbox.perfex.validation import FieldRule, validate, write_back

NO_DATA = "No data were found"
CUSTOMER_RULES = (FieldRule("company", "Company", "trim|required|max_length[600]"),)
_CUSTOMER_FIELDS = frozenset(
    {
        "company",
        "vat",
        "phonenumber",
        "website",
        "default_currency",
        "default_language",
        "address",
        "city",
        "state",
        "zip",
        "country",
        "billing_street",
        "billing_city",
        "billing_state",
        "billing_zip",
        "billing_country",
        "shipping_street",
        "shipping_city",
        "shipping_state",
        "shipping_zip",
        "shipping_country",
    }
)
_STREETS = ("address", "billing_street", "shipping_street")
_ZERO_WHEN_EMPTY = ("country", "billing_country", "shipping_country", "default_currency")


# --- customers --------------------------------------------------------------------------------


def customers_get(call: Call) -> Answer:
    store = call.store
    if call.argument != "":
        customer = store.customers.get(int(call.argument))
        if customer is None:
            return message(404, NO_DATA)
        return Answer(200, views.customer_row(store, customer))
    customers = sorted(
        store.customers.values(), key=lambda c: (fold(str(c.company or "")), c.userid)
    )
    if not customers:
        return message(404, NO_DATA)
    rows = [views.customer_row(store, customer) for customer in customers]
    return paginate(call.request, rows) if call.v3 else Answer(200, rows)


def customers_search(call: Call) -> Answer:
    found = search_customers(call.store, call.argument)
    if not found:
        return message(404, NO_DATA)
    return Answer(200, [views.customer_row(call.store, customer) for customer in found])


def customers_post(call: Call) -> Answer:
    post = dict(call.post)
    outcome = validate(post, CUSTOMER_RULES)
    if not outcome.ok:
        return Answer(404, outcome.body())
    write_back(post, outcome)
    userid = _add_customer(call, post)
    if userid is None:
        return message(404, "Client add fail.")
    body: dict[str, object] = {"status": True, "message": "Client add successful."}
    if call.v3:
        body["record_id"] = userid
    return Answer(200, body)


def _customer_values(post: Post, *, inserting: bool) -> dict[str, Stored]:
    data = dict(post)
    data.pop("groups_in", None)
    data.pop("custom_fields", None)
    for name in _STREETS:
        if data.get(name) is not None:
            data[name] = nl2br(php_trim(data[name]))
    for name in _ZERO_WHEN_EMPTY:
        if data.get(name) == "":
            data[name] = 0
    values: dict[str, Stored] = {}
    for key, value in data.items():
        if key not in _CUSTOMER_FIELDS:
            raise WriteRejected(f"Unknown column '{key}'")
        values[str(key)] = coerce(value, CLIENT_COLUMN_MAP[str(key)], inserting=inserting)
    return values


def _add_customer(call: Call, post: Post) -> int | None:
    store = call.store
    try:
        values = _customer_values(post, inserting=True)
    except WriteRejected:
        return None
    row: dict[str, Stored] = {column.name: column.default for column in CLIENT_COLUMNS}
    row.update(values)
    row.update(userid=store.next_id("clients"), datecreated=store.now(), addedfrom=0)
    store.customers[row["userid"]] = StoredCustomer(row)  # type: ignore[index]
    return row["userid"]  # type: ignore[return-value]


def customers_put(call: Call) -> Answer:
    data = call.put_body()
    if not isinstance(data, dict) or not data:
        return message(406, "Data Not Acceptable OR Not Provided")
    customer = call.store.customers.get(int(call.argument or 0))
    try:
        values = _customer_values(data, inserting=False)
    except WriteRejected:
        values = {}
    changed = customer is not None and any(customer.row[k] != v for k, v in values.items())
    if customer is not None:
        call.store.damage.repair("customer", customer.userid, values)
    if not changed or customer is None:
        return message(404, "Customers Update Fail.")
    customer.row.update(values)
    return message(200, "Customers Update Successful.", ok=True)


def customers_delete(call: Call) -> Answer:
    removed = call.store.customers.pop(int(call.argument or 0), None)
    if removed is None:
        return message(404, "Customer Delete Fail.")
    return message(200, "Customer Delete Successful.", ok=True)


# --- catalogue --------------------------------------------------------------------------------


def items_get(call: Call) -> Answer:
    store = call.store
    if call.argument != "":
        item = store.catalogue.get(int(call.argument))
        if item is None:
            return message(404, NO_DATA)
        return Answer(200, views.catalogue_row(store, item))
    items = sorted(store.catalogue.values(), key=lambda item: (fold(item.description), item.id))
    if not items:
        return message(404, NO_DATA)
    return Answer(200, [views.catalogue_row(store, item) for item in items])


def items_search(call: Call) -> Answer:
    found = search_catalogue(call.store, call.argument)
    if not found:
        return message(404, NO_DATA)
    return Answer(200, [views.catalogue_search_row(call.store, item) for item in found])


# --- common -----------------------------------------------------------------------------------

_COMMON = {
    "tax_data": views.tax_rows,
    "payment_mode": views.payment_mode_rows,
    "expense_category": views.expense_category_rows,
}


def common_get(call: Call) -> Answer:
    lister = _COMMON.get(call.argument)
    if lister is None:
        return message(404, "Not valid data")
    rows = lister(call.store)
    if not rows:
        return message(404, NO_DATA)
    return Answer(200, rows)
