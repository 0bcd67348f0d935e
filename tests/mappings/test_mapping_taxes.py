"""Inferring Perfex line taxes from the header totals (GET returns no line taxes)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mapping_samples import VAT10, VAT20, perfex_invoice, perfex_item

from mappings.perfex import PerfexInvoice, TaxSpec
from mappings.problems import MappingProblem
from mappings.taxes import explains, infer_line_taxes

GST20 = TaxSpec("GST", Decimal("20"))
EXEMPT = TaxSpec("Exempt", Decimal("0"))


def two_lines(total_tax: str, total: str, second_rate: str = "50.00") -> PerfexInvoice:
    items = [
        perfex_item(id="1", description="Consulting", qty="1.00", rate="100.00", item_order="1"),
        perfex_item(id="2", description="Travel", qty="1.00", rate=second_rate, item_order="2"),
    ]
    subtotal = Decimal("100.00") + Decimal(second_rate)
    return perfex_invoice(items=items, subtotal=str(subtotal), total_tax=total_tax, total=total)


CASES = [
    pytest.param(perfex_invoice(), [VAT10, VAT20], {}, ((VAT20,),), id="contract-single-rate"),
    pytest.param(
        two_lines("30.00", "180.00"), [VAT10, VAT20], {}, ((VAT20,), (VAT20,)), id="uniform"
    ),
    pytest.param(
        two_lines("25.00", "175.00"), [VAT10, VAT20], {}, ((VAT20,), (VAT10,)), id="unique-mix"
    ),
    pytest.param(
        two_lines("20.00", "170.00"), [VAT20], {}, ((VAT20,), ()), id="only-first-line-taxed"
    ),
    pytest.param(
        two_lines("20.00", "220.00", "100.00"),
        [VAT20],
        {"Travel": VAT20},
        ((), (VAT20,)),
        id="hint-settles-equal-lines",
    ),
    pytest.param(perfex_invoice(total_tax="0.00", total="900.00"), [VAT20], {}, ((),), id="no-tax"),
    pytest.param(perfex_invoice(), [VAT20, EXEMPT], {}, ((VAT20,),), id="zero-rate-ignored"),
    pytest.param(perfex_invoice(), [VAT20, VAT20], {}, ((VAT20,),), id="duplicate-candidates"),
    pytest.param(
        perfex_invoice(),
        [VAT10, VAT20],
        {"Consulting": VAT10},
        ((VAT20,),),
        id="wrong-hint-ignored",
    ),
]


@pytest.mark.parametrize(("invoice", "candidates", "hints", "expected"), CASES)
def test_infers_the_one_explaining_assignment(invoice, candidates, hints, expected) -> None:
    assert infer_line_taxes(invoice, candidates, hints) == expected


PROBLEMS = [
    pytest.param(perfex_invoice(total_tax="170.00"), [VAT10, VAT20], "no combination", id="none"),
    pytest.param(
        two_lines("20.00", "220.00", "100.00"), [VAT20], "2 different tax mixes", id="equal-lines"
    ),
    pytest.param(perfex_invoice(), [VAT20, GST20], "2 different tax mixes", id="same-rate-names"),
    pytest.param(perfex_invoice(), [], "no Perfex taxes are known", id="no-candidates"),
    pytest.param(
        perfex_invoice(
            items=[perfex_item(id=str(i), item_order=str(i), rate="10.00") for i in range(7)],
            subtotal="700.00",
            total_tax="1.00",
            total="701.00",
        ),
        [VAT10, VAT20],
        "too many to try",
        id="too-many-lines",
    ),
]


@pytest.mark.parametrize(("invoice", "candidates", "message"), PROBLEMS)
def test_reports_instead_of_guessing(invoice, candidates, message) -> None:
    problem = infer_line_taxes(invoice, candidates, {})
    assert isinstance(problem, MappingProblem)
    assert problem.field == "total_tax" and message in problem.message
    assert "\n" not in problem.message


def test_ambiguity_message_shows_both_readings() -> None:
    problem = infer_line_taxes(two_lines("20.00", "220.00", "100.00"), [VAT20], {})
    assert isinstance(problem, MappingProblem)
    assert "line 1 VAT|20.00, line 2 no tax" in problem.message
    assert "line 1 no tax, line 2 VAT|20.00" in problem.message


def test_an_assignment_must_also_reproduce_the_total() -> None:
    # The server's total_tax matches, but a writer posted a total the UI formula never gives.
    invoice = perfex_invoice(total="1081.00")
    assert not explains(invoice, ((VAT20,),))
    assert isinstance(infer_line_taxes(invoice, [VAT20], {}), MappingProblem)


def test_percent_discount_before_tax_is_part_of_the_explanation() -> None:
    invoice = perfex_invoice(
        discount_type="before_tax",
        discount_percent="10.00",
        discount_total="90.00",
        total_tax="162.00",
        total="972.00",
    )
    assert infer_line_taxes(invoice, [VAT10, VAT20], {}) == ((VAT20,),)


def test_a_list_row_cannot_be_inferred() -> None:
    with pytest.raises(ValueError, match="lines"):
        infer_line_taxes(perfex_invoice(items=None), [VAT20], {})
