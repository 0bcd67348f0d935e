"""Evidence about Perfex line taxes: the keys it is found by and the catalogue's columns."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from mapping_samples import VAT10, VAT20, perfex_invoice

from mappings.perfex import PerfexLine, TaxSpec
from mappings.tax_evidence import (
    TaxEvidence,
    catalogue_taxes,
    perfex_line_key,
    written_line_taxes,
)

D = Decimal
CITY = TaxSpec("City tax", D("2.5"))


def line() -> PerfexLine:
    invoice = perfex_invoice()
    assert invoice.lines is not None
    return invoice.lines[0]


@pytest.mark.parametrize(
    ("changes", "same"),
    [
        pytest.param({"id": "999", "item_order": 7, "unit": "days"}, True, id="id-order-unit"),
        pytest.param({"description": "  consulting "}, True, id="spacing-and-case"),
        pytest.param({"taxes": (VAT10,)}, True, id="taxes-are-the-value-not-the-key"),
        pytest.param({"qty": D("11.00")}, False, id="quantity"),
        pytest.param({"rate": D("90.01")}, False, id="rate"),
        pytest.param({"long_description": "April"}, False, id="long-description"),
        pytest.param({"description": "Consulting (senior)"}, False, id="description"),
    ],
)
def test_a_line_key_follows_the_content_a_person_can_edit(changes: dict, same: bool) -> None:
    assert (perfex_line_key(replace(line(), **changes)) == perfex_line_key(line())) == same


def test_the_record_of_written_taxes_is_found_again_for_the_same_line() -> None:
    written = written_line_taxes([replace(line(), taxes=(VAT20, CITY))])
    evidence = TaxEvidence(written=written, catalogue={"Consulting": (VAT10,)})
    assert evidence.for_line(line()) == ("ledger", (VAT20, CITY))


def test_catalogue_rows_give_one_or_two_taxes_by_description() -> None:
    rows = [
        {
            "description": "Hotel night",
            "taxname": "VAT",
            "taxrate": "10.00",
            "taxname_2": "City tax",
            "taxrate_2": "2.50",
        },
        {
            "description": "Consulting",
            "taxname": "VAT",
            "taxrate": "20.00",
            "taxname_2": None,
            "taxrate_2": None,
        },
        {"description": "Consulting", "taxname": "VAT", "taxrate": "10.00"},  # first wins
        {"description": "Gift card", "taxname": None, "taxrate": None},  # says nothing
        {"description": "Broken", "taxname": "VAT", "taxrate": "twenty"},  # unreadable
        {"description": "", "taxname": "VAT", "taxrate": "20.00"},
    ]
    assert catalogue_taxes(rows) == {
        "hotel night": (VAT10, CITY),
        "consulting": (VAT20,),
    }


def test_evidence_is_taken_strongest_first() -> None:
    evidence = TaxEvidence(
        taxes=(VAT10,),
        catalogue={"Consulting": (VAT20,)},
        history={"Consulting": (VAT10,), "Travel": (CITY,)},
    )
    assert evidence.for_line(line()) == ("catalogue", (VAT20,))
    assert evidence.for_line(replace(line(), description="travel")) == ("history", (CITY,))
    assert evidence.for_line(replace(line(), description="Hosting")) is None
    assert evidence.known_taxes() == (VAT10, VAT20, CITY)
