"""What an operator reads when the configuration file is wrong: one sentence naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.config import config_from_dict, load_config
from bridge.errors import ConfigError

BASE: dict[str, Any] = {
    "perfex": {"url": "https://crm.example.com"},
    "onlyoffice": {"url": "https://office.example.com"},
}


def with_keys(section: str, **keys: Any) -> dict[str, Any]:
    data = {name: dict(values) for name, values in BASE.items()}
    data.setdefault(section, {}).update(keys)
    return data


def error_for(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data, base_dir=Path("/srv"), environ={}, source="config.toml")
    message = str(caught.value)
    assert "\n" not in message and "validation error" not in message.lower()
    return message


@pytest.mark.parametrize(
    ("section", "key", "suggestion"),
    [
        ("sync", "intervall", "interval"),
        ("perfex", "tokn_env", "token_env"),
        ("onlyoffice", "languge", "language"),
        ("mapping", "number_fromat", "number_format"),
    ],
)
def test_unknown_key_is_named_with_a_suggestion(section: str, key: str, suggestion: str) -> None:
    message = error_for(with_keys(section, **{key: 1}))
    assert message == f"config.toml: unknown key [{section}].{key}; did you mean {suggestion}?"


def test_unknown_section_is_named_with_a_suggestion() -> None:
    message = error_for({**BASE, "snyc": {}})
    assert message == "config.toml: unknown section [snyc]; did you mean [sync]?"


def test_unknown_key_without_a_close_match_says_to_remove_it() -> None:
    message = error_for(with_keys("sync", colour="blue"))
    assert "unknown key [sync].colour; remove it" in message


def test_unknown_key_never_echoes_its_value() -> None:
    message = error_for(with_keys("onlyoffice", password="hunter2-secret"))
    assert "[onlyoffice].password" in message and "password_env" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("sync", "direction", "both_ways", "[sync].direction must be 'perfex_to_onlyoffice'"),
        ("sync", "direction", "perfex_to_onlyofice", "did you mean perfex_to_onlyoffice?"),
        ("sync", "conflict_policy", "newest_wins", "[sync].conflict_policy must be 'report'"),
        ("sync", "locked_invoices", "force", "[sync].locked_invoices must be 'reopen'"),
        ("sync", "perfex_drafts", "always", "[sync].perfex_drafts must be 'sync' or 'skip'"),
        ("sync", "on_mirror_edit", "ignore", "[sync].on_mirror_edit must be 'restore' or 'report'"),
        ("sync", "deep_pass_budget", 0, "[sync].deep_pass_budget must be greater than or equal"),
        ("sync", "retry_backoff_max", -1, "[sync].retry_backoff_max must be greater than or"),
        ("sync", "keep_runs_days", 0, "[sync].keep_runs_days must be greater than or equal to 1"),
        ("mapping", "money_mismatch", "ignore", "[mapping].money_mismatch must be 'fail'"),
        ("mapping", "uncertain_taxes", "guess", "[mapping].uncertain_taxes must be 'warn'"),
        ("perfex", "use_env_proxies", "maybe", "[perfex].use_env_proxies must be a valid boolean"),
        ("log", "format", "xml", "[log].format must be 'text' or 'json'"),
        ("log", "level", "loud", "[log].level must be 'debug', 'info', 'warning' or 'error'"),
        ("log", "file", " ", "[log].file is empty; remove it to log to stderr"),
        ("alerts", "webhook", "hooks.example.com", "[alerts].webhook must be an http:// or"),
        ("perfex", "version", "4", "[perfex].version must be 'auto', '2' or '3'"),
        ("sync", "interval", 5, "[sync].interval must be greater than or equal to 10"),
        ("sync", "interval", "often", "[sync].interval must be a valid integer"),
        ("sync", "deep_pass_every", -1, "[sync].deep_pass_every must be greater than or equal"),
        ("perfex", "timeout", 0, "[perfex].timeout must be greater than 0"),
        ("onlyoffice", "max_attempts", 0, "[onlyoffice].max_attempts must be greater than or"),
        ("onlyoffice", "concurrency", 0, "[onlyoffice].concurrency must be greater than or"),
        ("perfex", "rate_limit", -0.5, "[perfex].rate_limit must be greater than or equal to 0"),
        ("mapping", "default_due_days", -3, "[mapping].default_due_days must be greater"),
        ("mapping", "default_terms", "  ", "ONLYOFFICE requires terms"),
        ("onlyoffice", "language", "english", "[onlyoffice].language must be a culture name"),
        ("perfex", "payment_modes", [], "[perfex].payment_modes must be a non-empty list"),
        ("perfex", "currencies", {"euro": 1}, "[perfex].currencies has the key 'euro'"),
        ("perfex", "currencies", {"EUR": "one"}, "[perfex].currencies maps EUR to something"),
        ("perfex", "default_billing_street", " ", "Perfex refuses an invoice without a billing"),
    ],
)
def test_bad_value_names_the_key(section: str, key: str, value: Any, expected: str) -> None:
    assert expected in error_for(with_keys(section, **{key: value}))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("crm.example.com", "must be an http:// or https:// address"),
        ("ftp://crm.example.com", "must be an http:// or https:// address"),
        ("https://crm.example.com/api", "must be the site address without /api"),
        ("https://admin:pw@crm.example.com", "must not contain a user name or password"),
    ],
)
def test_bad_url_is_refused(url: str, expected: str) -> None:
    message = error_for(with_keys("perfex", url=url))
    assert f"[perfex].url {expected}" in message
    assert "admin:pw" not in message


def test_url_keeps_a_subdirectory_install_and_drops_the_trailing_slash() -> None:
    data = with_keys("perfex", url="https://example.com/crm/")
    config = config_from_dict(data, base_dir=Path("/srv"), environ={})
    assert config.perfex.url == "https://example.com/crm"


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("{prefix}{num}", "uses {num}; the only fields are {prefix}, {number} and {year}"),
        ("{prefix}{number.__class__}", "uses {number.__class__}"),
        ("{prefix}{number:06s}", "cannot format a sample number"),
        ("{prefix}{number", "is not a valid format string"),
        ("INV-{year}", "must contain {number}"),
        ("{prefix}{number}-{number}", "uses {number} twice"),
    ],
)
def test_number_format_must_format_a_sample(number_format: str, expected: str) -> None:
    message = error_for(with_keys("mapping", number_format=number_format))
    assert f"[mapping].number_format {expected}" in message


def test_number_format_with_year_formats_numbers() -> None:
    data = with_keys("mapping", number_format="{prefix}{year}/{number:04d}")
    mapping = config_from_dict(data, base_dir=Path("/srv"), environ={}).mapping
    assert mapping.format_number(prefix="F-", number=7, year=2026) == "F-2026/0007"


TO_ONLYOFFICE, TO_PERFEX = "status_perfex_to_onlyoffice", "status_onlyoffice_to_perfex"


@pytest.mark.parametrize(
    ("key", "table", "expected"),
    [
        (TO_ONLYOFFICE, {"paid": "sent"}, "unknown status 'sent'; did you mean Sent?"),
        (TO_ONLYOFFICE, {"payed": "Paid"}, "unknown status 'payed'; did you mean paid?"),
        (TO_PERFEX, {"Void": "cancelled"}, "unknown status 'Void'; use one of Draft"),
    ],
)
def test_status_tables_name_only_known_statuses(key: str, table: dict, expected: str) -> None:
    message = error_for(with_keys("mapping", **{key: table}))
    assert f"[mapping].{key} names an {expected}" in message


@pytest.mark.parametrize(
    ("key", "table", "expected"),
    [
        (TO_ONLYOFFICE, {"cancelled": "Archived"}, "maps cancelled to Archived, but no ONLYOFFICE"),
        (TO_PERFEX, {"Paid": "paid"}, "maps Paid to paid, but Perfex sets that status itself"),
        (TO_PERFEX, {"Sent": "overdue"}, "maps Sent to overdue, but Perfex sets that status"),
    ],
)
def test_status_tables_refuse_targets_no_api_can_set(key: str, table: dict, expected: str) -> None:
    assert f"[mapping].{key} {expected}" in error_for(with_keys("mapping", **{key: table}))


def test_perfex_drafts_may_be_synced_when_they_have_a_number() -> None:
    data = with_keys("sync", perfex_drafts="sync")
    assert config_from_dict(data, base_dir=Path("/srv"), environ={}).sync.perfex_drafts == "sync"


def test_status_table_entries_override_only_the_statuses_given() -> None:
    data = with_keys("mapping", status_onlyoffice_to_perfex={"Archived": "cancelled"})
    table = config_from_dict(data, base_dir=Path("/srv"), environ={}).mapping
    assert table.status_onlyoffice_to_perfex["Archived"] == "cancelled"
    assert table.status_onlyoffice_to_perfex["Sent"] == "unpaid"


def test_missing_section_and_key_are_named() -> None:
    assert "section [onlyoffice] is missing" in error_for({"perfex": BASE["perfex"]})
    assert "required key [perfex].url is missing" in error_for({**BASE, "perfex": {}})


def test_a_section_written_as_a_value_is_explained() -> None:
    assert "[sync] must be a section of keys" in error_for({**BASE, "sync": 300})


def several_problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data, base_dir=Path("/srv"), environ={}, source="config.toml")
    first, *problems = str(caught.value).splitlines()
    assert first == f"config.toml has {len(problems)} problems; fix them all and run again:"
    assert all(problem.startswith("  - ") for problem in problems)
    return [problem[4:] for problem in problems]


def test_every_problem_is_named_at_once_with_its_section() -> None:
    data = with_keys("sync", interval=1, direction="up", ledger="", colour="blue")
    data["perfex"] = {"tokn_env": "X"}  # the url is missing too
    data["snyc"] = {}
    problems = several_problems(data)
    assert len(problems) == 7
    expected = [
        "required key [perfex].url is missing",
        "unknown key [perfex].tokn_env; did you mean token_env?",
        "[sync].direction must be",
        "[sync].interval must be greater than or equal to 10",
        "[sync].ledger",
        "unknown key [sync].colour; remove it",
        "unknown section [snyc]; did you mean [sync]?",
    ]
    for wanted in expected:
        assert any(problem.startswith(wanted) for problem in problems), wanted


def test_several_problems_never_echo_a_secret() -> None:
    data = with_keys("onlyoffice", password="hunter2-secret", token="  ")
    data["alerts"] = {"webhook": "ftp://hooks.example.com/T0/secret-path"}
    text = "\n".join(several_problems(data))
    assert "hunter2" not in text and "secret-path" not in text


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml", {})
    assert "nope.toml: no such configuration file" in str(caught.value)
    assert f"crm-bridge init {tmp_path / 'nope.toml'}" in str(caught.value)


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_config(tmp_path, {})


def test_broken_toml_names_the_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[perfex]\nurl = "https://crm.example.com\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml: is not valid TOML \(.*line 2"):
        load_config(path, {})


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[perfex]\nurl = "https://caf\xe9.example.com"\n')
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_config(path, {})
