"""One run as a single self-contained HTML page (`crm-bridge report RUN_ID --format html`).

Owns the page: inline CSS that also prints well, a summary of the run and its counts, and a table
of records with each change as before/after and problem rows highlighted.

Must not: reference anything outside the page (no scripts, fonts, images or links; a content
security policy forbids loading any), or emit a single character of data unescaped: customer
names and remote error messages are untrusted.
"""

from __future__ import annotations

from html import escape

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
    problems_first,
    run_title,
    side_label,
    value_lines,
)
from state.records import Outcome, RunRecord, RunSummary

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1d1d1f; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .3em; font-size: .85em;
         border: 1px solid currentColor; vertical-align: middle; }
.status-ok { color: #116329; } .status-partial { color: #9a6700; }
.status-failed { color: #b42318; } .status-running { color: #0550ae; }
.dry { font-weight: 600; color: #0550ae; }
.meta { color: #555; margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid #ddd; }
.counts td { font-variant-numeric: tabular-nums; font-size: 1.1rem; }
.counts .nonzero-problem { color: #b42318; font-weight: 600; }
tr.problem td { background: #fdecea; }
tr.problem td:first-child { border-left: 4px solid #b42318; font-weight: 600; }
.changes { width: auto; margin: 0; }
.changes th, .changes td { border: 0; padding: 0 .75rem 0 0; font-weight: normal; }
.changes th { color: #555; }
.before { color: #8c1c13; text-decoration: line-through; }
.after { color: #116329; }
.error { color: #b42318; }
.empty { color: #555; font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; color: #000; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
"""
_KNOWN_STATUSES = ("ok", "partial", "failed", "running")


def report_html(record: RunRecord, *, failed_only: bool = False) -> str:
    """The whole page as one string."""
    run = record.run
    outcomes = problems_first(listed_outcomes(record, failed_only=failed_only))
    body = [_summary(run, failed_only), _counts(run), _records(outcomes, run.dry_run, failed_only)]
    return _page(f"crm-bridge: {run_title(run)} ({run.status})", "\n".join(body))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _summary(run: RunSummary, failed_only: bool) -> str:
    status_class = run.status if run.status in _KNOWN_STATUSES else "other"
    parts = [
        f"<h1>{escape(run_title(run))} "
        f'<span class="badge status-{status_class}">{escape(run.status)}</span></h1>',
        f'<p class="meta">{escape(run.command)} · {escape(direction_label(run.direction))} · '
        f"started {escape(human_time(run.started_at))} · took {escape(duration_label(run))}</p>",
    ]
    if run.dry_run:
        parts.append(f'<p class="dry">{escape(DRY_RUN_NOTE)}</p>')
    if failed_only:
        parts.append('<p class="meta">Showing failed and conflicting records only.</p>')
    if run.message:
        parts.append(f'<p class="error">Stopped: {escape(run.message)}</p>')
    return "<header>\n" + "\n".join(parts) + "\n</header>"


def _counts(run: RunSummary) -> str:
    counts = counts_in_order(run)
    heads = "".join(f"<th>{escape(key)}</th>" for key, _ in counts)
    cells = "".join(_count_cell(key, count) for key, count in counts)
    return (
        '<section>\n<h2>Counts</h2>\n<table class="counts">\n'
        f"<thead><tr>{heads}</tr></thead>\n<tbody><tr>{cells}</tr></tbody>\n</table>\n</section>"
    )


def _count_cell(key: str, count: int) -> str:
    alarming = key in ("failed", "conflicts") and count > 0
    return f'<td class="nonzero-problem">{count}</td>' if alarming else f"<td>{count}</td>"


def _records(outcomes: list[Outcome], dry_run: bool, failed_only: bool) -> str:
    if not outcomes:
        empty = "No failed or conflicting records." if failed_only else "Everything was unchanged."
        return f'<section>\n<h2>Records</h2>\n<p class="empty">{empty}</p>\n</section>'
    head = "".join(
        f"<th>{name}</th>"
        for name in ("Action", "Kind", "Number", "Source", "Target", "Changes or error")
    )
    rows = "\n".join(_record_row(outcome, dry_run) for outcome in outcomes)
    return (
        '<section>\n<h2>Records</h2>\n<table class="records">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</section>"
    )


def _record_row(outcome: Outcome, dry_run: bool) -> str:
    row_class = ' class="problem"' if outcome.action in PROBLEM_ACTIONS else ""
    cells = [
        action_label(outcome.action, dry_run),
        outcome.kind,
        outcome.number or "(no number)",
        side_label(outcome.source, outcome.source_id),
        side_label(outcome.target, outcome.target_id),
    ]
    tds = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
    return f"<tr{row_class}>{tds}<td>{_detail(outcome)}</td></tr>"


def _detail(outcome: Outcome) -> str:
    parts = []
    if outcome.changes:
        rows = "".join(
            _change_row(field, values, outcome.target) for field, values in outcome.changes.items()
        )
        parts.append(f'<table class="changes">{rows}</table>')
    if outcome.error:
        parts.append(f'<div class="error">{escape(outcome.error)}</div>')
    return "".join(parts)


def _change_row(field: str, values: object, system: str) -> str:
    before, after = change_pair(values, field, system)
    if isinstance(values, list | tuple) and len(values) == 2 and field != "status":
        # Line summaries show one per row of the cell.
        before, after = (_lines(value) for value in values)
    else:
        before, after = escape(before), escape(after)
    return (
        f'<tr><th>{escape(field)}</th><td class="before">{before}</td>'
        f'<td>→</td><td class="after">{after}</td></tr>'
    )


def _lines(value: object) -> str:
    return "<br>".join(escape(line) for line in value_lines(value))
