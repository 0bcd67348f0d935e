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

    _add_sandbox(commands)
    return parser


def _add_sandbox(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sandbox = commands.add_parser("sandbox", help="serve both simulators until Ctrl-C")
    sandbox.add_argument(
        "--perfex-port", type=_port, default=8081, metavar="N", help="default 8081; 0: any"
    )
    sandbox.add_argument(
        "--onlyoffice-port", type=_port, default=8082, metavar="N", help="default 8082; 0: any"
    )
    sandbox.add_argument("--invoices", type=_non_negative, default=50, metavar="N")
    sandbox.add_argument(
        "--seed", type=int, default=1, metavar="N", help="the data, and the tokens, derive from it"
    )
    sandbox.add_argument("--latency-ms", type=_non_negative, default=0, metavar="N")
    sandbox.add_argument("--fault-rate", type=_rate, default=0.0, metavar="F")
    sandbox.add_argument(
        "--mix",
        choices=("realistic", "simple"),
        default="realistic",
        help="seeded data shaped like real books (default) or plain, exactly representable",
    )
    sandbox.add_argument(
        "--seed-sides",
        choices=("both", "perfex", "onlyoffice"),
        default="both",
        help="which simulators start with the seeded invoices (default both)",
    )
    sandbox.add_argument("--write-config", metavar="PATH", help="write a config.toml for it")
    sandbox.add_argument(
        "--perfex-permissions",
        type=_permissions,
        metavar="FEATURE:CAPABILITY,...",
        help="a restricted Perfex token, e.g. invoices:get,invoices:search_get,customers:get",
    )
    actions = sandbox.add_subparsers(dest="sandbox_action", metavar="ACTION")
    edit = actions.add_parser("edit", help="change an invoice in a running sandbox by hand")
    edit.add_argument("edit_side", choices=("perfex", "onlyoffice"), metavar="SIDE")
    edit.add_argument("edit_invoice", metavar="NUMBER", help="INV-000012, 12, or #ID")
    edit.add_argument("--port", dest="edit_port", type=_port, metavar="N")
    edit.add_argument("--seed", dest="edit_seed", type=int, default=1, metavar="N")
    edit.add_argument("--admin-token", dest="edit_admin_token", metavar="TOKEN")
    edit.add_argument("--due-date", metavar="YYYY-MM-DD|none")
    edit.add_argument("--quantity", nargs=2, action="append", metavar=("LINE", "QTY"))
    edit.add_argument("--price", nargs=2, action="append", metavar=("LINE", "PRICE"))
    edit.add_argument("--add-line", nargs=3, action="append", metavar=("TEXT", "QTY", "PRICE"))
    edit.add_argument("--remove-line", action="append", metavar="LINE")
    edit.add_argument("--note", metavar="TEXT")
    edit.add_argument("--po", metavar="NUMBER", help="ONLYOFFICE purchase order number")
    edit.add_argument("--exchange-rate", metavar="RATE", help="ONLYOFFICE exchange rate")
    edit.add_argument("--pay", metavar="AMOUNT|full", help="Perfex: record a payment")
    edit.add_argument("--status", metavar="STATUS")


_PERMISSION_FEATURES = (
    "invoices",
    "customers",
    "items",
    "common",
    "taxes",
    "payment_methods",
    "expense_categories",
)
_PERMISSION_CAPABILITIES = ("get", "search_get", "post", "put", "delete")


def _permissions(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        feature, _, capability = part.partition(":")
        if feature not in _PERMISSION_FEATURES or capability not in _PERMISSION_CAPABILITIES:
            raise argparse.ArgumentTypeError(
                f"{part!r} is not FEATURE:CAPABILITY; features are "
                f"{', '.join(_PERMISSION_FEATURES)}; capabilities "
                f"{', '.join(_PERMISSION_CAPABILITIES)}"
            )
        pairs.append((feature, capability))
    return tuple(pairs)


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
