"""`crm-bridge audit` against both simulators: what it reports, that it writes nothing, and what
`--repair --yes` writes (and never: a deletion, or the read-only side)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from control_world import (
    add_onlyoffice_invoice,
    add_placeholder_draft,
    audit,
    cli,
    deletes,
    digest,
    onlyoffice_books,
    onlyoffice_due,
    onlyoffice_invoice,
    perfex_books,
    perfex_number,
)
from rigs import TODAY, rig_factory

from bridge.sandbox.onlyoffice.costing import invoice_cost


@pytest.fixture
def make(tmp_path):
    with rig_factory(tmp_path, "perfex_to_onlyoffice") as factory:
        yield factory


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def test_after_a_backfill_everything_agrees_and_the_totals_are_the_books(make, monkeypatch):
    rig, ids = perfex_books(make, 4)
    add_placeholder_draft(rig)
    assert rig.run("backfill").run.status == "ok"
    ledger_before = digest(rig.ledger_path)
    rig.clear_logs()

    document = audit(rig, monkeypatch, code=0)

    assert (document["pairs"], document["agree"], document["differences"]) == (4, 4, [])
    books = sum(rig.perfex.store.invoices[i].total for i in ids)
    store = rig.onlyoffice.store
    mirrored = sum(invoice_cost(inv.lines, store.taxes) for inv in store.invoices.values())
    assert document["totals"] == {
        "EUR": {
            "perfex": {"count": 4, "sum": money(books)},
            "onlyoffice": {"count": 4, "sum": money(mirrored)},
            "difference": "0.00",
        }
    }
    assert rig.writes() == []
    assert digest(rig.ledger_path) == ledger_before


def test_each_kind_of_difference_is_reported_with_both_values(make, monkeypatch):
    rig, ids = perfex_books(make, 4)
    assert rig.run("backfill").run.status == "ok"
    edited, deleted, grown = (perfex_number(rig, i) for i in ids[:3])
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, edited).id, TODAY + timedelta(99))
    gone_id = onlyoffice_invoice(rig, deleted).id
    rig.onlyoffice.store.remove_invoice(gone_id)
    rig.perfex_admin.set_quantity(ids[2], 0, Decimal(7))
    own = add_onlyoffice_invoice(rig, "OWN-A", price="12.00")
    rig.clear_logs()

    document = audit(rig, monkeypatch, code=1)

    assert rig.writes() == []
    found = {d["number"]: d for d in document["differences"]}
    assert set(found) == {edited, deleted, grown, "OWN-A"}
    perfex_due = rig.perfex.store.invoices[ids[0]].duedate.isoformat()
    assert found[edited]["kind"] == "fields"
    assert found[edited]["fields"] == {"dueDate": [perfex_due, (TODAY + timedelta(99)).isoformat()]}
    assert found[deleted] == {
        "number": deleted,
        "perfex_id": str(ids[1]),
        "onlyoffice_id": str(gone_id),
        "kind": "missing_in_onlyoffice",
        "fields": {},
    }
    [perfex_line], [onlyoffice_line] = found[grown]["fields"]["invoiceLines"]
    assert "× 7 @ " in perfex_line and "× 2 @ " in onlyoffice_line
    assert found["OWN-A"]["kind"] == "missing_in_perfex"
    assert (found["OWN-A"]["perfex_id"], found["OWN-A"]["onlyoffice_id"]) == (None, str(own))
    assert document["pairs"] == 3 and document["agree"] == 1


def test_text_and_html_are_for_a_bookkeeper(make, monkeypatch, tmp_path):
    rig, ids = perfex_books(make, 2)
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[0])
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, number).id, TODAY + timedelta(99))

    text = cli(rig, monkeypatch, "audit")
    page = tmp_path / "audit.html"
    html = cli(rig, monkeypatch, "audit", "--format", "html", "--output", str(page))

    assert text.code == 1 and "due date:" in text.out and number in text.out
    assert "→ rewrite ONLYOFFICE's invoice from Perfex" in text.out
    assert "Totals by currency" in text.out
    assert html.code == 1 and str(page) in html.out
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def reword_first_line(rig, number: str, text: str) -> None:  # noqa: ANN001
    """An edit to a line's text alone: the invoice's list row (and its total) do not move, so
    a sync, which reads in full only what its list row says changed, cannot see it."""
    invoice_id = onlyoffice_invoice(rig, number).id
    lines = rig.onlyoffice_admin.lines_of(invoice_id)
    lines[0] = dataclasses.replace(lines[0], description=text)
    rig.onlyoffice_admin.set_lines(invoice_id, lines)


def test_repair_restores_recreates_and_leaves_what_is_not_the_bridges(make, monkeypatch):
    rig, ids = perfex_books(make, 3)
    assert rig.run("backfill").run.status == "ok"
    edited, deleted = perfex_number(rig, ids[0]), perfex_number(rig, ids[1])
    reword_first_line(rig, edited, "Something else entirely")
    rig.onlyoffice.store.remove_invoice(onlyoffice_invoice(rig, deleted).id)
    own = add_onlyoffice_invoice(rig, "OWN-A", price="12.00")
    own_before = rig.onlyoffice.store.invoice(own)
    assert rig.run("sync", deep_pass=False).run.counts["updated"] == 0  # the sync sees nothing
    rig.clear_logs()

    plan = cli(rig, monkeypatch, "audit", "--repair")
    assert plan.code == 1 and rig.writes() == []
    assert "Repair plan" in plan.out and "Nothing was written" in plan.out

    repaired = cli(rig, monkeypatch, "audit", "--repair", "--yes")

    assert repaired.code == 1, repaired.text  # OWN-A is left to a person
    [line] = onlyoffice_invoice(rig, edited).lines
    assert line.description == rig.perfex.store.lines_of(ids[0])[0].description
    assert onlyoffice_invoice(rig, deleted) is not None
    assert rig.onlyoffice.store.invoice(own) == own_before
    assert deletes(rig) == [] and not any("/api/invoices" in w for w in rig.writes())
    assert "Checked again: 2 of the 2 repaired invoices agree now." in repaired.out
    document = audit(rig, monkeypatch, code=1)
    assert [d["number"] for d in document["differences"]] == ["OWN-A"]
    with_runs = cli(rig, monkeypatch, "report", "latest", "--format", "json")
    assert '"command": "repair"' in with_runs.out


def test_reverse_direction_repairs_perfex_from_onlyoffice(make, monkeypatch):
    rig, ids = onlyoffice_books(make, 2)
    assert rig.run("backfill").run.status == "ok"
    number = rig.onlyoffice.store.invoice(ids[0]).number
    perfex_id = next(i for i in rig.perfex.store.invoices if perfex_number(rig, i) == number)
    rig.perfex_admin.set_due_date(perfex_id, TODAY + timedelta(77))

    [difference] = audit(rig, monkeypatch, code=1)["differences"]
    assert difference["number"] == number
    wanted = onlyoffice_due(rig, number).isoformat()
    assert difference["fields"] == {"duedate": [(TODAY + timedelta(77)).isoformat(), wanted]}

    repaired = cli(rig, monkeypatch, "audit", "--repair", "--yes")

    assert repaired.code == 0, repaired.text
    assert rig.perfex.store.invoices[perfex_id].duedate.isoformat() == wanted
    audit(rig, monkeypatch, code=0)


def test_both_ways_without_a_winner_a_difference_edited_on_both_sides_waits_for_a_person(
    make, monkeypatch
):
    rig, ids = perfex_books(make, 2, direction="both")
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[0])
    rig.perfex_admin.set_due_date(ids[0], TODAY + timedelta(60))
    rig.onlyoffice_admin.set_due_date(onlyoffice_invoice(rig, number).id, TODAY + timedelta(50))
    rig.clear_logs()

    result = cli(rig, monkeypatch, "audit", "--repair", "--yes")

    assert result.code == 1 and rig.writes() == []
    assert f"crm-bridge resolve {number} --keep perfex" in result.out
    assert "no difference is the bridge's to repair on its own" in result.out


def test_both_ways_an_edit_on_one_side_is_carried_by_the_repair(make, monkeypatch):
    rig, ids = perfex_books(make, 2, direction="both")
    assert rig.run("backfill").run.status == "ok"
    number = perfex_number(rig, ids[1])
    reword_first_line(rig, number, "Consulting, as agreed on the phone")
    assert rig.run("sync", deep_pass=False).run.counts["updated"] == 0  # the sync sees nothing

    result = cli(rig, monkeypatch, "audit", "--repair", "--yes")

    assert result.code == 0, result.text
    assert "carry ONLYOFFICE's edit" in result.out
    [line] = rig.perfex.store.lines_of(ids[1])
    assert line.description == "Consulting, as agreed on the phone"
    audit(rig, monkeypatch, code=0)


def test_yes_without_repair_is_a_usage_error(make, monkeypatch):
    rig, _ = perfex_books(make, 1)
    result = cli(rig, monkeypatch, "audit", "--yes")
    assert result.code == 2 and "--repair" in result.err
