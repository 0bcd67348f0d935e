"""The configuration file: finding it, reading its TOML, validating it, resolving secrets.

Owns the typed view of `config.toml` (the README, "Configuration"; `config.example.toml`
lists every key with its default): `config_path`, `load_config`, `config_from_dict` and
`BridgeConfig`. The sections live in `bridge.config.sections`, the wording of problems in
`bridge.config.messages`. Anything wrong becomes one `ConfigError` sentence naming the file,
the section and the key, and saying what to do.

Must not: print, log or raise with a secret value in it (tokens and passwords are `SecretStr`;
pydantic errors are never shown raw because they quote the input), read the process environment
behind the caller's back (the caller passes `environ`), or open any connection.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, SecretStr, ValidationError

from bridge.config.messages import explain
from bridge.config.operations import AlertsConfig, LogConfig
from bridge.config.sections import (
    DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX,
    DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE,
    ONLYOFFICE_STATUSES,
    PERFEX_STATUSES,
    ConflictPolicy,
    Direction,
    LockedPolicy,
    MappingConfig,
    MoneyMismatchPolicy,
    OnlyofficeConfig,
    PerfexConfig,
    PerfexVersion,
    Section,
    SyncConfig,
)
from bridge.errors import ConfigError

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_STATUS_ONLYOFFICE_TO_PERFEX",
    "DEFAULT_STATUS_PERFEX_TO_ONLYOFFICE",
    "ONLYOFFICE_STATUSES",
    "PERFEX_STATUSES",
    "AlertsConfig",
    "BridgeConfig",
    "ConflictPolicy",
    "Direction",
    "LockedPolicy",
    "LogConfig",
    "MappingConfig",
    "MoneyMismatchPolicy",
    "OnlyofficeConfig",
    "OnlyofficeCredentials",
    "PerfexConfig",
    "PerfexVersion",
    "SyncConfig",
    "config_from_dict",
    "config_path",
    "load_config",
]

log = logging.getLogger(__name__)

CONFIG_ENV = "CRM_BRIDGE_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"


@dataclass(frozen=True)
class OnlyofficeCredentials:
    """How to sign in to ONLYOFFICE: a token, or a user name with its password."""

    token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None


class BridgeConfig(Section):
    """The whole configuration; paths resolved against the config file's directory."""

    perfex: PerfexConfig
    onlyoffice: OnlyofficeConfig
    sync: SyncConfig = Field(default_factory=SyncConfig)
    mapping: MappingConfig = Field(default_factory=MappingConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _environ: Mapping[str, str] = PrivateAttr(default_factory=dict)
    _source: str = PrivateAttr("<memory>")

    @property
    def source(self) -> str:
        """The configuration file as the operator named it, for messages."""
        return self._source

    @property
    def ledger_path(self) -> Path:
        """[sync].ledger, absolute; a relative value is relative to the config file's folder."""
        return self._resolve(self.sync.ledger)

    @property
    def report_dir(self) -> Path | None:
        """[sync].report_dir, absolute, resolved like `ledger_path`; None when it is "" (off)."""
        return self._resolve(self.sync.report_dir) if self.sync.report_dir.strip() else None

    @property
    def log_path(self) -> Path | None:
        """[log].file, absolute, resolved like `ledger_path`; None means stderr."""
        return None if self.log.file is None else self._resolve(self.log.file)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths are resolved against: the config file's own."""
        return self._base_dir

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment the configuration was read with (secrets are resolved from it)."""
        return self._environ

    def secret_values(self) -> tuple[str, ...]:
        """Every secret this configuration can reach, for scrubbing log lines; never shown."""
        found: list[SecretStr | None] = [self.perfex.token, self.onlyoffice.token]
        found.append(self.alerts.webhook)
        for section, key in (
            ("perfex", "token_env"),
            ("onlyoffice", "token_env"),
            ("onlyoffice", "password_env"),
        ):
            variable = getattr(getattr(self, section), key)
            if variable and self._environ.get(variable, "").strip():
                found.append(SecretStr(self._environ[variable].strip()))
        return tuple(s.get_secret_value() for s in found if s is not None)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Things that work but should be changed; never contains a secret."""
        inline = [s for s in ("perfex", "onlyoffice") if getattr(self, s).token is not None]
        return tuple(
            f"{self._source}: [{section}].token holds the token in the file; prefer token_env "
            "so the file can be shared without the secret"
            for section in inline
        )

    def perfex_token(self) -> SecretStr:
        """The inline token, else the named variable's value; `ConfigError` naming it if unset."""
        if self.perfex.token is not None:
            return self.perfex.token
        return self._secret("perfex", "token_env", "the Perfex API token")

    def onlyoffice_credentials(self) -> OnlyofficeCredentials:
        """A token, or a user name with the password from password_env; resolved only now."""
        office = self.onlyoffice
        if office.token is not None:
            return OnlyofficeCredentials(token=office.token)
        if office.username is not None:
            password = self._secret("onlyoffice", "password_env", "the ONLYOFFICE password")
            return OnlyofficeCredentials(username=office.username, password=password)
        return OnlyofficeCredentials(
            token=self._secret("onlyoffice", "token_env", "the ONLYOFFICE API token")
        )

    def _secret(self, section: str, key: str, what: str) -> SecretStr:
        variable = getattr(getattr(self, section), key)
        value = self._environ.get(variable, "").strip()
        if not value:
            raise ConfigError(
                f"{self._source}: the environment variable {variable} (named by "
                f"[{section}].{key}) is not set or empty; set it to {what} and run again."
            )
        return SecretStr(value)

    def _resolve(self, configured: str) -> Path:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else (self._base_dir / path).resolve()


def config_path(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """Which file to read: --config, then $CRM_BRIDGE_CONFIG, then ./config.toml."""
    if cli_value:
        return Path(cli_value)
    if environ.get(CONFIG_ENV, "").strip():
        return Path(environ[CONFIG_ENV].strip())
    return Path(DEFAULT_CONFIG_NAME)


def load_config(path: Path, environ: Mapping[str, str]) -> BridgeConfig:
    """Read and validate the file; a `ConfigError` for anything wrong, a missing file included."""
    data = _read_toml(path)
    return config_from_dict(data, base_dir=path.parent.resolve(), environ=environ, source=str(path))


def config_from_dict(
    data: dict[str, Any],
    *,
    base_dir: Path,
    environ: Mapping[str, str],
    source: str = "<memory>",
) -> BridgeConfig:
    """Validate an already parsed configuration (the demo and tests build one in memory)."""
    try:
        config = BridgeConfig.model_validate(data)
    except ValidationError as exc:
        # `from None`: the pydantic error quotes input values, secrets included.
        raise ConfigError(explain(exc, source, BridgeConfig)) from None
    config._base_dir = Path(base_dir).resolve()
    config._environ = environ
    config._source = source
    for warning in config.warnings:
        log.warning(warning)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file; write a starter one with `crm-bridge init "
            f"{path}` and edit it, or point --config or ${CONFIG_ENV} at your file."
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the configuration file ({exc.strerror}); check the path "
            "and its permissions."
        ) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: is not valid TOML ({exc}); fix the syntax there.") from None
