"""One run as plain text, for a terminal or an e-mail.

Owns the layout of `crm-bridge report RUN_ID --format text`: a header, the counts per kind, the
records that need a person (grouped by reason), the invoices by number (a create in one line, an
update as its changed fields in words, its line diff and its total before and after), then the
customers, products and taxes. Warnings say `warning:`, errors `error:`.

Must not: use colour or markup (the text may end up in a mail), or let untrusted text (remote
error messages, customer names) carry newlines or terminal control characters.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from bridge.report.layout import Layout, ProblemGroup, lay_out
from bridge.report.links import WebLinks
from bridge.report.reading import LineChange, RecordView
from bridge.report.wording import (
    DRY_RUN_NOTE,
    PROBLEM_ACTIONS,
    count_label,
    direction_label,
    duration_label,
    human_time,
    kind_noun,
    message_label,
    one_line,
    run_title,
)
from state.records import ACTION_COUNT_KEYS, RunRecord, RunSummary

WIDTH = 100
_INDENT = " " * 4


def report_text(
    record: RunRecord,
    *,
    failed_only: bool = False,
    perfex_url: str | None = None,
    onlyoffice_url: str | None = None,
) -> str:
    """The whole report; ends with a newline. With the systems' URLs, records that need a
    person name the addresses of their invoice in each system."""
    links = WebLinks(perfex_url, onlyoffice_url)
    layout = lay_out(record, failed_only=failed_only, links=links)
    sections = [_header(layout), *_problem_sections(layout), _shared_warnings(layout)]
    sections += [_invoices(layout), _others(layout)]
    if layout.empty:
        sections.append([_nothing_listed(failed_only)])
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


# -- header and counts ---------------------------------------------------------------------


def _header(layout: Layout) -> list[str]:
    run = layout.run
    parts = [run_title(run), run.command, direction_label(run.direction), run.status]
    title = " · ".join([*parts, duration_label(run)])
    notes = [DRY_RUN_NOTE] if run.dry_run else []
    notes += ["(failed and conflicting records only)"] if layout.failed_only else []
    lines = [" ".join([title, *notes])]
    lines.append(f"Started {human_time(run.started_at)}, finished {human_time(run.finished_at)}")
    if run.message:
        lines.append(f"{message_label(run)}: {one_line(run.message)}")
    return lines + _count_lines(layout)


def _count_lines(layout: Layout) -> list[str]:
    if not layout.counts_by_kind:
        return ["Nothing was counted."]
    width = max(len(kind_noun(kind, 2)) for kind in layout.counts_by_kind) + 1
    return [
        f"{(kind_noun(kind, 2).capitalize() + ':'):<{width}} {kind_counts(counts, run=layout.run)}"
        for kind, counts in layout.counts_by_kind.items()
    ]


def kind_counts(counts: dict[str, int], *, run: RunSummary) -> str:
    """`24 created (3 with warnings), 2 failed` for the non-zero counts of one kind."""
    shown = [
        f"{counts[key]} {_verb(key, counts[key], run.dry_run)}"
        for key in ACTION_COUNT_KEYS
        if counts.get(key)
    ]
    text = ", ".join(shown) or "nothing"
    if counts.get("with_warnings"):
        text += f" ({counts['with_warnings']} {count_label('with_warnings')})"
    return text


def _verb(key: str, count: int, dry_run: bool) -> str:
    if dry_run and key in ("created", "updated", "linked"):
        return f"to be {key}"
    if key == "conflicts" and count == 1:
        return "conflict"
    return key


# -- records that need a person ------------------------------------------------------------


def _problem_sections(layout: Layout) -> list[list[str]]:
    problems = [g for g in layout.problems if g.action in PROBLEM_ACTIONS]
    skipped = [g for g in layout.problems if g.action not in PROBLEM_ACTIONS]
    sections = []
    if problems:
        lines = ["Failed and conflicting"]
        for group in problems:
            lines += _group_lines(group, layout.failed_only)
        sections.append(lines)
    if skipped:
        lines = ["Skipped"]
        for group in skipped:
            lines += _group_lines(group, layout.failed_only)
        sections.append(lines)
    return sections


def _group_lines(group: ProblemGroup, itemise: bool) -> list[str]:
    """One line for a group of one; else the reason, then the numbers (or, with `itemise`,
    each record with its own error and links)."""
    label = group.action.upper() if group.action in PROBLEM_ACTIONS else group.action
    first = group.records[0]
    if len(group.records) == 1:
        head = f"{_who(first, named=True)}: {first.error or group.description}"
        return _wrapped(f"  {label}  {head}", _INDENT * 2) + _link_lines(first)
    lines = _wrapped(f"  {label}  {group.noun}: {group.description}", _INDENT * 2)
    if itemise:
        for view in group.records:
            own = f": {view.error}" if view.error and view.error != group.description else ""
            lines += _wrapped(f"{_INDENT}{_who(view)}{own}", _INDENT * 2) + _link_lines(view)
        return lines
    lines += _wrapped(_INDENT + ", ".join(view.title for view in group.records), _INDENT)
    if group.reason and first.error:  # one error shows what the reason looks like
        lines += _wrapped(f"{_INDENT}e.g. {first.title}: {first.error}", _INDENT * 2)
    return lines


def _who(view: RecordView, *, named: bool = False) -> str:
    """`invoice INV-000042 (Acme Ltd)`: the record, and its customer when known."""
    who = view.named if named or not view.outcome.number else view.title
    return f"{who} ({view.customer})" if view.customer else who


def _link_lines(view: RecordView) -> list[str]:
    return [f"{_INDENT * 2}{system}: {link}" for system, link in view.links]


# -- invoices and the rest -----------------------------------------------------------------


def _invoices(layout: Layout) -> list[str]:
    if not layout.invoices:
        return []
    width = max(len(one_line(view.title)) for view in layout.invoices)
    action_width = max(len(view.action) for view in layout.invoices)
    lines = ["Invoices"]
    for view in layout.invoices:
        lines += _invoice_lines(view, width, action_width, layout.own_warnings(view))
    return lines


def _invoice_lines(
    view: RecordView, width: int, action_width: int, warnings: tuple[str, ...]
) -> list[str]:
    words = [view.customer] if view.customer else []
    words += list(view.summary)
    head = f"  {one_line(view.title):<{width}}  {view.action:<{action_width}}"
    lines = _wrapped(f"{head}  {' · '.join(words)}".rstrip(), _INDENT * 2)
    for change in view.changes:
        lines += _wrapped(f"{_INDENT}{change.label}: {change.before} → {change.after}", _INDENT * 2)
    lines += [line for change in view.lines for line in _line_change(change)]
    if view.total and not view.summary:
        lines.append(f"{_INDENT}total: {one_line(_total(view))}")
    for warning in warnings:
        lines += _wrapped(f"{_INDENT}warning: {warning}", _INDENT * 2)
    return lines


def _total(view: RecordView) -> str:
    total = view.total
    assert total is not None
    return str(total) if total.before is not None else f"{total}, unchanged"


def _line_change(change: LineChange) -> list[str]:
    where = f"line {change.line}"
    if change.change in ("added", "removed"):
        text = f"{where} {change.change}: {change.text}"
    elif change.fields:
        fields = "; ".join(f"{f.label} {f.before} → {f.after}" for f in change.fields)
        text = f"{where}: {fields} — {change.text}"
    else:
        text = f"{where}: {change.was or '(unknown)'} → {change.text}"
    return _wrapped(_INDENT + text, _INDENT * 2)


def _shared_warnings(layout: Layout) -> list[str]:
    """Warnings that several records share, said once with the numbers they apply to."""
    if not layout.warnings:
        return []
    lines = ["Written with warnings"]
    for group in layout.warnings:
        lines += _wrapped(f"  warning  {group.noun}: {group.warning}", _INDENT * 2)
        lines += _wrapped(_INDENT + ", ".join(view.title for view in group.records), _INDENT)
    return lines


def _others(layout: Layout) -> list[str]:
    if not layout.others:
        return []
    lines = ["Customers, products and taxes"]
    for (kind, action), views in _grouped(layout.others):
        names = ", ".join(view.title for view in views)
        lines += _wrapped(
            f"  {action}  {len(views)} {kind_noun(kind, len(views))}: {names}", "    "
        )
        for view in views:
            for change in view.changes:
                text = f"{_INDENT}{view.title}: {change.label}: {change.before} → {change.after}"
                lines += _wrapped(text, _INDENT * 2)
            for warning in layout.own_warnings(view):
                lines += _wrapped(f"{_INDENT}warning: {view.title}: {warning}", _INDENT * 2)
    return lines


def _grouped(views: Iterable[RecordView]) -> list[tuple[tuple[str, str], list[RecordView]]]:
    groups: dict[tuple[str, str], list[RecordView]] = {}
    for view in views:
        groups.setdefault((view.kind, view.action), []).append(view)
    return list(groups.items())


def _wrapped(text: str, indent: str) -> list[str]:
    """One logical line made safe (`one_line`) and wrapped at WIDTH, continued at `indent`;
    addresses and numbers are never broken."""
    safe = one_line(text)
    wrapped = textwrap.wrap(
        safe, width=WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
    return wrapped or [safe]


def _nothing_listed(failed_only: bool) -> str:
    if failed_only:
        return "No failed or conflicting records."
    return "No records to list: everything was unchanged."
