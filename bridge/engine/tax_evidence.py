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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bridge.engine.context import RunContext
from bridge.errors import CredentialsRejected, RemoteError, Unreachable
from mappings.onlyoffice import OnlyofficeTax
from mappings.perfex import PerfexTax, TaxSpec
from mappings.problems import MappingError, clipped

NOTE_CHARS = 300  # the most of a server's answer a note quotes


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
    return clipped(str(error), NOTE_CHARS)


def _tax_list(ctx: RunContext) -> tuple[TaxSpec, ...]:
    return tuple(ctx.readable(ctx.perfex.tax_data(), PerfexTax.from_api, "the Perfex tax list"))


def _catalogue_hints(ctx: RunContext) -> dict[str, TaxSpec]:
    hints: dict[str, TaxSpec] = {}
    items = ctx.readable(ctx.perfex.list_items(), _catalogue_hint, "the Perfex items catalogue")
    for hint in items:
        if hint is not None:
            hints.setdefault(*hint)
    return hints


def _catalogue_hint(item: Any) -> tuple[str, TaxSpec] | None:
    """A catalogue item's description and first tax; None for an item without a tax."""
    if not isinstance(item, dict):
        raise MappingError("Perfex item", f"expected a JSON object, got {type(item).__name__}")
    if not item.get("taxname") and item.get("taxrate") is None:
        return None
    tax = PerfexTax.from_api({"name": item.get("taxname"), "taxrate": item.get("taxrate")})
    return str(item.get("description") or "").strip(), tax


def _onlyoffice_taxes(ctx: RunContext) -> tuple[TaxSpec, ...]:
    taxes = ctx.readable(ctx.onlyoffice.list_taxes(), OnlyofficeTax.from_api, "ONLYOFFICE taxes")
    return tuple(tax.spec for tax in taxes)
