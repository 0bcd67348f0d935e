"""What every part of one run shares: the two clients, the ledger, the journal, the settings.

The ledger's SQLite connection is used from worker threads, so every ledger call goes through
here, under one lock. A dry run reads the ledger but never writes it: links, intents and
fingerprints are kept in memory for the length of the run instead, and creates hand out
placeholder ids (negative numbers) so the rest of the plan can still be computed.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bridge.engine.journal import RunJournal
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from mappings.problems import MappingError
from mappings.settings import MappingSettings
from state import Ledger, Link, Problem
from state.records import Outcome

T = TypeVar("T")


@dataclass(frozen=True)
class EngineSettings:
    mapping: MappingSettings
    conflict_policy: str = "report"  # "report", "perfex_wins", "onlyoffice_wins"
    locked_invoices: str = "reopen"  # "reopen" or "report"
    on_mirror_edit: str = "restore"  # one-way, a person edited the mirror: "restore", "report"
    deep_pass_every: int = 12  # every Nth sync reads open invoices in full; 0 = never
    deep_pass_budget: int = 200  # at most this many full reads per deep pass
    retry_backoff_max: float = 86400.0  # seconds: the longest a failed record waits (daemon)
    safety_stop: bool = True
    perfex_concurrency: int = 4
    onlyoffice_concurrency: int = 4


class RunContext:
    def __init__(
        self,
        *,
        perfex: PerfexClient,
        onlyoffice: OnlyofficeClient,
        ledger: Ledger,
        journal: RunJournal,
        settings: EngineSettings,
        now: Callable[[], datetime],
        stop: threading.Event,
        ledger_lock: threading.RLock,
    ) -> None:
        self.perfex = perfex
        self.onlyoffice = onlyoffice
        self.ledger = ledger
        self.journal = journal
        self.settings = settings
        self.now = now
        self.stop = stop
        self.dry_run = journal.dry_run
        self._lock = ledger_lock
        self._dry_links: dict[tuple[str, str, str], Link] = {}
        self._placeholder_ids = itertools.count(-1, -1)
        self._problems: dict[tuple[str, str], Problem] | None = None

    # -- ledger access --------------------------------------------------------------------

    def link_for(self, kind: str, side: str, record_id: str) -> Link | None:
        if self.dry_run and (kind, side, record_id) in self._dry_links:
            return self._dry_links[(kind, side, record_id)]
        with self._lock:
            return self.ledger.link_for(kind, side, record_id)

    def links(self, kind: str) -> list[Link]:
        with self._lock:
            return self.ledger.links(kind)

    def save_link(self, link: Link, intent: int | None = None) -> None:
        """Stores a link (and closes the create intent that led to it) in one transaction."""
        stamped = replace(link, synced_at=self.now())
        if self.dry_run:
            self._dry_links[(link.kind, "perfex", link.perfex_id)] = stamped
            self._dry_links[(link.kind, "onlyoffice", link.onlyoffice_id)] = stamped
            return
        with self._lock, self.ledger.transaction():
            self.ledger.save_link(stamped)
            if intent is not None:
                self.ledger.close_intent(intent)

    def set_raw_digests(self, digests: list[tuple[str, str, str]]) -> None:
        """Remember the raw rows of unchanged pairs as they are now (one transaction)."""
        if self.dry_run or not digests:
            return
        with self._lock:
            self.ledger.set_raw_digests("invoice", list(digests))

    def open_intent(
        self, kind: str, target: str, natural_key: str, source: str, source_id: str
    ) -> int | None:
        if self.dry_run:
            return None
        with self._lock:
            return self.ledger.open_intent(kind, target, natural_key, source, source_id, self.now())

    def close_intent(self, intent: int | None) -> None:
        if intent is None or self.dry_run:
            return
        with self._lock:
            self.ledger.close_intent(intent)

    # -- open problems ----------------------------------------------------------------------

    def _open_problems(self) -> dict[tuple[str, str], Problem]:
        """Read once per run: the engine asks about every pair it looks at."""
        with self._lock:
            if self._problems is None:
                found = self.ledger.open_problems()
                self._problems = {(p.side, p.record_id): p for p in found if p.kind == "invoice"}
            return self._problems

    def problem_for(self, side: str, record_id: str) -> Problem | None:
        return self._open_problems().get((side, record_id))

    def note_problem(
        self,
        side: str,
        record_id: str,
        *,
        number: str | None,
        action: str,
        reason: str | None,
        error: str | None,
        row_fp: str | None,
        retry_delays: Sequence[timedelta],
    ) -> None:
        """Keeps a failure or conflict open across runs, with the time its retry is due."""
        problems = self._open_problems()
        if self.dry_run:
            return
        before = problems.get((side, record_id))
        attempts = before.attempts if before is not None else 0
        delay = min(
            retry_delays[min(attempts, len(retry_delays) - 1)],
            timedelta(seconds=self.settings.retry_backoff_max),
        )
        with self._lock:
            problems[(side, record_id)] = self.ledger.note_problem(
                kind="invoice",
                side=side,
                record_id=record_id,
                number=number,
                action=action,
                reason=reason,
                error=error,
                row_fp=row_fp,
                now=self.now(),
                next_try_at=self.now() + delay,
            )

    def settle_problem(self, side: str, record_id: str) -> None:
        problems = self._open_problems()
        if self.dry_run or (side, record_id) not in problems:
            return
        with self._lock:
            problems.pop((side, record_id), None)
            self.ledger.settle_problem("invoice", side, record_id)

    # -- line-tax history ---------------------------------------------------------------------

    def line_tax_history(self) -> dict[str, tuple[str, ...]]:
        with self._lock:
            return self.ledger.line_tax_history()

    def remember_line_taxes(self, taxes: dict[str, list[str]]) -> None:
        """Description → "NAME|RATE" taxes a Perfex line is now known to carry."""
        if self.dry_run or not taxes:
            return
        with self._lock:
            self.ledger.remember_line_taxes(taxes, self.now())

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            return self.ledger.get_meta(key)

    def set_meta(self, key: str, value: str) -> None:
        if self.dry_run:
            return
        with self._lock:
            self.ledger.set_meta(key, value)

    # -- reading lists one row at a time ---------------------------------------------------

    def readable(
        self,
        rows: Iterable[Any],
        parse: Callable[[Any], T],
        what: str,
        rejected: list[tuple[Any, str]] | None = None,
    ) -> list[T]:
        """The rows of a list of `what` that parse; one that does not is left out and said
        once in the report, so a damaged row of a catalogue never stops an invoice. Rows left
        out are added to `rejected` with the reason, for callers that must not take a row
        they cannot read for one that is not there."""
        parsed: list[T] = []
        for raw in rows:
            try:
                parsed.append(parse(raw))
            except (MappingError, KeyError, TypeError, ValueError) as error:
                detail = " ".join(str(error).split())[:160]
                self.journal.note(f"a row of {what} could not be read and was left out ({detail})")
                if rejected is not None:
                    rejected.append((raw, detail))
        return parsed

    # -- journal --------------------------------------------------------------------------

    def record(self, outcome: Outcome) -> None:
        self.journal.record(outcome)

    def placeholder_id(self) -> int:
        """A stand-in id for something a dry run would have created."""
        return next(self._placeholder_ids)
