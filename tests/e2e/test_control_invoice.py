"""Per-invoice control against both simulators through the real CLI: `sync --invoice`,
`resolve`, `accept` and `retry`, each one sentence and an exit code a script can act on."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from control_world import (
    add_onlyoffice_invoice,
    add_perfex_invoice,
    audit,
    cli,
    onlyoffice_due,
    onlyoffice_invoice,
    perfex_books,
    perfex_number,
)
from rigs import TODAY, rig_factory


@pytest.fixture
def make(tmp_path):
    with rig_factory(tmp_path, "perfex_to_onlyoffice") as factory:
        yield factory


def perfex_due(rig, invoice_id: int):  # noqa: ANN001, ANN201
    return rig.perfex.store.invoices[invoice_id].duedate


def open_problems(rig, monkeypatch) -> list[dict]:  # noqa: ANN001
    return json.loads(cli(rig, monkeypatch, "status", "--format", "json").out)["problems"]


# -- sync --invoice ------------------------------------------------------------------------------


def test_sync_invoice_carries_that_invoice_only(make, monkeypatch):
    rig, ids = perfex_books(make, 3)
    assert rig.run("backfill").run.status == "ok"
    first, second = perfex_number(rig, ids[0]), perfex_number(rig, ids[1])
    before = onlyoffice_due(rig, second)
    for invoice_id in ids[:2]:
        rig.perfex_admin.set_due_date(invoice_id, TODAY + timedelta(45))

    result = cli(rig, monkeypatch, "sync", "--invoice", first)

    assert result.code == 0, result.text
    assert result.out.strip() == f"{first} updated in ONLYOFFICE from Perfex (due date)."
    assert onlyoffice_due(rig, first) == TODAY + timedelta(45)
    assert onlyoffice_due(rig, second) == before
    rig.clear_logs()
    again = cli(rig, monkeypatch, "sync", "--invoice", first)
    assert again.out.strip() == (
        f"{first} already says the same in Perfex and ONLYOFFICE; nothing was written."
    )
    assert again.code == 0 and rig.writes() == []
    by_id = cli(
        rig, monkeypatch, "sync", "--invoice", f"onlyoffice:{onlyoffice_invoice(rig, second).id}"
    )
    assert by_id.code == 0 and second in by_id.out
    assert onlyoffice_due(rig, second) == TODAY + timedelta(45)
    report = json.loads(cli(rig, monkeypatch, "report", "latest", "--format", "json").out)
    assert report["run"]["command"] == "sync-invoice"


def test_sync_invoice_with_an_unknown_number_names_it_and_writes_nothing(make, monkeypatch):
    rig, _ = perfex_books(make, 1)
    rig.clear_logs()
    result = cli(rig, monkeypatch, "sync", "--invoice", "INV-424242")
    assert result.code == 1 and result.out == ""
    assert "No invoice INV-424242 in Perfex or ONLYOFFICE" in result.err
    assert rig.writes() == []


def test_sync_invoice_of_an_invoice_only_the_mirror_has_is_left_alone(make, monkeypatch):
    rig, _ = perfex_books(make, 1)
    add_onlyoffice_invoice(rig, "OWN-A")
    rig.clear_logs()
    result = cli(rig, monkeypatch, "sync", "--invoice", "OWN-A")
    assert result.code == 0 and "nothing to sync" in result.out
    assert rig.writes() == []


# -- resolve -------------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", ["perfex", "onlyoffice"])
def test_resolve_writes_the_kept_side_to_the_other(make, monkeypatch, keep):
    rig, ids = perfex_books(make, 2, direction="both")
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[0])
    rig.perfex_admin.set_due_date(ids[0], TODAY + timedelta(60))
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, number).id, TODAY + timedelta(50))
    assert cli(rig, monkeypatch, "sync").code == 1  # a conflict
    assert [p["action"] for p in open_problems(rig, monkeypatch)] == ["conflict"]
    kept = TODAY + timedelta(60 if keep == "perfex" else 50)

    result = cli(rig, monkeypatch, "resolve", number, "--keep", keep)

    assert result.code == 0, result.text
    assert result.out.startswith(f"Resolved {number} keeping ")
    assert perfex_due(rig, ids[0]) == kept and onlyoffice_due(rig, number) == kept
    assert open_problems(rig, monkeypatch) == []
    rig.clear_logs()
    assert cli(rig, monkeypatch, "sync").code == 0 and rig.writes() == []


def test_resolve_keeping_the_mirror_accepts_it_and_writes_nothing(make, monkeypatch):
    rig, ids = perfex_books(make, 2)
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[0])
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, number).id, TODAY + timedelta(99))
    rig.clear_logs()

    result = cli(rig, monkeypatch, "resolve", number, "--keep", "onlyoffice")

    assert result.code == 0 and "accepts it" in result.out
    assert rig.writes() == []
    assert cli(rig, monkeypatch, "sync").code == 0
    assert onlyoffice_due(rig, number) == TODAY + timedelta(99)  # not restored
    assert audit(rig, monkeypatch, code=0)["accepted"] == 1
    rig.perfex_admin.set_quantity(ids[0], 0, Decimal(3))  # the source changes again
    assert cli(rig, monkeypatch, "sync").code == 0
    assert onlyoffice_due(rig, number) == perfex_due(rig, ids[0])


def test_resolve_recreates_a_deleted_mirror_from_its_source(make, monkeypatch):
    rig, ids = perfex_books(make, 2)
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[1])
    rig.onlyoffice.store.remove_invoice(onlyoffice_invoice(rig, number).id)

    result = cli(rig, monkeypatch, "resolve", number, "--keep", "perfex")

    assert result.code == 0, result.text
    assert f"{number} created in ONLYOFFICE from Perfex" in result.out
    assert onlyoffice_due(rig, number) == perfex_due(rig, ids[1])


def test_resolve_never_merges_two_different_invoices_that_share_a_number(make, monkeypatch):
    rig, ids = perfex_books(make, 1)
    assert rig.run("backfill").run.status == "ok"
    newcomer = add_perfex_invoice(rig, 0)
    number = perfex_number(rig, newcomer)
    add_onlyoffice_invoice(rig, number, k=1)  # another customer's invoice, typed in ONLYOFFICE
    rig.clear_logs()

    result = cli(rig, monkeypatch, "resolve", number, "--keep", "perfex")

    assert result.code == 1 and "cannot be merged" in result.err
    assert "another number" in result.err
    assert rig.writes() == []


def test_resolve_an_unknown_number_exits_1_naming_it(make, monkeypatch):
    rig, _ = perfex_books(make, 1)
    result = cli(rig, monkeypatch, "resolve", "INV-777777", "--keep", "perfex")
    assert result.code == 1 and "INV-777777" in result.err


# -- accept --------------------------------------------------------------------------------------


def test_accept_keeps_both_sides_until_the_invoice_changes_again(make, monkeypatch):
    rig, ids = perfex_books(make, 2, direction="both")
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[0])
    rig.perfex_admin.set_due_date(ids[0], TODAY + timedelta(60))
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, number).id, TODAY + timedelta(50))
    assert cli(rig, monkeypatch, "sync").code == 1
    rig.clear_logs()

    result = cli(rig, monkeypatch, "accept", number)

    assert result.code == 0 and result.out.startswith(f"Accepted {number}")
    assert rig.writes() == []
    assert open_problems(rig, monkeypatch) == []
    assert cli(rig, monkeypatch, "sync").code == 0 and rig.writes() == []
    document = audit(rig, monkeypatch, code=0)
    assert (document["accepted"], document["differences"]) == (1, [])
    assert perfex_due(rig, ids[0]) == TODAY + timedelta(60)
    assert onlyoffice_due(rig, number) == TODAY + timedelta(50)

    rig.onlyoffice_admin.set_quantity(onlyoffice_invoice(rig, number).id, 0, Decimal(4))
    document = audit(rig, monkeypatch, code=1)
    assert [d["number"] for d in document["differences"]] == [number]


def test_accept_an_invoice_only_the_mirror_has(make, monkeypatch):
    rig, _ = perfex_books(make, 1)
    assert rig.run("backfill").run.status == "ok"
    own = add_onlyoffice_invoice(rig, "OWN-A")
    audit(rig, monkeypatch, code=1)

    result = cli(rig, monkeypatch, "accept", "OWN-A")

    assert result.code == 0 and "only in ONLYOFFICE" in result.out
    audit(rig, monkeypatch, code=0)
    rig.onlyoffice_admin.set_due_date(own, TODAY + timedelta(3))
    audit(rig, monkeypatch, code=1)


def test_accept_a_deleted_mirror_stops_the_audit_listing_it(make, monkeypatch):
    rig, ids = perfex_books(make, 2)
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[0])
    rig.onlyoffice.store.remove_invoice(onlyoffice_invoice(rig, number).id)
    audit(rig, monkeypatch, code=1)
    rig.clear_logs()

    result = cli(rig, monkeypatch, "accept", number)

    assert result.code == 0 and "only in Perfex" in result.out
    assert rig.writes() == []
    assert audit(rig, monkeypatch, code=0)["accepted"] == 1
    rig.perfex_admin.set_due_date(ids[0], TODAY + timedelta(33))
    audit(rig, monkeypatch, code=1)


def test_accept_a_pair_that_already_agrees_says_so(make, monkeypatch):
    rig, ids = perfex_books(make, 1)
    assert rig.run("backfill").run.status == "ok"
    result = cli(rig, monkeypatch, "accept", f"perfex:{ids[0]}")
    assert result.code == 0 and "already says the same" in result.out


# -- retry ---------------------------------------------------------------------------------------


def in_forint(rig, invoice_id: int) -> int:  # noqa: ANN001
    """Moves the invoice to a currency ONLYOFFICE does not know: it cannot be carried. Returns
    the currency it had."""
    before = rig.perfex.store.invoices[invoice_id].currency
    rig.perfex.store.edit_invoice(invoice_id, currency=rig.perfex_admin.add_currency("HUF"))
    return before


def test_retry_carries_a_failed_invoice_once_it_is_fixed(make, monkeypatch):
    rig, ids = perfex_books(make, 2)
    currency = in_forint(rig, ids[0])
    number = perfex_number(rig, ids[0])
    assert rig.run("backfill").run.status == "partial"
    [problem] = open_problems(rig, monkeypatch)
    assert (problem["number"], problem["action"]) == (number, "failed")

    still = cli(rig, monkeypatch, "retry")
    assert still.code == 1 and f"{number}: " in still.out and "HUF" in still.out

    rig.perfex.store.edit_invoice(ids[0], currency=currency)
    result = cli(rig, monkeypatch, "retry")

    assert result.code == 0, result.text
    assert result.out.strip() == "Retried 1 failed invoice: 1 now in step."
    assert onlyoffice_invoice(rig, number) is not None
    assert open_problems(rig, monkeypatch) == []
    assert cli(rig, monkeypatch, "status").code == 0


def test_retry_with_nothing_failed_says_so_and_mentions_conflicts(make, monkeypatch):
    rig, ids = perfex_books(make, 1, direction="both")
    assert rig.run("backfill").run.status == "ok"
    assert cli(rig, monkeypatch, "retry").out.strip() == "No open failures to retry."
    number = perfex_number(rig, ids[0])
    rig.perfex_admin.set_due_date(ids[0], TODAY + timedelta(60))
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, number).id, TODAY + timedelta(50))
    assert cli(rig, monkeypatch, "sync").code == 1
    rig.clear_logs()

    result = cli(rig, monkeypatch, "retry")

    assert result.code == 0 and "1 conflict waits for a person" in result.out
    assert rig.writes() == []
