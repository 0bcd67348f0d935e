"""ONLYOFFICE → Perfex: what an invoice needs in Perfex, and the desired Perfex invoice.

Owns the reverse direction of the mapping table: the Perfex number and prefix parsed from the
ONLYOFFICE number, exact line taxes ("NAME|RATE" from ONLYOFFICE's tax objects), currency
id, billing street, and status without faking payments (a warning says what is not carried).
The money (line discounts as Perfex's one discount, totals by Perfex's UI formula, the check
against ONLYOFFICE's cost) is worked out in `perfex_money.py`.

The create form and the replace-all update body that carry it are built in
`perfex_writes.py` and returned together in `PerfexTarget`.

Must not: look anything up, or send a paid status: Perfex derives those from payments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import IntEnum
from typing import Any

from mappings.differences import ONLYOFFICE, PERFEX, Difference
from mappings.numbering import ParsedNumber
from mappings.onlyoffice import (
    Address,
    OnlyofficeInvoice,
    OnlyofficeItem,
    OnlyofficeLine,
    OnlyofficeTax,
)
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec
from mappings.perfex_money import PerfexMoney, perfex_money, perfex_money_fields
from mappings.perfex_writes import perfex_create_form, perfex_customer_form, perfex_update_body
from mappings.problems import MappingProblem
from mappings.settings import MappingSettings
from mappings.status import OnlyofficeStatus, PerfexStatus

# The write bodies live in perfex_writes.py; they are part of this API.
__all__ = [
    "PerfexNeeds",
    "PerfexRefs",
    "PerfexTarget",
    "onlyoffice_to_perfex",
    "perfex_create_form",
    "perfex_customer_form",
    "perfex_needs",
    "perfex_status_for",
    "perfex_update_body",
]

# Perfex derives these from payments and the due date (API notes 3.2) and recomputes them after
# every write; when ONLYOFFICE only says "unpaid", the Perfex value is kept rather than posted.
_DERIVED_PERFEX_STATUSES = frozenset(
    {PerfexStatus.PAID, PerfexStatus.PARTIALLY_PAID, PerfexStatus.OVERDUE}
)


@dataclass(frozen=True, slots=True)
class PerfexNeeds:
    """What an ONLYOFFICE invoice needs before it can be written to Perfex.

    Perfex line taxes need no tax record (API notes 4.3), so only the customer must exist.
    """

    contact_id: int
    lines: tuple[PerfexLine, ...]  # the wanted lines, item_order 1..n, with exact taxes
    taxes: tuple[TaxSpec, ...]
    tax_rates: Mapping[int, Decimal]  # ONLYOFFICE tax id → rate, for the money check
    discounts: tuple[Decimal, ...]  # each ONLYOFFICE line's discount percent
    money: PerfexMoney | None = None  # decided early when perfex_needs had the settings


@dataclass(frozen=True, slots=True)
class PerfexRefs:
    """The Perfex customer the engine resolved, and the contact's billing address if any."""

    clientid: str
    billing: Address | None


@dataclass(frozen=True, slots=True)
class PerfexTarget:
    """The desired Perfex invoice and the exact bodies that produce it."""

    invoice: PerfexInvoice  # comparable by perfex_fingerprint with a read-back
    create_form: list[tuple[str, str]]
    update_body: dict[str, Any]
    warnings: tuple[Difference, ...]  # every way Perfex does not hold the invoice exactly


def perfex_needs(
    invoice: OnlyofficeInvoice,
    taxes: Mapping[int, OnlyofficeTax],
    items: Mapping[int, OnlyofficeItem] | None = None,
    settings: MappingSettings | None = None,
) -> PerfexNeeds | MappingProblem:
    """The customer and exact lines for Perfex. `items` names lines left without a description.

    With `settings`, the money is decided here too (`perfex_money.py`): a zero total, or a
    difference the strict policy refuses, is refused before the customer is resolved.
    """
    if invoice.lines is None:
        return MappingProblem("invoiceLines", "the invoice's lines were not read from ONLYOFFICE")
    if not invoice.lines:
        return MappingProblem("invoiceLines", "the invoice has no lines")
    if invoice.contact_id is None:
        return MappingProblem("contactId", "the invoice has no contact the sync account can read")
    lines: list[PerfexLine] = []
    for order, line in enumerate(invoice.lines, start=1):
        built = _perfex_line(order, line, taxes, items or {})
        if isinstance(built, MappingProblem):
            return built
        lines.append(built)
    used = {tax.id: tax for line in invoice.lines for tax in _line_taxes(line, taxes)}
    needs = PerfexNeeds(
        contact_id=invoice.contact_id,
        lines=tuple(lines),
        taxes=tuple(dict.fromkeys(tax.spec for tax in used.values())),
        tax_rates={tax_id: tax.rate for tax_id, tax in used.items()},
        discounts=tuple(line.discount for line in invoice.lines),
    )
    if settings is None:
        return needs
    money = _money_of(invoice, needs, settings)
    return money if isinstance(money, MappingProblem) else replace(needs, money=money)


