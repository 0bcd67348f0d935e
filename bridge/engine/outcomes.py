"""Building the per-record outcomes the journal stores and the reports show.

Error texts are one line, name the field or the remote answer, and never carry a secret: they
come from the bridge's own error messages, which are built without headers or bodies.
"""

from __future__ import annotations

from typing import Any

from bridge.errors import RemoteError, system_name
from state.records import Outcome

# The outcome fields of the ONLYOFFICE → Perfex direction (the defaults are Perfex → ONLYOFFICE).
REVERSE = {"source": "onlyoffice", "target": "perfex"}


def invoice_outcome(
    source_id: str,
    target_id: str | None,
    number: str | None,
    action: str,
    *,
    changes: dict[str, list[Any]] | None = None,
    error: str | None = None,
    source: str = "perfex",
    target: str = "onlyoffice",
) -> Outcome:
    return Outcome(
        kind="invoice",
        source=source,
        source_id=source_id,
        target=target,
        target_id=target_id,
        number=number,
        action=action,
        changes=changes or {},
        error=error,
    )


def failure_outcome(
    source_id: str,
    number: str | None,
    error: BaseException,
    *,
    internal: bool = False,
    source: str = "perfex",
    target: str = "onlyoffice",
) -> Outcome:
    return invoice_outcome(
        source_id,
        None,
        number,
        "failed",
        error=describe(error, internal=internal),
        source=source,
        target=target,
    )


def describe(error: BaseException, *, internal: bool = False) -> str:
    """One line for a report: which system said what."""
    text = " ".join(str(error).split()) or type(error).__name__
    if internal:
        return f"internal error ({type(error).__name__}): {text}; run with -v for details"
    if isinstance(error, RemoteError):
        name = system_name(error.system)
        return text if text.startswith(name) else f"{name}: {text}"
    return text
