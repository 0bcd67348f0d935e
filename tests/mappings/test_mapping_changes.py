"""Field-level changes for the run report, keyed by the target's field names."""

from __future__ import annotations

import json
from dataclasses import replace

from mapping_samples import onlyoffice_line_raw, onlyoffice_raw, perfex_invoice, perfex_item

from mappings.changes import onlyoffice_changes, perfex_changes
from mappings.onlyoffice import OnlyofficeInvoice


def onlyoffice(**changes) -> OnlyofficeInvoice:
    return OnlyofficeInvoice.from_api(onlyoffice_raw(**changes))


def test_only_changed_fields_with_target_names() -> None:
    before = onlyoffice()
    after = onlyoffice(dueDate="2024-06-15T00:00:00.0000000Z", status={"id": 2})
    assert onlyoffice_changes(before, after) == {
        "dueDate": ["2024-05-31", "2024-06-15"],
        "status": [1, 2],
    }


def test_identical_invoices_have_no_changes() -> None:
    assert onlyoffice_changes(onlyoffice(), onlyoffice(id=99, cost=0)) == {}
    assert perfex_changes(perfex_invoice(), perfex_invoice(hash="x")) == {}


def test_lines_are_summarised() -> None:
    after = onlyoffice(
        invoiceLines=[
            onlyoffice_line_raw(quantity=12.5),
            onlyoffice_line_raw(description="Travel\nBerlin", price=80, discount=10),
        ]
    )
    assert onlyoffice_changes(onlyoffice(), after) == {
        "invoiceLines": [
            ["Consulting × 10 @ 100.00 + tax 1"],
            ["Consulting × 12.5 @ 100.00 + tax 1", "Travel / Berlin × 10 @ 80.00 less 10% + tax 1"],
        ]
    }


def test_a_change_the_summary_cannot_show_is_still_reported() -> None:
    after = onlyoffice(invoiceLines=[onlyoffice_line_raw(invoiceItemID=4)])
    assert list(onlyoffice_changes(onlyoffice(), after)) == ["invoiceLines"]


def test_a_create_lists_every_field_as_new() -> None:
    changes = onlyoffice_changes(None, onlyoffice())
    assert changes["number"] == [None, "INV-0000042"]
    assert changes["contactId"] == [None, "10"]
    assert changes["dueDate"] == [None, "2024-05-31"]
    assert "exchangeRate" not in changes  # owned by ONLYOFFICE: never reported
    json.dumps(changes)  # JSON-able as it stands


def test_a_list_row_after_does_not_report_lines_as_removed() -> None:
    row = replace(onlyoffice(), lines=None)
    assert onlyoffice_changes(onlyoffice(), row) == {}


def test_perfex_changes_use_perfex_names() -> None:
    after = perfex_invoice(
        duedate="2024-04-15",
        total="1090.00",
        items=[
            perfex_item(),
            perfex_item(
                id="312",
                description="Travel",
                long_description="",
                qty="1.00",
                rate="10.00",
                item_order="2",
            ),
        ],
    )
    changes = perfex_changes(perfex_invoice(), after)
    assert changes == {
        "duedate": ["2024-03-31", "2024-04-15"],
        "total": ["1080.00", "1090.00"],
        "items": [
            ["Consulting × 10 @ 90.00 (March)"],
            ["Consulting × 10 @ 90.00 (March)", "Travel × 1 @ 10.00"],
        ],
    }
