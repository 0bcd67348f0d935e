"""API notes 5.2 and 5.3: the totals a person's save in the admin screen leaves on an invoice.

Every expected value below was worked out by hand from the contract's formulas; the comments
show the arithmetic. Values are read back over HTTP.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from perfex_wire import Perfex

from bridge.sandbox.perfex_admin import AdminLine, AdminTax, PerfexAdmin

VAT = AdminTax("VAT", Decimal("20.00"))
MWST = AdminTax("MwSt", Decimal("20.00"))
ZERO = AdminTax("Zero rate", Decimal("0.00"))
CITY = AdminTax("City tax", Decimal("2.50"))
D = Decimal


@pytest.fixture
def admin(make_perfex) -> tuple[Perfex, PerfexAdmin]:
    perfex = make_perfex(invoices=3)
    return perfex, PerfexAdmin(perfex.sim)


def _saved(perfex: Perfex, admin: PerfexAdmin, lines: list[AdminLine], **money: object) -> dict:
    invoice_id = admin.create_invoice(1, lines, date(2026, 11, 2), date(2026, 12, 2))
    if "discount" in money:
        kind, amount, mode = money["discount"]  # type: ignore[misc]
        admin.set_discount(invoice_id, kind, **{mode: D(amount)})
    if "adjustment" in money:
        admin.set_adjustment(invoice_id, D(str(money["adjustment"])))
    rows = perfex.get("/api/invoices").json()
    return next(row for row in rows if row["id"] == str(invoice_id))


def _money(row: dict) -> tuple[str, ...]:
    return (row["subtotal"], row["total_tax"], row["discount_total"], row["total"])


def test_fixed_discount_before_tax_is_taken_off_each_tax_by_its_share(admin) -> None:
    perfex, person = admin
    lines = [AdminLine("A", D(2), D("50.00"), VAT), AdminLine("B", D(1), D("20.00"), VAT)]
    row = _saved(perfex, person, lines, discount=("before_tax", "10.00", "fixed"))
    # subtotal 120; VAT 24 less 24 x (10 / 120) = 22; total 120 + 22 - 10 = 132
    assert _money(row) == ("120.00", "22.00", "10.00", "132.00")
    assert (row["discount_type"], row["discount_percent"]) == ("before_tax", "0.00")


def test_an_awkward_fixed_discount_leaves_tax_with_more_than_two_decimals(admin) -> None:
    perfex, person = admin
    row = _saved(
        perfex,
        person,
        [AdminLine("A", D(3), D("33.33"), VAT)],
        discount=("before_tax", "7.77", "fixed"),
    )
    # subtotal 99.99; VAT 19.998 x 92.22 / 99.99 = 18.444; total 99.99 + 18.444 - 7.77 = 110.664
    assert _money(row) == ("99.99", "18.44", "7.77", "110.66")


def test_percent_discount_before_tax(admin) -> None:
    perfex, person = admin
    row = _saved(
        perfex,
        person,
        [AdminLine("A", D(1), D("100.00"), VAT)],
        discount=("before_tax", "10", "percent"),
    )
    # VAT 20 less 10 % = 18; total 100 + 18 - 10 = 108
    assert _money(row) == ("100.00", "18.00", "10.00", "108.00")
    assert (row["discount_type"], row["discount_percent"]) == ("before_tax", "10.00")


def test_percent_discount_after_tax_and_a_negative_adjustment(admin) -> None:
    perfex, person = admin
    row = _saved(
        perfex,
        person,
        [AdminLine("A", D(1), D("100.00"), VAT)],
        discount=("after_tax", "10", "percent"),
        adjustment="-0.02",
    )
    # total 120, less 10 % of it = 108, less 0.02; the tax keeps its full 20
    assert _money(row) == ("100.00", "20.00", "12.00", "107.98")
    assert row["adjustment"] == "-0.02"


def test_two_taxes_on_one_line_and_a_zero_rate_tax(admin) -> None:
    perfex, person = admin
    lines = [
        AdminLine("A", D(1), D("100.00"), VAT, taxes=(CITY,)),
        AdminLine("B", D(1), D("50.00"), ZERO),
    ]
    row = _saved(perfex, person, lines)
    # 20 + 2.50 on A, nothing on B
    assert _money(row) == ("150.00", "22.50", "0.00", "172.50")


def test_two_names_of_one_rate_are_two_taxes(admin) -> None:
    perfex, person = admin
    lines = [AdminLine("A", D(1), D("10.01"), VAT), AdminLine("B", D(1), D("10.01"), MWST)]
    row = _saved(perfex, person, lines)
    # each 2.002 on its own key; 20.02 + 4.004 = 24.024
    assert _money(row) == ("20.02", "4.00", "0.00", "24.02")


def test_a_product_whose_double_is_just_under_half_a_cent_rounds_down(admin) -> None:
    perfex, person = admin
    row = _saved(perfex, person, [AdminLine("A", D("5.29"), D("24.50"))])
    # 5.29 x 24.50 = 129.605, but as a double 129.60499999999999: the screen posts 129.60
    assert _money(row) == ("129.60", "0.00", "0.00", "129.60")


def test_text_typed_in_the_screen_arrives_with_crlf(admin) -> None:
    perfex, person = admin
    invoice_id = person.create_invoice(
        1,
        [AdminLine("A", D(1), D(1), long_description="Zeile 1\nZeile 2")],
        date(2026, 11, 2),
        None,
        terms="Netto\n30 Tage",
    )
    full = perfex.get(f"/api/invoices/{invoice_id}").json()
    assert full["terms"] == "Netto<br />\r\n30 Tage"
    assert full["items"][0]["long_description"] == "Zeile 1<br />\r\nZeile 2"
    assert full["duedate"] is None
