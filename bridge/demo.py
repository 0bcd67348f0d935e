"""`crm-bridge demo`: the zero-configuration tour, on the embedded sandbox.

Starts both simulators on loopback, seeds Perfex, backfills into ONLYOFFICE, edits a few
invoices the way a person does in Perfex's admin screen, syncs again, prints both reports and
writes the second as an HTML page. No configuration file, no network, nothing kept but the
HTML report (the ledger lives in a temporary folder).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bridge.config import BridgeConfig, config_from_dict
from bridge.engine import RunRequest
from bridge.report import report_html, report_text
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.perfex_admin import PerfexAdmin
from bridge.sandbox.seed import generate
from bridge.wiring import build_engine
from state import Ledger
from state.records import RunRecord

DIRECTION = "perfex_to_onlyoffice"
REPORT_NAME = "crm-bridge-demo-report.html"


def run_demo(
    workdir: Path, *, invoices: int = 24, seed: int = 7, out: Callable[[str], None] = print
) -> int:
    today = date.today()
    with (
        tempfile.TemporaryDirectory(prefix="crm-bridge-demo-") as tmp,
        Sandbox(SandboxOptions(today=today)) as sandbox,
    ):
        sandbox.seed_perfex(generate(seed=seed, invoices=invoices, today=today))
        config = demo_config(sandbox, Path(tmp))
        ledger = Ledger.open(config.ledger_path)
        try:
            engine = build_engine(config, ledger)
            out(f"1. Backfill: {invoices} Perfex invoices into an empty ONLYOFFICE portal\n")
            first = engine.run(RunRequest("backfill", DIRECTION))
            out(report_text(first))
            out("\n2. Someone edits invoices in Perfex:")
            for line in edit_some_invoices(sandbox, first, today):
                out(f"   - {line}")
            out("\n3. Incremental sync\n")
            second = engine.run(RunRequest("sync", DIRECTION))
            out(report_text(second))
        finally:
            ledger.close()
    report = workdir / REPORT_NAME
    report.write_text(report_html(second), encoding="utf-8")
    out(f"\nHTML report of the sync: {report}")
    return 0 if _completed(first) and _completed(second) else 1


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


def edit_some_invoices(sandbox: Sandbox, backfill: RunRecord, today: date) -> list[str]:
    """Four edits to invoices the backfill created; returns what was done, for the reader."""
    admin = PerfexAdmin(sandbox.perfex_app)
    created = sorted(
        (o for o in backfill.outcomes if o.kind == "invoice" and o.action == "created"),
        key=lambda o: int(o.source_id),
    )[:4]
    edits = [
        ("due date moved by two weeks", lambda i: admin.set_due_date(i, today + timedelta(14))),
        ("quantity of the first line set to 3", lambda i: admin.set_quantity(i, 0, Decimal(3))),
        (
            "a line added",
            lambda i: admin.add_line(i, "Express delivery", Decimal(1), Decimal("15.00")),
        ),
        ("due date removed", lambda i: admin.set_due_date(i, None)),
    ]
    done = []
    for outcome, (what, edit) in zip(created, edits, strict=False):
        edit(int(outcome.source_id))
        done.append(f"{outcome.number}: {what}")
    return done
