"""Both systems' invoices as the sync engine sees them, looked at without writing anything.

`BridgeView` lists both sides through the engine's own sides (`PerfexSide`, `OnlyofficeSide`),
pairs the rows the way the engine does (`sync.pair_rows`: the ledger's links first, then by
number), reads invoices in full in parallel, and finds the pairs a person names (`sync
--invoice`, `resolve`, `accept`). `audit` and the per-invoice commands share it, so what they
report is what the next sync would see.

Its run context is a dry run's: whatever the sides look up or remember (a contact's billing
address, say) stays in memory; nothing is written to either system or to the ledger.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.engine.context import EngineSettings, RunContext
from bridge.engine.journal import RunJournal
from bridge.engine.onlyoffice_side import OnlyofficeSide
from bridge.engine.perfex_side import PerfexSide
from bridge.engine.plan import SIDES, Direction, direction
from bridge.engine.sides import InvoiceSide, Listed
from bridge.engine.sync import Pair, facts_mismatch, pair_names, pair_rows
from bridge.errors import RecordRejected, RetryableError
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from mappings.onlyoffice import OnlyofficeItem, OnlyofficeTax
from mappings.problems import MappingError
from state import Ledger

# Errors that leave one invoice unread while the others can still be read. Credentials refused
# and a system unreachable are not among them: they end the command.
READ_ERRORS = (RecordRejected, RetryableError, MappingError)


@dataclass(frozen=True)
class Read:
    """One invoice read in full, or why it could not be."""

    doc: Any | None
    error: str | None = None


class BridgeView:
    def __init__(
        self,
        *,
        perfex: PerfexClient,
        onlyoffice: OnlyofficeClient,
        ledger: Ledger,
        settings: EngineSettings,
        direction_name: str,
        now: Callable[[], datetime],
    ) -> None:
        lock = threading.RLock()
        journal = RunJournal(
            None,
            command="audit",
            direction=direction_name,
            dry_run=True,
            now=now,
            ledger_lock=lock,
        )
        self.ctx = RunContext(
            perfex=perfex,
            onlyoffice=onlyoffice,
            ledger=ledger,
            journal=journal,
            settings=settings,
            now=now,
            stop=threading.Event(),
            ledger_lock=lock,
        )
        self.settings = settings
        self.direction: Direction = direction(
            direction_name, settings.conflict_policy, settings.on_mirror_edit
        )
        self.sides: dict[str, InvoiceSide] = {
            "perfex": PerfexSide(self.ctx),
            "onlyoffice": OnlyofficeSide(self.ctx),
        }
        self._names: dict[str, dict[str, str]] | None = None
        self._names_lock = threading.Lock()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the look went without (an optional list a token may not read), said once."""
        return tuple(self.ctx.journal.notes)

    # -- listing and pairing ------------------------------------------------------------

    def pairs(self) -> list[Pair]:
        """Every invoice of both sides, paired as the engine pairs them."""
        listed = {side: self.sides[side].list_rows() for side in SIDES}
        return pair_rows(self.ctx.links("invoice"), listed)

    def named(self, pairs: Iterable[Pair], name: str) -> list[Pair]:
        """The pairs `name` names: a number as either side shows it, an id on either side, or
        a side-qualified id such as "perfex:58"."""
        wanted = name.strip()
        return [pair for pair in pairs if wanted in pair_names(pair)]

    def skip_reason(self, listed: Listed) -> str | None:
        """Why this invoice is not expected on the other side at all (a Perfex draft still
        holding its placeholder number, or drafts that are not carried), if it is not."""
        if listed.row is None:
            return None
        return self.sides[listed.side].skip_reason(listed.row)

    def mismatch(self, pair: Pair) -> str | None:
        """For an unlinked pair: "customer", "year" or "total" when the two invoices that carry
        the number are not the same invoice; None when they are."""
        assert pair.perfex is not None and pair.onlyoffice is not None
        if pair.perfex.row is None or pair.onlyoffice.row is None:
            return None
        perfex = self.sides["perfex"].facts(pair.perfex.row)
        onlyoffice = self.sides["onlyoffice"].facts(pair.onlyoffice.row)
        return facts_mismatch(self.ctx, perfex, onlyoffice)

    def onlyoffice_names(self) -> dict[str, dict[str, str]]:
        """ONLYOFFICE product titles and tax names by id, listed once, for showing lines."""
        with self._names_lock:
            if self._names is None:
                items = self.ctx.readable(
                    self.ctx.onlyoffice.list_items(), OnlyofficeItem.from_api, "ONLYOFFICE products"
                )
                taxes = self.ctx.readable(
                    self.ctx.onlyoffice.list_taxes(), OnlyofficeTax.from_api, "ONLYOFFICE taxes"
                )
                titles = {str(item.id): item.title for item in items}
                rates = {str(tax.id): f"{tax.name} {tax.rate.normalize():f}%" for tax in taxes}
                self._names = {"invoiceItemID": titles, "invoiceTax1ID": rates}
            return self._names

    # -- reading ------------------------------------------------------------------------

    def read(self, side: str, record_id: str) -> Read:
        try:
            return Read(self.sides[side].read(record_id))
        except READ_ERRORS as error:
            return Read(None, " ".join(str(error).split()))

    def read_in_batches(
        self, batches: Iterable[Sequence[tuple[str, str]]]
    ) -> Iterator[dict[tuple[str, str], Read]]:
        """Reads batches of (side, id) in full, each system up to its configured concurrency
        and both systems at once; the next batch is already being read while the caller works
        on the one it was handed, so neither system waits for the other or for the caller."""
        workers = {
            "perfex": self.settings.perfex_concurrency,
            "onlyoffice": self.settings.onlyoffice_concurrency,
        }
        pools = {
            side: ThreadPoolExecutor(max_workers=max(1, workers[side]), thread_name_prefix=side)
            for side in SIDES
        }

        def submit(batch: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Future[Read]]:
            return {key: pools[key[0]].submit(self.read, *key) for key in batch}

        try:
            pending: dict[tuple[str, str], Future[Read]] | None = None
            for batch in batches:
                following = submit(batch)
                if pending is not None:
                    yield {key: future.result() for key, future in pending.items()}
                pending = following
            if pending is not None:
                yield {key: future.result() for key, future in pending.items()}
        finally:
            for pool in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)
