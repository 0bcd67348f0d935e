"""The `crm-bridge` command line: parses argv, dispatches, and turns errors into exit codes.

This is the only module that reads argv or exits. Each command is a small function that builds
what it needs and calls the library (`bridge.commands`); every error family becomes one plain
sentence on stderr and the exit code of the README. Tracebacks only with -v.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date

from bridge import __version__
from bridge.errors import BridgeError, system_name
from state.errors import LedgerError

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_CONFIG, EXIT_REMOTE, EXIT_LEDGER, EXIT_SAFETY = range(7)
DIRECTIONS = ("perfex_to_onlyoffice", "onlyoffice_to_perfex", "both")

log = logging.getLogger("bridge")


EXAMPLES = {
    "sync": """
  crm-bridge sync                        one cycle in [sync].direction
  crm-bridge sync --dry-run              print what would change; write nothing anywhere
  crm-bridge sync --direction both -v    both ways, with debug logs""",
    "backfill": """
  crm-bridge backfill --dry-run          what a first run would create and link
  crm-bridge backfill                    link or create every invoice (safe to re-run)
  crm-bridge backfill --since 2026-01-01 only invoices dated on or after that day""",
    "daemon": """
  crm-bridge --config /etc/crm-bridge/config.toml daemon
  kill -HUP <pid>                        reload the config between cycles
  systemctl start crm-bridge             as a service: see deploy/ and docs/going-live.md""",
    "report": """
  crm-bridge report                      the last 20 runs
  crm-bridge report latest --failed      what needs a person in the latest run
  crm-bridge report 12 --format html --output run-12.html
  crm-bridge report latest --format json""",
    "check": """
  crm-bridge check                       every probe, read-only; exit 0 when ready to run
  crm-bridge check --config staging.toml""",
    "demo": """
  crm-bridge demo                        needs no config and no network""",
    "sandbox": """
  crm-bridge sandbox                     print both URLs and tokens, serve until Ctrl-C
  crm-bridge sandbox --invoices 200 --latency-ms 50 --fault-rate 0.05""",
    "init": """
  crm-bridge init                        write ./config.toml
  crm-bridge init /etc/crm-bridge/config.toml
  crm-bridge init -                      print it instead""",
    "config": """
  crm-bridge config                      every key in force and where it came from
  crm-bridge config --config /etc/crm-bridge/config.toml""",
    "prune": """
  crm-bridge prune                       drop runs older than [sync].keep_runs_days
  crm-bridge prune --keep-days 30""",
    "audit": """
  crm-bridge audit                       do both systems agree? exit 0 when they do
  crm-bridge audit --format html --output audit.html
  crm-bridge audit --repair              the writes that would make them agree
  crm-bridge audit --repair --yes        and carry them out""",
    "status": """
  crm-bridge status                      last runs, open failures and conflicts, the lock
  crm-bridge status --format json        for a monitor (exit 0 ok, 1 warning, 2 critical)""",
    "resolve": """
  crm-bridge resolve INV-001042 --keep perfex
  crm-bridge resolve INV-001042 --keep onlyoffice""",
    "accept": """
  crm-bridge accept INV-001042           accept its reported difference until it changes""",
    "retry": """
  crm-bridge retry                       try every open failure again now""",
}
MAIN_EPILOG = """exit codes:
  0 every record succeeded      1 some records failed or conflicted   2 usage error
  3 configuration error         4 a system refused or was unreachable 5 ledger error
  6 safety stop
run `crm-bridge COMMAND --help` for the options and examples of one command."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-bridge",
        description="Keeps invoices consistent between Perfex CRM and ONLYOFFICE CRM.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(parser, default=None)
    parser.add_argument("--version", action="version", version=f"crm-bridge {__version__}")
    # The same options after the command (`crm-bridge sync -v`); SUPPRESS keeps a value given
    # before the command from being reset by the subcommand's default.
    shared = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    _add_global_options(shared, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            parents=[shared],
            epilog="examples:" + EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    sync = command("sync", "one poll cycle: find changed invoices, write them")
    _add_direction(sync)
    sync.add_argument(
        "--invoice",
        metavar="NUMBER",
        help="only this invoice, by either side's number or id (perfex:ID, onlyoffice:ID)",
    )
    backfill = command("backfill", "one-off full pass: link or create every invoice (resumable)")
    _add_direction(backfill)
    backfill.add_argument(
        "--since",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="only invoices dated on or after this day",
    )
    command("daemon", "sync every [sync].interval seconds until SIGTERM; SIGHUP reloads")

    report = command("report", "review past runs")
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

    command("check", "validate the config and probe both APIs and the ledger, read-only")
    command("demo", "the zero-config tour on the embedded sandbox")

    _add_control(command)

    sandbox = command("sandbox", "serve both simulators until Ctrl-C")
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

    init = command("init", "write a commented starter config")
    init.add_argument(
        "path",
        nargs="?",
        default="config.toml",
        metavar="PATH",
        help="where to write it (default: ./config.toml; - prints it)",
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    command("config", "print the configuration in force, with defaults and their origin")
    prune = command("prune", "drop old runs from the ledger (the latest of each command stays)")
    prune.add_argument(
        "--keep-days",
        type=_non_negative,
        metavar="N",
        help="keep runs of the last N days (default: [sync].keep_runs_days)",
    )
    return parser


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


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--config",
        default=default,
        metavar="PATH",
        help="config file (default: $CRM_BRIDGE_CONFIG, then ./config.toml)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if default is None else default,
        help="debug logs and tracebacks",
    )


def _add_control(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """audit, status, resolve, accept and retry (`bridge.audit`, `bridge.health`,
    `bridge.control`)."""
    audit = command("audit", "read both sides, report every disagreement and per-currency totals")
    audit.add_argument("--format", choices=("text", "json", "html"), default="text")
    audit.add_argument("--output", metavar="PATH", help="write the audit to a file")
    audit.add_argument(
        "--repair", action="store_true", help="print the writes that would make the pairs agree"
    )
    audit.add_argument("--yes", action="store_true", help="with --repair: carry them out")
    status = command("status", "health for people and monitors (0 ok, 1 warning, 2 critical)")
    status.add_argument("--format", choices=("text", "json"), default="text")
    resolve = command("resolve", "settle one conflict")
    resolve.add_argument("number", metavar="NUMBER", help="either side's number or id")
    resolve.add_argument(
        "--keep",
        choices=("perfex", "onlyoffice"),
        required=True,
        help="the side whose content the invoice keeps",
    )
    accept = command("accept", "accept a reported difference until the invoice changes")
    accept.add_argument("number", metavar="NUMBER", help="either side's number or id")
    command("retry", "retry the open failures now")


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
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader of our output went away (`| head`): nothing to say
        from bridge.commands import silence_stdout

        silence_stdout()
        return EXIT_OK


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bridge import commands, logs  # imported late: `--help` stays fast

    # stderr until a command has read its [log] section
    logs.configure(logs.LogSettings(level=logs.COMMAND_LEVEL), verbose=args.verbose)

    try:
        return commands.dispatch(args, os.environ)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # not an error of the command: see main
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
    from bridge import logs

    if args.verbose:
        log.exception("%s", message)
    elif logs.logging_to_file():  # a service's log file should say why it stopped
        log.error("%s", message, extra={"fields": {"exit_code": code}})
    print(message, file=sys.stderr)
    return code
