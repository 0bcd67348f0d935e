"""How fast the simulators are: start-up time and `GET invoice by id` throughput over HTTP.

Later benchmarks of the bridge need to know the simulators are not their bottleneck. Each
simulator is seeded, started on loopback, and asked for invoices by id, first from one client
and then from several at once. Nothing is asserted: it prints figures.

    python3 bench/simulators.py --requests 2000 --clients 8
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import requests

from bridge.sandbox.onlyoffice import OnlyofficeSimulator
from bridge.sandbox.perfex import PerfexSimulator
from bridge.sandbox.seed import generate
from bridge.sandbox.server import SimulatorServer

TODAY = date(2026, 11, 21)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    data = generate(seed=1, invoices=args.invoices, today=TODAY)
    systems = {
        "Perfex": (lambda: PerfexSimulator(today=TODAY), "/api/invoices/{id}", "authtoken"),
        "ONLYOFFICE": (OnlyofficeSimulator, "/api/2.0/crm/invoice/{id}", "Authorization"),
    }
    for name, (build, path, header) in systems.items():
        _measure(name, build, path, header, data, args)
    return 0


def _measure(name, build: Callable, path: str, header: str, data, args) -> None:
    started = time.perf_counter()
    app = build()
    app.load(data)
    server = SimulatorServer(app, name=name).start()
    ready = time.perf_counter() - started
    try:
        headers = {header: app.token}
        urls = [
            server.base_url + path.format(id=1 + i % args.invoices) for i in range(args.requests)
        ]
        single = _throughput(urls, headers, clients=1)
        many = _throughput(urls, headers, clients=args.clients)
    finally:
        server.stop()
    print(f"{name:<11} start + seed {args.invoices} invoices: {ready * 1000:.0f} ms")
    print(f"{'':<11} GET invoice by id, 1 client:  {single:,.0f} requests/s")
    print(f"{'':<11} GET invoice by id, {args.clients} clients: {many:,.0f} requests/s")


def _throughput(urls: list[str], headers: dict[str, str], clients: int) -> float:
    def fetch(chunk: list[str]) -> None:
        with requests.Session() as session:
            for url in chunk:
                session.get(url, headers=headers, timeout=10).raise_for_status()

    chunks = [urls[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(fetch, chunks))
    return len(urls) / (time.perf_counter() - started)


if __name__ == "__main__":
    raise SystemExit(main())
