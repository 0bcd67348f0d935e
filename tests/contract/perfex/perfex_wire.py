"""Client-side helpers of the Perfex contract suite: a token-carrying session and the
request bodies a careful client sends (bracket-encoded create forms, full-header PUT bodies)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests

from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.perfex.store import PerfexStore

TODAY = date(2026, 11, 21)
Form = list[tuple[str, str]]


@dataclass
class Perfex:
    """A seeded simulator behind the shared server, plus a session that sends its token."""

    sim: PerfexSimulator
    url: str
    http: requests.Session

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=5, **kwargs)

    def post_form(self, path: str, form: Form | dict[str, str], **kw: Any) -> requests.Response:
        return self.http.post(self.url + path, data=form, timeout=5, **kw)

    def put_json(self, path: str, body: object, **kwargs: Any) -> requests.Response:
        return self.http.put(self.url + path, json=body, timeout=5, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.url + path, timeout=5, **kwargs)

    def raw(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A request without the token (for the authentication tests)."""
        return requests.request(method, self.url + path, timeout=5, **kwargs)

    @property
    def store(self) -> PerfexStore:
        """The simulator's data, for arranging a test and checking what was stored."""
        return self.sim.store


def line_fields(
    index: int,
    description: str = "Consulting",
    qty: str = "2",
    rate: str = "50.00",
    taxes: Sequence[str] = ("VAT|20.00",),
    **extra: str,
) -> Form:
    """One `newitems[i][...]` line, bracket-encoded as the module wants it."""
    prefix = f"newitems[{index}]"
    fields = [
        (f"{prefix}[description]", description),
        (f"{prefix}[long_description]", extra.pop("long_description", "")),
        (f"{prefix}[qty]", qty),
        (f"{prefix}[rate]", rate),
        (f"{prefix}[unit]", extra.pop("unit", "h")),
        (f"{prefix}[order]", extra.pop("order", str(index))),
    ]
    fields += [(f"{prefix}[taxname][]", tax) for tax in taxes]
    return fields


def invoice_form(
    number: str = "900",
    on: str = "2026-11-01",
    lines: Form | None = None,
    **fields: str,
) -> Form:
    """A create form that passes every rule: one line of 2 x 50.00 with 20 % VAT."""
    form: Form = [
        ("clientid", fields.pop("clientid", "1")),
        ("number", number),
        ("date", on),
        ("duedate", fields.pop("duedate", "2026-12-01")),
        ("currency", fields.pop("currency", "1")),
        ("billing_street", fields.pop("billing_street", "Main Street 1")),
        ("allowed_payment_modes[]", "1"),
        ("subtotal", fields.pop("subtotal", "100.00")),
        ("total", fields.pop("total", "120.00")),
    ]
    form += lines if lines is not None else line_fields(1)
    form += list(fields.items())
    return form


def newest_id(perfex: Perfex) -> int:
    return max(perfex.store.invoices)


def put_body_from(perfex: Perfex, invoice_id: int, *, strip_br: bool = True) -> dict[str, Any]:
    """The PUT body of a careful client that changes nothing: the full header and every line
    rewritten with its current values (taxes as the `NAME|RATE` strings the bridge keeps).

    With `strip_br` the `<br />` Perfex added is removed first (API notes 5.1), as it must be.
    """
    invoice = perfex.get(f"/api/invoices/{invoice_id}").json()

    def text(value: str | None) -> str | None:
        return value.replace("<br />", "") if strip_br and value is not None else value

    taxes = {line.id: [tax.key for tax in line.taxes] for line in perfex.store.lines_of(invoice_id)}
    return {
        "clientid": invoice["clientid"],
        "number": invoice["number"],
        "date": invoice["date"],
        "duedate": invoice["duedate"],
        "currency": invoice["currency"],
        "billing_street": text(invoice["billing_street"]),
        "allowed_payment_modes": re.findall(r's:\d+:"(.*?)";', invoice["allowed_payment_modes"]),
        "items": [
            {
                "itemid": item["id"],
                "order": item["item_order"],
                "description": item["description"],
                "long_description": text(item["long_description"]),
                "qty": item["qty"],
                "rate": item["rate"],
                "unit": item["unit"],
                "taxname": taxes[int(item["id"])],
            }
            for item in invoice["items"]
        ],
        "subtotal": invoice["subtotal"],
        "total": invoice["total"],
        "adjustment": invoice["adjustment"],
        "discount_type": invoice["discount_type"],
        "discount_percent": invoice["discount_percent"],
        "discount_total": invoice["discount_total"],
        "clientnote": text(invoice["clientnote"]),
        "terms": text(invoice["terms"]),
        "adminnote": text(invoice["adminnote"]),
    }
