"""Books with one damaged record, for the tests that one bad record never stops a run.

A `Damage` names one stored record of one simulator (picked from the data, never from what
the bridge did) and one field to break the way a real database row breaks
(`PerfexAdmin.damage`, `OnlyofficeAdmin.damage`). It also says, from the data alone, which
invoices cannot be carried while it is broken (`affected`) and the words their report must
show (`says`). Everything else must be mirrored.

The books are the seed's simple mix: the realistic mix's Perfex invoices mostly fail line-tax
inference today for reasons that have nothing to do with damage, which would hide what these
tests look at.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from rigs import TODAY, CliResult, Rig

from bridge.sandbox.perfex_admin import DRAFT_NUMBER
from bridge.sandbox.seed import SeedData, generate
from state import Ledger

MIX = "simple"
BOOKS: SeedData = generate(seed=7, invoices=30, today=TODAY, mix=MIX)
PLACEHOLDER = DRAFT_NUMBER  # the number Perfex gives every draft until it is sent
PERFEX_DRAFT = 6

Pick = Callable[[Rig], int]
Affected = Callable[[Rig, int], set[str]]


@dataclass(frozen=True)
class Damage:
    """One broken field of one record: `side` "perfex" or "onlyoffice", a `kind` the admin's
    `damage` takes, how to pick the record, and what breaking it must do to a run."""

    side: str
    kind: str
    field: str
    how: str
    pick: Pick
    affected: Affected = lambda rig, record_id: set()  # the invoice numbers it fails
    says: tuple[str, ...] = ()  # in each affected invoice's error
    note: tuple[str, ...] = ()  # in the run's note (an optional read went without)

    def apply(self, rig: Rig) -> int:
        record_id = self.pick(rig)
        admin = rig.perfex_admin if self.side == "perfex" else rig.onlyoffice_admin
        admin.damage(self.kind, record_id, self.field, self.how)
        return record_id

    @property
    def id(self) -> str:
        return f"{self.side}-{self.kind}-{self.field}-{self.how}"


# -- what each system holds, by invoice number ----------------------------------------------


def perfex_number(invoice) -> str:  # noqa: ANN001 (a stored Perfex invoice)
    return f"{invoice['prefix']}{invoice.number:06d}"


def perfex_numbers(rig: Rig) -> Counter[str]:
    return Counter(perfex_number(i) for i in rig.perfex.store.invoices.values())


def onlyoffice_numbers(rig: Rig) -> Counter[str]:
    return Counter(i.number for i in rig.onlyoffice.store.invoices.values())


def carried_numbers(rig: Rig, source: str) -> set[str]:
    """The source's invoices a clean run mirrors: all but Perfex drafts still holding the
    placeholder number (skipped by design until Perfex numbers them)."""
    if source == "onlyoffice":
        return set(onlyoffice_numbers(rig))
    return {
        perfex_number(i)
        for i in rig.perfex.store.invoices.values()
        if not (i["status"] == PERFEX_DRAFT and i.number == PLACEHOLDER)
    }


def held_by(rig: Rig, side: str) -> Counter[str]:
    return perfex_numbers(rig) if side == "perfex" else onlyoffice_numbers(rig)


def other(side: str) -> str:
    return "onlyoffice" if side == "perfex" else "perfex"


# -- picking records and what depends on them ------------------------------------------------


def perfex_invoice(rig: Rig, nth: int = 2) -> int:
    """The nth Perfex invoice (by id) that a clean run would carry."""
    carried = [
        i.id
        for i in sorted(rig.perfex.store.invoices.values(), key=lambda i: i.id)
        if i.number != PLACEHOLDER
    ]
    return carried[nth]


def perfex_invoice_number(rig: Rig, invoice_id: int) -> set[str]:
    return {perfex_number(rig.perfex.store.invoices[invoice_id])}


def perfex_line(rig: Rig) -> int:
    return rig.perfex.store.lines_of(perfex_invoice(rig, 4))[0].id


def perfex_line_owner(rig: Rig, line_id: int) -> set[str]:
    return perfex_invoice_number(rig, rig.perfex.store.lines[line_id].rel_id)


def perfex_customer(rig: Rig) -> int:
    return int(rig.perfex.store.invoices[perfex_invoice(rig, 6)].clientid)


def perfex_customer_invoices(rig: Rig, userid: int) -> set[str]:
    return {
        perfex_number(i)
        for i in rig.perfex.store.invoices.values()
        if int(i.clientid) == userid and i.number != PLACEHOLDER
    }


def perfex_paid_mode(rig: Rig) -> int:
    """A payment mode some invoice was paid with."""
    store = rig.perfex.store
    modes = Counter(p.paymentmode for i in store.invoices for p in store.payments_of(i))
    return int(min(modes, key=lambda mode: (modes[mode], mode)))


def perfex_paid_with(rig: Rig, mode: int) -> set[str]:
    """Every answer that carries a payment in `mode` carries the mode's columns too."""
    store = rig.perfex.store
    return {
        perfex_number(store.invoices[i])
        for i in store.invoices
        if any(p.paymentmode == str(mode) for p in store.payments_of(i))
    }


def onlyoffice_invoice(rig: Rig, nth: int = 2) -> int:
    return sorted(rig.onlyoffice.store.invoices)[nth]


def onlyoffice_invoice_number(rig: Rig, invoice_id: int) -> set[str]:
    return {rig.onlyoffice.store.invoice(invoice_id).number}


