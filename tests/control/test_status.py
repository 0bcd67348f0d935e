"""`crm-bridge status` against a real ledger file: what a monitor sees and the exit code it acts
on (0 ok, 1 warning, 2 critical), with the clock and the process table as parameters."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge import cli
from bridge.daemon import Daemon
from bridge.health import check_health, status_json, status_text
from state import Ledger

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
INTERVAL = 300
HERE = socket.gethostname()


def journal(ledger: Ledger, command: str, status: str, ended: datetime, message: str = "") -> None:
    run_id = ledger.start_run(command, "perfex_to_onlyoffice", False, ended - timedelta(seconds=5))
    ledger.finish_run(run_id, status, ended, message=message or None)


def failure(ledger: Ledger, number: str, at: datetime, action: str = "failed") -> None:
    ledger.note_problem(
        kind="invoice",
        side="perfex",
        record_id=number[-2:],
        number=number,
        action=action,
        reason="money",
        error="total: ONLYOFFICE would total 10.01 EUR where Perfex shows 10.00 EUR",
        row_fp="x",
        now=at,
        next_try_at=at + timedelta(minutes=15),
    )


def health(ledger: Ledger, alive=lambda pid: True, **options):  # noqa: ANN001, ANN201
    return check_health(ledger, interval=INTERVAL, now=NOW, pid_alive=alive, host=HERE, **options)


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger.open(tmp_path / "ledger.db") as opened:
        yield opened


def test_a_recent_good_sync_is_ok(ledger) -> None:
    journal(ledger, "backfill", "ok", NOW - timedelta(days=3))
    journal(ledger, "sync", "ok", NOW - timedelta(minutes=2))

    found = health(ledger)

    assert (found.status, found.code, found.reasons) == ("ok", 0, ())
    text = status_text(found)
    assert text.startswith("crm-bridge OK: all good | failed=0 conflicts=0 last_good_age=120s")
    assert "sync #2 ok, 2 minutes ago" in text and "backfill #1 ok, 3 days ago" in text


def test_open_failures_warn_and_show_number_attempts_and_next_retry(ledger) -> None:
    journal(ledger, "sync", "partial", NOW - timedelta(minutes=1))
    failure(ledger, "INV-000012", NOW - timedelta(hours=2))
    failure(ledger, "INV-000012", NOW - timedelta(minutes=1))
    failure(ledger, "INV-000013", NOW - timedelta(minutes=1), action="conflict")

    found = health(ledger)

    assert found.code == 1
    assert found.reasons == ("1 open failure", "1 open conflict")
    text = status_text(found)
    assert (
        "INV-000012  failed since 2026-12-04 08:00 UTC, 2 attempts, next retry 2026-12-04 10:14 UTC"
        in text
    )
    assert "INV-000013  conflict since" in text and "next retry" not in text.split("INV-000013")[1]


def test_a_good_run_older_than_three_intervals_warns(ledger) -> None:
    journal(ledger, "daemon", "ok", NOW - timedelta(seconds=3 * INTERVAL + 1))
    assert health(ledger).code == 1
    assert "more than 3 sync intervals" in health(ledger).reasons[0]


def test_no_good_run_for_a_day_is_critical(ledger) -> None:
    journal(ledger, "sync", "ok", NOW - timedelta(days=1, minutes=1))
    journal(ledger, "sync", "interrupted", NOW - timedelta(hours=1))

    found = health(ledger)

    assert found.code == 2
    assert any("no good run for 1 day" in reason for reason in found.reasons)


def test_the_last_run_failing_is_critical_and_says_why(ledger) -> None:
    journal(ledger, "sync", "ok", NOW - timedelta(minutes=10))
    journal(ledger, "sync", "failed", NOW - timedelta(minutes=1), "ONLYOFFICE refused the token")

    found = health(ledger)

    assert found.code == 2
    assert "failed: ONLYOFFICE refused the token" in found.reasons[0]


def test_an_interrupted_last_run_warns(ledger) -> None:
    journal(ledger, "sync", "ok", NOW - timedelta(minutes=3))
    journal(ledger, "backfill", "interrupted", NOW - timedelta(minutes=1))
    assert health(ledger).code == 1


def test_runs_limited_to_some_invoices_are_not_good_runs(ledger) -> None:
    journal(ledger, "sync", "ok", NOW - timedelta(hours=3))
    journal(ledger, "sync-invoice", "ok", NOW - timedelta(minutes=1))
    journal(ledger, "retry", "ok", NOW - timedelta(minutes=1))

    found = health(ledger)

    assert found.last_good is not None and found.last_good.command == "sync"
    assert found.code == 1
    assert {run.command for run in found.runs} == {"sync", "sync-invoice", "retry"}


def test_a_lock_left_by_a_dead_process_warns_and_a_live_one_does_not(ledger, tmp_path) -> None:
    journal(ledger, "sync", "ok", NOW - timedelta(minutes=1))
    with Ledger.open(tmp_path / "ledger.db") as other:
        other.acquire_lock("daemon", NOW - timedelta(minutes=1), pid=4242, host=HERE)

        alive = health(ledger, alive=lambda pid: pid == 4242)
        dead = health(ledger, alive=lambda pid: False)

    assert alive.code == 0 and "(running)" in status_text(alive)
    assert dead.code == 1 and "pid 4242" in dead.reasons[0] and "gone" in dead.reasons[0]
    assert json.loads(status_json(dead))["lock"]["alive"] is False


def test_the_daemon_records_its_next_cycle_and_clears_it_when_it_stops(ledger) -> None:
    journal(ledger, "daemon", "ok", NOW - timedelta(minutes=1))
    daemon = Daemon(_Engine(ledger), direction="perfex_to_onlyoffice", interval=INTERVAL)

    daemon.cycle()
    running = health(ledger, alive=lambda pid: pid == os.getpid())
    gone = health(ledger, alive=lambda pid: False)
    daemon.terminate.set()
    daemon.run_forever(install_signals=False)
    stopped = health(ledger)

    assert running.daemon is not None
    assert running.daemon.next_cycle_at == NOW + timedelta(seconds=INTERVAL)
    assert "next cycle in 5 minutes" in status_text(running) and running.code == 0
    assert gone.code == 1 and "no longer running" in gone.reasons[0]
    assert stopped.daemon is None and stopped.code == 0


def test_status_json_for_monitors(ledger) -> None:
    journal(ledger, "sync", "ok", NOW - timedelta(minutes=1))
    failure(ledger, "INV-000012", NOW - timedelta(minutes=1))

    document = json.loads(status_json(health(ledger)))

    assert (document["status"], document["code"]) == ("warning", 1)
    assert document["last_good_run"]["command"] == "sync"
    assert document["last_good_run"]["age_seconds"] == 60
    [problem] = document["problems"]
    assert problem["number"] == "INV-000012" and problem["attempts"] == 1
    assert problem["next_retry"] == "2026-12-04T10:14:00Z"


# -- through the command line ------------------------------------------------------------------


def status_cli(config: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--config", str(config), "status", *args])
    return code, out.getvalue(), err.getvalue()


def config_file(folder: Path) -> Path:
    path = folder / "config.toml"
    path.write_text(
        '[perfex]\nurl = "https://crm.example.com"\n'
        '[onlyoffice]\nurl = "https://office.example.com"\n'
        '[sync]\nledger = "ledger.db"\ninterval = 300\n',
        encoding="utf-8",
    )
    return path


def test_no_ledger_yet_is_a_warning_naming_the_file(tmp_path) -> None:
    code, out, _ = status_cli(config_file(tmp_path))
    assert code == 1
    assert "nothing has run yet" in out and "ledger.db" in out
    assert not (tmp_path / "ledger.db").exists()


def test_an_unreadable_ledger_is_critical(tmp_path) -> None:
    (tmp_path / "ledger.db").write_bytes(b"this is not a database" * 100)
    code, out, _ = status_cli(config_file(tmp_path), "--format", "json")
    assert code == 2
    document = json.loads(out)
    assert document["status"] == "critical" and "cannot be read" in document["reasons"][0]


def test_open_failures_exit_1_through_the_cli(tmp_path) -> None:
    config = config_file(tmp_path)
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        now = datetime.now(UTC)
        journal(ledger, "sync", "partial", now)
        failure(ledger, "INV-000012", now)
    code, out, _ = status_cli(config)
    assert code == 1 and out.startswith("crm-bridge WARNING: 1 open failure")


def test_no_config_exits_3(tmp_path) -> None:
    code, _, err = status_cli(tmp_path / "missing.toml")
    assert code == 3 and "missing.toml" in err


class _Engine:
    """What a daemon cycle needs of the engine: a ledger, a clock, and a run (here, none)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def now(self) -> datetime:
        return NOW

    def run(self, request):  # noqa: ANN001, ANN201
        from bridge.errors import Unreachable

        raise Unreachable("not reached in this test", system="perfex")

    def interrupt(self, reason: str) -> None:
        pass
