"""The bridge's benchmarks: one flag per scenario, each a real `crm-bridge` run against the sandbox.

    python3 bench/scenarios.py --backfill      # Perfex → ONLYOFFICE backfill (2,000 invoices)
    python3 bench/scenarios.py --changed 100   # a sync after 100 invoices were edited in Perfex
    python3 bench/scenarios.py --no-change     # a sync with nothing to do (10,000 invoices)
    python3 bench/scenarios.py --incremental   # a sync after a day's work in Perfex
    python3 bench/scenarios.py --reverse       # ONLYOFFICE → Perfex backfill, module 2.x and 3.x
    python3 bench/scenarios.py --all

Common options: `--invoices N` (else each scenario's own default), `--latency-ms` (20) added to
every answer of the measured run, `--concurrency` (8, both systems), `--seed`. Set-up runs
(the backfill before a sync) go without latency and are not reported. How the figures are taken
is in `harness.py`; nothing is asserted: these are measuring tools.

Every scenario prints the floor a careful client needs for what the run did, with its terms:
list pages of both systems (Perfex 2.x: 1; 3.x: pages of 100; ONLYOFFICE: pages of 1000 until a
short one), 2 per invoice written (read it in full from the source, write it to the target;
+1 on a Perfex 2.x target, which answers a create without the new id, so a search learns it),
ONLYOFFICE status moves batched (one request per distinct move over the whole run), and the
customers, products and taxes the target gained at their fewest writes (ONLYOFFICE: company and
its billing address 2, product 1, tax 1; Perfex: customer 1, +1 on 2.x to learn its id).

Invoices that fail do so the way they do for real users: in the no-change scenario one
invoice in 200 has a line whose quantity the database holds as NULL; the reverse scenario adds
invoices in a currency the config does not map to a Perfex currency id.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from figures import (
    Floor,
    onlyoffice_list_pages,
    perfex_list_pages,
    print_figures,
    print_profile,
    print_title,
    status_moves,
)
from harness import TODAY, Bench, Launcher, Measured

DEFAULT_INVOICES = {
    "backfill": 2000,
    "changed": 2000,
    "no_change": 10000,
    "incremental": 2000,
    "reverse": 1000,
}


def main(argv: list[str] | None = None) -> int:
    launcher = Launcher()  # first, while this process is still small (see harness.py)
    try:
        args = arguments(argv)
        chosen = [name for name in DEFAULT_INVOICES if args.all or getattr(args, name)]
        if not chosen:
            raise SystemExit("choose a scenario: --backfill, --changed K, --no-change, ...")
        for name in chosen:
            SCENARIOS[name](launcher, args, args.invoices or DEFAULT_INVOICES[name])
    finally:
        launcher.close()
    return 0


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backfill", action="store_true", help="Perfex → ONLYOFFICE backfill")
    parser.add_argument("--changed", type=int, metavar="K", help="sync after K edited invoices")
    parser.add_argument("--no-change", action="store_true", help="sync with nothing to do")
    parser.add_argument("--incremental", action="store_true", help="sync after a day's work")
    parser.add_argument("--reverse", action="store_true", help="ONLYOFFICE → Perfex backfill")
    parser.add_argument("--all", action="store_true", help="every scenario (--changed 100)")
    parser.add_argument("--invoices", type=int, help="invoices seeded in the source")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--perfex-version", choices=("2", "3"), action="append", help="for --reverse: 2, 3 or both"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="STATS",
        help="run the measured bridge under cProfile, write its stats here and print the top",
    )
    parser.add_argument("--top", type=int, default=30, help="profile rows to print")
    args = parser.parse_args(argv)
    if args.all and not args.changed:
        args.changed = 100
    return args


# --- Perfex → ONLYOFFICE --------------------------------------------------------------------


def backfill(launcher: Launcher, args: argparse.Namespace, invoices: int) -> None:
    bench = _bench(launcher, args)
    try:
        bench.seed("perfex", invoices, args.seed)
        print_title(f"backfill Perfex → ONLYOFFICE: {_setting(args, invoices)}")
        measured = _measure(bench, args, "backfill")
        lists = perfex_list_pages(bench.perfex_version, invoices) + onlyoffice_list_pages(0)
        _print_writes(measured, lists)
        _after(args)
    finally:
        bench.close()


def changed(launcher: Launcher, args: argparse.Namespace, invoices: int) -> None:
    bench, linked = _mirrored(launcher, args, invoices)
    try:
        edits = random.Random(args.seed).sample(linked, min(args.changed, len(linked)))
        _edit_in_perfex(bench, edits)
        print_title(
            f"sync after {len(edits)} invoices edited in Perfex: {_setting(args, invoices)}"
        )
        measured = _measure(bench, args, "sync")
        _print_writes(measured, _lists(bench, invoices), per_edit=len(edits), listed=invoices)
        _after(args)
    finally:
        bench.close()


def no_change(launcher: Launcher, args: argparse.Namespace, invoices: int) -> None:
    failing = max(1, invoices // 200)
    bench, _ = _mirrored(launcher, args, invoices, broken=failing)
    try:
        print_title(
            f"sync with no change: {_setting(args, invoices)}, {failing} of them failing "
            "since the backfill on a broken line"
        )
        measured = _measure(bench, args, "sync")
        floor = Floor((("list pages", _lists(bench, invoices)),))
        print_figures(measured, invoices, "listed invoice", floor)
        _after(args)
    finally:
        bench.close()


def incremental(launcher: Launcher, args: argparse.Namespace, invoices: int) -> None:
    bench, linked = _mirrored(launcher, args, invoices)
    try:
        rng = random.Random(args.seed)
        admin = bench.perfex_admin()
        store = bench.sandbox.perfex_app.store
        new = [_copy_invoice(admin, store, source) for source in rng.sample(linked, 20)]
        unpaid = [i for i in linked if store.left_to_pay(i) > 0]
        for ident in rng.sample(unpaid, min(10, len(unpaid))):
            admin.pay_in_full(ident, TODAY)
        _edit_in_perfex(bench, rng.sample(linked, 10))
        print_title(
            f"incremental sync after {len(new)} new, 10 paid and 10 edited invoices in Perfex: "
            f"{_setting(args, invoices)}"
        )
        measured = _measure(bench, args, "sync")
        _print_writes(measured, _lists(bench, invoices + len(new)), listed=invoices + len(new))
        _after(args)
    finally:
        bench.close()


def _mirrored(
    launcher: Launcher, args: argparse.Namespace, invoices: int, *, broken: int = 0
) -> tuple[Bench, list]:
    """A bench whose Perfex invoices were backfilled and synced once (set-up, not measured);
    with the Perfex ids of the invoices that were created in ONLYOFFICE. `broken` invoices
    have a line whose quantity the database holds as NULL, so they fail in both set-up runs
    and wait for their next scheduled retry."""
    bench = _bench(launcher, args)
    try:
        bench.seed("perfex", invoices, args.seed)
        _break_lines(bench, broken, args.seed)
        bench.set_up("backfill")
        report = bench.latest_report()
        bench.set_up("sync")
    except BaseException:
        bench.close()
        raise
    linked = sorted(
        int(r["source_id"])
        for r in report.get("records", [])
        if r.get("kind", "invoice") == "invoice" and r["action"] == "created"
    )
    return bench, linked


def _break_lines(bench: Bench, count: int, seed: int) -> None:
    """`count` invoices with one line whose quantity reads as null (a half-done import)."""
    store = bench.sandbox.perfex_app.store
    admin = bench.perfex_admin()
    for ident in random.Random(seed + 1).sample(sorted(store.invoices), count):
        admin.damage("line", store.lines_of(ident)[0].id, "qty", "null")


def _edit_in_perfex(bench: Bench, invoice_ids: list[int]) -> None:
    """Edits as a person makes them in the admin screen: every other invoice gets a due date a
    week later, the others one more of the first line's quantity."""
    admin = bench.perfex_admin()
    store = bench.sandbox.perfex_app.store
    for position, ident in enumerate(invoice_ids):
        row = store.invoices[ident].row
        if position % 2 == 0:
            admin.set_due_date(ident, (row["duedate"] or row["date"]) + timedelta(days=7))
        else:
            first = store.lines_of(ident)[0]
            admin.set_quantity(ident, 0, first.qty + 1)


