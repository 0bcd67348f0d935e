"""Create intents: journalled before a create, closed with its link, kept across a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from state import Intent, Ledger, Link

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def open_create(ledger: Ledger, number: str = "INV-001042", now: datetime = T0) -> int:
    return ledger.open_intent("invoice", "onlyoffice", number, "perfex", "58", now)


def test_an_open_intent_is_listed_with_what_was_about_to_be_created() -> None:
    ledger = Ledger.in_memory()
    intent_id = open_create(ledger)

    assert ledger.open_intents() == [
        Intent(intent_id, "invoice", "onlyoffice", "INV-001042", "perfex", "58", T0)
    ]


def test_closing_an_intent_with_its_link_leaves_nothing_open() -> None:
    ledger = Ledger.in_memory()
    intent_id = open_create(ledger)

    with ledger.transaction():
        ledger.save_link(Link("invoice", "58", "42", "INV-001042"))
        ledger.close_intent(intent_id)
    ledger.close_intent(intent_id)  # settling twice is harmless

    assert ledger.open_intents() == []
    assert ledger.link_for("invoice", "perfex", "58") is not None


def test_a_failure_while_storing_the_link_keeps_the_intent_open() -> None:
    ledger = Ledger.in_memory()
    intent_id = open_create(ledger)

    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.save_link(Link("invoice", "58", "42", "INV-001042"))
        ledger.close_intent(intent_id)
        raise RuntimeError("the read-back failed")

    assert [intent.id for intent in ledger.open_intents()] == [intent_id]
    assert ledger.link_for("invoice", "perfex", "58") is None


def test_a_crash_after_journalling_leaves_the_intent_for_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    first = Ledger.open(path)
    open_create(first)
    first.close()  # the process dies before the create's answer arrives

    second = Ledger.open(path)
    (intent,) = second.open_intents()
    assert (intent.target, intent.natural_key, intent.started_at) == (
        "onlyoffice",
        "INV-001042",
        T0,
    )
    second.close()


def test_open_intents_can_be_narrowed_to_one_target_oldest_first() -> None:
    ledger = Ledger.in_memory()
    ledger.open_intent("contact", "perfex", "Acme Ltd", "onlyoffice", "9", T0)
    late = open_create(ledger, "INV-2", T0 + timedelta(minutes=2))
    early = open_create(ledger, "INV-1", T0 + timedelta(minutes=1))

    assert [intent.id for intent in ledger.open_intents("onlyoffice")] == [early, late]
    assert [intent.kind for intent in ledger.open_intents("perfex")] == ["contact"]
    assert len(ledger.open_intents()) == 3


def test_journalling_the_same_create_again_keeps_its_first_start_time() -> None:
    ledger = Ledger.in_memory()
    first = open_create(ledger, now=T0)
    again = open_create(ledger, now=T0 + timedelta(hours=1))

    assert again == first
    assert [intent.started_at for intent in ledger.open_intents()] == [T0]


def test_an_intent_for_an_unknown_system_is_refused() -> None:
    ledger = Ledger.in_memory()
    with pytest.raises(ValueError, match="unknown side"):
        ledger.open_intent("invoice", "xero", "INV-1", "perfex", "58", T0)
    assert ledger.open_intents() == []
