"""HTML reports written to `[sync].report_dir`: one page per run, plus `latest.html`.

Owns the file names (`run-000123-sync.html`, so a folder listing sorts by run), writing a page
atomically (a browser that reloads `latest.html` never sees half a page), and removing the pages
of runs that were pruned from the ledger. The page itself is `bridge.report.report_html`.

Must not: decide which runs get a page (the callers do: no dry runs, no quiet daemon cycles), or
let a failure to write a page fail the run that produced it: the ledger holds the real record,
and `crm-bridge report` can render it again at any time.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from bridge.report import report_html
from state.records import RunRecord

log = logging.getLogger("bridge.reports")

LATEST = "latest.html"


def report_name(run_id: int, command: str) -> str:
    return f"run-{run_id:06d}-{command}.html"


def write_run_report(folder: Path, record: RunRecord) -> Path | None:
    """Write the run's page and `latest.html`; the page's path, or None if it failed (logged)."""
    page = report_html(record)
    path = folder / report_name(record.run.id, record.run.command)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, page)
        _write_atomically(folder / LATEST, page)
    except OSError as exc:
        log.warning(
            "the HTML report of run %d could not be written to %s (%s); "
            "`crm-bridge report %d --format html` renders it from the ledger",
            record.run.id,
            folder,
            exc.strerror,
            record.run.id,
        )
        return None
    return path


def remove_run_reports(folder: Path, run_ids: Iterable[int]) -> int:
    """Delete the pages of these runs; returns how many files went."""
    removed = 0
    for run_id in run_ids:
        for path in folder.glob(f"run-{run_id:06d}-*.html"):
            try:
                path.unlink()
                removed += 1
            except OSError as exc:
                log.warning("could not remove the old report %s (%s)", path, exc.strerror)
    return removed


def _write_atomically(path: Path, text: str) -> None:
    # A plain open (not mkstemp, which forces 0600) so the file gets the process umask, the
    # same permissions every other file of the service gets.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
