"""Opening the ledger's SQLite database, and turning SQLite's failures into ledger errors.

Three ways in: the file for a real run (created with its folder, WAL mode, migrated), a private
in-memory snapshot of the file for `--dry-run` and `report` (the file is read once through a
read-only connection and never created or written; later writes land in the copy and vanish
with it), and a fresh in-memory database for tests. This is the one boundary where
`sqlite3.Error` becomes `LedgerError`; it must not know about links, runs or locks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from state.errors import LedgerError, LedgerUnreadable
from state.migrations import apply_pending_steps, has_pending_steps, refuse_if_too_new

# Long enough for another run's short write transaction to finish, short enough that an
# operator is not left staring at a silent terminal.
DEFAULT_BUSY_TIMEOUT = 10.0
MEMORY_NAME = ":memory:"


def _connect(target: str, *, busy_timeout: float, uri: bool = False) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions, so BEGIN IMMEDIATE is ours to issue.
    # check_same_thread=False: the daemon's scheduler calls in from a worker thread; `Ledger`
    # serialises access with its own lock.
    return sqlite3.connect(
        target, timeout=busy_timeout, isolation_level=None, check_same_thread=False, uri=uri
    )


def open_file(path: Path, *, display: str, busy_timeout: float) -> Database:
    """The ledger file for a real run: created if missing, WAL mode, schema up to date."""
    with translate_sqlite_errors(display):
        _make_folder(path, display)
        db = Database(_connect(str(path), busy_timeout=busy_timeout))
        return _prepared(db, display, wal=True)


def open_snapshot(path: Path, *, display: str, busy_timeout: float) -> Database:
    """An in-memory copy of the file's current content; a missing file gives an empty ledger."""
    if not path.exists():
        return open_memory(display=display)
    with translate_sqlite_errors(display):
        source = _connect(f"{path.resolve().as_uri()}?mode=ro", busy_timeout=busy_timeout, uri=True)
        copy = _connect(MEMORY_NAME, busy_timeout=busy_timeout)
        try:
            source.backup(copy)  # one step: a consistent picture even while a sync writes
        except BaseException:
            copy.close()
            raise
        finally:
            source.close()
        # An older file is brought up to date in the copy only.
        return _prepared(Database(copy), display, wal=False)


def open_memory(*, display: str = MEMORY_NAME) -> Database:
    db = Database(_connect(MEMORY_NAME, busy_timeout=DEFAULT_BUSY_TIMEOUT))
    with translate_sqlite_errors(display):
        return _prepared(db, display, wal=False)


def _make_folder(path: Path, display: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(
            f"The folder for the ledger {display} could not be created ({exc.strerror}): "
            "create it yourself or point [sync].ledger at another file.",
            path=display,
        ) from None


def _prepared(db: Database, display: str, *, wal: bool) -> Database:
    """`db` set up and migrated, or closed if that fails."""
    try:
        if wal:
            # WAL lets `report` read while a sync writes; synchronous stays FULL (the default)
            # so an intent journalled before a create survives a power cut, not just a crash.
            db.execute("PRAGMA journal_mode=WAL")
        _migrate(db, display)
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: Database, display: str) -> None:
    db.execute("PRAGMA foreign_keys=ON")
    refuse_if_too_new(db, path=display)
    if not has_pending_steps(db):
        return
    # Two processes opening a fresh file at once: the second waits here, then finds the
    # steps applied and does nothing.
    with write_transaction(db):
        refuse_if_too_new(db, path=display)
        apply_pending_steps(db)


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One atomic unit that holds the write lock from its first statement.

    IMMEDIATE, not SQLite's default DEFERRED: a deferred transaction that reads and then writes
    fails at once with SQLITE_BUSY under WAL when another writer got in between, instead of
    waiting out the busy timeout.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        _rollback_quietly(db)
        raise
    try:
        db.execute("COMMIT")
    except BaseException:
        _rollback_quietly(db)
        raise


def _rollback_quietly(db: Database) -> None:
    try:
        db.rollback()
    except sqlite3.Error:
        pass  # the error that got us here is the one worth reporting


@contextmanager
def translate_sqlite_errors(display: str) -> Iterator[None]:
    """Turn SQLite's failures into LedgerError; bugs in our own SQL pass through unchanged."""
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise
    except sqlite3.DatabaseError as exc:
        raise ledger_error_for(exc, display) from exc


def ledger_error_for(exc: sqlite3.DatabaseError, display: str) -> LedgerError:
    """One plain sentence for the operator, chosen by SQLite's error code."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    if code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return LedgerUnreadable(
            f"The ledger {display} is not a readable crm-bridge ledger ({exc}): "
            "restore it from a backup or point [sync].ledger at another file.",
            path=display,
        )
    if code.startswith("SQLITE_CANTOPEN"):
        return LedgerUnreadable(
            f"The ledger {display} could not be opened ({exc}): check that the path names a "
            "file in a folder you may write to, or point [sync].ledger at another file.",
            path=display,
        )
    return LedgerError(f"The ledger {display} {_failure_advice(code, exc)}", path=display)


def _failure_advice(code: str, exc: sqlite3.DatabaseError) -> str:
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            "stayed busy for too long because another crm-bridge process is writing to it: "
            "try again when that process has finished."
        )
    if code.startswith("SQLITE_READONLY"):
        return f"cannot be written ({exc}): check the file's permissions and run again."
    if code.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return f"could not be written ({exc}): free disk space or check the disk, then run again."
    return f"could not be used ({exc}): check the file, or point [sync].ledger at another file."
