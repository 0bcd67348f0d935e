"""Fault drills: lost answers, a flaky network, and a backfill killed in the middle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from state import Ledger

CREATE_PATHS = (
    "/api/2.0/crm/invoice",
    "/api/2.0/crm/contact/company",
    "/api/2.0/crm/invoiceitem",
    "/api/2.0/crm/invoice/tax",
)


def _clean_run(make_rig, invoices: int, seed: int) -> tuple[set[str], str]:
    """What a fault-free backfill of the same books mirrors, and how it ends: faults must
    change neither (a few invoices of the books fail line-tax inference with or without
    faults, so the reference is this run, not the books)."""
    clean = make_rig(invoices=invoices, seed=seed)
    record = clean.run("backfill")
    return set(clean.onlyoffice_by_number()), record.run.status


def _clean_numbers(make_rig, invoices: int, seed: int) -> set[str]:
    return _clean_run(make_rig, invoices, seed)[0]


def test_lost_answers_to_creates_never_duplicate_anything(make_rig):
    expected = _clean_numbers(make_rig, 20, 4)
    rig = make_rig(invoices=20, seed=4)
    faults = rig.sandbox.onlyoffice.faults
    for path in CREATE_PATHS:
        # The first create of each kind is applied and its answer lost, twice over.
        faults.script("lost_answer", lambda r, p=path: r.method == "POST" and r.path == p, 2)
    faults.script("applied_error", lambda r: r.method == "POST" and "invoice" in r.path, 3)

    first = rig.run("backfill")
    second = rig.run("backfill")

    lost = [e for e in rig.sandbox.onlyoffice.request_log.entries() if e.fault and e.applied]
    assert len(lost) >= 8  # every kind of create lost its answer at least once
    assert rig.duplicates() == {}
    assert set(rig.onlyoffice_by_number()) == expected
    assert first.run.counts["created"] > 0
    assert second.run.counts["created"] == 0


def test_backfill_converges_under_fifteen_percent_faults(make_rig):
    expected = _clean_numbers(make_rig, 40, 8)
    rig = make_rig(invoices=40, seed=8, fault_rate=0.15, fault_seed=99)
    runs = []
    for _ in range(3):
        runs.append(rig.run("backfill"))
        if set(rig.onlyoffice_by_number()) == expected:
            break
    assert set(rig.onlyoffice_by_number()) == expected, [r.run.counts for r in runs]
    assert rig.duplicates() == {}
    faulted = [e for e in rig.sandbox.onlyoffice.request_log.entries() if e.fault]
    assert len(faulted) > 10  # the drill really was noisy


def test_sigkill_during_backfill_then_rerun_leaves_no_duplicate(make_rig, tmp_path):
    expected, status = _clean_run(make_rig, 60, 6)
    rig = make_rig(invoices=60, seed=6, latency_ms=15)
    env = {**os.environ, **rig.environ}
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", "--config", str(rig.config_path), "backfill"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(rig.onlyoffice.store.invoices) < 12 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    partly = set(rig.onlyoffice_by_number())
    assert 0 < len(partly) < len(expected)  # killed in the middle of the work

    rig.sandbox.perfex.latency_ms = rig.sandbox.onlyoffice.latency_ms = 0
    rerun = rig.run("backfill")

    assert rig.duplicates() == {}
    assert set(rig.onlyoffice_by_number()) == expected
    assert rerun.run.status == status
    # Only a kill leaves a run `running`; the next run marks it interrupted.
    assert [run.status for run in _runs(rig)] == [status, "interrupted"]


def _runs(rig):  # noqa: ANN001, ANN202
    ledger = Ledger.open_readonly(rig.ledger_path)
    try:
        return ledger.runs()
    finally:
        ledger.close()
