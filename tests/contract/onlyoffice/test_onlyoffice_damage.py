"""Broken database rows, served as the ONLYOFFICE server would serve them.

A test damages one field of one stored record (`OnlyofficeAdmin.damage`); every answer carrying
it then shows the damage. Bytes that are not UTF-8 come out as U+FFFD replacement characters,
decoded by the database connector, so the JSON stays valid.
"""

from __future__ import annotations

import pytest

from bridge.sandbox.onlyoffice_admin import OnlyofficeAdmin


@pytest.fixture
def broken(api):
    return api, OnlyofficeAdmin(api.sim)


@pytest.mark.parametrize(
    ("field", "how", "seen"),
    [
        ("description", "null", None),
        ("terms", "empty", ""),
        ("cost", "wrong_type", "text"),
        ("dueDate", "zero_date", "0001-01-01T00:00:00.0000000Z"),
        ("cost", "huge_number", 99999999.99),
        ("id", "huge_number", 2147483647),
    ],
)
def test_a_damaged_invoice_field_shows_in_one_and_in_lists(broken, field, how, seen):
    api, admin = broken
    admin.damage("invoice", 3, field, how)
    one = api.ok(api.get("crm/invoice/3"))
    listed = next(
        row for row in api.ok(api.get("crm/invoice/filter")) if row["number"] == one["number"]
    )
    if seen == "text":
        assert isinstance(one[field], str) and float(one[field]) >= 0
    else:
        assert one[field] == seen and listed[field] == seen
    other = api.ok(api.get("crm/invoice/4"))
    assert other[field] != one[field]


def test_missing_long_and_invalid_text(broken):
    api, admin = broken
    admin.damage("invoice", 3, "description", "missing")
    admin.damage("invoice", 3, "terms", "long_text")
    admin.damage("invoice", 4, "terms", "invalid_utf8")
    three = api.ok(api.get("crm/invoice/3"))
    assert "description" not in three and len(three["terms"]) == 10_000
    four = api.ok(api.get("crm/invoice/4"))
    assert "\ufffd" in four["terms"] and four["terms"].startswith(api.store.invoice(4).terms)


def test_line_contact_item_and_tax_damage(broken):
    api, admin = broken
    line = api.store.invoice(3).lines[0]
    admin.damage("line", line.id, "quantity", "wrong_type")
    assert isinstance(api.ok(api.get("crm/invoice/3"))["invoiceLines"][0]["quantity"], str)
    contact = api.store.invoice(3).contact_id
    admin.damage("contact", contact, "displayName", "null")
    assert api.ok(api.get(f"crm/contact/{contact}"))["displayName"] is None
    assert api.ok(api.get("crm/invoice/3"))["contact"]["displayName"] is None
    admin.damage("item", 1, "price", "wrong_type")
    assert api.ok(api.get("crm/invoiceitem/1"))["price"] == f"{api.store.item(1).price:.2f}"
    admin.damage("tax", 1, "rate", "missing")
    taxes = {tax["id"]: tax for tax in api.ok(api.get("crm/invoice/tax"))}
    assert "rate" not in taxes[1] and "rate" in taxes[2]
    taxed = min(i.id for i in api.store.items.values() if i.tax1_id == 1)
    assert "rate" not in api.ok(api.get(f"crm/invoiceitem/{taxed}"))["invoiceTax1"]


def test_a_full_replacement_repairs_the_row(broken):
    api, admin = broken
    created = api.create_invoice()
    admin.damage("invoice", created["id"], "terms", "null")
    assert api.ok(api.get(f"crm/invoice/{created['id']}"))["terms"] is None
    updated = api.ok(api.put(f"crm/invoice/{created['id']}", json=api.invoice_body()))
    assert updated["terms"] == "Net 30"


def test_repair_and_unknown_fields(broken):
    api, admin = broken
    admin.damage("invoice", 3, "terms", "empty")
    admin.repair("invoice", 3)
    assert api.ok(api.get("crm/invoice/3"))["terms"] == api.store.invoice(3).terms
    with pytest.raises(KeyError):
        admin.damage("invoice", 3, "nonsense", "null")
    with pytest.raises(ValueError):
        admin.damage("payment_mode", 1, "name", "null")  # ONLYOFFICE has none
