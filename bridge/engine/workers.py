"""Runs one piece of work per record on a small thread pool, each record isolated.

A record's failure becomes its `failed` outcome and the others go on. Errors that no other
record could survive either (credentials refused, a system unreachable) stop the pool: the
workers finish the record in hand, start no new one, and the error ends the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bridge.engine.context import RunContext
from bridge.errors import BridgeError, CredentialsRejected, Unreachable
from mappings.problems import MappingError
from state.records import Outcome

log = logging.getLogger(__name__)

RUN_ENDING = (CredentialsRejected, Unreachable)
Record = TypeVar("Record")


def run_isolated(
    ctx: RunContext,
    records: Iterable[Record],
    work: Callable[[Record], None],
    failed: Callable[[Record, BaseException, bool], Outcome],
    *,
    workers: int,
    advance: Callable[[], None] | None = None,
) -> None:
    """Calls `work(record)` for each record; `failed(record, error, internal)` describes a
    failure as its outcome."""

    def guarded(record: Record) -> None:
        if ctx.stop.is_set():
            return
        try:
            work(record)
        except RUN_ENDING:
            ctx.stop.set()  # the other workers stop before their next record
            raise
        except (BridgeError, MappingError) as error:
            ctx.record(failed(record, error, False))
        except Exception as error:  # a bug must not take the other records down with it
            log.exception("internal error while syncing %r", record)
            ctx.record(failed(record, error, True))
        finally:
            if advance:
                advance()

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sync") as pool:
        futures = [pool.submit(guarded, record) for record in records]
        for future in futures:
            future.result()  # re-raises a run-ending error once the pool has drained
