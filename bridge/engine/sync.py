"""The one sync algorithm, for every direction: observe both sides, decide per pair, execute.

1. **Observe.** List both sides' invoices (rows carry no lines; each row is parsed on its own,
   so one bad row is that record's failure). Stop when a side suddenly lists nothing while the
   ledger links invoices. Pair rows through the ledger's links, then unlinked ones by number.
   A linked pair whose rows are as last synced is unchanged without a read; the others are read
   in full where their state depends on it (`plan.needs_full_read`), and the periodic deep pass
   re-reads a budget of open invoices for line-only edits.
2. **Decide** per pair with `plan.decide`, from the state of each side, the direction, whether
   an unlinked counterpart is the same invoice, and whether both sides already agree.
3. **Execute** the writes a window of pairs at a time, each stage isolating its records: the
   target side prepares each write (maps it and runs every check that can refuse it: nothing is
   written for a refused invoice) and `plan.settle` decides whether it goes ahead; then
   dependencies are found or created, the target side runs its batch step (reopening locked
   ONLYOFFICE invoices), writes each invoice, runs its closing batch step (status moves, Perfex
   ids), and each pair is linked with both sides' fingerprints and recorded.

A direction is configuration (`plan.Direction`): one-way is this algorithm with one side
read-only. An interrupt (SIGINT/SIGTERM) starts no new record; writes in flight finish and the
closing steps run, so nothing is left half done.

Must not: delete anything on either side, or write to a side the direction makes read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from bridge.engine.context import RunContext
from bridge.engine.finish import Finisher
from bridge.engine.outcomes import describe
from bridge.engine.plan import (
    SIDES,
    Adoption,
    Direction,
    PairView,
    SideState,
    Step,
    decide,
    name,
    needs_agreement,
    other,
    settle,
)
from bridge.engine.sides import (
    PENDING,
    InvoiceFacts,
    InvoiceSide,
    Listed,
    Work,
    problem_key,
    rows_fingerprint,
)
from bridge.engine.stages import Stages
from bridge.errors import BridgeError, SafetyStop
from mappings.problems import MappingError
from state import Link, Outcome, Problem

log = logging.getLogger(__name__)

WINDOW = 64  # pairs executed together: status moves and id look-ups are batched per window
# How close two invoices' totals must be for one to be adopted as the other's counterpart:
# the larger of these, in the invoice's currency. Rounding moves a mirror by cents, and a
# discount typed into each system its own way by a few percent; with the same customer and
# year, another invoice rarely lands this close.
ADOPT_TOLERANCE_ABSOLUTE = "1.00"
ADOPT_TOLERANCE_SHARE = "0.05"


@dataclass(frozen=True)
class SyncOptions:
    since: date | None = None
    deep_pass: bool = False
    deep_pass_budget: int = 200
    retry_schedule: bool = False  # daemon cycles: failed records wait for their retry time
    invoices: frozenset[str] | None = None  # only pairs one of these numbers or ids names
    progress: Callable[[int], None] | None = None
    advance: Callable[[], None] | None = None


@dataclass
class Pair:
    link: Link | None
    perfex: Listed | None
    onlyoffice: Listed | None
    taken_by: Listed | None = None  # unlinked, and its number names an invoice linked to another

    def listed(self) -> dict[str, Listed | None]:
        return {"perfex": self.perfex, "onlyoffice": self.onlyoffice}


class InvoiceSync:
    def __init__(
        self,
        ctx: RunContext,
        direction: Direction,
        sides: dict[str, InvoiceSide],
        options: SyncOptions,
        workers: int,
    ) -> None:
        self.ctx = ctx
        self.direction = direction
        self.sides = sides
        self.options = options
        self.workers = workers
        self.finisher = Finisher(ctx, sides, options.advance)
        self._seen: list[tuple[str, str, str]] = []  # raw rows of unchanged pairs, as now

    # -- the run ------------------------------------------------------------------------

    def run(self) -> None:
        listed = {side: self.sides[side].list_rows() for side in SIDES}
        for side in SIDES:
            self._stop_if_suddenly_empty(side, listed[side])
        pairs = self._chosen(self._in_window(self._pair(listed)))
        deep = self._deep_pass_choice(pairs)
        work = [
            Work(pair.link, pair.listed(), deep=id(pair) in deep, taken_by=pair.taken_by)
            for pair in pairs
            if self._needs_work(pair, deep)
        ]
        self.ctx.set_raw_digests(self._seen)
        if self.options.progress:
            self.options.progress(len(work))
        with Stages(self.ctx, self.workers, self._failed) as stages:
            for start in range(0, len(work), WINDOW):
                if self.ctx.stop.is_set():
                    break
                self._execute(stages, work[start : start + WINDOW])

    def _execute(self, stages: Stages, window: list[Work]) -> None:
        stages.each(window, self._observe)
        stages.each(window, self._prepare, only=_writes)
        stages.each(window, self._resolve, only=_writes)
        by_target = _by_target(window)  # after preparing: refused and unchanged pairs are out
        for side, works in by_target.items():
            stages.once(works, self.sides[side].before_writes)
        stages.each(window, self._write, only=_writes)
        for side, works in by_target.items():
            stages.once(works, self.sides[side].after_writes, after_stop=True)
        for work in window:
            if work.error is not None and not work.done:
                internal = not isinstance(work.error, BridgeError | MappingError)
                self._failed(work, work.error, internal=internal)
                work.done = True
        stages.each(window, self.finisher.finish, after_stop=True, only=_written)

    # -- observing ----------------------------------------------------------------------

    def _stop_if_suddenly_empty(self, side: str, rows: list[Listed]) -> None:
        """A side that suddenly lists nothing while the ledger links invoices is far more
        likely a wrong URL, a token without permissions or a broken install than a company
        that deleted every invoice: stop rather than act on it."""
        if rows or self.options.since is not None or not self.ctx.settings.safety_stop:
            return
        linked = len(self.ctx.links("invoice"))
        if linked:
            check = {
                "perfex": "[perfex].url and the API token's permissions",
                "onlyoffice": "[onlyoffice].url and that the account may read the CRM",
            }[side]
            raise SafetyStop(
                f"{name(side)} lists no invoices at all while the ledger links {linked}; "
                f"nothing was written. Check {check}, or set [sync].safety_stop = false if "
                "the invoices really were all deleted."
            )

    def _pair(self, listed: dict[str, list[Listed]]) -> list[Pair]:
        return pair_rows(self.ctx.links("invoice"), listed)

    def _in_window(self, pairs: list[Pair]) -> list[Pair]:
        """With --since, only pairs with a side dated on or after it."""
        since = self.options.since
        if since is None:
            return pairs
        return [
            pair
            for pair in pairs
            if any(
                listed is not None
                and listed.row is not None
                and self.sides[side].date_of(listed.row) >= since
                for side, listed in pair.listed().items()
            )
        ]

    def _chosen(self, pairs: list[Pair]) -> list[Pair]:
        """With `invoices` (`sync --invoice`), only the pairs one of them names: a number as
        either side shows it, or an id on either side."""
        wanted = self.options.invoices
        if wanted is None:
            return pairs
        return [pair for pair in pairs if pair_names(pair) & wanted]

    def _deep_pass_choice(self, pairs: list[Pair]) -> set[int]:
        """The linked open invoices the deep pass re-reads this run: those compared longest
        ago, up to the budget, so the reads are spread over cycles."""
        if not self.options.deep_pass:
            return set()
        oldest = datetime.min.replace(tzinfo=self.ctx.now().tzinfo)
        candidates = [
            pair
            for pair in pairs
            if pair.link is not None
            and any(
                listed is not None
                and listed.row is not None
                and self.sides[side].is_open(listed.row)
                for side, listed in pair.listed().items()
            )
        ]
        candidates.sort(key=lambda pair: pair.link.checked_at or oldest)  # type: ignore[union-attr]
        return {id(pair) for pair in candidates[: self.options.deep_pass_budget]}

    def _needs_work(self, pair: Pair, deep: set[int]) -> bool:
        """False for a linked pair whose rows are as last synced: counted unchanged, no read.
        Poll cycles also pass over invoices that cannot be carried yet (a Perfex draft with
        its placeholder number): a backfill reports each of them, a cycle every few minutes
        would only repeat it."""
        link = pair.link
        if link is None and self.options.retry_schedule and self._not_carried_yet(pair):
            return False
        if link is None or pair.perfex is None or pair.onlyoffice is None:
            return self._not_waiting(pair)
        if PENDING in (link.perfex_fp, link.onlyoffice_fp) or id(pair) in deep:
            return True
        if link.perfex_fp is None or link.onlyoffice_fp is None:
            return True
        raw_same = (link.perfex_raw_fp, link.onlyoffice_raw_fp) == (
            pair.perfex.digest,
            pair.onlyoffice.digest,
        )
        if not raw_same:
            if pair.perfex.error or pair.onlyoffice.error:
                return True
            rows_same = (link.perfex_row_fp, link.onlyoffice_row_fp) == (
                pair.perfex.row_fp,
                pair.onlyoffice.row_fp,
            )
            if not rows_same:
                return self._not_waiting(pair)
            # Something the bridge does not compare moved (a sent date, a PDF link): remember
            # the rows as they are now, so the next cycle needs no parse.
            self._seen.append((link.perfex_id, pair.perfex.digest, pair.onlyoffice.digest))
        self.ctx.journal.count_unchanged()
        self.ctx.settle_problem("perfex", link.perfex_id)
        return False

    def _not_carried_yet(self, pair: Pair) -> bool:
        listed = [row for row in (pair.perfex, pair.onlyoffice) if row is not None]
        if len(listed) != 1 or listed[0].row is None:
            return False
        side = listed[0].side
        writable = other(side) in self.direction.writable
        return writable and self.sides[side].skip_reason(listed[0].row) is not None

    def _not_waiting(self, pair: Pair) -> bool:
        """Daemon cycles retry a failed record on its schedule, or at once when its row
        changed; other runs always try."""
        if not self.options.retry_schedule:
            return True
        problem = self.ctx.problem_for(*problem_key(pair.listed(), pair.link))
        if problem is None or problem.action != "failed" or problem.next_try_at is None:
            return True
        if problem.row_fp != rows_fingerprint(pair.listed()):
            return True
        if problem.next_try_at <= self.ctx.now():
            return True
        self.ctx.journal.count_waiting()
        self.ctx.journal.record(self._still_failing(pair, problem))
        return False

    def _still_failing(self, pair: Pair, problem: Problem) -> Outcome:
        """A failed record left for its retry is still failed: the run reports it with the
        error it last failed with (no request asked again), so no report reads as clean."""
        listed = {side: row for side, row in pair.listed().items() if row is not None}
        if len(listed) == 1:
            source = next(iter(listed))
        else:
            source = self.direction.source or problem.side
        target = other(source)
        ids = (
            {"perfex": pair.link.perfex_id, "onlyoffice": pair.link.onlyoffice_id}
            if pair.link
            else {}
        )
        ids.update({side: row.record_id for side, row in listed.items()})
        return Outcome(
            kind="invoice",
            source=source,
            source_id=ids.get(source, problem.record_id),
            target=target,
            target_id=ids.get(target),
            number=problem.number,
            action="failed",
            error=problem.error,
            details={
                "reason": problem.reason or "failed_before",
                "retry_at": problem.next_try_at.isoformat() if problem.next_try_at else None,
            },
        )

    def _observe(self, work: Work) -> None:
        states = {side: self._state(work, side) for side in SIDES}
        view = PairView(
            perfex=states["perfex"],
            onlyoffice=states["onlyoffice"],
            direction=self.direction,
            adoption=self._adoption(work, states),
            skip_reason=self._skip_reason(work, states),
            unreadable=work.docs.get("unreadable"),
        )
        if needs_agreement(view):
            view = replace(view, agree=self._agree(work))
        work.decision = decide(view)
        self._settle_without_write(work)

    def _state(self, work: Work, side: str) -> SideState:
        listed = work.listed[side]
        link = work.link
        if listed is None:
            return SideState.ABSENT
        if listed.error is not None:
            work.docs.setdefault("unreadable", _unreadable(side, listed.record_id, listed.error))
            work.docs.setdefault("unreadable_side", side)
            return SideState.UNREADABLE
        if link is None:
            return SideState.UNLINKED
        stored = link.perfex_fp if side == "perfex" else link.onlyoffice_fp
        if stored == PENDING:
            return SideState.PENDING
        stored_row = link.perfex_row_fp if side == "perfex" else link.onlyoffice_row_fp
        if stored is not None and stored_row == listed.row_fp and not work.deep:
            return SideState.SAME
        doc = self._read(work, side)
        if doc is None:
            return SideState.UNREADABLE
        return SideState.SAME if self.sides[side].fingerprint(doc) == stored else SideState.CHANGED

    def _read(self, work: Work, side: str) -> object | None:
        """The full record of `side`, read once per run; None (and the reason kept) when it
        cannot be parsed."""
        if side in work.docs:
            return work.docs[side]
        record_id = work.record_id(side)
        assert record_id is not None
        try:
            work.docs[side] = self.sides[side].read(record_id)
        except MappingError as error:
            work.docs.setdefault("unreadable", _unreadable(side, record_id, str(error)))
            work.docs.setdefault("unreadable_side", side)
            return None
        return work.docs[side]

    def _adoption(self, work: Work, states: dict[str, SideState]) -> Adoption:
        both_unlinked = states["perfex"] is states["onlyoffice"] is SideState.UNLINKED
        if not both_unlinked:
            taken = work.link is None and work.taken_by is not None
            return Adoption.TAKEN if taken else Adoption.NONE
        perfex = self.sides["perfex"].facts(work.row("perfex"))
        onlyoffice = self.sides["onlyoffice"].facts(work.row("onlyoffice"))
        mismatch = facts_mismatch(self.ctx, perfex, onlyoffice)
        if mismatch is not None:
            work.docs["foreign"] = _foreign_reason(work, perfex, onlyoffice, mismatch)
            return Adoption.FOREIGN
        return Adoption.SAME_INVOICE

    def _skip_reason(self, work: Work, states: dict[str, SideState]) -> str | None:
        if work.link is not None:
            return None
        for side in SIDES:
            row = work.row(side)
            if states[side] is SideState.UNLINKED and row is not None:
                reason = self.sides[side].skip_reason(row)
                if reason is not None and other(side) in self.direction.writable:
                    return reason
        return None

    def _agree(self, work: Work) -> bool:
        perfex = self._read(work, "perfex")
        onlyoffice = self._read(work, "onlyoffice")
        if perfex is None or onlyoffice is None:
            return False
        return self.sides["onlyoffice"].holds(perfex, onlyoffice) or self.sides["perfex"].holds(
            onlyoffice, perfex
        )

    def _settle_without_write(self, work: Work) -> None:
        """Records the decisions that write nothing."""
        decision = work.decision
        assert decision is not None
        step = decision.step
        if step is Step.IGNORE:
            work.done = True
        elif step is Step.UNCHANGED:
            self.finisher.unchanged(work)
        elif step is Step.SKIP:
            self.finisher.record(work, "skipped", error=decision.reason)
        elif step is Step.CONFLICT:
            reason = work.docs.get("foreign") or decision.reason
            self.finisher.record(work, "conflict", error=reason)
        elif step is Step.FAIL:
            reason = _taken_reason(work) if decision.code == "number_in_use" else decision.reason
            self.finisher.record(work, "failed", error=reason)
        elif step is Step.ADOPT and decision.code == "agree":
            self.finisher.adopt(work)

    # -- executing ----------------------------------------------------------------------

    def _prepare(self, work: Work) -> None:
        decision = work.decision
        assert decision is not None
        source = self._read(work, work.source)
        if source is None:
            self.finisher.record(work, "failed", error=work.docs.get("unreadable"))
            return
        target = self.sides[work.target]
        if work.record_id(work.target) and work.listed.get(work.target) is not None:
            if target.needs_current(work) and self._read(work, work.target) is None:
                self.finisher.record(work, "failed", error=work.docs.get("unreadable"))
                return
        work.prepared = target.prepare(work)
        work.decision = settle(decision, work.prepared)
        if not work.decision.writes:
            self._settle_without_write(work)

    def _resolve(self, work: Work) -> None:
        self.sides[work.target].resolve(work)

    def _write(self, work: Work) -> None:
        work.wrote = True
        self.sides[work.target].write(work)

    def _failed(self, work: Work, error: BaseException, internal: bool) -> None:
        """One record's failure: recorded, and the target marked pending when a write to it
        may have happened, so the next run finishes the job instead of calling it an edit."""
        if internal:
            # The report names the error and points to -v; the traceback is for -v only.
            log.debug("internal error while syncing invoice %s", work.number, exc_info=error)
        if work.wrote:
            self.finisher.mark_pending(work)
        self.finisher.record(work, "failed", error=describe(error, internal=internal))


def _writes(work: Work) -> bool:
    return work.decision is not None and work.decision.writes and not work.done


def _written(work: Work) -> bool:
    return work.written is not None and not work.done


def _by_target(window: Iterable[Work]) -> dict[str, list[Work]]:
    """The window's writes, by the side they write; computed after preparing, so refused and
    unchanged pairs are out. Each side's batch steps see only its own writes."""
    groups: dict[str, list[Work]] = {}
    for work in window:
        if _writes(work):
            groups.setdefault(work.target, []).append(work)
    return groups


