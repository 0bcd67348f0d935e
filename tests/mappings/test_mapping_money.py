"""Money parsing and the three total formulas, on awkward values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mappings.money import (
    format_money,
    onlyoffice_cost,
    parse_money,
    perfex_server_total_tax,
    perfex_ui_totals,
)
from mappings.onlyoffice import OnlyofficeLine
from mappings.perfex import PerfexLine, TaxSpec
from mappings.problems import MappingError

D = Decimal
VAT20 = TaxSpec("VAT", D("20"))
VAT10 = TaxSpec("VAT", D("10"))
VAT5 = TaxSpec("VAT", D("5"))


def line(qty: str, rate: str, *taxes: TaxSpec) -> PerfexLine:
    return PerfexLine(None, "Item", "", D(qty), D(rate), "", 1, tuple(taxes))


def oline(qty: str, price: str, discount: str = "0", tax1: int = 0, tax2: int = 0):
    return OnlyofficeLine(3, tax1, tax2, "Item", D(qty), D(price), D(discount))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("12.30", D("12.30"), id="perfex-string"),
        pytest.param(12.3, D("12.3"), id="json-float-via-str"),
        pytest.param(0.1, D("0.1"), id="json-float-no-binary-noise"),
        pytest.param(1210, D("1210"), id="json-int"),
        pytest.param(" 7.70 ", D("7.70"), id="padded"),
        pytest.param("-5.00", D("-5.00"), id="negative-adjustment"),
        pytest.param(D("1.005"), D("1.005"), id="decimal-passthrough"),
    ],
)
def test_parse_money_accepts(value: object, expected: Decimal) -> None:
    assert parse_money(value) == expected
    assert isinstance(parse_money(value), Decimal)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("1,000.00", id="thousands-separator"),
        pytest.param("12,30", id="decimal-comma"),
        pytest.param("NaN", id="nan"),
        pytest.param("1_000", id="underscore"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="null"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param([1], id="list"),
    ],
)
def test_parse_money_rejects_garbage_naming_the_field(value: object) -> None:
    with pytest.raises(MappingError, match="^total:"):
        parse_money(value, "total")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("12.3"), "12.30"),
        (D("1080"), "1080.00"),
        (D("0.125"), "0.13"),
        (D("-0.001"), "0.00"),
        (D("1E+3"), "1000.00"),
    ],
)
def test_format_money_is_two_decimals_with_a_dot(value: Decimal, text: str) -> None:
    assert format_money(value) == text


# (lines, discount_type, percent, fixed, adjustment) -> (subtotal, total, discount_total)
UI_CASES = [
    pytest.param(
        [line("10", "90.00", VAT20)],
        "",
        "0",
        "0",
        "0",
        ("900.00", "1080.00", "0.00"),
        id="contract-example",
    ),
    pytest.param(
        [line("2.5", "0.45", VAT10)],
        "",
        "0",
        "0",
        "0",
        ("1.13", "1.24", "0.00"),
        id="fractional-qty-half-cent-rounds-up-per-line",
    ),
    pytest.param(
        [line("1", "0.05", VAT10), line("1", "0.05", VAT10)],
        "",
        "0",
        "0",
        "0",
        ("0.10", "0.11", "0.00"),
        id="taxes-summed-unrounded-across-lines",
    ),
    pytest.param(
        [line("1", "100.00", VAT20)],
        "before_tax",
        "10",
        "10.00",
        "0",
        ("100.00", "108.00", "10.00"),
        id="percent-before-tax-shrinks-tax",
    ),
    pytest.param(
        [line("1", "100.00", VAT20)],
        "after_tax",
        "10",
        "12.00",
        "0",
        ("100.00", "108.00", "12.00"),
        id="percent-after-tax",
    ),
    pytest.param(
        [line("1", "100.00", VAT20), line("1", "100.00", VAT20)],
        "before_tax",
        "0",
        "25",
        "0",
        ("200.00", "210.00", "25.00"),
        id="fixed-before-tax",
    ),
    pytest.param(
        [line("1", "100.00", VAT20), line("1", "100.00", VAT20)],
        "after_tax",
        "0",
        "25",
        "0",
        ("200.00", "215.00", "25.00"),
        id="fixed-after-tax",
    ),
    pytest.param(
        [line("1", "100.00", VAT20)],
        "",
        "0",
        "0",
        "-0.50",
        ("100.00", "119.50", "0.00"),
        id="negative-adjustment",
    ),
    pytest.param(
        [line("1", "100.00", VAT20)],
        "",
        "10",
        "10.00",
        "0",
        ("100.00", "120.00", "0.00"),
        id="discount-without-type-is-ignored",
    ),
]


@pytest.mark.parametrize(("lines", "kind", "percent", "fixed", "adjustment", "expected"), UI_CASES)
def test_perfex_ui_totals(lines, kind, percent, fixed, adjustment, expected) -> None:
    totals = perfex_ui_totals(lines, kind, D(percent), D(fixed), D(adjustment))
    assert (
        format_money(totals.subtotal),
        format_money(totals.total),
        format_money(totals.discount_total),
    ) == expected


def test_ui_totals_skip_zero_rate_taxes() -> None:
    totals = perfex_ui_totals([line("1", "10.00", TaxSpec("Exempt", D("0")))], "", D(0), D(0), D(0))
    assert totals.tax_by_key == {}


# (lines, discount_type, percent, fixed, subtotal) -> total_tax
SERVER_CASES = [
    pytest.param([line("10", "90.00", VAT20)], "", "0", "0", "900.00", "180.00", id="contract"),
    pytest.param(
        [line("2.5", "0.45", VAT10)],
        "",
        "0",
        "0",
        "1.13",
        "0.11",
        id="no-per-line-rounding-unlike-ui",
    ),
    pytest.param(
        [line("1", "10.05", VAT5)] * 3,
        "",
        "0",
        "0",
        "30.15",
        "1.51",
        id="half-cent-total-rounds-up",
    ),
    pytest.param(
        [line("1", "100.00", VAT20)],
        "before_tax",
        "10",
        "10",
        "100.00",
        "18.00",
        id="percent-before-tax",
    ),
    pytest.param(
        [line("1", "100.00", VAT20)],
        "after_tax",
        "10",
        "12",
        "100.00",
        "20.00",
        id="after-tax-does-not-touch-tax",
    ),
    pytest.param(
        [line("1", "100.00", VAT20), line("1", "100.00", VAT20)],
        "before_tax",
        "0",
        "25",
        "200.00",
        "35.00",
        id="fixed-before-tax-uses-header-subtotal",
    ),
    pytest.param(
        [line("1", "100.00", VAT20, VAT10)],
        "",
        "0",
        "0",
        "100.00",
        "30.00",
        id="two-taxes-on-one-line",
    ),
]


@pytest.mark.parametrize(("lines", "kind", "percent", "fixed", "subtotal", "tax"), SERVER_CASES)
def test_perfex_server_total_tax(lines, kind, percent, fixed, subtotal, tax) -> None:
    assert perfex_server_total_tax(lines, kind, D(percent), D(fixed), D(subtotal)) == D(tax)


@pytest.mark.parametrize(
    ("lines", "cost"),
    [
        pytest.param([oline("10", "100.00", tax1=1)], "1210.00", id="contract-example"),
        pytest.param([oline("0.5", "0.25")], "0.12", id="gross-half-to-even-down"),
        pytest.param([oline("0.5", "0.35")], "0.18", id="gross-half-to-even-up"),
        pytest.param([oline("1", "8.65", tax1=2)], "9.51", id="tax-half-to-even"),
        pytest.param(
            [oline("1", "10.00", discount="12.5", tax1=2)], "9.63", id="discount-then-tax"
        ),
        pytest.param([oline("1", "10.05", tax1=3)] * 3, "31.65", id="tax-rounded-per-line"),
        pytest.param([oline("1", "10.00", tax1=99)], "10.00", id="unknown-tax-adds-nothing"),
        pytest.param([oline("1", "10.00", tax1=1, tax2=2)], "13.10", id="two-taxes"),
    ],
)
def test_onlyoffice_cost(lines: list[OnlyofficeLine], cost: str) -> None:
    rates = {1: D("21.00"), 2: D("10.00"), 3: D("5.00")}
    assert onlyoffice_cost(lines, rates) == D(cost)
