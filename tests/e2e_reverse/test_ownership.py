"""What the bridge does not own stays as a person left it: target-only fields survive updates,
somebody else's invoice is never taken over, a refused invoice leaves nothing behind, and a
status the bridge failed to restore is reported and put right by the next run."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rigs import TODAY

from bridge.sandbox.onlyoffice_admin import AdminLine as OnlyofficeLine
from bridge.sandbox.perfex_admin import AdminLine as PerfexLine
from bridge.sandbox.seed import generate
from state import Ledger

SENT, PAID = 2, 4


def links(rig) -> dict[str, tuple[str, str]]:
    """Invoice number -> (Perfex id, ONLYOFFICE id), as the ledger links them."""
    with Ledger.open_readonly(rig.ledger_path) as ledger:
        return {
            link.natural_key: (link.perfex_id, link.onlyoffice_id)
            for link in ledger.links("invoice")
        }


def onlyoffice_owned(invoice) -> dict[str, object]:
    return {
        "purchase_order_number": invoice.purchase_order_number,
        "exchange_rate": invoice.exchange_rate,
        "language": invoice.language,
        "template_type": invoice.template_type,
        "consignee_id": invoice.consignee_id,
        "delivery_address_id": invoice.delivery_address_id,
        "entity_id": invoice.entity_id,
    }


def test_fields_a_person_set_on_the_onlyoffice_copy_survive_an_update(make_rig) -> None:
    rig = make_rig(
        perfex=generate(seed=21, invoices=30, today=TODAY), direction="perfex_to_onlyoffice"
    )
    rig.run("backfill")
    store = rig.onlyoffice.store
    number, (perfex_id, onlyoffice_id) = next(
        (number, ids)
        for number, ids in sorted(links(rig).items())
        if store.invoices[int(ids[1])].status == SENT
    )
    invoice_id = int(onlyoffice_id)
    admin = rig.onlyoffice_admin
    contact = store.invoices[invoice_id].contact_id
    depot = admin.create_company("Depot Nord GmbH")
    dock = admin.add_address(depot, "Hafenstraße 4", "Hamburg", "20457", "DE")
    deal = admin.create_deal("Winter contract", contact)
    admin.set_purchase_order_number(invoice_id, "PO-4471")
    admin.set_exchange_rate(invoice_id, Decimal("1.17"))
    admin.set_language(invoice_id, "de-DE")
    admin.set_template_type(invoice_id, 1)
    admin.set_consignee(invoice_id, depot, dock)
    admin.set_deal(invoice_id, deal)
    kept = onlyoffice_owned(store.invoices[invoice_id])
    assert rig.run("sync").run.counts["updated"] == 0  # fields ONLYOFFICE owns are no news

    due = rig.perfex.store.invoices[int(perfex_id)].row["duedate"] or TODAY
    rig.perfex_admin.set_due_date(int(perfex_id), due + timedelta(days=21))
    record = rig.run("sync")

    assert [o.number for o in record.outcomes if o.action == "updated"] == [number]
    after = store.invoices[invoice_id]
    assert onlyoffice_owned(after) == kept
    assert after.due_date.date() == due + timedelta(days=21)
    assert after.status == SENT  # reopened to edit it, and sent again


def test_fields_a_person_set_on_the_perfex_copy_survive_an_update(make_rig) -> None:
    rig = make_rig(
        onlyoffice=generate(seed=22, invoices=30, today=TODAY), direction="onlyoffice_to_perfex"
    )
    rig.run("backfill")
    number, (perfex_id, onlyoffice_id) = sorted(links(rig).items())[0]
    invoice_id = int(perfex_id)
    admin = rig.perfex_admin
    admin.set_recurring(invoice_id, 1, cycles=12)
    admin.set_shipping(invoice_id, "Dock 4\nGate B", "Hamburg", zip_code="20457")
    admin.set_cancel_overdue_reminders(invoice_id)
    admin.set_sale_agent(invoice_id, 3)
    admin.set_admin_note(invoice_id, "Checked by accounting")
    admin.set_project(invoice_id, 7)
    admin.set_tags(invoice_id, ["winter", "key account"])
    admin.set_custom_field(invoice_id, "Cost centre", "CC-12")
    owned = (
        "recurring", "recurring_type", "custom_recurring", "cycles", "include_shipping",
        "show_shipping_on_invoice", "shipping_street", "shipping_city", "shipping_zip",
        "cancel_overdue_reminders", "sale_agent", "adminnote", "project_id",
    )  # fmt: skip
    stored = rig.perfex.store.invoices[invoice_id]
    kept = {name: stored.row[name] for name in owned}
    tags, custom = list(stored.tags), dict(stored.custom_values)
    assert rig.run("sync").run.counts["updated"] == 0  # fields Perfex owns are no news

    onlyoffice_invoice = rig.onlyoffice.store.invoices[int(onlyoffice_id)]
    rig.onlyoffice_admin.set_due_date(
        onlyoffice_invoice.id, onlyoffice_invoice.due_date.date() + timedelta(days=9)
    )
    record = rig.run("sync")

    assert [o.number for o in record.outcomes if o.action == "updated"] == [number]
    stored = rig.perfex.store.invoices[invoice_id]
    assert {name: stored.row[name] for name in owned} == kept
    assert list(stored.tags) == tags and dict(stored.custom_values) == custom


def test_somebody_elses_invoice_with_the_wanted_number_is_a_conflict_and_left_alone(
    make_rig, monkeypatch
) -> None:
    data = generate(seed=23, invoices=12, today=TODAY)
    rig = make_rig(perfex=data, direction="perfex_to_onlyoffice")
    wanted = next(i for i in data.invoices if i.number == 5)
    admin = rig.onlyoffice_admin
    stranger = admin.create_company("Not The Same Customer Ltd")
    product = admin.create_product("Hand-made line", Decimal("10.00"))
    line = OnlyofficeLine(product, Decimal(3), Decimal("10.00"), "Hand-made line")
    foreign = admin.create_invoice("INV-000005", stranger, [line], wanted.date, wanted.date)
    before = repr(rig.onlyoffice.store.invoices[foreign])

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    assert result.code == 1, result.text
    with Ledger.open_readonly(rig.ledger_path) as ledger:
        record = ledger.run()
    [conflict] = [o for o in record.outcomes if o.action == "conflict"]
    assert conflict.number == "INV-000005"
    assert "Not The Same Customer Ltd" in conflict.error and "INV-000005" in conflict.error
    assert repr(rig.onlyoffice.store.invoices[foreign]) == before  # byte for byte
    assert "INV-000005" not in links(rig)


def test_the_same_invoice_typed_on_both_sides_is_adopted(make_rig) -> None:
    data = generate(seed=23, invoices=12, today=TODAY)
    rig = make_rig(perfex=data, onlyoffice=data, direction="perfex_to_onlyoffice")
    record = rig.run("backfill")
    assert not [o for o in record.outcomes if o.action == "conflict"]
    assert rig.duplicates() == {}
    mirrored = {o.number for o in record.outcomes if o.action in ("linked", "updated")}
    assert "INV-000005" in mirrored


def test_an_invoice_refused_by_a_check_creates_nothing_on_the_target(make_rig) -> None:
    data = generate(seed=24, invoices=8, today=TODAY)
    rig = make_rig(perfex=data, direction="perfex_to_onlyoffice")
    # A new customer's invoice in a currency ONLYOFFICE does not have.
    customer = rig.perfex_admin.create_customer("Forint Kft", "Váci út 1", "Budapest")
    lines = [PerfexLine("Budapest-only service", Decimal(2), Decimal("150.00"))]
    forint = rig.perfex_admin.add_currency("HUF")
    refused = rig.perfex_admin.create_invoice(customer, lines, TODAY, TODAY, currency_id=forint)
    rig.clear_logs()

    record = rig.run("backfill")

    [failed] = [o for o in record.outcomes if o.source_id == str(refused)]
    assert failed.action == "failed" and "HUF" in failed.error
    assert "Forint Kft" not in {c.display_name for c in rig.onlyoffice.store.contacts.values()}
    titles = {item.title for item in rig.onlyoffice.store.items.values()}
    assert "Budapest-only service" not in titles


def test_a_status_that_could_not_be_restored_is_reported_and_put_right_next_run(
    make_rig,
) -> None:
    rig = make_rig(
        perfex=generate(seed=25, invoices=20, today=TODAY), direction="perfex_to_onlyoffice"
    )
    rig.run("backfill")
    store = rig.onlyoffice.store
    number, (perfex_id, onlyoffice_id) = next(
        (number, ids)
        for number, ids in sorted(links(rig).items())
        if store.invoices[int(ids[1])].status == PAID
    )
    due = rig.perfex.store.invoices[int(perfex_id)].row["duedate"] or TODAY
    rig.perfex_admin.set_due_date(int(perfex_id), due + timedelta(days=5))
    # Every move back to Paid fails, retries included.
    rig.sandbox.onlyoffice.faults.script(
        "server_error",
        lambda request: request.method == "PUT" and request.path.endswith("/status/4"),
        times=50,
    )

    record = rig.run("sync")

    [failed] = [o for o in record.outcomes if o.number == number]
    assert failed.action == "failed"
    assert "left as Sent; was Paid" in failed.error
    assert store.invoices[int(onlyoffice_id)].status != PAID

    rig.sandbox.onlyoffice.faults.clear()
    rig.run("sync")
    assert store.invoices[int(onlyoffice_id)].status == PAID
