"""One run as a single self-contained HTML page (`crm-bridge report RUN_ID --format html`).

Owns the page: inline CSS that also prints well, the run and its counts per kind, the records
that need a person grouped by reason, the invoices by number (a create in one line; an update
as its fields in words, its line diff and its total before and after), then customers,
products and taxes. Warnings and errors each have their own label and colour. With the systems'
URLs, every invoice links to its page in both web screens.

Must not: load anything (no scripts, fonts, images or style sheets; a content security policy
forbids it), link anywhere but the configured systems, or emit a single character of data
unescaped: customer names and remote error messages are untrusted.
"""

from __future__ import annotations

from html import escape

from bridge.report.layout import Layout, ProblemGroup, lay_out
from bridge.report.links import WebLinks
from bridge.report.reading import FieldChange, LineChange, RecordView
from bridge.report.wording import (
    DRY_RUN_NOTE,
    PROBLEM_ACTIONS,
    count_label,
    direction_label,
    duration_label,
    human_time,
    kind_noun,
    message_label,
    run_title,
    side_label,
)
from state.records import COUNT_KEYS, RUN_STATUSES, RunRecord

_STYLE = """
:root { --error: #b42318; --error-bg: #fdecea; --warning: #7a4a00; --warning-bg: #fff3cd;
        --muted: #555; --line: #ddd; }
body { font: 14px/1.45 system-ui, sans-serif; color: #1d1d1f; margin: 2rem auto; max-width: 75rem;
       padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .35rem; font-weight: 600; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .3em; font-size: .85em;
         border: 1px solid currentColor; vertical-align: middle; }
.status-ok { color: #116329; } .status-partial { color: #9a6700; }
.status-failed, .status-interrupted { color: var(--error); } .status-running { color: #0550ae; }
.dry { font-weight: 600; color: #0550ae; }
.meta { color: var(--muted); margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid var(--line); }
thead th { font-weight: 600; border-bottom: 2px solid #bbb; }
table.counts { width: auto; }
.counts td { font-variant-numeric: tabular-nums; text-align: right; min-width: 4.5rem; }
.counts tr.all th, .counts tr.all td { font-weight: 600; border-top: 2px solid #bbb; }
.counts td.alarm { color: var(--error); font-weight: 600; }
.counts td.warned { color: var(--warning); font-weight: 600; }
.number { white-space: nowrap; font-variant-numeric: tabular-nums; font-weight: 600; }
.tag { display: inline-block; font-size: .75em; font-weight: 700; text-transform: uppercase;
       letter-spacing: .04em; padding: 0 .4em; border-radius: .25em; margin-right: .4em; }
.error { color: var(--error); }
.error .tag { background: var(--error); color: #fff; }
.warning { color: var(--warning); background: var(--warning-bg); padding: .1rem .35rem;
           border-left: 3px solid #d4a72c; }
.warning .tag { background: #d4a72c; color: #1d1d1f; }
.group { border-left: 4px solid var(--line); padding-left: .75rem; margin: .75rem 0; }
.group.failed, .group.conflict { border-left-color: var(--error); }
.group.failed h3, .group.conflict h3 { color: var(--error); }
.group.skipped h3 { color: var(--muted); }
.group.warned { border-left-color: #d4a72c; }
.group .numbers { margin: .2rem 0; }
ul.changes { list-style: none; margin: 0; padding: 0; }
ul.changes li { margin: .1rem 0; }
.field { color: var(--muted); }
.before { color: #8c1c13; text-decoration: line-through; }
.after { color: #116329; }
.line-text { color: var(--muted); }
.total { font-variant-numeric: tabular-nums; }
.summary { color: #1d1d1f; }
.links a { margin-right: .6rem; white-space: nowrap; }
.empty { color: var(--muted); font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5px; color: #000; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  thead { display: table-header-group; }
  tr, .group, li { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .links { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def report_html(
    record: RunRecord,
    *,
    failed_only: bool = False,
    perfex_url: str | None = None,
    onlyoffice_url: str | None = None,
) -> str:
    """The whole page as one string. With the systems' URLs, invoices link to their pages."""
    layout = lay_out(record, failed_only=failed_only, links=WebLinks(perfex_url, onlyoffice_url))
    run = record.run
    body = [_summary(layout), _counts(layout), *_problems(layout), _shared_warnings(layout)]
    body += [_invoices(layout), _others(layout)]
    if layout.empty:
        empty = "No failed or conflicting records." if failed_only else "Everything was unchanged."
        body.append(f'<section>\n<h2>Records</h2>\n<p class="empty">{empty}</p>\n</section>')
    return _page(f"crm-bridge: {run_title(run)} ({run.status})", "\n".join(b for b in body if b))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _summary(layout: Layout) -> str:
    run = layout.run
    status_class = run.status if run.status in RUN_STATUSES else "other"
    parts = [
        f"<h1>{escape(run_title(run))} "
        f'<span class="badge status-{status_class}">{escape(run.status)}</span></h1>',
        f'<p class="meta">{escape(run.command)} · {escape(direction_label(run.direction))} · '
        f"started {escape(human_time(run.started_at))} · took {escape(duration_label(run))}</p>",
    ]
    if run.dry_run:
        parts.append(f'<p class="dry">{escape(DRY_RUN_NOTE)}</p>')
    if layout.failed_only:
        parts.append('<p class="meta">Showing failed and conflicting records only.</p>')
    if run.message:
        label = message_label(run)
        parts.append(f'<p class="error"><span class="tag">{label}</span> {escape(run.message)}</p>')
    return "<header>\n" + "\n".join(parts) + "\n</header>"


