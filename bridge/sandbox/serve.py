"""`crm-bridge sandbox`: both simulators on loopback, seeded, until Ctrl-C or SIGTERM; and
`crm-bridge sandbox edit`: a hand edit sent to a running sandbox.

Serving: the ports default to 8081 (Perfex) and 8082 (ONLYOFFICE), 0 picks free ones; the
tokens, the ONLYOFFICE password and the edit endpoint's admin token derive from `--seed`, so a
config keeps working across restarts. Both sides are seeded from the same generated data (the
realistic mix unless `--mix simple`), the way two systems look after someone kept them in
step by hand: a bridge pointed at the sandbox adopts the invoices it finds on both sides
instead of duplicating them; `--seed-sides` seeds only one. It prints what an operator needs
(`onboarding.py`) or writes the config with `--write-config PATH`.

Editing: posts the edits to the side's admin endpoint (`edits.py`) with the seed's admin
token; exit 0 when applied, 1 when the sandbox refused them, 4 when no sandbox answers.

Must not: import the bridge's own code; `bridge.commands` calls `run_sandbox_command`.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bridge.sandbox import Sandbox, SandboxOptions, credentials, onboarding
from bridge.sandbox.edits import ADMIN_HEADER, EDIT_PATH
from bridge.sandbox.seed import generate

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 4
Out = Callable[[str], None]


def run_sandbox_command(args: argparse.Namespace) -> int:
    """The `sandbox` command: serve, or with the `edit` action send one edit."""
    if getattr(args, "sandbox_action", None) == "edit":
        return edit_command(args)
    return serve_sandbox(
        perfex_port=args.perfex_port,
        onlyoffice_port=args.onlyoffice_port,
        invoices=args.invoices,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        mix=getattr(args, "mix", "realistic"),
        sides=getattr(args, "seed_sides", "both"),
        write_config=getattr(args, "write_config", None),
        perfex_permissions=getattr(args, "perfex_permissions", None),
    )


def serve_sandbox(
    *,
    perfex_port: int = credentials.DEFAULT_PERFEX_PORT,
    onlyoffice_port: int = credentials.DEFAULT_ONLYOFFICE_PORT,
    invoices: int = 50,
    seed: int = 1,
    latency_ms: float = 0.0,
    fault_rate: float = 0.0,
    mix: str = "realistic",
    sides: str = "both",
    write_config: Path | None = None,
    perfex_permissions: Sequence[tuple[str, str]] | None = None,
    today: date | None = None,
    stop: threading.Event | None = None,
    out: Out = print,
    err: Out | None = None,
) -> int:
    err = err or (lambda line: print(line, file=sys.stderr))
    today = today or date.today()
    options = SandboxOptions(
        perfex_port=perfex_port,
        onlyoffice_port=onlyoffice_port,
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        fault_seed=seed,
        today=today,
        token_seed=seed,
        perfex_permissions=None if perfex_permissions is None else tuple(perfex_permissions),
        admin_token=credentials.admin_token(seed),
    )
    try:
        sandbox = Sandbox(options)
    except OSError as error:
        err(_busy(error, perfex_port, onlyoffice_port))
        return EXIT_USAGE
    data = generate(seed=seed, invoices=invoices, today=today, mix=mix)
    sandbox.seed(data, sides)
    if write_config is not None:
        onboarding.write_config(sandbox, Path(write_config))
    stop = stop or _stop_on_signals()
    seeded = onboarding.Seeded(data, sides, seed)
    with sandbox:
        for line in onboarding.describe(sandbox, seeded, config_path=write_config):
            out(line)
        stop.wait()
    out("Sandbox stopped.")
    return EXIT_OK


def _busy(error: OSError, perfex_port: int, onlyoffice_port: int) -> str:
    return (
        f"The sandbox cannot listen on ports {perfex_port} and {onlyoffice_port} "
        f"({error.strerror or error}); choose others with --perfex-port and --onlyoffice-port "
        "(0 picks any free port)."
    )


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


# --- crm-bridge sandbox edit ----------------------------------------------------------------


def edit_changes(args: argparse.Namespace) -> list[list[str]]:
    """The edits the command line asks for, in a fixed order."""
    changes: list[list[str]] = []
    if args.due_date is not None:
        changes.append(["due_date", args.due_date])
    for flag, name in (("quantity", "quantity"), ("price", "price"), ("add_line", "add_line")):
        changes += [[name, *values] for values in getattr(args, flag) or []]
    changes += [["remove_line", line] for line in args.remove_line or []]
    for flag, name in (("note", "note"), ("po", "po"), ("exchange_rate", "exchange_rate")):
        if getattr(args, flag) is not None:
            changes.append([name, getattr(args, flag)])
    if args.pay is not None:
        changes.append(["pay", args.pay])
    if args.status is not None:
        changes.append(["status", args.status])
    return changes


def edit_command(args: argparse.Namespace, out: Out = print, err: Out | None = None) -> int:
    err = err or (lambda line: print(line, file=sys.stderr))
    changes = edit_changes(args)
    if not changes:
        err("Nothing to change: add an edit such as --due-date 2027-01-31 or --quantity 1 3.")
        return EXIT_USAGE
    default = (
        credentials.DEFAULT_PERFEX_PORT
        if args.edit_side == "perfex"
        else credentials.DEFAULT_ONLYOFFICE_PORT
    )
    port = args.edit_port if args.edit_port is not None else default
    token = args.edit_admin_token or credentials.admin_token(args.edit_seed)
    status, answer = send_edit(port, token, args.edit_invoice, changes)
    if status is None:
        err(f"No sandbox answers on port {port}; start one with crm-bridge sandbox.")
        return EXIT_UNREACHABLE
    if status != 200:
        err(f"The sandbox refused the edit: {answer.get('error', status)}")
        return EXIT_UNREACHABLE if status == 401 else EXIT_REFUSED
    out(f"{args.edit_side} {answer['number']}: " + "; ".join(answer["done"]))
    return EXIT_OK


def send_edit(
    port: int, token: str, invoice: str, changes: list[list[str]], *, timeout: float = 10.0
) -> tuple[int | None, dict[str, object]]:
    """(HTTP status, JSON answer) from the admin endpoint; status None when unreachable."""
    body = json.dumps({"invoice": invoice, "changes": changes}).encode("utf-8")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{EDIT_PATH}",
        data=body,
        headers={ADMIN_HEADER: token, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (loopback)
            return answer.status, json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return error.code, _json_or_text(error.read())
    except (urllib.error.URLError, OSError):
        return None, {}


def _json_or_text(raw: bytes) -> dict[str, object]:
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"error": raw.decode("utf-8", "replace")[:200]}
    return parsed if isinstance(parsed, dict) else {"error": str(parsed)}
