"""Perfex → ONLYOFFICE, first step: what an invoice needs on ONLYOFFICE, and how to create it.

Owns: refusing what cannot go over at all (Perfex drafts per settings, lines ONLYOFFICE cannot
hold, a currency without ISO code), the line taxes (given by a writer or inferred by
`taxes.py` from `TaxEvidence`), at most two of them a line (ONLYOFFICE's limit: the two
carrying the most money are kept, with a warning), the line percentages and money check of
`onlyoffice_money.py`, the strict policies' refusals (all decided here, before anything is
written), one product per distinct line description, and the bodies that create a company,
its billing address, a product or a tax on ONLYOFFICE (ONLYOFFICE API notes 6, 7.3, 7.4).

Must not: look anything up; the engine resolves these needs through the ledger, then by
natural key on the target, then by creating them, into `to_onlyoffice.OnlyofficeRefs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mappings.differences import Difference, strict_refusal, taxes_text
from mappings.money import CENT, ZERO, format_money, round_half_up
from mappings.onlyoffice_money import onlyoffice_money, perfex_currency_code
from mappings.perfex import PerfexCustomer, PerfexInvoice, PerfexLine, TaxSpec
from mappings.problems import MappingError, MappingProblem
from mappings.settings import MappingSettings
from mappings.status import PerfexStatus
from mappings.tax_evidence import LineTaxes, TaxEvidence
from mappings.taxes import TaxInference, infer_line_taxes

# ONLYOFFICE products need a price > 0 (API notes 6.1); a line's own price overrides it anyway.
MIN_PRODUCT_PRICE = CENT
MAX_ONLYOFFICE_AMOUNT = Decimal("99999999.99")  # decimal(10,2) columns (API notes 9.1)
MAX_TITLE_LENGTH = 255
_COMPANY_SHARED_READ_WRITE = 1  # API notes 7.3: a private contact may be unreadable to its creator
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
    line_taxes: LineTaxes  # per Perfex line, in item_order; at most two a line
    currency: str  # ISO code
    discounts: tuple[Decimal, ...]  # per Perfex line: the percentage that carries the discount
    inference: TaxInference | None = None  # how the line taxes were found
    warnings: tuple[Difference, ...] = ()  # every way ONLYOFFICE will not hold it exactly


def onlyoffice_needs(
    invoice: PerfexInvoice,
    settings: MappingSettings,
    evidence: TaxEvidence | None = None,
) -> OnlyofficeNeeds | MappingProblem:
    """The customer, products and taxes a Perfex invoice needs on ONLYOFFICE, or why not.

    `evidence` is what the engine knows about line taxes besides the totals (Perfex's tax
    list, its items catalogue, the bridge's own record, earlier invoices).
    """
    refusal = _draft_refusal(invoice, settings)
    if refusal is not None:
        return refusal
    lines = _checked_lines(invoice.lines)
    if isinstance(lines, MappingProblem):
        return lines
    inference = infer_line_taxes(invoice, evidence)
    if inference.warnings and settings.uncertain_taxes == "fail":
        return strict_refusal(inference.warnings, "uncertain_taxes")
    line_taxes, left_off = _at_most_two(inference.line_taxes)
    currency = perfex_currency_code(invoice, settings)
    if isinstance(currency, MappingProblem):
        return currency
    money = onlyoffice_money(invoice, line_taxes, currency)
    inexact = (*left_off, *money.differences)
    if inexact and settings.money_mismatch == "fail":
        return strict_refusal(inexact, "money_mismatch")
    return OnlyofficeNeeds(
        clientid=invoice.clientid,
        products=_products(lines),
        taxes=tuple(sorted({t for taxes in line_taxes for t in taxes}, key=_tax_order)),
        line_taxes=line_taxes,
        currency=currency,
        discounts=money.discounts,
        inference=inference,
        warnings=(*inference.warnings, *inexact),
    )


def _at_most_two(line_taxes: LineTaxes) -> tuple[LineTaxes, tuple[Difference, ...]]:
    """ONLYOFFICE holds two taxes a line (API notes 3.3): the two with the highest rates
    (the most money) stay, in their order, and the rest is reported."""
    kept: list[tuple[TaxSpec, ...]] = []
    left_off: list[Difference] = []
    for number, taxes in enumerate(line_taxes, start=1):
        if len(taxes) <= 2:
            kept.append(taxes)
            continue
        keep = set(sorted(taxes, key=lambda tax: tax.rate, reverse=True)[:2])
        carried = tuple(tax for tax in taxes if tax in keep)
        dropped = [tax for tax in taxes if tax not in keep]
        kept.append(carried)
        left_off.append(
            Difference(
                field="taxes",
                source=f"{taxes_text(taxes)} on line {number}",
                target=f"{taxes_text(carried)} on line {number}",
                reason=f"ONLYOFFICE holds two taxes a line; {taxes_text(dropped)} left off",
            )
        )
    return tuple(kept), tuple(left_off)


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


def _products(lines: Sequence[PerfexLine]) -> tuple[ProductSpec, ...]:
    by_title: dict[str, ProductSpec] = {}
    for line in lines:
        title = line.description.strip()
        if title not in by_title:
            price = line.rate if line.rate > ZERO else MIN_PRODUCT_PRICE
            by_title[title] = ProductSpec(title=title, price=round_half_up(price))
    return tuple(by_title.values())


def onlyoffice_company_payload(customer: PerfexCustomer) -> dict[str, Any]:
    """Body of `POST contact/company` for a Perfex customer (API notes 7.3)."""
    if not customer.company:
        raise MappingError("company", f"Perfex customer {customer.userid} has no company name")
    # Shared read-write: a private contact with no manager list can be unreadable to a
    # non-admin sync account right after it created it (API notes 7.3).
    return {"companyName": customer.company, "shareType": _COMPANY_SHARED_READ_WRITE}


def onlyoffice_billing_address(customer: PerfexCustomer) -> dict[str, Any]:
    """Body of `POST contact/{id}/addressdata`: a primary Billing address (API notes 7.4).

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
    """Body of `POST invoiceitem` (API notes 6.1): title and a price > 0."""
    return {"title": product.title, "price": format_money(product.price), "description": ""}


def onlyoffice_tax_payload(tax: TaxSpec) -> dict[str, Any]:
    """Body of `POST invoice/tax` (API notes 6.2). Names are unique on ONLYOFFICE."""
    return {"name": tax.name, "rate": format_money(tax.rate), "description": tax.perfex_taxname}
