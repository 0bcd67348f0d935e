"""The recent-runs table of `crm-bridge report` without a RUN_ID."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from rich.console import Console

from bridge.report import runs_table
from state.records import COUNT_KEYS, RunSummary

RUN = RunSummary(
    id=12,
    command="sync",
    direction="perfex_to_onlyoffice",
    dry_run=False,
    started_at=datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC),
    finished_at=datetime(2026, 11, 21, 10, 0, 4, tzinfo=UTC),
    status="ok",
    counts={**dict.fromkeys(COUNT_KEYS, 0), "created": 3, "unchanged": 40},
)


def render(runs: list[RunSummary]) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(runs_table(runs))
    return console.export_text()


def test_columns_are_the_run_fields_then_every_count() -> None:
    headers = [column.header for column in runs_table([RUN]).columns]
    fixed = ["id", "command", "direction", "dry", "started (UTC)", "duration", "status"]
    counts = [key.replace("_", " ") for key in COUNT_KEYS]
    assert headers == [*fixed, *counts]
    assert counts[-1] == "with warnings"


def test_one_row_per_run_with_its_values() -> None:
    running = replace(RUN, id=13, command="daemon", finished_at=None, status="running")
    lines = render([running, RUN]).splitlines()
    row_13 = next(line for line in lines if " 13 " in line)
    row_12 = next(line for line in lines if " 12 " in line)
    assert "daemon" in row_13 and "running" in row_13
    assert "2026-11-21 10:00" in row_12 and "4s" in row_12 and " 40 " in row_12
    assert lines.index(row_13) < lines.index(row_12)


def test_dry_run_is_marked() -> None:
    text = render([replace(RUN, id=0, dry_run=True)])
    assert " yes " in text


def test_markup_in_values_stays_literal() -> None:
    text = render([replace(RUN, command="[bold]sync[/bold]")])
    assert "[bold]sync[/bold]" in text


def test_no_runs_says_how_to_make_one() -> None:
    assert "No runs yet" in render([])


def test_an_interrupted_run_and_its_warnings_stand_out() -> None:
    run = replace(RUN, status="interrupted", counts={**RUN.counts, "with_warnings": 2})
    table = runs_table([run])
    status = table.columns[6]._cells[0]
    warned = table.columns[-1]._cells[0]
    assert (str(status), status.style) == ("interrupted", "red")
    assert (str(warned), warned.style) == ("2", "yellow")
