"""Where the config file is found, how paths resolve, and how credentials stay secret."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bridge.config import config_from_dict, config_path, load_config
from bridge.errors import ConfigError

SECRET = "s3cret-Value-that-must-not-leak"
BASE: dict[str, Any] = {
    "perfex": {"url": "https://crm.example.com"},
    "onlyoffice": {"url": "https://office.example.com"},
}


def build(data: dict[str, Any], environ: dict[str, str] | None = None):
    return config_from_dict(data, base_dir=Path("/srv/bridge"), environ=environ or {})


def with_keys(section: str, **keys: Any) -> dict[str, Any]:
    data = {name: dict(values) for name, values in BASE.items()}
    data.setdefault(section, {}).update(keys)
    return data


# --- finding the file -----------------------------------------------------------------------


def test_cli_value_wins_over_the_environment() -> None:
    environ = {"CRM_BRIDGE_CONFIG": "/etc/crm-bridge.toml"}
    assert config_path("mine.toml", environ) == Path("mine.toml")


def test_environment_variable_wins_over_the_working_directory() -> None:
    environ = {"CRM_BRIDGE_CONFIG": "/etc/crm-bridge.toml"}
    assert config_path(None, environ) == Path("/etc/crm-bridge.toml")


def test_default_is_config_toml_in_the_working_directory() -> None:
    assert config_path(None, {}) == Path("config.toml")
    assert config_path(None, {"CRM_BRIDGE_CONFIG": ""}) == Path("config.toml")


# --- paths ----------------------------------------------------------------------------------


def test_relative_ledger_resolves_against_the_config_directory(tmp_path: Path) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = folder / "config.toml"
    path.write_text(
        '[perfex]\nurl = "https://crm.example.com"\n'
        '[onlyoffice]\nurl = "https://office.example.com"\n'
        '[sync]\nledger = "../var/ledger.db"\nreport_dir = "out"\n',
        encoding="utf-8",
    )
    config = load_config(path, {})
    assert config.ledger_path == tmp_path.resolve() / "var" / "ledger.db"
    assert config.report_dir == folder.resolve() / "out"
    assert config.source == str(path)


def test_absolute_ledger_is_kept(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    config = build(with_keys("sync", ledger=str(ledger)))
    assert config.ledger_path == ledger


# --- credentials ----------------------------------------------------------------------------


def test_perfex_token_comes_from_the_named_variable() -> None:
    config = build(with_keys("perfex", token_env="MY_PERFEX"), {"MY_PERFEX": f" {SECRET}\n"})
    assert config.perfex_token().get_secret_value() == SECRET


def test_missing_variable_is_named_and_only_when_asked() -> None:
    config = build(with_keys("perfex", token_env="MY_PERFEX"))  # loading alone does not fail
    with pytest.raises(ConfigError) as caught:
        config.perfex_token()
    message = str(caught.value)
    assert "environment variable MY_PERFEX" in message and "[perfex].token_env" in message


def test_empty_variable_counts_as_missing() -> None:
    config = build(BASE, {"ONLYOFFICE_API_TOKEN": "  "})
    with pytest.raises(ConfigError, match="ONLYOFFICE_API_TOKEN"):
        config.onlyoffice_credentials()


def test_onlyoffice_user_and_password() -> None:
    data = with_keys("onlyoffice", username="sync@example.com", password_env="OO_PASSWORD")
    credentials = build(data, {"OO_PASSWORD": SECRET}).onlyoffice_credentials()
    assert credentials.token is None
    assert credentials.username == "sync@example.com"
    assert credentials.password.get_secret_value() == SECRET
    assert SECRET not in repr(credentials)


def test_onlyoffice_missing_password_variable_is_named() -> None:
    data = with_keys("onlyoffice", username="sync@example.com", password_env="OO_PASSWORD")
    with pytest.raises(ConfigError, match="environment variable OO_PASSWORD"):
        build(data).onlyoffice_credentials()


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"username": "sync@example.com"}, "needs both username and password_env"),
        ({"password_env": "OO_PASSWORD"}, "needs both username and password_env"),
        ({"token": SECRET, "username": "u", "password_env": "P"}, "more than one way to sign in"),
        ({"token_env": "T", "username": "u", "password_env": "P"}, "more than one way to sign in"),
    ],
)
def test_onlyoffice_sign_in_must_be_one_way(keys: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as caught:
        build(with_keys("onlyoffice", **keys))
    assert SECRET not in str(caught.value)


def test_inline_token_works_and_is_warned_about_without_the_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        config = build(with_keys("perfex", token=SECRET))
    assert config.perfex_token().get_secret_value() == SECRET
    assert "[perfex].token holds the token in the file" in caplog.text
    assert SECRET not in caplog.text


def test_inline_token_and_token_env_together_are_refused() -> None:
    with pytest.raises(ConfigError, match="sets both token and token_env") as caught:
        build(with_keys("perfex", token=SECRET, token_env="PERFEX_API_TOKEN"))
    assert SECRET not in str(caught.value)


def test_secret_pasted_into_token_env_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        build(with_keys("perfex", token_env="eyJhbGciOi.eyJ1c2VyIjoi.c2lnbmF0dXJl"))
    assert "must be the name of an environment variable" in str(caught.value)
    assert "eyJ" not in str(caught.value)


def test_secrets_never_appear_in_repr_or_str() -> None:
    inline = build(with_keys("onlyoffice", token=SECRET))
    from_env = build(BASE, {"PERFEX_API_TOKEN": SECRET})
    for config in (inline, from_env):
        assert SECRET not in repr(config) and SECRET not in str(config)
        assert SECRET not in repr(config.onlyoffice) and SECRET not in str(config.model_dump())
    assert SECRET not in repr(from_env.perfex_token())
    assert SECRET not in repr(inline.onlyoffice_credentials())


def test_wrongly_typed_secret_is_not_echoed_even_in_the_exception_chain() -> None:
    with pytest.raises(ConfigError) as caught:
        build(with_keys("perfex", token=12345678))
    assert "[perfex].token must be a valid string" in str(caught.value)
    assert "12345678" not in str(caught.value)
    assert caught.value.__suppress_context__ and caught.value.__cause__ is None
