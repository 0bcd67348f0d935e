"""Defaults, the the README example, and config.example.toml kept honest against the models."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from bridge.config import (
    DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX,
    DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE,
    BridgeConfig,
    config_from_dict,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
MINIMAL = {
    "perfex": {"url": "https://crm.example.com"},
    "onlyoffice": {"url": "https://office.example.com"},
}
ENV = {"PERFEX_API_TOKEN": "perfex-token", "ONLYOFFICE_API_TOKEN": "office-token"}
# Keys whose value in the example file is an illustration rather than the default.
ILLUSTRATED = {("perfex", "url"), ("onlyoffice", "url"), ("perfex", "currencies")}

INTERFACE_EXAMPLE = """
[perfex]
url = "https://crm.example.com"        # the API lives at <url>/api/...
token_env = "PERFEX_API_TOKEN"         # name of the environment variable holding the token
# token = "..."                        # inline alternative, discouraged
currencies = { EUR = 1, USD = 2 }      # ISO code -> Perfex currency id
payment_modes = ["1"]                  # allowed_payment_modes for invoices the bridge creates

[onlyoffice]
url = "https://office.example.com"     # the API lives at <url>/api/2.0/...
token_env = "ONLYOFFICE_API_TOKEN"     # either a token ...
# username = "sync@example.com"        # ... or a user whose password is in password_env,
# password_env = "ONLYOFFICE_PASSWORD" #     exchanged at /api/2.0/authentication

