"""What a person reads about one record: names instead of ids, fields by their labels, statuses
by name, line changes as a line diff, the total before and after, warnings apart from errors.

Owns turning an `Outcome` (its wire-level `changes` and, when the engine sent them, its
`details`: see "The details contract" in `state.records`) into a `RecordView` that every
format renders alike. Without details it does what it can: names learned from the customer,
product and tax records of the same run, line changes worked out from the line summaries in
`changes`, and ids shown as ids.

Must not: know any output format's markup, read the ledger, or change a value's digits: money
and dates are shown as the engine wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from bridge.errors import system_name
from bridge.report.links import WebLinks
from bridge.report.wording import action_label, kind_noun, plain_value, side_label, status_name
from mappings.fields import SHAPES, label
from state.records import Outcome, error_of, warnings_of

Names = Mapping[str, Mapping[str, str]]  # wire field -> id -> name
LINE_FIELDS = ("invoiceLines", "items")
_DATE_FIELDS = ("issueDate", "date")
_CUSTOMER_FIELDS = ("contactId", "clientid")
_DEFAULT_SHAPES = {
    ("invoice", "onlyoffice"): "onlyoffice invoice",
    ("invoice", "perfex"): "perfex invoice",
    ("contact", "onlyoffice"): "onlyoffice contact",
    ("contact", "perfex"): "perfex customer",
    ("item", "onlyoffice"): "onlyoffice product",
    ("tax", "onlyoffice"): "onlyoffice tax",
}
# The wire fields that hold the id of a record of each kind, per target system.
_ID_FIELDS = {
    ("contact", "onlyoffice"): ("contactId",),
    ("contact", "perfex"): ("clientid",),
    ("item", "onlyoffice"): ("invoiceItemID",),
    ("tax", "onlyoffice"): ("invoiceTax1ID", "invoiceTax2ID"),
}
# A line as `mappings.changes` summarises it: "Consulting × 3 @ 95.00 less 5% + tax 1, tax 2".
_LINE_SUMMARY = re.compile(
    r"^(?P<description>.+?) × (?P<quantity>\S+) @ (?P<price>\S+)"
    r"(?: \((?P<details>.*)\))?(?: less (?P<discount>\S+)%)?(?: \+ (?P<taxes>.+))?$"
)
_SUMMARY_LABELS = {
    "description": "description",
    "quantity": "quantity",
    "price": "price",
    "details": "details",
    "discount": "discount (percent)",
    "taxes": "taxes",
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class LineChange:
    line: int  # 1-based position: in the new lines, or in the old ones for a removed line
    change: str  # "added", "removed" or "changed"
    text: str  # the line as it reads now (as it read, for a removed line)
    fields: tuple[FieldChange, ...] = ()
    was: str | None = None  # a changed line whose fields are not known: its old text


@dataclass(frozen=True)
class Total:
    """An invoice total as the engine wrote it: decimal strings, never reformatted."""

    before: str | None  # None for a create, or when it did not change
    after: str
    currency: str | None

    def __str__(self) -> str:
        """`300.00 → 325.50 EUR`, or `325.50 EUR`."""
        suffix = f" {self.currency}" if self.currency else ""
        if self.before is None:
            return f"{self.after}{suffix}"
        return f"{self.before} → {self.after}{suffix}"


@dataclass(frozen=True)
class RecordView:
    outcome: Outcome
    action: str  # as a person says it, "would create" in a dry run
    title: str  # the invoice number, or the customer, product or tax name
    customer: str | None
    summary: tuple[str, ...]  # a create in a few words: customer, date, lines, total
    changes: tuple[FieldChange, ...]
    lines: tuple[LineChange, ...]
    total: Total | None
    warnings: tuple[str, ...]
    error: str | None
    reason: str | None
    links: tuple[tuple[str, str], ...]  # (system name, address)

    @property
    def kind(self) -> str:
        return self.outcome.kind

    @property
    def named(self) -> str:
        """`invoice INV-000042`, `customer Acme Ltd`, or `Perfex invoice 140` without a number."""
        noun = kind_noun(self.kind, 1)
        if self.outcome.number:
            return f"{noun} {self.outcome.number}"
        return f"{system_name(self.outcome.source)} {noun} {self.outcome.source_id}"


def run_names(outcomes: Iterable[Outcome]) -> dict[str, dict[str, str]]:
    """Names of the customers, products and taxes that this run wrote or linked, by the wire
    field that refers to them: enough to name the ids in its invoices without details."""
    names: dict[str, dict[str, str]] = {}
    for outcome in outcomes:
        if not (outcome.number and outcome.target_id):
            continue
        for field in _ID_FIELDS.get((outcome.kind, outcome.target), ()):
            names.setdefault(field, {})[str(outcome.target_id)] = outcome.number
    return names


def read(
    outcome: Outcome,
    *,
    dry_run: bool = False,
    names: Names | None = None,
    links: WebLinks | None = None,
) -> RecordView:
    details = outcome.details if isinstance(outcome.details, Mapping) else {}
    known = _merged_names(names or {}, details.get("names"))
    reader = _Reader(outcome, details, known)
    created = outcome.action == "created"
    return RecordView(
        outcome=outcome,
        action=action_label(outcome.action, dry_run),
        title=_title(outcome),
        customer=reader.customer(),
        summary=reader.summary() if created else (),
        changes=() if created else reader.field_changes(),
        lines=() if created else reader.line_changes(),
        total=reader.total(),
        warnings=warnings_of(outcome),
        error=error_of(outcome),
        reason=_text(details.get("reason")),
        links=(links or WebLinks()).of(outcome),
    )


def _title(outcome: Outcome) -> str:
    if outcome.number:
        return outcome.number
    return side_label(outcome.source, outcome.source_id)


def _merged_names(names: Names, detailed: Any) -> dict[str, dict[str, str]]:
    merged = {field: dict(ids) for field, ids in names.items()}
    if isinstance(detailed, Mapping):
        for field, ids in detailed.items():
            if isinstance(ids, Mapping):
                merged.setdefault(str(field), {}).update({str(k): str(v) for k, v in ids.items()})
    return merged


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


class _Reader:
    """One outcome's changes and details, read with the names and labels that apply to it."""

    def __init__(self, outcome: Outcome, details: Mapping[str, Any], names: Names) -> None:
        self.outcome = outcome
        self.details = details
        self.names = names
        shape = _text(details.get("shape")) or _DEFAULT_SHAPES.get((outcome.kind, outcome.target))
        self.shape = shape if shape in SHAPES else None
        line_shape = shape.replace(" invoice", " line") if shape else None
        self.line_shape = line_shape if line_shape in SHAPES else None
        self.system = self.shape.split()[0] if self.shape else outcome.target

    # -- values --------------------------------------------------------------------------

    def value(self, field: str, value: Any) -> str:
        """A value as a person reads it: a name for an id, a status by name, else as given."""
        if value is None or value == "":
            return "(empty)"
        if field == "status":
            return status_name(value, self.system)
        ids = self.names.get(field)
        if ids is not None and not isinstance(value, list | dict):
            name = ids.get(str(value))
            return name if name is not None else f"id {value}"
        return plain_value(value)

    def pair(self, values: Any) -> tuple[Any, Any]:
        if isinstance(values, list | tuple) and len(values) == 2:
            return values[0], values[1]
        return None, values

    def after(self, *fields: str) -> Any:
        for field in fields:
            if field in self.outcome.changes:
                return self.pair(self.outcome.changes[field])[1]
        return None

    # -- the parts of a view -------------------------------------------------------------

    def customer(self) -> str | None:
        named = _text(self.details.get("customer"))
        if named or self.outcome.kind != "invoice":
            return named
        for field in _CUSTOMER_FIELDS:
            value = self.after(field)
            if value not in (None, "") and str(value) in self.names.get(field, {}):
                return self.names[field][str(value)]
        return None

    def field_changes(self) -> tuple[FieldChange, ...]:
        shown = []
        for field, values in self.outcome.changes.items():
            if field in LINE_FIELDS or (field == "total" and self.outcome.kind == "invoice"):
                continue  # shown as the line diff and the totals
            before, after = self.pair(values)
            shown.append(
                FieldChange(
                    label(field, self.shape), self.value(field, before), self.value(field, after)
                )
            )
        return tuple(shown)

    def line_changes(self) -> tuple[LineChange, ...]:
        detailed = self.details.get("lines")
        if isinstance(detailed, list):
            return tuple(
                self._detailed_line(entry) for entry in detailed if isinstance(entry, Mapping)
            )
        for field in LINE_FIELDS:
            if field in self.outcome.changes:
                before, after = self.pair(self.outcome.changes[field])
                if _is_text_list(before) and _is_text_list(after):
                    return tuple(diff_line_summaries(before, after))
        return ()

    def _detailed_line(self, entry: Mapping[str, Any]) -> LineChange:
        fields = entry.get("fields") if isinstance(entry.get("fields"), Mapping) else {}
        changed = tuple(
            FieldChange(label(name, self.line_shape), self.value(name, b), self.value(name, a))
            for name, (b, a) in ((n, self.pair(v)) for n, v in fields.items())
        )
        position = entry.get("line")
        return LineChange(
            line=position if isinstance(position, int) else 0,
            change=str(entry.get("change") or "changed"),
            text=str(entry.get("text") or ""),
            fields=changed,
        )

    def total(self) -> Total | None:
        if self.outcome.kind != "invoice":
            return None
        values = self.details.get("total", self.outcome.changes.get("total"))
        if values is None:
            return None
        before, after = (_text(value) for value in self.pair(values))
        if after is None:
            return None
        currency = _text(self.details.get("currency")) or _iso_code(self.after("currency"))
        return Total(None if before == after else before, after, currency)

    def summary(self) -> tuple[str, ...]:
        """A create in a few words: customer, issue date, number of lines, total."""
        parts = []
        issued = self.after(*_DATE_FIELDS)
        if issued not in (None, ""):
            parts.append(f"issued {issued}")
        count = self._line_count()
        if count is not None:
            parts.append(f"{count} line" if count == 1 else f"{count} lines")
        total = self.total()
        if total:
            parts.append(f"total {total}")
        return tuple(parts)

    def _line_count(self) -> int | None:
        detailed = self.details.get("lines")
        if isinstance(detailed, list):
            return sum(1 for entry in detailed if isinstance(entry, Mapping))
        after = self.after(*LINE_FIELDS)
        return len(after) if isinstance(after, list) else None


