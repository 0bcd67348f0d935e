"""How long `crm-bridge audit` takes over many invoices against the sandbox, and what it found.

Serves both simulators in this process, seeds Perfex with N invoices and backfills them into
ONLYOFFICE with no latency (that part is set-up, not measured); then sets the latency per
request and runs the real `crm-bridge audit` in a child process, which lists both sides and
reads every invoice in full. Prints the wall time, the requests it made, its peak memory and its
summary line, and for scale the same figures for a `crm-bridge sync` with nothing to do (which
lists both sides and reads nothing). Nothing is asserted: it is a measuring tool.

    python3 bench/audit.py --invoices 10000 --latency-ms 20
    python3 bench/audit.py --demo      # the demo's data and edits, then the audit's summary
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bridge.config import load_config
from bridge.demo import edit_some_invoices
from bridge.engine import RunRequest
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.seed import generate
from bridge.wiring import build_engine
from state import Ledger

TODAY = date(2026, 11, 21)


def main() -> int:
    args = _arguments()
    sandbox = Sandbox(SandboxOptions(today=TODAY)).start()
    try:
        if args.demo:  # what `crm-bridge demo` does: 24 invoices of seed 7, edited, synced
            args.invoices, args.seed = 24, 7
        sandbox.seed_perfex(generate(seed=args.seed, invoices=args.invoices, today=TODAY))
        with tempfile.TemporaryDirectory() as folder:
            config = _write_config(Path(folder), sandbox, args.concurrency)
            started = time.perf_counter()
            backfill = _backfill(config, sandbox, demo=args.demo)
            prepared = time.perf_counter() - started
            for server in (sandbox.perfex, sandbox.onlyoffice):
                server.latency_ms = args.latency_ms
                server.request_log.clear()
            sync = _child(config, sandbox, ["sync"])
            sync_requests = _requests(sandbox)
            report = Path(folder) / "audit.json"
            audit = _child(config, sandbox, ["audit", "--format", "json", "--output", str(report)])
            document = json.loads(report.read_text(encoding="utf-8"))
        _print_figures(args, sandbox, backfill, prepared, sync, sync_requests, audit, document)
    finally:
        sandbox.stop()
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demo", action="store_true", help="the demo's data and edits")
    return parser.parse_args()


def _write_config(folder: Path, sandbox: Sandbox, concurrency: int) -> Path:
    currencies = ", ".join(f"{k} = {v}" for k, v in sandbox.perfex_app.currency_ids.items())
    path = folder / "config.toml"
    path.write_text(
        f"""
[perfex]
url = "{sandbox.perfex_url}"
currencies = {{ {currencies} }}
concurrency = {concurrency}

[onlyoffice]
url = "{sandbox.onlyoffice_url}"
concurrency = {concurrency}

[sync]
ledger = "ledger.db"
""",
        encoding="utf-8",
    )
    return path


def _environ(sandbox: Sandbox) -> dict[str, str]:
    return {
        **os.environ,
        "PERFEX_API_TOKEN": sandbox.perfex_token,
        "ONLYOFFICE_API_TOKEN": sandbox.onlyoffice_token,
    }


def _backfill(config_path: Path, sandbox: Sandbox, *, demo: bool) -> str:
    """The set-up, in this process: a backfill (and for the demo, its edits and a sync)."""
    config = load_config(config_path, _environ(sandbox))
    with Ledger.open(config.ledger_path) as ledger:
        engine = build_engine(config, ledger)
        first = engine.run(RunRequest("backfill", "perfex_to_onlyoffice"))
        summary = f"backfill {first.run.status} {first.run.counts}"
        if demo:
            edit_some_invoices(sandbox, first, TODAY)
            second = engine.run(RunRequest("sync", "perfex_to_onlyoffice"))
            summary += f"; sync {second.run.status} {second.run.counts}"
    return summary


@dataclass(frozen=True)
class Child:
    seconds: float
    code: int
    peak_mib: float
    said: str


def _child(config: Path, sandbox: Sandbox, arguments: list[str]) -> Child:
    """One `crm-bridge` command in a child process: its wall time, exit code, own peak memory
    (reaped with wait4, so the figure is this child's alone) and last line of output. The
    simulators' request logs start empty for it."""
    for server in (sandbox.perfex, sandbox.onlyoffice):
        server.request_log.clear()
    command = [sys.executable, "-m", "bridge", "--config", str(config), *arguments]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=_environ(sandbox), stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().strip().splitlines()
        if code not in (0, 1):
            print(err.read(), file=sys.stderr)
    return Child(elapsed, code, usage.ru_maxrss / 1024, lines[-1] if lines else "")


def _requests(sandbox: Sandbox) -> tuple[int, int]:
    return len(sandbox.perfex.request_log.entries()), len(sandbox.onlyoffice.request_log.entries())


def _print_figures(
    args: argparse.Namespace,
    sandbox: Sandbox,
    backfill: str,
    prepared: float,
    sync: Child,
    sync_requests: tuple[int, int],
    audit: Child,
    document: dict,
) -> None:
    perfex, onlyoffice = _requests(sandbox)
    kinds: dict[str, int] = {}
    for difference in document["differences"]:
        kinds[difference["kind"]] = kinds.get(difference["kind"], 0) + 1
    print(f"invoices in Perfex        {args.invoices} (seed {args.seed})")
    print(f"set-up                    {backfill} in {prepared:.1f} s, no latency")
    print(f"latency per request       {args.latency_ms:g} ms")
    print(f"concurrency per system    {args.concurrency}")
    print(
        f"sync with nothing to do   {sync.seconds:.1f} s, {sum(sync_requests)} requests, "
        f"peak {sync.peak_mib:.0f} MiB, exit {sync.code}"
    )
    print(f"audit exit code           {audit.code}")
    print(f"audit wall time           {audit.seconds:.1f} s")
    total = perfex + onlyoffice
    print(f"requests                  {total} (Perfex {perfex}, ONLYOFFICE {onlyoffice})")
    print(f"peak memory of the audit  {audit.peak_mib:.0f} MiB")
    print(f"pairs compared, agree     {document['pairs']}, {document['agree']}")
    print(f"differences by kind       {kinds or 'none'}")
    print(f"unchecked                 {len(document['unchecked'])}")
    for currency, totals in document["totals"].items():
        perfex_side, onlyoffice_side = totals["perfex"], totals["onlyoffice"]
        print(
            f"totals {currency}                Perfex {perfex_side['count']} / "
            f"{perfex_side['sum']}, ONLYOFFICE {onlyoffice_side['count']} / "
            f"{onlyoffice_side['sum']}, difference {totals['difference']}"
        )
    print(f"audit says                {audit.said}")


if __name__ == "__main__":
    raise SystemExit(main())
