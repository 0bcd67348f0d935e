"""The table of recent runs that `crm-bridge report` shows when no RUN_ID is given.

Owns the columns (id, command, direction, dry, started, duration, status, then every count) and
their styling.

Must not: print (the CLI owns the console), or let any value be read as rich markup: every cell
is a `Text`, so a stray `[bold]` stays literal.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from bridge.report.wording import (
    count_label,
    counts_in_order,
    direction_label,
    duration_label,
    short_time,
)
from state.records import COUNT_KEYS, RunSummary

_STATUS_STYLES = {
    "ok": "green",
    "partial": "yellow",
    "failed": "bold red",
    "interrupted": "red",
    "running": "cyan",
}
_COUNT_STYLES = {"failed": "red", "conflicts": "red", "with_warnings": "yellow"}


def runs_table(runs: Sequence[RunSummary]) -> Table:
    """One row per run, in the order given (the ledger hands them newest first)."""
    table = Table(title="Recent runs", title_justify="left", header_style="bold")
    for name in ("id", "command", "direction", "dry", "started (UTC)", "duration", "status"):
        table.add_column(name, justify="right" if name == "id" else "left", no_wrap=True)
    for key in COUNT_KEYS:
        table.add_column(count_label(key), justify="right")
    for run in runs:
        table.add_row(*_cells(run))
    if not runs:
        table.caption = "No runs yet: run crm-bridge sync or crm-bridge backfill."
    return table


def _cells(run: RunSummary) -> list[Text]:
    status = Text(run.status, style=_STATUS_STYLES.get(run.status, ""))
    fixed = [str(run.id) if run.id else "-", run.command, direction_label(run.direction)]
    fixed += ["yes" if run.dry_run else "", short_time(run.started_at), duration_label(run)]
    counts = [_count_cell(key, count) for key, count in counts_in_order(run)]
    return [*(Text(value) for value in fixed), status, *counts]


def _count_cell(key: str, count: int) -> Text:
    return Text(str(count), style=_COUNT_STYLES.get(key, "") if count else "")
