"""`crm-bridge status`: the bridge's health for people and for monitors, from the ledger alone.

Nothing here talks to Perfex or ONLYOFFICE: a monitor can call `status` every minute. What it
shows: the last run of each command with its status and age, the last good run (a sync,
backfill or daemon cycle that finished `ok` or `partial`: it went through every invoice, and the
ones that failed are open problems; runs limited to some invoices do not count), the
open failures and conflicts the ledger carries until they are settled, who holds the runner
lock and whether that process is alive, and the daemon's next cycle.

Exit codes, Nagios style (`STATUS_EXIT`):
- **2 critical**: the ledger cannot be read; the last finished run failed; or no good run for
  a day (`NO_GOOD_RUN`) while runs are journalled;
- **1 warning**: open failures or conflicts; the last good run older than three daemon
  intervals (`STALE_INTERVALS` × `[sync].interval`); the last run was interrupted; nothing has
  run yet; the lock was left by a process that is gone; a daemon recorded its next cycle and
  is gone (or, on another host, is long overdue);
- **0 ok** otherwise.

The daemon records its next cycle in the ledger's meta values (`note_daemon_cycle`, and
`note_daemon_stopped` when it stops cleanly).

Must not: write to the ledger (it is read through a snapshot), or talk to either system.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.outcome_words import clean
from state import Ledger, LedgerError, LockHolder, Problem
from state.lock import DEFAULT_STALE_AFTER, pid_is_alive
from state.records import RunSummary

log = logging.getLogger(__name__)

OK, WARNING, CRITICAL = 0, 1, 2
STATUS_EXIT = {"ok": OK, "warning": WARNING, "critical": CRITICAL}
GOOD = ("ok", "partial")
# Runs that go through every invoice: only these show that the bridge keeps both sides in step
# (a run limited to some invoices, `sync --invoice`, `resolve`, `retry`, `repair`, does not).
FULL_PASSES = ("sync", "backfill", "daemon")
FINISHED = ("ok", "partial", "failed", "interrupted")
STALE_INTERVALS = 3
NO_GOOD_RUN = timedelta(days=1)
DAEMON_META = "daemon"


# -- what the daemon records ------------------------------------------------------------------


def note_daemon_cycle(ledger: Ledger, *, now: datetime, interval: float) -> None:
    """The daemon calls this as each cycle starts: the next one starts `interval` seconds
    later. A ledger error costs `status` this line only, never the cycle."""
    value = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "interval": interval,
        "next_cycle_at": (now + timedelta(seconds=interval)).astimezone(UTC).isoformat(),
    }
    try:
        ledger.set_meta(DAEMON_META, json.dumps(value, sort_keys=True))
    except LedgerError as error:
        log.warning("could not record the next daemon cycle: %s", error)


def note_daemon_stopped(ledger: Ledger) -> None:
    try:
        ledger.set_meta(DAEMON_META, "")
    except LedgerError as error:
        log.warning("could not record that the daemon stopped: %s", error)


# -- what status finds ----------------------------------------------------------------------


@dataclass(frozen=True)
class LockView:
    holder: LockHolder
    alive: bool | None  # None: held from another host, where its pid cannot be checked
    stale: bool  # its heartbeat is older than the stale limit


@dataclass(frozen=True)
class DaemonView:
    pid: int
    host: str
    next_cycle_at: datetime
    alive: bool | None


@dataclass(frozen=True)
class Health:
    status: str  # "ok", "warning" or "critical"
    reasons: tuple[str, ...]  # why it is not ok, worst first
    checked_at: datetime
    ledger: str
    last_run: RunSummary | None = None
    last_good: RunSummary | None = None
    runs: tuple[RunSummary, ...] = ()  # the latest of each command, newest first
    problems: tuple[Problem, ...] = ()
    lock: LockView | None = None
    daemon: DaemonView | None = None

    @property
    def code(self) -> int:
        return STATUS_EXIT[self.status]


def unreadable(path: str, error: Exception, now: datetime) -> Health:
    return Health("critical", (f"the ledger cannot be read: {error}",), now, path)


def check_health(
    ledger: Ledger,
    *,
    interval: float,
    now: datetime,
    exists: bool = True,
    pid_alive: Callable[[int], bool] = pid_is_alive,
    host: str | None = None,
) -> Health:
    here = host or socket.gethostname()
    runs = tuple(ledger.latest_runs_by_command())
    finished = ledger.latest_run_with_status(*FINISHED)
    last_good = ledger.latest_run_with_status(*GOOD, commands=FULL_PASSES)
    problems = tuple(p for p in ledger.open_problems() if p.kind == "invoice")
    lock = _lock(ledger.lock_holder(), now, here, pid_alive)
    daemon = _daemon(ledger.get_meta(DAEMON_META), here, pid_alive)
    found = Health("ok", (), now, ledger.name, finished, last_good, runs, problems, lock, daemon)
    critical, warnings = _judge(found, interval, exists)
    status = "critical" if critical else "warning" if warnings else "ok"
    return Health(
        status,
        (*critical, *warnings),
        now,
        ledger.name,
        finished,
        last_good,
        runs,
        problems,
        lock,
        daemon,
    )


def _judge(found: Health, interval: float, exists: bool) -> tuple[list[str], list[str]]:
    critical: list[str] = []
    warnings: list[str] = []
    now, last, good = found.checked_at, found.last_run, found.last_good
    if last is not None and last.status == "failed":
        critical.append(
            f"the last run ({_run_name(last)}, {age(last, now)}) failed: "
            f"{last.message or 'no reason recorded'}"
        )
    if last is not None and last.status == "interrupted":
        warnings.append(f"the last run ({_run_name(last)}, {age(last, now)}) was interrupted")
    if not found.runs:
        where = "" if exists else f" (there is no ledger at {found.ledger} yet)"
        warnings.append(f"nothing has run yet{where}")
    elif good is None:
        warnings.append("no run has finished well yet")
    else:
        since = now - _ended(good)
        if since > NO_GOOD_RUN:
            critical.append(f"no good run for {_duration(since)} (the last was {_run_name(good)})")
        elif since > timedelta(seconds=STALE_INTERVALS * interval):
            warnings.append(
                f"the last good run was {_duration(since)} ago, more than {STALE_INTERVALS} "
                f"sync intervals of {_duration(timedelta(seconds=interval))}"
            )
    warnings += _problem_reasons(found.problems)
    warnings += _lock_reasons(found.lock)
    warnings += _daemon_reasons(found.daemon, now)
    return critical, warnings


def _problem_reasons(problems: tuple[Problem, ...]) -> list[str]:
    failed = sum(1 for p in problems if p.action == "failed")
    conflicts = sum(1 for p in problems if p.action == "conflict")
    reasons = []
    if failed:
        reasons.append(_count(failed, "open failure"))
    if conflicts:
        reasons.append(_count(conflicts, "open conflict"))
    return reasons


def _lock(
    holder: LockHolder | None, now: datetime, here: str, pid_alive: Callable[[int], bool]
) -> LockView | None:
    if holder is None:
        return None
    alive = pid_alive(holder.pid) if holder.host == here else None
    return LockView(holder, alive, now - holder.heartbeat_at >= DEFAULT_STALE_AFTER)


def _lock_reasons(lock: LockView | None) -> list[str]:
    if lock is None:
        return []
    if lock.alive is False:
        return [
            f"the lock was left by {lock.holder.describe()}, a process that is gone; "
            "the next run takes it over"
        ]
    if lock.stale:
        return [
            f"the lock held by {lock.holder.describe()} has not been refreshed for "
            f"{_duration(DEFAULT_STALE_AFTER)}"
        ]
    return []


def _daemon(text: str | None, here: str, pid_alive: Callable[[int], bool]) -> DaemonView | None:
    if not text:
        return None
    try:
        value = json.loads(text)
        pid, host = int(value["pid"]), str(value["host"])
        next_cycle_at = datetime.fromisoformat(value["next_cycle_at"])
    except (ValueError, KeyError, TypeError):
        return None
    alive = pid_alive(pid) if host == here else None
    return DaemonView(pid, host, next_cycle_at, alive)


def _daemon_reasons(daemon: DaemonView | None, now: datetime) -> list[str]:
    if daemon is None:
        return []
    if daemon.alive is False:
        return [f"the daemon (pid {daemon.pid} on {daemon.host}) is no longer running"]
    overdue = now - daemon.next_cycle_at
    if daemon.alive is None and overdue > NO_GOOD_RUN / 24:
        return [f"the daemon on {daemon.host} is {_duration(overdue)} late for its next cycle"]
    return []


# -- rendering ----------------------------------------------------------------------------------


def status_text(health: Health) -> str:
    lines = [_first_line(health)]
    now = health.checked_at
    last, good = health.last_run, health.last_good
    lines.append(f"Ledger          {health.ledger}")
    lines.append(f"Last run        {_run_line(last, now) if last else 'none'}")
    lines.append(f"Last good run   {_run_line(good, now) if good else 'none'}")
    if health.runs:
        lines.append("Runs by kind    " + "; ".join(_run_line(run, now) for run in health.runs))
    lines.append(f"Daemon          {_daemon_line(health.daemon, now)}")
    lines.append(f"Lock            {_lock_line(health.lock)}")
    lines.append(f"Open problems   {len(health.problems) or 'none'}")
    for problem in health.problems:
        lines.append(f"  {_problem_line(problem)}")
    return clean_lines(lines)


def _first_line(health: Health) -> str:
    why = "; ".join(health.reasons) if health.reasons else "all good"
    failed = sum(1 for p in health.problems if p.action == "failed")
    conflicts = len(health.problems) - failed
    perf = f"failed={failed} conflicts={conflicts}"
    if health.last_good is not None:
        seconds = int((health.checked_at - _ended(health.last_good)).total_seconds())
        perf += f" last_good_age={max(seconds, 0)}s"
    return f"crm-bridge {health.status.upper()}: {why} | {perf}"


def _run_line(run: RunSummary, now: datetime) -> str:
    text = f"{_run_name(run)} {run.status}, {age(run, now)}"
    if run.status in ("failed", "interrupted") and run.message:
        text += f" ({run.message})"
    return text


def _daemon_line(daemon: DaemonView | None, now: datetime) -> str:
    if daemon is None:
        return "not running (no daemon has recorded a next cycle)"
    where = f"pid {daemon.pid} on {daemon.host}"
    if daemon.alive is False:
        return f"not running ({where} is gone)"
    wait = daemon.next_cycle_at - now
    when = f"in {_duration(wait)}" if wait > timedelta(0) else f"due {_duration(-wait)} ago"
    return f"next cycle {when}, at {_time(daemon.next_cycle_at)} ({where})"


def _lock_line(lock: LockView | None) -> str:
    if lock is None:
        return "free"
    state = {True: "running", False: "process gone", None: "on another host"}[lock.alive]
    return f"held by {lock.holder.describe()} ({state})"


def _problem_line(problem: Problem) -> str:
    text = (
        f"{problem.number or problem.record_id}  {problem.action} since {_time(problem.first_seen)}"
    )
    text += f", {_count(problem.attempts, 'attempt')}"
    if problem.action == "failed" and problem.next_try_at is not None:
        text += f", next retry {_time(problem.next_try_at)}"
    return text + (f": {problem.error}" if problem.error else "")


def status_json(health: Health) -> str:
    now = health.checked_at
    document: dict[str, Any] = {
        "status": health.status,
        "code": health.code,
        "checked_at": _iso(now),
        "reasons": list(health.reasons),
        "ledger": health.ledger,
        "last_run": _run_json(health.last_run, now),
        "last_good_run": _run_json(health.last_good, now),
        "runs": {run.command: _run_json(run, now) for run in health.runs},
        "problems": [_problem_json(p) for p in health.problems],
        "lock": _lock_json(health.lock),
        "daemon": _daemon_json(health.daemon),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _run_json(run: RunSummary | None, now: datetime) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "command": run.command,
        "status": run.status,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at) if run.finished_at else None,
        "age_seconds": max(0, int((now - _ended(run)).total_seconds())),
        "message": run.message,
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "number": problem.number,
        "side": problem.side,
        "record_id": problem.record_id,
        "action": problem.action,
        "reason": problem.reason,
        "error": problem.error,
        "since": _iso(problem.first_seen),
        "last_seen": _iso(problem.last_seen),
        "attempts": problem.attempts,
        "next_retry": _iso(problem.next_try_at) if problem.next_try_at else None,
    }


def _lock_json(lock: LockView | None) -> dict[str, Any] | None:
    if lock is None:
        return None
    holder = lock.holder
    return {
        "command": holder.command,
        "pid": holder.pid,
        "host": holder.host,
        "since": _iso(holder.acquired_at),
        "heartbeat_at": _iso(holder.heartbeat_at),
        "alive": lock.alive,
    }


def _daemon_json(daemon: DaemonView | None) -> dict[str, Any] | None:
    if daemon is None:
        return None
    return {
        "pid": daemon.pid,
        "host": daemon.host,
        "next_cycle_at": _iso(daemon.next_cycle_at),
        "alive": daemon.alive,
    }


# -- words -----------------------------------------------------------------------------------


def age(run: RunSummary, now: datetime) -> str:
    return f"{_duration(now - _ended(run))} ago"


def _ended(run: RunSummary) -> datetime:
    return run.finished_at or run.started_at


def _run_name(run: RunSummary) -> str:
    return f"{run.command} #{run.id}"


def _duration(span: timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return _count(seconds // size, unit)
    return _count(seconds, "second")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_lines(lines: list[str]) -> str:
    return "\n".join(clean(line) for line in lines)
