"""`crm-bridge config`: the configuration in force, every key, and where each value came from.

Owns rendering a loaded `BridgeConfig` as TOML that could be read back (so the output is a
complete config file), each line commented with its origin: `file` (set in the config file),
`default` (not set there), or `environment` for the secrets resolved from variables. Relative
paths are shown as written, with the absolute path they resolve to in the comment.

Must not: show a secret. Tokens, passwords and the alert webhook (whose path is often a secret)
are shown only as whether they are set and from where; an inline secret is printed as a
commented-out line.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, SecretStr

from bridge.config import BridgeConfig

SECTIONS = ("perfex", "onlyoffice", "sync", "mapping", "log", "alerts")
PATH_KEYS = {
    ("sync", "ledger"): "ledger_path",
    ("sync", "report_dir"): "report_dir",
    ("log", "file"): "log_path",
}
SECRET_VARIABLES = (
    ("perfex", "token_env", "the Perfex API token"),
    ("onlyoffice", "token_env", "the ONLYOFFICE API token"),
    ("onlyoffice", "password_env", "the ONLYOFFICE password"),
)


def effective_toml(config: BridgeConfig, file_origin: str) -> str:
    """The whole configuration as commented TOML; `file_origin` says how the file was found."""
    lines = [f"# {config.source} ({file_origin})"]
    for section in SECTIONS:
        lines += ["", f"[{section}]"]
        lines += _section_lines(config, section)
    return "\n".join(lines) + "\n"


def _section_lines(config: BridgeConfig, section: str) -> list[str]:
    model: BaseModel = getattr(config, section)
    given = model.model_fields_set
    lines: list[str] = []
    for key in type(model).model_fields:
        value = getattr(model, key)
        origin = "file" if key in given else "default"
        lines.append(_line(config, section, key, value, origin))
    lines += _secret_lines(config, section)
    return lines


def _line(config: BridgeConfig, section: str, key: str, value: Any, origin: str) -> str:
    if isinstance(value, SecretStr):
        return f"# {key} = (set in the file, hidden)  # {origin}"
    if value is None:
        return f"# {key} = (not set)  # {origin}{_none_meaning(section, key)}"
    comment = origin
    if (section, key) in PATH_KEYS:
        resolved = getattr(config, PATH_KEYS[(section, key)])
        comment += f", resolves to {resolved}" if resolved is not None else ", off"
    return f"{key} = {toml_value(value)}  # {comment}"


def _none_meaning(section: str, key: str) -> str:
    meaning = {
        ("log", "file"): "log to stderr",
        ("log", "level"): "info for daemon, warning for other commands",
        ("alerts", "webhook"): "no alerts",
    }.get((section, key))
    return f": {meaning}" if meaning else ""


def _secret_lines(config: BridgeConfig, section: str) -> list[str]:
    lines = []
    for owner, key, what in SECRET_VARIABLES:
        variable = getattr(getattr(config, owner), key) if owner == section else None
        if not variable or getattr(config, owner).token is not None:
            continue
        if owner == "onlyoffice" and key == "token_env" and config.onlyoffice.username:
            continue  # signing in as a user: the token variable is not used
        is_set = bool(config.environ.get(variable, "").strip())
        state = "set" if is_set else "NOT SET"
        lines.append(f"# {what}: {state}, from ${variable}  # environment")
    return lines


def toml_value(value: Any) -> str:
    """A TOML literal for the config's value types (no secrets reach here)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{_bare_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _bare_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)
