"""`crm-bridge demo` tells its story in a screenful: what it seeded, what the backfill did per
kind, the edits a person made, the sync's report of those same edits, the HTML page, next steps."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bridge.demo import REPORT_NAME, run_demo
from bridge.sandbox.seed import generate

SCREENFUL = 50


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    folder = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    code = run_demo(folder, out=lines.append)
    return code, "\n".join(lines), folder


def edits_and_sync(text: str) -> tuple[list[str], str]:
    edits = [line for line in text.splitlines() if line.startswith("   - INV-")]
    return edits, text.split("4. The next sync", 1)[1]


def test_the_demo_exits_0_within_a_screenful(demo: tuple[int, str, Path]) -> None:
    code, text, _ = demo
    assert code == 0
    assert len(text.splitlines()) <= SCREENFUL


def test_it_says_what_it_seeded_and_counts_the_backfill_per_kind(demo) -> None:
    _, text, _ = demo
    data = generate(seed=7, invoices=24, today=date(2026, 11, 21))
    seeded = (
        f"Seeded Perfex with 24 invoices for {len(data.customers)} customers "
        f"({len(data.products)} products, {len(data.taxes)} taxes)"
    )
    assert seeded in text
    backfill = text.split("2. Backfill", 1)[1].split("3. ", 1)[0]
    placeholders = sum(
        1 for i in data.invoices if i.state == "draft" and i.perfex.placeholder_number
    )
    created = re.search(r"Invoices: +(\d+) created", backfill)
    assert created is not None and int(created[1]) == 24 - placeholders
    assert re.search(rf"Customers: +{len(data.customers)} created", backfill)
    assert "INV-000001 " not in backfill.replace("e.g.\n", "")  # counted, not listed


def test_each_edit_shows_up_in_the_sync_report_with_the_same_values(demo) -> None:
    _, text, _ = demo
    edits, sync = edits_and_sync(text)
    assert len(edits) == 4
    moved = re.search(r"(INV-\d+) .*due date moved two weeks later, (\S+) → (\S+)$", edits[0])
    number, before, after = moved.groups()
    assert re.search(rf"{number}  updated[^\n]*\n\s+due date: {before} → {after}", sync)
    quantity = re.search(r"(INV-\d+) .*: (.+), quantity (\S+) → (\S+)$", edits[1])
    number, product, old, new = quantity.groups()
    assert re.search(
        rf"{number}  updated[^\n]*\n\s+line 1: quantity {old} → {new} — {product} × ", sync
    )
    number = edits[2].split()[1]
    assert re.search(
        rf"{number}  updated[^\n]*\n\s+line \d+ added: Express delivery × 1 @ 15.00", sync
    )
    number = edits[3].split()[1]
    assert re.search(rf"{number}  updated[^\n]*\n\s+due date: \S+ → \S+", sync)


def test_it_speaks_invoices_not_api(demo) -> None:
    _, text, _ = demo
    assert "(empty) →" not in text
    for wire in ("dueDate", "invoiceLines", "contactId", "exchangeRate", "error:"):
        assert wire not in text


def test_it_writes_the_html_report_and_names_the_next_steps(demo) -> None:
    _, text, folder = demo
    page = folder / REPORT_NAME
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"The same report as a page to open or print: {page}" in text
    assert "crm-bridge sandbox" in text and "crm-bridge init" in text
