"""One run as plain text, for a terminal or an e-mail.

Owns the layout of `crm-bridge report RUN_ID --format text`: a header line, the counts, then one
line per listed record (problems first) followed by its changes or its error.

Must not: use colour or markup (the text may end up in a mail), or let untrusted text (remote
error messages, customer names inside changes) carry newlines or terminal control characters.
"""

from __future__ import annotations

from bridge.report.wording import (
    DRY_RUN_NOTE,
    PROBLEM_ACTIONS,
    action_label,
    change_pair,
    counts_in_order,
    direction_label,
    duration_label,
    human_time,
    listed_outcomes,
    one_line,
    problems_first,
    run_title,
    side_label,
)
from state.records import Outcome, RunRecord, RunSummary

_INDENT = " " * 4


def report_text(record: RunRecord, *, failed_only: bool = False) -> str:
    """The whole report; ends with a newline."""
    lines = [*_header(record.run, failed_only), ""]
    outcomes = problems_first(listed_outcomes(record, failed_only=failed_only))
    width = max((len(_action(o, record.run.dry_run)) for o in outcomes), default=0)
    for outcome in outcomes:
        lines.extend(_outcome_lines(outcome, record.run.dry_run, width))
    if not outcomes:
        lines.append(_nothing_listed(failed_only))
    return "\n".join(lines) + "\n"


def _header(run: RunSummary, failed_only: bool) -> list[str]:
    parts = [run_title(run), run.command, direction_label(run.direction), run.status]
    title = " · ".join([*parts, duration_label(run)])
    notes = [DRY_RUN_NOTE] if run.dry_run else []
    notes += ["(failed and conflicting records only)"] if failed_only else []
    lines = [" ".join([title, *notes])]
    lines.append(f"Started {human_time(run.started_at)}, finished {human_time(run.finished_at)}")
    if run.message:
        lines.append(f"Stopped: {one_line(run.message)}")
    lines.append(", ".join(f"{key} {count}" for key, count in counts_in_order(run)))
    return lines


def _action(outcome: Outcome, dry_run: bool) -> str:
    label = action_label(outcome.action, dry_run)
    return label.upper() if outcome.action in PROBLEM_ACTIONS else label


def _outcome_lines(outcome: Outcome, dry_run: bool, width: int) -> list[str]:
    number = one_line(outcome.number) if outcome.number else "(no number)"
    source = one_line(side_label(outcome.source, outcome.source_id))
    target = one_line(side_label(outcome.target, outcome.target_id))
    head = f"{_action(outcome, dry_run):<{width}}  {outcome.kind} {number}  {source} → {target}"
    lines = [head]
    for field, values in outcome.changes.items():
        before, after = change_pair(values, field, outcome.target)
        lines.append(f"{_INDENT}{one_line(field)}: {one_line(before)} → {one_line(after)}")
    if outcome.error:
        lines.append(f"{_INDENT}error: {one_line(outcome.error)}")
    return lines


def _nothing_listed(failed_only: bool) -> str:
    if failed_only:
        return "No failed or conflicting records."
    return "No records to list: everything was unchanged."
