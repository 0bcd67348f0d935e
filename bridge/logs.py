"""Log lines for operators: where they go, what they look like, and that no secret is in them.

Owns the `[log]` settings in force: a file (reopened when logrotate moves it away) or stderr, a
level, and one of two formats. `text` is one readable line; `json` is one JSON object per line
with `time`, `level`, `logger`, `message` and the structured fields a caller passed as
`extra={"fields": {...}}`. Times are always UTC with an explicit zone, `2026-12-04T10:00:00Z`,
so lines from hosts in different zones sort together. Every line is scrubbed of the secrets the
configuration can reach before it is written, as a last line of defence: messages are built
never to contain one.

Must not: read the configuration file or the environment (callers pass a loaded configuration
or `LogSettings`), or print anything itself.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.config import BridgeConfig
from bridge.errors import ConfigError

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
DAEMON_LEVEL = "info"
COMMAND_LEVEL = "warning"
REDACTED = "[redacted]"
# Libraries that are chatty at INFO; they speak up only when something is wrong or with -v.
QUIET_LIBRARIES = ("urllib3", "apscheduler", "requests")
_OWNED = "_crm_bridge_handler"


@dataclass(frozen=True)
class LogSettings:
    """Where and how to log. `file` None means stderr."""

    level: str = COMMAND_LEVEL
    format: str = "text"
    file: Path | None = None
    secrets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown log level {self.level!r}")
        if self.format not in ("text", "json"):
            raise ValueError(f"unknown log format {self.format!r}")


def utc_stamp(created: float) -> str:
    """`2026-12-04T10:00:00Z`: seconds are enough for cycles minutes apart, and easy to read."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created))


class _Scrubbing(logging.Formatter):
    """Formats, then removes every known secret from the finished line, traceback included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.render(record)
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return line

    def render(self, record: logging.LogRecord) -> str:
        raise NotImplementedError


class TextFormatter(_Scrubbing):
    """`2026-12-04T10:00:00Z INFO bridge.daemon: cycle 3: ...`"""

    def render(self, record: logging.LogRecord) -> str:
        line = f"{utc_stamp(record.created)} {record.levelname} {record.name}: "
        line += record.getMessage()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(_Scrubbing):
    """One JSON object per line; structured fields sit beside the message."""

    def render(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_stamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(settings: LogSettings, *, verbose: bool = False) -> None:
    """Route every log line to the chosen place, replacing what an earlier call set up.

    `verbose` (-v) means debug, whatever the settings say. Raises `ConfigError` when the log
    file cannot be opened.
    """
    handler = _handler(settings.file)
    formatter = JsonFormatter if settings.format == "json" else TextFormatter
    handler.setFormatter(formatter(settings.secrets))
    setattr(handler, _OWNED, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OWNED, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    level = logging.DEBUG if verbose else LEVELS[settings.level]
    root.setLevel(level)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)


def logging_to_file() -> bool:
    """Whether log lines currently go to a file (then fatal errors are logged there too)."""
    return any(
        isinstance(h, logging.FileHandler) and getattr(h, _OWNED, False)
        for h in logging.getLogger().handlers
    )


def _handler(path: Path | None) -> logging.Handler:
    if path is None:
        return logging.StreamHandler(sys.stderr)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # WatchedFileHandler reopens the file when logrotate has moved it (no copytruncate).
        return logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"the log file {path} (from [log].file) cannot be opened ({exc.strerror}); "
            "create its folder with write permission for this user, or change [log].file."
        ) from None


def settings_from(config: BridgeConfig, default_level: str) -> LogSettings:
    """The `[log]` section as settings; `default_level` applies when [log].level is not set."""
    return LogSettings(
        level=config.log.level or default_level,
        format=config.log.format,
        file=config.log_path,
        secrets=config.secret_values(),
    )
