"""How long inferring Perfex line taxes takes, for 1, 5, 20 and 50-line invoices.

Invoices mix single and double taxes per line (VAT, reduced VAT with a city tax, books,
exempt services, an eco fee on hardware) and carry no discount, a percent or a fixed
discount before tax. Each size is timed twice: with the evidence the engine normally has
(Perfex's tax list and items catalogue) and with the tax list alone, where the totals must
do all the work. Prints median, 95th percentile and maximum per invoice, and how many answers
were certain. Nothing is asserted: it is a measuring tool.

    python3 bench/tax_inference.py --per-size 200 --seed 1
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace
from decimal import Decimal

from realistic import CATALOGUE, LONG_TEXTS, QUANTITIES, TAX_LIST, TYPED, catalogue_rows

from mappings import TaxEvidence, catalogue_taxes, infer_line_taxes
from mappings.money import format_money, perfex_server_total_tax, perfex_ui_totals
from mappings.perfex import PerfexInvoice, PerfexLine

D = Decimal
SIZES = (1, 5, 20, 50)
DISCOUNTS = ("none", "percent", "fixed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    catalogue = catalogue_taxes(catalogue_rows())
    evidences = {
        "tax list + catalogue": TaxEvidence(taxes=TAX_LIST, catalogue=catalogue),
        "tax list only": TaxEvidence(taxes=TAX_LIST),
    }
    print(f"{args.per_size} invoices per size and discount, seed {args.seed}")
    print(
        f"{'lines':>5}  {'discount':<9}{'evidence':<22}{'median':>9}{'p95':>9}{'max':>9}  certain"
    )
    for size in SIZES:
        for discount in DISCOUNTS:
            rng = random.Random(f"{args.seed}-{size}-{discount}")
            invoices = [_invoice(rng, size, discount) for _ in range(args.per_size)]
            for label, evidence in evidences.items():
                _measure(size, discount, label, evidence, invoices)
    return 0


def _measure(size: int, discount: str, label: str, evidence: TaxEvidence, invoices) -> None:
    seconds = []
    certain = 0
    for invoice in invoices:
        started = time.perf_counter()
        inferred = infer_line_taxes(invoice, evidence)
        seconds.append(time.perf_counter() - started)
        certain += inferred.certain
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, len(ms) * 95 // 100)]
    print(
        f"{size:>5}  {discount:<9}{label:<22}{statistics.median(ms):>7.1f}ms"
        f"{p95:>7.1f}ms{ms[-1]:>7.1f}ms  {100 * certain / len(invoices):5.1f} %"
    )


def _invoice(rng: random.Random, size: int, discount: str) -> PerfexInvoice:
    lines = []
    for order in range(1, size + 1):
        name, (low, high), taxes = rng.choice(CATALOGUE if rng.random() < 0.85 else TYPED)
        lines.append(
            PerfexLine(
                str(order),
                name,
                rng.choice(LONG_TEXTS),
                D(rng.choice(QUANTITIES)),
                D(rng.randint(low, high)) / 100,
                "",
                order,
                taxes,
            )
        )
    kind, percent, fixed = {
        "none": ("", D(0), D(0)),
        "percent": ("before_tax", D(rng.choice(["5", "10", "12.5"])), D(0)),
        "fixed": ("before_tax", D(0), D(rng.choice(["10", "25", "50", "37.45"]))),
    }[discount]
    ui = perfex_ui_totals(lines, kind, percent, fixed, D(0))
    total_tax = perfex_server_total_tax(lines, kind, percent, ui.discount_total, ui.subtotal)
    raw = {
        "id": "1",
        "number": "1",
        "prefix": "INV-",
        "date": "2026-03-02",
        "clientid": "7",
        "currency": "1",
        "currency_name": "EUR",
        "subtotal": format_money(ui.subtotal),
        "total_tax": format_money(total_tax),
        "total": format_money(ui.total),
        "discount_percent": format_money(percent),
        "discount_total": format_money(ui.discount_total),
        "discount_type": kind if ui.discount_total else "",
        "status": "1",
        "items": [],
    }
    return replace(
        PerfexInvoice.from_api(raw), lines=tuple(replace(line, taxes=()) for line in lines)
    )


if __name__ == "__main__":
    raise SystemExit(main())
