"""`crm-bridge sandbox`: both simulators on loopback, seeded, until Ctrl-C or SIGTERM.

Both sides are seeded from the same generated data, the way two systems look after someone kept
them in step by hand: a bridge pointed at the sandbox adopts the invoices it finds on both sides
instead of duplicating them.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import date

from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.seed import generate


def serve_sandbox(
    *,
    perfex_port: int = 0,
    onlyoffice_port: int = 0,
    invoices: int = 50,
    seed: int = 1,
    latency_ms: float = 0.0,
    fault_rate: float = 0.0,
    stop: threading.Event | None = None,
    out: Callable[[str], None] = print,
) -> int:
    options = SandboxOptions(
        perfex_port=perfex_port,
        onlyoffice_port=onlyoffice_port,
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        fault_seed=seed,
        today=date.today(),
    )
    sandbox = Sandbox(options)
    data = generate(seed=seed, invoices=invoices, today=options.today)
    sandbox.seed_perfex(data)
    sandbox.seed_onlyoffice(data)
    stop = stop or _stop_on_signals()
    with sandbox:
        for line in describe(sandbox, invoices, seed):
            out(line)
        stop.wait()
    out("Sandbox stopped.")
    return 0


def describe(sandbox: Sandbox, invoices: int, seed: int) -> list[str]:
    opts = sandbox.options
    faults = f", {opts.fault_rate:.0%} faults" if opts.fault_rate else ""
    latency = f", {opts.latency_ms:g} ms latency" if opts.latency_ms else ""
    return [
        f"crm-bridge sandbox: {invoices} invoices from seed {seed}{latency}{faults}",
        "",
        f"Perfex      {sandbox.perfex_url}/api/invoices",
        f"  token     {sandbox.perfex_token}",
        f"  try       curl -H 'authtoken: {sandbox.perfex_token}' "
        f"{sandbox.perfex_url}/api/invoices",
        f"ONLYOFFICE  {sandbox.onlyoffice_url}/api/2.0/crm/invoice/filter",
        f"  token     {sandbox.onlyoffice_token}",
        f"  login     {sandbox.onlyoffice_app.username} / {sandbox.onlyoffice_app.password}",
        f"  try       curl -H 'Authorization: {sandbox.onlyoffice_token}' "
        f"{sandbox.onlyoffice_url}/api/2.0/crm/invoice/filter",
        "",
        "Serving until Ctrl-C.",
    ]


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop
