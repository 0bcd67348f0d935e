"""`crm-bridge demo`: the zero-configuration tour, on the embedded sandbox, told in a screenful.

Starts both simulators on loopback, seeds Perfex, backfills into ONLYOFFICE, edits a few open
invoices the way a person does in Perfex's admin screen, syncs again, and tells what happened
in words: what was seeded, what the backfill did (counts per kind, how many invoices were
written with differences and one example), the edits, the sync's own report (its line diffs),
where the HTML report is, and what to try next. No configuration file, no network, nothing kept
but the HTML report (the ledger lives in a temporary folder).

Must not: print the full backfill (one line per seeded invoice says nothing a count does not),
or describe an edit other than the one it made.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bridge.config import BridgeConfig, config_from_dict
from bridge.engine import RunRequest
from bridge.report import report_html, report_text
from bridge.report.layout import lay_out
from bridge.report.text import kind_counts
from bridge.report.wording import direction_label, duration_label, kind_noun
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.perfex_admin import PerfexAdmin
from bridge.sandbox.seed import SeedData, generate
from bridge.wiring import build_engine
from state import Ledger
from state.records import RunRecord, warnings_of

DIRECTION = "perfex_to_onlyoffice"
REPORT_NAME = "crm-bridge-demo-report.html"
OPEN_STATUSES = (1, 4)  # Perfex unpaid and overdue: edits to their lines touch no payment
NEXT_STEPS = (
    "Next: `crm-bridge sandbox` serves both simulators until Ctrl-C, with a URL and token for",
    "each, to try a config against; `crm-bridge init` writes a commented starter config for",
    "your own Perfex and ONLYOFFICE.",
)


def run_demo(
    workdir: Path, *, invoices: int = 24, seed: int = 7, out: Callable[[str], None] = print
) -> int:
    today = date.today()
    data = generate(seed=seed, invoices=invoices, today=today)
    with (
        tempfile.TemporaryDirectory(prefix="crm-bridge-demo-") as tmp,
        Sandbox(SandboxOptions(today=today)) as sandbox,
    ):
        sandbox.seed_perfex(data)
        config = demo_config(sandbox, Path(tmp))
        out("crm-bridge demo: a Perfex and an ONLYOFFICE simulated on this machine.\n")
        out(f"1. Seeded Perfex with {_seeded(data)}; ONLYOFFICE starts empty.\n")
        ledger = Ledger.open(config.ledger_path)
        try:
            engine = build_engine(config, ledger)
            first = engine.run(RunRequest("backfill", DIRECTION))
            for line in backfill_story(first):
                out(line)
            edits = edit_some_invoices(sandbox, first, config.mapping.default_due_days)
            out("\n3. A person edits invoices in Perfex's admin screen:")
            for line in edits:
                out(f"   - {line}")
            # A poll cycle, as `crm-bridge sync` runs one.
            second = engine.run(RunRequest("sync", DIRECTION, retry_schedule=True))
            out("\n4. The next sync finds those edits and carries them over. Its report:")
            out(_indented(report_text(second)))
        finally:
            ledger.close()
    report = workdir / REPORT_NAME
    report.write_text(report_html(second), encoding="utf-8")
    out(f"The same report as a page to open or print: {report}\n")
    out("\n".join(NEXT_STEPS))
    return 0 if _completed(first) and _completed(second) else 1


def _seeded(data: SeedData) -> str:
    return (
        f"{len(data.invoices)} invoices for {len(data.customers)} customers "
        f"({len(data.products)} products, {len(data.taxes)} taxes)"
    )


def backfill_story(record: RunRecord) -> list[str]:
    """What the backfill did in a few lines: counts per kind, differences, one example."""
    run = record.run
    layout = lay_out(record)
    took = f"{run.status}, {duration_label(run)}"
    lines = [f"2. Backfill, {direction_label(run.direction)} ({took}):"]
    width = max((len(kind_noun(kind, 2)) for kind in layout.counts_by_kind), default=0) + 1
    for kind, counts in layout.counts_by_kind.items():
        name = f"{kind_noun(kind, 2).capitalize()}:"
        lines.append(f"   {name:<{width}} {kind_counts(counts, run=run)}")
    warned = [view for view in layout.invoices if view.warnings]
    if warned:
        example = warned[0]
        noun = kind_noun("invoice", len(warned))
        lines.append(f"   {len(warned)} {noun} written with differences the report explains, e.g.")
        lines.append(f"   {example.title}: {example.warnings[0]}")
    elif layout.invoices:
        lines.append("   Every invoice was written exactly as Perfex shows it.")
    problems = sum(len(group.records) for group in layout.problems)
    if problems:
        said = "record was" if problems == 1 else "records were"
        lines.append(f"   {problems} {said} not written; `crm-bridge report latest` says why.")
    return lines


@dataclass(frozen=True)
class _Edit:
    what: str  # what was done, in words
    apply: Callable[[int], None]


def edit_some_invoices(sandbox: Sandbox, backfill: RunRecord, due_days: int) -> list[str]:
    """Four edits to open invoices the backfill created; returns what was done, in words."""
    admin = PerfexAdmin(sandbox.perfex_app)
    store = admin.store
    created = [
        o
        for o in backfill.outcomes
        if o.kind == "invoice" and o.action == "created" and not warnings_of(o)
    ]
    created.sort(key=lambda o: int(o.source_id))
    # Open invoices first: a paid one whose total grows would become partly paid as well.
    created.sort(key=lambda o: store.invoices[int(o.source_id)].status not in OPEN_STATUSES)
    done = []
    for make, fits in _EDITS:
        outcome = next(o for o in created if fits(store.invoices[int(o.source_id)], due_days))
        created.remove(outcome)
        invoice_id = int(outcome.source_id)
        edit = make(admin, invoice_id, due_days)
        edit.apply(invoice_id)
        done.append(f"{outcome.number} ({_customer_name(store, invoice_id)}): {edit.what}")
    return done


def _customer_name(store: Any, invoice_id: int) -> str:
    """The customer as Perfex shows it: a person's name where the company is left blank."""
    customer = store.customers[store.invoices[invoice_id].clientid]
    company = (customer.company or "").strip()
    if company or customer.contact is None:
        return company or "no name"
    return f"{customer.contact.firstname} {customer.contact.lastname}".strip()


