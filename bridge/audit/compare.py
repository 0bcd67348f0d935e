"""Whether the two invoices of a pair agree under the mapping, and if not, in which fields.

The source is mapped the way a sync would write it (`InvoiceSide.expected`, which looks and
creates nothing) and compared with what the target holds, on carried fields only
(`mappings.changes`, whose views are the fingerprints' canonical content). Fields are named as
the target names them (`dueDate` in ONLYOFFICE, `duedate` in Perfex) and each difference is
given as [Perfex side, ONLYOFFICE side], in words a bookkeeper reads: customers by name,
statuses by name, lines as one line of text each.

Which way is compared: in a one-way direction, source to mirror; in `both`, from the winning
side of `[sync].conflict_policy` (Perfex when none wins), and the pair also agrees when the
other way holds, as the engine itself decides (`InvoiceSync._agree`). When the source cannot be
mapped at all (an invoice the sync would refuse), the other way is tried before giving up.

Must not: write anything, or decide what to repair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bridge.audit.view import BridgeView
from bridge.engine.onlyoffice_side import STATUS_NAMES
from bridge.engine.plan import other
from mappings.changes import onlyoffice_changes, perfex_changes
from mappings.money import format_money
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeLine
from mappings.perfex import PerfexInvoice, PerfexLine
from mappings.problems import MappingProblem
from mappings.status import PerfexStatus

SHAPES = {"onlyoffice": "onlyoffice invoice", "perfex": "perfex invoice"}
Values = tuple[Any, Any]  # (Perfex side, ONLYOFFICE side)


@dataclass(frozen=True)
class Comparison:
    """What comparing one pair found; `fields` is empty when the two agree."""

    fields: Mapping[str, Values] = field(default_factory=dict)
    shape: str = SHAPES["onlyoffice"]  # the table of `mappings.fields` that names the fields

    @property
    def agree(self) -> bool:
        return not self.fields


def compare(view: BridgeView, docs: Mapping[str, Any]) -> Comparison:
    """Compares a pair read in full (`docs` by side)."""
    first = _source_order(view)
    found = _compared(view, docs, first)
    if isinstance(found, Comparison) and found.agree:
        return found
    if view.direction.one_way and isinstance(found, Comparison):
        return found
    second = _compared(view, docs, other(first))
    if isinstance(second, Comparison) and (second.agree or isinstance(found, MappingProblem)):
        return second
    if isinstance(found, Comparison):
        return found
    return _refusal(first, found)


def _source_order(view: BridgeView) -> str:
    direction = view.direction
    return direction.source or direction.winner or "perfex"


def _compared(
    view: BridgeView, docs: Mapping[str, Any], source: str
) -> Comparison | MappingProblem:
    target = other(source)
    expected = view.sides[target].expected(docs[source], docs[target])
    if isinstance(expected, MappingProblem):
        return expected
    words = Wording(view)
    if target == "onlyoffice":
        actual: OnlyofficeInvoice = docs["onlyoffice"]
        changes = onlyoffice_changes(actual, expected)
        values = {
            name: (
                words.onlyoffice(name, expected, docs["perfex"], old_new[1]),
                words.onlyoffice(name, actual, None, old_new[0]),
            )
            for name, old_new in changes.items()
        }
    else:
        stored: PerfexInvoice = docs["perfex"]
        changes = perfex_changes(stored, expected)
        values = {
            name: (
                words.perfex(name, stored, None, old_new[0]),
                words.perfex(name, expected, docs["onlyoffice"], old_new[1]),
            )
            for name, old_new in changes.items()
        }
    return Comparison(values, SHAPES[target])


def _refusal(source: str, problem: MappingProblem | Comparison) -> Comparison:
    """Neither way could be mapped: the source's own refusal is the difference."""
    assert isinstance(problem, MappingProblem)
    said = f"cannot be carried: {problem.message}"
    values = (said, None) if source == "perfex" else (None, said)
    return Comparison({problem.field: values}, SHAPES[other(source)])


class Wording:
    """Values as a bookkeeper reads them. `origin` is the other side's invoice when `invoice`
    is what the mapping made of it (so a customer or status can be named as that side names
    it); `plain` is the canonical value, used for every field not named here."""

    def __init__(self, view: BridgeView) -> None:
        self.view = view

    def onlyoffice(self, name: str, invoice: OnlyofficeInvoice, origin: Any, plain: Any) -> Any:
        if name == "contactId":
            if isinstance(origin, PerfexInvoice):
                return self._perfex_customer(origin.clientid)
            return invoice.contact_name or f"contact {invoice.contact_id}"
        if name == "status":
            said = STATUS_NAMES.get(invoice.status, str(invoice.status))
            if isinstance(origin, PerfexInvoice):
                return f"{perfex_status(origin.status)} (ONLYOFFICE: {said})"
            return said
        if name == "invoiceLines":
            names = self.view.onlyoffice_names()
            return [onlyoffice_line(line, names) for line in invoice.lines or ()]
        return plain

    def perfex(self, name: str, invoice: PerfexInvoice, origin: Any, plain: Any) -> Any:
        if name == "clientid":
            if isinstance(origin, OnlyofficeInvoice):
                return origin.contact_name or f"contact {origin.contact_id}"
            return self._perfex_customer(invoice.clientid)
        if name == "status":
            said = perfex_status(invoice.status)
            if isinstance(origin, OnlyofficeInvoice):
                return f"{STATUS_NAMES.get(origin.status, origin.status)} (Perfex: {said})"
            return said
        if name == "currency":
            return invoice.currency_code or self._perfex_currency(invoice.currency_id)
        if name == "items":
            ordered = sorted(invoice.lines or (), key=lambda line: line.item_order)
            return [perfex_line(line) for line in ordered]
        return plain

    def _perfex_customer(self, clientid: str) -> str:
        found = self.view.sides["perfex"].customer_name(clientid)  # type: ignore[attr-defined]
        return found or f"customer {clientid}"

    def _perfex_currency(self, currency_id: str) -> str:
        codes = self.view.settings.mapping.perfex_currency_ids
        return next((code for code, ident in codes.items() if ident == currency_id), currency_id)


def perfex_status(status: int) -> str:
    try:
        return PerfexStatus(status).name.replace("_", " ").capitalize()
    except ValueError:
        return str(status)


def onlyoffice_line(line: OnlyofficeLine, names: Mapping[str, Mapping[str, str]]) -> str:
    text = f"{_one_line(line.description)} × {_quantity(line.quantity)} @ "
    text += format_money(line.price)
    if line.discount:
        text += f" less {_quantity(line.discount)}%"
    taxes = [_named(names, "invoiceTax1ID", t, "tax") for t in (line.tax1_id, line.tax2_id) if t]
    if taxes:
        text += " + " + ", ".join(taxes)
    product = _named(names, "invoiceItemID", line.item_id, "product")
    if product != line.description.split("\n", 1)[0].strip():
        text += f" [{product}]"
    return text


def perfex_line(line: PerfexLine) -> str:
    text = f"{_one_line(line.description)} × {_quantity(line.qty)} @ {format_money(line.rate)}"
    if line.long_description:
        text += f" ({_one_line(line.long_description)})"
    return text


def _named(names: Mapping[str, Mapping[str, str]], field_name: str, ident: int, what: str) -> str:
    if ident < 0:
        return f"a {what} ONLYOFFICE does not have yet"
    return names.get(field_name, {}).get(str(ident)) or f"{what} {ident}"


def _quantity(value: Any) -> str:
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


def _one_line(text: str) -> str:
    return " / ".join(part.strip() for part in text.split("\n") if part.strip())
