"""Differences: one line a bookkeeper reads, and the data behind it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mapping_samples import VAT10, VAT20

from mappings.differences import (
    Difference,
    describe_assignment,
    describe_change,
    money_difference,
    strict_refusal,
)
from mappings.perfex import TaxSpec

D = Decimal
CITY = TaxSpec("City", D("2.5"))


@pytest.mark.parametrize(
    ("difference", "text"),
    [
        pytest.param(
            money_difference("total", D("1663.46"), D("1663.47"), "tax rounded per line", "EUR"),
            "total: ONLYOFFICE totals 1663.47 EUR where Perfex shows 1663.46 EUR "
            "(tax rounded per line)",
            id="total",
        ),
        pytest.param(
            money_difference(
                "total",
                D("31.65"),
                D("31.66"),
                "ONLYOFFICE rounds tax per line",
                "USD",
                reverse=True,
            ),
            "total: Perfex totals 31.66 USD where ONLYOFFICE shows 31.65 USD "
            "(ONLYOFFICE rounds tax per line)",
            id="total-reverse",
        ),
        pytest.param(
            money_difference(
                "total_tax", D("180"), D("162"), "ONLYOFFICE discounts before tax", "GBP"
            ),
            "total_tax: ONLYOFFICE has taxes of 162.00 GBP where Perfex shows 180.00 GBP "
            "(ONLYOFFICE discounts before tax)",
            id="total-tax",
        ),
        pytest.param(
            Difference(
                "status", "Paid", "Unpaid", "record the payment", None, None, "ONLYOFFICE", "Perfex"
            ),
            "status: Perfex shows Unpaid where ONLYOFFICE shows Paid (record the payment)",
            id="text-values",
        ),
    ],
)
def test_one_line_for_the_bookkeeper(difference: Difference, text: str) -> None:
    assert str(difference) == text
    assert "\n" not in str(difference)


def test_money_differences_carry_the_signed_amount() -> None:
    difference = money_difference("total", D("960.00"), D("960.01"), "why", "EUR")
    assert (difference.amount, difference.currency) == (D("0.01"), "EUR")
    reverse = money_difference("total", D("31.65"), D("31.66"), "why", "EUR", reverse=True)
    assert (reverse.source_system, reverse.target_system, reverse.amount) == (
        "ONLYOFFICE",
        "Perfex",
        D("0.01"),
    )


def test_a_strict_refusal_says_every_difference_and_the_setting() -> None:
    first = money_difference("total", D("10.00"), D("10.01"), "tax rounded per line", "EUR")
    second = money_difference("total_tax", D("2.00"), D("1.98"), "tax rounded per line", "EUR")
    problem = strict_refusal((first, second), "money_mismatch")
    assert problem.field == "total"
    assert str(problem) == (
        "total: ONLYOFFICE totals 10.01 EUR where Perfex shows 10.00 EUR (tax rounded per "
        "line); ONLYOFFICE has taxes of 1.98 EUR where Perfex shows 2.00 EUR (tax rounded per "
        'line); refused because [mapping].money_mismatch = "fail" ("warn" writes such '
        "invoices with a warning)"
    )


def test_assignments_are_said_by_tax_mix_with_line_ranges() -> None:
    assignment = ((VAT20,), (VAT20,), (VAT20,), (), (VAT20,), (VAT10, CITY))
    assert describe_assignment(assignment) == (
        "VAT|20.00 on lines 1-3, 5; no tax on line 4; VAT|10.00 + City|2.50 on line 6"
    )
    other = ((VAT20,), (), (VAT20,), (VAT20,), (VAT20,), (VAT10, CITY))
    assert describe_change(assignment, other) == "no tax on line 2, VAT|20.00 on line 4"
