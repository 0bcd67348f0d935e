"""Progress display for long runs: a rich progress bar on stderr, quiet when not a terminal.

The engine knows nothing of displays; it calls the `Progress` hooks it is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from bridge.engine import Progress as EngineProgress


@contextmanager
def progress_bar(label: str) -> Iterator[EngineProgress]:
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=False,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield EngineProgress(
            start=lambda total: bar.update(task, total=total),
            advance=lambda: bar.advance(task),
        )
