"""CPU the bridge's HTTP boundary spends per request: the adapters' reads against loopback.

Serves both simulators in this process with no added latency, then reads invoices by id through
the real adapters (`PerfexClient.get_invoice`, `OnlyofficeClient.get_invoice`, each over its own
`HttpClient`) from one client thread, and prints that thread's CPU time per request
(`time.thread_time`, so the simulators' threads are not counted): the median and the lowest of
`--rounds` rounds, since other processes on the machine disturb single rounds. `--profile` also
prints where that CPU goes (cProfile, cumulative). Nothing is asserted: it is a measuring tool.

    python3 bench/http_cpu.py --requests 2000
    python3 bench/http_cpu.py --requests 1000 --profile perfex
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import date

from bridge.http import HttpClient
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.seed import generate

TODAY = date(2026, 11, 21)
INVOICES = 200


def main() -> int:
    args = _arguments()
    sandbox = Sandbox(SandboxOptions(today=TODAY)).start()
    try:
        data = generate(seed=1, invoices=INVOICES, today=TODAY)
        sandbox.seed_perfex(data)
        sandbox.seed_onlyoffice(data)
        readers = _readers(sandbox)
        print(f"{args.rounds} rounds of {args.requests} reads per system, one client thread")
        print(f"{'system':<11} {'CPU µs/request':>24} {'wall µs/request':>24}")
        print(f"{'':<11} {'median':>12}{'lowest':>12} {'median':>12}{'lowest':>12}")
        for name, read in readers.items():
            read(1)  # connect and warm up outside the measurement
            rounds = [_measure(read, args.requests) for _ in range(args.rounds)]
            cpu = sorted(r[0] * 1e6 for r in rounds)
            wall = sorted(r[1] * 1e6 for r in rounds)
            print(
                f"{name:<11} {statistics.median(cpu):>12.0f}{cpu[0]:>12.0f} "
                f"{statistics.median(wall):>12.0f}{wall[0]:>12.0f}"
            )
        if args.profile:
            _profile(readers[args.profile], args.requests, args.top)
    finally:
        sandbox.stop()
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="reads per system and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--profile", choices=("perfex", "onlyoffice"), help="also print a cProfile of one system"
    )
    parser.add_argument("--top", type=int, default=25, help="profile rows to print")
    return parser.parse_args()


def _readers(sandbox: Sandbox) -> dict[str, Callable[[int], object]]:
    perfex = PerfexClient(HttpClient("perfex", sandbox.perfex_url), sandbox.perfex_token)
    onlyoffice = OnlyofficeClient(
        HttpClient("onlyoffice", sandbox.onlyoffice_url), token=sandbox.onlyoffice_token
    )
    return {
        "perfex": lambda i: perfex.get_invoice(1 + i % INVOICES),
        "onlyoffice": lambda i: onlyoffice.get_invoice(1 + i % INVOICES),
    }


def _measure(read: Callable[[int], object], requests: int) -> tuple[float, float]:
    """(CPU seconds of this thread, wall seconds) per request."""
    cpu, wall = time.thread_time(), time.perf_counter()
    for i in range(requests):
        read(i)
    return (time.thread_time() - cpu) / requests, (time.perf_counter() - wall) / requests


def _profile(read: Callable[[int], object], requests: int, top: int) -> None:
    profiler = cProfile.Profile(time.thread_time)  # this thread's CPU, not the servers'
    profiler.enable()
    for i in range(requests):
        read(i)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


if __name__ == "__main__":
    raise SystemExit(main())
