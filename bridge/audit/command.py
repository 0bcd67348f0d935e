"""The `audit` command: audit, render, and with `--repair` plan (and with `--yes` carry out)
the repairs, then check the repaired pairs again.

Read-only unless `--repair --yes`: the ledger is then opened for writing and the repairs run
through the engine under the runner lock. The report goes to `--output` or to `show`; every
other sentence goes to `say` (the CLI sends it to stderr when a JSON or HTML document is on
stdout, so the document stays parseable).

Exit codes: 0 when everything agrees (after a repair: when the repaired pairs agree and
nothing was left to a person), 1 otherwise; errors reaching a system or the ledger keep the
codes of the README (4, 5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bridge.audit.check import names_of, run_audit
from bridge.audit.findings import AuditResult
from bridge.audit.html import audit_html
from bridge.audit.render import audit_json, audit_text, repair_text, summary
from bridge.audit.repair import RepairStep, carry_out, plan_repair
from bridge.audit.view import BridgeView
from bridge.config import BridgeConfig
from bridge.engine.run import utc_now
from bridge.interrupts import interruptible
from bridge.outcome_words import run_sentences
from bridge.wiring import Clients, build_clients, build_engine, engine_settings
from state import Ledger

Say = Callable[[str], None]


@dataclass(frozen=True)
class AuditOptions:
    format: str = "text"  # "text", "json" or "html"
    output: Path | None = None
    repair: bool = False
    yes: bool = False


def make_view(
    config: BridgeConfig,
    clients: Clients,
    ledger: Ledger,
    now: Callable[[], datetime],
    direction: str | None = None,
) -> BridgeView:
    """Both sides as the engine sees them (in `direction`, by default `[sync].direction`)."""
    return BridgeView(
        perfex=clients.perfex,
        onlyoffice=clients.onlyoffice,
        ledger=ledger,
        settings=engine_settings(config),
        direction_name=direction or config.sync.direction,
        now=now,
    )


def audit_command(
    config: BridgeConfig,
    options: AuditOptions,
    *,
    show: Say,
    say: Say,
    clients: Clients | None = None,
    now: Callable[[], datetime] = utc_now,
) -> int:
    writing = options.repair and options.yes
    path = config.ledger_path
    ledger = Ledger.open(path) if writing else Ledger.open_readonly(path)
    try:
        clients = clients or build_clients(config)
        view = make_view(config, clients, ledger, now)
        result = run_audit(view, ledger, now=now)
        steps = plan_repair(result.differences, view.direction)
        _deliver(result, steps, options, show, say)
        if not options.repair:
            return 0 if result.all_agree else 1
        say(repair_text(steps).rstrip())
        if not options.yes:
            return _planned_only(result, steps, say)
        return _repair(config, clients, ledger, result, steps, say, now)
    finally:
        ledger.close()


def _deliver(
    result: AuditResult, steps: list[RepairStep], options: AuditOptions, show: Say, say: Say
) -> None:
    if options.format == "json":
        document = audit_json(result, steps if options.repair else None)
    elif options.format == "html":
        document = audit_html(result, steps)
    else:
        document = audit_text(result, steps)
    if options.output is None:
        show(document.rstrip("\n"))
        return
    options.output.write_text(document, encoding="utf-8")
    say(f"{summary(result)} The audit was written to {options.output}.")


def _planned_only(result: AuditResult, steps: list[RepairStep], say: Say) -> int:
    writes = sum(1 for step in steps if step.writes)
    if writes:
        say(
            f"Nothing was written: run `crm-bridge audit --repair --yes` to carry out the "
            f"{writes} repair{'s' if writes != 1 else ''} above."
        )
    return 0 if result.all_agree else 1


def _repair(
    config: BridgeConfig,
    clients: Clients,
    ledger: Ledger,
    result: AuditResult,
    steps: list[RepairStep],
    say: Say,
    now: Callable[[], datetime],
) -> int:
    writing = [step for step in steps if step.writes]
    if not writing:
        say("Nothing was written: no difference is the bridge's to repair on its own.")
        return 0 if result.all_agree else 1
    engine = build_engine(config, ledger, clients=clients)
    with interruptible(engine) as interruption:
        record = carry_out(
            writing, ledger=ledger, engine=engine, direction=config.sync.direction, now=now
        )
    assert record is not None
    say(f"Repair run {record.run.id} ({record.run.status}): " + " ".join(run_sentences(record)))
    again = run_audit(
        make_view(config, clients, ledger, now),
        ledger,
        now=now,
        only=names_of(step.difference for step in writing),
    )
    still = len(again.differences) + len(again.unchecked)
    say(
        f"Checked again: {again.agree} of the {len(writing)} repaired invoices agree now"
        + (f", {still} still differ." if still else ".")
    )
    if interruption.exit_code is not None:
        return interruption.exit_code
    left = len(steps) - len(writing) + len(result.unchecked)
    return 0 if again.all_agree and not left and record.run.status == "ok" else 1
