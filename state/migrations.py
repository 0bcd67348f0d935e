"""The ledger's schema, built by numbered migration steps, and the "too new" check.

Steps are registered with sqlite-utils' `Migrations` under one set name and are named
`NNNN_what`; the schema version of a file is the highest step number applied to it. A file that
carries a step this code does not know was written by a newer crm-bridge: it is refused rather
than read, because its tables may mean something this code would misread. Steps only ever add;
never edit or renumber a released one. This module must not open files or decide when to
migrate (`state.connection` does): it only knows what the schema is.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from state.errors import LedgerSchemaTooNew

MIGRATION_SET = "crm_bridge_ledger"
ledger_migrations = Migrations(MIGRATION_SET)
KNOWN_STEPS: list[str] = []


Step = Callable[[Database], None]


def _step(name: str) -> Callable[[Step], Step]:
    """Register a numbered step with sqlite-utils and remember its name as known."""
    KNOWN_STEPS.append(name)
    return ledger_migrations(name=name)


@_step("0001_initial")
def _initial(db: Database) -> None:
    _create_links(db)
    _create_intents(db)
    _create_journal(db)
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    # One row at most (name = 'runner'): the single-runner lock.
    db["runner_lock"].create(
        {
            "name": str,
            "token": str,
            "pid": int,
            "host": str,
            "command": str,
            "acquired_at": str,
            "heartbeat_at": str,
        },
        pk="name",
        not_null={"token", "pid", "host", "command", "acquired_at", "heartbeat_at"},
    )


def _create_links(db: Database) -> None:
    links = db["links"].create(
        {
            "id": int,
            "kind": str,
            "perfex_id": str,
            "onlyoffice_id": str,
            "natural_key": str,
            "perfex_fp": str,
            "onlyoffice_fp": str,
            "perfex_row_fp": str,
            "onlyoffice_row_fp": str,
            "synced_at": str,
        },
        pk="id",
        not_null={"kind", "perfex_id", "onlyoffice_id", "natural_key"},
    )
    links.create_index(["kind", "perfex_id"], unique=True)
    links.create_index(["kind", "onlyoffice_id"], unique=True)
    # Not unique: Perfex numbers repeat across years, so a display number may too.
    links.create_index(["kind", "natural_key"])


def _create_intents(db: Database) -> None:
    intents = db["intents"].create(
        {
            "id": int,
            "kind": str,
            "target": str,
            "natural_key": str,
            "source": str,
            "source_id": str,
            "started_at": str,
        },
        pk="id",
        not_null={"kind", "target", "natural_key", "source", "source_id", "started_at"},
    )
    intents.create_index(["target"])


def _create_journal(db: Database) -> None:
    db["runs"].create(
        {
            "id": int,
            "command": str,
            "direction": str,
            "dry_run": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "message": str,
            "lock_token": str,
            # Unchanged records are counted but not itemised: a daemon cycle over thousands of
            # untouched invoices would otherwise add thousands of rows every few minutes.
            "unchanged_count": int,
        },
        pk="id",
        not_null={"command", "direction", "dry_run", "started_at", "status"},
        defaults={"unchanged_count": 0},
    )
    outcomes = db["outcomes"].create(
        {
            "id": int,
            "run_id": int,
            "kind": str,
            "source": str,
            "source_id": str,
            "target": str,
            "target_id": str,
            "number": str,
            "action": str,
            "changes": str,
            "error": str,
        },
        pk="id",
        not_null={"run_id", "kind", "source", "source_id", "target", "action", "changes"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    outcomes.create_index(["run_id", "action"])


@_step("0002_outcome_warnings_details")
def _warnings_and_details(db: Database) -> None:
    """Outcomes gain their warnings and details, runs their unchanged counts per kind, and the
    status `interrupted` takes over from what older versions wrote for a run that never ended."""
    db["outcomes"].add_column("warnings", str, not_null_default="[]")  # a JSON list of strings
    db["outcomes"].add_column("details", str, not_null_default="{}")  # a JSON object
    # A JSON object kind -> count; what unchanged_count holds beyond it is invoices.
    db["runs"].add_column("unchanged_by_kind", str, not_null_default="{}")
    db.execute(
        "UPDATE runs SET status = 'interrupted'"
        " WHERE status = 'failed' AND message = 'the run was interrupted'"
    )


@_step("0003_sync_memory")
def _sync_memory(db: Database) -> None:
    """What the engine remembers between runs besides the links' fingerprints."""
    # Per link: small JSON facts about the pair (a contact's billing address id, the taxes the
    # bridge wrote on Perfex lines, an accepted difference) and when the deep pass last
    # compared it.
    db["links"].add_column("extra", str)
    db["links"].add_column("checked_at", str)
    # Records that failed or conflicted and are not settled yet: carried from run to run so
    # `status` can show them, retries follow a schedule and alerts go out once.
    db["problems"].create(
        {
            "kind": str,
            "side": str,
            "record_id": str,
            "number": str,
            "action": str,
            "reason": str,
            "error": str,
            "first_seen": str,
            "last_seen": str,
            "attempts": int,
            "next_try_at": str,
            "row_fp": str,
            "alerted": int,
        },
        pk=("kind", "side", "record_id"),
        not_null={"kind", "side", "record_id", "action", "first_seen", "last_seen"},
        defaults={"attempts": 0, "alerted": 0},
    )
    # The taxes each line description was last known to carry in Perfex, whose API never
    # returns line taxes: evidence for reading later invoices.
    db["line_taxes"].create(
        {"description": str, "taxes": str, "seen_at": str},
        pk="description",
        not_null={"taxes", "seen_at"},
    )


@_step("0004_run_requests")
def _run_requests(db: Database) -> None:
    """Runs gain what they asked of each system: requests, retries and why, give-ups and the
    slowest requests (a JSON object per system, `state.codec.requests_to_text`)."""
    db["runs"].add_column("requests", str, not_null_default="{}")


@_step("0005_raw_row_digests")
def _raw_row_digests(db: Database) -> None:
    """Per link, a cheap hash of each side's raw list row as last seen: a pair whose raw rows
    have not moved is unchanged without parsing them."""
    db["links"].add_column("perfex_raw_fp", str)
    db["links"].add_column("onlyoffice_raw_fp", str)


def _step_number(name: str) -> int:
    digits = name.split("_", 1)[0]
    return int(digits) if digits.isdigit() else 0


SCHEMA_VERSION = max(_step_number(name) for name in KNOWN_STEPS)


def schema_version(db: Database) -> int:
    """The highest step applied to `db` (0 for a fresh file)."""
    return max((_step_number(m.name) for m in ledger_migrations.applied(db)), default=0)


def refuse_if_too_new(db: Database, *, path: str) -> None:
    """Raise LedgerSchemaTooNew when `db` carries a step this code does not know."""
    unknown = [m.name for m in ledger_migrations.applied(db) if m.name not in KNOWN_STEPS]
    if not unknown:
        return
    found = max(schema_version(db), SCHEMA_VERSION + 1)
    raise LedgerSchemaTooNew(
        f"The ledger {path} was written by a newer crm-bridge (schema {found}, this version "
        f"knows {SCHEMA_VERSION}): upgrade crm-bridge or point [sync].ledger at another file.",
        path=path,
        found=found,
        known=SCHEMA_VERSION,
    )


def has_pending_steps(db: Database) -> bool:
    return bool(ledger_migrations.pending(db))


def apply_pending_steps(db: Database) -> None:
    """Apply what is missing; the caller holds a write transaction so two openers serialise."""
    ledger_migrations.apply(db)
