"""Ctrl-C and SIGTERM during a one-off run: stop taking records, finish, report, exit 130/143.

The first signal asks the engine to start no new record; the records in flight finish (and the
closing status moves run), the report of what was done is printed and the run is journalled as
`interrupted`. A second signal abandons the records in flight: they are safe to redo, because
every create was journalled as an intent and every unfinished write marked pending.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from bridge.engine import SyncEngine

# Shell convention: 128 + the signal's number.
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
REASONS = {signal.SIGINT: "interrupted by Ctrl-C", signal.SIGTERM: "stopped by SIGTERM"}


@dataclass
class Interruption:
    signal: signal.Signals | None = None

    @property
    def exit_code(self) -> int | None:
        return EXIT_CODES.get(self.signal) if self.signal is not None else None


@contextmanager
def interruptible(engine: SyncEngine) -> Iterator[Interruption]:
    """Routes SIGINT and SIGTERM to `engine.interrupt` while the block runs."""
    state = Interruption()
    if threading.current_thread() is not threading.main_thread():
        yield state  # signals reach the main thread only; nothing to install here
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if state.signal is not None:
            raise KeyboardInterrupt  # the second one: abandon what is in flight
        state.signal = signal.Signals(signum)
        engine.interrupt(REASONS[state.signal])

    previous = {sig: signal.signal(sig, handle) for sig in EXIT_CODES}
    try:
        yield state
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
