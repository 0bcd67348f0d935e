"""What is known about the taxes of Perfex invoice lines, which Perfex's API never returns.

A Perfex GET carries no per-line taxes, only the header `total_tax` the server computed from
them (Perfex API notes 3.1, 3.3, 5.3). Owns `TaxEvidence`, everything else that speaks for a
line's taxes, strongest first:

1. `written`: the bridge's own record of the taxes it wrote on Perfex lines, keyed by
   `perfex_line_key` (the line's content, so a line a person edited no longer matches);
2. `catalogue`: Perfex's items catalogue, description → its one or two taxes;
3. `history`: the same description's taxes on earlier invoices;

and `taxes`, Perfex's tax list in its own order, which names a rate when nothing else does.
Also owns the keys the evidence is indexed by and reading the catalogue's two tax columns.

Must not: fetch anything or weigh evidence against the totals (`taxes.py` does that).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mappings.money import format_money
from mappings.perfex import PerfexLine, PerfexTax, TaxSpec
from mappings.problems import MappingError

WRITTEN = "ledger"
CATALOGUE = "catalogue"
HISTORY = "history"
SOURCES = (WRITTEN, CATALOGUE, HISTORY)  # strongest first

LineTaxes = tuple[tuple[TaxSpec, ...], ...]


def description_key(text: str) -> str:
    """A description as the catalogue and earlier invoices are matched by: spacing and case
    do not count, since Perfex copies the catalogue text and people retype it."""
    return " ".join(text.split()).casefold()


def perfex_line_key(line: PerfexLine) -> str:
    """The content that identifies a Perfex line between the bridge's write and a later read:
    description, long description, quantity and rate. Item order and ids are left out
    (a replace-all update gives new ids); any edit of the content gives a new key."""
    content = [
        description_key(line.description),
        " ".join(line.long_description.split()),
        format_money(line.qty),
        format_money(line.rate),
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def written_line_taxes(lines: Iterable[PerfexLine]) -> dict[str, tuple[TaxSpec, ...]]:
    """What the engine records after writing these lines to Perfex: key → taxes sent."""
    return {perfex_line_key(line): line.taxes for line in lines}


def catalogue_taxes(items: Iterable[Mapping[str, Any]]) -> dict[str, tuple[TaxSpec, ...]]:
    """Description → taxes from rows of Perfex's items catalogue (`GET /api/items`, Perfex
    API notes 4.2): `taxname`/`taxrate` and `taxname_2`/`taxrate_2`. The first row of a
    description wins; rows without a description or a tax say nothing."""
    found: dict[str, tuple[TaxSpec, ...]] = {}
    for item in items:
        description = description_key(str(item.get("description") or ""))
        taxes = _item_taxes(item)
        if description and taxes:
            found.setdefault(description, taxes)
    return found


def _item_taxes(item: Mapping[str, Any]) -> tuple[TaxSpec, ...]:
    taxes = []
    for name_key, rate_key in (("taxname", "taxrate"), ("taxname_2", "taxrate_2")):
        name, rate = item.get(name_key), item.get(rate_key)
        if name and rate not in (None, ""):
            try:
                taxes.append(PerfexTax.from_api({"name": name, "taxrate": rate}))
            except MappingError:
                continue  # an unreadable tax says nothing about the line
    return tuple(dict.fromkeys(taxes))


@dataclass(frozen=True)
class TaxEvidence:
    """Everything the engine knows about line taxes besides the invoice's totals."""

    taxes: tuple[TaxSpec, ...] = ()
    written: Mapping[str, tuple[TaxSpec, ...]] = field(default_factory=dict)
    catalogue: Mapping[str, tuple[TaxSpec, ...]] = field(default_factory=dict)
    history: Mapping[str, tuple[TaxSpec, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "taxes", tuple(dict.fromkeys(self.taxes)))
        object.__setattr__(self, "written", MappingProxyType(dict(self.written)))
        for name in (CATALOGUE, HISTORY):
            by_description = {
                description_key(text): tuple(taxes) for text, taxes in getattr(self, name).items()
            }
            object.__setattr__(self, name, MappingProxyType(by_description))

    def for_line(self, line: PerfexLine) -> tuple[str, tuple[TaxSpec, ...]] | None:
        """The strongest evidence for one line: (source, taxes), or None."""
        written = self.written.get(perfex_line_key(line))
        if written is not None:
            return WRITTEN, written
        description = description_key(line.description)
        for source, table in ((CATALOGUE, self.catalogue), (HISTORY, self.history)):
            if description in table:
                return source, table[description]
        return None

    def known_taxes(self) -> tuple[TaxSpec, ...]:
        """Every tax any evidence names, the tax list's order first."""
        named: list[TaxSpec] = list(self.taxes)
        for table in (self.written, self.catalogue, self.history):
            for taxes in table.values():
                named.extend(taxes)
        return tuple(dict.fromkeys(named))
