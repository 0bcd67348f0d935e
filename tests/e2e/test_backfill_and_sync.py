"""Perfex → ONLYOFFICE end to end: what a backfill mirrors, and what an incremental sync writes."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from bridge.onlyoffice import OnlyofficeClient
from bridge.wiring import build_clients

# The strict money policy: inexact invoices fail instead of being written with a warning.
STRICT = '[mapping]\nmoney_mismatch = "fail"'

PERFEX_DRAFT = 6


def _perfex_number(invoice) -> str:
    return f"INV-{invoice.number:06d}"


def _costs(rig) -> dict[str, Decimal]:
    """ONLYOFFICE's own `cost` of every invoice, read through its API."""
    client: OnlyofficeClient = build_clients(rig.config()).onlyoffice
    return {row["number"]: Decimal(str(row["cost"])) for row in client.list_invoices()}


def test_backfill_mirrors_every_invoice_exactly_once(make_rig):
    rig = make_rig(invoices=50, seed=11, sync=STRICT)
    record = rig.run("backfill")

    outcomes = {o.source_id: o for o in record.outcomes if o.kind == "invoice"}
    mirrored = rig.onlyoffice_by_number()
    costs = _costs(rig)
    store = rig.perfex.store
    assert (
        Counter(inv.number for inv in rig.onlyoffice.store.invoices.values()).most_common(1)[0][1]
        == 1
    )
    for invoice_id, invoice in rig.perfex_invoices().items():
        outcome = outcomes[str(invoice_id)]  # every invoice is accounted for
        if outcome.action != "created":
            # Drafts wait for their number; anything else the strict policy refused.
            expected = "skipped" if invoice.status == PERFEX_DRAFT else "failed"
            assert outcome.action == expected and outcome.error, outcome
            assert _perfex_number(invoice) not in mirrored
            continue
        assert invoice.status != PERFEX_DRAFT
        copy = mirrored[_perfex_number(invoice)]
        customer = store.customers[invoice.clientid]
        assert rig.onlyoffice.store.contact(copy.contact_id).company_name == customer.company
        lines = store.lines_of(invoice_id)
        assert [(line.qty, line.rate) for line in lines] == [
            (line.quantity, line.price) for line in copy.lines
        ]
        assert all(
            mirror.description.startswith(line.description)
            for line, mirror in zip(lines, copy.lines, strict=True)
        )
        assert copy.issue_date.date() == invoice.date
        expected_due = invoice.duedate or invoice.date + timedelta(days=30)
        assert copy.due_date.date() == expected_due
        currency = store.currencies[invoice.currency].name
        assert copy.currency == currency
        assert costs[copy.number] == invoice.total  # to the cent

    drafts = [i for i in rig.perfex_invoices().values() if i.status == PERFEX_DRAFT]
    created = [o for o in outcomes.values() if o.action == "created"]
    assert len(created) == len(rig.perfex_invoices()) - len(drafts) - sum(
        1 for o in outcomes.values() if o.action == "failed"
    )
    assert rig.duplicates() == {}


def test_unmappable_invoices_are_reported_with_their_reason(make_rig):
    rig = make_rig(invoices=12, seed=5, sync=STRICT)
    sent = [i for i in rig.perfex_invoices().values() if i.status != PERFEX_DRAFT]
    adjusted, mistyped = sent[0], sent[1]
    rig.perfex.store.edit_invoice(
        adjusted.id, adjustment=Decimal("5.00"), total=adjusted.total + Decimal("5.00")
    )
    wrong_total = mistyped.total + Decimal("0.01")
    rig.perfex.store.edit_invoice(mistyped.id, total=wrong_total)

    record = rig.run("backfill")

    failed = {o.source_id: o for o in record.outcomes if o.action == "failed"}
    assert "adjustment" in failed[str(adjusted.id)].error
    # A total the lines do not add up to: no tax assignment explains it, and the report says so.
    assert f"Perfex shows {wrong_total}" in failed[str(mistyped.id)].error
    # Any other failure is a cent lost to per-line rounding, and says so.
    for source_id in set(failed) - {str(adjusted.id), str(mistyped.id)}:
        assert "per line" in failed[source_id].error
    assert record.run.status == "partial"
    mirrored = rig.onlyoffice_by_number()
    for invoice in sent:
        assert (_perfex_number(invoice) in mirrored) != (str(invoice.id) in failed)


