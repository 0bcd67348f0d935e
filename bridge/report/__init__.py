"""Sync reports for operators: the recent-runs table and one run as text, JSON or HTML.

Owns rendering the run journal's records (`state.records.RunSummary`, `RunRecord`); the formats
live in `text`, `json_report` and `html_page`, the shared words and ordering in `wording`.

Must not: read the ledger or write files (the CLI fetches records and chooses where output
goes), or show a secret (outcomes carry only ids, numbers, changed fields and one-line errors).
"""

from __future__ import annotations

from bridge.report.html_page import report_html
from bridge.report.json_report import report_document, report_json
from bridge.report.runs import runs_table
from bridge.report.text import report_text

__all__ = ["report_document", "report_html", "report_json", "report_text", "runs_table"]
