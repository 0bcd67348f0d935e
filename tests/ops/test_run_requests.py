"""A run against unreliable servers says what it cost: every request the servers saw and every
fault they served is accounted for in the run's statistics, its report and the daemon's line.

The oracle is the simulators' own request log: each exchange the bridge sent is one logged
request, and each fault a server served either made the bridge retry or made it give up."""

from __future__ import annotations

import json
import logging
import re

from bridge.daemon import Daemon
from bridge.sandbox.server import RequestLog, SimRequest
from bridge.wiring import build_clients, build_engine
from state import Ledger, RequestStats

# What the simulators serve instead of an answer; a "slow" answer is still an answer.
FAILING = {"server_error", "rate_limited", "drop", "lost_answer", "applied_error"}


def served(log: RequestLog) -> tuple[int, int]:
    """(requests the server received, how many of them it failed on purpose)."""
    entries = log.entries()
    return len(entries), sum(1 for entry in entries if entry.fault in FAILING)


def test_every_fault_a_server_served_is_a_retry_or_a_give_up(make_rig) -> None:
    rig = make_rig(invoices=30, fault_rate=0.2, fault_seed=11)

    record = rig.run("backfill")

    stats = record.run.requests
    for system, server in (("perfex", rig.sandbox.perfex), ("onlyoffice", rig.sandbox.onlyoffice)):
        received, faulted = served(server.request_log)
        mine = stats[system]
        assert mine.requests + mine.retries == received, system  # one exchange, one log entry
        assert mine.retries + mine.gave_up == faulted, system
        assert sum(mine.retried_because.values()) == mine.retries
        assert set(mine.retried_because) <= {"503", "429", "502", "reset"}
        assert len(mine.slowest) == 5
        assert [s.seconds for s in mine.slowest] == sorted(
            (s.seconds for s in mine.slowest), reverse=True
        )
        assert all("?" not in s.path for s in mine.slowest)
    assert stats["perfex"].retries > 0 and stats["onlyoffice"].retries > 0
    with Ledger.open(rig.ledger_path) as ledger:
        assert ledger.run(record.run.id).run.requests == stats


def test_scripted_faults_are_reported_by_cause_with_the_slowest_request(
    make_rig, monkeypatch
) -> None:
    rig = make_rig(invoices=6, mix="simple")
    text = rig.config_path.read_text(encoding="utf-8")
    # A Perfex answer slower than its timeout is a timeout, then retried.
    rig.config_path.write_text(
        text.replace("max_attempts = 6", "max_attempts = 6\ntimeout = 1.0", 1), encoding="utf-8"
    )
    perfex, onlyoffice = rig.sandbox.perfex.faults, rig.sandbox.onlyoffice.faults
    perfex.slow_seconds = 1.5
    onlyoffice.slow_seconds = 0.3
    perfex.script("server_error", lambda r: (r.method, r.path) == ("GET", "/api/invoices"), 2)
    perfex.script("slow", lambda r: r.method == "GET" and r.path.startswith("/api/invoices/"))
    onlyoffice.script("rate_limited", lambda r: r.method == "GET")
    onlyoffice.script("slow", _onlyoffice_invoice_list)

    record = rig.run("backfill")

    assert record.run.status == "ok"
    perfex_stats, onlyoffice_stats = (
        record.run.requests["perfex"],
        record.run.requests["onlyoffice"],
    )
    assert perfex_stats.retried_because == {"503": 2, "timeout": 1}
    assert perfex_stats.gave_up == 0
    timed_out = perfex_stats.slowest[0]
    assert timed_out.method == "GET" and timed_out.path.startswith("/api/invoices/")
    assert 1.0 <= timed_out.seconds < 1.5
    assert onlyoffice_stats.retried_because == {"429": 1}
    assert onlyoffice_stats.retry_wait_seconds == 1.0  # the server's Retry-After
    slow = onlyoffice_stats.slowest[0]
    assert (slow.method, slow.path) == ("GET", "/api/2.0/crm/invoice/filter")
    assert slow.seconds >= 0.3

    shown = rig.cli("report", "latest", monkeypatch=monkeypatch)
    assert shown.code == 0
    assert re.search(
        rf"^Perfex: {perfex_stats.requests} requests, 3 retried \(2 × 503, 1 timeout\), "
        rf"[\d.]+ s waiting to retry, slowest GET {timed_out.path} 1\.\d s$",
        shown.out,
        re.M,
    )
    assert re.search(
        rf"^ONLYOFFICE: {onlyoffice_stats.requests} requests, 1 retried \(1 × 429\), "
        r"1\.0 s waiting to retry, slowest GET /api/2\.0/crm/invoice/filter 0\.\d s$",
        shown.out,
        re.M,
    )
    document = json.loads(
        rig.cli("report", "latest", "--format", "json", monkeypatch=monkeypatch).out
    )
    assert document["requests"]["perfex"]["retried_because"] == {"503": 2, "timeout": 1}
    assert document["requests"]["onlyoffice"]["slowest"][0]["path"] == slow.path


def _onlyoffice_invoice_list(request: SimRequest) -> bool:
    return request.method == "GET" and request.path.endswith("/invoice/filter")


def test_a_daemon_cycle_that_retried_says_so_in_its_line(make_rig, caplog) -> None:
    rig = make_rig(invoices=4, mix="simple")
    rig.sandbox.perfex.faults.script("server_error", lambda r: r.method == "GET", 2)
    caplog.set_level(logging.INFO, logger="bridge.daemon")
    config = rig.config()
    with Ledger.open(rig.ledger_path) as ledger:
        clients = build_clients(config, sleep=lambda seconds: None)
        engine = build_engine(config, ledger, clients=clients)
        record = Daemon(engine, direction=config.sync.direction, interval=300).cycle()

    assert record is not None
    assert record.run.requests["perfex"].retried_because == {"503": 2}
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cycle 1:")]
    assert "; retries: Perfex 2 (2 × 503)" in line
    assert "ONLYOFFICE" not in line.split("; retries: ")[1]


def test_a_dry_run_reports_its_requests_too(make_rig) -> None:
    rig = make_rig(invoices=4, mix="simple")
    record = rig.run("backfill", dry_run=True)
    perfex = record.run.requests["perfex"]
    assert perfex.requests == len(rig.sandbox.perfex.request_log.entries())
    assert perfex == RequestStats(requests=perfex.requests, slowest=perfex.slowest)
