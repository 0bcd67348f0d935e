"""Runs one stage of a window of pairs on a small thread pool, each pair isolated.

A pair's failure in a stage becomes its `failed` outcome (through the engine's `on_failure`)
and the others go on. Errors no other pair could survive either (credentials refused, a system
unreachable) set the stop flag: no new pair starts any stage, and the error ends the run once
the stages in flight are done. The same flag is how an interrupt (SIGINT, SIGTERM) stops a run:
a stage marked `after_stop` (the closing status moves, recording what was written) still runs
for the pairs that got that far, so nothing is left half done; other stages start nothing new.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from bridge.engine.context import RunContext
from bridge.engine.sides import Work
from bridge.errors import BridgeError, CredentialsRejected, Unreachable
from mappings.problems import MappingError

log = logging.getLogger(__name__)

RUN_ENDING = (CredentialsRejected, Unreachable)
OnFailure = Callable[[Work, BaseException, bool], None]


class Stages:
    def __init__(self, ctx: RunContext, workers: int, on_failure: OnFailure) -> None:
        self.ctx = ctx
        self.on_failure = on_failure
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sync")
        self._ending: BaseException | None = None

    def __enter__(self) -> Stages:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Abandoned pairs are not waited for: an interrupted run ends at once.
        self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
        if exc_type is None and self._ending is not None:
            raise self._ending

    def each(
        self,
        works: Sequence[Work],
        step: Callable[[Work], None],
        *,
        after_stop: bool = False,
        only: Callable[[Work], bool] | None = None,
    ) -> None:
        """`step(work)` for every live pair of the window, in parallel, isolated."""
        chosen = [w for w in works if not w.done and (only is None or only(w))]
        futures: list[Future[None]] = [
            self._pool.submit(self._guarded, step, work, after_stop) for work in chosen
        ]
        for future in futures:
            future.result()

    def once(
        self,
        works: Sequence[Work],
        step: Callable[[Sequence[Work]], None],
        *,
        after_stop: bool = False,
    ) -> None:
        """`step(works)` once for the live pairs (a batched request); a failure that escapes
        it fails each of them."""
        live = [work for work in works if not work.done]
        if not live or (self.ctx.stop.is_set() and not after_stop):
            return
        try:
            step(live)
        except RUN_ENDING as error:
            self._end(error)
        except (BridgeError, MappingError) as error:
            for work in live:
                self._fail(work, error, internal=False)
        except Exception as error:  # a bug must not take the other records down with it
            for work in live:
                self._fail(work, error, internal=True)

    def _guarded(self, step: Callable[[Work], None], work: Work, after_stop: bool) -> None:
        if work.done:
            return
        if self.ctx.stop.is_set() and not after_stop:
            work.done = True  # abandoned before it started this stage: safe to redo later
            return
        try:
            step(work)
        except RUN_ENDING as error:
            self._end(error)
            if work.wrote:
                self._fail(work, error, internal=False)
        except (BridgeError, MappingError) as error:
            self._fail(work, error, internal=False)
        except Exception as error:  # a bug must not take the other records down with it
            self._fail(work, error, internal=True)

    def _fail(self, work: Work, error: BaseException, *, internal: bool) -> None:
        if work.done:
            return
        try:
            self.on_failure(work, error, internal)
        finally:
            work.done = True

    def _end(self, error: BaseException) -> None:
        self.ctx.stop.set()  # no pair starts another stage
        if self._ending is None:
            self._ending = error
