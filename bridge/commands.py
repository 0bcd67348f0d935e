"""What each `crm-bridge` command does, given parsed arguments and the environment.

The CLI (`bridge.cli`) parses argv and turns errors into exit codes; everything between is
here. Each command returns its exit code: 0 when every record succeeded, 1 when the run
finished with failed or conflicting records (the README has the rest).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from bridge import logs
from bridge.config import CONFIG_ENV, BridgeConfig, config_path, load_config
from bridge.engine import RunRequest
from bridge.housekeeping import Housekeeping
from bridge.interrupts import interruptible
from bridge.progress import progress_bar
from bridge.report import closing_sentence, report_html, report_json, report_text, runs_table
from bridge.wiring import build_clients, build_engine, open_ledger
from state import Ledger
from state.records import RunRecord

if TYPE_CHECKING:
    from bridge.control import Controls, Done

Environ = Mapping[str, str]
EXIT_USAGE = 2


def dispatch(args: argparse.Namespace, environ: Environ) -> int:
    handlers: dict[str, Callable[[argparse.Namespace, Environ], int]] = {
        "sync": run_sync,
        "backfill": run_backfill,
        "daemon": run_daemon,
        "report": show_report,
        "check": run_check,
        "demo": run_demo,
        "sandbox": run_sandbox,
        "init": run_init,
        "config": show_config,
        "prune": run_prune,
        "audit": run_audit_command,
        "status": show_status,
        "resolve": run_resolve,
        "accept": run_accept,
        "retry": run_retry,
    }
    return handlers[args.command](args, environ)


def _config(
    args: argparse.Namespace, environ: Environ, log_level: str | None = None
) -> BridgeConfig:
    """The configuration, its warnings printed; with `log_level`, logging set up from [log]."""
    config = load_config(config_path(args.config, environ), environ)
    if log_level is not None:
        logs.configure(logs.settings_from(config, log_level), verbose=args.verbose)
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
    config = _config(args, environ, logs.COMMAND_LEVEL)
    direction = args.direction or config.sync.direction
    # A poll cycle leaves failed invoices whose row did not change to their retry time; a
    # backfill tries everything.
    request = RunRequest(
        command, direction, dry_run=args.dry_run, since=since, retry_schedule=command == "sync"
    )
    ledger = open_ledger(config, dry_run=args.dry_run)
    try:
        engine = build_engine(config, ledger)
        with interruptible(engine) as interruption:
            if command == "backfill":
                with progress_bar("Backfill") as progress:
                    record = engine.run(request, progress)
            else:
                record = engine.run(request)
        code = interruption.exit_code or exit_code(record)
        text = report_text(
            record, perfex_url=config.perfex.url, onlyoffice_url=config.onlyoffice.url
        )
        sentence = closing_sentence(record.run) if code == 1 else None
        emit(text if sentence is None else f"{text}\n{sentence}")
        Housekeeping.from_config(config, ledger).after_run(record)
    finally:
        ledger.close()
    return code


def emit(text: str) -> None:
    """Print to stdout. A reader that stops early (`crm-bridge report latest | head`) is no
    error: the rest of the output is dropped quietly."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


def silence_stdout() -> None:
    """Point stdout at the null device, so that Python's last flush at exit does not fail on
    the closed pipe again (and print a traceback after the command has finished)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind stdout: nothing to flush there
        pass


def run_daemon(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.daemon import Daemon

    path = config_path(args.config, environ)
    config = _config(args, environ, logs.DAEMON_LEVEL)
    ledger = open_ledger(config, dry_run=False)
    try:
        engine = build_engine(config, ledger)
        daemon = Daemon(
            engine,
            direction=config.sync.direction,
            interval=config.sync.interval,
            housekeeping=Housekeeping.from_config(config, ledger),
            config=config,
            reload=lambda: load_config(path, environ),
            verbose=args.verbose,
        )
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
            with console.capture() as captured:
                console.print(runs_table(ledger.runs(limit=20)))
            emit(captured.get().rstrip("\n"))
            return 0
        record = ledger.run(_run_id(args.run_id))
    finally:
        ledger.close()
    if record is None:
        print(f"No run {args.run_id or 'yet'} in the ledger {config.ledger_path}.", file=sys.stderr)
        return 1
    output = _render(record, args.format, args.failed, config)
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
        print(f"Report of run {record.run.id} written to {args.output}")
    else:
        emit(output)
    return 0


def _render(record: RunRecord, form: str, failed_only: bool, config: BridgeConfig) -> str:
    if form == "json":
        return report_json(record, failed_only=failed_only)
    render = report_html if form == "html" else report_text
    urls = {"perfex_url": config.perfex.url, "onlyoffice_url": config.onlyoffice.url}
    return render(record, failed_only=failed_only, **urls)


def _run_id(value: str | None) -> int | None:
    return None if value in (None, "latest") else int(value)


def run_check(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.checks import exit_code as check_exit_code
    from bridge.checks import render, run_checks, summary

    config = load_config(config_path(args.config, environ), environ)
    findings = run_checks(config)
    for line in render(findings, encoding=sys.stdout.encoding):
        print(line)
    code = check_exit_code(findings)
    print(summary(findings), file=sys.stderr if code else sys.stdout)
    return code


def run_demo(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.demo import run_demo as demo

    return demo(Path.cwd())


def run_sandbox(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.sandbox.serve import run_sandbox_command

    return run_sandbox_command(args)


# -- init, config, prune -----------------------------------------------------------------


def starter_config() -> str:
    """The commented starter configuration shipped inside the package."""
    return resources.files("bridge.config").joinpath("example.toml").read_text(encoding="utf-8")


def run_init(args: argparse.Namespace, environ: Environ) -> int:
    text = starter_config()
    if args.path == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.path)
    if path.exists() and not args.force:
        print(
            f"{path} already exists; pass --force to overwrite it, or name another file.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o640)  # the service's group may read it; nobody else needs to
    except OSError as exc:
        print(
            f"{path} could not be written ({exc.strerror}); choose another path.", file=sys.stderr
        )
        return EXIT_USAGE
    print(
        f"Wrote a starter configuration to {path}. Next: set [perfex].url, [onlyoffice].url "
        "and [perfex].currencies in it, put the tokens in PERFEX_API_TOKEN and "
        f"ONLYOFFICE_API_TOKEN, then run: crm-bridge --config {path} check"
    )
    return 0


def show_config(args: argparse.Namespace, environ: Environ) -> int:
    from bridge.config.effective import effective_toml

    config = load_config(config_path(args.config, environ), environ)
    sys.stdout.write(effective_toml(config, _config_origin(args.config, environ)))
    return 0


def _config_origin(cli_value: str | None, environ: Environ) -> str:
    if cli_value:
        return "from --config"
    if environ.get(CONFIG_ENV, "").strip():
        return f"from ${CONFIG_ENV}"
    return "the default ./config.toml"


def run_prune(args: argparse.Namespace, environ: Environ) -> int:
    config = _config(args, environ, logs.COMMAND_LEVEL)
    keep = config.sync.keep_runs_days if args.keep_days is None else args.keep_days
    if not config.ledger_path.exists():
        print(f"There is no ledger at {config.ledger_path} yet: nothing to prune.")
        return 0
    ledger = Ledger.open(config.ledger_path)
    try:
        pruned = Housekeeping.from_config(config, ledger).prune(keep)
    finally:
        ledger.close()
    print(
        f"Pruned {pruned.runs} run(s) and {pruned.outcomes} outcome(s) started more than "
        f"{keep} day(s) ago from {config.ledger_path}; the latest run of each command is kept."
    )
    return 0


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
