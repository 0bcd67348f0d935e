"""The switches of the Perfex simulator: module version, company options and fault modes.

Owns: `PerfexOptions` and its validation. Must not: hold data or behaviour; the store and the
handlers read these flags.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSIONS = ("2", "3")


@dataclass(frozen=True)
class PerfexOptions:
    """How the simulated Perfex install behaves. Defaults: module 2.0.8, Perfex 3.x, production.

    version                     "2" = module 2.0.8, "3" = module 3.0.3 deltas (API notes 7.1).
    php8_get_bug                GET /api/invoices/{id} answers 500 with an empty body, as
                                2.0.7/2.0.8 do on PHP 8 (API notes 2.3). Ignored on version "3".
    delete_only_on_last_invoice only the invoice with the highest id can be deleted (2.7).
    invoice_number_decrement_on_delete
                                deleting a non-draft invoice lowers next_invoice_number (2.7).
    strict_item_scope           reject `removed_items` / `items[].itemid` that belong to another
                                invoice (the real server does not check; API notes 2.6).
    v3_rate_limit               version "3": requests per token per hour before 429 "Rate limit
                                exceeded" with X-RateLimit-* headers; None = no quota (1.2).
    v3_method_limit             version "3": requests per method per hour before the CodeIgniter
                                REST 401 "time limit" answer; None = off (1.2).
    development_mode            ENVIRONMENT=development: PHP warnings printed as HTML before the
                                JSON (PUT without `duedate`), database errors as HTML 500 (1.3).
    invoice_prefix              option `invoice_prefix`, copied into each new invoice.
    number_padding              zero padding of the display number (`formatted_number`).
    formatted_number_column     add the `formatted_number` column of newer Perfex (3.1).
    vat_field_enabled           option `company_requires_vat_number_field`; off = `vat` is null.
    """

    version: str = "2"
    php8_get_bug: bool = False
    delete_only_on_last_invoice: bool = True
    invoice_number_decrement_on_delete: bool = False
    strict_item_scope: bool = False
    v3_rate_limit: int | None = None
    v3_method_limit: int | None = None
    development_mode: bool = False
    invoice_prefix: str = "INV-"
    number_padding: int = 6
    formatted_number_column: bool = False
    vat_field_enabled: bool = True

    def __post_init__(self) -> None:
        if self.version not in VERSIONS:
            raise ValueError(f"Perfex version must be one of {VERSIONS}, not {self.version!r}")
        for name in ("v3_rate_limit", "v3_method_limit"):
            limit = getattr(self, name)
            if limit is not None and limit < 1:
                raise ValueError(f"{name} must be at least 1 or None")

    @property
    def is_v3(self) -> bool:
        return self.version == "3"
