"""One sync run from start to finish: the lock, open intents, the passes, the journal.

`SyncEngine.run` is what `sync`, `backfill`, every daemon cycle and the demo call. It takes the
single-runner lock (not for a dry run, which writes nothing), settles create intents left open
by an earlier run that was cut off, runs the pass for the requested direction, and closes the
journal with a status: `ok`, `partial` (some records failed or conflicted) or `failed` (the run
stopped: credentials refused, a system unreachable, a safety stop, or SIGTERM).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bridge.engine.context import EngineSettings, RunContext
from bridge.engine.journal import RunJournal
from bridge.engine.to_onlyoffice import PassOptions, PerfexToOnlyofficePass
from bridge.engine.workers import RUN_ENDING
from bridge.errors import AnswerLost, BridgeError, ConfigError, RetryableError, SafetyStop
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from state import Ledger, Link
from state.records import RunRecord

log = logging.getLogger(__name__)

CYCLE_COUNTER = "sync_cycles"
SUPPORTED_DIRECTIONS = ("perfex_to_onlyoffice",)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunRequest:
    command: str  # "sync", "backfill", "daemon", "demo"
    direction: str
    dry_run: bool = False
    since: date | None = None
    deep_pass: bool | None = None  # None: every [sync].deep_pass_every-th sync


@dataclass(frozen=True)
class Progress:
    """Hooks for a progress display: `start(total)` once, `advance()` per record."""

    start: Callable[[int], None]
    advance: Callable[[], None]


class SyncEngine:
    def __init__(
        self,
        *,
        perfex: PerfexClient,
        onlyoffice: OnlyofficeClient,
        ledger: Ledger,
        settings: EngineSettings,
        now: Callable[[], datetime] = utc_now,
        stop: threading.Event | None = None,
    ) -> None:
        self.perfex = perfex
        self.onlyoffice = onlyoffice
        self.ledger = ledger
        self.settings = settings
        self.now = now
        self.stop = stop or threading.Event()
        self._ledger_lock = threading.RLock()

    def run(self, request: RunRequest, progress: Progress | None = None) -> RunRecord:
        if request.direction not in SUPPORTED_DIRECTIONS:
            raise ConfigError(
                f"direction {request.direction} is not supported by this version of "
                "crm-bridge; use perfex_to_onlyoffice"
            )
        if request.dry_run:
            return self._run_locked(request, progress)
        self.ledger.acquire_lock(request.command, self.now())
        try:
            return self._run_locked(request, progress)
        finally:
            self.ledger.release_lock()

    def _run_locked(self, request: RunRequest, progress: Progress | None) -> RunRecord:
        journal = RunJournal(
            self.ledger,
            command=request.command,
            direction=request.direction,
            dry_run=request.dry_run,
            now=self.now,
            ledger_lock=self._ledger_lock,
        )
        ctx = RunContext(
            perfex=self.perfex,
            onlyoffice=self.onlyoffice,
            ledger=self.ledger,
            journal=journal,
            settings=self.settings,
            now=self.now,
            stop=self.stop,
            ledger_lock=self._ledger_lock,
        )
        try:
            if not request.dry_run:
                self._settle_open_intents(ctx)
            options = PassOptions(
                since=request.since,
                deep_pass=self._deep_pass_due(ctx, request),
                progress=progress.start if progress else None,
                advance=progress.advance if progress else None,
            )
            PerfexToOnlyofficePass(ctx, options).run()
        except (*RUN_ENDING, SafetyStop) as error:
            journal.finish("failed", message=str(error))
            raise
        except BridgeError as error:
            journal.finish("failed", message=str(error))
            raise
        if self.stop.is_set():
            return journal.finish("failed", message="stopped before the end; run again to finish")
        return journal.finish("partial" if journal.has_failures else "ok")

    def _deep_pass_due(self, ctx: RunContext, request: RunRequest) -> bool:
        if request.deep_pass is not None:
            return request.deep_pass
        every = self.settings.deep_pass_every
        if request.command == "backfill" or every <= 0:
            return False
        cycles = int(ctx.get_meta(CYCLE_COUNTER) or 0) + 1
        ctx.set_meta(CYCLE_COUNTER, str(cycles))
        return cycles % every == 0

    def _settle_open_intents(self, ctx: RunContext) -> None:
        """An intent still open means a create was sent and its outcome never recorded.

        Invoices are looked up by number and adopted when they exist. Contacts, products and
        taxes need nothing here: their resolution always looks the natural key up on
        ONLYOFFICE before it creates anything.
        """
        for intent in self.ledger.open_intents("onlyoffice"):
            if intent.kind != "invoice" or ctx.link_for("invoice", "perfex", intent.source_id):
                ctx.close_intent(intent.id)
                continue
            try:
                found = self.onlyoffice.invoice_by_number(intent.natural_key)
            except (RetryableError, AnswerLost) as error:
                log.warning("open intent %s left for later: %s", intent.natural_key, error)
                continue
            if found is None:
                ctx.close_intent(intent.id)  # the create never landed; this run redoes it
                continue
            link = Link("invoice", intent.source_id, str(found["id"]), intent.natural_key)
            ctx.save_link(link, intent.id)