def _iso_code(value: Any) -> str | None:
    """An ISO currency code ("EUR"); Perfex's `currency` field holds its own id instead."""
    text = _text(value)
    return text if text and len(text) == 3 and text.isalpha() and text.isupper() else None


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def diff_line_summaries(before: Sequence[str], after: Sequence[str]) -> list[LineChange]:
    """Line changes between two lists of line summaries: lines paired by position inside each
    replaced stretch, the rest added or removed."""
    found: list[LineChange] = []
    matcher = SequenceMatcher(a=list(before), b=list(after), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            found.append(_changed_line(j1 + k + 1, before[i1 + k], after[j1 + k]))
        found += [LineChange(i + 1, "removed", before[i]) for i in range(i1 + paired, i2)]
        found += [LineChange(j + 1, "added", after[j]) for j in range(j1 + paired, j2)]
    return sorted(found, key=lambda change: (change.line, change.change != "removed"))


def _changed_line(position: int, old: str, new: str) -> LineChange:
    was, now = _LINE_SUMMARY.match(old), _LINE_SUMMARY.match(new)
    if was is None or now is None:
        return LineChange(position, "changed", new, was=old)
    fields = tuple(
        FieldChange(_SUMMARY_LABELS[part], was[part] or "(none)", now[part] or "(none)")
        for part in _SUMMARY_LABELS
        if was[part] != now[part]
    )
    return LineChange(position, "changed", new, fields=fields, was=None if fields else old)
