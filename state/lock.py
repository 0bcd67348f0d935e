"""The single-runner lock: at most one run per ledger, so a backfill and the daemon never mix.

The lock is one row of `runner_lock` naming its holder (pid, host, command, start time) and the
holder's last heartbeat, plus a random token that tells the holding `Ledger` object apart from
every other opener, including another one in the same process. A lock may be taken over when
its holder is provably dead (same host, pid gone) or its heartbeat is older than the stale
limit; otherwise taking it raises `LedgerLocked` naming the holder. Callers run these functions
inside a write transaction (`BEGIN IMMEDIATE`) so that check-and-take is atomic between
processes. This module must not read the clock: `now` always comes from the caller.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from state.codec import required_time_from_text, time_to_text
from state.errors import LedgerLocked

LOCK_NAME = "runner"
DEFAULT_STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) the lock, as recorded in the ledger."""

    pid: int
    host: str
    command: str
    acquired_at: datetime
    heartbeat_at: datetime

    def describe(self) -> str:
        since = self.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{self.command}, pid {self.pid} on {self.host}, since {since}"


@dataclass(frozen=True)
class _LockRow:
    token: str
    holder: LockHolder


def pid_is_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    if pid <= 0:  # 0 and negatives address process groups, never one process
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it just belongs to someone else
        return True
    return True


def new_token() -> str:
    return secrets.token_hex(12)


def _read(db: Database) -> _LockRow | None:
    row = db.execute(
        "SELECT token, pid, host, command, acquired_at, heartbeat_at"
        " FROM runner_lock WHERE name = ?",
        [LOCK_NAME],
    ).fetchone()
    if row is None:
        return None
    token, pid, host, command, acquired_at, heartbeat_at = row
    holder = LockHolder(
        pid=pid,
        host=host,
        command=command,
        acquired_at=required_time_from_text(acquired_at),
        heartbeat_at=required_time_from_text(heartbeat_at),
    )
    return _LockRow(token, holder)


def current_token(db: Database) -> str | None:
    """The token of whoever holds the lock now, or None when nobody does."""
    row = _read(db)
    return None if row is None else row.token


def current_holder(db: Database) -> LockHolder | None:
    row = _read(db)
    return None if row is None else row.holder


def _may_take_over(
    holder: LockHolder,
    *,
    now: datetime,
    host: str,
    stale_after: timedelta,
    pid_alive: Callable[[int], bool],
) -> bool:
    # A pid can only be checked on its own host; elsewhere only the heartbeat's age tells.
    if holder.host == host and not pid_alive(holder.pid):
        return True
    return now - holder.heartbeat_at >= stale_after


def acquire(
    db: Database,
    *,
    path: str,
    token: str,
    command: str,
    now: datetime,
    pid: int,
    host: str,
    stale_after: timedelta,
    pid_alive: Callable[[int], bool],
) -> LockHolder | None:
    """Take the lock for `token`; return the holder it was taken over from, if any."""
    row = _read(db)
    if row is not None and row.token == token:
        _heartbeat(db, token, now)  # already ours: taking it again just proves we are alive
        return None
    if row is not None and not _may_take_over(
        row.holder, now=now, host=host, stale_after=stale_after, pid_alive=pid_alive
    ):
        raise _locked_error(
            path, row.holder, same_host=row.holder.host == host, stale_after=stale_after
        )
    _write(db, token=token, command=command, now=now, pid=pid, host=host)
    return None if row is None else row.holder


def _write(db: Database, *, token: str, command: str, now: datetime, pid: int, host: str) -> None:
    stamp = time_to_text(now)
    db.execute(
        "INSERT OR REPLACE INTO runner_lock"
        " (name, token, pid, host, command, acquired_at, heartbeat_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [LOCK_NAME, token, pid, host, command, stamp, stamp],
    )


def _heartbeat(db: Database, token: str, now: datetime) -> int:
    cursor = db.execute(
        "UPDATE runner_lock SET heartbeat_at = ? WHERE name = ? AND token = ?",
        [time_to_text(now), LOCK_NAME, token],
    )
    return cursor.rowcount


def refresh(db: Database, *, path: str, token: str | None, now: datetime) -> None:
    """Renew the holder's heartbeat; LedgerLocked if `token` no longer holds the lock."""
    if token is not None and _heartbeat(db, token, now) == 1:
        return
    holder = current_holder(db)
    if holder is None:
        message = (
            f"This run no longer holds the lock on the ledger {path}: "
            "stop it and start it again so that only one run writes at a time."
        )
    else:
        message = (
            f"This run no longer holds the lock on the ledger {path} "
            f"(it was taken over by {holder.describe()}): "
            "stop this run and let that one finish."
        )
    raise LedgerLocked(message, path=path, holder=holder)


def release(db: Database, token: str) -> None:
    """Give the lock up if `token` still holds it; a no-op otherwise."""
    db.execute("DELETE FROM runner_lock WHERE name = ? AND token = ?", [LOCK_NAME, token])


def _locked_error(
    path: str, holder: LockHolder, *, same_host: bool, stale_after: timedelta
) -> LedgerLocked:
    if same_host:
        advice = "wait for it to finish, or stop that process and try again"
    else:
        # A pid on another host cannot be checked, so only the heartbeat's age frees the lock.
        advice = (
            "wait for it to finish; if that process is gone, the lock is taken over once "
            f"its last heartbeat is {_duration_text(stale_after)} old"
        )
    message = (
        f"The ledger {path} is in use by another crm-bridge run ({holder.describe()}): {advice}."
    )
    return LedgerLocked(message, path=path, holder=holder)


def _duration_text(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
