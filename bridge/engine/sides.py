"""The one interface both systems sit behind, and the record of one pair's progress.

The sync algorithm (`bridge.engine.sync`) does not know which system it talks to: each side
lists its invoices (every row parsed in isolation), reads one in full, fingerprints it, names
its pairing keys and the facts that tell whether two invoices are the same one, and, as a
target, prepares, resolves, writes and records an invoice carried from the other side.
`PerfexSide` and `OnlyofficeSide` implement it on top of the adapters.

A `Work` is one pair on its way through a run: what was listed and read of each side, the
decision, and what the target side prepared and wrote. It is the only mutable thing the stages
share, and each stage touches only its own part of it.
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bridge.engine.context import RunContext
from bridge.engine.plan import Decision, Prepared
from bridge.errors import CredentialsRejected, Unreachable
from mappings.problems import MappingError, clipped
from state import Link

log = logging.getLogger(__name__)

# Stored in place of a side's fingerprint while a write to it is unfinished.
PENDING = "pending"


class Listed:
    """One row of a side's invoice list, parsed on first use.

    `number` and the pairing `keys` are read from the raw row when it is listed, so pairing
    rows never parses them.

    `digest` is a cheap hash of the raw row: a linked pair whose raw rows are exactly as last
    seen is unchanged without being parsed at all, which is most of a quiet cycle's work. The
    parsed `row`, its fingerprint `row_fp` and, when the row cannot be parsed, the `error`
    naming the field and value come from `parse`, called once (the record fails, the run goes
    on). Parsing is deterministic, so two threads doing it at once get the same answer.
    """

    __slots__ = ("side", "record_id", "number", "keys", "digest", "_raw", "_parse", "_parsed")

    def __init__(
        self,
        side: str,
        record_id: str,
        number: str | None,
        raw: Any,
        parse: Callable[[Any], tuple[Any, str]],
        keys: tuple[str, ...] = (),
        slim: Callable[[Any], Any] | None = None,
    ) -> None:
        self.side = side
        self.record_id = record_id
        self.number = number
        self.keys = keys  # under which an unlinked invoice of the other side carries it
        self.digest = raw_digest(raw)  # of the whole row: any change counts
        self._raw = slim(raw) if slim is not None else raw  # what `parse` reads, and no more
        self._parse = parse
        self._parsed: tuple[Any | None, str | None, str | None] | None = None

    @classmethod
    def unreadable(
        cls, side: str, record_id: str, number: str | None, error: str, keys: tuple[str, ...] = ()
    ) -> Listed:
        """A row already known to be unreadable, with what it still shows of its number."""
        listed = cls(side, record_id, number, None, _never_parsed, keys)
        listed._parsed = (None, None, error)
        return listed

    def _parsed_row(self) -> tuple[Any | None, str | None, str | None]:
        if self._parsed is None:
            try:
                row, row_fp = self._parse(self._raw)
                self._parsed = (row, row_fp, None)
            except MappingError as error:
                self._parsed = (None, None, str(error))
            except Exception as error:  # a bug met on one row fails that row, not the run
                log.debug(
                    "internal error reading %s invoice %s", self.side, self.record_id, exc_info=True
                )
                self._parsed = (None, None, internal_error(error))
            self._raw = None  # parsed once: the raw row is no longer needed
        return self._parsed

    @property
    def row(self) -> Any | None:
        return self._parsed_row()[0]

    @property
    def row_fp(self) -> str | None:
        return self._parsed_row()[1]

    @property
    def error(self) -> str | None:
        return self._parsed_row()[2]


NUMBER_CHARS = 40  # the most of a damaged row's id or number a report shows


def raw_id(raw: Any, index: int) -> str:
    """A list row's id as text, read without parsing the row; "row N" when it shows none."""
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
            return clipped(str(value).strip(), NUMBER_CHARS)
    return f"row {index + 1}"


