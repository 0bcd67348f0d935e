"""An audit as text for a terminal and as the JSON document of the README.

The JSON holds exactly the documented keys, plus `direction`, `accepted` (differences a person
accepted: counted in `agree`, not listed), `unchecked` (invoices that could not be read),
per currency `difference` (Perfex's sum less ONLYOFFICE's), `notes` (what the audit went
without), and, with `--repair`, `repair` (one step per difference). The text is for a
bookkeeper: invoices by number and customer, fields by their labels (`mappings.fields`), and
for every difference what to do about it.

Must not: read the ledger, talk to either system, or write files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bridge.audit.findings import AuditResult, CurrencyTotals, Difference, Unchecked
from bridge.audit.repair import RepairStep
from bridge.engine.plan import name
from mappings.fields import label
from mappings.money import format_money

DIRECTIONS = {
    "perfex_to_onlyoffice": "Perfex → ONLYOFFICE",
    "onlyoffice_to_perfex": "ONLYOFFICE → Perfex",
    "both": "both ways",
}
KIND_WORDS = {
    "fields": "says different things",
    "missing_in_onlyoffice": "missing in ONLYOFFICE",
    "missing_in_perfex": "missing in Perfex",
}
_INDENT = "    "


# -- JSON ------------------------------------------------------------------------------------


def audit_document(result: AuditResult, steps: Sequence[RepairStep] | None = None) -> dict:
    document: dict[str, Any] = {
        "checked_at": iso_utc(result.checked_at),
        "direction": result.direction,
        "pairs": result.pairs,
        "agree": result.agree,
        "accepted": result.accepted,
        "differences": [_difference(d) for d in result.differences],
        "unchecked": [_unchecked(u) for u in result.unchecked],
        "totals": {code: _totals(t) for code, t in result.totals.items()},
    }
    if result.notes:
        document["notes"] = list(result.notes)
    if steps is not None:
        document["repair"] = [_step(step) for step in steps]
    return document


def audit_json(result: AuditResult, steps: Sequence[RepairStep] | None = None) -> str:
    return json.dumps(audit_document(result, steps), indent=2, ensure_ascii=False)


def _difference(difference: Difference) -> dict[str, Any]:
    return {
        "number": difference.number,
        "perfex_id": difference.perfex_id,
        "onlyoffice_id": difference.onlyoffice_id,
        "kind": difference.kind,
        "fields": {key: [values[0], values[1]] for key, values in difference.fields.items()},
    }


def _unchecked(item: Unchecked) -> dict[str, Any]:
    return {
        "number": item.number,
        "perfex_id": item.perfex_id,
        "onlyoffice_id": item.onlyoffice_id,
        "reason": item.reason,
    }


def _totals(totals: CurrencyTotals) -> dict[str, Any]:
    return {
        "perfex": {"count": totals.perfex.count, "sum": format_money(totals.perfex.sum)},
        "onlyoffice": {
            "count": totals.onlyoffice.count,
            "sum": format_money(totals.onlyoffice.sum),
        },
        "difference": format_money(totals.difference),
    }


def _step(step: RepairStep) -> dict[str, Any]:
    difference = step.difference
    return {
        "number": difference.number,
        "perfex_id": difference.perfex_id,
        "onlyoffice_id": difference.onlyoffice_id,
        "action": step.action,
        "writes": step.target,
        "text": step.text,
    }


# -- text ------------------------------------------------------------------------------------


def audit_text(result: AuditResult, steps: Sequence[RepairStep]) -> str:
    """The audit for people; `steps` (one per difference) say what to do about each."""
    lines = [headline(result), summary(result), ""]
    todo = {id(step.difference): step for step in steps}
    if result.differences:
        lines.append("Differences")
        for difference in result.differences:
            lines += _difference_lines(difference, todo.get(id(difference)))
        lines.append("")
    if result.unchecked:
        lines.append("Could not be read (not compared)")
        for item in result.unchecked:
            lines.append(f"{_INDENT}{invoice_title(item)}: {item.reason}")
        lines.append("")
    lines += _totals_lines(result)
    for note in result.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines).rstrip() + "\n"


def headline(result: AuditResult) -> str:
    direction = DIRECTIONS.get(result.direction, result.direction)
    return f"Audit of Perfex and ONLYOFFICE ({direction}), {human_time(result.checked_at)}"


def summary(result: AuditResult) -> str:
    accepted = f" ({result.accepted} accepted)" if result.accepted else ""
    text = f"{result.pairs} pairs compared, {result.agree} agree{accepted}; "
    text += _count(len(result.differences), "difference")
    if result.unchecked:
        text += ", " + _count(len(result.unchecked), "invoice") + " could not be read"
    if result.all_agree:
        text += ". Everything agrees."
    return text + ("" if result.all_agree else ".")


def _difference_lines(difference: Difference, step: RepairStep | None) -> list[str]:
    lines = [f"{_INDENT}{invoice_title(difference)}: {KIND_WORDS[difference.kind]}"]
    inner = _INDENT * 2
    if difference.note:
        lines.append(f"{inner}{difference.note}")
    for field_name, values in difference.fields.items():
        lines.append(f"{inner}{label(field_name, difference.shape)}:")
        for side, value in zip(("perfex", "onlyoffice"), values, strict=True):
            lines += _value_lines(f"{inner}{_INDENT}{name(side)}: ", value)
    if step is not None:
        lines.append(f"{inner}→ {step.text}")
    return lines


def _value_lines(prefix: str, value: Any) -> list[str]:
    if isinstance(value, list):
        if not value:
            return [f"{prefix}(no lines)"]
        pad = " " * len(prefix)
        return [f"{prefix if i == 0 else pad}- {item}" for i, item in enumerate(value)]
    text = plain(value)
    parts = text.split("\n")
    pad = " " * len(prefix)
    return [f"{prefix if i == 0 else pad}{part}" for i, part in enumerate(parts)]


def _totals_lines(result: AuditResult) -> list[str]:
    if not result.totals:
        return ["Totals: no invoices on either side.", ""]
    rows = [("currency", "Perfex", "ONLYOFFICE", "difference")]
    for code, totals in result.totals.items():
        rows.append(
            (
                code,
                _side_total(totals.perfex.count, totals.perfex.sum),
                _side_total(totals.onlyoffice.count, totals.onlyoffice.sum),
                "none" if totals.balanced else format_money(totals.difference),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["Totals by currency"]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append(_INDENT + "   ".join(cells))
    return [*lines, ""]


def _side_total(count: int, amount: Any) -> str:
    return f"{_count(count, 'invoice')}, {format_money(amount)}"


def repair_text(steps: Sequence[RepairStep]) -> str:
    """The repair plan: what `--yes` would write, and what is left to a person."""
    writing = [step for step in steps if step.writes]
    others = [step for step in steps if not step.writes]
    lines = ["Repair plan"]
    if not steps:
        lines.append(f"{_INDENT}Nothing to repair.")
    for step in writing:
        lines.append(f"{_INDENT}{invoice_title(step.difference)}: {step.text}")
    if others:
        lines.append(f"{_INDENT}Left as they are (not the bridge's to write without a person):")
        for step in others:
            lines.append(f"{_INDENT * 2}{invoice_title(step.difference)}: {step.text}")
    return "\n".join(lines) + "\n"


# -- shared wording ------------------------------------------------------------------------------


def invoice_title(item: Difference | Unchecked) -> str:
    ids = []
    if item.perfex_id:
        ids.append(f"Perfex {item.perfex_id}")
    if item.onlyoffice_id:
        ids.append(f"ONLYOFFICE {item.onlyoffice_id}")
    customer = getattr(item, "customer", "")
    title = item.number or "(no number)"
    if customer:
        title += f" {customer}"
    return f"{title} ({', '.join(ids)})" if ids else title


def plain(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    return str(value)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
