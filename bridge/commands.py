"""What each `crm-bridge` command does, given parsed arguments and the environment.

The CLI (`bridge.cli`) parses argv and turns errors into exit codes; everything between is
here. Each command returns its exit code: 0 when every record succeeded, 1 when the run
finished with failed or conflicting records (INTERFACE.md has the rest).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path

from rich.console import Console

from bridge import logs
from bridge.config import CONFIG_ENV, BridgeConfig, config_path, load_config
from bridge.engine import RunRequest
from bridge.housekeeping import Housekeeping
from bridge.progress import progress_bar
from bridge.report import report_html, report_json, report_text, runs_table
from bridge.wiring import build_engine, open_ledger
from state import Ledger
from state.records import RunRecord

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
    return _run_once(args, environ, "sync")


def run_backfill(args: argparse.Namespace, environ: Environ) -> int:
    return _run_once(args, environ, "backfill", since=args.since)


def _run_once(
    args: argparse.Namespace, environ: Environ, command: str, since: date | None = None
) -> int:
    """One run of the engine, its report printed; a backfill shows a progress bar."""
    config = _config(args, environ, logs.COMMAND_LEVEL)
    direction = args.direction or config.sync.direction
    request = RunRequest(command, direction, dry_run=args.dry_run, since=since)
    ledger = open_ledger(config, dry_run=args.dry_run)
    try:
        engine = build_engine(config, ledger)
        with stop_on_signals(engine.stop) as caught:
            if command == "backfill":
                with progress_bar("Backfill") as progress:
                    record = engine.run(request, progress)
            else:
                record = engine.run(request)
        print(report_text(record))
        Housekeeping.from_config(config, ledger).after_run(record)
    finally:
        ledger.close()
    return 128 + caught[0] if caught else exit_code(record)


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[list[int]]:
    """Ctrl-C or SIGTERM ask the run to stop between records (INTERFACE.md: the records in
    flight finish, the report is printed, the exit code is 128 + the signal). A second signal
    acts as usual, for a user who really wants out now. Yields the signals caught."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught  # signal handlers can only be set from the main thread
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}

    def handle(signum: int, frame: object) -> None:
        caught.append(signum)
        stop.set()
        signal.signal(signum, previous[signum])

    for signum in previous:
        signal.signal(signum, handle)
    try:
        yield caught
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
    from bridge.sandbox.serve import serve_sandbox

    return serve_sandbox(
        perfex_port=args.perfex_port,
        onlyoffice_port=args.onlyoffice_port,
        invoices=args.invoices,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
    )


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