def _copy_invoice(admin: Any, store: Any, source: int) -> int:
    """A new invoice for the same customer and lines as an existing one, dated today."""
    from bridge.sandbox.perfex_admin import AdminLine
    from mappings.perfex import TaxSpec

    row = store.invoices[source].row
    lines = [
        AdminLine(
            line.description,
            line.qty,
            line.rate,
            TaxSpec(line.taxes[0].name, line.taxes[0].rate) if line.taxes else None,
            unit=line.unit or "",
        )
        for line in store.lines_of(source)
    ]
    due = TODAY + timedelta(days=30)
    return admin.create_invoice(row["clientid"], lines, TODAY, due, currency_id=row["currency"])


# --- ONLYOFFICE → Perfex --------------------------------------------------------------------


def reverse(launcher: Launcher, args: argparse.Namespace, invoices: int) -> None:
    for version in args.perfex_version or ["2", "3"]:
        bench = _bench(launcher, args, perfex_version=version, direction="onlyoffice_to_perfex")
        try:
            bench.seed("onlyoffice", invoices, args.seed)
            unmapped = _unmapped_currency_invoices(bench, 5)
            print_title(
                f"backfill ONLYOFFICE → Perfex module {version}.x: {_setting(args, invoices)}, "
                f"and {unmapped} in CHF, which the config does not map"
            )
            measured = _measure(bench, args, "backfill")
            lists = onlyoffice_list_pages(invoices + unmapped) + perfex_list_pages(version, 0)
            _print_writes(measured, lists, perfex_v2=version == "2")
            _after(args)
        finally:
            bench.close()


