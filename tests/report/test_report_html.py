"""The HTML report: one self-contained, escaped page with problem rows highlighted."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

from bridge.report import report_html
from state.records import COUNT_KEYS, Outcome, RunRecord, RunSummary

HOSTILE = '<script src="https://evil.example/x.js"></script><img src=x onerror=alert(1)>'
RUN = RunSummary(
    id=7,
    command="backfill",
    direction="both",
    dry_run=False,
    started_at=datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC),
    finished_at=datetime(2026, 11, 21, 10, 0, 9, tzinfo=UTC),
    status="partial",
    counts={**dict.fromkeys(COUNT_KEYS, 0), "updated": 1, "failed": 1, "unchanged": 3},
)
UPDATED = Outcome(
    "contact",
    "onlyoffice",
    "5",
    "perfex",
    "9",
    None,
    "updated",
    changes={"company": ["Acme & Sons", HOSTILE]},
)
FAILED = Outcome(
    "invoice",
    "perfex",
    "58",
    "onlyoffice",
    None,
    "INV-001042",
    "failed",
    error=f"ONLYOFFICE answered 400: {HOSTILE}",
)
UNCHANGED = Outcome("invoice", "perfex", "61", "onlyoffice", "161", "INV-001061", "unchanged")
RECORD = RunRecord(RUN, (UPDATED, UNCHANGED, FAILED))


class Elements(HTMLParser):
    """Collects the tags with their attributes and the text of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Elements:
    elements = Elements()
    elements.feed(page)
    return elements


def test_hostile_text_is_escaped_and_never_becomes_markup() -> None:
    page = report_html(RECORD)
    elements = parse(page)
    assert {tag for tag, _ in elements.tags}.isdisjoint({"script", "img", "iframe", "link"})
    assert "&lt;script src=&quot;https://evil.example/x.js&quot;&gt;" in page
    assert "Acme &amp; Sons" in page
    assert HOSTILE in "".join(elements.text)  # the operator still sees what was sent


def test_page_is_self_contained() -> None:
    benign = RunRecord(RUN, (replace(UPDATED, changes={"company": ["Old", "New"]}),))
    page = report_html(benign)
    assert "http://" not in page and "https://" not in page and "url(" not in page
    for tag, attrs in parse(page).tags:
        assert not {"src", "href"} & set(attrs), tag
    assert "<style>" in page and "@media print" in page
    assert "default-src 'none'" in page


def test_summary_shows_counts_and_status() -> None:
    text = " ".join(parse(report_html(RECORD)).text)
    assert "Run 7" in text and "partial" in text and "backfill" in text
    for key in COUNT_KEYS:
        assert key in text


def test_changes_are_shown_as_before_and_after() -> None:
    benign = RunRecord(RUN, (replace(UPDATED, changes={"dueDate": ["2026-11-30", "2026-12-15"]}),))
    page = report_html(benign)
    assert '<td class="before">2026-11-30</td>' in page
    assert '<td class="after">2026-12-15</td>' in page


def test_failed_rows_are_highlighted_and_listed_first() -> None:
    page = report_html(RECORD)
    assert '<tr class="problem"><td>failed</td><td>invoice</td><td>INV-001042</td>' in page
    assert "<tr><td>updated</td><td>contact</td>" in page
    assert page.index("INV-001042") < page.index("<td>contact</td>")


def test_unchanged_is_left_out_and_failed_only_filters() -> None:
    assert "INV-001061" not in report_html(RECORD)
    only_failed = report_html(RECORD, failed_only=True)
    assert "INV-001042" in only_failed and "Acme" not in only_failed


def test_dry_run_is_labelled_with_would() -> None:
    dry = RunRecord(replace(RUN, id=0, dry_run=True), (UPDATED,))
    text = " ".join(parse(report_html(dry)).text)
    assert "Dry run" in text and "(dry run: nothing was written)" in text
    assert "would update" in text


def test_line_summaries_show_one_per_row_and_stay_escaped() -> None:
    lines = Outcome(
        "invoice",
        "perfex",
        "58",
        "onlyoffice",
        "9",
        "INV-001042",
        "updated",
        changes={"invoiceLines": [["Consulting × 1 @ 90.00"], ["Consulting × 2 @ 90.00", HOSTILE]]},
    )
    page = parse(report_html(replace(RECORD, outcomes=(lines,))))
    assert [tag for tag, _ in page.tags].count("br") == 1
    assert "Consulting × 2 @ 90.00" in page.text and HOSTILE in page.text
    assert not any(tag in ("script", "img") for tag, _ in page.tags)
