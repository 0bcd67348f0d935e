"""Backfill throughput against the sandbox: invoices per second, requests per invoice, memory.

Serves both simulators in this process, seeded with N Perfex invoices and a fixed latency per
request, then runs the real `crm-bridge backfill` in a child process (so its memory is measured
alone) and prints the figures. Nothing is asserted: it is a measuring tool.

    python3 bench/backfill.py --invoices 2000 --latency-ms 20 --concurrency 8
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.seed import generate


def main() -> int:
    args = _arguments()
    today = date(2026, 11, 21)
    sandbox = Sandbox(SandboxOptions(today=today, latency_ms=args.latency_ms)).start()
    try:
        started = time.perf_counter()
        sandbox.seed_perfex(generate(seed=args.seed, invoices=args.invoices, today=today))
        seeded = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            config = _write_config(Path(folder), sandbox, args.concurrency)
            elapsed, code = _backfill(config, sandbox)
        _print_figures(args, sandbox, elapsed, seeded, code)
    finally:
        sandbox.stop()
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
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


def _backfill(config: Path, sandbox: Sandbox) -> tuple[float, int]:
    env = {
        **os.environ,
        "PERFEX_API_TOKEN": sandbox.perfex_token,
        "ONLYOFFICE_API_TOKEN": sandbox.onlyoffice_token,
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bridge", "--config", str(config), "backfill"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        print(result.stderr, file=sys.stderr)
    return elapsed, result.returncode


def _print_figures(
    args: argparse.Namespace, sandbox: Sandbox, elapsed: float, seeded: float, code: int
) -> None:
    mirrored = len(sandbox.onlyoffice_app.store.invoices)
    perfex = sandbox.perfex.request_log.entries()
    onlyoffice = sandbox.onlyoffice.request_log.entries()
    requests = len(perfex) + len(onlyoffice)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"invoices in Perfex        {args.invoices} (seeded in {seeded:.2f} s)")
    print(f"latency per request       {args.latency_ms:g} ms")
    print(f"concurrency               {args.concurrency}")
    print(f"backfill exit code        {code}")
    print(f"invoices mirrored         {mirrored}")
    print(f"wall time                 {elapsed:.1f} s")
    print(f"invoices per second       {mirrored / elapsed:.1f}")
    print(
        f"requests                  {requests} (Perfex {len(perfex)}, ONLYOFFICE {len(onlyoffice)})"
    )
    print(f"requests per invoice      {requests / max(mirrored, 1):.2f}")
    print(f"peak memory of the bridge {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    raise SystemExit(main())
