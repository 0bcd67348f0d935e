"""What the passes observe of each side before they decide, named by the side observed.

Every pass (`to_onlyoffice`, `to_perfex`, `two_way`) starts the same way: list the invoices
(rows carry no lines), stop when a side suddenly lists nothing, index the counterparts by
number, gather Perfex's taxes for the mirror into ONLYOFFICE, report linked invoices gone from
a side, and triage each row into "needs a full read" or unchanged (the row fingerprint first;
the deep pass re-reads open invoices for line-only edits). The two-way pass also pairs the rows
of both sides. The helpers for that live here, one per side where the sides differ.

Must not: write to either system or to the ledger's links. The only records made here are the
outcomes of rows settled without a full read: a skipped draft, an invoice deleted on one side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bridge.engine.context import RunContext
from bridge.engine.onlyoffice_mirror import PerfexTaxes
from bridge.engine.outcomes import REVERSE, invoice_outcome
from bridge.engine.perfex_writer import PerfexNumber
from bridge.engine.plan import needs_full_read
from bridge.errors import CredentialsRejected, RecordRejected, SafetyStop
from mappings.fingerprint import onlyoffice_row_fingerprint, perfex_row_fingerprint
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeTax
from mappings.perfex import PerfexInvoice, PerfexTax, TaxSpec
from mappings.status import OnlyofficeStatus, PerfexStatus
from state import Link

log = logging.getLogger(__name__)

# Invoices still being worked on; the deep pass re-reads these to catch line-only edits.
PERFEX_OPEN_STATUSES = frozenset(
    {PerfexStatus.UNPAID, PerfexStatus.PARTIALLY_PAID, PerfexStatus.OVERDUE, PerfexStatus.DRAFT}
)
ONLYOFFICE_OPEN_STATUSES = frozenset({OnlyofficeStatus.DRAFT, OnlyofficeStatus.SENT})
DRAFT_REASON = (
    "Perfex draft: its number is a placeholder until it is sent, and ONLYOFFICE numbers "
    "cannot change later"
)


# -- listing and reading --------------------------------------------------------------------


def perfex_rows(ctx: RunContext, since: date | None = None) -> list[PerfexInvoice]:
    """Perfex's invoice list (one request), only those dated `since` or later if given."""
    rows = [PerfexInvoice.from_api(raw) for raw in ctx.perfex.list_invoices()]
    if since is not None:
        rows = [row for row in rows if perfex_within(row, since)]
    return rows


def onlyoffice_rows(ctx: RunContext, since: date | None = None) -> list[OnlyofficeInvoice]:
    """The `invoice/filter` rows of ONLYOFFICE (contract 3.2), only those issued `since` or
    later if given."""
    rows = [OnlyofficeInvoice.from_api(raw) for raw in ctx.onlyoffice.list_invoices()]
    return rows if since is None else [row for row in rows if onlyoffice_within(row, since)]


def perfex_within(row: PerfexInvoice, since: date) -> bool:
    """Whether a Perfex invoice falls in the --since window: by its date."""
    return row.date >= since


def onlyoffice_within(row: OnlyofficeInvoice, since: date) -> bool:
    """Whether an ONLYOFFICE invoice falls in the --since window: by its issue date."""
    return row.issue_date >= since


def read_perfex(ctx: RunContext, invoice_id: str) -> PerfexInvoice:
    return PerfexInvoice.from_api(ctx.perfex.get_invoice(invoice_id))


def read_onlyoffice(ctx: RunContext, invoice_id: int | str) -> OnlyofficeInvoice:
    return OnlyofficeInvoice.from_api(ctx.onlyoffice.get_invoice(invoice_id))


