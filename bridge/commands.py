"""What each `crm-bridge` command does, given parsed arguments and the environment.

The CLI (`bridge.cli`) parses argv and turns errors into exit codes; everything between is
here. Each command returns its exit code: 0 when every record succeeded, 1 when the run
finished with failed or conflicting records.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from bridge.config import BridgeConfig, config_path, load_config
from bridge.engine import RunRequest
from bridge.interrupts import interruptible
from bridge.progress import progress_bar
from bridge.report import report_html, report_json, report_text, runs_table
from bridge.wiring import build_clients, build_engine, open_ledger
from state import Ledger
from state.records import RunRecord

if TYPE_CHECKING:
    from bridge.control import Controls, Done

Environ = Mapping[str, str]


def dispatch(args: argparse.Namespace, environ: Environ) -> int:
    handlers: dict[str, Callable[[argparse.Namespace, Environ], int]] = {
        "sync": run_sync,
        "backfill": run_backfill,
        "daemon": run_daemon,
        "report": show_report,
        "check": run_check,
        "demo": run_demo,
        "sandbox": run_sandbox,
        "audit": run_audit_command,
        "status": show_status,
        "resolve": run_resolve,
        "accept": run_accept,
        "retry": run_retry,
    }
    return handlers[args.command](args, environ)


def _config(args: argparse.Namespace, environ: Environ) -> BridgeConfig:
    config = load_config(config_path(args.config, environ), environ)
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return config


def exit_code(record: RunRecord) -> int:
    return 0 if record.run.status == "ok" else 1


def run_sync(args: argparse.Namespace, environ: Environ) -> int:
    if getattr(args, "invoice", None):
        return _control(args, environ, lambda c: c.sync_invoice(args.invoice, dry_run=args.dry_run))
    return _run_once(args, environ, "sync")


def run_backfill(args: argparse.Namespace, environ: Environ) -> int:
    return _run_once(args, environ, "backfill", since=args.since)


def _run_once(
    args: argparse.Namespace, environ: Environ, command: str, since: date | None = None
) -> int:
    """One run of the engine, its report printed; a backfill shows a progress bar."""
    config = _config(args, environ)
    direction = args.direction or config.sync.direction
    request = RunRequest(command, direction, dry_run=args.dry_run, since=since)
    ledger = open_ledger(config, dry_run=args.dry_run)
    try:
        engine = build_engine(config, ledger)
        with interruptible(engine) as interruption:
            if command == "backfill":
                with progress_bar("Backfill") as progress:
                    record = engine.run(request, progress)
            else:
                record = engine.run(request)
    finally:
        ledger.close()
    print(report_text(record))
    return interruption.exit_code or exit_code(record)


def run_daemon(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.daemon import Daemon

    config = _config(args, environ)
    ledger = open_ledger(config, dry_run=False)
    try:
        engine = build_engine(config, ledger)
        daemon = Daemon(engine, direction=config.sync.direction, interval=config.sync.interval)
        return daemon.run_forever()
    finally:
        ledger.close()


def show_report(args: argparse.Namespace, environ: Environ) -> int:
    config = load_config(config_path(args.config, environ), environ)
    ledger = Ledger.open_readonly(config.ledger_path)
    try:
        if args.run_id is None and args.output is None and args.format == "text":
            console = Console()
            if not console.is_terminal:  # piped or redirected: do not squeeze into 80 columns
                console.width = 160
            console.print(runs_table(ledger.runs(limit=20)))
            return 0
        record = ledger.run(_run_id(args.run_id))
    finally:
        ledger.close()
    if record is None:
        print(f"No run {args.run_id or 'yet'} in the ledger {config.ledger_path}.", file=sys.stderr)
        return 1
    render = {"text": report_text, "json": report_json, "html": report_html}[args.format]
    output = render(record, failed_only=args.failed)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        print(f"Report of run {record.run.id} written to {args.output}")
    else:
        print(output)
    return 0


def _run_id(value: str | None) -> int | None:
    return None if value in (None, "latest") else int(value)


def run_check(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.checks import check_systems

    config = _config(args, environ)
    for line in check_systems(config, build_clients(config)):
        print(line)
    return 0


def run_demo(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.demo import run_demo as demo

    return demo(Path.cwd())


def run_sandbox(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.sandbox.serve import serve_sandbox

    return serve_sandbox(
        perfex_port=args.perfex_port,
        onlyoffice_port=args.onlyoffice_port,
        invoices=args.invoices,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
    )


# -- audit, status and per-invoice control (bridge.audit, bridge.health, bridge.control) ------


def run_audit_command(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.audit import AuditOptions, audit_command

    if args.yes and not args.repair:
        print("--yes only goes with --repair: crm-bridge audit --repair --yes", file=sys.stderr)
        return 2
    config = _config(args, environ)
    options = AuditOptions(
        format=args.format,
        output=Path(args.output) if args.output else None,
        repair=args.repair,
        yes=args.yes,
    )
    document_on_stdout = args.format != "text" and args.output is None
    messages = sys.stderr if document_on_stdout else sys.stdout
    return audit_command(config, options, show=print, say=lambda text: print(text, file=messages))


def show_status(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.engine.run import utc_now
    from bridge.health import check_health, status_json, status_text, unreadable
    from state import LedgerError

    config = load_config(config_path(args.config, environ), environ)
    path = config.ledger_path
    now = utc_now()
    try:
        ledger = Ledger.open_readonly(path)
        try:
            health = check_health(
                ledger, interval=config.sync.interval, now=now, exists=path.exists()
            )
        finally:
            ledger.close()
    except LedgerError as error:
        health = unreadable(str(path), error, now)
    print(status_json(health) if args.format == "json" else status_text(health))
    return health.code


def run_resolve(args: argparse.Namespace, environ: Environ) -> int:
    return _control(args, environ, lambda controls: controls.resolve(args.number, args.keep))


def run_accept(args: argparse.Namespace, environ: Environ) -> int:
    return _control(args, environ, lambda controls: controls.accept(args.number))


def run_retry(args: argparse.Namespace, environ: Environ) -> int:
    return _control(args, environ, lambda controls: controls.retry())


def _control(args: argparse.Namespace, environ: Environ, act: Callable[[Controls], Done]) -> int:
    """Builds the per-invoice controls, runs one, prints its sentence; Ctrl-C and SIGTERM
    let the records in flight finish, as in `sync`."""
    from bridge.audit.command import make_view
    from bridge.control import Controls
    from bridge.engine.run import utc_now

    config = _config(args, environ)
    direction = getattr(args, "direction", None) or config.sync.direction
    ledger = open_ledger(config, dry_run=bool(getattr(args, "dry_run", False)))
    try:
        clients = build_clients(config)
        engine = build_engine(config, ledger, clients=clients)
        controls = Controls(
            ledger=ledger,
            engine=engine,
            view=lambda: make_view(config, clients, ledger, utc_now, direction),
            direction=direction,
            now=utc_now,
        )
        with interruptible(engine) as interruption:
            done = act(controls)
    finally:
        ledger.close()
    print(done.text)
    return interruption.exit_code or done.code