def problem_key(listed: Mapping[str, Listed | None], link: Link | None) -> tuple[str, str]:
    """Where a pair's open problem is kept: under the Perfex id when there is one, else the
    ONLYOFFICE id."""
    for side in ("perfex", "onlyoffice"):
        row = listed.get(side)
        if row is not None:
            return side, row.record_id
        if link is not None:
            return side, link.id_on(side)
    raise ValueError("a pair has a listed row or a link")


def rows_fingerprint(listed: Mapping[str, Listed | None]) -> str:
    """Both list rows as an open problem remembers them: a retry is due at once when they
    change."""
    return "|".join(
        (row.row_fp or row.error or "") if row is not None else "-"
        for row in (listed.get("perfex"), listed.get("onlyoffice"))
    )


def consuming(rows: list[Any]) -> Iterator[tuple[int, Any]]:
    """`enumerate(rows)`, emptying `rows` as it goes: a whole list row is freed as soon as
    its slim `Listed` exists, so a run never holds both forms of every row at once."""
    rows.reverse()
    index = 0
    while rows:
        yield index, rows.pop()
        index += 1


def raw_digest(raw: Any) -> str:
    """A cheap, stable hash of a raw list row (its printed form): equal only when nothing in
    the row moved."""
    return hashlib.blake2b(repr(raw).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _never_parsed(raw: Any) -> tuple[Any, str]:
    raise AssertionError("an unreadable row is never parsed")


def internal_error(error: BaseException) -> str:
    """What a report says of an unexpected error met on one record."""
    text = " ".join(str(error).split())[:160] or type(error).__name__
    return f"internal error ({type(error).__name__}): {text}; run with -v for details"


@dataclass(frozen=True)
class InvoiceFacts:
    """What tells whether two invoices with the same number are the same invoice."""

    customer_id: str | None  # on its own side
    customer_name: str  # as that side names the customer
    year: int
    total: Decimal | None
    currency: str | None
    adjustment: Decimal = Decimal(0)  # a part of the total the other side may have no room for


@dataclass(frozen=True)
class Written:
    """What a write left on the target, as far as the target's answers tell."""

    target_id: str
    after: Any  # the target's invoice as now stored (a reply or the intended content)
    row_fp: str | None
    fingerprint: str | None  # None: unknown until the next full read (a pending write)
    facts: dict[str, Any] = field(default_factory=dict)  # for the link's `extra`


@dataclass(frozen=True)
class WriteReport:
    """What the report says about one write: changes keyed by the target's field names,
    warnings (how the target could not hold the source exactly) and details for people."""

    changes: dict[str, list[Any]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Work:
    """One pair's progress through a run (see the module docstring)."""

    link: Link | None
    listed: dict[str, Listed | None]
    docs: dict[str, Any] = field(default_factory=dict)  # full records read, by side
    decision: Decision | None = None
    prepared: Prepared | None = None
    plan: Any = None  # the target side's own preparation (mapping result, payloads)
    written: Written | None = None
    deep: bool = False  # the deep pass re-reads this pair
    taken_by: Listed | None = None  # unlinked, and its number is carried by a linked invoice
    done: bool = False  # an outcome was recorded; later stages skip it
    error: BaseException | None = None  # set by a batch step that failed this pair alone
    wrote: bool = False  # a write reached (or may have reached) the target

    def row(self, side: str) -> Any | None:
        listed = self.listed.get(side)
        return listed.row if listed is not None else None

    @property
    def source(self) -> str:
        assert self.decision is not None and self.decision.source is not None
        return self.decision.source

    @property
    def target(self) -> str:
        assert self.decision is not None and self.decision.target is not None
        return self.decision.target

    @property
    def number(self) -> str | None:
        if self.link is not None:
            return self.link.natural_key
        for listed in self.listed.values():
            if listed is not None and listed.number:
                return listed.number
        return None

    def record_id(self, side: str) -> str | None:
        listed = self.listed.get(side)
        if listed is not None:
            return listed.record_id
        return self.link.id_on(side) if self.link is not None else None


def listed_alone(
    side: str, rows: Iterable[tuple[int, Any]], listed: Callable[[Any, int], Listed]
) -> list[Listed]:
    """`listed(raw, index)` for every (index, row) of a list. An unexpected error in reading
    one row (a parse error is the row's own business, met when it is first used) makes that
    row unreadable, keeping the id and number it shows: a bug met on one record never stops
    the run, and the report names the record, the error and `-v`."""
    found = []
    for index, raw in rows:
        try:
            found.append(listed(raw, index))
        except Exception as error:  # a bug in reading one row must not stop the others
            log.debug("internal error reading %s invoice row %d", side, index + 1, exc_info=True)
            shown = raw.get("number") if isinstance(raw, dict) else None
            number = str(shown).strip() if isinstance(shown, str | int) else None
            record_id = raw.get("id") if isinstance(raw, dict) else None
            record_id = str(record_id) if isinstance(record_id, str | int) else f"row {index + 1}"
            found.append(Listed.unreadable(side, record_id, number, internal_error(error)))
    return found


def each_alone(works: Sequence[Work], step: Callable[[Work], None]) -> None:
    """`step(work)` for each pair of a batch step that has not failed yet; an error becomes
    that pair's own (`work.error`, recorded as its failure), so a batch step never fails the
    pairs it did not fail. Credentials refused or a system unreachable still end the run."""
    for work in works:
        if work.error is not None:
            continue
        try:
            step(work)
        except (CredentialsRejected, Unreachable):
            raise
        except Exception as error:  # a bug in one pair's step must not fail the others
            work.error = error


class InvoiceSide(ABC):
    """One system's invoices, as the sync algorithm sees them."""

    system: str

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    # -- observing ----------------------------------------------------------------------

    @abstractmethod
    def list_rows(self) -> list[Listed]:
        """Every invoice row, each parsed on its own."""

    @abstractmethod
    def read(self, record_id: str) -> Any:
        """One invoice in full (with lines); raises `MappingError` when it cannot be parsed."""

    @abstractmethod
    def fingerprint(self, doc: Any) -> str: ...

    @abstractmethod
    def date_of(self, row: Any) -> date: ...

    @abstractmethod
    def is_open(self, row: Any) -> bool:
        """Still being worked on: the deep pass re-reads these for line-only edits."""

    @abstractmethod
    def skip_reason(self, row: Any) -> str | None:
        """Why this invoice must not be carried to the other side yet, if it must not."""

    @abstractmethod
    def facts(self, row: Any) -> InvoiceFacts: ...

    # -- as the target of a write ---------------------------------------------------------

    @abstractmethod
    def holds(self, source_doc: Any, target_doc: Any) -> bool:
        """Whether `target_doc` already says what the other side's `source_doc` says (looks
        only: nothing is created to find out)."""

    @abstractmethod
    def expected(self, source_doc: Any, current: Any | None) -> Any:
        """The invoice this side would hold for the other side's `source_doc`, or the
        `MappingProblem` that keeps it from holding one (`crm-bridge audit`); looks only."""

    @abstractmethod
    def needs_current(self, work: Work) -> bool:
        """Whether preparing the write needs this side's current record in full."""

    @abstractmethod
    def prepare(self, work: Work) -> Prepared:
        """Map the source, check everything that can refuse it, and compare with what this
        side holds; no write. Stores what it worked out in `work.plan`."""

    @abstractmethod
    def resolve(self, work: Work) -> None:
        """Find or create what the invoice refers to (customer, products, taxes)."""

    @abstractmethod
    def before_writes(self, works: Sequence[Work]) -> None:
        """Runs once before a window's writes to this side (e.g. reopening locked invoices)."""

    @abstractmethod
    def write(self, work: Work) -> None:
        """Create or update one invoice; sets `work.written`."""

    @abstractmethod
    def after_writes(self, works: Sequence[Work]) -> None:
        """Runs once after a window's writes to this side (e.g. batched status moves)."""

    @abstractmethod
    def report(self, work: Work) -> WriteReport:
        """What the write of `work` changed on this side, for the journal."""

    def natural_key(self, work: Work) -> str:
        """The invoice number a link between the two sides is known by (ONLYOFFICE's)."""
        return work.number or ""
