"""Creates in Perfex whose answer never arrives: never a second invoice or customer.

Neither API takes an idempotency key, and Perfex module 2.x does not even return the new id:
the bridge journals an intent, searches for what it created, and adopts it. These drills lose
answers on purpose, on both module versions, and cut a run short before it could look.
"""

from __future__ import annotations

import pytest
from reverse_world import differences, duplicates, exact
from rigs import TODAY

from bridge.sandbox.seed import generate
from state import Ledger


def posts_to(path: str):  # noqa: ANN201
    return lambda request: request.method == "POST" and request.path.endswith(path)


@pytest.mark.parametrize("version", ["2", "3"])
def test_lost_create_answers_leave_one_invoice_and_one_customer(make_rig, version: str) -> None:
    rig = make_rig(
        onlyoffice=exact(generate(seed=6, invoices=12, today=TODAY, mix="simple")),
        perfex_version=version,
    )
    faults = rig.sandbox.perfex.faults
    faults.script("lost_answer", posts_to("/api/invoices"), times=3)
    faults.script("applied_error", posts_to("/api/invoices"), times=2)
    faults.script("lost_answer", posts_to("/api/customers"), times=2)

    record = rig.run("backfill")

    assert record.run.status == "ok", [o.error for o in record.outcomes if o.error]
    lost = [e for e in rig.sandbox.perfex.request_log.entries() if e.fault and e.applied]
    assert len(lost) == 7
    assert duplicates(rig) == []
    assert differences(rig) == []


def test_a_create_of_unknown_fate_is_adopted_by_the_next_run(make_rig) -> None:
    # Module 3.x answers a create with its id, so only a lost answer makes the bridge search.
    data = exact(generate(seed=6, invoices=5, today=TODAY, mix="simple"))
    rig = make_rig(onlyoffice=data, perfex_version="3")
    faults = rig.sandbox.perfex.faults
    # One invoice lands but its answer is lost, and every search that would find it fails: the
    # run cannot tell whether it exists, so it must not create it again.
    faults.script("lost_answer", posts_to("/api/invoices"), times=1)
    faults.script("server_error", lambda request: "/invoices/search/" in request.path, times=6)

    first = rig.run("backfill")

    assert first.run.counts["failed"] == 1
    with Ledger.open(rig.folder / "ledger.db") as ledger:
        assert [i.target for i in ledger.open_intents()] == ["perfex"]

    second = rig.run("sync")

    assert second.run.status == "ok"
    assert len(rig.perfex.store.invoices) == 5
    assert duplicates(rig) == [] and differences(rig) == []
    with Ledger.open(rig.folder / "ledger.db") as ledger:
        assert ledger.open_intents() == []
