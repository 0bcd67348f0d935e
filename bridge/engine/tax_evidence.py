"""What the bridge knows about Perfex's taxes, for inferring the line taxes its API never returns.

Perfex's GET has no per-line taxes (Perfex API notes 3.1, 3.3), so a Perfex invoice carried to
ONLYOFFICE has its line taxes inferred from evidence: Perfex's tax list (`common/tax_data`),
the items catalogue (a product's taxes), ONLYOFFICE's own taxes (lines the bridge wrote from
ONLYOFFICE carry those names), and what the ledger learned on earlier invoices. All of it is
read at most once per run, and only when an invoice needs it.

The tax list and the catalogue are hints: a token without the permission (module 2.x checks
`common` against a permission its screen never offers, 1.2) or an install that answers them
with an error page only narrows the evidence. The run goes on and says once what was missing.

Must not: decide which taxes a line carries (`mappings.taxes` does).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bridge.engine.context import RunContext
from bridge.errors import CredentialsRejected, RemoteError, Unreachable
from mappings.onlyoffice import OnlyofficeTax
from mappings.perfex import PerfexTax, TaxSpec
from mappings.problems import MappingError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PerfexTaxes:
    """Candidate taxes, and per-description hints from the items catalogue."""

    candidates: tuple[TaxSpec, ...] = ()
    hints: Mapping[str, TaxSpec] = field(default_factory=dict)


def perfex_taxes(ctx: RunContext) -> PerfexTaxes:
    listed = _optional(ctx, "the Perfex tax list", lambda: _tax_list(ctx)) or ()
    hints = _optional(ctx, "the Perfex items catalogue", lambda: _catalogue_hints(ctx)) or {}
    onlyoffice = _optional(ctx, "ONLYOFFICE's tax list", lambda: _onlyoffice_taxes(ctx)) or ()
    candidates = tuple(dict.fromkeys((*listed, *hints.values(), *onlyoffice)))
    return PerfexTaxes(candidates, hints)


def _optional(ctx: RunContext, what: str, read):  # type: ignore[no-untyped-def]
    """A hint read: its failure is noted once and the run goes on without it. Credentials
    refused or a system unreachable still end the run (every other call would fail too)."""
    try:
        return read()
    except (CredentialsRejected, Unreachable) as error:
        if error.status in (401, 403, 404):
            ctx.journal.note(
                f"{what} was not available ({_short(error)}); line taxes were inferred without it"
            )
            return None
        raise
    except (RemoteError, MappingError) as error:
        ctx.journal.note(
            f"{what} was not available ({_short(error)}); line taxes were inferred without it"
        )
        return None


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:160]


def _tax_list(ctx: RunContext) -> tuple[TaxSpec, ...]:
    found = []
    for raw in ctx.perfex.tax_data():
        try:
            found.append(PerfexTax.from_api(raw))
        except MappingError as error:
            log.warning("a Perfex tax row was skipped: %s", error)
    return tuple(found)


def _catalogue_hints(ctx: RunContext) -> dict[str, TaxSpec]:
    hints: dict[str, TaxSpec] = {}
    for item in ctx.perfex.list_items():
        if not isinstance(item, dict) or not item.get("taxname") or item.get("taxrate") is None:
            continue
        try:
            tax = PerfexTax.from_api({"name": item["taxname"], "taxrate": item["taxrate"]})
        except MappingError:
            continue
        hints.setdefault(str(item.get("description") or "").strip(), tax)
    return hints


def _onlyoffice_taxes(ctx: RunContext) -> tuple[TaxSpec, ...]:
    found = []
    for raw in ctx.onlyoffice.list_taxes():
        try:
            found.append(OnlyofficeTax.from_api(raw).spec)
        except MappingError:
            continue
    return tuple(found)
