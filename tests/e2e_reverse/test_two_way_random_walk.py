"""Both directions at once, under a seeded random walk of hand edits and injected faults.

People create and edit invoices in both systems between syncs while a tenth of all requests
fail the way real servers fail, some of them after the write was applied. Once the faults
stop, a few clean syncs must leave both systems saying the same thing, with nothing twice, and
a sync after that must have nothing left to write.
"""

from __future__ import annotations

import pytest
from reverse_world import (
    Walk,
    differences,
    duplicates,
    exact,
    only,
    pair_differences,
    perfex_number,
)
from rigs import TODAY

from bridge.sandbox.perfex_admin import DRAFT_NUMBER as PLACEHOLDER
from bridge.sandbox.seed import generate
from bridge.sandbox.server import AFTER_APPLY_KINDS

STEPS = 50


@pytest.mark.parametrize(
    ("seed", "policy"),
    [
        pytest.param(21, "perfex_wins", id="perfex-wins"),
        pytest.param(34, "onlyoffice_wins", id="onlyoffice-wins"),
    ],
)
def test_random_walk_ends_with_both_systems_equal(make_rig, seed: int, policy: str) -> None:
    data = exact(generate(seed=seed, invoices=12, today=TODAY, mix="simple"))
    rig = make_rig(
        perfex=only(data, data.invoices[:6]),
        onlyoffice=only(data, data.invoices[6:]),
        direction="both",
        sync=f'conflict_policy = "{policy}"\nperfex_drafts = "sync"',
        fault_seed=seed,
    )
    backfill = rig.run("backfill")
    assert backfill.run.status == "ok", [o for o in backfill.outcomes if o.error]
    assert differences(rig) == []
    # Perfex proposes the next number of its own sequence; the invoices that came over from
    # ONLYOFFICE took some, so the person running Perfex moves the sequence past them.
    numbers = [i.number for i in rig.perfex.store.invoices.values() if i.number != PLACEHOLDER]
    rig.perfex.store.next_invoice_number = max(numbers) + 1

    rig.clear_logs()
    rig.sandbox.set_fault_rate(0.1)
    script_lost_writes(rig)
    walk = Walk(rig, data, seed, TODAY)
    done: list[str] = []
    while len(done) < STEPS:
        what = walk.step()
        if what is not None:
            done.append(what)
    faults = {
        entry.fault
        for log in (rig.sandbox.perfex.request_log, rig.sandbox.onlyoffice.request_log)
        for entry in log.entries()
    }
    assert faults & AFTER_APPLY_KINDS, "the walk should have met writes applied without answer"

    rig.sandbox.set_fault_rate(0.0)
    for _ in range(3):
        rig.clear_logs()
        final = rig.run("sync", deep_pass=True)
        if not rig.writes():
            break
    assert rig.writes() == [], "\n".join(done)
    assert final.run.status == "ok", [
        o for o in final.outcomes if o.action in ("failed", "conflict")
    ]
    assert duplicates(rig) == []
    assert differences(rig) == [], "\n".join(done)


def script_lost_writes(rig) -> None:  # noqa: ANN001
    """On top of the random faults, which rarely hit the few writes: the first create and the
    first update on each side are applied and then lose their answer."""

    def writes_to(method: str, path: str):  # noqa: ANN202
        return lambda request: request.method == method and path in request.path

    for faults, invoices in (
        (rig.sandbox.perfex.faults, "/api/invoices"),
        (rig.sandbox.onlyoffice.faults, "/crm/invoice"),
    ):
        faults.script("lost_answer", writes_to("POST", invoices))
        faults.script("applied_error", writes_to("PUT", invoices + "/"))


def _snapshot(rig) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """What each side says of each invoice number now, as text to compare later."""
    perfex = {
        perfex_number(invoice): repr((invoice.row, rig.perfex.store.lines_of(invoice.id)))
        for invoice in rig.perfex.store.invoices.values()
        if invoice.number != PLACEHOLDER
    }
    onlyoffice = {
        invoice.number: repr(invoice) for invoice in rig.onlyoffice.store.invoices.values()
    }
    return {"perfex": perfex, "onlyoffice": onlyoffice}


def _edited(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> set[str]:
    """The numbers edited on both sides between two snapshots."""
    changed = {
        side: {n for n, text in after[side].items() if before[side].get(n, text) != text}
        for side in after
    }
    return changed["perfex"] & changed["onlyoffice"]


def _disagreeing(rig, numbers: set[str]) -> set[str]:  # noqa: ANN001
    """Those of `numbers` whose two sides do not say the same under the mapping now."""
    perfex = {
        perfex_number(i): i for i in rig.perfex.store.invoices.values() if i.number != PLACEHOLDER
    }
    onlyoffice = {i.number: i for i in rig.onlyoffice.store.invoices.values()}
    return {
        number
        for number in numbers
        if number in perfex
        and number in onlyoffice
        and pair_differences(rig, perfex[number], onlyoffice[number])
    }


@pytest.mark.parametrize("seed", [pytest.param(55, id="seed-55"), pytest.param(89, id="seed-89")])
def test_random_walk_under_the_report_policy_conflicts_only_where_both_sides_moved(
    make_rig, seed: int
) -> None:
    """Under the default policy a pair edited on both sides between two syncs, differently, is
    a conflict left as it is until the two sides agree again; a pair edited on one side only is
    carried over, never a conflict."""
    data = exact(generate(seed=seed, invoices=12, today=TODAY, mix="simple"))
    rig = make_rig(
        perfex=only(data, data.invoices[:6]),
        onlyoffice=only(data, data.invoices[6:]),
        direction="both",
        sync='perfex_drafts = "sync"',
    )
    assert rig.run("backfill").run.status == "ok"
    numbers = [i.number for i in rig.perfex.store.invoices.values() if i.number != PLACEHOLDER]
    rig.perfex.store.next_invoice_number = max(numbers) + 1

    walk = Walk(rig, data, seed, TODAY)
    walk.actions = [(action, weight) for action, weight in walk.actions if action != walk.sync]
    conflicted: set[str] = set()
    since_sync = _snapshot(rig)
    done: list[str] = []
    while len(done) < STEPS:
        if walk.rng.random() < 0.25:
            conflicted = _disagreeing(rig, conflicted | _edited(since_sync, _snapshot(rig)))
            record = rig.run("sync")
            reported = {o.number for o in record.outcomes if o.action == "conflict"}
            assert reported == conflicted, "\n".join(done)
            since_sync = _snapshot(rig)
            done.append("sync")
        elif (what := walk.step()) is not None:
            done.append(what)

    conflicted = _disagreeing(rig, conflicted | _edited(since_sync, _snapshot(rig)))
    for _ in range(2):
        rig.clear_logs()
        final = rig.run("sync")
    assert {o.number for o in final.outcomes if o.action == "conflict"} == conflicted
    assert rig.writes() == [] and duplicates(rig) == []
    assert {text.split(":")[0] for text in differences(rig)} <= conflicted, "\n".join(done)
