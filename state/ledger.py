"""`Ledger`: the one object the rest of crm-bridge uses to read and write the SQLite ledger.

It owns the connection, transactions (`BEGIN IMMEDIATE`; a nested `transaction()` joins the
outer one), the translation of SQLite failures into `LedgerError`, and a thread lock so the
daemon's worker thread and the main thread never interleave statements. The storage rules live
beside it: `state.links`, `state.intents`, `state.journal`, `state.lock`; the schema in
`state.migrations`; opening files in `state.connection`. Outside a `transaction()` every
method commits before it returns, so a SIGKILL keeps everything journalled so far.

This module must not read the clock (callers pass `now`, timezone-aware), must not import
anything first-party outside `state/`, and never stores a secret.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database

from state import evidence, journal, lock, problems, retention, run_index
from state import intents as intent_table
from state import links as link_table
from state.connection import (
    DEFAULT_BUSY_TIMEOUT,
    MEMORY_NAME,
    open_file,
    open_memory,
    open_snapshot,
    translate_sqlite_errors,
    write_transaction,
)
from state.intents import Intent
from state.links import Link
from state.lock import DEFAULT_STALE_AFTER, LockHolder, pid_is_alive
from state.migrations import schema_version
from state.problems import Problem
from state.records import Outcome, RequestStats, RunRecord, RunSummary
from state.retention import Pruned

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guarded(
    method: Callable[Concatenate[Ledger, _P], _R],
) -> Callable[Concatenate[Ledger, _P], _R]:
    """Run a method under the ledger's thread lock, with SQLite errors made LedgerErrors."""

    @functools.wraps(method)
    def guarded(self: Ledger, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._mutex, translate_sqlite_errors(self._name):
            return method(self, *args, **kwargs)

    return guarded


class Ledger:
    """Links, create intents, the run journal, meta values and the single-runner lock."""

    def __init__(self, db: Database, *, name: str, read_only: bool) -> None:
        self._db = db
        self._name = name
        self._read_only = read_only
        self._mutex = threading.RLock()
        self._depth = 0
        self._lock_token: str | None = None

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> Ledger:
        """Open (creating the file and its folder if needed) and bring the schema up to date.

        Raises LedgerSchemaTooNew for a file from a newer crm-bridge, LedgerUnreadable for a
        file that is not a SQLite database or is damaged.
        """
        name = os.fspath(path)
        return cls(
            open_file(Path(name), display=name, busy_timeout=busy_timeout),
            name=name,
            read_only=False,
        )

    @classmethod
    def open_readonly(
        cls, path: str | os.PathLike[str], *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> Ledger:
        """A private in-memory copy of the file, for `--dry-run` and `report`.

        Never creates or writes the file (a missing file reads as an empty ledger). Writes are
        allowed and land in the copy only, so a dry run can journal its plan and render it;
        they vanish at `close()`. SQLite may leave its `-wal`/`-shm` side files next to a
        ledger that is in WAL mode; the ledger's content is untouched.
        """
        name = os.fspath(path)
        db = open_snapshot(Path(name), display=name, busy_timeout=busy_timeout)
        return cls(db, name=name, read_only=True)

    @classmethod
    def in_memory(cls) -> Ledger:
        """A fresh empty ledger that lives only as long as this object (for tests)."""
        return cls(open_memory(), name=MEMORY_NAME, read_only=False)

    @property
    def name(self) -> str:
        """The path this ledger was opened from, as given (":memory:" for `in_memory`)."""
        return self._name

    @property
    def read_only(self) -> bool:
        """True for `open_readonly`: nothing done here reaches the file."""
        return self._read_only

    @_guarded
    def schema_version(self) -> int:
        return schema_version(self._db)

    def close(self) -> None:
        """Release the lock if this ledger holds it, then close the connection."""
        with self._mutex:
            try:
                if self._lock_token is not None:
                    self.release_lock()
            finally:
                self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit: everything inside commits together or not at all.

        A nested `transaction()` joins the outer one (no savepoint): if an error escapes the
        outer block, the inner block's writes are undone with it.
        """
        with self._mutex:
            if self._depth > 0:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with translate_sqlite_errors(self._name), write_transaction(self._db):
                self._depth = 1
                try:
                    yield
                finally:
                    self._depth = 0

    # -- links ---------------------------------------------------------------------------

    @_guarded
    def link_for(self, kind: str, side: str, record_id: str) -> Link | None:
        """The link of record `record_id` on `side` ("perfex" or "onlyoffice"), if any."""
        return link_table.find_by_id(self._db, kind, side, record_id)

    @_guarded
    def link_by_key(self, kind: str, natural_key: str) -> Link | None:
        """The link with this natural key (the most recently saved if several share it)."""
        return link_table.find_by_key(self._db, kind, natural_key)

    @_guarded
    def links(self, kind: str) -> list[Link]:
        return link_table.all_of_kind(self._db, kind)

    @_guarded
    def count_links(self, kind: str) -> int:
        return link_table.count(self._db, kind)

    @_guarded
    def save_link(self, link: Link) -> None:
        """Store `link`, replacing any link of its kind that shares either of its ids."""
        with self.transaction():
            link_table.save(self._db, link)

    @_guarded
    def update_fingerprints(self, kind: str, side: str, record_id: str, **fields: Any) -> None:
        """Set some of perfex_fp, onlyoffice_fp, perfex_row_fp, onlyoffice_row_fp, synced_at.

        LookupError when the record has no link; ValueError for any other field name.
        """
        link_table.update_fingerprints(self._db, kind, side, record_id, fields)

    @_guarded
    def set_raw_digests(self, kind: str, digests: list[tuple[str, str | None, str | None]]) -> None:
        """Remember, for many links in one transaction, the raw rows' digests last seen:
        (Perfex id, Perfex row digest, ONLYOFFICE row digest)."""
        with self.transaction():
            link_table.set_raw_digests(self._db, kind, digests)

    @_guarded
    def delete_link(self, kind: str, side: str, record_id: str) -> None:
        link_table.delete(self._db, kind, side, record_id)

    # -- create intents ------------------------------------------------------------------

    @_guarded
    def open_intent(
        self, kind: str, target: str, natural_key: str, source: str, source_id: str, now: datetime
    ) -> int:
        """Journal a create before it is sent; returns the intent's id for `close_intent`."""
        with self.transaction():
            return intent_table.open_intent(
                self._db,
                kind=kind,
                target=target,
                natural_key=natural_key,
                source=source,
                source_id=source_id,
                now=now,
            )

    @_guarded
    def close_intent(self, intent_id: int) -> None:
        """Settle a create; call it in the same `transaction()` as the `save_link`."""
        intent_table.close_intent(self._db, intent_id)

    @_guarded
    def open_intents(self, target: str | None = None) -> list[Intent]:
        return intent_table.open_intents(self._db, target)

    # -- run journal ---------------------------------------------------------------------

    @_guarded
    def start_run(self, command: str, direction: str, dry_run: bool, now: datetime) -> int:
        """Journal a new run as `running`, first marking runs whose lock holder is gone
        `interrupted`."""
        with self.transaction():
            journal.mark_interrupted(self._db, current_lock_token=lock.current_token(self._db))
            return journal.start_run(
                self._db,
                command=command,
                direction=direction,
                dry_run=dry_run,
                now=now,
                lock_token=self._lock_token,
            )

    @_guarded
    def record_outcome(self, run_id: int, outcome: Outcome) -> None:
        """Journal one record's outcome; committed at once unless inside a `transaction()`."""
        journal.record_outcome(self._db, run_id, outcome)

    @_guarded
    def finish_run(
        self,
        run_id: int,
        status: str,
        now: datetime,
        message: str | None = None,
        unchanged: int | Mapping[str, int] = 0,
        requests: Mapping[str, RequestStats] | None = None,
    ) -> RunSummary:
        """Close a run as "ok", "partial", "failed" or "interrupted". Its counts are tallied
        from the outcomes, plus `unchanged` records that were counted without being itemised:
        a number of invoices, or a count per kind. `requests` is what the run asked of each
        system (`state.records.RequestStats`), stored with it."""
        return journal.finish_run(
            self._db,
            run_id,
            status=status,
            now=now,
            message=message,
            unchanged=unchanged,
            requests=requests,
        )

    @_guarded
    def runs(self, limit: int = 20) -> list[RunSummary]:
        """The latest runs, newest first."""
        return journal.recent_runs(self._db, limit)

    @_guarded
    def run(self, run_id: int | None = None) -> RunRecord | None:
        """One run with all its outcomes in journal order; None means the latest run."""
        return journal.run_record(self._db, run_id)

    @_guarded
    def failed_outcomes(self, run_id: int) -> list[Outcome]:
        """The run's outcomes with action "failed" or "conflict", in journal order."""
        return journal.failed_outcomes(self._db, run_id)

    @_guarded
    def latest_runs_by_command(self) -> list[RunSummary]:
        """The latest run of each command, newest first (for `status`)."""
        return run_index.latest_per_command(self._db)

    @_guarded
    def latest_run_with_status(
        self, *statuses: str, commands: Sequence[str] | None = None
    ) -> RunSummary | None:
        """The latest run that ended with one of `statuses`, of one of `commands` if given."""
        return run_index.latest_with_status(self._db, statuses, commands)

    # -- open problems -------------------------------------------------------------------

    @_guarded
    def note_problem(
        self,
        *,
        kind: str,
        side: str,
        record_id: str,
        number: str | None,
        action: str,
        reason: str | None,
        error: str | None,
        row_fp: str | None,
        now: datetime,
        next_try_at: datetime | None,
    ) -> Problem:
        """Record that a record failed or conflicted (again); see `state.problems`."""
        with self.transaction():
            return problems.note(
                self._db,
                kind=kind,
                side=side,
                record_id=record_id,
                number=number,
                action=action,
                reason=reason,
                error=error,
                row_fp=row_fp,
                now=now,
                next_try_at=next_try_at,
            )

    @_guarded
    def settle_problem(self, kind: str, side: str, record_id: str) -> bool:
        """The record is fine now; True when it had an open problem."""
        return problems.settle(self._db, kind, side, record_id)

    @_guarded
    def problem_for(self, kind: str, side: str, record_id: str) -> Problem | None:
        return problems.find(self._db, kind, side, record_id)

    @_guarded
    def open_problems(self) -> list[Problem]:
        return problems.all_open(self._db)

    @_guarded
    def mark_alerted(self, kind: str, side: str, record_id: str) -> None:
        problems.mark_alerted(self._db, kind, side, record_id)

    @_guarded
    def make_retries_due(self, now: datetime) -> int:
        """Every failed record is retried by the next run (`crm-bridge retry`)."""
        return problems.make_due(self._db, now)

    # -- line-tax evidence ---------------------------------------------------------------

    @_guarded
    def remember_line_taxes(self, taxes: dict[str, list[str]], now: datetime) -> None:
        """Description -> the "NAME|RATE" taxes its Perfex line is known to carry."""
        with self.transaction():
            evidence.remember(self._db, taxes, now)

    @_guarded
    def line_tax_history(self) -> dict[str, tuple[str, ...]]:
        return evidence.known(self._db)

    # -- retention (state.retention) ------------------------------------------------------

    @_guarded
    def prune_runs(self, before: datetime) -> Pruned:
        """Drop finished runs started before `before`, keeping the latest of each command."""
        with self.transaction():
            return retention.prune_runs(self._db, before=before)

    @_guarded
    def fold_quiet_run(self, run_id: int) -> int | None:
        """Merge the previous quiet daemon cycle into this quiet one; the merged id, or None."""
        with self.transaction():
            return retention.fold_quiet_run(self._db, run_id)

    @_guarded
    def probe_write(self) -> None:
        """Take the write lock, write, roll back: LedgerError unless the file is writable now."""
        try:
            with self.transaction():
                self._db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', 'probe')"
                )
                raise _ProbeDone
        except _ProbeDone:
            pass

    # -- meta ----------------------------------------------------------------------------

    @_guarded
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else row[0]

    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"meta values are strings, got {type(value).__name__}")
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # -- the single-runner lock ----------------------------------------------------------

    @_guarded
    def acquire_lock(
        self,
        command: str,
        now: datetime,
        pid: int | None = None,
        host: str | None = None,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        pid_alive: Callable[[int], bool] = pid_is_alive,
    ) -> LockHolder | None:
        """Become the ledger's one runner, or raise LedgerLocked naming the current holder.

        `pid` and `host` default to this process and this machine. Returns the holder whose
        dead or stale lock was taken over (worth a log line), None otherwise.
        """
        token = self._lock_token or lock.new_token()
        with self.transaction():
            taken_from = lock.acquire(
                self._db,
                path=self._name,
                token=token,
                command=command,
                now=now,
                pid=os.getpid() if pid is None else pid,
                host=socket.gethostname() if host is None else host,
                stale_after=stale_after,
                pid_alive=pid_alive,
            )
        self._lock_token = token
        return taken_from

    @_guarded
    def release_lock(self) -> None:
        """Give the lock up if this ledger holds it; a no-op otherwise."""
        if self._lock_token is not None:
            lock.release(self._db, self._lock_token)
            self._lock_token = None

    @_guarded
    def refresh_lock(self, now: datetime) -> None:
        """Heartbeat for long runs; LedgerLocked if another run has taken the lock over."""
        lock.refresh(self._db, path=self._name, token=self._lock_token, now=now)

    @property
    def holds_lock(self) -> bool:
        return self._lock_token is not None

    @_guarded
    def lock_holder(self) -> LockHolder | None:
        """Who holds the lock now, as recorded (for `check` and error reports)."""
        return lock.current_holder(self._db)


class _ProbeDone(Exception):
    """Ends `probe_write`'s transaction so that it rolls back."""