def _unmapped_currency_invoices(bench: Bench, count: int) -> int:
    """Invoices a person issues in Swiss francs: ONLYOFFICE knows the currency, the bridge's
    [perfex].currencies does not."""
    from bridge.sandbox.onlyoffice_admin import AdminLine

    admin = bench.onlyoffice_admin()
    store = bench.sandbox.onlyoffice_app.store
    item = min(store.items.values(), key=lambda i: i.id)
    company = min(c.id for c in store.contacts.values() if c.is_company)
    for n in range(1, count + 1):
        line = AdminLine(item.id, Decimal(n), item.price, tax1_id=item.tax1_id)
        ident = admin.create_invoice(
            f"CH-{n:04d}", company, [line], TODAY, TODAY + timedelta(days=30), currency="CHF"
        )
        admin.move_to(ident, 2)  # sent
    return count


# --- shared ---------------------------------------------------------------------------------


def _measure(bench: Bench, args: argparse.Namespace, command: str) -> Measured:
    return bench.measure(command, profile=args.profile)


def _after(args: argparse.Namespace) -> None:
    """What follows a scenario's figures: the profile, when one was asked for."""
    if args.profile:
        print_profile(args.profile, args.top)


def _bench(launcher: Launcher, args: argparse.Namespace, **options: str) -> Bench:
    return Bench(launcher, latency_ms=args.latency_ms, concurrency=args.concurrency, **options)


def _setting(args: argparse.Namespace, invoices: int) -> str:
    return (
        f"{invoices} invoices, {args.latency_ms:g} ms per request, concurrency {args.concurrency}"
    )


def _lists(bench: Bench, perfex_invoices: int) -> int:
    """List pages of a Perfex → ONLYOFFICE sync: the Perfex list and the ONLYOFFICE list."""
    mirrored = len(bench.sandbox.onlyoffice_app.store.invoices)
    return perfex_list_pages(bench.perfex_version, perfex_invoices) + onlyoffice_list_pages(
        mirrored
    )


def _print_writes(
    measured: Measured,
    lists: int,
    *,
    per_edit: int | None = None,
    listed: int | None = None,
    perfex_v2: bool = False,
) -> None:
    """Figures of a run that writes invoices, per written invoice (or per edited one)."""
    written = measured.written_invoices()
    to_perfex = bool(written) and written[0].get("target") == "perfex"
    per_invoice = 2 + (1 if to_perfex and perfex_v2 else 0)
    contacts = measured.created("contact")
    if to_perfex:
        dependencies = contacts * (2 if perfex_v2 else 1)
    else:
        dependencies = 2 * contacts + measured.created("item") + measured.created("tax")
    floor = Floor(
        (
            ("list pages", lists),
            (
                f"for {len(written)} written invoices ({per_invoice} each)",
                per_invoice * len(written),
            ),
            ("batched status moves", status_moves(measured)),
            ("customer, product and tax writes", dependencies),
        )
    )
    if per_edit is not None:
        print_figures(measured, per_edit, "edited invoice", floor, listed=listed)
    else:
        print_figures(measured, len(written), "written invoice", floor, listed=listed)


SCENARIOS = {
    "backfill": backfill,
    "changed": changed,
    "no_change": no_change,
    "incremental": incremental,
    "reverse": reverse,
}


if __name__ == "__main__":
    raise SystemExit(main())
