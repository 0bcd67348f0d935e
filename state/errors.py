"""The ledger's error tree: what went wrong with the SQLite ledger, named by what to do next.

    LedgerError                 the ledger could not be used (the CLI exits 5 on any of these)
    ├── LedgerLocked            another run holds the single-runner lock: wait, or stop it
    ├── LedgerSchemaTooNew      a newer crm-bridge wrote the file: upgrade, or use another file
    └── LedgerUnreadable        the file is not a SQLite database or is damaged: restore it

This module only declares the classes; the module that meets each situation builds the message,
always one plain sentence saying what happened and what to do next. It must not import anything
that touches SQLite, and no message may carry a secret (the ledger never stores one anyway).
Mistakes by the calling code (an unknown kind, a naive datetime) are `ValueError`/`TypeError`,
never a `LedgerError`, so they are not reported to the operator as a damaged ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from state.lock import LockHolder


class LedgerError(Exception):
    """The ledger at `path` could not be used; the message says what to do next."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class LedgerLocked(LedgerError):
    """Another run holds the single-runner lock (`holder`, when it is still known)."""

    def __init__(self, message: str, *, path: str, holder: LockHolder | None) -> None:
        super().__init__(message, path=path)
        self.holder = holder


class LedgerSchemaTooNew(LedgerError):
    """The file's schema (`found`) is newer than the one this code knows (`known`)."""

    def __init__(self, message: str, *, path: str, found: int, known: int) -> None:
        super().__init__(message, path=path)
        self.found = found
        self.known = known


class LedgerUnreadable(LedgerError):
    """The file is not a SQLite database, is damaged, or cannot be opened at all."""