def _move_due_date(admin: PerfexAdmin, invoice_id: int, due_days: int) -> _Edit:
    invoice = admin.store.invoices[invoice_id]
    moved = (invoice.duedate or invoice.date) + timedelta(days=14)
    return _Edit(
        f"due date moved two weeks later, {invoice.duedate or 'none'} → {moved}",
        lambda i: admin.set_due_date(i, moved),
    )


def _change_quantity(admin: PerfexAdmin, invoice_id: int, due_days: int) -> _Edit:
    line = admin.store.lines_of(invoice_id)[0]
    quantity = line.qty + 2
    return _Edit(
        f"{line.description}, quantity {_quantity(line.qty)} → {_quantity(quantity)}",
        lambda i: admin.set_quantity(i, 0, quantity),
    )


def _add_line(admin: PerfexAdmin, invoice_id: int, due_days: int) -> _Edit:
    return _Edit(
        "a line added, Express delivery × 1 @ 15.00",
        lambda i: admin.add_line(i, "Express delivery", Decimal(1), Decimal("15.00")),
    )


def _clear_due_date(admin: PerfexAdmin, invoice_id: int, due_days: int) -> _Edit:
    return _Edit(
        f"due date cleared (the bridge gives ONLYOFFICE the {due_days}-day term)",
        lambda i: admin.set_due_date(i, None),
    )


def _any(invoice: Any, due_days: int) -> bool:
    return True


def _has_due_date(invoice: Any, due_days: int) -> bool:
    return invoice.duedate is not None


def _due_date_not_the_default(invoice: Any, due_days: int) -> bool:
    """Clearing it shows in ONLYOFFICE only when the default term gives another date."""
    return invoice.duedate not in (None, invoice.date + timedelta(days=due_days))


# Each edit, with the invoices it shows on.
_EDITS = (
    (_move_due_date, _has_due_date),
    (_change_quantity, _any),
    (_add_line, _any),
    (_clear_due_date, _due_date_not_the_default),
)


def _quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _indented(text: str) -> str:
    return "\n".join(f"   {line}" if line else "" for line in text.splitlines()) + "\n"


def _completed(record: RunRecord) -> bool:
    """The tour worked when both runs finished; records it reported stay in the report."""
    return record.run.status in ("ok", "partial")


def demo_config(sandbox: Sandbox, folder: Path) -> BridgeConfig:
    environ = {
        "PERFEX_API_TOKEN": sandbox.perfex_token,
        "ONLYOFFICE_API_TOKEN": sandbox.onlyoffice_token,
    }
    data = {
        "perfex": {"url": sandbox.perfex_url, "currencies": sandbox.perfex_app.currency_ids},
        "onlyoffice": {"url": sandbox.onlyoffice_url},
        "sync": {"direction": DIRECTION, "ledger": "ledger.db", "report_dir": "reports"},
    }
    return config_from_dict(data, base_dir=folder, environ=environ, source="demo")
