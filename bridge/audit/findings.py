"""What an audit found: the records every rendering (text, JSON, HTML) and `--repair` read.

Vocabulary: a *pair* is two invoices the bridge treats as one (linked in the ledger, or
carrying the same number on both sides); a *difference* is a pair that disagrees under the
mapping (`fields`) or an invoice without a counterpart (`missing_in_onlyoffice`,
`missing_in_perfex`); an invoice that could not be read is *unchecked*: nothing can be said
about it, so the audit cannot say that all agree.

Must not: talk to either system or the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

FIELDS = "fields"
MISSING_IN = {"perfex": "missing_in_perfex", "onlyoffice": "missing_in_onlyoffice"}


@dataclass(frozen=True)
class Difference:
    number: str | None
    perfex_id: str | None
    onlyoffice_id: str | None
    kind: str  # "fields", "missing_in_onlyoffice" or "missing_in_perfex"
    fields: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)  # [Perfex, ONLYOFFICE]
    # For people and for `--repair`; not part of the JSON difference object:
    shape: str = "onlyoffice invoice"  # the table of `mappings.fields` that names the fields
    customer: str = ""
    linked: bool = False  # the ledger links the two (for a missing kind: the other was deleted)
    note: str = ""  # one sentence: what this is and whose it is to fix
    foreign: str | None = None  # unlinked pair: "customer", "year" or "total" tells them apart
    taken_by: str | None = None  # lone invoice: its number is used by another linked invoice
    changed: frozenset[str] = frozenset()  # linked pair: the sides edited since the last sync

    @property
    def missing_side(self) -> str | None:
        if self.kind == MISSING_IN["perfex"]:
            return "perfex"
        if self.kind == MISSING_IN["onlyoffice"]:
            return "onlyoffice"
        return None

    def id_on(self, side: str) -> str | None:
        return self.perfex_id if side == "perfex" else self.onlyoffice_id


@dataclass(frozen=True)
class Unchecked:
    """An invoice that could not be read, so its pair was not compared."""

    number: str | None
    perfex_id: str | None
    onlyoffice_id: str | None
    reason: str


@dataclass(frozen=True)
class SideTotal:
    count: int = 0
    sum: Decimal = Decimal("0.00")

    def plus(self, amount: Decimal) -> SideTotal:
        return SideTotal(self.count + 1, self.sum + amount)


@dataclass(frozen=True)
class CurrencyTotals:
    perfex: SideTotal = field(default_factory=SideTotal)
    onlyoffice: SideTotal = field(default_factory=SideTotal)

    @property
    def difference(self) -> Decimal:
        """Perfex's sum less ONLYOFFICE's."""
        return self.perfex.sum - self.onlyoffice.sum

    @property
    def balanced(self) -> bool:
        return self.perfex.count == self.onlyoffice.count and self.difference == 0


@dataclass(frozen=True)
class AuditResult:
    checked_at: datetime
    direction: str
    pairs: int  # pairs with an invoice on both sides that were compared
    agree: int  # of those, the ones that agree (accepted differences included)
    accepted: int  # differences the operator accepted (`crm-bridge accept`), not listed
    differences: tuple[Difference, ...]
    unchecked: tuple[Unchecked, ...]
    totals: Mapping[str, CurrencyTotals]
    notes: tuple[str, ...] = ()

    @property
    def all_agree(self) -> bool:
        return not self.differences and not self.unchecked
