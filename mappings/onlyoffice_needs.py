"""Perfex → ONLYOFFICE, first step: what an invoice needs on ONLYOFFICE, and how to create it.

Owns: refusing what cannot go over at all (Perfex drafts per settings, lines ONLYOFFICE cannot
hold), the line taxes (given by a writer or inferred by `taxes.py`), one product per distinct
line description, and the bodies that create a company, its billing address, a product or a
tax on ONLYOFFICE (shared/contracts/onlyoffice-api.md 6, 7.3, 7.4).

Must not: look anything up; the engine resolves these needs through the ledger, then by
natural key on the target, then by creating them, into `to_onlyoffice.OnlyofficeRefs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mappings.money import CENT, ZERO, format_money, round_half_up
from mappings.perfex import PerfexCustomer, PerfexInvoice, PerfexLine, TaxSpec
from mappings.problems import MappingError, MappingProblem
from mappings.settings import MappingSettings
from mappings.status import PerfexStatus
from mappings.taxes import LineTaxes, infer_line_taxes

# ONLYOFFICE products need a price > 0 (contract 6.1); a line's own price overrides it anyway.
MIN_PRODUCT_PRICE = CENT
MAX_ONLYOFFICE_AMOUNT = Decimal("99999999.99")  # decimal(10,2) columns (contract 9.1)
MAX_TITLE_LENGTH = 255
_COMPANY_SHARED_READ_WRITE = 1  # contract 7.3: a private contact may be unreadable to its creator
_ADDRESS_CATEGORY_BILLING = 3


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """An ONLYOFFICE product a line needs, found or created by its exact title."""

    title: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class OnlyofficeNeeds:
    """What must exist on ONLYOFFICE before this invoice can be written."""

    clientid: str
    products: tuple[ProductSpec, ...]
    taxes: tuple[TaxSpec, ...]
    line_taxes: LineTaxes  # per Perfex line, in item_order


def onlyoffice_needs(
    invoice: PerfexInvoice,
    settings: MappingSettings,
    candidates: Sequence[TaxSpec],
    hints: Mapping[str, TaxSpec],
) -> OnlyofficeNeeds | MappingProblem:
    """The customer, products and taxes a Perfex invoice needs on ONLYOFFICE, or why not."""
    refusal = _draft_refusal(invoice, settings)
    if refusal is not None:
        return refusal
    lines = _checked_lines(invoice.lines)
    if isinstance(lines, MappingProblem):
        return lines
    line_taxes = _known_taxes(lines) or infer_line_taxes(invoice, candidates, hints)
    if isinstance(line_taxes, MappingProblem):
        return line_taxes
    for index, taxes in enumerate(line_taxes, start=1):
        if len(taxes) > 2:
            return MappingProblem(
                "items", f"line {index} has {len(taxes)} taxes; ONLYOFFICE allows 2"
            )
    return OnlyofficeNeeds(
        clientid=invoice.clientid,
        products=_products(lines),
        taxes=tuple(sorted({t for taxes in line_taxes for t in taxes}, key=_tax_order)),
        line_taxes=line_taxes,
    )


def _tax_order(tax: TaxSpec) -> tuple[str, Decimal]:
    return (tax.name, tax.rate)


def _draft_refusal(invoice: PerfexInvoice, settings: MappingSettings) -> MappingProblem | None:
    if invoice.status != PerfexStatus.DRAFT:
        return None
    if invoice.is_placeholder_draft:
        reason = "it still has Perfex's placeholder number, and ONLYOFFICE numbers never change"
        return MappingProblem("status", f"skipped a Perfex draft: {reason}", skip=True)
    if settings.perfex_drafts == "skip":
        return MappingProblem("status", "skipped a Perfex draft (drafts are not synced)", skip=True)
    return None


def _checked_lines(
    lines: tuple[PerfexLine, ...] | None,
) -> tuple[PerfexLine, ...] | MappingProblem:
    if lines is None:
        return MappingProblem("items", "the invoice's lines could not be read from Perfex")
    if not lines:
        return MappingProblem("items", "the invoice has no lines; ONLYOFFICE needs at least one")
    for index, line in enumerate(lines, start=1):
        problem = _line_refusal(index, line)
        if problem is not None:
            return problem
    return lines


def _line_refusal(index: int, line: PerfexLine) -> MappingProblem | None:
    title = line.description.strip()
    if not title:
        return MappingProblem("items", f"line {index} has no description to name its product")
    if len(title) > MAX_TITLE_LENGTH:
        return MappingProblem("items", f"line {index}: description longer than 255 characters")
    if line.qty < ZERO or line.rate < ZERO:
        return MappingProblem(
            "items", f"line {index}: ONLYOFFICE has no negative quantities or prices"
        )
    if line.rate > MAX_ONLYOFFICE_AMOUNT:
        return MappingProblem("items", f"line {index}: rate above ONLYOFFICE's 99999999.99")
    return None


def _known_taxes(lines: Sequence[PerfexLine]) -> LineTaxes | None:
    """Line taxes given by the caller (only a writer knows them: GET never returns them)."""
    return tuple(line.taxes for line in lines) if any(line.taxes for line in lines) else None


def _products(lines: Sequence[PerfexLine]) -> tuple[ProductSpec, ...]:
    by_title: dict[str, ProductSpec] = {}
    for line in lines:
        title = line.description.strip()
        if title not in by_title:
            price = line.rate if line.rate > ZERO else MIN_PRODUCT_PRICE
            by_title[title] = ProductSpec(title=title, price=round_half_up(price))
    return tuple(by_title.values())


def onlyoffice_company_payload(customer: PerfexCustomer) -> dict[str, Any]:
    """Body of `POST contact/company` for a Perfex customer (contract 7.3)."""
    if not customer.company:
        raise MappingError("company", f"Perfex customer {customer.userid} has no company name")
    # Shared read-write: a private contact with no manager list can be unreadable to a
    # non-admin sync account right after it created it (contract 7.3).
    return {"companyName": customer.company, "shareType": _COMPANY_SHARED_READ_WRITE}


def onlyoffice_billing_address(customer: PerfexCustomer) -> dict[str, Any]:
    """Body of `POST contact/{id}/addressdata`: a primary Billing address (contract 7.4).

    Perfex keeps the country as an id into its own country table, which the API does not
    expose, so the country is left empty rather than guessed.
    """
    return {
        "address": {
            "street": customer.billing_street,
            "city": customer.billing_city,
            "state": customer.billing_state,
            "zip": customer.billing_zip,
            "country": "",
            "category": _ADDRESS_CATEGORY_BILLING,
            "isPrimary": True,
        }
    }


def onlyoffice_item_payload(product: ProductSpec) -> dict[str, Any]:
    """Body of `POST invoiceitem` (contract 6.1): title and a price > 0."""
    return {"title": product.title, "price": format_money(product.price), "description": ""}


def onlyoffice_tax_payload(tax: TaxSpec) -> dict[str, Any]:
    """Body of `POST invoice/tax` (contract 6.2). Names are unique on ONLYOFFICE."""
    return {"name": tax.name, "rate": format_money(tax.rate), "description": tax.perfex_taxname}
