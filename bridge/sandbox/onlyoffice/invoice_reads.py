"""Handlers that read invoices: by id, the filtered list, by number, sample, print data (§3).

Owns `invoice/{id}`, `invoice/filter` with every filter and sort key of §3.2 (including the
`entityid`-without-`entityType` empty list and the unknown-`sortBy` in-memory sort),
`{contact|person|company|opportunity}/invoicelist/{id}` (§3.7), `invoice/bynumber` with its
partial wrapper and `bynumber/exist` (§3.9), `invoice/sample` with the proposed next number
(§3.10) and `invoice/jsondata/{id}` (§3.8). It must not change data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.failures import access_denied, bad_argument, not_found
from bridge.sandbox.onlyoffice.paging import ListParams, db_page, words_match
from bridge.sandbox.onlyoffice.records import STATUS_NAMES, STATUS_TITLES, Invoice, parse_enum
from bridge.sandbox.onlyoffice.routing import Call, Reply
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wire import MIN_DATE_TEXT
from bridge.sandbox.onlyoffice.wrappers import (
    Wire,
    default_currency,
    employee_wrapper,
    invoice_wrapper,
    status_wrapper,
)

ENTITY_TYPES = ("contact", "opportunity", "case")
SORT_KEYS = ("number", "issuedate", "contact", "duedate", "status")
# The upper date bound covers the whole day it names (InvoiceDao.WhereConditional, §3.2).
UPPER_BOUND_STRETCH = timedelta(days=1) - timedelta(minutes=1)
Predicate = Callable[[Invoice], bool]


def _readable(call: Call, invoice: Invoice) -> bool:
    contact = call.store.contact(invoice.contact_id)
    return access.can_read_invoice(call.caller, invoice, contact)


def _visible(call: Call, invoice: Invoice) -> bool:
    """Lists show a non-admin only invoices whose contact they can read (§3.2)."""
    if call.caller.is_admin:
        return True
    contact = call.store.contact(invoice.contact_id)
    return contact is not None and access.can_read_contact(call.caller, contact)


def get_invoice(call: Call) -> object:
    invoice_id = call.params.route_id("invoiceid")
    if invoice_id <= 0:
        raise bad_argument()
    invoice = call.store.invoice(invoice_id)
    if invoice is None:
        raise not_found()
    if not _readable(call, invoice):
        raise access_denied()
    return invoice_wrapper(call.view, invoice, full=True)


def _date_range(call: Call, field: str, lower: str, upper: str) -> list[Predicate]:
    low, high = call.params.datetime(lower), call.params.datetime(upper)
    found: list[Predicate] = []
    if low is not None:
        found.append(lambda inv: getattr(inv, field) >= low)
    if high is not None:
        stretched = high + UPPER_BOUND_STRETCH
        found.append(lambda inv: getattr(inv, field) <= stretched)
    return found


def _entity_filter(call: Call) -> Predicate | None:
    entity_type = (call.params.text("entityType") or "").lower()
    if entity_type and entity_type not in ENTITY_TYPES:
        raise bad_argument()
    entity_id = call.params.integer("entityid")
    if entity_id <= 0:
        return None
    if entity_type == "contact":
        return lambda inv: inv.contact_id == entity_id  # the consignee does not count
    if entity_type == "opportunity":
        return lambda inv: inv.entity_id == entity_id
    # "case" finds nothing (invoices are always linked as opportunities); an id without a
    # type makes the query "filtered" without a condition, and the DAO returns nothing.
    return lambda inv: False


def _filters(call: Call) -> list[Predicate]:
    params = call.params
    found: list[Predicate] = []
    status_text = params.text("status")
    if status_text:
        status = parse_enum(status_text, STATUS_NAMES, STATUS_TITLES)
        found.append(lambda inv: inv.status == status)
    found += _date_range(call, "issue_date", "issueDateFrom", "issueDateTo")
    found += _date_range(call, "due_date", "dueDateFrom", "dueDateTo")
    entity = _entity_filter(call)
    if entity is not None:
        found.append(entity)
    currency = (params.text("currency") or "").lower()
    if currency:
        found.append(lambda inv: inv.currency.lower() == currency)
    words = call.paging.filter_value
    if words:
        found.append(lambda inv: words_match(words, (inv.number, inv.description)))
    return found


def _sort_key(store: OnlyofficeStore, key: str) -> Callable[[Invoice], tuple[object, ...]]:
    def contact_name(inv: Invoice) -> str:
        contact = store.contact(inv.contact_id)
        return contact.display_name.lower() if contact else ""

    # Numbers sort as strings, so only zero-padded numbers sort numerically (§3.2).
    keys: dict[str, Callable[[Invoice], tuple[object, ...]]] = {
        "issuedate": lambda inv: (inv.issue_date, inv.number.lower()),
        "duedate": lambda inv: (inv.due_date, inv.number.lower()),
        "status": lambda inv: (inv.status, inv.number.lower()),
        "contact": lambda inv: (contact_name(inv), inv.number.lower()),
    }
    return keys.get(key, lambda inv: (inv.number.lower(), inv.id))


def filter_invoices(call: Call) -> object:
    filters = _filters(call)
    rows = [
        inv
        for inv in call.store.invoices.values()
        if _visible(call, inv) and all(f(inv) for f in filters)
    ]
    paging = call.paging
    sort_by = (paging.sort_by or "number").lower()
    rows.sort(key=_sort_key(call.store, "number"))
    if sort_by not in SORT_KEYS and not sort_by.lstrip("-").isdigit():
        return _sorted_in_memory(call, rows, paging)
    rows.sort(key=_sort_key(call.store, sort_by), reverse=paging.descending)
    page, total = db_page(rows, paging)
    return Reply([invoice_wrapper(call.view, inv, full=False) for inv in page], total, True)


def _sorted_in_memory(call: Call, rows: list[Invoice], paging: ListParams) -> Reply:
    """Unknown `sortBy`: load everything, sort by the wrapper property of that name, page in
    memory; `total` is then inflated by `startIndex` when the set is small (§3.2)."""
    wires = [invoice_wrapper(call.view, inv, full=False) for inv in rows]
    wanted = (paging.sort_by or "").lower()
    prop = next((k for k in (wires[0] if wires else {}) if k.lower() == wanted), None)
    if prop is not None and all(_sortable(w[prop]) for w in wires):
        wires.sort(key=lambda w: w[prop], reverse=paging.descending)  # type: ignore[arg-type, return-value]
    page = wires[paging.start : paging.start + max(paging.count, 1)]
    small = len(wires) < paging.count + 1
    total = paging.start + len(wires) if small else len(wires)
    return Reply(page, total, True)


def _sortable(value: object) -> bool:
    return isinstance(value, str | int | Decimal) and not isinstance(value, bool)


def entity_invoices(call: Call) -> object:
    """`{kind}/invoicelist/{id}`: by contact (not consignee) or by deal; paged in memory."""
    entity_id = call.params.route_id("entityid")
    if entity_id <= 0:
        raise bad_argument()
    by_deal = call.params.route("kind").lower() == "opportunity"
    rows = sorted(
        (
            inv
            for inv in call.store.invoices.values()
            if (inv.entity_id if by_deal else inv.contact_id) == entity_id and _readable(call, inv)
        ),
        key=lambda inv: inv.id,
    )
    return [invoice_wrapper(call.view, inv, full=False) for inv in rows]


def _number_param(call: Call) -> str:
    number = call.params.text("number")
    if not number:
        raise bad_argument()
    return number


def invoice_by_number(call: Call) -> object:
    invoice = call.store.invoice_by_number(_number_param(call))
    if invoice is None:
        raise not_found()
    if not _readable(call, invoice):
        raise access_denied()
    # Built without the enrichment helper: null lines and contacts, cost 0 (§3.9).
    return invoice_wrapper(call.view, invoice, full=True, enrich=False)


def number_exists(call: Call) -> object:
    return call.store.invoice_by_number(_number_param(call)) is not None


def next_invoice_number(store: OnlyofficeStore) -> str:
    """InvoiceDao.GetNewInvoicesNumber: the last *created* invoice's number plus one (§3.10)."""
    settings = store.settings
    if not settings.autogenerated:
        return ""
    last = store.last_created_invoice()
    if last is None or not last.number.startswith(settings.prefix):
        return settings.prefix + settings.number
    rest = last.number[len(settings.prefix) :].strip()
    following = (int(rest) if rest.isdigit() else 0) + 1
    return settings.prefix + str(following).zfill(len(settings.number))


