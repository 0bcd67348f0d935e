"""The long-lived mode: a sync every [sync].interval seconds until SIGTERM or Ctrl-C.

APScheduler runs the cycles on a background thread, never two at once (max_instances=1, and
the ledger's lock keeps a manual backfill out too). A failing cycle is logged in one line and
the next one runs as planned. SIGTERM asks the running cycle to stop between records, waits for
it to close its journal, and returns: nothing is cut off in the middle of a write.

This is the only module that imports apscheduler.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bridge.engine import RunRequest, SyncEngine
from bridge.errors import BridgeError
from bridge.health import note_daemon_cycle, note_daemon_stopped
from state.errors import LedgerError
from state.records import RunRecord

log = logging.getLogger("bridge.daemon")


class Daemon:
    def __init__(
        self,
        engine: SyncEngine,
        *,
        direction: str,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.direction = direction
        self.interval = interval
        self.clock = clock
        self.terminate = threading.Event()
        self.cycles = 0

    def run_forever(self, *, install_signals: bool = True) -> int:
        """Serves until `terminate` is set (by SIGTERM/SIGINT or a test). Returns 0."""
        log.setLevel(logging.INFO)
        if install_signals:
            self._install_signal_handlers()
        scheduler = BackgroundScheduler(
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        )
        scheduler.add_job(
            self.cycle, "interval", seconds=self.interval, next_run_time=datetime.now()
        )
        scheduler.start()
        log.info("daemon started: %s every %ss", self.direction, self.interval)
        self.terminate.wait()
        self.engine.interrupt("stopped by SIGTERM")  # the running cycle takes no new record
        scheduler.shutdown(wait=True)
        note_daemon_stopped(self.engine.ledger)
        log.info("daemon stopped after %d cycles", self.cycles)
        return 0

    def cycle(self) -> RunRecord | None:
        """One sync. Never raises: a failing cycle is logged and the daemon goes on."""
        if self.terminate.is_set():
            return None
        self.cycles += 1
        started = self.clock()
        note_daemon_cycle(self.engine.ledger, now=self.engine.now(), interval=self.interval)
        try:
            request = RunRequest("daemon", self.direction, retry_schedule=True)
            record = self.engine.run(request)
        except (BridgeError, LedgerError) as error:
            log.error("cycle %d failed: %s", self.cycles, error)
            return None
        except Exception as error:  # a bug in one cycle must not end the daemon
            log.exception("cycle %d failed unexpectedly: %s", self.cycles, error)
            return None
        log.info(summary_line(self.cycles, record, self.clock() - started))
        return record

    def _install_signal_handlers(self) -> None:
        def stop(signum: int, frame: object) -> None:
            log.info("received %s; stopping after the current record", signal.Signals(signum).name)
            self.terminate.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)


def summary_line(cycle: int, record: RunRecord, seconds: float) -> str:
    counts = record.run.counts
    parts = " ".join(f"{key}={value}" for key, value in counts.items())
    return f"cycle {cycle}: run {record.run.id} {record.run.status} {parts} in {seconds:.1f}s"
