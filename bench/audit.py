"""How long `crm-bridge audit` takes over many invoices against the sandbox, and what it found.

Serves both simulators in this process, seeds Perfex with N invoices and backfills them into
ONLYOFFICE with no latency (that part is set-up, not measured); then sets the latency per
request and runs the real `crm-bridge audit` in a child process, which lists both sides and
reads every invoice in full. Prints the wall time, the requests it made and its summary line.
Nothing is asserted: it is a measuring tool.

    python3 bench/audit.py --invoices 10000 --latency-ms 20
    python3 bench/audit.py --demo      # the demo's data and edits, then the audit's summary
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
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
            report = Path(folder) / "audit.json"
            elapsed, code, text = _audit(config, sandbox, report)
            document = json.loads(report.read_text(encoding="utf-8"))
        _print_figures(args, sandbox, backfill, prepared, elapsed, code, text, document)
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


def _audit(config: Path, sandbox: Sandbox, report: Path) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "bridge", "--config", str(config), "audit"]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--format", "json", "--output", str(report)],
        env=_environ(sandbox),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        print(result.stderr, file=sys.stderr)
    return elapsed, result.returncode, result.stdout.strip()


def _print_figures(
    args: argparse.Namespace,
    sandbox: Sandbox,
    backfill: str,
    prepared: float,
    elapsed: float,
    code: int,
    text: str,
    document: dict,
) -> None:
    perfex = sandbox.perfex.request_log.entries()
    onlyoffice = sandbox.onlyoffice.request_log.entries()
    kinds: dict[str, int] = {}
    for difference in document["differences"]:
        kinds[difference["kind"]] = kinds.get(difference["kind"], 0) + 1
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"invoices in Perfex        {args.invoices} (seed {args.seed})")
    print(f"set-up                    {backfill} in {prepared:.1f} s, no latency")
    print(f"latency per request       {args.latency_ms:g} ms")
    print(f"concurrency per system    {args.concurrency}")
    print(f"audit exit code           {code}")
    print(f"audit wall time           {elapsed:.1f} s")
    print(
        f"requests                  {len(perfex) + len(onlyoffice)} "
        f"(Perfex {len(perfex)}, ONLYOFFICE {len(onlyoffice)})"
    )
    print(f"peak memory of the audit  {peak_kib / 1024:.0f} MiB")
    print(f"pairs compared, agree     {document['pairs']}, {document['agree']}")
    print(f"differences by kind       {kinds or 'none'}")
    print(f"unchecked                 {len(document['unchecked'])}")
    for code_, totals in document["totals"].items():
        perfex_side, onlyoffice_side = totals["perfex"], totals["onlyoffice"]
        print(
            f"totals {code_}                Perfex {perfex_side['count']} / {perfex_side['sum']}, "
            f"ONLYOFFICE {onlyoffice_side['count']} / {onlyoffice_side['sum']}, "
            f"difference {totals['difference']}"
        )
    print(f"audit says                {text}")


if __name__ == "__main__":
    raise SystemExit(main())
