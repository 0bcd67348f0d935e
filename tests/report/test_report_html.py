"""The HTML report: one self-contained, escaped page that reads in words, with problems grouped
first, warnings and errors apart, and links to both web screens when the URLs are known."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from html.parser import HTMLParser

import run_samples as samples

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
    details={"customer": HOSTILE, "names": {"contactId": {"1": HOSTILE}}, "reason": HOSTILE},
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
    page = report_html(samples.RECORD)
    assert "http://" not in page and "https://" not in page and "url(" not in page
    for tag, attrs in parse(page).tags:
        assert not {"src", "href"} & set(attrs), tag
    assert "<style>" in page and "@media print" in page
    assert "default-src 'none'" in page


def test_summary_shows_status_and_counts_per_kind() -> None:
    text = " ".join(parse(report_html(RECORD)).text)
    assert "Run 7" in text and "partial" in text and "backfill" in text
    for label in ("created", "failed", "conflicts", "with warnings", "Invoices", "Customers"):
        assert label in text


def test_an_update_is_shown_in_words_with_names_lines_and_totals() -> None:
    page = report_html(RunRecord(RUN, (samples.UPDATED,)))
    text = " ".join(" ".join(parse(page).text).split())
    assert "customer: Acme Ltd → Beta GmbH" in text
    assert "line 2: quantity 1 → 3 — Consulting × 3 @ 95.00 + VAT 20%" in text
    assert "line 3 added: Express delivery × 1 @ 15.00" in text
    assert "Total 214.00 → 442.00 EUR" in text
    assert "contactId" not in page and "invoiceLines" not in page
    assert '<span class="before">2026-11-30</span> → <span class="after">2026-12-15</span>' in page


def test_warnings_and_errors_have_their_own_label_and_class() -> None:
    page = report_html(samples.RECORD)
    warning = (
        f'<div class="warning"><span class="tag">Warning</span> {escape(samples.ROUNDING_WARNING)}'
    )
    assert warning in page
    assert '<div class="error"><span class="tag">Error</span> ONLYOFFICE answered 400' in page
    assert page.count('class="warning"') == 2  # the invoice and the tax


def test_failed_groups_come_first_and_invoices_are_sorted_by_number() -> None:
    page = report_html(samples.RECORD)
    assert page.index("Failed: 2 invoices: a cent of rounding") < page.index("<h2>Invoices</h2>")
    numbers = [n for n in ("INV-000101", "INV-000102", "INV-000104") if n in page]
    invoices = page[page.index("<h2>Invoices</h2>") :]
    assert sorted(numbers, key=invoices.index) == ["INV-000101", "INV-000102", "INV-000104"]


def test_unchanged_is_left_out_and_failed_only_filters() -> None:
    assert "INV-001061" not in report_html(RECORD)
    only_failed = report_html(RECORD, failed_only=True)
    assert "INV-001042" in only_failed and "Acme" not in only_failed


def test_dry_run_is_labelled_with_would() -> None:
    dry = RunRecord(replace(RUN, id=0, dry_run=True), (UPDATED,))
    text = " ".join(parse(report_html(dry)).text)
    assert "Dry run" in text and "(dry run: nothing was written)" in text
    assert "would update" in text


def test_invoices_link_to_both_web_screens_only_when_the_urls_are_known() -> None:
    page = report_html(
        samples.RECORD, perfex_url=samples.PERFEX_URL, onlyoffice_url=samples.ONLYOFFICE_URL
    )
    hrefs = [attrs["href"] for tag, attrs in parse(page).tags if tag == "a"]
    assert "https://crm.example.com/admin/invoices/list_invoices/102" in hrefs
    assert "https://office.example.com/Products/CRM/Invoices.aspx?id=1002&action=card" in hrefs
    assert all(
        h.startswith(("https://crm.example.com/", "https://office.example.com/")) for h in hrefs
    )
    assert not any(tag == "a" for tag, _ in parse(report_html(samples.RECORD)).tags)


def test_interrupted_runs_are_badged_like_failures() -> None:
    page = report_html(RunRecord(replace(RUN, status="interrupted", message="SIGTERM"), ()))
    assert '<span class="badge status-interrupted">interrupted</span>' in page
    assert "SIGTERM" in page


def test_a_shared_warning_is_shown_once_above_the_invoices() -> None:
    paid = "paid in ONLYOFFICE but left unpaid in Perfex"
    outcomes = tuple(
        samples.invoice("created", str(n), f"INV-{n:06d}", warnings=(paid,)) for n in (1, 2)
    )
    page = report_html(RunRecord(RUN, outcomes))
    assert page.count(escape(paid)) == 1
    assert page.index("Written with warnings") < page.index("<h2>Invoices</h2>")
    assert '<p class="numbers">INV-000001, INV-000002</p>' in page
