"""The HTML report as a reader sees it in a real browser (headless Chromium): names, the line
diff, totals, warnings styled apart from errors, problems first, nothing fetched, and a print
layout that keeps what matters.

The page is the report of a run with every kind of record (created, updated with a line diff
and totals, linked, skipped, failed twice for one reason and once for another, a conflict,
warnings, customer, product and tax records). What is checked is what the browser computed:
the text a person sees and the colours it paints, not the markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import run_samples as samples
from browser import Page, chromium, chromium_missing

from bridge.report import report_html

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=str(chromium_missing()))

# What a reader sees of an element: its text as laid out, and the colours it is painted in.
SEEN = """
(selector) => [...document.querySelectorAll(selector)].map(element => {
  const style = getComputedStyle(element);
  return {text: element.innerText.replace(/\\s+/g, " ").trim(), color: style.color,
          background: style.backgroundColor, display: style.display,
          visible: element.getClientRects().length > 0};
})
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    html = report_html(
        samples.RECORD, perfex_url=samples.PERFEX_URL, onlyoffice_url=samples.ONLYOFFICE_URL
    )
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html, encoding="utf-8")
    with chromium() as browser:
        tab = browser.new_page()
        tab.open(path.as_uri())
        yield tab


def seen(page: Page, selector: str) -> list[dict]:
    return page.evaluate(f"({SEEN})({selector!r})")


def visible_text(page: Page) -> str:
    return " ".join(page.evaluate("document.body.innerText").split())


def test_the_reader_sees_names_not_ids_and_fields_in_words(page: Page) -> None:
    text = visible_text(page)
    assert "INV-000102 Beta GmbH updated" in text
    assert "customer: Acme Ltd → Beta GmbH" in text
    assert "status: Draft → Sent" in text
    assert "due date: 2026-11-30 → 2026-12-15" in text
    for wire in ("contactId", "invoiceLines", "dueDate", "exchangeRate", "(empty)"):
        assert wire not in text


def test_the_line_diff_and_the_totals_are_on_screen(page: Page) -> None:
    lines = [item["text"] for item in seen(page, "li.line")]
    assert "line 2: quantity 1 → 3 — Consulting × 3 @ 95.00 + VAT 20%" in lines
    assert "line 3 added: Express delivery × 1 @ 15.00" in lines
    (total,) = seen(page, "div.total")
    assert total["text"] == "Total 214.00 → 442.00 EUR" and total["visible"]
    (old_total,) = seen(page, "div.total .before")
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('div.total .before')).textDecorationLine"
        )
        == "line-through"
    )
    assert old_total["text"] == "214.00"


def test_a_create_reads_as_one_line(page: Page) -> None:
    text = visible_text(page)
    assert "INV-000104 Acme Ltd created issued 2026-11-20 · 2 lines · total 1390.00 EUR" in text


def test_warnings_are_painted_apart_from_errors(page: Page) -> None:
    warnings = seen(page, "div.warning")
    errors = seen(page, "div.error")
    assert [w["text"] for w in warnings] == [
        f"WARNING {samples.ROUNDING_WARNING}",
        "WARNING rate: ONLYOFFICE holds 20.0000 where Perfex shows 20.00",
    ]
    assert errors and all(e["text"].startswith("ERROR ") for e in errors)
    assert all(w["visible"] for w in warnings)
    assert {w["color"] for w in warnings}.isdisjoint({e["color"] for e in errors})
    assert {w["background"] for w in warnings}.isdisjoint({e["background"] for e in errors})
    warning_tags = {tag["background"] for tag in seen(page, "div.warning .tag")}
    error_tags = {tag["background"] for tag in seen(page, "div.error .tag")}
    assert warning_tags.isdisjoint(error_tags)


def test_problems_come_first_grouped_by_reason(page: Page) -> None:
    headings = [h["text"] for h in seen(page, "h2, h3")]
    assert headings[:4] == [
        "Counts",
        "Failed and conflicting",
        "Failed: 2 invoices: a cent of rounding between the two systems' totals",
        "Failed: 1 invoice: ONLYOFFICE answered 400: terms is required",
    ]
    assert headings.index("Invoices") > headings.index("Skipped")
    (numbers,) = seen(page, ".group.failed p.numbers")
    assert numbers["text"] == "INV-000109, INV-000110"
    failed_title, skipped_title = (
        seen(page, ".group.failed h3")[0],
        seen(page, ".group.skipped h3")[0],
    )
    assert failed_title["color"] != skipped_title["color"]


def test_counts_are_per_kind(page: Page) -> None:
    rows = [row["text"] for row in seen(page, "table.counts tbody tr")]
    assert rows == [
        "Invoices 1 1 1 5 1 3 1 1",
        "Customers 1 0 0 0 0 0 0 0",
        "Products 1 0 0 0 0 0 0 0",
        "Taxes 0 0 1 0 0 0 0 1",
        "All records 3 1 2 5 1 3 1 2",
    ]


def test_each_invoice_opens_in_both_web_screens(page: Page) -> None:
    links = page.evaluate(
        "[...document.querySelectorAll('tr.invoice.updated a')].map(a => [a.innerText, a.href])"
    )
    assert links == [
        ["Perfex", "https://crm.example.com/admin/invoices/list_invoices/102"],
        ["ONLYOFFICE", "https://office.example.com/Products/CRM/Invoices.aspx?id=1002&action=card"],
    ]


def test_the_page_fetches_nothing(page: Page) -> None:
    requested = page.requested()
    assert len(requested) == 1 and requested[0].startswith("file://")
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0


def test_printed_the_page_keeps_what_matters_and_drops_the_links(page: Page) -> None:
    page.emulate_media("print")
    try:
        assert all(cell["display"] == "none" for cell in seen(page, "td.links"))
        warnings, errors = seen(page, "div.warning"), seen(page, "div.error")
        assert all(w["visible"] for w in warnings) and all(e["visible"] for e in errors)
        assert {w["color"] for w in warnings}.isdisjoint({e["color"] for e in errors})
        assert "line 2: quantity 1 → 3" in visible_text(page)
    finally:
        page.emulate_media("")
    assert all(cell["display"] != "none" for cell in seen(page, "td.links"))


def test_the_report_is_one_file(tmp_path: Path) -> None:
    html = report_html(samples.RECORD)
    assert "<script" not in html and "<link" not in html and "@import" not in html
