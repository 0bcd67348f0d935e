"""API notes 8, "Negative-path fidelity": what the real module never gives a client."""

from __future__ import annotations

import pytest
from perfex_wire import Perfex, invoice_form, line_fields, newest_id

READ_PATHS = (
    "/api/invoices",
    "/api/invoices/13",
    "/api/invoices/search/INV-000700",
    "/api/invoices/search/%23urgent",
    "/api/customers",
    "/api/customers/1",
    "/api/items",
    "/api/items/1",
    "/api/common/tax_data",
)


@pytest.fixture
def tagged_and_taxed(perfex: Perfex) -> Perfex:
    lines = line_fields(1, taxes=("VAT|20.00", "Eco|7.00"))
    form = invoice_form(number="700", lines=lines, tags="urgent", total="127.00")
    assert perfex.post_form("/api/invoices", form).status_code == 200
    assert newest_id(perfex) == 13
    return perfex


@pytest.mark.parametrize("version", ["2", "3"])
def test_no_validators_or_modification_times_anywhere(make_perfex, version: str) -> None:
    perfex = make_perfex(version=version)
    perfex.post_form("/api/invoices", invoice_form(number="700", tags="urgent"))
    for path in READ_PATHS:
        answer = perfex.get(path)
        assert answer.status_code == 200, path
        headers = {name.lower() for name in answer.headers}
        assert not headers & {"last-modified", "etag"}, path
        assert "modified" not in answer.text and "updated_at" not in answer.text, path


def test_no_line_taxes_or_tags_in_any_read(tagged_and_taxed: Perfex) -> None:
    perfex = tagged_and_taxed
    assert perfex.store.invoices[13].tags == ["urgent"]
    assert len(perfex.store.lines_of(13)[0].taxes) == 2
    for path in READ_PATHS:
        text = perfex.get(path).text
        assert "Eco" not in text, path  # the line's second tax exists only in tblitem_tax
        assert '"tags"' not in text and '"taxname":"VAT|' not in text, path
