"""What the ONLYOFFICE → Perfex direction refuses to do: reuse a Perfex number, act on a portal
that suddenly lists nothing, or delete a Perfex invoice because ONLYOFFICE lost one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reverse_world import exact, perfex_number
from rigs import TODAY

from bridge.errors import SafetyStop
from bridge.sandbox.onlyoffice_admin import AdminLine
from bridge.sandbox.seed import generate
from state import Ledger


def backfilled(make_rig):  # noqa: ANN001, ANN201
    rig = make_rig(onlyoffice=exact(generate(seed=9, invoices=8, today=TODAY, mix="simple")))
    assert rig.run("backfill").run.status == "ok"
    return rig


def test_a_number_perfex_already_uses_is_reported_and_the_run_is_partial(
    make_rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = backfilled(make_rig)
    taken = rig.onlyoffice.store.invoice_by_number("INV-000003")
    admin = rig.onlyoffice_admin
    line = AdminLine(admin.item_id("Consulting"), Decimal(1), Decimal(95), "Consulting")
    # "INV-3" is Perfex number 3 again, in the same year as INV-000003.
    issued = taken.issue_date.date()
    admin.create_invoice("INV-3", taken.contact_id, [line], issued, issued)
    before = {i.id: dict(i.row) for i in rig.perfex.store.invoices.values()}

    result = rig.cli("sync", monkeypatch=monkeypatch)

    assert result.code == 1, result.out + result.err
    with Ledger.open_readonly(rig.folder / "ledger.db") as ledger:
        record = ledger.run()
    assert record is not None and record.run.status == "partial"
    [failed] = [o for o in record.outcomes if o.action == "failed"]
    assert failed.number == "INV-3" and "INV-3" in (failed.error or "")
    assert "already used in Perfex" in (failed.error or "")
    assert {i.id: dict(i.row) for i in rig.perfex.store.invoices.values()} == before


def test_a_portal_that_suddenly_lists_nothing_stops_the_run(make_rig) -> None:
    rig = backfilled(make_rig)
    for invoice_id in list(rig.onlyoffice.store.invoices):
        rig.onlyoffice.store.remove_invoice(invoice_id)
    rig.clear_logs()

    with pytest.raises(SafetyStop, match="ONLYOFFICE lists no invoices"):
        rig.run("sync")

    assert rig.writes() == []
    assert len(rig.perfex.store.invoices) == 8


def test_an_invoice_deleted_in_onlyoffice_is_reported_not_deleted(make_rig) -> None:
    rig = backfilled(make_rig)
    gone = rig.onlyoffice.store.invoice_by_number("INV-000005")
    rig.onlyoffice.store.remove_invoice(gone.id)
    rig.clear_logs()

    record = rig.run("sync")

    [skipped] = [o for o in record.outcomes if o.action == "skipped"]
    assert skipped.number == "INV-000005" and "deleted in ONLYOFFICE" in (skipped.error or "")
    assert rig.writes() == []
    assert "INV-000005" in {perfex_number(i) for i in rig.perfex.store.invoices.values()}
