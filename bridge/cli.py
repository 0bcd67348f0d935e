"""The `crm-bridge` command line: parses argv, dispatches, and turns errors into exit codes.

This is the only module that reads argv or exits. Each command is a small function that builds
what it needs and calls the library (`bridge.commands`); every error family becomes one plain
sentence on stderr and the exit code of INTERFACE.md. Tracebacks only with -v.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date

from bridge import __version__
from bridge.errors import BridgeError, system_name
from state.errors import LedgerError

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_CONFIG, EXIT_REMOTE, EXIT_LEDGER, EXIT_SAFETY = range(7)
DIRECTIONS = ("perfex_to_onlyoffice", "onlyoffice_to_perfex", "both")

log = logging.getLogger("bridge")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-bridge",
        description="Keeps invoices consistent between Perfex CRM and ONLYOFFICE CRM.",
    )
    parser.add_argument("--config", help="config file (default: $CRM_BRIDGE_CONFIG, ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs and tracebacks")
    parser.add_argument("--version", action="version", version=f"crm-bridge {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sync = commands.add_parser("sync", help="one poll cycle: find changed invoices, write them")
    _add_direction(sync)
    sync.add_argument(
        "--invoice",
        metavar="NUMBER",
        help="only this invoice, by either side's number or id (perfex:ID, onlyoffice:ID)",
    )
    backfill = commands.add_parser(
        "backfill", help="one-off full pass: link or create every invoice (resumable)"
    )
    _add_direction(backfill)
    backfill.add_argument(
        "--since",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="only invoices dated on or after this day",
    )
    commands.add_parser("daemon", help="sync every [sync].interval seconds until SIGTERM")

    report = commands.add_parser("report", help="review past runs")
    report.add_argument(
        "run_id",
        nargs="?",
        metavar="RUN_ID|latest",
        type=_run_ref,
        help="one run to show (default: a table of recent runs)",
    )
    report.add_argument("--format", choices=("text", "json", "html"), default="text")
    report.add_argument("--output", metavar="PATH", help="write the report to a file")
    report.add_argument("--failed", action="store_true", help="only failed and conflicting records")

    commands.add_parser("check", help="validate the config and reach both APIs read-only")
    commands.add_parser("demo", help="the zero-config tour on the embedded sandbox")

    _add_control(commands)

    sandbox = commands.add_parser("sandbox", help="serve both simulators until Ctrl-C")
    sandbox.add_argument("--perfex-port", type=_port, default=0, metavar="N")
    sandbox.add_argument("--onlyoffice-port", type=_port, default=0, metavar="N")
    sandbox.add_argument("--invoices", type=_non_negative, default=50, metavar="N")
    sandbox.add_argument("--seed", type=int, default=1, metavar="N")
    sandbox.add_argument("--latency-ms", type=_non_negative, default=0, metavar="N")
    sandbox.add_argument("--fault-rate", type=_rate, default=0.0, metavar="F")
    return parser


def _add_control(commands: argparse._SubParsersAction) -> None:
    """audit, status, resolve, accept and retry (`bridge.audit`, `bridge.health`,
    `bridge.control`)."""
    audit = commands.add_parser(
        "audit", help="read both sides, report every disagreement and per-currency totals"
    )
    audit.add_argument("--format", choices=("text", "json", "html"), default="text")
    audit.add_argument("--output", metavar="PATH", help="write the audit to a file")
    audit.add_argument(
        "--repair", action="store_true", help="print the writes that would make the pairs agree"
    )
    audit.add_argument("--yes", action="store_true", help="with --repair: carry them out")
    status = commands.add_parser(
        "status", help="health for people and monitors (0 ok, 1 warning, 2 critical)"
    )
    status.add_argument("--format", choices=("text", "json"), default="text")
    resolve = commands.add_parser("resolve", help="settle one conflict")
    resolve.add_argument("number", metavar="NUMBER", help="either side's number or id")
    resolve.add_argument(
        "--keep",
        choices=("perfex", "onlyoffice"),
        required=True,
        help="the side whose content the invoice keeps",
    )
    accept = commands.add_parser(
        "accept", help="accept a reported difference until the invoice changes"
    )
    accept.add_argument("number", metavar="NUMBER", help="either side's number or id")
    commands.add_parser("retry", help="retry the open failures now")


def _add_direction(command: argparse.ArgumentParser) -> None:
    command.add_argument("--direction", choices=DIRECTIONS, help="default: [sync].direction")
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan and write nothing anywhere, the ledger included",
    )


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _run_ref(text: str) -> str:
    if text != "latest" and not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is neither a run number nor 'latest'")
    return text


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _port(text: str) -> int:
    value = _non_negative(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("a port is at most 65535")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a fault rate is between 0 and 1, e.g. 0.1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    from bridge import commands  # imported late: `--help` stays fast

    try:
        return commands.dispatch(args, os.environ)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BridgeError as error:
        return _fail(args, error, error.exit_code, _sentence(error))
    except LedgerError as error:
        return _fail(args, error, EXIT_LEDGER, str(error))
    except Exception as error:  # the last line of defence: one sentence, traceback with -v
        return _fail(
            args,
            error,
            EXIT_PARTIAL,
            f"Unexpected error ({type(error).__name__}): {error}. "
            "Run again with -v for the details and report it if it persists.",
        )


def _sentence(error: BridgeError) -> str:
    text = str(error)
    system = getattr(error, "system", None)
    if system and system_name(system) not in text:
        text = f"{system_name(system)}: {text}"
    return text


def _fail(args: argparse.Namespace, error: BaseException, code: int, message: str) -> int:
    if args.verbose:
        log.exception("%s", message)
    print(message, file=sys.stderr)
    return code


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:
        logging.getLogger("urllib3").setLevel(logging.ERROR)