def pair_rows(links: Iterable[Link], listed: dict[str, list[Listed]]) -> list[Pair]:
    """Every link with its rows, then unlinked rows paired by number where they can. An
    unlinked row whose number a linked invoice on the other side carries is marked taken."""

    by_id = {side: {row.record_id: row for row in listed[side]} for side in SIDES}
    pairs = [
        Pair(
            link,
            by_id["perfex"].pop(link.perfex_id, None),
            by_id["onlyoffice"].pop(link.onlyoffice_id, None),
        )
        for link in links
    ]
    linked: dict[str, dict[str, Listed]] = {side: {} for side in SIDES}
    for pair in pairs:
        for side, row in pair.listed().items():
            if row is not None:
                for key in row.keys:
                    linked[side].setdefault(key, row)
    candidates = _index(by_id["onlyoffice"].values())
    for row in by_id["perfex"].values():
        wanted = row.keys
        match = _first(candidates, wanted)
        if match is not None:
            for key in match.keys:
                candidates.pop(key, None)
            by_id["onlyoffice"].pop(match.record_id, None)
        taken = None if match else _first(linked["onlyoffice"], wanted)
        pairs.append(Pair(None, row, match, taken_by=taken))
    for row in by_id["onlyoffice"].values():
        pairs.append(Pair(None, None, row, taken_by=_first(linked["perfex"], row.keys)))
    return pairs