# -- counts --------------------------------------------------------------------------------


def _counts(layout: Layout) -> str:
    heads = "".join(f"<th>{escape(count_label(key))}</th>" for key in COUNT_KEYS)
    rows = [
        _count_row(kind_noun(kind, 2).capitalize(), counts, "")
        for kind, counts in layout.counts_by_kind.items()
    ]
    rows.append(_count_row("All records", layout.counts, ' class="all"'))
    return (
        '<section>\n<h2>Counts</h2>\n<table class="counts">\n'
        f"<thead><tr><th></th>{heads}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</section>"
    )


def _count_row(name: str, counts: dict[str, int], attributes: str) -> str:
    cells = "".join(_count_cell(key, counts.get(key, 0)) for key in COUNT_KEYS)
    return f"<tr{attributes}><th>{escape(name)}</th>{cells}</tr>"


def _count_cell(key: str, count: int) -> str:
    if count and key in ("failed", "conflicts"):
        return f'<td class="alarm">{count}</td>'
    if count and key == "with_warnings":
        return f'<td class="warned">{count}</td>'
    return f"<td>{count}</td>"


# -- records that need a person ------------------------------------------------------------


def _problems(layout: Layout) -> list[str]:
    problems = [g for g in layout.problems if g.action in PROBLEM_ACTIONS]
    skipped = [g for g in layout.problems if g.action not in PROBLEM_ACTIONS]
    sections = []
    for title, groups in (("Failed and conflicting", problems), ("Skipped", skipped)):
        if groups:
            inner = "\n".join(_group(group) for group in groups)
            sections.append(f"<section>\n<h2>{title}</h2>\n{inner}\n</section>")
    return sections


_GROUP_TITLES = {"failed": "Failed", "conflict": "Conflict", "skipped": "Skipped"}


def _group(group: ProblemGroup) -> str:
    title = f"{_GROUP_TITLES[group.action]}: {group.noun}: {group.description}"
    numbers = ", ".join(escape(view.title) for view in group.records)
    listed = f'<p class="numbers">{numbers}</p>\n' if len(group.records) > 1 else ""
    rows = "\n".join(_problem_row(view, group.action) for view in group.records)
    return (
        f'<div class="group {escape(group.action)}">\n<h3>{escape(title)}</h3>\n'
        f'{listed}<table class="records">\n'
        "<thead><tr><th>Record</th><th>Customer</th><th>Why</th><th>Open in</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</div>"
    )


def _problem_row(view: RecordView, action: str) -> str:
    css = "error" if action in PROBLEM_ACTIONS else "skip"
    tag = '<span class="tag">Error</span> ' if css == "error" else ""
    why = f'<div class="{css}">{tag}{escape(view.error or "")}</div>' if view.error else ""
    title = f"{kind_noun(view.kind, 1)} {view.title}" if view.kind != "invoice" else view.title
    return (
        f'<tr class="{escape(action)}"><td class="number">{escape(title)}</td>'
        f"<td>{escape(view.customer or '')}</td><td>{why}</td>{_links(view)}</tr>"
    )


def _shared_warnings(layout: Layout) -> str:
    """Warnings several records share, said once with the numbers they apply to."""
    if not layout.warnings:
        return ""
    groups = "\n".join(
        f'<div class="group warned">\n<div class="warning"><span class="tag">Warning</span> '
        f"{escape(group.noun)}: {escape(group.warning)}</div>\n"
        f'<p class="numbers">{escape(", ".join(view.title for view in group.records))}</p>\n</div>'
        for group in layout.warnings
    )
    return f"<section>\n<h2>Written with warnings</h2>\n{groups}\n</section>"


# -- invoices and the rest -----------------------------------------------------------------


