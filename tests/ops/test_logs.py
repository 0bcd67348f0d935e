"""Log lines: UTC times with their zone, text or one JSON object per line, never a secret."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge import logs
from bridge.config import config_from_dict
from bridge.errors import ConfigError

UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TOKEN = "perfex-Secret-Token-123"
PASSWORD = "office-pass-word-456"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def read_lines(path: Path) -> list[str]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8").splitlines()


def test_json_lines_carry_time_level_logger_message_and_fields(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "bridge.log"
    logs.configure(logs.LogSettings(level="info", format="json", file=path))
    logging.getLogger("bridge.daemon").info(
        "cycle %d: fine", 3, extra={"fields": {"run_id": 12, "counts": {"created": 1}}}
    )
    logging.getLogger("bridge.daemon").debug("not at info level")

    (line,) = read_lines(path)
    entry = json.loads(line)
    assert UTC_STAMP.match(entry["time"])
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "info",
        "bridge.daemon",
        "cycle 3: fine",
    )
    assert entry["run_id"] == 12 and entry["counts"] == {"created": 1}


def test_text_lines_start_with_a_utc_time_and_the_level(tmp_path: Path) -> None:
    path = tmp_path / "bridge.log"
    logs.configure(logs.LogSettings(level="warning", format="text", file=path))
    logging.getLogger("bridge.http").warning("Perfex answered 503")

    (line,) = read_lines(path)
    stamp, rest = line.split(" ", 1)
    assert UTC_STAMP.match(stamp)
    assert rest == "WARNING bridge.http: Perfex answered 503"


def test_the_time_is_utc_whatever_the_local_zone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    import time

    time.tzset()
    try:
        assert logs.utc_stamp(1796378400.0) == "2026-12-04T10:00:00Z"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_secrets_the_config_can_reach_are_scrubbed_from_every_line(tmp_path: Path) -> None:
    config = config_from_dict(
        {
            "perfex": {"url": "https://crm.example.com"},
            "onlyoffice": {
                "url": "https://office.example.com",
                "username": "sync@example.com",
                "password_env": "OFFICE_PASSWORD",
            },
            "alerts": {"webhook": "https://hooks.example.com/T0/B1/hook-secret-path"},
            "log": {"file": "bridge.log", "format": "json"},
        },
        base_dir=tmp_path,
        environ={"PERFEX_API_TOKEN": TOKEN, "OFFICE_PASSWORD": PASSWORD},
    )
    logs.configure(logs.settings_from(config, logs.DAEMON_LEVEL))
    log = logging.getLogger("bridge.test")
    log.info("a careless message with %s and %s", TOKEN, PASSWORD)
    try:
        raise RuntimeError("posting to https://hooks.example.com/T0/B1/hook-secret-path failed")
    except RuntimeError:
        log.exception("webhook trouble")

    text = "\n".join(read_lines(tmp_path / "bridge.log"))
    for secret in (TOKEN, PASSWORD, "hook-secret-path"):
        assert secret not in text
    assert text.count(logs.REDACTED) >= 3


def test_the_daemon_logs_at_info_and_other_commands_at_warning_unless_configured(
    tmp_path: Path,
) -> None:
    base = {
        "perfex": {"url": "https://c.example.com"},
        "onlyoffice": {"url": "https://o.example.com"},
    }
    config = config_from_dict(base, base_dir=tmp_path, environ={})
    assert logs.settings_from(config, logs.DAEMON_LEVEL).level == "info"
    assert logs.settings_from(config, logs.COMMAND_LEVEL).level == "warning"
    chosen = config_from_dict({**base, "log": {"level": "ERROR"}}, base_dir=tmp_path, environ={})
    assert logs.settings_from(chosen, logs.DAEMON_LEVEL).level == "error"


def test_verbose_means_debug_and_a_new_configuration_replaces_the_old(tmp_path: Path) -> None:
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    logs.configure(logs.LogSettings(level="error", file=first), verbose=True)
    logging.getLogger("bridge.x").debug("debug line")
    logs.configure(logs.LogSettings(level="info", file=second))
    logging.getLogger("bridge.x").info("info line")

    assert [line.split(": ", 1)[1] for line in read_lines(first)] == ["debug line"]
    assert [line.split(": ", 1)[1] for line in read_lines(second)] == ["info line"]
    assert logs.logging_to_file()


def test_a_log_file_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[log\]\.file"):
        logs.configure(logs.LogSettings(file=blocker / "bridge.log"))


def test_a_moved_log_file_is_reopened(tmp_path: Path) -> None:
    path = tmp_path / "bridge.log"
    logs.configure(logs.LogSettings(level="info", file=path))
    logging.getLogger("bridge.x").info("before rotation")
    path.rename(tmp_path / "bridge.log.1")  # what logrotate does
    logging.getLogger("bridge.x").info("after rotation")

    assert [line.split(": ", 1)[1] for line in read_lines(path)] == ["after rotation"]