def pair_names(pair: Pair) -> set[str]:
    """Every name a person (or `RunRequest.invoices`) may give this pair by: its numbers as
    either side shows them, its ids on either side, and those ids qualified by their side
    ("perfex:58", "onlyoffice:42"), which name exactly one pair even where the two systems'
    ids overlap."""
    names = set()
    if pair.link is not None:
        names |= {pair.link.natural_key, pair.link.perfex_id, pair.link.onlyoffice_id}
        names |= {f"perfex:{pair.link.perfex_id}", f"onlyoffice:{pair.link.onlyoffice_id}"}
    for listed in (pair.perfex, pair.onlyoffice):
        if listed is not None:
            names |= {listed.record_id, listed.number or "", f"{listed.side}:{listed.record_id}"}
    return names - {""}


def facts_mismatch(ctx: RunContext, perfex: InvoiceFacts, onlyoffice: InvoiceFacts) -> str | None:
    """What tells two unlinked invoices with one number apart: "customer", "year" or "total";
    None when they are the same invoice (DESIGN: adoption is for the same invoice only)."""
    if not _same_customer(ctx, perfex, onlyoffice):
        return "customer"
    if perfex.year != onlyoffice.year:
        return "year"
    if not _totals_close(perfex, onlyoffice):
        return "total"
    return None


