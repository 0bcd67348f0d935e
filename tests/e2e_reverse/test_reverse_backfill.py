"""ONLYOFFICE → Perfex backfill into an empty Perfex: every invoice once, exactly, or a reason.

The sandbox plays a portal seeded with a small company's books, plus two invoices a person
typed that Perfex cannot hold to the cent. The bridge runs in-process against both
simulators, with the real adapters and retry policy.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from reverse_world import differences, duplicates, exact
from rigs import TODAY

from bridge.sandbox.onlyoffice_admin import AdminLine
from bridge.sandbox.perfex.screen import screen_totals
from bridge.sandbox.seed import generate

# The strict money policy: inexact invoices fail instead of being written with a warning.
STRICT = '[mapping]\nmoney_mismatch = "fail"'

D = Decimal


def add_inexact_invoices(rig) -> dict[str, str]:  # noqa: ANN001
    """Two invoices Perfex cannot say exactly: number -> the field its report must name."""
    admin = rig.onlyoffice_admin
    contact = min(rig.onlyoffice.store.contacts)
    vat = min(tax.id for tax in rig.onlyoffice.store.taxes.values() if tax.rate == D(20))
    item = admin.item_id("Travel expenses")
    issued = TODAY - timedelta(days=3)
    due = issued + timedelta(days=14)
    # 20 % of 0.42 is 0.084: ONLYOFFICE rounds per line (0.08 + 0.08), Perfex per tax (0.17).
    cents = [
        AdminLine(item, D(1), D("0.42"), "Toll", vat),
        AdminLine(item, D(1), D("0.42"), "Toll", vat),
    ]
    admin.create_invoice("INV-009001", contact, cents, issued, due)
    return {"INV-009001": "total"}


def test_different_line_discounts_are_carried_as_one_fixed_discount(make_rig) -> None:
    """Perfex has one discount per invoice, ONLYOFFICE one per line: different percentages
    become the fixed amount that lands Perfex's total on ONLYOFFICE's, even in strict mode."""
    rig = make_rig(onlyoffice=generate(seed=3, invoices=3, today=TODAY, mix="simple"), sync=STRICT)
    admin = rig.onlyoffice_admin
    contact = min(rig.onlyoffice.store.contacts)
    item = admin.item_id("Travel expenses")
    issued = TODAY - timedelta(days=3)
    mixed = [AdminLine(item, D(1), D(10), "A", discount=D(5)), AdminLine(item, D(1), D(10), "B")]
    admin.create_invoice("INV-009002", contact, mixed, issued, issued + timedelta(days=14))

    record = rig.run("backfill")

    [outcome] = [o for o in record.outcomes if o.number == "INV-009002"]
    assert outcome.action == "created" and outcome.warnings == ()
    [stored] = [i for i in rig.perfex.store.invoices.values() if i.number == 9002]
    assert stored.total == D("19.50")
    assert (stored.row["discount_type"], stored.row["discount_total"]) == ("before_tax", D("0.50"))


def test_backfill_mirrors_every_invoice_once_or_says_why(make_rig) -> None:
    rig = make_rig(onlyoffice=generate(seed=3, invoices=30, today=TODAY, mix="simple"), sync=STRICT)
    inexact = add_inexact_invoices(rig)

    record = rig.run("backfill")

    failed = {o.number: o.error for o in record.outcomes if o.action == "failed"}
    assert failed.keys() == inexact.keys()
    for number, field in inexact.items():
        assert field in failed[number]
    assert record.run.status == "partial"
    created = Counter(
        o.number for o in record.outcomes if o.kind == "invoice" and o.action == "created"
    )
    assert len(created) == 30 and set(created.values()) == {1}
    assert duplicates(rig) == []
    # Customer, dates, currency, lines with their taxes, texts, total and status, per number.
    assert differences(rig) == [
        f"{number}: 0 in Perfex, 1 in ONLYOFFICE" for number in sorted(inexact)
    ]


def test_perfex_totals_follow_its_own_formula_and_line_taxes_are_exact(make_rig) -> None:
    rig = make_rig(onlyoffice=generate(seed=5, invoices=16, today=TODAY, mix="simple"))
    rig.run("backfill")
    store = rig.perfex.store
    names = {f"{tax.name}|{tax.rate:.2f}" for tax in rig.onlyoffice.store.taxes.values()}
    for invoice in store.invoices.values():
        # Perfex never recomputes the subtotal and total a writer posts: they must be what its
        # own invoice screen would have posted for these lines (the simulator replays it).
        typed = [(line.qty, line.rate, line.taxes) for line in store.lines_of(invoice.id)]
        screen = screen_totals(typed)
        assert (invoice.subtotal, invoice.total) == (screen.subtotal, screen.total)
        # Perfex compares line taxes by these exact strings (perfex-api.md 4.3).
        assert {tax.key for line in store.lines_of(invoice.id) for tax in line.taxes} <= names
    assert any(line.taxes for i in store.invoices for line in store.lines_of(i))


def test_statuses_carry_over_without_faking_a_payment(make_rig) -> None:
    rig = make_rig(onlyoffice=generate(seed=3, invoices=30, today=TODAY, mix="simple"))
    record = rig.run("backfill")
    perfex = {f"INV-{i.number:06d}": i for i in rig.perfex.store.invoices.values()}
    onlyoffice = {i.number: i for i in rig.onlyoffice.store.invoices.values()}
    warnings = {o.number: "; ".join(o.warnings) for o in record.outcomes if o.kind == "invoice"}
    by_status = Counter()
    for number, invoice in onlyoffice.items():
        mirrored = perfex[number]
        by_status[invoice.status] += 1
        if invoice.status == 1:  # Draft: a Perfex draft that keeps its real number
            assert mirrored.status == 6 and f"INV-{mirrored.number:06d}" == number
        if invoice.status == 3:  # Rejected
            assert mirrored.status == 5
        if invoice.status == 4:  # Paid: Perfex only learns that from a recorded payment
            # unpaid, or overdue once its due date has passed (Perfex derives both itself)
            assert mirrored.status == (4 if mirrored.duedate < TODAY else 1)
            assert rig.perfex.store.payments_of(mirrored.id) == []
            assert "record the payment in Perfex" in (warnings[number] or "")
    assert {1, 3, 4} <= by_status.keys()


def test_second_sync_recognises_its_own_writes(make_rig) -> None:
    rig = make_rig(onlyoffice=exact(generate(seed=8, invoices=12, today=TODAY, mix="simple")))
    rig.run("backfill")
    rig.clear_logs()

    record = rig.run("sync", deep_pass=True)

    assert rig.writes() == []
    assert record.run.counts["unchanged"] == 12 and record.run.status == "ok"


def test_dry_run_says_what_it_would_create_and_writes_nothing(make_rig) -> None:
    rig = make_rig(onlyoffice=generate(seed=8, invoices=6, today=TODAY, mix="simple"))
    rig.run("sync")  # a ledger to read; then new invoices appear in ONLYOFFICE
    admin = rig.onlyoffice_admin
    line = AdminLine(admin.item_id("Consulting"), D(2), D(95), "Consulting")
    admin.create_invoice("INV-000777", min(rig.onlyoffice.store.contacts), [line], TODAY, TODAY)
    rig.clear_logs()

    record = rig.run("sync", dry_run=True)

    assert rig.writes() == []
    assert [o.number for o in record.outcomes if o.action == "created"] == ["INV-000777"]
    assert len(rig.perfex.store.invoices) == 6
