"""Prints how much of a realistic corpus a backfill carries, per direction.

    python3 bench/mirror_corpus.py --invoices 2000 --seed 1

For each direction a sandbox is seeded with the realistic mix (`bridge.sandbox.seed`: taxes that
differ per line, two-tax lines, fixed and percent discounts before and after tax, adjustments,
several currencies, drafts, payments, long texts), a backfill runs, and the invoices are
counted: written exactly, written with warnings (the target holds them as close as it can and
the record says what differs), not written (with the reasons). A second sync follows and its
writes are counted: it should make none. `both` seeds half the invoices on each side.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bridge.config import load_config  # noqa: E402
from bridge.engine import RunRequest  # noqa: E402
from bridge.sandbox import Sandbox, SandboxOptions  # noqa: E402
from bridge.sandbox.perfex_admin import PerfexAdmin  # noqa: E402
from bridge.sandbox.seed import SeedData, generate  # noqa: E402
from bridge.wiring import build_clients, build_engine  # noqa: E402
from state import Ledger  # noqa: E402

DIRECTIONS = ("perfex_to_onlyoffice", "onlyoffice_to_perfex", "both")
WRITTEN = ("created", "updated", "linked")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--direction", choices=DIRECTIONS, action="append")
    args = parser.parse_args()
    for direction in args.direction or DIRECTIONS:
        measure(direction, args.invoices, args.seed)


def measure(direction: str, invoices: int, seed: int) -> None:
    data = generate(seed=seed, invoices=invoices)
    with tempfile.TemporaryDirectory() as folder, Sandbox(SandboxOptions(today=data.today)) as box:
        seed_sides(box, data, direction)
        config_path = write_config(box, Path(folder), direction)
        config = load_config(config_path, environ(box))
        started = time.perf_counter()
        backfill = run(config, "backfill", direction)
        took = time.perf_counter() - started
        for server in (box.perfex, box.onlyoffice):
            server.request_log.clear()
        second = run(config, "sync", direction)
        writes = [e for s in (box.perfex, box.onlyoffice) for e in s.request_log.writes()]
    report(direction, invoices, backfill, second, len(writes), took)


def seed_sides(box: Sandbox, data: SeedData, direction: str) -> None:
    if direction == "perfex_to_onlyoffice":
        box.seed_perfex(data)
    elif direction == "onlyoffice_to_perfex":
        box.seed_onlyoffice(data)
    else:
        half = len(data.invoices) // 2
        box.seed_perfex(dataclasses.replace(data, invoices=data.invoices[:half]))
        box.seed_onlyoffice(dataclasses.replace(data, invoices=data.invoices[half:]))
    admin = PerfexAdmin(box.perfex_app)
    for code in data.currencies:  # the Perfex admin adds the books' currencies, as a person would
        admin.add_currency(code)


def environ(box: Sandbox) -> dict[str, str]:
    return {"PERFEX_API_TOKEN": box.perfex_token, "ONLYOFFICE_API_TOKEN": box.onlyoffice_token}


def write_config(box: Sandbox, folder: Path, direction: str) -> Path:
    currencies = ", ".join(f"{c} = {i}" for c, i in box.perfex_app.currency_ids.items())
    path = folder / "config.toml"
    path.write_text(
        f"""[perfex]
url = "{box.perfex_url}"
currencies = {{ {currencies} }}
concurrency = 8

[onlyoffice]
url = "{box.onlyoffice_url}"
concurrency = 8

[sync]
direction = "{direction}"
ledger = "ledger.db"
""",
        encoding="utf-8",
    )
    return path


def run(config, command: str, direction: str):  # type: ignore[no-untyped-def]
    ledger = Ledger.open(config.ledger_path)
    try:
        engine = build_engine(config, ledger, clients=build_clients(config, sleep=lambda s: None))
        return engine.run(RunRequest(command, direction))
    finally:
        ledger.close()


def report(direction, invoices, backfill, second, writes, took) -> None:  # type: ignore[no-untyped-def]
    outcomes = [o for o in backfill.outcomes if o.kind == "invoice"]
    exact = sum(1 for o in outcomes if o.action in WRITTEN and not o.warnings)
    warned = sum(1 for o in outcomes if o.action in WRITTEN and o.warnings)
    unwritten = [o for o in outcomes if o.action not in WRITTEN]
    total = exact + warned + len(unwritten)
    print(f"== {direction}: {invoices} invoices seeded, backfill {took:.1f} s ==")
    print(f"  written exactly        {exact:6d}  {100 * exact / total:5.1f} %")
    print(f"  written with warnings  {warned:6d}  {100 * warned / total:5.1f} %")
    print(f"  not written            {len(unwritten):6d}  {100 * len(unwritten) / total:5.1f} %")
    reasons = Counter(_reason(o) for o in unwritten)
    for reason, count in reasons.most_common():
        print(f"      {count:5d}  {reason}")
    fields = Counter(w.split(":", 1)[0] for o in outcomes for w in o.warnings)
    print("  warnings by field      " + ", ".join(f"{f} {n}" for f, n in fields.most_common()))
    print(f"  second sync: {writes} writes, status {second.run.status}")


def _reason(outcome) -> str:  # type: ignore[no-untyped-def]
    text = outcome.error or outcome.action
    return f"{outcome.action}: {text[:110]}"


if __name__ == "__main__":
    main()
