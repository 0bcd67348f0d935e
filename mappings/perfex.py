"""Typed models of the Perfex REST API module's payloads, and their parsing.

Owns: `TaxSpec` (a Perfex line tax, "NAME|RATE"), `PerfexLine`, `PerfexInvoice`,
`PerfexCustomer` and `PerfexTax`, each read from the raw JSON the API returns
(docs/perfex-api.md 2.2-2.4, 3, 4.1, 4.3), with the server's text quirks undone.

Must not: do I/O, compute totals (see `money.py`) or build write payloads (see `to_perfex.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from mappings.money import format_money, round_half_up
from mappings.numbering import NumberFormat
from mappings.php_serialized import PhpSerializedError, parse_string_list
from mappings.problems import MappingError
from mappings.raw import RawRecord, one_newline_style

# API notes 2.5 step 5 and 3.2: a draft's number is forced to this placeholder until it is sent.
PERFEX_DRAFT_NUMBER = 1000000000

# API notes 5.1 step 9: every write runs these columns through PHP nl2br(), which puts "<br />"
# before each newline, so a value read and written back unchanged doubles them. Any run of
# breaks directly before a line end is the server's doing; other markup is left alone.
_SERVER_BREAKS = re.compile(r"(?:<br\s*/?>)+(?=[\r\n])", re.IGNORECASE)


def strip_server_breaks(text: str) -> str:
    """Perfex text without the `<br />` the server adds before every newline."""
    return one_newline_style(_SERVER_BREAKS.sub("", text))


@dataclass(frozen=True, slots=True)
class TaxSpec:
    """A tax as Perfex writes it on a line: a name and a rate with two decimals."""

    name: str
    rate: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "rate", round_half_up(self.rate))

    @property
    def perfex_taxname(self) -> str:
        """ "VAT|20.00": the exact string the server compares line taxes by (API notes 4.3)."""
        return f"{self.name}|{format_money(self.rate)}"

    @classmethod
    def from_perfex_taxname(cls, text: str) -> TaxSpec:
        name, separator, rate = text.rpartition("|")
        if not separator:
            raise MappingError("taxname", f"expected NAME|RATE, got {text!r}")
        return cls(name=name, rate=RawRecord({"rate": rate}, "taxname").money("rate"))


class PerfexTax:
    """Rows of `GET /api/common/tax_data`: `{"id": "1", "name": "VAT", "taxrate": "20.00"}`."""

    @staticmethod
    def from_api(raw: dict[str, Any]) -> TaxSpec:
        row = RawRecord(raw, "Perfex tax")
        name = row.text("name").strip()
        if not name:
            raise row.error("name", "missing")
        return TaxSpec(name=name, rate=row.money("taxrate"))


@dataclass(frozen=True, slots=True)
class PerfexLine:
    """One invoice line (`items[]`, table tblitemable; API notes 3.3).

    `taxes` are known only when writing: no GET returns per-line taxes.
    """

    id: str | None
    description: str
    long_description: str
    qty: Decimal
    rate: Decimal
    unit: str
    item_order: int
    taxes: tuple[TaxSpec, ...] = ()

    @classmethod
    def from_api(cls, raw: object, what: str = "Perfex line") -> PerfexLine:
        row = RawRecord(raw, what)
        return cls(
            id=row.id_text("id") if row.has("id") else None,
            description=row.text("description"),
            long_description=strip_server_breaks(row.text("long_description")),
            qty=row.money("qty"),
            rate=row.money("rate"),
            unit=row.text("unit"),
            item_order=row.optional_integer("item_order") or 0,
        )


@dataclass(frozen=True, slots=True)
class PerfexInvoice:
    """A Perfex invoice; `lines` is None when read from a list or search row."""

    id: str | None
    number: int
    prefix: str
    number_format: int
    date: date
    duedate: date | None
    clientid: str
    currency_id: str
    currency_code: str | None
    subtotal: Decimal
    total_tax: Decimal
    total: Decimal
    adjustment: Decimal
    discount_percent: Decimal
    discount_total: Decimal
    discount_type: str
    status: int
    terms: str
    clientnote: str
    adminnote: str
    billing_street: str
    billing_city: str
    billing_state: str
    billing_zip: str
    billing_country: str
    allowed_payment_modes: tuple[str, ...]
    lines: tuple[PerfexLine, ...] | None
    # Owned by Perfex and reset by a PUT that leaves them out (API notes 2.6): their values as
    # read, so that an update can send them back (see `mappings.ownership`).
    owned: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> PerfexInvoice:
        """Parse `GET /api/invoices/{id}` (with lines) or a list/search row (`lines=None`).

        Search rows carry the *client's* billing columns over the invoice's (API notes 2.4):
        use them to find an id, not to compare content.
        """
        row = RawRecord.named(raw, "Perfex invoice")
        return cls(
            id=row.id_text("id") if row.has("id") else None,
            number=row.integer("number"),
            prefix=row.text("prefix"),
            number_format=row.optional_integer("number_format") or 1,
            date=row.iso_date("date"),
            duedate=row.optional_iso_date("duedate"),
            clientid=row.id_text("clientid"),
            currency_id=row.id_text("currency"),
            currency_code=row.text("currency_name").strip().upper() or None,
            subtotal=row.money("subtotal"),
            total_tax=row.money_or_zero("total_tax"),
            total=row.money("total"),
            adjustment=row.money_or_zero("adjustment"),
            discount_percent=row.money_or_zero("discount_percent"),
            discount_total=row.money_or_zero("discount_total"),
            discount_type=row.text("discount_type"),
            status=row.integer("status"),
            **_texts(row),
            **_billing(row),
            allowed_payment_modes=_payment_modes(row),
            lines=_lines(row),
            owned=_owned(row),
        )

    def display_number(self, fmt: NumberFormat) -> str:
        return fmt.format(self.prefix, self.number, self.date.year)

    @property
    def is_placeholder_draft(self) -> bool:
        return self.number == PERFEX_DRAFT_NUMBER


def _texts(row: RawRecord) -> dict[str, str]:
    return {
        name: strip_server_breaks(row.text(name)) for name in ("terms", "clientnote", "adminnote")
    }


def _billing(row: RawRecord) -> dict[str, str]:
    return {
        "billing_street": strip_server_breaks(row.text("billing_street")),
        "billing_city": row.text("billing_city"),
        "billing_state": row.text("billing_state"),
        "billing_zip": row.text("billing_zip"),
        # Country is a tblcountries id; 0 and NULL both mean "none" (API notes 3.1).
        "billing_country": row.text("billing_country") or "0",
    }


# The Perfex-only header fields a PUT resets when they are left out (API notes 2.6).
PERFEX_RESET_WHEN_OMITTED = (
    "recurring",
    "recurring_type",
    "custom_recurring",
    "cycles",
    "include_shipping",
    "show_shipping_on_invoice",
    "shipping_street",
    "shipping_city",
    "shipping_state",
    "shipping_zip",
    "shipping_country",
    "cancel_overdue_reminders",
)


# Every field `PerfexInvoice.from_api` reads; `slim_invoice_row` keeps only these.
INVOICE_FIELDS_READ = (
    "id",
    "number",
    "prefix",
    "number_format",
    "date",
    "duedate",
    "clientid",
    "currency",
    "currency_name",
    "subtotal",
    "total_tax",
    "total",
    "adjustment",
    "discount_percent",
    "discount_total",
    "discount_type",
    "status",
    "terms",
    "clientnote",
    "adminnote",
    "billing_street",
    "billing_city",
    "billing_state",
    "billing_zip",
    "billing_country",
    "allowed_payment_modes",
    "items",
    *PERFEX_RESET_WHEN_OMITTED,
)


def slim_invoice_row(raw: Any, share: Callable[[str], str] | None = None) -> Any:
    """A list row with only the fields `PerfexInvoice.from_api` reads: what a run keeps of
    thousands of rows until it needs them, at a fraction of the memory. `share` (`sys.intern`,
    say) lets rows hold one copy of the texts they repeat: terms, notes, dates, ids."""
    if not isinstance(raw, dict):
        return raw
    if share is None:
        return {name: raw[name] for name in INVOICE_FIELDS_READ if name in raw}
    return {
        name: share(value) if value.__class__ is str else value
        for name in INVOICE_FIELDS_READ
        if name in raw
        for value in (raw[name],)
    }


def _owned(row: RawRecord) -> dict[str, str]:
    owned = {name: row.text(name) for name in PERFEX_RESET_WHEN_OMITTED if row.has(name)}
    if "shipping_street" in owned:
        owned["shipping_street"] = strip_server_breaks(owned["shipping_street"])
    return owned


def _payment_modes(row: RawRecord) -> tuple[str, ...]:
    value = row.get("allowed_payment_modes")
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if not isinstance(value, str):
        raise row.error("allowed_payment_modes", f"unexpected {type(value).__name__}")
    try:
        return parse_string_list(value)
    except PhpSerializedError as error:
        raise row.error("allowed_payment_modes", str(error)) from error


def _lines(row: RawRecord) -> tuple[PerfexLine, ...] | None:
    items = row.get("items")
    if items is None:
        return None
    if not isinstance(items, list):
        raise row.error("items", f"expected a list, got {type(items).__name__}")
    lines = (PerfexLine.from_api(item, f"{row.what}: items[{i}]") for i, item in enumerate(items))
    return tuple(sorted(lines, key=lambda line: line.item_order))


@dataclass(frozen=True, slots=True)
class PerfexCustomer:
    """A Perfex customer (`GET /api/customers/{id}`; API notes 4.1). Its key is `userid`."""

    userid: str
    company: str
    vat: str | None
    phonenumber: str
    billing_street: str
    billing_city: str
    billing_state: str
    billing_zip: str
    billing_country: str
    default_currency: str

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> PerfexCustomer:
        row = RawRecord.named(raw, "Perfex customer", "userid")
        return cls(
            userid=row.id_text("userid"),
            company=row.text("company").strip(),
            # Null when the VAT field is switched off in Perfex's options.
            vat=row.text("vat").strip() or None,
            phonenumber=row.text("phonenumber"),
            **_billing(row),
            # 0 means "the base currency" (API notes 4.1).
            default_currency=row.text("default_currency") or "0",
        )
