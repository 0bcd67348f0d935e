"""Breaking one field of one stored record of either simulator (`damage.py` says how it looks).

Owns finding a record's current wire form (to check that the field exists and to derive the
broken value from the real one) and entering the damage in the simulator's damage book. The
admin classes' `damage` methods call it.

Must not: change stored values, or be reachable through an API route.
"""

from __future__ import annotations

from typing import TypeVar
from zoneinfo import ZoneInfo

from bridge.sandbox.damage import onlyoffice_wire_value, perfex_wire_value
from bridge.sandbox.onlyoffice.access import Caller
from bridge.sandbox.onlyoffice.contact_views import contact_wrapper
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wrappers import (
    View,
    invoice_wrapper,
    item_wrapper,
    line_wrapper,
    tax_wrapper,
)
from bridge.sandbox.perfex import views
from bridge.sandbox.perfex.store import PerfexStore

PERFEX_KINDS = ("invoice", "line", "customer", "item", "tax", "payment_mode")
ONLYOFFICE_KINDS = ("invoice", "line", "contact", "item", "tax")
Found = TypeVar("Found")


def damage_perfex(store: PerfexStore, kind: str, record_id: int, field: str, how: str) -> None:
    current = _perfex_wire(store, kind, record_id)
    if how != "missing" and field not in current:
        raise KeyError(f"a Perfex {kind} has no field {field!r}")
    store.damage.set(kind, record_id, field, perfex_wire_value(how, current.get(field)))


def damage_onlyoffice(
    store: OnlyofficeStore, zone: ZoneInfo, kind: str, record_id: int, field: str, how: str
) -> None:
    current = _onlyoffice_wire(store, zone, kind, record_id)
    if how != "missing" and field not in current:
        raise KeyError(f"an ONLYOFFICE {kind} has no field {field!r}")
    store.damage.set(kind, record_id, field, onlyoffice_wire_value(how, current.get(field)))


def _perfex_wire(store: PerfexStore, kind: str, record_id: int) -> dict[str, object]:
    with store.lock:
        if kind == "invoice":
            return views.invoice_full(store, store.invoices[record_id])
        if kind == "line":
            return views.line_row(store, store.lines[record_id])
        if kind == "customer":
            return views.customer_row(store, store.customers[record_id])
        if kind == "item":
            return views.catalogue_row(store, store.catalogue[record_id])
        if kind == "tax":
            return next(r for r in views.tax_rows(store) if r.get("id") == str(record_id))
        if kind == "payment_mode":
            mode = store.payment_modes[record_id]
            return {"id": str(mode.id), **views.payment_mode_columns(mode)}
    raise ValueError(f"kind must be one of {PERFEX_KINDS}, not {kind!r}")


def _onlyoffice_wire(
    store: OnlyofficeStore, zone: ZoneInfo, kind: str, record_id: int
) -> dict[str, object]:
    view = View(store, Caller(store.admin), zone, "http://localhost/")
    if kind == "invoice":
        return invoice_wrapper(view, _found(store.invoice(record_id), kind, record_id), full=True)
    if kind == "line":
        owner = _found(store.invoice(store.line_owner(record_id) or 0), kind, record_id)
        return line_wrapper(next(x for x in owner.lines if x.id == record_id), store)
    if kind == "contact":
        return contact_wrapper(view, _found(store.contact(record_id), kind, record_id))
    if kind == "item":
        return item_wrapper(view, _found(store.item(record_id), kind, record_id))
    if kind == "tax":
        return tax_wrapper(view, _found(store.tax(record_id), kind, record_id))
    raise ValueError(f"kind must be one of {ONLYOFFICE_KINDS}, not {kind!r}")


def _found(record: Found | None, kind: str, record_id: int) -> Found:
    if record is None:
        raise KeyError(f"no ONLYOFFICE {kind} {record_id}")
    return record
