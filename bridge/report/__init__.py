"""Sync reports for people: the recent-runs table and one run as text, JSON or HTML.

Owns rendering the run journal's records (`state.records.RunSummary`, `RunRecord`): what a
person reads about each record lives in `reading` (names for ids, labels for wire fields, line
diffs, totals), how a report is arranged in `layout`, the shared words in `wording`, the links to
both web screens in `links`; the formats in `text`, `json_report` and `html_page`.

Must not: read the ledger or write files (the CLI fetches records and chooses where output
goes), or show a secret (outcomes carry only ids, names, numbers, changed fields and one-line
errors and warnings).
"""

from __future__ import annotations

from bridge.report.html_page import report_html
from bridge.report.json_report import report_document, report_json
from bridge.report.links import WebLinks
from bridge.report.runs import runs_table
from bridge.report.text import report_text
from bridge.report.wording import closing_sentence

__all__ = [
    "WebLinks",
    "closing_sentence",
    "report_document",
    "report_html",
    "report_json",
    "report_text",
    "runs_table",
]
