"""The run journal as the engine sees it: outcomes recorded as they happen, counts kept.

A real run writes every outcome to the ledger the moment it is known (a crash keeps what was
done); a dry run keeps them in memory only, because --dry-run writes nothing anywhere. Workers
record from several threads, so every method takes the journal's lock. When the run finishes,
the journal asks `requests` what the run asked of each system, and stores that with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from state import Ledger
from state.records import COUNT_KEYS, Outcome, RequestStats, RunRecord, RunSummary, count_key

HEARTBEAT = timedelta(minutes=5)


class RunJournal:
    def __init__(
        self,
        ledger: Ledger | None,
        *,
        command: str,
        direction: str,
        dry_run: bool,
        now: Callable[[], datetime],
        ledger_lock: threading.RLock,
        requests: Callable[[], Mapping[str, RequestStats]] = dict,
    ) -> None:
        self._ledger = None if dry_run else ledger
        self._now = now
        self._requests = requests
        self._lock = ledger_lock
        self.command = command
        self.direction = direction
        self.dry_run = dry_run
        self.started_at = now()
        self.outcomes: list[Outcome] = []
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.quiet_unchanged = 0  # counted, not itemised (see count_unchanged)
        self.waiting = 0  # failed records whose retry is not due yet (see count_waiting)
        self.notes: list[str] = []  # said once in the report (see note)
        self.run_id = 0
        self._heartbeat = self.started_at
        if self._ledger is not None:
            with self._lock:
                self.run_id = self._ledger.start_run(command, direction, dry_run, self.started_at)

    def record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)
            self.counts[count_key(outcome.action)] += 1
            if self._ledger is not None:
                self._ledger.record_outcome(self.run_id, outcome)
                self._beat(self._ledger)

    def _beat(self, ledger: Ledger) -> None:
        """Keeps the runner lock fresh during a long run, so no other run mistakes it for a
        stale lock and takes it over (a held lock is only refreshed, never taken here)."""
        now = self._now()
        if ledger.holds_lock and now - self._heartbeat >= HEARTBEAT:
            ledger.refresh_lock(now)
            self._heartbeat = now

    def note(self, message: str) -> None:
        """Something the run went without (an optional read), said once in its report."""
        with self._lock:
            if message not in self.notes:
                self.notes.append(message)

    def count_waiting(self) -> None:
        """A failed record left for its scheduled retry (daemon cycles): not itemised."""
        with self._lock:
            self.waiting += 1

    def count_unchanged(self) -> None:
        """Counts an untouched record without journalling a row for it: a daemon cycle over
        thousands of untouched invoices would otherwise grow the ledger by as many rows."""
        with self._lock:
            self.quiet_unchanged += 1
            self.counts["unchanged"] += 1

    @property
    def has_failures(self) -> bool:
        return bool(self.counts["failed"] or self.counts["conflicts"])

    def finish(self, status: str, message: str | None = None) -> RunRecord:
        finished = self._now()
        requests = dict(self._requests())
        with self._lock:
            if self._ledger is not None:
                summary = self._ledger.finish_run(
                    self.run_id,
                    status,
                    finished,
                    message=message,
                    unchanged=self.quiet_unchanged,
                    requests=requests,
                )
            else:
                summary = RunSummary(
                    id=0,
                    command=self.command,
                    direction=self.direction,
                    dry_run=self.dry_run,
                    started_at=self.started_at,
                    finished_at=finished,
                    status=status,
                    counts=dict(self.counts),
                    message=message,
                    requests=requests,
                )
            return RunRecord(summary, tuple(self.outcomes))
