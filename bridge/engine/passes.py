"""What every pass shares around its own decisions: its options, and the hand-off of the
records that need work to the isolated pool of `workers`.

A pass is one of `to_onlyoffice`, `to_perfex` or `two_way`; `run` picks it by direction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bridge.engine.context import RunContext
from bridge.engine.workers import Record, run_isolated
from state.records import Outcome


@dataclass(frozen=True)
class PassOptions:
    since: date | None = None
    deep_pass: bool = False
    progress: Callable[[int], None] | None = None  # called with the number of records to do
    advance: Callable[[], None] | None = None  # called once per record done


def sync_isolated(
    ctx: RunContext,
    options: PassOptions,
    work: list[Record],
    sync: Callable[[Record], None],
    failed: Callable[[Record, BaseException, bool], Outcome],
) -> None:
    """Announces how many records need work, then runs `sync` on each, isolated, with as many
    workers as the less concurrent of the two systems allows (every record touches both)."""
    if options.progress:
        options.progress(len(work))
    settings = ctx.settings
    run_isolated(
        ctx,
        work,
        sync,
        failed,
        workers=min(settings.perfex_concurrency, settings.onlyoffice_concurrency),
        advance=options.advance,
    )