def _money_of(
    invoice: OnlyofficeInvoice, needs: PerfexNeeds, settings: MappingSettings
) -> PerfexMoney | MappingProblem:
    return perfex_money(invoice, needs.lines, needs.discounts, needs.tax_rates, settings)


def _line_taxes(line: OnlyofficeLine, taxes: Mapping[int, OnlyofficeTax]) -> list[OnlyofficeTax]:
    return [taxes[tax_id] for tax_id in (line.tax1_id, line.tax2_id) if tax_id > 0]


def _perfex_line(
    order: int,
    line: OnlyofficeLine,
    taxes: Mapping[int, OnlyofficeTax],
    items: Mapping[int, OnlyofficeItem],
) -> PerfexLine | MappingProblem:
    unknown = [t for t in (line.tax1_id, line.tax2_id) if t > 0 and t not in taxes]
    if unknown:
        return MappingProblem(
            "invoiceLines", f"line {order} uses unknown ONLYOFFICE tax {unknown[0]}"
        )
    specs = tuple(tax.spec for tax in _line_taxes(line, taxes))
    if any("|" in spec.name for spec in specs):
        return MappingProblem("invoiceLines", f"line {order}: a tax name contains '|'")
    text = line.description.strip() or (items[line.item_id].title if line.item_id in items else "")
    if not text:
        return MappingProblem("invoiceLines", f"line {order} has no description")
    description, _, long_description = text.partition("\n")
    return PerfexLine(
        id=None,
        description=description,
        long_description=long_description,
        qty=line.quantity,
        rate=line.price,
        unit="",
        item_order=order,
        taxes=specs,
    )


def onlyoffice_to_perfex(
    invoice: OnlyofficeInvoice,
    needs: PerfexNeeds,
    refs: PerfexRefs,
    settings: MappingSettings,
    current: PerfexInvoice | None,
) -> PerfexTarget | MappingProblem:
    """The Perfex invoice that says what this ONLYOFFICE invoice says, or why it cannot.

    `current` is the Perfex invoice being updated (with its lines), None for a create.
    """
    keys = _natural_keys(invoice, settings)
    if isinstance(keys, MappingProblem):
        return keys
    parsed, currency_id = keys
    if current is not None and current.lines is None:
        return MappingProblem("items", "the current Perfex lines are needed to replace them")
    money = needs.money or _money_of(invoice, needs, settings)
    if isinstance(money, MappingProblem):
        return money
    status, status_warning = perfex_status_for(invoice.status, current, settings)
    desired = PerfexInvoice(
        id=current.id if current else None,
        number=parsed.number,
        prefix=parsed.prefix,
        date=invoice.issue_date,
        duedate=invoice.due_date,
        clientid=refs.clientid,
        currency_id=currency_id,
        currency_code=invoice.currency.upper(),
        status=status,
        terms=invoice.terms,
        clientnote=invoice.description,
        lines=_with_current_units(needs.lines, current),
        **perfex_money_fields(money, needs.lines),
        **_billing_fields(refs.billing, settings),
        **_kept_fields(current, settings),
    )
    warnings = (*money.warnings, status_warning) if status_warning else money.warnings
    return PerfexTarget(
        desired, perfex_create_form(desired), perfex_update_body(desired, current), warnings
    )


