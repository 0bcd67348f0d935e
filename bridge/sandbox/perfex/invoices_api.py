"""The `Invoices` controller: what each invoice endpoint checks and answers (API notes 2.1-2.7).

Owns: the validation rules, labels and the invoice-number callback (unique per number and
YEAR(date), drafts included, own number allowed on update), the order of checks, and every
status code and message: POST validation failures are 404, PUT failures 409, a PUT that changes
nothing is 404 "Invoice Update Fail", successes are 200 without an id on module 2.x.

Must not: change data except through `writes.py`, or shape rows (views.py).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from bridge.sandbox.perfex import views, writes
from bridge.sandbox.perfex.context import Call, Post
from bridge.sandbox.perfex.framing import Answer, database_error_page, message
from bridge.sandbox.perfex.header import to_sql_date
from bridge.sandbox.perfex.paging import paginate
from bridge.sandbox.perfex.php import PhpFatalError, PhpValue, is_numeric, php_trim
from bridge.sandbox.perfex.schema import INVOICE_COLUMN_MAP, coerce
from bridge.sandbox.perfex.search import search_invoices
from bridge.sandbox.perfex.store import PerfexStore
from bridge.sandbox.perfex.validation import Callback, FieldRule, validate, write_back
from bridge.sandbox.server import SimResponse

_SHARED_RULES = (
    FieldRule(
        "number", "Invoice number", "trim|required|max_length[255]|callback_validate_invoice_number"
    ),
    FieldRule("date", "Invoice date", "trim|required|max_length[255]"),
    FieldRule("currency", "Currency", "trim|required|max_length[255]"),
)
_TAIL_RULES = (
    FieldRule("allowed_payment_modes[]", "Allow Payment Mode", "trim|required|max_length[255]"),
    FieldRule("billing_street", "Billing Street", "trim|required|max_length[255]"),
    FieldRule("subtotal", "Sub Total", "trim|required|decimal|greater_than[0]"),
    FieldRule("total", "Total", "trim|required|decimal|greater_than[0]"),
)
CREATE_RULES = (
    FieldRule("clientid", "Customer", "trim|required|max_length[255]"),
    *_SHARED_RULES,
    FieldRule("newitems[]", "Items", "required"),
    *_TAIL_RULES,
)
UPDATE_RULES = (*_SHARED_RULES, FieldRule("items[]", "Items", "required"), *_TAIL_RULES)
NO_DATA = "No data were found"
SEARCH_TERM_REQUIRED = (
    "Search term is required. Use /api/invoices/search/{term} or /api/invoices/search?q={term}"
)


def get(call: Call) -> Answer:
    if call.argument == "":
        return _list(call)
    invoice = call.store.invoices.get(int(call.argument))
    if invoice is None:
        return message(404, NO_DATA)
    if call.options.php8_get_bug and not call.v3:
        # 2.0.7/2.0.8 call usort() on the single object: a TypeError on PHP 8 (API notes 2.3).
        raise PhpFatalError("usort(): Argument #1 ($array) must be of type array")
    return Answer(200, views.invoice_full(call.store, invoice))


def _list(call: Call) -> Answer:
    store = call.store
    invoices = sorted(store.invoices.values(), key=lambda invoice: invoice.id)
    if not invoices:
        return message(404, NO_DATA)
    rows = [views.invoice_list_row(store, invoice) for invoice in invoices]
    return paginate(call.request, rows) if call.v3 else Answer(200, rows)


def search(call: Call) -> Answer:
    key = call.argument
    if call.v3 and key == "":
        asked = call.request.query_first("q") or call.request.query_first("query") or ""
        key = quote(asked)
        if key == "":
            return Answer(400, {"status": False, "message": SEARCH_TERM_REQUIRED})
    found = search_invoices(call.store, key)
    if not found:
        return message(404, NO_DATA)
    return Answer(200, [views.invoice_search_row(call.store, invoice) for invoice in found])


def create(call: Call) -> Answer | SimResponse:
    post = dict(call.post)
    outcome = validate(post, CREATE_RULES, _number_rule(call.store, post, None))
    if not outcome.ok:
        return Answer(404, outcome.body())
    write_back(post, outcome)  # $_POST was the source: trimmed values replace the posted ones
    if call.v3:
        normalise_v3_lines(post)
    invoice_id = writes.create_invoice(call.store, post)
    if invoice_id is None:
        if call.options.development_mode:
            return database_error_page("Unknown column in 'field list'")
        return message(404, "Invoice Add Fail")
    body: dict[str, object] = {"status": True, "message": "Invoice Added Successfully"}
    if call.v3:
        body["record_id"] = invoice_id
    return Answer(200, body)


def update(call: Call) -> Answer:
    data = call.put_body()
    if not isinstance(data, dict) or not data:
        return message(406, "Data Not Acceptable OR Not Provided")
    if call.argument == "":
        return message(404, "Invalid Invoice ID")
    invoice_id = int(call.argument)
    outcome = validate(data, UPDATE_RULES, _number_rule(call.store, data, invoice_id))
    if not outcome.ok:
        return Answer(409, outcome.body())
    if invoice_id not in call.store.invoices:
        return message(409, "Invoice ID Doesn't Not Exist.")
    if call.v3:
        normalise_v3_lines(data)
    # The model reads $data['duedate'] unguarded: a warning when it is missing (API notes 1.3).
    warnings = () if "duedate" in data else ('Undefined array key "duedate"',)
    if writes.update_invoice(call.store, invoice_id, data):
        return Answer(200, {"status": True, "message": "Invoice Updated Successfully"}, warnings)
    return Answer(404, {"status": False, "message": "Invoice Update Fail"}, warnings)


def delete(call: Call) -> Answer:
    if call.argument == "" or int(call.argument) not in call.store.invoices:
        return message(404, "Invalid Invoice ID")
    if not writes.delete_invoice(call.store, int(call.argument)):
        return message(404, "Invoice Delete Fail")
    return message(200, "Invoice Deleted Successfully", ok=True)


def normalise_v3_lines(data: Post) -> None:
    """M3.0.3 `api_normalize_line_items`: `items` without `newitems` become new lines (5.4)."""
    items = data.get("items")
    if data.get("newitems") or not isinstance(items, dict) or not items:
        return
    data["newitems"] = {
        key: {k: v for k, v in entry.items() if k != "itemid"} if isinstance(entry, dict) else entry
        for key, entry in items.items()
    }
    del data["items"]


def _number_rule(store: PerfexStore, post: Post, invoice_id: int | None) -> dict[str, Callback]:
    def check(value: PhpValue) -> bool:
        return number_is_free(store, value, post.get("date"), invoice_id)

    return {"validate_invoice_number": Callback(check, "The {field} is already in use")}


def number_is_free(
    store: PerfexStore, value: PhpValue, posted_date: PhpValue, invoice_id: int | None
) -> bool:
    """`validate_invoice_number`: free unless another invoice of that year has the number."""
    original: str | None = None
    when = posted_date
    if invoice_id is not None:
        invoice = store.invoices.get(invoice_id)
        if invoice is not None:
            original = str(invoice.number)
            if when in (None, "", "0", 0, False):
                when = invoice.date.isoformat()
    number = php_trim(value).lstrip("0")
    if invoice_id is not None and _loose_equal(number, original):
        return True
    year = _year(to_sql_date(when) if when is not None else None)
    wanted = coerce(number, INVOICE_COLUMN_MAP["number"], inserting=False)
    return not any(
        invoice.number == wanted and invoice.date.year == year
        for invoice in store.invoices.values()
    )


def _loose_equal(number: str, original: str | None) -> bool:
    """PHP 8 `==` between the posted number and the stored one (NULL when missing)."""
    if original is None:
        return number == ""
    if is_numeric(number) and is_numeric(original):
        return Decimal(number.strip()) == Decimal(original)
    return number == original


def _year(sql_date: str | None) -> int:
    """`date('Y', strtotime($date))`: 1970 when strtotime fails."""
    if sql_date is None:
        return 1970
    year, month, day = (int(part) for part in sql_date.split("-"))
    return year if 1 <= month <= 12 and 1 <= day <= 31 else 1970
