"""The operations sections of the configuration: `[log]` and `[alerts]`.

Owns their keys, defaults and checks, in the manner of `bridge.config.sections` (whose `Section`
base and problem wording they share). Must not: open the log file or post to the webhook, or put
an input value into a message (the webhook address may carry a secret).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator

from bridge.config.sections import Section, _problem

LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["text", "json"]


class LogConfig(Section):
    """Where log lines go and how they look; the level defaults per command (see `bridge.logs`)."""

    file: str | None = None  # relative to the config file; none means stderr
    level: LogLevel | None = None  # none: "info" for the daemon, "warning" for other commands
    format: LogFormat = "text"

    @field_validator("file")
    @classmethod
    def _file(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise _problem("is empty; remove it to log to stderr")
        return value

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


class AlertsConfig(Section):
    """Where new failures and conflicts are announced. The URL may carry a secret (many chat
    webhooks do), so it is kept like a token: never printed or logged."""

    webhook: SecretStr | None = None

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        parts = urlsplit(value.get_secret_value().strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _problem(
                "must be an http:// or https:// address such as https://hooks.example.com/x"
            )
        return SecretStr(value.get_secret_value().strip())
