"""Reading one record for a person, with and without the engine's details: labels, names,
statuses, line diffs from line summaries, names learned from the run, links to both systems."""

from __future__ import annotations

from dataclasses import replace

import pytest
from run_samples import UPDATED, invoice

from bridge.report.links import WebLinks
from bridge.report.reading import LineChange, diff_line_summaries, read, run_names
from state.records import Outcome


def test_line_summaries_without_details_become_a_line_diff() -> None:
    before = ["Design × 1 @ 100.00", "Licence seat × 1 @ 12.75 + tax 2", "Old × 1 @ 5.00"]
    after = ["Design × 1 @ 100.00", "Licence seat × 3 @ 12.75 + tax 2", "Express × 1 @ 15.00"]

    changes = diff_line_summaries(before, after)

    (seat, third) = changes[0], changes[1]
    assert (seat.line, seat.change, seat.text) == (2, "changed", after[1])
    assert [(f.label, f.before, f.after) for f in seat.fields] == [("quantity", "1", "3")]
    assert [(third.line, third.change)] == [(3, "changed")]
    assert {(f.label, f.before, f.after) for f in third.fields} == {
        ("description", "Old", "Express"),
        ("price", "5.00", "15.00"),
    }


def test_added_and_removed_lines_keep_their_positions() -> None:
    added = diff_line_summaries(["A × 1 @ 1.00"], ["A × 1 @ 1.00", "B × 2 @ 3.00"])
    assert added == [LineChange(2, "added", "B × 2 @ 3.00")]
    removed = diff_line_summaries(
        ["A × 1 @ 1.00", "B × 2 @ 3.00", "C × 1 @ 1.00"], ["C × 1 @ 1.00"]
    )
    assert removed == [
        LineChange(1, "removed", "A × 1 @ 1.00"),
        LineChange(2, "removed", "B × 2 @ 3.00"),
    ]


def test_a_line_that_does_not_read_as_a_summary_is_shown_before_and_after() -> None:
    (change,) = diff_line_summaries(["free text"], ["other text"])
    assert (change.was, change.text, change.fields) == ("free text", "other text", ())


def test_an_update_without_details_still_reads_in_words() -> None:
    outcome = invoice(
        "updated",
        "2",
        "INV-000002",
        changes={
            "dueDate": ["2025-01-15", "2025-01-29"],
            "status": [4, 2],
            "description": ["", "Thanks!"],
            "invoiceLines": [["Seat × 1 @ 12.75 + tax 2"], ["Seat × 3 @ 12.75 + tax 2"]],
        },
    )
    view = read(outcome)
    assert [(c.label, c.before, c.after) for c in view.changes] == [
        ("due date", "2025-01-15", "2025-01-29"),
        ("status", "Paid", "Sent"),
        ("note to the customer", "(empty)", "Thanks!"),
    ]
    assert [(c.line, [(f.label, f.before, f.after) for f in c.fields]) for c in view.lines] == [
        (1, [("quantity", "1", "3")])
    ]
    assert view.customer is None and view.total is None


def test_perfex_fields_and_statuses_use_perfex_words() -> None:
    outcome = Outcome(
        "invoice",
        "onlyoffice",
        "7",
        "perfex",
        "70",
        "INV-000007",
        "updated",
        changes={"duedate": ["2026-01-01", None], "status": [1, 3], "total": ["10.00", "12.00"]},
    )
    view = read(outcome)
    assert [(c.label, c.before, c.after) for c in view.changes] == [
        ("due date", "2026-01-01", "(empty)"),
        ("status", "unpaid", "partly paid"),
    ]
    assert str(view.total) == "10.00 → 12.00"


def test_ids_are_named_from_details_and_an_unknown_id_says_so() -> None:
    outcome = invoice(
        "updated",
        "3",
        "INV-000003",
        changes={"contactId": ["12", "99"]},
        details={"names": {"contactId": {"12": "Acme Ltd"}}},
    )
    (change,) = read(outcome).changes
    assert (change.label, change.before, change.after) == ("customer", "Acme Ltd", "id 99")


def test_names_are_learned_from_the_customers_products_and_taxes_of_the_same_run() -> None:
    contact = Outcome("contact", "perfex", "4", "onlyoffice", "1", "Müller & Söhne ApS", "created")
    tax = Outcome("tax", "perfex", "VAT|20.00", "onlyoffice", "2", "VAT|20.00", "linked")
    created = invoice(
        "created",
        "4",
        "INV-000004",
        changes={
            "issueDate": [None, "2025-01-06"],
            "contactId": [None, "1"],
            "invoiceLines": [None, ["A × 1 @ 1.00"]],
        },
    )
    names = run_names([contact, tax, created])
    assert names == {
        "contactId": {"1": "Müller & Söhne ApS"},
        "invoiceTax1ID": {"2": "VAT|20.00"},
        "invoiceTax2ID": {"2": "VAT|20.00"},
    }
    view = read(created, names=names)
    assert view.customer == "Müller & Söhne ApS"
    assert view.summary == ("issued 2025-01-06", "1 line")
    assert view.changes == () and view.lines == ()


def test_details_win_over_what_the_changes_suggest() -> None:
    view = read(UPDATED)
    assert view.customer == "Beta GmbH"
    assert (view.total.before, view.total.after, view.total.currency) == ("214.00", "442.00", "EUR")
    assert [line.change for line in view.lines] == ["changed", "added"]


def test_links_open_each_invoice_in_both_web_screens() -> None:
    links = WebLinks("https://crm.example.com/", "https://office.example.com")
    assert links.of(UPDATED) == (
        ("Perfex", "https://crm.example.com/admin/invoices/list_invoices/102"),
        ("ONLYOFFICE", "https://office.example.com/Products/CRM/Invoices.aspx?id=1002&action=card"),
    )
    assert WebLinks().of(UPDATED) == ()


@pytest.mark.parametrize(
    ("url", "record_id"),
    [
        ("javascript:alert(1)", "5"),
        ("crm.example.com", "5"),
        ("https://crm.example.com", "5/../../logout"),
        ("https://crm.example.com", ""),
    ],
)
def test_no_link_is_made_from_anything_but_an_http_url_and_a_plain_id(
    url: str, record_id: str
) -> None:
    assert WebLinks(url, url).invoice("perfex", record_id) is None


def test_customers_products_and_taxes_get_no_invoice_link() -> None:
    contact = Outcome("contact", "perfex", "4", "onlyoffice", "1", "Acme", "created")
    assert WebLinks("https://crm.example.com", "https://office.example.com").of(contact) == ()


def test_a_perfex_currency_id_is_not_taken_for_a_currency_code() -> None:
    outcome = Outcome(
        "invoice",
        "onlyoffice",
        "7",
        "perfex",
        "70",
        "INV-000007",
        "created",
        changes={"currency": [None, 1], "total": [None, "246.99"]},
    )
    assert str(read(outcome).total) == "246.99"
    iso = invoice("created", "8", "INV-000008", changes={"currency": [None, "EUR"]})
    assert str(read(replace(iso, details={"total": [None, "5.00"]})).total) == "5.00 EUR"


def test_links_name_perfex_first_whichever_way_the_invoice_went() -> None:
    reverse = Outcome("invoice", "onlyoffice", "42", "perfex", "58", "INV-000042", "updated")
    assert WebLinks("https://crm.example.com", "https://office.example.com").of(reverse) == (
        ("Perfex", "https://crm.example.com/admin/invoices/list_invoices/58"),
        ("ONLYOFFICE", "https://office.example.com/Products/CRM/Invoices.aspx?id=42&action=card"),
    )
