"""Pure translation of invoices between Perfex CRM and ONLYOFFICE CRM.

Owns typed models of both APIs' payloads, the field rules (numbers, dates, money, status,
taxes, lines) and fingerprints of canonical content. Imports pydantic and the standard library
only: no I/O, no clock, no randomness, nothing first-party outside this package.

The names below are the package's public API; the modules hold the details.
"""

from mappings.changes import onlyoffice_changes, perfex_changes
from mappings.differences import Difference
from mappings.discounts import (
    CostLine,
    DiscountFit,
    fit_line_discounts,
    onlyoffice_pricing,
    perfex_fixed_discount,
)
from mappings.fingerprint import (
    ONLYOFFICE_IGNORED,
    PERFEX_IGNORED,
    onlyoffice_fingerprint,
    onlyoffice_row_fingerprint,
    perfex_fingerprint,
    perfex_row_fingerprint,
)
from mappings.money import (
    PerfexTotals,
    format_money,
    onlyoffice_cost,
    parse_money,
    perfex_server_total_tax,
    perfex_ui_totals,
)
from mappings.numbering import NumberFormat, ParsedNumber
from mappings.onlyoffice import (
    Address,
    OnlyofficeContact,
    OnlyofficeInvoice,
    OnlyofficeItem,
    OnlyofficeLine,
    OnlyofficeTax,
)
from mappings.onlyoffice_needs import (
    OnlyofficeNeeds,
    ProductSpec,
    onlyoffice_billing_address,
    onlyoffice_company_payload,
    onlyoffice_item_payload,
    onlyoffice_needs,
    onlyoffice_tax_payload,
)
from mappings.perfex import PerfexCustomer, PerfexInvoice, PerfexLine, PerfexTax, TaxSpec
from mappings.problems import MappingError, MappingProblem
from mappings.settings import MappingSettings
from mappings.status import (
    OnlyofficeStatus,
    PerfexStatus,
    StatusUnreachable,
    reopen_path,
    restore_path,
    status_path,
)
from mappings.tax_evidence import (
    TaxEvidence,
    catalogue_taxes,
    description_key,
    perfex_line_key,
    written_line_taxes,
)
from mappings.taxes import TaxInference, explains, infer_line_taxes, learned_taxes
from mappings.to_onlyoffice import OnlyofficeRefs, OnlyofficeTarget, perfex_to_onlyoffice
from mappings.to_perfex import (
    PerfexNeeds,
    PerfexRefs,
    PerfexTarget,
    onlyoffice_to_perfex,
    perfex_customer_form,
    perfex_needs,
)

__all__ = [
    "ONLYOFFICE_IGNORED",
    "PERFEX_IGNORED",
    "Address",
    "CostLine",
    "Difference",
    "DiscountFit",
    "MappingError",
    "MappingProblem",
    "MappingSettings",
    "NumberFormat",
    "OnlyofficeContact",
    "OnlyofficeInvoice",
    "OnlyofficeItem",
    "OnlyofficeLine",
    "OnlyofficeNeeds",
    "OnlyofficeRefs",
    "OnlyofficeStatus",
    "OnlyofficeTarget",
    "OnlyofficeTax",
    "ParsedNumber",
    "PerfexCustomer",
    "PerfexInvoice",
    "PerfexLine",
    "PerfexNeeds",
    "PerfexRefs",
    "PerfexStatus",
    "PerfexTarget",
    "PerfexTax",
    "PerfexTotals",
    "ProductSpec",
    "StatusUnreachable",
    "TaxEvidence",
    "TaxInference",
    "TaxSpec",
    "catalogue_taxes",
    "description_key",
    "explains",
    "fit_line_discounts",
    "format_money",
    "infer_line_taxes",
    "learned_taxes",
    "onlyoffice_billing_address",
    "onlyoffice_changes",
    "onlyoffice_company_payload",
    "onlyoffice_cost",
    "onlyoffice_fingerprint",
    "onlyoffice_item_payload",
    "onlyoffice_needs",
    "onlyoffice_pricing",
    "onlyoffice_row_fingerprint",
    "onlyoffice_tax_payload",
    "onlyoffice_to_perfex",
    "parse_money",
    "perfex_changes",
    "perfex_customer_form",
    "perfex_fingerprint",
    "perfex_fixed_discount",
    "perfex_line_key",
    "perfex_needs",
    "perfex_row_fingerprint",
    "perfex_server_total_tax",
    "perfex_to_onlyoffice",
    "perfex_ui_totals",
    "reopen_path",
    "restore_path",
    "status_path",
    "written_line_taxes",
]
