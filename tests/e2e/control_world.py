"""Small books built by hand for the audit and per-invoice control tests.

The seed provides customers, products and taxes only (to both systems, the way a company's
two systems know the same customers); every invoice a test looks at is typed in
by the admin helpers with whole amounts and no tax, so both systems hold it exactly and nothing
depends on what the seeded mix of invoices happens to contain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rigs import TODAY, CliResult, Rig, RigFactory

from bridge.sandbox.onlyoffice_admin import AdminLine as OnlyofficeLine
from bridge.sandbox.perfex_admin import DRAFT_NUMBER as PERFEX_DRAFT_NUMBER
from bridge.sandbox.perfex_admin import AdminLine as PerfexLine
from bridge.sandbox.seed import generate

BOOKS = generate(seed=21, invoices=0, customers=3, today=TODAY)
SENT = 2


def perfex_books(
    make: RigFactory, count: int = 3, *, direction: str = "perfex_to_onlyoffice", sync: str = ""
) -> tuple[Rig, list[int]]:
    """A rig whose Perfex holds `count` invoices typed in the admin screen (both systems know
    the same customers and products, as a company's two systems do)."""
    rig = make(perfex=BOOKS, onlyoffice=BOOKS, direction=direction, sync=sync)
    return rig, [add_perfex_invoice(rig, k) for k in range(count)]


def add_perfex_invoice(rig: Rig, k: int, qty: int = 2, rate: str = "50.00") -> int:
    customers = sorted(rig.perfex.store.customers)
    product = BOOKS.products[k % len(BOOKS.products)].title
    return rig.perfex_admin.create_invoice(
        customers[k % len(customers)],
        [PerfexLine(product, Decimal(qty), Decimal(rate))],
        TODAY - timedelta(days=10 + k),
        TODAY + timedelta(days=20 + k),
        currency_id=int(rig.perfex.currency_ids["EUR"]),
    )


def add_placeholder_draft(rig: Rig) -> int:
    """A Perfex draft that still carries the placeholder number Perfex gives every draft."""
    invoice_id = add_perfex_invoice(rig, 0, rate="999.00")
    rig.perfex.store.edit_invoice(invoice_id, status=6, number=PERFEX_DRAFT_NUMBER)
    return invoice_id


def onlyoffice_books(
    make: RigFactory, count: int = 2, *, direction: str = "onlyoffice_to_perfex"
) -> tuple[Rig, list[int]]:
    """A rig whose ONLYOFFICE holds `count` sent invoices typed in the CRM's screens."""
    rig = make(onlyoffice=BOOKS, direction=direction)
    return rig, [add_onlyoffice_invoice(rig, f"INV-{900 + k:06d}", k) for k in range(count)]


def add_onlyoffice_invoice(rig: Rig, number: str, k: int = 0, price: str = "40.00") -> int:
    admin = rig.onlyoffice_admin
    customer = BOOKS.customers[k % len(BOOKS.customers)].company
    title = BOOKS.products[k % len(BOOKS.products)].title
    invoice_id = admin.create_invoice(
        number,
        admin.company_id(customer),
        [OnlyofficeLine(admin.item_id(title), Decimal(2), Decimal(price), description=title)],
        TODAY - timedelta(days=5 + k),
        TODAY + timedelta(days=25 + k),
    )
    admin.move_to(invoice_id, SENT)
    return invoice_id


def perfex_number(rig: Rig, invoice_id: int) -> str:
    invoice = rig.perfex.store.invoices[invoice_id]
    return f"{invoice.row['prefix']}{invoice.number:06d}"


def onlyoffice_invoice(rig: Rig, number: str):  # noqa: ANN201
    return rig.onlyoffice.store.invoice_by_number(number)


def onlyoffice_due(rig: Rig, number: str) -> date:
    return onlyoffice_invoice(rig, number).due_date.astimezone(rig.onlyoffice_admin.zone).date()


def cli(rig: Rig, monkeypatch, *args: str) -> CliResult:  # noqa: ANN001
    return rig.cli(*args, monkeypatch=monkeypatch)


def audit(rig: Rig, monkeypatch, *, code: int) -> dict:  # noqa: ANN001
    """`crm-bridge audit --format json`, which must exit with `code` (0: both sides agree)."""
    result = rig.cli("audit", "--format", "json", monkeypatch=monkeypatch)
    assert result.code == code, result.text
    return json.loads(result.out)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def deletes(rig: Rig) -> list[str]:
    return [write for write in rig.writes() if write.startswith("DELETE")]