def sample_invoice(call: Call) -> object:
    """A template, not a reservation: two clients get the same proposed number (§3.10)."""
    view, now = call.view, call.now
    return {
        "id": 0,
        "status": status_wrapper(1),
        "number": next_invoice_number(call.store),
        "issueDate": view.date(now),
        "templateType": 0,
        "contact": None,
        "consignee": None,
        "entity": None,
        "dueDate": view.date(now + timedelta(days=30)),
        "language": "en-US",
        "currency": default_currency(view),
        "exchangeRate": Decimal(1),
        "purchaseOrderNumber": "",
        "terms": call.store.settings.terms,
        "description": "",
        "fileID": -1,
        "createOn": MIN_DATE_TEXT,
        "createBy": employee_wrapper(view, call.caller.id),
        "cost": Decimal(0),
        "canEdit": True,
        "canDelete": True,
        "invoiceLines": [_sample_line()],
    }


def _sample_line() -> Wire:
    return {
        "id": 0,
        "invoiceID": 0,
        "invoiceItemID": 0,
        "invoiceTax1ID": 0,
        "invoiceTax2ID": 0,
        "sortOrder": 0,
        "description": "",
        "quantity": Decimal(1),
        "price": Decimal(0),
        "discount": Decimal(0),
    }


def invoice_print_data(call: Call) -> object:
    """`invoice/jsondata/{id}`: the stored print data as a JSON *string* (§3.8)."""
    invoice = call.store.invoice(call.params.route_id("invoiceid"))
    if invoice is None:
        raise not_found()
    if not _readable(call, invoice):
        raise access_denied()
    return invoice.json_data
