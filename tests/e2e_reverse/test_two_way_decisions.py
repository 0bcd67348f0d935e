"""Both directions at once: conflicts by policy, agreement is not a conflict, same-numbered
invoices are adopted, deletions are reported and never repeated on the other side."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from reverse_world import differences, exact, only, perfex_lines, perfex_number
from rigs import TODAY

from bridge.sandbox.seed import SeedData, generate


def synced_pair(make_rig, policy: str = "report"):  # noqa: ANN001, ANN201
    """Four invoices from Perfex and four from ONLYOFFICE, synced both ways."""
    data = exact(generate(seed=12, invoices=8, today=TODAY, mix="simple"))
    rig = make_rig(
        perfex=only(data, data.invoices[:4]),
        onlyoffice=only(data, data.invoices[4:]),
        direction="both",
        sync=f'conflict_policy = "{policy}"\nperfex_drafts = "sync"',
    )
    assert rig.run("backfill").run.status == "ok"
    assert differences(rig) == []
    return rig


def perfex_invoice(rig, number: str):  # noqa: ANN001, ANN201
    return next(i for i in rig.perfex.store.invoices.values() if perfex_number(i) == number)


def edit_both(rig, number: str) -> None:  # noqa: ANN001
    """Different edits to one invoice on each side between two syncs."""
    perfex = perfex_invoice(rig, number)
    rig.perfex_admin.set_due_date(perfex.id, perfex.date + timedelta(days=75))
    onlyoffice = rig.onlyoffice.store.invoice_by_number(number)
    rig.onlyoffice_admin.set_quantity(onlyoffice.id, 0, onlyoffice.lines[0].quantity + 4)


def test_report_policy_touches_neither_side_and_says_so(make_rig) -> None:
    rig = synced_pair(make_rig)
    edit_both(rig, "INV-000002")
    perfex_before = dict(perfex_invoice(rig, "INV-000002").row)
    onlyoffice_before = rig.onlyoffice.store.invoice_by_number("INV-000002")
    rig.clear_logs()

    for _ in range(2):  # reported again on every sync until a person decides
        record = rig.run("sync")
        [conflict] = [o for o in record.outcomes if o.action == "conflict"]
        assert conflict.number == "INV-000002"
        assert "changed on both sides" in (conflict.error or "")
        assert record.run.status == "partial"

    assert rig.writes() == []
    assert dict(perfex_invoice(rig, "INV-000002").row) == perfex_before
    assert rig.onlyoffice.store.invoice_by_number("INV-000002") == onlyoffice_before


@pytest.mark.parametrize("policy", ["onlyoffice_wins", "perfex_wins"])
def test_a_winning_side_overwrites_the_other(make_rig, policy: str) -> None:
    rig = synced_pair(make_rig, policy)
    edit_both(rig, "INV-000006")
    perfex = perfex_invoice(rig, "INV-000006")
    onlyoffice = rig.onlyoffice.store.invoice_by_number("INV-000006")
    winner_due = perfex.duedate if policy == "perfex_wins" else onlyoffice.due_date.date()
    winner_quantity = (
        rig.perfex.store.lines_of(perfex.id)[0].qty
        if policy == "perfex_wins"
        else onlyoffice.lines[0].quantity
    )

    record = rig.run("sync")

    assert record.run.status == "ok"
    assert [o.number for o in record.outcomes if o.action == "updated"] == ["INV-000006"]
    assert differences(rig) == []
    assert perfex_invoice(rig, "INV-000006").duedate == winner_due
    assert perfex_lines(rig, perfex.id)[0][1] == winner_quantity
    rig.clear_logs()
    rig.run("sync")
    assert rig.writes() == []


def test_the_same_edit_on_both_sides_is_not_a_conflict(make_rig) -> None:
    rig = synced_pair(make_rig)
    perfex = perfex_invoice(rig, "INV-000003")
    due = perfex.date + timedelta(days=60)
    rig.perfex_admin.set_due_date(perfex.id, due)
    rig.onlyoffice_admin.set_due_date(rig.onlyoffice.store.invoice_by_number("INV-000003").id, due)
    rig.clear_logs()

    record = rig.run("sync")

    assert record.run.status == "ok" and record.run.counts["conflicts"] == 0
    assert rig.writes() == []
    rig.clear_logs()
    assert rig.run("sync").run.counts["unchanged"] == 8 and rig.writes() == []


def plain(data: SeedData) -> SeedData:
    """Invoices both simulators seed identically: real due dates, no drafts, one-line texts
    (ONLYOFFICE's seed leaves long descriptions out)."""
    invoices = tuple(
        dataclasses.replace(
            invoice,
            duedate=invoice.duedate or invoice.date + timedelta(days=30),
            state="unpaid" if invoice.state == "draft" else invoice.state,
            lines=tuple(dataclasses.replace(line, long_description="") for line in invoice.lines),
        )
        for invoice in data.invoices
    )
    return dataclasses.replace(data, invoices=invoices)


@pytest.mark.parametrize(
    ("policy", "action"),
    [
        pytest.param("report", "conflict", id="report"),
        pytest.param("onlyoffice_wins", "updated", id="wins"),
    ],
)
def test_same_numbers_on_both_sides_are_adopted_not_duplicated(
    make_rig, policy: str, action: str
) -> None:
    data = plain(exact(generate(seed=14, invoices=5, today=TODAY, mix="simple")))
    rig = make_rig(
        perfex=data, onlyoffice=data, direction="both", sync=f'conflict_policy = "{policy}"'
    )
    # One of them was edited in ONLYOFFICE before the bridge ever saw the two (its due date: the
    # same customer, year and total still make it the same invoice).
    edited = rig.onlyoffice.store.invoice_by_number("INV-000004")
    rig.onlyoffice_admin.set_due_date(edited.id, edited.due_date.date() + timedelta(days=9))
    rig.clear_logs()

    record = rig.run("sync")

    invoices = {o.number: o.action for o in record.outcomes if o.kind == "invoice"}
    assert invoices == {f"INV-{n:06d}": "linked" for n in (1, 2, 3, 5)} | {"INV-000004": action}
    assert len(rig.perfex.store.invoices) == 5 and len(rig.onlyoffice.store.invoices) == 5
    expected_writes = (
        []
        if action == "conflict"
        else [f"PUT /api/invoices/{perfex_invoice(rig, 'INV-000004').id}"]
    )
    assert rig.writes() == expected_writes


def test_an_invoice_deleted_on_one_side_is_reported_and_kept_on_the_other(make_rig) -> None:
    rig = synced_pair(make_rig)
    gone = rig.onlyoffice.store.invoice_by_number("INV-000001")
    rig.onlyoffice.store.remove_invoice(gone.id)
    rig.clear_logs()

    record = rig.run("sync")

    [skipped] = [o for o in record.outcomes if o.action == "skipped"]
    assert "deleted in ONLYOFFICE" in (skipped.error or "")
    assert rig.writes() == []
    assert perfex_invoice(rig, "INV-000001") is not None


def test_dry_run_writes_nothing_in_either_system(make_rig) -> None:
    rig = synced_pair(make_rig, "perfex_wins")
    edit_both(rig, "INV-000007")
    rig.onlyoffice_admin.set_due_date(
        rig.onlyoffice.store.invoice_by_number("INV-000005").id, TODAY
    )
    rig.clear_logs()

    record = rig.run("sync", dry_run=True)

    assert rig.writes() == []
    assert sorted(o.number for o in record.outcomes if o.action == "updated") == [
        "INV-000005",
        "INV-000007",
    ]


def test_a_payment_recorded_in_onlyoffice_survives_a_later_perfex_edit(make_rig) -> None:
    """Perfex cannot be told an invoice is paid (only recorded payments do that), so an
    ONLYOFFICE Paid invoice stays unpaid in Perfex. A later Perfex edit must not take the
    payment back in ONLYOFFICE."""
    rig = synced_pair(make_rig)
    number = "INV-000006"  # came from ONLYOFFICE
    invoice = rig.onlyoffice.store.invoice_by_number(number)
    rig.onlyoffice_admin.move_to(invoice.id, 4)  # paid
    assert rig.run("sync").run.status == "ok"
    perfex = perfex_invoice(rig, number)
    rig.perfex_admin.set_due_date(perfex.id, perfex.date + timedelta(days=50))

    record = rig.run("sync")

    after = rig.onlyoffice.store.invoice_by_number(number)
    assert int(after.status) == 4
    assert after.due_date.date() == perfex.date + timedelta(days=50)
    assert record.run.status == "ok", [o for o in record.outcomes if o.error]


def test_the_same_edit_on_both_sides_of_an_invoice_paid_in_onlyoffice_is_not_a_conflict(
    make_rig,
) -> None:
    """A Perfex invoice without a due date (ONLYOFFICE gets the 30-day term) that was paid in
    ONLYOFFICE stays open in Perfex (only a recorded payment pays it there): the pair is in
    step that way. The same edit made on both sides afterwards is agreement, not a conflict."""
    rig = synced_pair(make_rig)
    number = "INV-000002"  # came from Perfex
    invoice = rig.onlyoffice.store.invoice_by_number(number)
    rig.onlyoffice_admin.move_to(invoice.id, 4)  # paid
    assert rig.run("sync").run.status == "ok"
    perfex = perfex_invoice(rig, number)
    rig.perfex_admin.set_due_date(perfex.id, None)
    assert rig.run("sync").run.status == "ok"
    quantity = rig.perfex.store.lines_of(perfex.id)[0].qty + 2
    rig.perfex_admin.set_quantity(perfex.id, 0, quantity)
    rig.onlyoffice_admin.set_quantity(invoice.id, 0, quantity)
    rig.clear_logs()

    record = rig.run("sync")

    assert record.run.counts["conflicts"] == 0, [o.error for o in record.outcomes]
    assert record.run.status == "ok" and rig.writes() == []
    assert int(rig.onlyoffice.store.invoice_by_number(number).status) == 4
