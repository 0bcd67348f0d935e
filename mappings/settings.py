"""The knobs of the translation, with safe defaults; built by the config layer.

Owns `MappingSettings`: number pattern, status tables, defaults for fields one side requires
and the other may leave empty, the currency map Perfex cannot supply, and the exactness
policies: what to do with an invoice the target cannot hold to the cent (`money_mismatch`)
and with line taxes Perfex never returns that the evidence and totals do not settle
(`uncertain_taxes`). "warn" writes the closest the target holds and reports every
difference; "fail" refuses such invoices.

Must not: read files or the environment: `bridge/config` turns the config file into this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mappings.numbering import NumberFormat
from mappings.status import (
    ARCHIVED,
    DEFAULT_ONLYOFFICE_TO_PERFEX,
    DEFAULT_PERFEX_TO_ONLYOFFICE,
    FORBIDDEN_PERFEX_TARGETS,
    OnlyofficeStatus,
    PerfexStatus,
)

PERFEX_DRAFT_POLICIES = ("skip", "sync")
MONEY_MISMATCH_POLICIES = ("warn", "fail")
UNCERTAIN_TAXES_POLICIES = ("warn", "fail")


@dataclass(frozen=True)
class MappingSettings:
    number_format: NumberFormat = field(default_factory=NumberFormat)
    perfex_to_onlyoffice_status: Mapping[int, int] = field(
        default_factory=lambda: dict(DEFAULT_PERFEX_TO_ONLYOFFICE)
    )
    # None = not carried: the invoice goes over as unpaid, with a warning.
    onlyoffice_to_perfex_status: Mapping[int, int | None] = field(
        default_factory=lambda: dict(DEFAULT_ONLYOFFICE_TO_PERFEX)
    )
    default_terms: str = "Payment due as invoiced."
    default_due_days: int = 30
    language: str = "en-US"
    # A Perfex draft carries the placeholder number 1000000000 until it is sent, and an
    # ONLYOFFICE number can never change after create, so drafts are skipped by default.
    # "sync" carries drafts that already have a real number; placeholders are always skipped.
    perfex_drafts: str = "skip"
    perfex_currency_ids: Mapping[str, str] = field(default_factory=dict)
    perfex_payment_modes: tuple[str, ...] = ("1",)
    # Perfex requires a non-empty billing street (API notes 2.5); used when the contact has none.
    default_billing_street: str = "Not provided"
    # The target's closest representation is written and every difference becomes a warning
    # (field, both values, amount); "fail" refuses the invoice instead.
    money_mismatch: str = "warn"
    # Line taxes inferred with alternatives, or that no mix of known taxes explains, are
    # written with a warning naming the alternatives; "fail" refuses the invoice instead.
    uncertain_taxes: str = "warn"

    def __post_init__(self) -> None:
        _check_choice("perfex_drafts", self.perfex_drafts, PERFEX_DRAFT_POLICIES)
        _check_choice("money_mismatch", self.money_mismatch, MONEY_MISMATCH_POLICIES)
        _check_choice("uncertain_taxes", self.uncertain_taxes, UNCERTAIN_TAXES_POLICIES)
        # A configured table overrides single entries of the default one; keys may arrive as
        # strings (TOML keys always are).
        to_onlyoffice = {
            **DEFAULT_PERFEX_TO_ONLYOFFICE,
            **_int_table(self.perfex_to_onlyoffice_status),
        }
        to_perfex = {**DEFAULT_ONLYOFFICE_TO_PERFEX, **_int_table(self.onlyoffice_to_perfex_status)}
        _check_perfex_to_onlyoffice(to_onlyoffice)
        _check_onlyoffice_to_perfex(to_perfex)
        if self.default_due_days < 0:
            raise ValueError("default_due_days must not be negative")
        if not self.default_terms.strip():
            raise ValueError("default_terms must not be empty: ONLYOFFICE requires terms")
        if not self.perfex_payment_modes:
            raise ValueError("perfex_payment_modes must name at least one payment mode")
        currencies = {
            code.strip().upper(): str(id_) for code, id_ in self.perfex_currency_ids.items()
        }
        for name, table in (
            ("perfex_to_onlyoffice_status", to_onlyoffice),
            ("onlyoffice_to_perfex_status", to_perfex),
            ("perfex_currency_ids", currencies),
        ):
            object.__setattr__(self, name, MappingProxyType(dict(table)))


def _int_table(table: Mapping[Any, Any]) -> dict[int, Any]:
    try:
        return {int(key): None if value is None else int(value) for key, value in table.items()}
    except (TypeError, ValueError) as error:
        raise ValueError(f"status tables map status numbers to status numbers: {error}") from error


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _check_perfex_to_onlyoffice(table: Mapping[int, int]) -> None:
    for perfex, onlyoffice in table.items():
        if perfex not in set(PerfexStatus):
            raise ValueError(f"unknown Perfex status {perfex} in the status table")
        # API notes 3.6: no API move reaches Archived.
        if onlyoffice not in set(OnlyofficeStatus) or onlyoffice == ARCHIVED:
            raise ValueError(f"Perfex status {perfex} cannot map to ONLYOFFICE status {onlyoffice}")


def _check_onlyoffice_to_perfex(table: Mapping[int, int | None]) -> None:
    for onlyoffice, perfex in table.items():
        if onlyoffice not in set(OnlyofficeStatus):
            raise ValueError(f"unknown ONLYOFFICE status {onlyoffice} in the status table")
        if perfex is None:
            continue
        if perfex in FORBIDDEN_PERFEX_TARGETS or perfex not in set(PerfexStatus):
            raise ValueError(
                f"ONLYOFFICE status {onlyoffice} cannot map to Perfex status {perfex}: "
                "Perfex sets paid, partially paid and overdue itself, from payments and due dates"
            )