def _same_customer(ctx: RunContext, perfex: InvoiceFacts, onlyoffice: InvoiceFacts) -> bool:
    if perfex.customer_id and onlyoffice.customer_id:
        link = ctx.link_for("contact", "perfex", perfex.customer_id)
        if link is not None:
            return link.onlyoffice_id == onlyoffice.customer_id
    return _same_name(perfex.customer_name, onlyoffice.customer_name)


def _first(index: dict[str, Listed], keys: Iterable[str]) -> Listed | None:
    return next((index[key] for key in keys if key in index), None)


def _taken_reason(work: Work) -> str:
    holder = work.taken_by
    assert holder is not None
    where = name(holder.side)
    return (
        f"invoice number {work.number} is already used in {where} by invoice "
        f"{holder.number or holder.record_id}, which is linked to another invoice; give one of "
        "them another number (or include {year} in [mapping].number_format if numbers restart "
        "every year)"
    )


def _index(rows: Iterable[Listed]) -> dict[str, Listed]:
    """Rows by their pairing keys. A row too damaged to parse still names its number: pairing
    it makes its counterpart fail with it rather than be created a second time."""
    index: dict[str, Listed] = {}
    for row in rows:
        for key in row.keys:
            index.setdefault(key, row)
    return index


def _unreadable(side: str, record_id: str, error: str) -> str:
    """Why a record could not be read, naming its system and the record once."""
    if error.startswith(name(side)):
        return error
    return f"{name(side)} invoice {record_id}: {error}"


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold() != ""


