"""Both directions at once, under a seeded random walk of hand edits and injected faults.

People create and edit invoices in both systems between syncs while a tenth of all requests
fail the way real servers fail, some of them after the write was applied. Once the faults
stop, a few clean syncs must leave both systems saying the same thing, with nothing twice, and
a sync after that must have nothing left to write.
"""

from __future__ import annotations

import pytest
from reverse_world import Walk, differences, duplicates, exact, only
from rigs import TODAY

from bridge.sandbox.seed import generate
from bridge.sandbox.server import AFTER_APPLY_KINDS
from mappings.perfex import PERFEX_DRAFT_NUMBER as PLACEHOLDER

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