def _with_current_units(
    lines: tuple[PerfexLine, ...], current: PerfexInvoice | None
) -> tuple[PerfexLine, ...]:
    """Perfex line units have no ONLYOFFICE field. Like the Perfex-only header fields, a wanted
    line keeps the unit of the current line it continues (same description, in order), or an
    edit in ONLYOFFICE would wipe every unit in Perfex."""
    if current is None or not current.lines:
        return lines
    units: dict[str, list[str]] = {}
    for line in current.lines:
        units.setdefault(line.description, []).append(line.unit)
    kept = []
    for line in lines:
        queue = units.get(line.description)
        kept.append(replace(line, unit=queue.pop(0)) if queue else line)
    return tuple(kept)


def _natural_keys(
    invoice: OnlyofficeInvoice, settings: MappingSettings
) -> tuple[ParsedNumber, str] | MappingProblem:
    """Perfex's prefix and number, and its currency id: neither can be guessed."""
    parsed = settings.number_format.parse(invoice.number)
    if parsed is None:
        return MappingProblem(
            "number", f"ONLYOFFICE number {invoice.number!r} has no digits to be a Perfex number"
        )
    currency_id = settings.perfex_currency_ids.get(invoice.currency.upper())
    if currency_id is None:
        return MappingProblem(
            "currency",
            f"currency {invoice.currency} has no Perfex currency id; add it to [perfex].currencies",
        )
    return parsed, currency_id


def _billing_fields(billing: Address | None, settings: MappingSettings) -> dict[str, str]:
    address = billing or Address("", "", "", "", "")
    return {
        # Perfex requires a non-empty billing street (API notes 2.5).
        "billing_street": address.street.strip() or settings.default_billing_street,
        "billing_city": address.city,
        "billing_state": address.state,
        "billing_zip": address.zip,
    }


def _kept_fields(current: PerfexInvoice | None, settings: MappingSettings) -> dict[str, Any]:
    """Perfex-only fields ONLYOFFICE knows nothing about: keep what Perfex has."""
    return {
        "number_format": current.number_format if current else 1,
        "adminnote": current.adminnote if current else "",
        # A country id into Perfex's own table; never sent, so the stored value stays.
        "billing_country": current.billing_country if current else "0",
        "allowed_payment_modes": _payment_modes(current, settings),
    }


def _payment_modes(current: PerfexInvoice | None, settings: MappingSettings) -> tuple[str, ...]:
    if current is not None and current.allowed_payment_modes:
        return current.allowed_payment_modes
    return settings.perfex_payment_modes


def perfex_status_for(
    onlyoffice_status: int, current: PerfexInvoice | None, settings: MappingSettings
) -> tuple[int, Difference | None]:
    """The Perfex status to write, and a warning when the ONLYOFFICE status cannot be carried."""
    wanted = settings.onlyoffice_to_perfex_status.get(onlyoffice_status)
    carried = wanted is not None
    if wanted is None:
        wanted = PerfexStatus.UNPAID
    if wanted == PerfexStatus.UNPAID and current and current.status in _DERIVED_PERFEX_STATUSES:
        # Posting "unpaid" would be recomputed from payments and the due date anyway.
        wanted = current.status
    if onlyoffice_status == OnlyofficeStatus.PAID:
        # Whatever the table says (the shipped configuration maps Paid to unpaid), only a
        # recorded payment makes a Perfex invoice paid: say so until Perfex shows it.
        carried = wanted == PerfexStatus.PAID
    warning = None if carried else _not_carried(onlyoffice_status, int(wanted))
    return int(wanted), warning


def _not_carried(onlyoffice_status: int, perfex_status: int) -> Difference:
    if onlyoffice_status == OnlyofficeStatus.PAID:
        reason = (
            "Perfex marks invoices paid only from recorded payments: record the payment in Perfex"
        )
    else:
        reason = "no Perfex counterpart in the status table"
    return Difference(
        field="status",
        source=_status_name(OnlyofficeStatus, onlyoffice_status),
        target=_status_name(PerfexStatus, perfex_status),
        reason=reason,
        source_system=ONLYOFFICE,
        target_system=PERFEX,
    )


def _status_name(kind: type[IntEnum], number: int) -> str:
    """ "Partially Paid"; the number itself when the code is not a known status."""
    try:
        return kind(number).name.replace("_", " ").title()
    except ValueError:
        return str(number)