def test_sync_writes_exactly_the_edited_invoices_and_then_nothing(make_rig):
    rig = make_rig(invoices=40, seed=21)
    backfill = rig.run("backfill")
    unmappable = {o.source_id for o in backfill.outcomes if o.action == "failed"}
    linked = sorted(
        i.id
        for i in rig.perfex_invoices().values()
        if _perfex_number(i) in rig.onlyoffice_by_number()
    )
    added, removed, quantity, due, customer = linked[:5]
    rig.perfex_admin.add_line(removed, "Setup fee", Decimal(1), Decimal("50.00"))
    rig.run("sync")  # the extra line of `removed` is now mirrored; the edits start here
    rig.perfex_admin.add_line(added, "Express delivery", Decimal(1), Decimal("15.00"))
    rig.perfex_admin.remove_line(removed, len(rig.perfex.store.lines_of(removed)) - 1)
    rig.perfex_admin.set_quantity(quantity, 0, Decimal("7.5"))
    rig.perfex_admin.set_due_date(due, rig.perfex.store.invoices[due].date + timedelta(days=60))
    other = next(
        c for c in rig.perfex.store.customers if c != rig.perfex.store.invoices[customer].clientid
    )
    rig.perfex_admin.set_customer(customer, other)
    rig.clear_logs()

    record = rig.run("sync")

    updated = {
        o.source_id for o in record.outcomes if o.kind == "invoice" and o.action == "updated"
    }
    assert updated == {str(i) for i in (added, removed, quantity, due, customer)}
    # Invoices the backfill could not map are reported again, and only they.
    assert {o.source_id for o in record.outcomes if o.action == "failed"} == unmappable
    numbers = {_perfex_number(rig.perfex.store.invoices[i]) for i in (added, removed, quantity)}
    for number in numbers:
        mirror = rig.onlyoffice_by_number()[number]
        perfex_id = next(
            i for i in linked if _perfex_number(rig.perfex.store.invoices[i]) == number
        )
        assert len(mirror.lines) == len(rig.perfex.store.lines_of(perfex_id))
    written_ids = {
        path.rsplit("/", 1)[1]
        for path in rig.writes()
        if path.startswith("PUT /api/2.0/crm/invoice/") and "status" not in path
    }
    links = {o.source_id: o.target_id for o in record.outcomes if o.action == "updated"}
    assert written_ids <= set(links.values())
    assert not [w for w in rig.writes() if w.startswith("PUT /api/invoices") or "DELETE" in w]

    rig.clear_logs()
    again = rig.run("sync")
    assert rig.writes() == []
    assert again.run.counts["updated"] == again.run.counts["created"] == 0
    assert again.run.counts["failed"] == len(unmappable)


def test_an_overdue_flag_set_by_perfex_cron_writes_nothing(rig):
    rig.run("backfill")
    rig.perfex.store.run_cron(rig.perfex.store.today + timedelta(days=400))
    rig.clear_logs()
    record = rig.run("sync")
    assert rig.writes() == []
    assert record.run.status == "ok"


def test_a_draft_is_skipped_until_perfex_gives_it_a_number(make_rig):
    rig = make_rig(invoices=40, seed=2)
    record = rig.run("backfill")
    drafts = [i for i in rig.perfex_invoices().values() if i.status == PERFEX_DRAFT]
    assert drafts, "the seed should contain drafts"
    skipped = {o.source_id: o.error for o in record.outcomes if o.action == "skipped"}
    for draft in drafts:
        assert "draft" in skipped[str(draft.id)].lower()
