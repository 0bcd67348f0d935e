"""The single-runner lock: one run at a time, with takeover from dead or stale holders."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from state import Ledger, LedgerError, LedgerLocked

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def everyone_alive(pid: int) -> bool:
    return True


def nobody_alive(pid: int) -> bool:
    return False


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def daemon(path: Path) -> Iterator[Ledger]:
    ledger = Ledger.open(path)
    ledger.acquire_lock("daemon", T0, pid=4001, host="box", pid_alive=everyone_alive)
    yield ledger
    ledger.close()


def test_a_second_run_is_refused_with_a_message_naming_the_holder(
    path: Path, daemon: Ledger
) -> None:
    backfill = Ledger.open(path)

    with pytest.raises(LedgerLocked) as refused:
        backfill.acquire_lock(
            "backfill", T0 + timedelta(minutes=1), pid=4002, host="box", pid_alive=everyone_alive
        )

    message = str(refused.value)
    assert "daemon, pid 4001 on box, since 2026-11-21 10:00:00 UTC" in message
    assert str(path) in message and "wait for it to finish" in message
    assert refused.value.holder.pid == 4001
    assert isinstance(refused.value, LedgerError)
    backfill.close()


def test_the_lock_is_free_again_once_released(path: Path, daemon: Ledger) -> None:
    daemon.release_lock()
    backfill = Ledger.open(path)

    assert backfill.acquire_lock("backfill", T0, pid=4002, host="box") is None
    assert backfill.lock_holder().command == "backfill"
    backfill.close()


def test_closing_a_ledger_releases_its_lock(path: Path) -> None:
    first = Ledger.open(path)
    first.acquire_lock("sync", T0, pid=4001, host="box")
    first.close()

    second = Ledger.open(path)
    assert second.lock_holder() is None
    second.close()


def test_taking_the_lock_again_is_fine_for_its_holder(daemon: Ledger) -> None:
    later = T0 + timedelta(hours=5)
    daemon.acquire_lock("daemon", later, pid=4001, host="box", pid_alive=everyone_alive)

    holder = daemon.lock_holder()
    assert (holder.acquired_at, holder.heartbeat_at) == (T0, later)


def test_the_same_process_cannot_hold_the_lock_twice_through_two_ledgers(
    path: Path, daemon: Ledger
) -> None:
    again = Ledger.open(path)
    with pytest.raises(LedgerLocked):
        again.acquire_lock("sync", T0, pid=4001, host="box", pid_alive=everyone_alive)
    again.close()


def test_a_lock_whose_holder_died_on_this_host_is_taken_over(path: Path, daemon: Ledger) -> None:
    backfill = Ledger.open(path)

    taken_from = backfill.acquire_lock(
        "backfill", T0, pid=4002, host="box", pid_alive=lambda pid: pid == 4002
    )

    assert taken_from.pid == 4001
    assert backfill.lock_holder().pid == 4002
    backfill.close()


def test_a_dead_looking_pid_on_another_host_is_not_taken_over(path: Path, daemon: Ledger) -> None:
    elsewhere = Ledger.open(path)

    with pytest.raises(LedgerLocked, match="taken over once its last heartbeat is 6 hours old"):
        elsewhere.acquire_lock("sync", T0, pid=4001, host="other-box", pid_alive=nobody_alive)
    elsewhere.close()


def test_a_lock_past_the_stale_limit_is_taken_over(path: Path, daemon: Ledger) -> None:
    elsewhere = Ledger.open(path)

    with pytest.raises(LedgerLocked):
        elsewhere.acquire_lock("sync", T0 + timedelta(hours=5, minutes=59), host="other-box")
    taken_from = elsewhere.acquire_lock("sync", T0 + timedelta(hours=6), host="other-box")

    assert taken_from.command == "daemon"
    elsewhere.close()


def test_a_heartbeat_keeps_a_long_run_from_going_stale(path: Path, daemon: Ledger) -> None:
    daemon.refresh_lock(T0 + timedelta(hours=5))
    elsewhere = Ledger.open(path)

    with pytest.raises(LedgerLocked):
        elsewhere.acquire_lock(
            "sync", T0 + timedelta(hours=7), host="other-box", stale_after=timedelta(hours=6)
        )
    elsewhere.close()


def test_a_run_whose_lock_was_taken_over_learns_it_at_its_next_heartbeat(
    path: Path, daemon: Ledger
) -> None:
    newcomer = Ledger.open(path)
    newcomer.acquire_lock(
        "backfill", T0 + timedelta(hours=7), pid=4002, host="box", pid_alive=everyone_alive
    )

    with pytest.raises(LedgerLocked, match="taken over by backfill, pid 4002"):
        daemon.refresh_lock(T0 + timedelta(hours=7, minutes=1))
    newcomer.close()


def test_refreshing_without_holding_the_lock_is_refused() -> None:
    ledger = Ledger.in_memory()
    with pytest.raises(LedgerLocked, match="no longer holds the lock"):
        ledger.refresh_lock(T0)


def test_a_real_process_killed_while_holding_the_lock_is_taken_over(path: Path) -> None:
    script = (
        "import os, sys\n"
        "from datetime import datetime, timezone\n"
        "from state import Ledger\n"
        "ledger = Ledger.open(sys.argv[1])\n"
        "ledger.acquire_lock('daemon', datetime.now(timezone.utc))\n"
        "os._exit(0)  # dies without releasing anything\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], cwd=REPO, check=True, timeout=30)
    ledger = Ledger.open(path)

    taken_from = ledger.acquire_lock("sync", T0)  # the real pid check, on this very host

    assert taken_from.command == "daemon" and taken_from.pid != os.getpid()
    ledger.close()