# -- pairs, for the two-way pass ------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One invoice as the two-way pass sees it: its link, if any, and its list row on each
    side."""

    link: Link | None
    perfex: PerfexInvoice | None
    onlyoffice: OnlyofficeInvoice | None


def pair_rows(
    ctx: RunContext,
    perfex: list[PerfexInvoice],
    onlyoffice: list[OnlyofficeInvoice],
    since: date | None,
) -> list[Pair]:
    """Every link with its rows, then the unlinked rows, paired by number where they can."""
    number_format = ctx.settings.mapping.number_format
    perfex_by_id = {row.id: row for row in perfex}
    onlyoffice_by_id = {str(row.id): row for row in onlyoffice}
    pairs = [
        Pair(
            link,
            perfex_by_id.pop(link.perfex_id, None),
            onlyoffice_by_id.pop(link.onlyoffice_id, None),
        )
        for link in ctx.links("invoice")
    ]
    unlinked = {row.number: row for row in onlyoffice_by_id.values()}
    for row in perfex_by_id.values():
        pairs.append(Pair(None, row, unlinked.pop(row.display_number(number_format), None)))
    pairs += [Pair(None, None, row) for row in unlinked.values()]
    return [pair for pair in pairs if _in_window(pair, since)]


def _in_window(pair: Pair, since: date | None) -> bool:
    """With --since, only pairs with a side dated on or after it (deletions are reported
    only by a full pass: a row outside the window is not missing)."""
    if since is None:
        return True
    if pair.perfex is not None and perfex_within(pair.perfex, since):
        return True
    return pair.onlyoffice is not None and onlyoffice_within(pair.onlyoffice, since)


# -- safety stops ---------------------------------------------------------------------------


def check_perfex_safety(ctx: RunContext, rows: list[PerfexInvoice], since: date | None) -> None:
    """Stops the run when Perfex suddenly lists no invoices (see `_stop_if_suddenly_empty`)."""
    _stop_if_suddenly_empty(
        ctx, bool(rows), since, "Perfex", "[perfex].url and the API token's permissions"
    )


def check_onlyoffice_safety(
    ctx: RunContext, rows: list[OnlyofficeInvoice], since: date | None
) -> None:
    """Stops the run when ONLYOFFICE suddenly lists no invoices."""
    _stop_if_suddenly_empty(
        ctx,
        bool(rows),
        since,
        "ONLYOFFICE",
        "[onlyoffice].url and that the account may read the CRM",
    )


def _stop_if_suddenly_empty(
    ctx: RunContext, listed: bool, since: date | None, system: str, check: str
) -> None:
    """A side that suddenly lists nothing while the ledger links invoices is far more likely a
    wrong URL, a token or account without permissions, or a broken install than a company
    that deleted every invoice: stop rather than act on it. A --since window may be empty."""
    if listed or since is not None or not ctx.settings.safety_stop:
        return
    linked = len(ctx.links("invoice"))
    if linked:
        raise SafetyStop(
            f"{system} lists no invoices at all while the ledger links {linked}; nothing was "
            f"written. Check {check}, or set "
            "[sync].safety_stop = false if the invoices really were all deleted."
        )


# -- number indexes -------------------------------------------------------------------------


def onlyoffice_numbers(ctx: RunContext) -> dict[str, int]:
    """ONLYOFFICE invoice number -> id, from a listing of its own; numbers are unique per
    portal (contract 3.3)."""
    index: dict[str, int] = {}
    for raw in ctx.onlyoffice.list_invoices():
        index.setdefault(str(raw["number"]), int(raw["id"]))
    return index


def onlyoffice_numbers_of(rows: list[OnlyofficeInvoice]) -> dict[str, int]:
    """The same index from rows already listed."""
    return {row.number: int(row.id) for row in rows if row.id is not None}


def perfex_numbers(rows: list[PerfexInvoice]) -> dict[PerfexNumber, str]:
    """Perfex natural key -> invoice id. Drafts that still carry the placeholder number all
    share it (contract 2.5 step 5) and name nothing, so they are left out."""
    index: dict[PerfexNumber, str] = {}
    for row in sorted(rows, key=lambda r: int(r.id or 0)):
        if row.id is not None and not row.is_placeholder_draft:
            index.setdefault(PerfexNumber.of(row), row.id)
    return index


# -- taxes ----------------------------------------------------------------------------------


def perfex_taxes(ctx: RunContext) -> PerfexTaxes:
    """Candidate taxes and per-product hints for inferring line taxes (GET has none)."""
    try:
        candidates = tuple(PerfexTax.from_api(raw) for raw in ctx.perfex.tax_data())
    except (RecordRejected, CredentialsRejected) as error:
        # Module 2.x checks /common against a permission its UI never offers (contract 1.2):
        # without it, the catalogue's taxes are the only candidates.
        log.warning("Perfex tax list unavailable (%s); using the item catalogue's taxes", error)
        candidates = ()
    hints = _catalogue_hints(ctx)
    extra = tuple(dict.fromkeys(tax for tax in hints.values() if tax not in candidates))
    return PerfexTaxes(candidates + extra, hints)


def perfex_and_onlyoffice_taxes(ctx: RunContext) -> PerfexTaxes:
    """Perfex's taxes, and ONLYOFFICE's too, for the two-way pass: an invoice that came from
    ONLYOFFICE carries its taxes as "NAME|RATE" on Perfex lines even where Perfex's own tax
    list is empty, and GET never returns them (perfex-api.md 3.3), so they must be among the
    candidates."""
    known = perfex_taxes(ctx)
    extra = [OnlyofficeTax.from_api(row).spec for row in ctx.onlyoffice.list_taxes()]
    fresh = tuple(dict.fromkeys(tax for tax in extra if tax not in known.candidates))
    return PerfexTaxes(known.candidates + fresh, known.hints)


def _catalogue_hints(ctx: RunContext) -> dict[str, TaxSpec]:
    try:
        items = ctx.perfex.list_items()
    except RecordRejected:
        return {}
    hints: dict[str, TaxSpec] = {}
    for item in items:
        if item.get("taxname") and item.get("taxrate") is not None:
            tax = PerfexTax.from_api({"name": item["taxname"], "taxrate": item["taxrate"]})
            hints.setdefault(str(item["description"]).strip(), tax)
    return hints


# -- deletions ------------------------------------------------------------------------------


def report_deleted_in_perfex(
    ctx: RunContext, rows: list[PerfexInvoice], since: date | None
) -> None:
    """Reports each linked invoice Perfex no longer lists; its counterpart is left alone."""
    listed = {row.id for row in rows}
    for link in _unlisted_links(ctx, since, lambda link: link.perfex_id in listed):
        ctx.record(
            invoice_outcome(
                link.perfex_id,
                link.onlyoffice_id,
                link.natural_key,
                "skipped",
                error="deleted in Perfex; its ONLYOFFICE counterpart was left as it is",
            )
        )


def report_deleted_in_onlyoffice(
    ctx: RunContext, rows: list[OnlyofficeInvoice], since: date | None
) -> None:
    """Reports each linked invoice ONLYOFFICE no longer lists; its counterpart is left alone."""
    listed = {str(row.id) for row in rows}
    for link in _unlisted_links(ctx, since, lambda link: link.onlyoffice_id in listed):
        ctx.record(
            invoice_outcome(
                link.onlyoffice_id,
                link.perfex_id,
                link.natural_key,
                "skipped",
                error="deleted in ONLYOFFICE; its Perfex counterpart was left as it is",
                **REVERSE,
            )
        )


def _unlisted_links(
    ctx: RunContext, since: date | None, is_listed: Callable[[Link], bool]
) -> list[Link]:
    """The invoice links whose record a side no longer lists. Deletions are reported only by a
    full pass: with --since, a row outside the window is not missing."""
    if since is not None:
        return []
    return [link for link in ctx.links("invoice") if not is_listed(link)]


# -- triage ---------------------------------------------------------------------------------


def perfex_needs_read(link: Link | None, row: PerfexInvoice, deep_pass: bool) -> bool:
    """Whether a listed Perfex row must be read in full (see `plan.needs_full_read`)."""
    deep = deep_pass and row.status in PERFEX_OPEN_STATUSES
    row_changed = link is None or link.perfex_row_fp != perfex_row_fingerprint(row)
    return needs_full_read(linked=link is not None, row_changed=row_changed, deep_pass=deep)


def onlyoffice_needs_read(link: Link | None, row: OnlyofficeInvoice, deep_pass: bool) -> bool:
    """Whether a listed ONLYOFFICE row must be read in full. Line-only edits move `cost`,
    which the row fingerprint holds; the deep pass catches the rest."""
    deep = deep_pass and row.status in ONLYOFFICE_OPEN_STATUSES
    row_changed = link is None or link.onlyoffice_row_fp != onlyoffice_row_fingerprint(row)
    return needs_full_read(linked=link is not None, row_changed=row_changed, deep_pass=deep)


def skips_perfex_draft(ctx: RunContext, row: PerfexInvoice) -> bool:
    """Whether an unlinked Perfex row is a draft that `[mapping].perfex_drafts = "skip"` leaves
    alone; records the skip when it is."""
    if row.status != PerfexStatus.DRAFT or ctx.settings.mapping.perfex_drafts != "skip":
        return False
    ctx.record(invoice_outcome(row.id or "", None, None, "skipped", error=DRAFT_REASON))
    return True
