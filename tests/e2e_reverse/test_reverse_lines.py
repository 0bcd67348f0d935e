"""Line edits in ONLYOFFICE reach Perfex as exactly the new lines: none twice, none stale.

Perfex updates lines through `items`/`newitems`/`removed_items`, and its PUT may be applied
twice when an answer is lost and the request repeated; the bridge's replace-all and read-back
must leave exactly what ONLYOFFICE shows either way.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from reverse_world import differences, exact, onlyoffice_lines, perfex_lines, perfex_number
from rigs import TODAY

from bridge.sandbox.seed import generate

D = Decimal


def backfilled(make_rig):  # noqa: ANN001, ANN201
    rig = make_rig(onlyoffice=exact(generate(seed=4, invoices=10, today=TODAY, mix="simple")))
    assert rig.run("backfill").run.status == "ok"
    return rig


def perfex_id(rig, number: str) -> int:  # noqa: ANN001
    return next(i.id for i in rig.perfex.store.invoices.values() if perfex_number(i) == number)


def edit_three(rig) -> list:  # noqa: ANN001
    """A quantity changed, a line added, a line removed; returns the edited invoices."""
    admin = rig.onlyoffice_admin
    invoices = sorted(rig.onlyoffice.store.invoices.values(), key=lambda i: i.id)
    several = [i for i in invoices if len(i.lines) > 1]
    quantity, removed = several[0], several[1]
    added = next(i for i in invoices if i not in (quantity, removed))
    admin.set_quantity(quantity.id, 0, quantity.lines[0].quantity + 2)
    extra = admin.lines_of(added.id)[0]
    admin.add_line(added.id, dataclasses.replace(extra, description="Extra hour", quantity=D(1)))
    admin.remove_line(removed.id, 0)
    return [rig.onlyoffice.store.invoice(i.id) for i in (quantity, added, removed)]


def test_changed_lines_become_exactly_the_perfex_lines(make_rig) -> None:
    rig = backfilled(make_rig)
    stale = {line.id for line in rig.perfex.store.lines.values()}
    edited = edit_three(rig)

    record = rig.run("sync")

    updated = sorted(o.number for o in record.outcomes if o.action == "updated")
    assert updated == sorted(invoice.number for invoice in edited)
    for invoice in edited:
        lines = rig.perfex.store.lines_of(perfex_id(rig, invoice.number))
        assert perfex_lines(rig, perfex_id(rig, invoice.number)) == onlyoffice_lines(rig, invoice)
        assert not {line.id for line in lines} & stale
    assert differences(rig) == []


def test_a_put_applied_twice_still_leaves_each_line_once(make_rig) -> None:
    rig = backfilled(make_rig)
    edited = edit_three(rig)
    # The first update is applied, then its answer is lost: repeating a replace-all blindly would
    # append the lines again.
    rig.sandbox.perfex.faults.script(
        "applied_error", lambda request: request.method == "PUT", times=1
    )
    rig.clear_logs()

    rig.run("sync")

    puts = [e for e in rig.sandbox.perfex.request_log.entries() if e.method == "PUT"]
    assert puts[0].fault == "applied_error"
    # Applied and not repeated: a read-back showed the invoice already as meant.
    assert [e.path for e in puts].count(puts[0].path) == 1
    for invoice in edited:
        assert perfex_lines(rig, perfex_id(rig, invoice.number)) == onlyoffice_lines(rig, invoice)
    rig.clear_logs()
    rig.run("sync", deep_pass=True)
    assert rig.writes() == []


def test_an_edit_that_keeps_the_total_is_found_by_the_deep_pass(make_rig) -> None:
    rig = backfilled(make_rig)
    invoice = next(i for i in rig.onlyoffice.store.invoices.values() if i.status in (1, 2))
    admin = rig.onlyoffice_admin
    lines = admin.lines_of(invoice.id)
    lines[0] = dataclasses.replace(lines[0], description="Renamed line")
    admin.set_lines(invoice.id, lines)

    # The list row carries only the total (`cost`): an ordinary poll cannot see this edit.
    assert rig.run("sync").run.counts["updated"] == 0
    record = rig.run("sync", deep_pass=True)

    assert [o.number for o in record.outcomes if o.action == "updated"] == [invoice.number]
    descriptions = [
        line.description for line in rig.perfex.store.lines_of(perfex_id(rig, invoice.number))
    ]
    assert descriptions[0] == "Renamed line"
