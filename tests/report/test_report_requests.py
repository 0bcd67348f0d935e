"""Every report says what the run asked of each system: requests, retries and why, give-ups and
the slowest request, so that a slow run explains itself."""

from __future__ import annotations

import json
from dataclasses import replace

import run_samples as samples

from bridge.daemon import summary_fields, summary_line
from bridge.report import report_html, report_json, report_text
from state.records import RequestStats, RunRecord, SlowRequest

PERFEX = RequestStats(
    requests=2041,
    retries=37,
    retried_because={"timeout": 6, "503": 31},
    gave_up=2,
    retry_wait_seconds=41.25,
    slowest=(
        SlowRequest("GET", "/api/invoices/58", 2.31),
        SlowRequest("PUT", "/api/invoices/59", 1.5),
    ),
)
ONLYOFFICE = RequestStats(
    requests=612, slowest=(SlowRequest("GET", "/api/2.0/crm/invoice/filter", 0.42),)
)
REQUESTS = {"onlyoffice": ONLYOFFICE, "perfex": PERFEX}


def with_requests(requests: dict[str, RequestStats]) -> RunRecord:
    return replace(samples.RECORD, run=replace(samples.RECORD.run, requests=requests))


def test_the_text_report_has_a_line_per_system_perfex_first() -> None:
    text = report_text(with_requests(REQUESTS))
    lines = text.splitlines()
    perfex = lines.index(
        "Perfex: 2,041 requests, 37 retried (31 × 503, 6 timeouts), 41.2 s waiting to retry, "
        "2 given up, slowest GET /api/invoices/58 2.3 s"
    )
    onlyoffice = lines.index(
        "ONLYOFFICE: 612 requests, none retried, slowest GET /api/2.0/crm/invoice/filter 0.4 s"
    )
    assert perfex + 1 == onlyoffice
    assert onlyoffice < lines.index("Failed and conflicting")  # in the header, before records


def test_every_retry_cause_has_words_the_most_frequent_first() -> None:
    causes = {"reset": 2, "connect": 1, "429": 3, "transport": 1, "timeout": 1}
    stats = RequestStats(requests=20, retries=8, retried_because=causes)
    text = report_text(with_requests({"perfex": stats}))
    (line,) = [line for line in text.splitlines() if line.startswith("Perfex: ")]
    assert line == (
        "Perfex: 20 requests, 8 retried (3 × 429, 2 dropped connections, 1 failed connection, "
        "1 timeout, 1 transport error)"
    )


def test_very_short_requests_do_not_read_as_taking_no_time() -> None:
    quick = RequestStats(requests=3, slowest=(SlowRequest("GET", "/api/invoices", 0.004),))
    text = report_text(with_requests({"perfex": quick}))
    assert "Perfex: 3 requests, none retried, slowest GET /api/invoices < 0.01 s" in text


def test_a_run_journalled_without_statistics_shows_no_request_lines() -> None:
    text = report_text(with_requests({}))
    assert "requests" not in text.split("\n\n")[0]
    assert "<h2>Requests</h2>" not in report_html(with_requests({}))


def test_the_html_page_lists_each_system_and_its_slowest_requests_escaped() -> None:
    hostile = RequestStats(
        requests=1, slowest=(SlowRequest("GET", "/api/customers/search/<b>Acme</b>", 0.2),)
    )
    page = report_html(with_requests({**REQUESTS, "perfex": hostile}))
    assert "<h2>Requests</h2>" in page
    assert "<strong>ONLYOFFICE</strong>: 612 requests, none retried" in page
    assert "/api/customers/search/&lt;b&gt;Acme&lt;/b&gt; 0.2 s" in page
    assert "<b>Acme" not in page

    page = report_html(with_requests(REQUESTS))
    assert "slowest: GET /api/invoices/58 2.3 s · PUT /api/invoices/59 1.5 s" in page
    assert page.index("<h2>Requests</h2>") < page.index("<h2>Failed and conflicting</h2>")


def test_the_json_report_adds_requests_per_system_with_exact_numbers() -> None:
    document = json.loads(report_json(with_requests(REQUESTS)))
    assert document["requests"]["perfex"] == {
        "requests": 2041,
        "retries": 37,
        "retried_because": {"timeout": 6, "503": 31},
        "gave_up": 2,
        "retry_wait_seconds": 41.25,
        "slowest": [
            {"method": "GET", "path": "/api/invoices/58", "seconds": 2.31},
            {"method": "PUT", "path": "/api/invoices/59", "seconds": 1.5},
        ],
    }
    assert document["requests"]["onlyoffice"]["retries"] == 0
    assert list(document)[:2] == ["run", "counts"]  # the documented keys keep their place


def test_the_daemon_line_mentions_retries_only_when_there_were_any() -> None:
    record = with_requests(REQUESTS)
    line = summary_line(4, record, 12.0)
    assert "; retries: Perfex 37 (31 × 503, 6 timeouts); problems: " in line
    assert "ONLYOFFICE 0" not in line
    fields = summary_fields(4, record, 12.0)
    assert fields["retries"] == {
        "perfex": {"retries": 37, "retried_because": {"timeout": 6, "503": 31}, "gave_up": 2}
    }

    calm = with_requests({"perfex": replace(PERFEX, retries=0, retried_because={})})
    assert "retries" not in summary_line(5, calm, 1.0)
    assert summary_fields(5, calm, 1.0)["retries"] == {}
