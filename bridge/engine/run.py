"""One sync run from start to finish: the lock, open intents, the passes, the journal.

`SyncEngine.run` is what `sync`, `backfill`, every daemon cycle and the demo call. It takes the
single-runner lock (not for a dry run, which writes nothing), settles create intents left open
by an earlier run that was cut off, runs the pass for the requested direction (Perfex →
ONLYOFFICE, ONLYOFFICE → Perfex, or both at once), and closes the journal with a status: `ok`,
`partial` (some records failed or conflicted) or `failed` (the run stopped: credentials
refused, a system unreachable, a safety stop, or SIGTERM). Whatever the status, the run's
journal gets what the run asked of each system: both clients' request statistics are read
when it starts and when it ends, and the difference is stored with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bridge.engine.context import EngineSettings, RunContext
from bridge.engine.journal import RunJournal
from bridge.engine.onlyoffice_side import OnlyofficeSide
from bridge.engine.perfex_side import PerfexNumber, PerfexSide
from bridge.engine.plan import direction as direction_named
from bridge.engine.sides import InvoiceSide
from bridge.engine.stages import RUN_ENDING
from bridge.engine.sync import InvoiceSync, SyncOptions
from bridge.errors import (
    AnswerLost,
    BridgeError,
    ConfigError,
    RecordRejected,
    RetryableError,
    SafetyStop,
    UnreadableAnswer,
)
from bridge.http_stats import RequestSnapshot
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from mappings.fingerprint import (
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.onlyoffice import OnlyofficeInvoice
from state import Ledger, Link
from state.intents import Intent
from state.records import RequestStats, RunRecord

log = logging.getLogger(__name__)

CYCLE_COUNTER = "sync_cycles"
SUPPORTED_DIRECTIONS = ("perfex_to_onlyoffice", "onlyoffice_to_perfex", "both")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunRequest:
    command: str  # "sync", "backfill", "daemon", "demo"
    direction: str
    dry_run: bool = False
    since: date | None = None
    deep_pass: bool | None = None  # None: every [sync].deep_pass_every-th sync
    retry_schedule: bool = False  # daemon cycles: failed records wait for their retry time
    # Only these invoices (by either side's number, or an id on either side); None: all.
    invoices: frozenset[str] | None = None


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
        self.interrupted_by: str | None = None
        self._ledger_lock = threading.RLock()

    def interrupt(self, reason: str = "interrupted") -> None:
        """Stop taking new records (Ctrl-C, SIGTERM); records in flight finish."""
        self.interrupted_by = reason
        self.stop.set()

    def run(self, request: RunRequest, progress: Progress | None = None) -> RunRecord:
        if request.direction not in SUPPORTED_DIRECTIONS:
            raise ConfigError(
                f"direction {request.direction} is not supported by this version of "
                f"crm-bridge; use one of {', '.join(SUPPORTED_DIRECTIONS)}"
            )
        if self.interrupted_by is None:
            self.stop.clear()  # a run-ending error of an earlier run does not end this one
        if request.dry_run:
            return self._run_locked(request, progress)
        self.ledger.acquire_lock(request.command, self.now())
        try:
            return self._run_locked(request, progress)
        finally:
            self.ledger.release_lock()

    def _run_locked(self, request: RunRequest, progress: Progress | None) -> RunRecord:
        at_start = self._request_snapshots()
        journal = RunJournal(
            self.ledger,
            command=request.command,
            direction=request.direction,
            dry_run=request.dry_run,
            now=self.now,
            ledger_lock=self._ledger_lock,
            requests=lambda: self._requests_since(at_start),
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
            self._sync(ctx, request, progress)
        except (*RUN_ENDING, SafetyStop) as error:
            journal.finish("failed", message=str(error))
            raise
        except BridgeError as error:
            journal.finish("failed", message=str(error))
            raise
        except KeyboardInterrupt:
            journal.finish(
                "interrupted",
                message="abandoned by a second interrupt; the records in flight are redone "
                "by the next run",
            )
            raise
        except BaseException as error:
            # An unexpected error (a bug, a lost ledger): the journal is closed either way, so
            # no run is ever left `running` but by a kill.
            journal.finish(
                "failed", message=f"stopped by an unexpected error ({type(error).__name__})"
            )
            raise
        if journal.waiting:
            journal.note(
                f"{journal.waiting} invoice(s) that failed before wait for their next retry "
                "(their rows did not change); `crm-bridge retry` tries them now"
            )
        notes = "; ".join(journal.notes) or None
        if self.interrupted_by is not None:
            message = f"{self.interrupted_by}: stopped before the end; run again to finish"
            return journal.finish("interrupted", message=message)
        return journal.finish("partial" if journal.has_failures else "ok", message=notes)

    def _request_snapshots(self) -> dict[str, RequestSnapshot]:
        return {
            "perfex": self.perfex.request_stats(),
            "onlyoffice": self.onlyoffice.request_stats(),
        }

    def _requests_since(self, at_start: dict[str, RequestSnapshot]) -> dict[str, RequestStats]:
        now = self._request_snapshots()
        return {system: now[system].since(at_start[system]) for system in now}

    def _sync(self, ctx: RunContext, request: RunRequest, progress: Progress | None) -> None:
        settings = self.settings
        sides: dict[str, InvoiceSide] = {
            "perfex": PerfexSide(ctx),
            "onlyoffice": OnlyofficeSide(ctx),
        }
        options = SyncOptions(
            since=request.since,
            deep_pass=self._deep_pass_due(ctx, request),
            deep_pass_budget=settings.deep_pass_budget,
            retry_schedule=request.retry_schedule,
            invoices=request.invoices,
            progress=progress.start if progress else None,
            advance=progress.advance if progress else None,
        )
        direction = direction_named(
            request.direction, settings.conflict_policy, settings.on_mirror_edit
        )
        workers = min(settings.perfex_concurrency, settings.onlyoffice_concurrency)
        InvoiceSync(ctx, direction, sides, options, workers).run()

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

        Invoices are looked up by number and adopted when they exist; the link then holds the
        fingerprints of what was found on the target and none for the source, so the next pass
        compares and finishes the job in either direction. Contacts, products and taxes need
        nothing here: their resolution always looks the natural key up on the target before
        it creates anything.
        """
        for intent in self.ledger.open_intents():
            if intent.kind != "invoice" or ctx.link_for("invoice", intent.source, intent.source_id):
                ctx.close_intent(intent.id)
                continue
            try:
                link = self._adoptable(ctx, intent)
            except (RetryableError, AnswerLost, RecordRejected, UnreadableAnswer) as error:
                log.warning("open intent %s left for later: %s", intent.natural_key, error)
                continue
            if link is None:
                ctx.close_intent(intent.id)  # the create never landed; this run redoes it
                continue
            ctx.save_link(link, intent.id)

    def _adoptable(self, ctx: RunContext, intent: Intent) -> Link | None:
        """The link to what an open intent's create left on its target, if it left anything."""
        if intent.target == "perfex":
            return self._adoptable_in_perfex(ctx, intent)
        found = self.onlyoffice.invoice_by_number(intent.natural_key)
        if found is None:
            return None
        # `bynumber` leaves the lines out (onlyoffice-api.md 3.9): read the invoice in full.
        target = OnlyofficeInvoice.from_api(self.onlyoffice.get_invoice(found["id"]))
        return Link(
            "invoice",
            intent.source_id,
            str(target.id),
            intent.natural_key,
            onlyoffice_fp=onlyoffice_fingerprint(target),
            onlyoffice_row_fp=onlyoffice_row_fingerprint(target),
        )

    def _adoptable_in_perfex(self, ctx: RunContext, intent: Intent) -> Link | None:
        parsed = PerfexNumber.from_intent_key(intent.natural_key)
        side = PerfexSide(ctx)
        found = side.find(*parsed) if parsed is not None else None
        if found is None:
            return None
        target = side.read(found)
        number = ctx.settings.mapping.number_format.format(
            target.prefix, target.number, target.date.year
        )
        return Link(
            "invoice",
            found,
            intent.source_id,
            number,
            perfex_fp=perfex_fingerprint(target),
            perfex_row_fp=perfex_row_fingerprint(target),
        )
