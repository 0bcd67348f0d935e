"""Opening ledger files: creation, WAL, migrations, read-only snapshots, refusals, meta."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from state import SCHEMA_VERSION, Ledger, LedgerSchemaTooNew, LedgerUnreadable, Link

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def applied_steps(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id"
        ).fetchall()


def add_future_step(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('crm_bridge_ledger', '0099_future_tables', '2030-01-01')"
    )
    conn.commit()
    conn.close()


def test_open_creates_the_folder_and_a_wal_mode_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "nested" / "ledger.db"

    Ledger.open(path).close()

    assert path.is_file()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reopening_applies_no_step_twice_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    first = Ledger.open(path)
    first.save_link(Link("invoice", "58", "42", "INV-58"))
    first.close()
    steps = applied_steps(path)

    second = Ledger.open(path)

    assert applied_steps(path) == steps
    assert second.schema_version() == SCHEMA_VERSION
    assert second.count_links("invoice") == 1
    second.close()


def test_a_file_from_a_newer_crm_bridge_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger.open(path).close()
    add_future_step(path)

    with pytest.raises(LedgerSchemaTooNew) as refused:
        Ledger.open(path)

    assert str(refused.value) == (
        f"The ledger {path} was written by a newer crm-bridge (schema 99, this version knows "
        f"{SCHEMA_VERSION}): upgrade crm-bridge or point [sync].ledger at another file."
    )
    assert (refused.value.found, refused.value.known) == (99, SCHEMA_VERSION)
    with pytest.raises(LedgerSchemaTooNew):
        Ledger.open_readonly(path)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_text("[sync]\nledger = 'oops, this is the config'\n" * 100)
    before = path.read_bytes()

    with pytest.raises(LedgerUnreadable, match="is not a readable crm-bridge ledger") as refused:
        Ledger.open(path)
    with pytest.raises(LedgerUnreadable):
        Ledger.open_readonly(path)

    assert str(path) in str(refused.value)
    assert "restore it from a backup" in str(refused.value)
    assert path.read_bytes() == before


def test_a_folder_where_the_file_should_be_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LedgerUnreadable, match="could not be opened"):
        Ledger.open(tmp_path)


def test_read_only_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.db"

    ledger = Ledger.open_readonly(path)
    run_id = ledger.start_run("sync", "both", True, T0)  # a dry run may journal its plan
    ledger.save_link(Link("invoice", "58", "42", "INV-58"))
    assert ledger.run(run_id).run.dry_run is True
    ledger.close()

    assert not path.parent.exists()


def test_read_only_open_reads_the_file_and_never_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    writer = Ledger.open(path)
    writer.save_link(Link("invoice", "58", "42", "INV-58"))
    writer.close()
    before = path.read_bytes()

    reader = Ledger.open_readonly(path)
    assert reader.read_only and reader.count_links("invoice") == 1
    reader.save_link(Link("invoice", "59", "43", "INV-59"))
    reader.set_meta("last_deep_pass", "2026-11-21")
    reader.close()

    assert path.read_bytes() == before
    again = Ledger.open(path)
    assert again.count_links("invoice") == 1 and again.get_meta("last_deep_pass") is None
    again.close()


def test_a_reader_is_not_blocked_by_a_writer_mid_transaction(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    writer = Ledger.open(path)
    writer.save_link(Link("invoice", "58", "42", "INV-58"))

    with writer.transaction():
        writer.save_link(Link("invoice", "59", "43", "INV-59"))
        reader = Ledger.open_readonly(path, busy_timeout=0.05)
        assert reader.count_links("invoice") == 1  # sees the last committed state
        reader.close()

    writer.close()


def test_a_transaction_is_all_or_nothing_and_nested_ones_join_it() -> None:
    ledger = Ledger.in_memory()

    with pytest.raises(KeyError), ledger.transaction():
        ledger.save_link(Link("invoice", "58", "42", "INV-58"))
        with ledger.transaction():
            ledger.save_link(Link("invoice", "59", "43", "INV-59"))
        ledger.set_meta("after_inner", "yes")
        raise KeyError("the write failed later on")

    assert ledger.count_links("invoice") == 0
    assert ledger.get_meta("after_inner") is None


def test_meta_values_are_stored_and_overwritten() -> None:
    ledger = Ledger.in_memory()
    assert ledger.get_meta("onlyoffice_version") is None

    ledger.set_meta("onlyoffice_version", "12.5")
    ledger.set_meta("onlyoffice_version", "12.6")

    assert ledger.get_meta("onlyoffice_version") == "12.6"


def test_ledgers_in_memory_are_independent() -> None:
    first, second = Ledger.in_memory(), Ledger.in_memory()
    first.save_link(Link("invoice", "58", "42", "INV-58"))

    assert second.count_links("invoice") == 0
