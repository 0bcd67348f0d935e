"""Perfex → ONLYOFFICE: the desired invoice and the exact JSON bodies that write it.

Owns the field rules of the mapping table in this direction: number pattern, contact and
billing address ids, lines on the resolved products and taxes with their discount
percentages, dates, currency, status, and the payloads. What must exist first (products,
taxes, the customer), the line taxes, the percentages that carry Perfex's discount and
adjustment, and every warning are worked out in `onlyoffice_needs.py` (with
`onlyoffice_money.py`), before anything is written.

Must not: look anything up on either side. The engine resolves `OnlyofficeNeeds` into
`OnlyofficeRefs` (ledger, then natural key on the target, then create) and writes the payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from mappings.differences import Difference
from mappings.money import (
    format_money,
    round_half_up,
)
from mappings.onlyoffice import OnlyofficeInvoice, OnlyofficeLine
from mappings.onlyoffice_needs import (
    OnlyofficeNeeds,
    ProductSpec,
    onlyoffice_billing_address,
    onlyoffice_company_payload,
    onlyoffice_item_payload,
    onlyoffice_needs,
    onlyoffice_tax_payload,
)
from mappings.perfex import PerfexInvoice, PerfexLine, TaxSpec
from mappings.problems import MappingProblem
from mappings.settings import MappingSettings

# The needs and dependency payloads live in onlyoffice_needs.py; they are part of this API.
__all__ = [
    "OnlyofficeNeeds",
    "OnlyofficeRefs",
    "OnlyofficeTarget",
    "ProductSpec",
    "onlyoffice_billing_address",
    "onlyoffice_company_payload",
    "onlyoffice_item_payload",
    "onlyoffice_line_text",
    "onlyoffice_needs",
    "onlyoffice_tax_payload",
    "perfex_to_onlyoffice",
]


@dataclass(frozen=True, slots=True)
class OnlyofficeRefs:
    """The ONLYOFFICE ids the engine resolved for `OnlyofficeNeeds`."""

    contact_id: int
    billing_address_id: int | None
    item_ids: Mapping[str, int]  # product title → item id
    tax_ids: Mapping[TaxSpec, int]


@dataclass(frozen=True, slots=True)
class OnlyofficeTarget:
    """The desired ONLYOFFICE invoice and the exact JSON bodies that produce it.

    Creates always land as Draft and PUT never changes status (API notes 3.3, 3.4): the engine
    moves to `status` afterwards with `status.status_path`.
    """

    invoice: OnlyofficeInvoice
    create_payload: dict[str, Any]
    update_payload: dict[str, Any]
    status: int
    warnings: tuple[Difference, ...]  # every way ONLYOFFICE does not hold the invoice exactly


def perfex_to_onlyoffice(
    invoice: PerfexInvoice,
    needs: OnlyofficeNeeds,
    refs: OnlyofficeRefs,
    settings: MappingSettings,
) -> OnlyofficeTarget | MappingProblem:
    """The ONLYOFFICE invoice that says what this Perfex invoice says, or why it cannot."""
    wanted = settings.perfex_to_onlyoffice_status.get(invoice.status)
    if wanted is None:
        return MappingProblem(
            "status", f"Perfex status {invoice.status} is not in the status table"
        )
    status = int(wanted)
    if invoice.lines is None:
        return MappingProblem("items", "the invoice's lines could not be read from Perfex")
    lines = _lines(invoice, needs, refs)
    if isinstance(lines, MappingProblem):
        return lines
    desired = _desired(invoice, settings, refs, status, needs.currency, lines)
    create = _payload(desired, refs.billing_address_id)
    update = {key: value for key, value in create.items() if key != "number"}
    return OnlyofficeTarget(desired, create, update, status, needs.warnings)


def _lines(
    invoice: PerfexInvoice, needs: OnlyofficeNeeds, refs: OnlyofficeRefs
) -> tuple[OnlyofficeLine, ...] | MappingProblem:
    lines: list[OnlyofficeLine] = []
    rows = zip(invoice.lines or (), needs.line_taxes, needs.discounts, strict=True)
    for line, taxes, discount in rows:
        item_id = refs.item_ids.get(line.description.strip())
        tax_ids = [refs.tax_ids.get(tax) for tax in taxes]
        if item_id is None or None in tax_ids:
            return MappingProblem(
                "items", f"no ONLYOFFICE product or tax resolved for {line.description!r}"
            )
        padded = [*(tax_id for tax_id in tax_ids if tax_id is not None), 0, 0]
        lines.append(
            OnlyofficeLine(
                item_id=item_id,
                tax1_id=padded[0],
                tax2_id=padded[1],
                description=onlyoffice_line_text(line),
                quantity=round_half_up(line.qty),
                price=round_half_up(line.rate),
                discount=discount,
            )
        )
    return tuple(lines)


def onlyoffice_line_text(line: PerfexLine) -> str:
    """Perfex's description, then its long description on the following lines.

    ONLYOFFICE lines have one text; `to_perfex` splits it again at the first newline.
    """
    if not line.long_description:
        return line.description
    return f"{line.description}\n{line.long_description}"


def _desired(
    invoice: PerfexInvoice,
    settings: MappingSettings,
    refs: OnlyofficeRefs,
    status: int,
    currency: str,
    lines: tuple[OnlyofficeLine, ...],
) -> OnlyofficeInvoice:
    due = invoice.duedate or invoice.date + timedelta(days=settings.default_due_days)
    return OnlyofficeInvoice(
        id=None,
        number=invoice.display_number(settings.number_format),
        status=status,
        issue_date=invoice.date,
        due_date=due,
        contact_id=refs.contact_id,
        consignee_id=0,
        currency=currency,
        exchange_rate=Decimal("1.00"),
        language=settings.language,
        purchase_order_number="",
        # ONLYOFFICE requires terms (API notes 3.3); Perfex often has none.
        terms=invoice.terms if invoice.terms.strip() else settings.default_terms,
        description=invoice.clientnote,
        cost=None,
        lines=lines,
    )


def _payload(invoice: OnlyofficeInvoice, billing_address_id: int | None) -> dict[str, Any]:
    """The JSON body of `POST invoice` (API notes 3.3) with the key spellings of 2.6.

    Money goes out as strings with a dot ("90.00"): ONLYOFFICE binds JSON numbers and numeric
    strings alike through its invariant-culture converters (API notes 2.6), and a string keeps
    the Decimal exact where a JSON number would pass through a float. Dates are date-only,
    which the server reads in the portal's zone: the same calendar date (API notes 2.4).
    """
    body: dict[str, Any] = {
        "number": invoice.number,
        "issueDate": invoice.issue_date.isoformat(),
        "dueDate": invoice.due_date.isoformat(),
        "contactId": invoice.contact_id,
        "consigneeId": invoice.consignee_id,
        "language": invoice.language,
        "currency": invoice.currency,
        "exchangeRate": format_money(invoice.exchange_rate),
        "purchaseOrderNumber": invoice.purchase_order_number,
        "terms": invoice.terms,
        "description": invoice.description,
        "invoiceLines": [_line_payload(line) for line in invoice.lines or ()],
    }
    if billing_address_id is not None:
        body["billingAddressID"] = billing_address_id
    return body


def _line_payload(line: OnlyofficeLine) -> dict[str, Any]:
    # Line keys are matched case-sensitively: "invoiceItemId" would silently become 0 (2.6).
    return {
        "invoiceItemID": line.item_id,
        "invoiceTax1ID": line.tax1_id,
        "invoiceTax2ID": line.tax2_id,
        "description": line.description,
        "quantity": format_money(line.quantity),
        "price": format_money(line.price),
        "discount": format_money(line.discount),
    }
