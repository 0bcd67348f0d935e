"""The realistic seed mix as a Perfex client reads it: what real installs hold, over HTTP."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from perfex_wire import TODAY, Perfex

from bridge.sandbox.seed import SeedData, generate

CENT = Decimal("0.01")
SEED, INVOICES = 5, 120


@pytest.fixture
def books(make_perfex) -> tuple[Perfex, SeedData, list[dict]]:
    perfex = make_perfex(invoices=INVOICES, seed=SEED, mix="realistic")
    data = generate(seed=SEED, invoices=INVOICES, today=TODAY)
    return perfex, data, perfex.get("/api/invoices").json()


def test_the_tax_table_has_two_names_for_one_rate_a_zero_rate_and_a_city_tax(books) -> None:
    perfex, _, _ = books
    taxes = [(t["name"], t["taxrate"]) for t in perfex.get("/api/common/tax_data").json()]
    assert taxes == [
        ("Zero rate", "0.00"),
        ("City tax", "2.50"),
        ("Reduced VAT", "7.00"),
        ("VAT", "20.00"),
        ("MwSt", "20.00"),
    ]


def test_some_catalogue_items_carry_one_or_two_taxes_and_others_none(books) -> None:
    perfex, _, _ = books
    items = perfex.get("/api/items").json()
    shapes = Counter((i["taxname"] is not None, i["taxname_2"] is not None) for i in items)
    assert shapes[(True, True)] >= 1 and shapes[(True, False)] >= 1 and shapes[(False, False)] >= 1
    two = next(i for i in items if i["taxname_2"])
    assert (two["taxname_2"], two["taxrate_2"]) == ("City tax", "2.50")


def test_drafts_hold_the_placeholder_number_or_a_real_one(books) -> None:
    _, _, rows = books
    drafts = [row for row in rows if row["status"] == "6"]
    placeholders = [row for row in drafts if row["number"] == "1000000000"]
    assert placeholders and len(placeholders) < len(drafts)
    assert all(row["sent"] == "0" for row in drafts)


def test_due_dates_may_be_missing_or_mysql_s_zero_date(books) -> None:
    _, _, rows = books
    zero = [row for row in rows if row["duedate"] == "0000-00-00"]
    assert zero and any(row["duedate"] is None for row in rows)
    # strtotime('0000-00-00') is long past: none of them is merely unpaid, unpaid ones are
    # overdue
    assert "1" not in {row["status"] for row in zero}


def test_discounts_of_every_kind_and_adjustments_both_ways(books) -> None:
    _, _, rows = books
    kinds = Counter(
        (row["discount_type"], row["discount_percent"] != "0.00")
        for row in rows
        if row["discount_type"]
    )
    assert set(kinds) == {
        ("before_tax", True),
        ("before_tax", False),
        ("after_tax", True),
        ("after_tax", False),
    }
    for row in rows:
        if row["discount_type"] and row["discount_percent"] == "0.00":
            share = Decimal(row["discount_total"]) * 10000 / Decimal(row["subtotal"])
            assert share != share.to_integral_value(), "a fixed amount is no 2-dp percentage"
    adjustments = [Decimal(row["adjustment"]) for row in rows if row["adjustment"] != "0.00"]
    assert any(a > 0 for a in adjustments) and any(a < 0 for a in adjustments)


def test_totals_add_up_as_the_screen_and_the_server_compute_them(books) -> None:
    perfex, data, rows = books
    for row, invoice in zip(rows, data.invoices, strict=True):
        lines = perfex.store.lines_of(int(row["id"]))
        amounts = [(line.qty * line.rate).quantize(CENT, ROUND_HALF_UP) for line in lines]
        assert abs(Decimal(row["subtotal"]) - sum(amounts, Decimal(0))) <= CENT * len(lines)
        exact_tax = sum(
            (line.qty * line.rate * tax.rate / 100 for line in lines for tax in line.taxes),
            Decimal(0),
        )
        if row["discount_type"] == "before_tax":
            exact_tax -= exact_tax * Decimal(row["discount_total"]) / Decimal(row["subtotal"])
        assert abs(Decimal(row["total_tax"]) - exact_tax) <= CENT
        expected = (
            Decimal(row["subtotal"])
            + exact_tax
            - Decimal(row["discount_total"])
            + Decimal(row["adjustment"])
        )
        assert abs(Decimal(row["total"]) - expected) <= CENT, row["id"]
        assert row["adjustment"] == f"{invoice.adjustment:.2f}"


def test_several_currencies_with_the_ids_the_admin_gave_them(books) -> None:
    perfex, _, rows = books
    assert perfex.sim.currency_ids == {"EUR": "1", "USD": "2", "GBP": "3", "CHF": "4"}
    assert {row["currency_name"] for row in rows} == {"EUR", "USD", "GBP", "CHF"}


def test_persons_show_their_contact_s_name_and_some_customers_have_no_address(books) -> None:
    perfex, data, rows = books
    persons = [c for c in data.customers if c.is_person]
    for customer in persons:
        row = perfex.get(f"/api/customers/{customer.key}").json()
        assert row["company"] == customer.company
        assert perfex.store.customers[customer.key].row["company"] == " "
    unbilled = {c.key for c in data.customers if not c.billing}
    assert unbilled
    for row in rows:
        if int(row["clientid"]) in unbilled:
            assert (row["billing_street"], row["billing_city"]) == ("", "")


def test_texts_are_multi_line_long_non_ascii_with_browser_line_breaks(books) -> None:
    perfex, _, rows = books
    texts = [
        item["long_description"]
        for row in rows[:60]
        for item in perfex.get(f"/api/invoices/{row['id']}").json()["items"]
    ]
    assert any("<br />\r\n" in text for text in texts)
    assert any("<br />\n" in text and "\r" not in text for text in texts)
    assert max(len(text) for text in texts) >= 1800
    raw = perfex.get("/api/invoices").content
    assert b"\\u00fc" in raw or b"\\u00e4" in raw  # json_encode escapes non-ASCII


def test_fields_only_perfex_holds_are_set_on_some_invoices(books) -> None:
    perfex, _, rows = books
    assert any(row["recurring"] != "0" for row in rows)
    assert any(row["custom_recurring"] == "1" for row in rows)
    assert any(row["include_shipping"] == "1" for row in rows)
    assert any(row["cancel_overdue_reminders"] == "1" for row in rows)
    assert any(row["sale_agent"] != "0" for row in rows)
    assert any(row["adminnote"] for row in rows)
    assert any(perfex.store.invoices[int(row["id"])].tags for row in rows)


def test_line_taxes_vary_within_invoices_and_some_lines_carry_two(books) -> None:
    perfex, _, rows = books
    mixed = two = untaxed = 0
    for row in rows:
        lines = perfex.store.lines_of(int(row["id"]))
        mixed += len({tuple(t.key for t in line.taxes) for line in lines}) > 1
        two += any(len(line.taxes) == 2 for line in lines)
        untaxed += row["total_tax"] == "0.00"
    assert mixed >= INVOICES * 0.25 and two >= INVOICES * 0.10 and untaxed >= 1
