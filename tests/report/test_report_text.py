"""The plain-text report as a bookkeeper reads it: counts per kind, problems grouped by reason,
invoices by number with names, labels, line diffs and totals, warnings apart from errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from run_samples import (
    CREATED,
    DRAFT,
    LINKED,
    ONLYOFFICE_URL,
    PERFEX_URL,
    RECORD,
    REFUSED,
    ROUNDING_A,
    ROUNDING_B,
    ROUNDING_WARNING,
    RUN,
    UNCHANGED,
    UPDATED,
    invoice,
)

from bridge.report import closing_sentence, report_text
from state.records import RunRecord


def section(text: str, title: str) -> list[str]:
    """The lines of one section (blocks are separated by blank lines), without its title."""
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and lines[0] == title:
            return lines[1:]
    raise AssertionError(f"no section {title!r} in:\n{text}")


def test_header_names_the_run_and_counts_each_kind_on_its_own_line() -> None:
    lines = report_text(RECORD).splitlines()
    assert lines[0] == "Run 12 · sync · Perfex → ONLYOFFICE · partial · 2m 05s"
    assert lines[1] == "Started 2026-11-21 10:00:00 UTC, finished 2026-11-21 10:02:05 UTC"
    assert lines[2] == (
        "Invoices:  1 created, 1 updated, 1 linked, 5 unchanged, 1 skipped, 3 failed, "
        "1 conflict (1 with warnings)"
    )
    assert lines[3:6] == [
        "Customers: 1 created",
        "Products:  1 created",
        "Taxes:     1 linked (1 with warnings)",
    ]


def test_counts_per_kind_come_from_the_ledger_when_it_counted_them() -> None:
    by_kind = {"invoice": {"created": 24, "with_warnings": 3}, "contact": {"created": 6}}
    run = replace(RUN, counts_by_kind=by_kind, status="ok")
    lines = report_text(RunRecord(run, ())).splitlines()
    assert lines[2:4] == ["Invoices:  24 created (3 with warnings)", "Customers: 6 created"]


def test_failures_are_grouped_by_reason_with_their_numbers_in_order() -> None:
    problems = section(report_text(RECORD), "Failed and conflicting")
    assert problems[:3] == [
        "  FAILED  2 invoices: a cent of rounding between the two systems' totals",
        "    INV-000109, INV-000110",
        f"    e.g. INV-000109: {ROUNDING_B.error}",
    ]
    assert problems[3:] == [
        f"  FAILED  invoice INV-000120: {REFUSED.error}",
        "  CONFLICT  invoice INV-000130: both sides changed since the last sync",
    ]


def test_many_failures_for_one_reason_read_as_one_group() -> None:
    many = [
        invoice(
            "failed", str(n), f"INV-{n:06d}", error=f"{n} cents", details={"reason": "rounding"}
        )
        for n in range(100, 174)
    ]
    text = report_text(RunRecord(RUN, tuple(reversed(many))))
    problems = section(text, "Failed and conflicting")
    assert (
        problems[0] == "  FAILED  74 invoices: a cent of rounding between the two systems' totals"
    )
    listed = " ".join(problems[1:-1]).replace(",", " ").split()
    assert listed == [f"INV-{n:06d}" for n in range(100, 174)]
    assert all(len(line) <= 100 for line in problems)


def test_failures_without_a_reason_group_by_their_identical_error() -> None:
    same = "ONLYOFFICE answered 400: terms is required"
    outcomes = (REFUSED, replace(REFUSED, source_id="121", number="INV-000121", error=same))
    problems = section(report_text(RunRecord(RUN, outcomes)), "Failed and conflicting")
    assert problems == [f"  FAILED  2 invoices: {same}", "    INV-000120, INV-000121"]


def test_failed_only_lists_each_problem_with_its_links_in_both_systems() -> None:
    text = report_text(
        RECORD, failed_only=True, perfex_url=PERFEX_URL, onlyoffice_url=ONLYOFFICE_URL
    )
    assert "Invoices\n" not in text and "Skipped" not in text and "INV-000104" not in text
    problems = section(text, "Failed and conflicting")
    at = problems.index(f"    INV-000110 (Acme Ltd): {ROUNDING_A.error}")
    assert (
        problems[at + 1]
        == "        Perfex: https://crm.example.com/admin/invoices/list_invoices/110"
    )
    conflict = problems.index(
        "  CONFLICT  invoice INV-000130: both sides changed since the last sync"
    )
    assert problems[conflict + 2] == (
        "        ONLYOFFICE: https://office.example.com/Products/CRM/Invoices.aspx?id=1030&action=card"
    )


def test_invoices_are_sorted_by_number_whatever_order_the_run_met_them() -> None:
    numbers = ["INV-000010", "INV-000009", "INV-000100"]
    outcomes = tuple(invoice("updated", str(i + 1), n) for i, n in enumerate(numbers))
    lines = section(report_text(RunRecord(RUN, outcomes)), "Invoices")
    assert [line.split()[0] for line in lines] == ["INV-000009", "INV-000010", "INV-000100"]


def test_a_create_is_one_line_with_customer_date_lines_and_total() -> None:
    lines = section(report_text(RECORD), "Invoices")
    (line,) = [line for line in lines if "INV-000104" in line]
    assert line == (
        "  INV-000104  created  Acme Ltd · issued 2026-11-20 · 2 lines · total 1390.00 EUR"
    )
    assert lines[lines.index(line) + 1 :] == []  # nothing under it: no (empty) → value
    assert "(empty)" not in report_text(RECORD)


def test_an_update_reads_in_words_with_names_line_diff_and_totals() -> None:
    lines = section(report_text(RECORD), "Invoices")
    at = lines.index("  INV-000102  updated  Beta GmbH")
    assert lines[at + 1 : at + 7] == [
        "    due date: 2026-11-30 → 2026-12-15",
        "    customer: Acme Ltd → Beta GmbH",
        "    status: Draft → Sent",
        "    line 2: quantity 1 → 3 — Consulting × 3 @ 95.00 + VAT 20%",
        "    line 3 added: Express delivery × 1 @ 15.00",
        "    total: 214.00 → 442.00 EUR",
    ]
    warning = " ".join(line.strip() for line in lines[at + 7 : at + 9])
    assert warning == f"warning: {ROUNDING_WARNING}"
    text = report_text(RECORD)
    for wire in ("dueDate", "contactId", "invoiceLines", "exchangeRate", "tax 2"):
        assert wire not in text


def test_warnings_are_labelled_warnings_and_never_errors() -> None:
    text = report_text(RECORD)
    assert "error:" not in text
    assert "warning: VAT 20.00%: rate: ONLYOFFICE holds 20.0000" in text


def test_a_warning_journalled_as_the_error_of_a_write_reads_as_a_warning() -> None:
    legacy = invoice("updated", "5", "INV-000005", error="payment: record it in Perfex; cents")
    lines = section(report_text(RunRecord(RUN, (legacy,))), "Invoices")
    assert lines[1:] == ["    warning: payment: record it in Perfex", "    warning: cents"]


def test_customers_products_and_taxes_have_their_own_section() -> None:
    others = section(report_text(RECORD), "Customers, products and taxes")
    assert others[:3] == [
        "  created  1 customer: Acme Ltd",
        "  created  1 product: Consulting",
        "  linked  1 tax: VAT 20.00%",
    ]
    assert "Acme Ltd" not in " ".join(section(report_text(RECORD), "Skipped"))


def test_skipped_records_are_listed_apart_and_a_record_without_number_is_named() -> None:
    assert section(report_text(RECORD), "Skipped") == [
        "  skipped  Perfex invoice 140: Perfex draft without a number yet"
    ]
    assert DRAFT.number is None


def test_linked_invoices_are_listed_and_unchanged_ones_only_counted() -> None:
    text = report_text(RECORD)
    assert "  INV-000101  linked   Acme Ltd" in section(text, "Invoices")
    assert UNCHANGED.number not in text and LINKED.number in text


def test_dry_run_is_labelled_and_uses_would() -> None:
    dry = RunRecord(replace(RUN, id=0, dry_run=True), (CREATED, UPDATED, REFUSED))
    text = report_text(dry)
    assert text.startswith("Dry run · sync")
    assert "(dry run: nothing was written)" in text.splitlines()[0]
    counts = "1 to be created, 1 to be updated, 5 unchanged, 1 failed (1 with warnings)"
    assert text.splitlines()[2] == f"Invoices: {counts}"
    heads = [line.split()[1] for line in section(text, "Invoices") if line.startswith("  INV")]
    assert heads == ["would", "would"]
    assert " created " not in text and " updated " not in text


def test_nothing_to_list_is_said_plainly() -> None:
    quiet = RunRecord(replace(RUN, status="ok"), (UNCHANGED,))
    assert report_text(quiet).rstrip().endswith("No records to list: everything was unchanged.")
    failed_only = report_text(quiet, failed_only=True).rstrip()
    assert failed_only.endswith("No failed or conflicting records.")


def test_stopped_and_interrupted_runs_say_why() -> None:
    stopped = replace(RUN, status="interrupted", message="stopped by SIGTERM")
    text = report_text(RunRecord(stopped, ()))
    assert " · interrupted · " in text.splitlines()[0]
    assert "Stopped: stopped by SIGTERM" in text


@pytest.mark.parametrize("status", ["ok", "partial"])
def test_a_run_that_finished_notes_what_it_went_without_and_does_not_say_stopped(status) -> None:
    note = "the Perfex items catalogue was not available (403)"
    text = report_text(RunRecord(replace(RUN, status=status, message=note), ()))
    assert f"Note: {note}" in text
    assert "Stopped" not in text


def test_untrusted_text_cannot_break_lines_or_drive_the_terminal() -> None:
    hostile = invoice("failed", "62", "INV-000062", error="bad\n\x1b[2J\x1b[31mFAKE line\u202e")
    name = "Evil\n\x1b[31mCorp"
    written = replace(CREATED, details={**CREATED.details, "customer": name})
    text = report_text(RunRecord(RUN, (hostile, written)))
    assert "\x1b" not in text and "\u202e" not in text
    assert "  FAILED  invoice INV-000062: bad [2J[31mFAKE line" in text
    assert "  INV-000104  created  Evil [31mCorp · issued" in text


def test_a_run_that_exits_1_ends_with_one_sentence_naming_the_command() -> None:
    assert closing_sentence(RUN) == (
        "3 records failed and 1 conflicted: crm-bridge report latest --failed lists them."
    )
    one = replace(RUN, counts={**RUN.counts, "failed": 1, "conflicts": 0})
    assert closing_sentence(one) == "1 record failed: crm-bridge report latest --failed lists them."
    assert closing_sentence(replace(RUN, status="ok", counts={"created": 3})) is None
    dry = closing_sentence(replace(RUN, id=0, dry_run=True))
    assert dry == "3 records failed and 1 conflicted in this dry run: see them above."
    stopped = replace(RUN, status="failed", counts={"failed": 0, "conflicts": 0})
    assert "run it again" in closing_sentence(stopped)


def test_a_warning_many_invoices_share_is_said_once_with_their_numbers() -> None:
    paid = "paid in ONLYOFFICE but left unpaid in Perfex: record the payment in Perfex"
    outcomes = tuple(
        invoice("created", str(n), f"INV-{n:06d}", warnings=(paid,)) for n in (12, 3, 7)
    ) + (invoice("updated", "9", "INV-000009", warnings=(paid, "total: 0.01 EUR apart")),)
    text = report_text(RunRecord(RUN, outcomes))
    assert section(text, "Written with warnings") == [
        f"  warning  4 invoices: {paid}",
        "    INV-000003, INV-000007, INV-000009, INV-000012",
    ]
    invoices = section(text, "Invoices")
    assert paid not in " ".join(invoices)
    assert invoices[invoices.index("  INV-000009  updated") + 1] == (
        "    warning: total: 0.01 EUR apart"
    )