def onlyoffice_line(rig: Rig) -> int:
    return rig.onlyoffice.store.invoice(onlyoffice_invoice(rig, 4)).lines[0].id


def onlyoffice_line_owner(rig: Rig, line_id: int) -> set[str]:
    store = rig.onlyoffice.store
    return onlyoffice_invoice_number(rig, store.line_owner(line_id) or 0)


def onlyoffice_contact(rig: Rig) -> int:
    return rig.onlyoffice.store.invoice(onlyoffice_invoice(rig, 6)).contact_id


def onlyoffice_contact_invoices(rig: Rig, contact_id: int) -> set[str]:
    return {i.number for i in rig.onlyoffice.store.invoices.values() if i.contact_id == contact_id}


def onlyoffice_rare_tax(rig: Rig) -> int:
    """The tax the fewest invoices use (but some do)."""
    used = Counter(
        tax
        for invoice in rig.onlyoffice.store.invoices.values()
        for tax in {t for line in invoice.lines for t in (line.tax1_id, line.tax2_id) if t}
    )
    return min(used, key=lambda tax: (used[tax], tax))


def onlyoffice_taxed_with(rig: Rig, tax_id: int) -> set[str]:
    return {
        i.number
        for i in rig.onlyoffice.store.invoices.values()
        if any(tax_id in (line.tax1_id, line.tax2_id) for line in i.lines)
    }


def onlyoffice_product_without_text(rig: Rig) -> int:
    """The product of a line a person left without text (ONLYOFFICE then shows the product's
    title): the one place a product row is read when ONLYOFFICE is the source."""
    invoice_id = onlyoffice_invoice(rig, 5)
    lines = rig.onlyoffice_admin.lines_of(invoice_id)
    rig.onlyoffice_admin.set_lines(invoice_id, [replace(lines[0], description=""), *lines[1:]])
    return rig.onlyoffice.store.invoice(invoice_id).lines[0].item_id


def onlyoffice_untexted_lines_of(rig: Rig, item_id: int) -> set[str]:
    return {
        i.number
        for i in rig.onlyoffice.store.invoices.values()
        if any(line.item_id == item_id and not line.description for line in i.lines)
    }


# -- one damaged record of each kind ---------------------------------------------------------

UTF8 = "not valid UTF-8"

PERFEX_DAMAGE = (
    Damage(
        "perfex",
        "invoice",
        "date",
        "zero_date",
        perfex_invoice,
        perfex_invoice_number,
        says=('date: "0000-00-00" is not a date',),
    ),
    Damage(
        "perfex", "line", "rate", "null", perfex_line, perfex_line_owner, says=("rate: missing",)
    ),
    Damage(
        "perfex",
        "customer",
        "company",
        "null",
        perfex_customer,
        perfex_customer_invoices,
        says=("company",),
    ),
    Damage(
        "perfex",
        "item",
        "description",
        "invalid_utf8",
        lambda rig: min(rig.perfex.store.catalogue),
        note=("the Perfex items catalogue was not available", UTF8),
    ),
    Damage(
        "perfex",
        "tax",
        "taxrate",
        "null",
        lambda rig: min(rig.perfex.store.taxes),
        note=("a row of the Perfex tax list could not be read", "taxrate: missing"),
    ),
    Damage(
        "perfex",
        "payment_mode",
        "name",
        "invalid_utf8",
        perfex_paid_mode,
        perfex_paid_with,
        says=("empty body", UTF8),
    ),
)

ONLYOFFICE_DAMAGE = (
    Damage(
        "onlyoffice",
        "invoice",
        "issueDate",
        "zero_date",
        onlyoffice_invoice,
        onlyoffice_invoice_number,
        says=('issueDate: "0001-01-01T00:00:00.0000000Z" is not a date',),
    ),
    Damage(
        "onlyoffice",
        "line",
        "price",
        "null",
        onlyoffice_line,
        onlyoffice_line_owner,
        says=("price: missing",),
    ),
    Damage(
        "onlyoffice",
        "contact",
        "displayName",
        "null",
        onlyoffice_contact,
        onlyoffice_contact_invoices,
        says=("displayName",),
    ),
    Damage(
        "onlyoffice",
        "item",
        "price",
        "long_text",
        onlyoffice_product_without_text,
        onlyoffice_untexted_lines_of,
        says=("names a product that cannot be read", "price: expected an amount"),
    ),
    Damage(
        "onlyoffice",
        "tax",
        "rate",
        "missing",
        onlyoffice_rare_tax,
        onlyoffice_taxed_with,
        says=("uses a tax that cannot be read", "rate: missing"),
    ),
)


# -- running and reading what the user sees -------------------------------------------------


def report(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> dict:
    """`crm-bridge report latest --format json`, as a script would read it."""
    shown = rig.cli("report", "latest", "--format", "json", monkeypatch=monkeypatch)
    assert shown.code == 0, shown.text
    return json.loads(shown.out)


def invoice_records(document: dict) -> dict[str, list[dict]]:
    """The report's invoice records by number."""
    found: dict[str, list[dict]] = {}
    for record in document["records"]:
        if record["kind"] == "invoice":
            found.setdefault(record["number"], []).append(record)
    return found


def run_statuses(path: Path) -> list[str]:
    ledger = Ledger.open_readonly(path)
    try:
        return [run.status for run in ledger.runs()]
    finally:
        ledger.close()


def quiet(result: CliResult) -> None:
    """No traceback and no Python error class on the screen without -v."""
    assert "Traceback" not in result.text, result.text
    assert 'File "' not in result.text, result.text
