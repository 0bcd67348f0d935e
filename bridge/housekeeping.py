"""What follows a real run besides the sync itself: its HTML page, alerts, and a tidy ledger.

After every run that wrote to the ledger (`sync`, `backfill`, each daemon cycle):

* a quiet run (finished `ok`, nothing but unchanged records) is folded into the quiet run of
  the same command just before it, so a stretch of quiet cycles is one journal row
  (`state.retention`); it gets no HTML page;
* any other run gets its page in `[sync].report_dir`;
* new failures and conflicts go to `[alerts].webhook` (`bridge.alerts`);
* once a day, runs older than `[sync].keep_runs_days` are pruned, with their pages. The day is
  remembered in the ledger, so a timer that starts `crm-bridge sync` every few minutes prunes
  as reliably as the daemon does.

Must not: fail the run it follows. Every step logs its own trouble and the next step goes on;
the run's record in the ledger is already complete when this starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bridge.alerts import AlertSender
from bridge.config import BridgeConfig
from bridge.report_files import remove_run_reports, write_run_report
from state import Ledger, LedgerError
from state.records import RunRecord
from state.retention import QUIET_COMMANDS, Pruned

log = logging.getLogger("bridge.housekeeping")

PRUNED_AT = "retention.last_pruned_at"
PRUNE_EVERY = timedelta(days=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_quiet(record: RunRecord) -> bool:
    """Finished ok and changed nothing: no outcome but `unchanged`."""
    run = record.run
    return (
        not run.dry_run
        and run.status == "ok"
        and all(outcome.action == "unchanged" for outcome in record.outcomes)
    )


class Housekeeping:
    def __init__(
        self,
        ledger: Ledger,
        *,
        report_dir: Path | None,
        keep_runs_days: int,
        alerts: AlertSender | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.ledger = ledger
        self.report_dir = report_dir
        self.keep_runs_days = keep_runs_days
        self.alerts = alerts
        self.now = now

    @classmethod
    def from_config(
        cls, config: BridgeConfig, ledger: Ledger, now: Callable[[], datetime] = utc_now
    ) -> Housekeeping:
        keeper = cls(ledger, report_dir=None, keep_runs_days=1, now=now)
        keeper.apply(config)
        return keeper

    def apply(self, config: BridgeConfig) -> None:
        """Take the settings from `config` (at start, and on a daemon reload)."""
        webhook = config.alerts.webhook
        self.report_dir = config.report_dir
        self.keep_runs_days = config.sync.keep_runs_days
        self.alerts = AlertSender(webhook.get_secret_value(), self.ledger) if webhook else None

    def after_run(self, record: RunRecord) -> None:
        """Everything above, for one finished run. Never raises for a ledger or file problem."""
        if record.run.dry_run:
            return  # --dry-run writes nothing anywhere
        steps = (lambda: self._fold_or_page(record), lambda: self._alert(record), self.prune_if_due)
        for step in steps:
            try:
                step()
            except (LedgerError, OSError) as error:
                log.warning("after run %d: %s", record.run.id, error)

    def _fold_or_page(self, record: RunRecord) -> None:
        if is_quiet(record) and record.run.command in QUIET_COMMANDS:
            folded = self.ledger.fold_quiet_run(record.run.id)
            if folded is not None:
                log.debug("run %d joined the quiet stretch of run %d", folded, record.run.id)
            return
        if self.report_dir is not None:
            write_run_report(self.report_dir, record)

    def _alert(self, record: RunRecord) -> None:
        if self.alerts is not None:
            sent = self.alerts.notify(record, self.now())
            if sent:
                log.info("announced %d new problem(s) to the alert webhook", sent)

    def prune_if_due(self) -> Pruned | None:
        """Prune when the last prune is a day old (or never happened)."""
        last = self.ledger.get_meta(PRUNED_AT)
        now = self.now()
        if last is not None and now - _parsed(last, now) < PRUNE_EVERY:
            return None
        return self.prune(self.keep_runs_days)

    def prune(self, keep_days: int) -> Pruned:
        """Drop runs started more than `keep_days` days ago, and their HTML pages."""
        now = self.now()
        pruned = self.ledger.prune_runs(now - timedelta(days=keep_days))
        self.ledger.set_meta(PRUNED_AT, now.isoformat())
        if self.report_dir is not None and pruned.run_ids:
            remove_run_reports(self.report_dir, pruned.run_ids)
        if pruned.runs:
            log.info(
                "pruned %d run(s) older than %d days and their %d outcome(s)",
                pruned.runs,
                keep_days,
                pruned.outcomes,
            )
        return pruned


def _parsed(stamp: str, fallback: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return fallback - PRUNE_EVERY  # unreadable: prune now and write a good stamp
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
