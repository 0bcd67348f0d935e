"""Line changes as a person reads them: "line 2: quantity 1 → 3", with names instead of ids.

A report that shows a one-quantity edit as the whole old line list struck through and the whole
new one is unreadable; this module aligns the lines before and after a write (by their text,
so an inserted line does not make every later line look changed) and lists, per line, whether
it was added, removed or changed, and which fields changed from what to what. Each entry is a
plain JSON-able dict (the `lines` of an outcome's `details`).

Must not: decide anything about writing; it only describes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mappings.money import format_money
from mappings.onlyoffice import OnlyofficeLine
from mappings.perfex import PerfexLine

LineDiff = list[dict[str, Any]]
LineView = dict[str, Any]  # {"key": ..., "fields": {...}, "text": ...}: JSON, kept in the ledger


@dataclass(frozen=True)
class _View:
    key: str  # what aligns a line before with the same line after
    fields: dict[str, str]
    text: str

    def as_json(self) -> LineView:
        return {"key": self.key, "fields": self.fields, "text": self.text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _View:
        return cls(str(data.get("key", "")), dict(data.get("fields") or {}), str(data.get("text")))


def perfex_line_views(lines: Sequence[PerfexLine]) -> list[LineView]:
    """Each line as the report shows it; kept after a write so the next one can be diffed
    without reading the old invoice again."""
    return [_perfex(line).as_json() for line in lines]


def onlyoffice_line_views(
    lines: Sequence[OnlyofficeLine], names: Mapping[str, Mapping[str, str]] | None = None
) -> list[LineView]:
    named = _namer(names or {})
    return [_onlyoffice(line, named).as_json() for line in lines]


def diff_line_views(before: Sequence[LineView] | None, after: Sequence[LineView]) -> LineDiff:
    """What changed between two lists of line views, line by line."""
    return _diff([_View.from_json(v) for v in before or ()], [_View.from_json(v) for v in after])


def _diff(before: list[_View], after: list[_View]) -> LineDiff:
    matcher = difflib.SequenceMatcher(
        a=[v.key for v in before], b=[v.key for v in after], autojunk=False
    )
    changes: LineDiff = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for offset in range(a1 - a0):
                old, new = before[a0 + offset], after[b0 + offset]
                fields = {
                    name: [old.fields.get(name), value]
                    for name, value in new.fields.items()
                    if old.fields.get(name) != value
                }
                if fields:
                    changes.append(
                        {
                            "line": b0 + offset + 1,
                            "change": "changed",
                            "text": new.text,
                            "fields": fields,
                        }
                    )
            continue
        changes.extend(
            {"line": a0 + i + 1, "change": "removed", "text": before[a0 + i].text}
            for i in range(a1 - a0)
        )
        changes.extend(
            {"line": b0 + i + 1, "change": "added", "text": after[b0 + i].text}
            for i in range(b1 - b0)
        )
    return sorted(changes, key=lambda change: (change["line"], change["change"] != "removed"))


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


def _one_line(text: str) -> str:
    return " / ".join(part for part in text.split("\n") if part)


def _perfex(line: PerfexLine) -> _View:
    taxes = " + ".join(_tax_text(t.name, t.rate) for t in line.taxes)
    fields = {
        "description": line.description,
        "long_description": line.long_description,
        "qty": _quantity(line.qty),
        "rate": format_money(line.rate),
    }
    if line.taxes:
        fields["taxname"] = taxes
    text = f"{_one_line(line.description)} × {fields['qty']} @ {fields['rate']}"
    return _View(line.description.strip(), fields, text + (f" + {taxes}" if taxes else ""))


def _namer(names: Mapping[str, Mapping[str, str]]) -> Callable[[str, int], str]:
    def named(field: str, value: int) -> str:
        return names.get(field, {}).get(str(value), str(value))

    return named


def _onlyoffice(line: OnlyofficeLine, named: Callable[[str, int], str]) -> _View:
    taxes = [
        named("invoiceTax1ID", tax_id) if n == 1 else named("invoiceTax2ID", tax_id)
        for n, tax_id in ((1, line.tax1_id), (2, line.tax2_id))
        if tax_id > 0
    ]
    fields = {
        "invoiceItemID": named("invoiceItemID", line.item_id),
        "description": line.description,
        "quantity": _quantity(line.quantity),
        "price": format_money(line.price),
        "discount": _quantity(line.discount),
        "invoiceTax1ID": taxes[0] if taxes else "",
        "invoiceTax2ID": taxes[1] if len(taxes) > 1 else "",
    }
    text = f"{_one_line(line.description)} × {fields['quantity']} @ {fields['price']}"
    if line.discount:
        text += f" less {fields['discount']}%"
    if taxes:
        text += " + " + " + ".join(taxes)
    return _View(line.description.strip() or fields["invoiceItemID"], fields, text)


def _tax_text(name: str, rate: Decimal) -> str:
    return f"{name} {_quantity(rate)}%"
