"""The long-lived daemon and the zero-configuration demo."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time

from bridge.daemon import Daemon
from bridge.demo import REPORT_NAME, run_demo
from bridge.wiring import build_clients, build_engine
from state import Ledger


def _daemon(rig, ledger: Ledger) -> Daemon:
    config = rig.config()
    engine = build_engine(config, ledger, clients=build_clients(config, sleep=lambda s: None))
    return Daemon(engine, direction="perfex_to_onlyoffice", interval=10)


def test_a_failing_cycle_is_logged_and_the_next_one_runs(rig, caplog):
    caplog.set_level(logging.INFO, logger="bridge.daemon")
    ledger = Ledger.open(rig.ledger_path)
    try:
        daemon = _daemon(rig, ledger)
        rig.sandbox.perfex.faults.script("server_error", lambda request: True, times=1000)
        assert daemon.cycle() is None
        rig.sandbox.perfex.faults.clear()
        record = daemon.cycle()
    finally:
        ledger.close()
    assert record is not None and record.run.counts["created"] > 0
    messages = [r.getMessage() for r in caplog.records if r.name == "bridge.daemon"]
    assert any(m.startswith("cycle 1 failed: ") for m in messages)
    assert sum(m.startswith("cycle 2: run") for m in messages) == 1
    assert all("\n" not in m for m in messages)


def test_the_daemon_stops_cleanly_when_asked(rig, caplog):
    caplog.set_level(logging.INFO, logger="bridge.daemon")
    ledger = Ledger.open(rig.ledger_path)
    try:
        daemon = _daemon(rig, ledger)
        done = threading.Event()
        thread = threading.Thread(
            target=lambda: (daemon.run_forever(install_signals=False), done.set())
        )
        thread.start()
        deadline = time.monotonic() + 20
        while not _finished_runs(rig.ledger_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        daemon.terminate.set()  # asked between cycles: the next one never starts
        assert done.wait(20)
        last = ledger.run()
    finally:
        ledger.close()
    assert daemon.cycles == 1
    assert last is not None and last.run.status == "ok"  # the simple books map exactly
    assert last.run.finished_at is not None  # the cycle closed its journal


def _invoice_creates(log) -> int:  # noqa: ANN001
    """Invoice creates only (products and taxes are created under the same path prefix)."""
    return sum(e.method == "POST" and e.path == "/api/2.0/crm/invoice" for e in log.entries())


def _finished_runs(path) -> int:  # noqa: ANN001
    """How many runs the ledger shows as ended, read through a connection of our own."""
    if not path.exists():
        return 0
    ledger = Ledger.open_readonly(path)
    try:
        return sum(run.finished_at is not None for run in ledger.runs())
    finally:
        ledger.close()


def test_sigterm_stops_the_daemon_process_between_records(rig):
    # Slow enough that the signal always lands in the middle of the first cycle's 29 creates.
    rig.sandbox.perfex.latency_ms = 25
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", "--config", str(rig.config_path), "daemon"],
        env={**os.environ, **rig.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = rig.sandbox.onlyoffice.request_log
    deadline = time.monotonic() + 30
    while _invoice_creates(log) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "cycle 1: run 1 " in err  # one summary line per cycle
    ledger = Ledger.open_readonly(rig.ledger_path)
    try:
        run = ledger.run()
    finally:
        ledger.close()
    assert run is not None and run.run.finished_at is not None
    assert run.run.status == "interrupted"
    created = {o.number for o in run.outcomes if o.kind == "invoice" and o.action == "created"}
    assert 3 <= len(created) < len(rig.perfex_invoices()) - 1  # stopped part way, not at once
    assert set(rig.onlyoffice_by_number()) == created  # every write in flight was recorded
    assert rig.duplicates() == {}


def test_demo_shows_creates_then_updates_and_exits_0(tmp_path):
    lines: list[str] = []
    assert run_demo(tmp_path, out=lines.append) == 0
    text = "\n".join(lines)
    backfill, sync = text.split("4. The next sync")
    assert re.search(r"Invoices: +\d+ created", backfill)
    assert "INV-" in sync and "updated" in sync
    assert (tmp_path / REPORT_NAME).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