def _invoices(layout: Layout) -> str:
    if not layout.invoices:
        return ""
    rows = "\n".join(_invoice_row(view, layout.own_warnings(view)) for view in layout.invoices)
    return (
        '<section>\n<h2>Invoices</h2>\n<table class="invoices">\n<thead><tr><th>Number</th>'
        "<th>Customer</th><th>Action</th><th>What changed</th><th>Open in</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</section>"
    )


def _invoice_row(view: RecordView, warnings: tuple[str, ...]) -> str:
    return (
        f'<tr class="invoice {escape(view.outcome.action)}">'
        f'<td class="number">{escape(view.title)}</td>'
        f"<td>{escape(view.customer or '')}</td><td>{escape(view.action)}</td>"
        f"<td>{_what_changed(view, warnings)}</td>{_links(view)}</tr>"
    )


def _what_changed(view: RecordView, warnings: tuple[str, ...]) -> str:
    parts = []
    if view.summary:
        parts.append(f'<div class="summary">{escape(" · ".join(view.summary))}</div>')
    elif view.outcome.action == "linked" and not view.changes:
        parts.append('<div class="line-text">matched the invoice already there</div>')
    items = [_field(change) for change in view.changes]
    items += [_line(change) for change in view.lines]
    if items:
        parts.append('<ul class="changes">' + "".join(items) + "</ul>")
    if view.total and not view.summary:
        parts.append(_total(view))
    parts += _notes(view, warnings)
    return "".join(parts)


def _field(change: FieldChange) -> str:
    return (
        f'<li><span class="field">{escape(change.label)}:</span> '
        f'<span class="before">{escape(change.before)}</span> → '
        f'<span class="after">{escape(change.after)}</span></li>'
    )


def _line(change: LineChange) -> str:
    where = f"line {change.line}"
    if change.change in ("added", "removed"):
        css = "after" if change.change == "added" else "before"
        return (
            f'<li class="line {change.change}"><span class="field">{where} {change.change}:</span>'
            f' <span class="{css}">{escape(change.text)}</span></li>'
        )
    if change.fields:
        fields = "; ".join(
            f'{escape(f.label)} <span class="before">{escape(f.before)}</span> → '
            f'<span class="after">{escape(f.after)}</span>'
            for f in change.fields
        )
        return (
            f'<li class="line changed"><span class="field">{where}:</span> {fields} '
            f'<span class="line-text">— {escape(change.text)}</span></li>'
        )
    return (
        f'<li class="line changed"><span class="field">{where}:</span> '
        f'<span class="before">{escape(change.was or "")}</span> → '
        f'<span class="after">{escape(change.text)}</span></li>'
    )


def _total(view: RecordView) -> str:
    total = view.total
    assert total is not None
    currency = f" {escape(total.currency)}" if total.currency else ""
    if total.before is None:
        return f'<div class="total">Total {escape(total.after)}{currency} (unchanged)</div>'
    return (
        f'<div class="total">Total <span class="before">{escape(total.before)}</span> → '
        f'<span class="after">{escape(total.after)}</span>{currency}</div>'
    )


def _notes(view: RecordView, warnings: tuple[str, ...]) -> list[str]:
    notes = [
        f'<div class="warning"><span class="tag">Warning</span> {escape(warning)}</div>'
        for warning in warnings
    ]
    if view.error:
        notes.append(
            f'<div class="error"><span class="tag">Error</span> {escape(view.error)}</div>'
        )
    return notes


def _links(view: RecordView) -> str:
    anchors = " ".join(
        f'<a href="{escape(link)}" rel="noopener noreferrer">{escape(system)}</a>'
        for system, link in view.links
    )
    return f'<td class="links">{anchors}</td>'


def _others(layout: Layout) -> str:
    if not layout.others:
        return ""
    rows = "\n".join(_other_row(view, layout.own_warnings(view)) for view in layout.others)
    return (
        '<section>\n<h2>Customers, products and taxes</h2>\n<table class="others">\n'
        "<thead><tr><th>Kind</th><th>Name</th><th>Action</th><th>Where</th><th>Notes</th></tr>"
        f"</thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</section>"
    )


def _other_row(view: RecordView, warnings: tuple[str, ...]) -> str:
    where = side_label(view.outcome.target, view.outcome.target_id)
    notes = "".join(_field(change) for change in view.changes)
    notes = (f'<ul class="changes">{notes}</ul>' if notes else "") + "".join(_notes(view, warnings))
    return (
        f"<tr><td>{escape(kind_noun(view.kind, 1))}</td><td>{escape(view.title)}</td>"
        f"<td>{escape(view.action)}</td><td>{escape(where)}</td>"
        f"<td>{notes}</td></tr>"
    )
