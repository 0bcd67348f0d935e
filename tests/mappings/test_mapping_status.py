"""ONLYOFFICE status paths and the default status tables."""

from __future__ import annotations

import pytest

from mappings.settings import MappingSettings
from mappings.status import (
    ARCHIVED,
    DRAFT,
    PAID,
    REJECTED,
    SENT,
    StatusUnreachable,
    reopen_path,
    restore_path,
    status_path,
)


@pytest.mark.parametrize(
    ("current", "wanted", "path"),
    [
        pytest.param(DRAFT, DRAFT, (), id="same"),
        pytest.param(DRAFT, SENT, (SENT,), id="draft-sent"),
        pytest.param(DRAFT, PAID, (SENT, PAID), id="draft-paid"),
        pytest.param(DRAFT, REJECTED, (SENT, REJECTED), id="draft-rejected"),
        pytest.param(SENT, DRAFT, (REJECTED, DRAFT), id="sent-draft"),
        pytest.param(PAID, DRAFT, (SENT, REJECTED, DRAFT), id="paid-draft"),
        pytest.param(PAID, REJECTED, (SENT, REJECTED), id="paid-rejected"),
        pytest.param(REJECTED, PAID, (DRAFT, SENT, PAID), id="rejected-paid"),
        pytest.param(SENT, PAID, (PAID,), id="sent-paid"),
    ],
)
def test_status_path_is_shortest_allowed_sequence(current: int, wanted: int, path: tuple) -> None:
    assert status_path(current, wanted) == path


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        pytest.param(DRAFT, ARCHIVED, id="to-archived"),
        pytest.param(ARCHIVED, DRAFT, id="from-archived"),
        pytest.param(SENT, 9, id="unknown-status"),
    ],
)
def test_unreachable_status_raises_with_a_readable_message(current: int, wanted: int) -> None:
    with pytest.raises(StatusUnreachable, match="cannot move an invoice"):
        status_path(current, wanted)


@pytest.mark.parametrize(
    ("original", "reopen", "restore"),
    [
        pytest.param(DRAFT, (), (), id="draft-is-already-editable"),
        pytest.param(SENT, (REJECTED, DRAFT), (SENT,), id="sent"),
        pytest.param(PAID, (SENT, REJECTED, DRAFT), (SENT, PAID), id="paid"),
        pytest.param(REJECTED, (DRAFT,), (SENT, REJECTED), id="rejected"),
    ],
)
def test_reopen_then_restore(original: int, reopen: tuple, restore: tuple) -> None:
    assert reopen_path(original) == reopen
    assert restore_path(original) == restore


def test_default_tables() -> None:
    settings = MappingSettings()
    assert dict(settings.perfex_to_onlyoffice_status) == {
        1: SENT,
        2: PAID,
        3: SENT,
        4: SENT,
        5: REJECTED,
        6: DRAFT,
    }
    assert dict(settings.onlyoffice_to_perfex_status) == {
        DRAFT: 6,
        SENT: 1,
        REJECTED: 5,
        PAID: None,
        ARCHIVED: None,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"onlyoffice_to_perfex_status": {PAID: 2}}, "payments", id="fake-paid"),
        pytest.param({"onlyoffice_to_perfex_status": {SENT: 3}}, "payments", id="fake-partial"),
        pytest.param({"perfex_to_onlyoffice_status": {1: ARCHIVED}}, "cannot map", id="archived"),
        pytest.param({"perfex_to_onlyoffice_status": {7: SENT}}, "unknown", id="unknown-perfex"),
        pytest.param({"perfex_drafts": "always"}, "perfex_drafts", id="draft-policy"),
        pytest.param({"money_mismatch": "ignore"}, "money_mismatch", id="money-policy"),
        pytest.param({"uncertain_taxes": "guess"}, "uncertain_taxes", id="tax-policy"),
        pytest.param({"default_terms": " "}, "default_terms", id="empty-terms"),
    ],
)
def test_settings_refuse_unsafe_tables(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MappingSettings(**changes)


def test_exactness_policies_write_with_warnings_by_default() -> None:
    settings = MappingSettings()
    assert (settings.money_mismatch, settings.uncertain_taxes) == ("warn", "warn")
    strict = MappingSettings(money_mismatch="fail", uncertain_taxes="fail")
    assert (strict.money_mismatch, strict.uncertain_taxes) == ("fail", "fail")


def test_settings_normalise_currency_codes() -> None:
    settings = MappingSettings(perfex_currency_ids={" eur ": 1})
    assert dict(settings.perfex_currency_ids) == {"EUR": "1"}


def test_a_configured_table_overrides_single_entries() -> None:
    # TOML keys are always strings.
    settings = MappingSettings(perfex_to_onlyoffice_status={"5": "1"})
    assert settings.perfex_to_onlyoffice_status[5] == DRAFT
    assert settings.perfex_to_onlyoffice_status[1] == SENT