def _totals_close(perfex: InvoiceFacts, onlyoffice: InvoiceFacts) -> bool:
    """Whether two totals can be the same invoice's: within the tolerance, or so once the
    adjustment one side has no field for is left out (ONLYOFFICE has no adjustment)."""
    if perfex.total is None or onlyoffice.total is None:
        return True
    without = perfex.total - perfex.adjustment + onlyoffice.adjustment
    return _close(perfex.total, onlyoffice.total) or _close(without, onlyoffice.total)


def _close(a: Decimal, b: Decimal) -> bool:
    tolerance = max(
        Decimal(ADOPT_TOLERANCE_ABSOLUTE), max(abs(a), abs(b)) * Decimal(ADOPT_TOLERANCE_SHARE)
    )
    return abs(a - b) <= tolerance


def _foreign_reason(work: Work, perfex, onlyoffice, what: str) -> str:  # type: ignore[no-untyped-def]
    number = work.number or "?"
    perfex_id = work.record_id("perfex")
    onlyoffice_id = work.record_id("onlyoffice")
    mismatch = {
        "customer": f"customer {perfex.customer_name or '?'} in Perfex, "
        f"{onlyoffice.customer_name or '?'} in ONLYOFFICE",
        "year": f"dated {perfex.year} in Perfex, {onlyoffice.year} in ONLYOFFICE",
        "total": f"total {perfex.total} in Perfex, {onlyoffice.total} in ONLYOFFICE",
    }[what]
    return (
        f"number {number} is carried by Perfex invoice {perfex_id} and ONLYOFFICE invoice "
        f"{onlyoffice_id}, which are not the same invoice ({mismatch}); neither was touched"
    )
