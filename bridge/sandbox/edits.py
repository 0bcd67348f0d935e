"""Hand edits an operator makes while the sandbox runs, and the endpoint that takes them.

`crm-bridge sandbox edit SIDE NUMBER --due-date ... --quantity 1 3 ...` plays a person at
either system's screens so the operator can watch the daemon pick the change up. The command
posts the edits to `POST /__sandbox__/edit` on that side's simulator; the `EditEndpoint`
there checks the sandbox's admin token (header `X-Sandbox-Admin`) and applies them through
`PerfexAdmin` or `OnlyofficeAdmin`, with the screens' rules.

Owns the edit vocabulary (one name and its arguments each, all strings):

    both sides   due_date DATE        (Perfex also: none)
                 quantity LINE QTY    (LINE counts from 1)
                 price LINE PRICE
                 add_line TEXT QTY PRICE   (ONLYOFFICE: TEXT names an existing product)
                 remove_line LINE
                 note TEXT            (Perfex client note, ONLYOFFICE description)
                 status STATUS        (Perfex: cancelled, unpaid, sent for a draft;
                                       ONLYOFFICE: draft, sent, paid, rejected)
    Perfex       pay AMOUNT|full      (a payment recorded in the admin screen)
    ONLYOFFICE   po NUMBER, exchange_rate RATE

and how an invoice is named: its number as either system shows it (`INV-000012`), the plain
number (`12`), or `#ID` for the stored id (a Perfex draft without a number yet).

Must not: be reachable other than through the sandbox's loopback admin prefix, or accept a
request without the admin token.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from bridge.sandbox.onlyoffice import InvoiceStatus, OnlyofficeSimulator
from bridge.sandbox.onlyoffice_admin import AdminLine as OnlyofficeLine
from bridge.sandbox.onlyoffice_admin import OnlyofficeAdmin
from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.perfex_admin import PerfexAdmin
from bridge.sandbox.server import ADMIN_PREFIX, SimRequest, SimResponse

EDIT_PATH = ADMIN_PREFIX + "edit"
ADMIN_HEADER = "X-Sandbox-Admin"
ONLYOFFICE_STATUSES = {
    "draft": InvoiceStatus.DRAFT,
    "sent": InvoiceStatus.SENT,
    "rejected": InvoiceStatus.REJECTED,
    "paid": InvoiceStatus.PAID,
}
Change = Sequence[str]


class EditRefused(ValueError):
    """An edit that cannot be made; its text says why, for the operator."""


@dataclass(frozen=True)
class EditDone:
    invoice_id: int
    number: str
    done: tuple[str, ...]


# --- Perfex ---------------------------------------------------------------------------------


class PerfexEdits:
    def __init__(self, simulator: PerfexSimulator) -> None:
        self.admin = PerfexAdmin(simulator)
        self.store = simulator.store

    def apply(self, invoice: str, changes: Sequence[Change]) -> EditDone:
        with self.store.lock:
            invoice_id = self._find(invoice)
            done = tuple(self._one(invoice_id, change) for change in changes)
            stored = self.store.invoices[invoice_id]
            return EditDone(invoice_id, f"{stored.row['prefix'] or ''}{stored.number:06d}", done)

    def _find(self, name: str) -> int:
        if name.startswith("#"):
            invoice_id = _integer(name[1:], "invoice id")
            if invoice_id not in self.store.invoices:
                raise EditRefused(f"Perfex has no invoice with id {invoice_id}")
            return invoice_id
        digits = name.removeprefix(self.store.options.invoice_prefix).lstrip("0") or "0"
        number = _integer(digits, "invoice number")
        found = [i.id for i in self.store.invoices.values() if i.number == number]
        if not found:
            raise EditRefused(f"Perfex has no invoice numbered {name}")
        return max(found)

    def _one(self, invoice_id: int, change: Change) -> str:
        name, *args = change
        admin = self.admin
        if name == "due_date":
            due = None if _arity(args, 1)[0] == "none" else _date(args[0])
            admin.set_due_date(invoice_id, due)
            return f"due date {'removed' if due is None else due}"
        if name == "quantity":
            position, value = _line_and_amount(args, self.store.lines_of(invoice_id))
            admin.set_quantity(invoice_id, position, value)
            return f"line {position + 1} quantity {value}"
        if name == "price":
            position, value = _line_and_amount(args, self.store.lines_of(invoice_id))
            admin.set_rate(invoice_id, position, value)
            return f"line {position + 1} price {value}"
        if name == "add_line":
            text, qty, price = _arity(args, 3)
            admin.add_line(invoice_id, text, _amount(qty), _amount(price))
            return f"line added: {text}"
        if name == "remove_line":
            position = _line(_arity(args, 1)[0], self.store.lines_of(invoice_id))
            admin.remove_line(invoice_id, position)
            return f"line {position + 1} removed"
        return self._other(invoice_id, name, args)

    def _other(self, invoice_id: int, name: str, args: list[str]) -> str:
        admin = self.admin
        if name == "note":
            admin.set_client_note(invoice_id, _arity(args, 1)[0])
            return "client note changed"
        if name == "pay":
            what = _arity(args, 1)[0]
            amount = self.store.left_to_pay(invoice_id) if what == "full" else _amount(what)
            admin.add_payment(invoice_id, amount, self.store.today)
            return f"payment of {amount} recorded"
        if name == "status":
            return self._status(invoice_id, _arity(args, 1)[0])
        raise EditRefused(f"{name} is not a Perfex edit")

    def _status(self, invoice_id: int, wanted: str) -> str:
        actions: dict[str, Callable[[int], None]] = {
            "cancelled": self.admin.mark_cancelled,
            "unpaid": self.admin.unmark_cancelled,
            "sent": self.admin.send_draft,
        }
        action = actions.get(wanted)
        if action is None:
            raise EditRefused(f"Perfex status edits are {', '.join(actions)}, not {wanted}")
        action(invoice_id)
        return f"marked {wanted}"


# --- ONLYOFFICE -----------------------------------------------------------------------------


class OnlyofficeEdits:
    def __init__(self, simulator: OnlyofficeSimulator) -> None:
        self.admin = OnlyofficeAdmin(simulator)
        self.store = simulator.store

    def apply(self, invoice: str, changes: Sequence[Change]) -> EditDone:
        with self.store.lock:
            invoice_id = self._find(invoice)
            done = tuple(self._one(invoice_id, change) for change in changes)
            stored = self.store.invoice(invoice_id)
            return EditDone(invoice_id, stored.number if stored else invoice, done)

    def _find(self, name: str) -> int:
        if name.startswith("#"):
            invoice_id = _integer(name[1:], "invoice id")
            if self.store.invoice(invoice_id) is None:
                raise EditRefused(f"ONLYOFFICE has no invoice with id {invoice_id}")
            return invoice_id
        found = self.store.invoice_by_number(name)
        if found is None and name.isdigit():
            digits = name.lstrip("0")
            found = next(
                (
                    i
                    for i in self.store.invoices.values()
                    if i.number.rsplit("-", 1)[-1].lstrip("0") == digits
                ),
                None,
            )
        if found is None:
            raise EditRefused(f"ONLYOFFICE has no invoice numbered {name}")
        return found.id

    def _lines(self, invoice_id: int) -> list[OnlyofficeLine]:
        return self.admin.lines_of(invoice_id)

    def _one(self, invoice_id: int, change: Change) -> str:
        name, *args = change
        admin = self.admin
        if name == "due_date":
            admin.set_due_date(invoice_id, _date(_arity(args, 1)[0]))
            return f"due date {args[0]}"
        if name == "quantity":
            position, value = _line_and_amount(args, self._lines(invoice_id))
            admin.set_quantity(invoice_id, position, value)
            return f"line {position + 1} quantity {value}"
        if name == "price":
            position, value = _line_and_amount(args, self._lines(invoice_id))
            admin.set_price(invoice_id, position, value)
            return f"line {position + 1} price {value}"
        if name == "add_line":
            return self._add_line(invoice_id, *_arity(args, 3))
        if name == "remove_line":
            position = _line(_arity(args, 1)[0], self._lines(invoice_id))
            if len(self._lines(invoice_id)) == 1:
                raise EditRefused("an invoice keeps at least one line")
            admin.remove_line(invoice_id, position)
            return f"line {position + 1} removed"
        return self._other(invoice_id, name, args)

    def _add_line(self, invoice_id: int, title: str, qty: str, price: str) -> str:
        items = [i for i in self.store.items.values() if i.title == title]
        if not items:
            raise EditRefused(f"ONLYOFFICE has no product titled {title!r}")
        item = min(items, key=lambda i: i.id)
        line = OnlyofficeLine(item.id, _amount(qty), _amount(price), "", item.tax1_id, item.tax2_id)
        self.admin.add_line(invoice_id, line)
        return f"line added: {title}"

    def _other(self, invoice_id: int, name: str, args: list[str]) -> str:
        admin = self.admin
        if name == "note":
            admin.set_description(invoice_id, _arity(args, 1)[0])
            return "description changed"
        if name == "po":
            admin.set_purchase_order_number(invoice_id, _arity(args, 1)[0])
            return f"purchase order number {args[0]}"
        if name == "exchange_rate":
            admin.set_exchange_rate(invoice_id, _amount(_arity(args, 1)[0]))
            return f"exchange rate {args[0]}"
        if name == "status":
            wanted = _arity(args, 1)[0]
            status = ONLYOFFICE_STATUSES.get(wanted)
            if status is None:
                raise EditRefused(f"ONLYOFFICE statuses are {', '.join(ONLYOFFICE_STATUSES)}")
            admin.move_to(invoice_id, status)
            return f"moved to {wanted}"
        raise EditRefused(f"{name} is not an ONLYOFFICE edit")


# --- arguments ------------------------------------------------------------------------------


def _arity(args: Sequence[str], count: int) -> list[str]:
    if len(args) != count:
        raise EditRefused(f"expected {count} value(s), got {len(args)}")
    return list(args)


def _integer(text: str, what: str) -> int:
    if not text.isdigit():
        raise EditRefused(f"{text!r} is not an {what}")
    return int(text)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise EditRefused(f"{text!r} is not a number like 12.50") from None
    if not value.is_finite() or value < 0:
        raise EditRefused(f"{text} is not an amount")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise EditRefused(f"{text!r} is not a date like 2026-12-31") from None


def _line(text: str, lines: Sequence[object]) -> int:
    position = _integer(text, "line number") - 1
    if not 0 <= position < len(lines):
        raise EditRefused(f"the invoice has lines 1 to {len(lines)}, not {text}")
    return position


def _line_and_amount(args: Sequence[str], lines: Sequence[object]) -> tuple[int, Decimal]:
    line, value = _arity(args, 2)
    return _line(line, lines), _amount(value)


# --- the endpoint ---------------------------------------------------------------------------


class EditEndpoint:
    """`POST /__sandbox__/edit` with `{"invoice": ..., "changes": [[name, *args], ...]}`."""

    def __init__(self, token: str, edits: PerfexEdits | OnlyofficeEdits) -> None:
        self._token = token
        self._edits = edits

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path != EDIT_PATH or request.method != "POST":
            return _json(404, {"error": f"the sandbox's admin endpoint is POST {EDIT_PATH}"})
        given = request.headers.get(ADMIN_HEADER) or ""
        if not hmac.compare_digest(given.encode(), self._token.encode()):
            return _json(401, {"error": f"the {ADMIN_HEADER} header must carry the admin token"})
        try:
            invoice, changes = _payload(request.body)
            result = self._edits.apply(invoice, changes)
        except (EditRefused, KeyError, ValueError) as error:
            return _json(400, {"error": str(error).strip("'\"")})
        body = {"invoice_id": result.invoice_id, "number": result.number, "done": result.done}
        return _json(200, body)


def _payload(body: bytes) -> tuple[str, list[list[str]]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EditRefused("the body must be JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("invoice"), str):
        raise EditRefused('the body needs "invoice" (a number or #id) and "changes"')
    changes = data.get("changes")
    if not isinstance(changes, list) or not changes:
        raise EditRefused('"changes" must be a non-empty list of [name, values...]')
    if not all(isinstance(c, list) and c and all(isinstance(v, str) for v in c) for c in changes):
        raise EditRefused("each change is a list of strings: [name, values...]")
    return data["invoice"], changes


def _json(status: int, body: object) -> SimResponse:
    text = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return SimResponse(status, text, [("Content-Type", "application/json; charset=utf-8")])
