"""What the bridge knows about Perfex's line taxes, gathered for `mappings.taxes` to weigh.

Perfex's GET has no per-line taxes (Perfex API notes 3.1, 3.3), so a Perfex invoice carried to
ONLYOFFICE has its line taxes inferred from evidence (`mappings.tax_evidence.TaxEvidence`), in
this order: the taxes the bridge itself wrote on the invoice's lines (kept on the invoice's
link), Perfex's items catalogue (a product's one or two taxes), the same description's taxes on
earlier invoices (the ledger's line-tax history), and finally the totals. Perfex's tax list
and ONLYOFFICE's own taxes (lines the bridge wrote from ONLYOFFICE carry those names) name the
candidates. Everything but the bridge's own record is read at most once per run, and only
when an invoice needs it.

The tax list and the catalogue are hints: a token without the permission (module 2.x checks
`common` against a permission its screen never offers, 1.2) or an install that answers them
with an error page only narrows the evidence. The run goes on and says once what was missing.

Must not: decide which taxes a line carries (`mappings.taxes` does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from bridge.engine.context import RunContext
from bridge.errors import CredentialsRejected, RemoteError, Unreachable
from mappings.onlyoffice import OnlyofficeTax
from mappings.perfex import PerfexLine, PerfexTax, TaxSpec
from mappings.problems import MappingError, clipped
from mappings.tax_evidence import TaxEvidence, catalogue_taxes, written_line_taxes

log = logging.getLogger(__name__)
T = TypeVar("T")

# The link fact that keeps, per line content, the taxes the bridge wrote on a Perfex invoice.
WRITTEN_FACT = "perfex_line_taxes"
NOTE_CHARS = 300  # the most of a server's answer a note quotes


def run_evidence(ctx: RunContext) -> TaxEvidence:
    """The evidence every invoice of this run shares (all but the bridge's own record)."""
    listed = _optional(ctx, "the Perfex tax list", lambda: _tax_list(ctx)) or ()
    catalogue = _optional(ctx, "the Perfex items catalogue", lambda: _catalogue(ctx)) or {}
    onlyoffice = _optional(ctx, "ONLYOFFICE's tax list", lambda: _onlyoffice_taxes(ctx)) or ()
    history = {description: _specs(names) for description, names in ctx.line_tax_history().items()}
    return TaxEvidence(taxes=(*listed, *onlyoffice), catalogue=catalogue, history=history)


def with_written(evidence: TaxEvidence, facts: Mapping[str, Any] | None) -> TaxEvidence:
    """`evidence` plus what the bridge wrote on this invoice's lines (a link fact)."""
    written = (facts or {}).get(WRITTEN_FACT)
    if not isinstance(written, dict) or not written:
        return evidence
    return replace(evidence, written={key: _specs(names) for key, names in written.items()})


def written_fact(lines: Iterable[PerfexLine]) -> dict[str, list[str]]:
    """The link fact recording the taxes the bridge writes on these Perfex lines."""
    return {
        key: [tax.perfex_taxname for tax in taxes]
        for key, taxes in written_line_taxes(lines).items()
    }


def history_of(taxes: Mapping[str, tuple[TaxSpec, ...]]) -> dict[str, list[str]]:
    """Description → "NAME|RATE" names, as the ledger's line-tax history keeps them."""
    return {
        description: [tax.perfex_taxname for tax in specs] for description, specs in taxes.items()
    }


def _specs(names: Iterable[str]) -> tuple[TaxSpec, ...]:
    specs = []
    for name in names:
        try:
            specs.append(TaxSpec.from_perfex_taxname(str(name)))
        except MappingError:
            continue  # a damaged record names no tax
    return tuple(specs)


def _optional(ctx: RunContext, what: str, read: Callable[[], T]) -> T | None:
    """A hint read: its failure is noted once and the run goes on without it. Credentials
    refused or a system unreachable still end the run (every other call would fail too),
    except a refusal of this one endpoint (a token without that permission)."""
    try:
        return read()
    except (CredentialsRejected, Unreachable) as error:
        if error.status not in (401, 403, 404):
            raise
        _note(ctx, what, error)
    except (RemoteError, MappingError) as error:
        _note(ctx, what, error)
    return None


def _note(ctx: RunContext, what: str, error: Exception) -> None:
    detail = clipped(str(error), NOTE_CHARS)
    ctx.journal.note(f"{what} was not available ({detail}); line taxes were inferred without it")


def _tax_list(ctx: RunContext) -> tuple[TaxSpec, ...]:
    return tuple(ctx.readable(ctx.perfex.tax_data(), PerfexTax.from_api, "the Perfex tax list"))


def _catalogue(ctx: RunContext) -> dict[str, tuple[TaxSpec, ...]]:
    rows = ctx.readable(ctx.perfex.list_items(), _catalogue_row, "the Perfex items catalogue")
    return catalogue_taxes(rows)


def _catalogue_row(item: Any) -> Mapping[str, Any]:
    """A catalogue row whose taxes read cleanly; a damaged one is left out and noted."""
    if not isinstance(item, dict):
        raise MappingError("Perfex item", f"expected a JSON object, got {type(item).__name__}")
    for name_key, rate_key in (("taxname", "taxrate"), ("taxname_2", "taxrate_2")):
        if item.get(name_key) or item.get(rate_key) not in (None, ""):
            PerfexTax.from_api({"name": item.get(name_key), "taxrate": item.get(rate_key)})
    return item


def _onlyoffice_taxes(ctx: RunContext) -> tuple[TaxSpec, ...]:
    taxes = ctx.readable(ctx.onlyoffice.list_taxes(), OnlyofficeTax.from_api, "ONLYOFFICE taxes")
    return tuple(tax.spec for tax in taxes)
