"""Backfill throughput, Perfex → ONLYOFFICE: the `--backfill` scenario of `scenarios.py`.

Serves both simulators in this process, seeds N Perfex invoices, adds a fixed latency to every
answer, runs the real `crm-bridge backfill` as a child process and prints its CPU, peak memory,
wall time, invoices per second and requests per invoice against the floor a careful client needs.

    python3 bench/backfill.py --invoices 2000 --latency-ms 20 --concurrency 8
"""

from __future__ import annotations

import sys

import scenarios

if __name__ == "__main__":
    raise SystemExit(scenarios.main(["--backfill", *sys.argv[1:]]))
