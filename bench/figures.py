"""What the bridge benchmarks print: a run's figures, the careful client's floor, a profile.

Reads what `harness.Bench.measure` gathered; starts nothing and imports no bridge module except
`mappings.status` (the ONLYOFFICE transition table, for the floor of status moves).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import ROOT, WRITES, Measured

# --- the careful client's floor ------------------------------------------------------------


@dataclass(frozen=True)
class Floor:
    """The fewest requests a careful client needs for what the run did, term by term."""

    terms: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.terms)

    def formula(self) -> str:
        return " + ".join(f"{count} {label}" for label, count in self.terms)


def perfex_list_pages(version: str, invoices: int) -> int:
    """Module 2.x answers the whole list at once; 3.x pages of 100."""
    return 1 if version == "2" else max(1, math.ceil(invoices / 100))


def onlyoffice_list_pages(invoices: int) -> int:
    """Pages of 1000 until a short one (an exact multiple needs one empty page more)."""
    return invoices // 1000 + 1


def status_moves(measured: Measured) -> int:
    """ONLYOFFICE status moves when every move of a run is batched: one request per distinct
    step (from, to) over all written invoices. A created invoice starts as a Draft; an updated
    one that was not a Draft is reopened (to Draft) before and moved back after."""
    from mappings.status import status_path

    draft = 1
    steps: set[tuple[int, int]] = set()
    for record in measured.written_invoices():
        if record.get("target") != "onlyoffice" or not record.get("target_id"):
            continue
        ident = int(record["target_id"])
        before = measured.onlyoffice_status_before.get(ident, draft)
        after = measured.onlyoffice_status_after.get(ident, draft)
        path = [before, *status_path(before, draft), *status_path(draft, after)]
        steps.update(zip(path, path[1:], strict=False))
    return len(steps)


# --- printing ------------------------------------------------------------------------------


def print_profile(path: Path, top: int) -> None:
    """Where a profiled run's CPU went: by area (package, or standard-library module), then the
    heaviest functions by their own CPU and by the CPU under them."""
    import pstats

    stats = pstats.Stats(str(path))
    areas: Counter[str] = Counter()
    for (filename, _, name), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        areas[_area(filename, name)] += own
    total = sum(areas.values()) or 1.0
    print(f"  profile of the bridge (all threads, CPU seconds under the profiler), from {path}")
    for area, seconds in areas.most_common(top):
        print(f"    {seconds:8.2f} {seconds / total:6.1%}  {area}")
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(top)


def _area(filename: str, name: str) -> str:
    """`bridge/engine`, `mappings`, `requests`, `email`...: where a profiled function lives."""
    if filename == "~":  # a built-in: named by what it is a method of
        return f"built-in {name.split(' of ')[-1].strip('<>')}" if " of " in name else "built-ins"
    path = Path(filename)
    if path.is_relative_to(ROOT):
        parts = path.relative_to(ROOT).with_suffix("").parts
        return "/".join(parts[:2]) if parts[0] == "bridge" else parts[0]  # bridge/http, mappings
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    package = path.parent.name  # the standard library: its package, or the module itself
    return path.stem if package.startswith("python3") or not package else package


def print_title(title: str) -> None:
    print(f"\n== {title} ==")


def print_figures(
    measured: Measured, count: int, per: str, floor: Floor, listed: int | None = None
) -> None:
    """The run's figures, per `count` invoices (`per` names them, e.g. "written invoice");
    `listed`, when given, adds the bridge's CPU per invoice the source lists."""
    run = measured.run
    base = max(count, 1)
    actions = ", ".join(f"{a} {n}" for a, n in sorted(measured.invoice_actions().items()))
    _line("command", f"crm-bridge {' '.join(run.args)}  (exit {run.exit_code})")
    _line("invoices in the report", actions or "none listed")
    _line("wall time", f"{run.wall:.2f} s, {count / run.wall:.1f} {per}s per second")
    _line("bridge CPU", f"{run.cpu:.2f} s (user {run.user:.2f} + sys {run.system:.2f})")
    _line(f"  per {per}", f"{run.cpu / base * 1000:.2f} ms ({count} {per}s)")
    if listed:
        _line("  per listed invoice", f"{run.cpu / listed * 1000:.3f} ms ({listed} listed)")
    _line(
        "bridge peak memory",
        f"{run.peak_kib / 1024:.0f} MiB (no run can show less than the launcher's "
        f"{run.launcher_peak_kib / 1024:.0f} MiB)",
    )
    _line("simulators' CPU", f"{measured.simulators_cpu:.2f} s (this process, for context)")
    _print_requests(measured, base, per)
    total = len(measured.perfex) + len(measured.onlyoffice)
    _line("floor", f"{floor.total} = {floor.formula()}")
    _line("requests / floor", f"{total / max(floor.total, 1):.2f}")
    _print_endpoints(measured)


def _print_requests(measured: Measured, base: int, per: str) -> None:
    print(f"  {'requests':<24}{'total':>8}{'reads':>8}{'writes':>8}   per {per}")
    rows = (("Perfex", measured.perfex), ("ONLYOFFICE", measured.onlyoffice))
    both = (*measured.perfex, *measured.onlyoffice)
    for name, entries in (*rows, ("both", both)):
        writes = sum(1 for e in entries if e.method in WRITES)
        total = len(entries)
        print(f"    {name:<22}{total:>8}{total - writes:>8}{writes:>8}   {total / base:.2f}")


def _print_endpoints(measured: Measured) -> None:
    print("  requests by endpoint")
    for name, entries in (("Perfex", measured.perfex), ("ONLYOFFICE", measured.onlyoffice)):
        for endpoint, count in _endpoints(entries).most_common():
            print(f"    {name:<11}{count:>7}  {endpoint}")


def _endpoints(entries: Iterable[Any]) -> Counter[str]:
    """Requests by method and path, with ids and statuses folded into `{}`."""
    return Counter(f"{e.method} {_endpoint(e.path)}" for e in entries)


def _endpoint(path: str) -> str:
    return _ID_SEGMENT.sub("/{}", _SEARCH_KEY.sub("/search/{}", path))


_SEARCH_KEY = re.compile(r"/search/[^/]+")
_ID_SEGMENT = re.compile(r"/(?!2\.0(?:/|$))[^/]*\d[^/]*(?=/|$)")  # any segment with a digit


def _line(label: str, value: str) -> None:
    print(f"  {label:<24}{value}")
