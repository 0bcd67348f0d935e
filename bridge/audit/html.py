"""An audit as one self-contained HTML page for a bookkeeper (`audit --format html`).

Must not: reference anything outside the page (no scripts, fonts, images or links; a content
security policy forbids loading any), or emit any value unescaped: customer names, invoice
texts and remote messages are untrusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from bridge.audit.findings import AuditResult, Difference
from bridge.audit.render import KIND_WORDS, headline, invoice_title, plain, summary
from bridge.audit.repair import RepairStep
from bridge.engine.plan import name
from mappings.fields import label
from mappings.money import format_money

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1d1d1f; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.meta { color: #555; } .ok { color: #116329; font-weight: 600; }
.bad { color: #b42318; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul { margin: 0; padding-left: 1.1rem; } .todo { color: #0550ae; } .note { color: #555; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } tr { break-inside: avoid; } }
"""


def audit_html(result: AuditResult, steps: Sequence[RepairStep]) -> str:
    todo = {id(step.difference): step for step in steps}
    verdict = (
        '<p class="ok">Everything agrees.</p>'
        if result.all_agree
        else '<p class="bad">Perfex and ONLYOFFICE do not fully agree.</p>'
    )
    body = [
        f"<h1>{escape(headline(result))}</h1>",
        f'<p class="meta">{escape(summary(result))}</p>',
        verdict,
        _differences(result.differences, todo),
        _unchecked(result),
        _totals(result),
        "".join(f'<p class="note">Note: {escape(note)}</p>' for note in result.notes),
    ]
    return _page(headline(result), "\n".join(part for part in body if part))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _differences(differences: Sequence[Difference], todo: dict[int, RepairStep]) -> str:
    if not differences:
        return ""
    rows = "\n".join(_difference_row(d, todo.get(id(d))) for d in differences)
    return (
        "<h2>Differences</h2>\n<table><thead><tr><th>Invoice</th><th>What</th><th>Field</th>"
        f"<th>Perfex</th><th>ONLYOFFICE</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>"
    )


def _difference_row(difference: Difference, step: RepairStep | None) -> str:
    what = f"<strong>{escape(KIND_WORDS[difference.kind])}</strong>"
    if difference.note:
        what += f'<br><span class="note">{escape(difference.note)}</span>'
    if step is not None:
        what += f'<br><span class="todo">→ {escape(step.text)}</span>'
    fields = list(difference.fields.items()) or [("", (None, None))]
    span = len(fields)
    rows = []
    for index, (field_name, (perfex, onlyoffice)) in enumerate(fields):
        head = (
            f'<td rowspan="{span}">{escape(invoice_title(difference))}</td>'
            f'<td rowspan="{span}">{what}</td>'
            if index == 0
            else ""
        )
        cells = (
            f"<td>{escape(label(field_name, difference.shape))}</td>"
            f"<td>{_value(perfex)}</td><td>{_value(onlyoffice)}</td>"
            if field_name
            else "<td></td><td></td><td></td>"
        )
        rows.append(f"<tr>{head}{cells}</tr>")
    return "\n".join(rows)


def _value(value: Any) -> str:
    if isinstance(value, list):
        items = "".join(f"<li>{escape(str(item))}</li>" for item in value)
        return f"<ul>{items}</ul>" if items else "(no lines)"
    return escape(plain(value)).replace("\n", "<br>")


def _unchecked(result: AuditResult) -> str:
    if not result.unchecked:
        return ""
    rows = "".join(
        f"<tr><td>{escape(invoice_title(item))}</td><td>{escape(item.reason)}</td></tr>"
        for item in result.unchecked
    )
    return (
        "<h2>Could not be read (not compared)</h2>\n"
        f"<table><thead><tr><th>Invoice</th><th>Why</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _totals(result: AuditResult) -> str:
    rows = []
    for code, totals in result.totals.items():
        difference = "none" if totals.balanced else format_money(totals.difference)
        rows.append(
            f"<tr><td>{escape(code)}</td>"
            f'<td class="num">{totals.perfex.count}</td>'
            f'<td class="num">{format_money(totals.perfex.sum)}</td>'
            f'<td class="num">{totals.onlyoffice.count}</td>'
            f'<td class="num">{format_money(totals.onlyoffice.sum)}</td>'
            f'<td class="num">{difference}</td></tr>'
        )
    head = (
        f"<tr><th>Currency</th><th>{name('perfex')} invoices</th><th>{name('perfex')} total</th>"
        f"<th>{name('onlyoffice')} invoices</th><th>{name('onlyoffice')} total</th>"
        "<th>Difference</th></tr>"
    )
    body = "".join(rows) or '<tr><td colspan="6">No invoices on either side.</td></tr>'
    return f"<h2>Totals by currency</h2>\n<table><thead>{head}</thead><tbody>{body}</tbody></table>"
