"""Inferring Perfex line taxes (GET returns none) from evidence and the header totals."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from mapping_samples import VAT10, VAT20, perfex_invoice, perfex_item

from mappings.money import perfex_server_total_tax, perfex_ui_totals
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec
from mappings.tax_evidence import TaxEvidence, perfex_line_key
from mappings.taxes import combo_of, explains, infer_line_taxes, learned_taxes

D = Decimal
GST20 = TaxSpec("GST", D("20"))
CITY = TaxSpec("City tax", D("2.5"))
EXEMPT = TaxSpec("Exempt", D("0"))
VAT55 = TaxSpec("VAT", D("5.5"))


def listed(*taxes: TaxSpec) -> TaxEvidence:
    return TaxEvidence(taxes=taxes)


def two_lines(total_tax: str, total: str, second_rate: str = "50.00", **changes) -> PerfexInvoice:
    items = [
        perfex_item(id="1", description="Consulting", qty="1.00", rate="100.00", item_order="1"),
        perfex_item(id="2", description="Travel", qty="1.00", rate=second_rate, item_order="2"),
    ]
    subtotal = D("100.00") + D(second_rate)
    return perfex_invoice(
        items=items, subtotal=str(subtotal), total_tax=total_tax, total=total, **changes
    )


# Invoices whose totals single out one assignment: certain, from the totals alone.
CERTAIN = [
    pytest.param(perfex_invoice(), listed(VAT10, VAT20), ((VAT20,),), id="contract-single-rate"),
    pytest.param(
        two_lines("30.00", "180.00"), listed(VAT10, VAT20), ((VAT20,), (VAT20,)), id="uniform"
    ),
    # 10 % + (10 % and 20 % on one line) would also give 25.00, but a line does not carry two
    # rates of one tax.
    pytest.param(
        two_lines("25.00", "175.00"), listed(VAT10, VAT20), ((VAT20,), (VAT10,)), id="unique-mix"
    ),
    pytest.param(
        two_lines("20.00", "170.00"), listed(VAT20), ((VAT20,), ()), id="only-first-line-taxed"
    ),
    pytest.param(
        perfex_invoice(total_tax="0.00", total="900.00"), listed(VAT20), ((),), id="no-tax"
    ),
    pytest.param(perfex_invoice(), listed(VAT20, EXEMPT), ((VAT20,),), id="zero-rate-ignored"),
    pytest.param(perfex_invoice(), listed(VAT20, VAT20), ((VAT20,),), id="duplicate-candidates"),
    # Equal rates carry equal money: no ambiguity, the tax list's order names it.
    pytest.param(perfex_invoice(), listed(VAT20, GST20), ((VAT20,),), id="same-rate-names"),
    pytest.param(perfex_invoice(), listed(GST20, VAT20), ((GST20,),), id="same-rate-list-order"),
    pytest.param(
        perfex_invoice(total_tax="202.50", total="1102.50"),
        listed(VAT20, VAT10, CITY),
        ((VAT20, CITY),),
        id="two-taxes-on-a-line",
    ),
    pytest.param(
        perfex_invoice(
            discount_type="before_tax",
            discount_percent="10.00",
            discount_total="90.00",
            total_tax="162.00",
            total="972.00",
        ),
        listed(VAT10, VAT20),
        ((VAT20,),),
        id="percent-discount-before-tax",
    ),
    pytest.param(
        perfex_invoice(
            discount_type="before_tax",
            discount_total="100.00",
            total_tax="160.00",
            total="960.00",
        ),
        listed(VAT10, VAT20),
        ((VAT20,),),
        id="fixed-discount-before-tax",
    ),
    pytest.param(
        perfex_invoice(
            discount_type="after_tax",
            discount_percent="10.00",
            discount_total="108.00",
            total_tax="180.00",
            total="972.00",
        ),
        listed(VAT10, VAT20),
        ((VAT20,),),
        id="percent-discount-after-tax",
    ),
]


@pytest.mark.parametrize(("invoice", "evidence", "expected"), CERTAIN)
def test_totals_that_single_out_one_assignment(invoice, evidence, expected) -> None:
    inferred = infer_line_taxes(invoice, evidence)
    assert inferred.line_taxes == expected
    assert inferred.certain and inferred.warnings == ()
    assert set(inferred.sources) == {"totals"}


def test_the_catalogue_settles_lines_the_totals_cannot_tell_apart() -> None:
    invoice = two_lines("20.00", "220.00", "100.00")
    evidence = TaxEvidence(taxes=(VAT20,), catalogue={"Travel": (VAT20,)})
    inferred = infer_line_taxes(invoice, evidence)
    assert inferred.line_taxes == ((), (VAT20,)) and inferred.certain
    assert inferred.sources == ("totals", "catalogue")
    assert inferred.decided_by == "totals, catalogue"


def test_evidence_is_matched_by_description_whatever_the_spacing_and_case() -> None:
    invoice = two_lines("20.00", "220.00", "100.00")
    evidence = TaxEvidence(taxes=(VAT20,), catalogue={"  travel ": (VAT20,)})
    assert infer_line_taxes(invoice, evidence).line_taxes == ((), (VAT20,))


def test_the_ledger_outranks_the_catalogue_and_history() -> None:
    # 20.00 on 100 + 100: 20 % on either line, or 10 % on both; the catalogue says 20 % for
    # Travel, but the bridge itself wrote 10 % there, and the totals agree.
    invoice = two_lines("20.00", "220.00", "100.00")
    assert invoice.lines is not None
    travel = invoice.lines[1]
    evidence = TaxEvidence(
        taxes=(VAT10, VAT20),
        written={perfex_line_key(travel): (VAT10,)},
        catalogue={"Travel": (VAT20,), "Consulting": (VAT10,)},
        history={"Travel": (VAT20,)},
    )
    inferred = infer_line_taxes(invoice, evidence)
    assert inferred.line_taxes == ((VAT10,), (VAT10,))
    assert inferred.sources == ("catalogue", "ledger") and inferred.certain


def test_history_speaks_when_nothing_stronger_does() -> None:
    invoice = two_lines("20.00", "220.00", "100.00")
    evidence = TaxEvidence(taxes=(VAT20,), history={"Consulting": (VAT20,)})
    inferred = infer_line_taxes(invoice, evidence)
    assert inferred.line_taxes == ((VAT20,), ()) and inferred.sources == ("history", "totals")


def test_an_edited_line_no_longer_matches_what_the_bridge_wrote() -> None:
    invoice = two_lines("20.00", "220.00", "100.00")
    assert invoice.lines is not None
    before_edit = replace(invoice.lines[1], qty=D("2.00"))
    evidence = TaxEvidence(taxes=(VAT20,), written={perfex_line_key(before_edit): (VAT20,)})
    inferred = infer_line_taxes(invoice, evidence)
    assert "ledger" not in inferred.sources and not inferred.certain


def test_evidence_the_totals_contradict_gives_way_to_the_totals() -> None:
    evidence = TaxEvidence(taxes=(VAT10, VAT20), catalogue={"Consulting": (VAT10,)})
    inferred = infer_line_taxes(perfex_invoice(), evidence)
    assert inferred.line_taxes == ((VAT20,),) and inferred.sources == ("totals",)
    assert inferred.certain


def test_the_catalogue_names_two_taxes_and_a_zero_rate_one() -> None:
    both = perfex_invoice(total_tax="202.50", total="1102.50")
    catalogue = {"Consulting": (VAT20, CITY)}
    inferred = infer_line_taxes(both, TaxEvidence(catalogue=catalogue))
    assert inferred.line_taxes == ((VAT20, CITY),) and inferred.sources == ("catalogue",)
    exempt = perfex_invoice(total_tax="0.00", total="900.00")
    inferred = infer_line_taxes(exempt, TaxEvidence(catalogue={"Consulting": (EXEMPT,)}))
    assert inferred.line_taxes == ((EXEMPT,),) and inferred.sources == ("catalogue",)


def test_a_same_rate_tax_is_named_by_the_lines_own_evidence() -> None:
    invoice = two_lines("30.00", "180.00")
    evidence = TaxEvidence(taxes=(VAT20, GST20), history={"Travel": (GST20,)})
    assert infer_line_taxes(invoice, evidence).line_taxes == ((VAT20,), (GST20,))


def test_equal_lines_are_ambiguous_and_the_warning_names_the_other_reading() -> None:
    inferred = infer_line_taxes(two_lines("20.00", "220.00", "100.00"), listed(VAT20))
    assert inferred.exact and not inferred.certain
    assert inferred.line_taxes == ((), (VAT20,)) or inferred.line_taxes == ((VAT20,), ())
    assert len(inferred.alternatives) == 1
    (warning,) = inferred.warnings
    assert warning.field == "taxes" and warning.amount is None
    text = str(warning)
    assert text.startswith("taxes: ONLYOFFICE carries ")
    assert "where Perfex shows only total_tax 20.00 EUR" in text
    assert "2 mixes fit its totals; also possible: " in text
    assert "VAT|20.00 on line 1" in text and "VAT|20.00 on line 2" in text


def test_when_no_mix_fits_the_closest_is_used_and_said() -> None:
    inferred = infer_line_taxes(perfex_invoice(total_tax="170.00"), listed(VAT10, VAT20))
    assert inferred.line_taxes == ((VAT20,),)
    assert not inferred.exact and inferred.sources == ("closest",)
    assert "no mix of the known taxes (VAT|10.00, VAT|20.00) fits its totals" in str(
        inferred.warnings[0]
    )


def test_a_total_that_follows_from_no_taxes_leaves_total_tax_to_decide() -> None:
    # The server computed total_tax; the writer posted a total the UI formula never gives.
    invoice = perfex_invoice(total="1081.00")
    assert not explains(invoice, ((VAT20,),))
    inferred = infer_line_taxes(invoice, listed(VAT20))
    assert inferred.line_taxes == ((VAT20,),) and not inferred.exact
    assert "total 1081.00 EUR follows from no mix of the known taxes" in str(inferred.warnings[0])


def test_taxes_a_writer_put_on_the_lines_are_taken_as_they_are() -> None:
    invoice = perfex_invoice()
    assert invoice.lines is not None
    given = replace(invoice, lines=(replace(invoice.lines[0], taxes=(VAT10,)),))
    inferred = infer_line_taxes(given, listed(VAT20))
    assert inferred.line_taxes == ((VAT10,),) and inferred.sources == ("given",)
    assert not inferred.exact  # the header still says 20 %: that is the writer's business


def test_only_certain_answers_are_learned_for_later_invoices() -> None:
    certain = two_lines("25.00", "175.00")
    learned = learned_taxes(certain, infer_line_taxes(certain, listed(VAT10, VAT20)))
    assert learned == {"consulting": (VAT20,), "travel": (VAT10,)}
    # Next time, the history settles what the totals alone could not.
    ambiguous = two_lines("20.00", "220.00", "100.00")
    assert learned_taxes(ambiguous, infer_line_taxes(ambiguous, listed(VAT20))) == {}
    evidence = TaxEvidence(taxes=(VAT20,), history={"Consulting": (VAT20,)})
    assert infer_line_taxes(ambiguous, evidence).certain


def test_a_list_row_cannot_be_inferred() -> None:
    with pytest.raises(ValueError, match="lines"):
        infer_line_taxes(perfex_invoice(items=None), listed(VAT20))


# -- seeded properties on realistic invoices ---------------------------------------------------

# A small company's catalogue: each product has its taxes, some two, some none.
PRODUCTS = [
    ("Consulting", (VAT20,)),
    ("Workshop day", (VAT20,)),
    ("Hotel night", (VAT10, CITY)),
    ("Books", (VAT55,)),
    ("Train ticket", (VAT10,)),
    ("Insurance", ()),
    ("Support hours", (VAT20,)),
    ("Printed manual", (VAT55,)),
]
TAX_LIST = (VAT20, VAT10, VAT55, CITY)


def realistic(rng: random.Random, count: int, discount: str) -> tuple[PerfexInvoice, tuple]:
    """An invoice as Perfex stores it: totals by its formulas, lines without taxes."""
    lines = []
    for order in range(1, count + 1):
        name, taxes = rng.choice(PRODUCTS)
        qty = D(rng.choice(["1", "1", "2", "0.5", "1.25", "3", "10", "7.5"]))
        rate = D(rng.randint(250, 250_000)) / 100
        lines.append(PerfexLine(str(order), name, "", qty, rate, "", order, taxes))
    kind, percent, fixed = {
        "none": ("", D(0), D(0)),
        "percent": ("before_tax", D(rng.choice(["5", "10", "12.5"])), D(0)),
        "fixed": ("before_tax", D(0), D(rng.randint(100, 2000)) / 100),
    }[discount]
    ui = perfex_ui_totals(lines, kind, percent, fixed, D(0))
    total_tax = perfex_server_total_tax(lines, kind, percent, ui.discount_total, ui.subtotal)
    invoice = perfex_invoice(items=[], subtotal="1.00")
    stored = replace(
        invoice,
        subtotal=ui.subtotal,
        total_tax=total_tax,
        total=ui.total,
        discount_type=kind,
        discount_percent=percent,
        discount_total=ui.discount_total,
        lines=tuple(replace(line, taxes=()) for line in lines),
    )
    return stored, tuple(line.taxes for line in lines)


@pytest.mark.parametrize("discount", ["none", "percent", "fixed"])
def test_with_the_catalogue_every_invoice_is_recovered_exactly(discount: str) -> None:
    rng = random.Random(f"catalogue-{discount}")
    catalogue = dict(PRODUCTS)
    for _ in range(40):
        invoice, truth = realistic(rng, rng.randint(1, 30), discount)
        inferred = infer_line_taxes(invoice, TaxEvidence(taxes=TAX_LIST, catalogue=catalogue))
        assert inferred.line_taxes == truth and inferred.certain


@pytest.mark.parametrize("discount", ["none", "percent", "fixed"])
def test_from_the_totals_alone_a_certain_answer_is_never_a_wrong_one(discount: str) -> None:
    """Without evidence many invoices fit several readings; those must carry a warning, and
    whatever is said to be certain must be what Perfex holds (up to equal rates)."""
    rng = random.Random(f"totals-{discount}")
    certain = 0
    for _ in range(60):
        invoice, truth = realistic(rng, rng.randint(1, 8), discount)
        inferred = infer_line_taxes(invoice, TaxEvidence(taxes=TAX_LIST))
        assert inferred.exact
        if inferred.certain:
            certain += 1
            assert [combo_of(t) for t in inferred.line_taxes] == [combo_of(t) for t in truth]
        else:
            assert inferred.warnings
    assert certain >= 20  # small invoices are mostly settled by their totals
