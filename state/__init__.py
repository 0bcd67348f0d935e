"""The SQLite ledger: links between the two systems' records, create intents, the run journal,
meta values and the single-runner lock.

The only package that touches SQLite; it imports nothing first-party outside `state/`.
Everything a caller needs is exported here.
"""

from state.errors import LedgerError, LedgerLocked, LedgerSchemaTooNew, LedgerUnreadable
from state.intents import Intent
from state.ledger import Ledger
from state.links import KINDS, SIDES, Link
from state.lock import LockHolder
from state.migrations import SCHEMA_VERSION
from state.problems import Problem
from state.records import (
    COUNT_KEYS,
    Outcome,
    RequestStats,
    RunRecord,
    RunSummary,
    SlowRequest,
    count_key,
)

__all__ = [
    "COUNT_KEYS",
    "KINDS",
    "SCHEMA_VERSION",
    "SIDES",
    "Intent",
    "Ledger",
    "LedgerError",
    "LedgerLocked",
    "LedgerSchemaTooNew",
    "LedgerUnreadable",
    "Link",
    "LockHolder",
    "Outcome",
    "Problem",
    "RequestStats",
    "RunRecord",
    "RunSummary",
    "SlowRequest",
    "count_key",
]
