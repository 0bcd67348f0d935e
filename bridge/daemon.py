"""The long-lived mode: a sync every [sync].interval seconds until SIGTERM or Ctrl-C.

APScheduler runs the cycles on a background thread, never two at once (max_instances=1, and
the ledger's lock keeps a manual backfill out too). Each cycle logs one summary line naming
every failed or conflicting invoice (up to `NAMED_PROBLEMS`, then how many more), then hands
the run to `bridge.housekeeping` (HTML page, alerts, quiet stretches folded, daily prune). When
requests had to be retried, the line says how many per system and why. A failing cycle is
logged in one line and the next one runs as planned.

Signals: SIGTERM and SIGINT ask the running cycle to stop between records, wait for it to close
its journal, and return: nothing is cut off in the middle of a write. SIGHUP re-reads the
configuration file and applies it between cycles (`plan_reload` says what may change while
running: everything under [sync] except `ledger` and `direction`, [mapping], [log] and
[alerts]; the connection settings of [perfex] and [onlyoffice], the ledger and the direction
need a restart, and the log says so). A file that no longer validates is refused whole and the
running configuration stays.

This is the only module that imports apscheduler.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bridge import logs
from bridge.config import BridgeConfig
from bridge.engine import RunRequest, SyncEngine
from bridge.errors import BridgeError, ConfigError, system_name
from bridge.health import note_daemon_cycle, note_daemon_stopped
from bridge.housekeeping import Housekeeping
from bridge.report.traffic import retry_causes, systems_in_order
from state.errors import LedgerError
from state.records import Outcome, RequestStats, RunRecord

log = logging.getLogger("bridge.daemon")

JOB_ID = "sync-cycle"
NAMED_PROBLEMS = 5
REASON_WIDTH = 160
# Changing these while running would mean new connections, another ledger or another side
# being written; they wait for a restart.
RESTART_SECTIONS = ("perfex", "onlyoffice")
RESTART_KEYS = (("sync", "ledger"), ("sync", "direction"))
SECTIONS = ("perfex", "onlyoffice", "sync", "mapping", "log", "alerts")


@dataclass(frozen=True)
class ReloadPlan:
    """Which `[section].key` names changed, split into applied now and kept until a restart."""

    applied: tuple[str, ...]
    needs_restart: tuple[str, ...]
    effective: BridgeConfig  # the new file with the restart-only values of the running one


def plan_reload(running: BridgeConfig, reloaded: BridgeConfig) -> ReloadPlan:
    applied: list[str] = []
    waiting: list[str] = []
    for section in SECTIONS:
        old, new = getattr(running, section), getattr(reloaded, section)
        for key in type(old).model_fields:
            if getattr(old, key) == getattr(new, key):
                continue
            name = f"[{section}].{key}"
            restart = section in RESTART_SECTIONS or (section, key) in RESTART_KEYS
            (waiting if restart else applied).append(name)
    kept_sync = {key: getattr(running.sync, key) for _, key in RESTART_KEYS}
    effective = reloaded.model_copy(
        update={
            "perfex": running.perfex,
            "onlyoffice": running.onlyoffice,
            "sync": reloaded.sync.model_copy(update=kept_sync),
        }
    )
    return ReloadPlan(tuple(applied), tuple(waiting), effective)


class Daemon:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        direction: str,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        housekeeping: Housekeeping | None = None,
        config: BridgeConfig | None = None,
        reload: Callable[[], BridgeConfig] | None = None,
        verbose: bool = False,
    ) -> None:
        self.engine = engine
        self.direction = direction
        self.interval = interval
        self.clock = clock
        self.housekeeping = housekeeping
        self.config = config
        self._load = reload
        self._verbose = verbose
        self.terminate = threading.Event()
        self.cycles = 0
        self._wake = threading.Event()
        self._reload_requested = False
        self._signal_seen: str | None = None
        self._cycle_lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None

    def run_forever(self, *, install_signals: bool = True) -> int:
        """Serves until `terminate` is set (by SIGTERM/SIGINT or a test). Returns 0."""
        if install_signals:
            self._install_signal_handlers()
        scheduler = BackgroundScheduler(
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        )
        scheduler.add_job(
            self.cycle, "interval", seconds=self.interval, next_run_time=datetime.now(), id=JOB_ID
        )
        self._scheduler = scheduler
        scheduler.start()
        log.info(
            "daemon started: %s every %ss",
            self.direction,
            self.interval,
            extra={"fields": {"direction": self.direction, "interval": self.interval}},
        )
        while not self.terminate.is_set():
            self._wake.wait(timeout=1.0)  # the timeout also notices `terminate` set by a test
            self._wake.clear()
            self._note_signal()
            if self._reload_requested and not self.terminate.is_set():
                self._reload_requested = False
                with self._cycle_lock:  # between cycles, never during one
                    self.reload()
        self.engine.interrupt("stopped by SIGTERM")  # the running cycle takes no new record
        scheduler.shutdown(wait=True)
        note_daemon_stopped(self.engine.ledger)
        log.info("daemon stopped after %d cycles", self.cycles)
        return 0

    def cycle(self) -> RunRecord | None:
        """One sync. Never raises: a failing cycle is logged and the daemon goes on."""
        with self._cycle_lock:
            if self.terminate.is_set():
                return None
            self.cycles += 1
            return self._run_cycle(self.cycles)

    def _run_cycle(self, number: int) -> RunRecord | None:
        started = self.clock()
        note_daemon_cycle(self.engine.ledger, now=self.engine.now(), interval=self.interval)
        try:
            request = RunRequest("daemon", self.direction, retry_schedule=True)
            record = self.engine.run(request)
        except (BridgeError, LedgerError) as error:
            fields = {"cycle": number, "error": str(error)}
            log.error("cycle %d failed: %s", number, error, extra={"fields": fields})
            return None
        except Exception as error:  # a bug in one cycle must not end the daemon
            log.exception("cycle %d failed unexpectedly: %s", number, error)
            return None
        seconds = self.clock() - started
        log.info(
            summary_line(number, record, seconds),
            extra={"fields": summary_fields(number, record, seconds)},
        )
        if self.housekeeping is not None:
            self.housekeeping.after_run(record)
        return record

    # -- SIGHUP ------------------------------------------------------------------------

    def reload(self) -> ReloadPlan | None:
        """Re-read the file and apply what may change while running (see the module doc)."""
        if self._load is None or self.config is None:
            log.warning("SIGHUP ignored: this daemon was started without a configuration file")
            return None
        try:
            plan = plan_reload(self.config, self._load())
            self._apply(plan.effective)
        except (ConfigError, ValueError) as error:
            log.error("configuration not reloaded, the running one stays: %s", error)
            return None
        if plan.needs_restart:
            log.warning(
                "configuration reloaded, but these changes wait for a restart: %s",
                ", ".join(plan.needs_restart),
                extra={"fields": {"needs_restart": list(plan.needs_restart)}},
            )
        applied = ", ".join(plan.applied) or "nothing that changed"
        log.info(
            "configuration reloaded: applied %s",
            applied,
            extra={"fields": {"applied": list(plan.applied)}},
        )
        return plan

    def _apply(self, config: BridgeConfig) -> None:
        from bridge.wiring import engine_settings  # the wiring imports the engine: late

        settings = engine_settings(config)  # may refuse (ValueError) before anything changed
        logs.configure(logs.settings_from(config, logs.DAEMON_LEVEL), verbose=self._verbose)
        self.engine.settings = settings
        if self.housekeeping is not None:
            self.housekeeping.apply(config)
        if config.sync.interval != self.interval:
            self.interval = config.sync.interval
            if self._scheduler is not None:
                self._scheduler.reschedule_job(JOB_ID, trigger="interval", seconds=self.interval)
        self.config = config

    # -- signals -----------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        def stop(signum: int, frame: object) -> None:
            self._signal_seen = signal.Signals(signum).name
            self.terminate.set()
            self.engine.stop.set()
            self._wake.set()

        def reload(signum: int, frame: object) -> None:
            self._signal_seen = "SIGHUP"
            self._reload_requested = True
            self._wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, reload)

    def _note_signal(self) -> None:
        """Log a signal from the main loop, not from the handler (which may interrupt logging)."""
        seen, self._signal_seen = self._signal_seen, None
        if seen == "SIGHUP":
            log.info("received SIGHUP; reloading the configuration between cycles")
        elif seen is not None:
            log.info("received %s; stopping after the current record", seen)


def summary_line(cycle: int, record: RunRecord, seconds: float) -> str:
    """`cycle 3: run 12 partial created=1 ... in 2.3s; retries: Perfex 4 (4 × 503); problems:
    INV-000012 failed (...); ...`"""
    counts = record.run.counts
    parts = " ".join(f"{key}={value}" for key, value in counts.items())
    line = f"cycle {cycle}: run {record.run.id} {record.run.status} {parts} in {seconds:.1f}s"
    retried = _retries(record)
    if retried:
        line += "; retries: " + ", ".join(
            f"{system_name(system)} {stats.retries} ({retry_causes(stats)})"
            for system, stats in retried.items()
        )
    problems = _problems(record)
    if not problems:
        return line
    named = "; ".join(_problem_text(outcome) for outcome in problems[:NAMED_PROBLEMS])
    more = len(problems) - NAMED_PROBLEMS
    tail = f"; and {more} more (crm-bridge report {record.run.id} --failed)" if more > 0 else ""
    return f"{line}; problems: {named}{tail}"


def summary_fields(cycle: int, record: RunRecord, seconds: float) -> dict[str, Any]:
    """The same facts as structured fields for JSON log lines."""
    problems = _problems(record)
    return {
        "cycle": cycle,
        "run_id": record.run.id,
        "status": record.run.status,
        "counts": dict(record.run.counts),
        "seconds": round(seconds, 1),
        "problems": [
            {"record": _record_name(o), "action": o.action, "reason": _reason(o)}
            for o in problems[:NAMED_PROBLEMS]
        ],
        "more_problems": max(0, len(problems) - NAMED_PROBLEMS),
        "retries": {
            system: {
                "retries": stats.retries,
                "retried_because": dict(stats.retried_because),
                "gave_up": stats.gave_up,
            }
            for system, stats in _retries(record).items()
        },
    }


def _retries(record: RunRecord) -> dict[str, RequestStats]:
    """The systems whose requests were retried during the run, Perfex first."""
    requests = record.run.requests
    return {
        system: requests[system]
        for system in systems_in_order(requests)
        if requests[system].retries
    }


def _problems(record: RunRecord) -> list[Outcome]:
    return [o for o in record.outcomes if o.action in ("failed", "conflict")]


def _problem_text(outcome: Outcome) -> str:
    return f"{_record_name(outcome)} {outcome.action} ({_reason(outcome)})"


def _record_name(outcome: Outcome) -> str:
    if outcome.kind == "invoice" and outcome.number:
        return outcome.number
    return f"{outcome.kind} {outcome.source} {outcome.source_id}"


def _reason(outcome: Outcome) -> str:
    """The outcome's error on one line, shortened: the report has it in full."""
    text = " ".join((outcome.error or "no reason recorded").split())
    return text if len(text) <= REASON_WIDTH else text[: REASON_WIDTH - 1] + "…"