[sync]
direction = "perfex_to_onlyoffice"     # or "onlyoffice_to_perfex", "both"
interval = 300                         # seconds between daemon cycles
ledger = "state/ledger.db"             # the SQLite ledger; relative to the config file
"""


def minimal_config() -> BridgeConfig:
    return config_from_dict(MINIMAL, base_dir=Path("/srv/bridge"), environ=ENV)


def test_perfex_defaults() -> None:
    perfex = minimal_config().perfex
    assert perfex.token_env == "PERFEX_API_TOKEN"
    assert perfex.token is None
    assert perfex.currencies == {}
    assert perfex.payment_modes == ("1",)
    assert perfex.version == "auto"
    assert perfex.default_billing_street == "Not provided"


@pytest.mark.parametrize("section", ["perfex", "onlyoffice"])
def test_http_tuning_defaults(section: str) -> None:
    tuning = getattr(minimal_config(), section)
    assert (tuning.timeout, tuning.connect_timeout) == (30.0, 5.0)
    assert (tuning.max_attempts, tuning.retry_max_seconds) == (5, 120.0)
    assert (tuning.concurrency, tuning.rate_limit) == (4, 0.0)
    assert tuning.use_env_proxies is False  # a service talks to exactly the configured address


def test_onlyoffice_defaults() -> None:
    office = minimal_config().onlyoffice
    assert office.token_env == "ONLYOFFICE_API_TOKEN"
    assert (office.token, office.username, office.password_env) == (None, None, None)
    assert office.language == "en-US"


def test_sync_defaults() -> None:
    sync = minimal_config().sync
    assert sync.direction == "perfex_to_onlyoffice"
    assert sync.interval == 300
    assert sync.ledger == "state/ledger.db"
    assert sync.conflict_policy == "report"
    assert sync.locked_invoices == "reopen"
    assert sync.perfex_drafts == "sync"
    assert sync.on_mirror_edit == "restore"
    assert sync.deep_pass_every == 12
    assert sync.deep_pass_budget == 200
    assert sync.retry_backoff_max == 86400
    assert sync.safety_stop is True
    assert sync.report_dir == "reports"
    assert sync.keep_runs_days == 90


def test_mapping_defaults() -> None:
    mapping = minimal_config().mapping
    assert mapping.number_format == "{prefix}{number:06d}"
    assert mapping.format_number(prefix="INV-", number=1042, year=2026) == "INV-001042"
    assert mapping.default_terms == "Payment due as invoiced."
    assert mapping.default_due_days == 30
    assert mapping.money_mismatch == "warn"
    assert mapping.uncertain_taxes == "warn"
    assert mapping.status_perfex_to_onlyoffice == DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE
    assert mapping.status_onlyoffice_to_perfex == DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX


def test_log_and_alert_defaults() -> None:
    config = minimal_config()
    assert (config.log.file, config.log.level, config.log.format) == (None, None, "text")
    assert config.log_path is None  # stderr
    assert config.alerts.webhook is None


def test_default_paths_sit_next_to_the_config_file() -> None:
    config = minimal_config()
    assert config.ledger_path == Path("/srv/bridge/state/ledger.db")
    assert config.report_dir == Path("/srv/bridge/reports")


def test_log_file_sits_next_to_the_config_file_and_an_empty_report_dir_means_none() -> None:
    data = {**MINIMAL, "log": {"file": "logs/bridge.log"}, "sync": {"report_dir": ""}}
    config = config_from_dict(data, base_dir=Path("/srv/bridge"), environ=ENV)
    assert config.log_path == Path("/srv/bridge/logs/bridge.log")
    assert config.report_dir is None


def test_the_packaged_starter_config_is_config_example_toml() -> None:
    packaged = Path(__file__).resolve().parents[2] / "bridge" / "config" / "example.toml"
    assert packaged.read_bytes() == EXAMPLE.read_bytes()


def test_interface_example_section_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(INTERFACE_EXAMPLE, encoding="utf-8")
    config = load_config(path, ENV)
    assert config.perfex.currencies == {"EUR": "1", "USD": "2"}
    assert config.perfex.payment_modes == ("1",)
    assert config.perfex.url == "https://crm.example.com"
    assert config.onlyoffice.url == "https://office.example.com"
    assert (config.sync.direction, config.sync.interval) == ("perfex_to_onlyoffice", 300)
    assert config.ledger_path == tmp_path.resolve() / "state" / "ledger.db"
    assert config.perfex_token().get_secret_value() == "perfex-token"
    assert config.onlyoffice_credentials().token.get_secret_value() == "office-token"


def test_example_file_loads_cleanly() -> None:
    config = load_config(EXAMPLE, ENV)
    assert config.perfex_token().get_secret_value() == "perfex-token"
    assert config.onlyoffice_credentials().token.get_secret_value() == "office-token"
    assert config.ledger_path == EXAMPLE.parent / "state" / "ledger.db"


def example_keys_by_section() -> dict[str, set[str]]:
    """Every key the example mentions, whether set or commented out, per [section]."""
    found: dict[str, set[str]] = {}
    section = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        header = re.match(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
            found[section] = set()
        key = re.match(r"#?\s*(\w+)\s*=", line)
        if key and section:
            found[section].add(key.group(1))
    return found


def model_keys() -> dict[str, set[str]]:
    sections = BridgeConfig.model_fields.items()
    return {name: set(_model(field.annotation).model_fields) for name, field in sections}


def _model(annotation: object) -> type[BaseModel]:
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return annotation


def test_example_documents_every_key() -> None:
    documented = example_keys_by_section()
    for section, keys in model_keys().items():
        missing = keys - documented.get(section, set())
        assert not missing, f"config.example.toml does not document [{section}] {sorted(missing)}"


def test_example_documents_no_key_that_does_not_exist() -> None:
    known = model_keys()
    for section, keys in example_keys_by_section().items():
        assert keys <= known[section], f"[{section}] {sorted(keys - known[section])}"


def test_example_values_are_the_defaults() -> None:
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    defaults = minimal_config()
    for section, values in data.items():
        for key, value in values.items():
            if (section, key) in ILLUSTRATED:
                continue
            default = getattr(getattr(defaults, section), key)
            where = f"[{section}].{key}"
            assert _same(value, default), f"{where}: example {value!r}, default {default!r}"


def _same(example: object, default: object) -> bool:
    if isinstance(default, tuple):
        return list(default) == example
    return example == default
