"""Building the per-record outcomes the journal stores and the reports show.

Error texts are one line, name the field or the remote answer, and never carry a secret: they
come from the bridge's own error messages, which are built without headers or bodies.
"""

from __future__ import annotations

from typing import Any

from bridge.engine.plan import other
from bridge.engine.sides import Work
from bridge.errors import RemoteError, system_name
from state.records import Outcome


def pair_outcome(
    work: Work,
    action: str,
    *,
    error: str | None = None,
    changes: dict[str, list[Any]] | None = None,
    warnings: tuple[str, ...] = (),
    details: dict[str, Any] | None = None,
) -> Outcome:
    """The outcome of one invoice pair. Its source is the side whose content was (or would
    have been) carried; without a decision, the side that was listed."""
    source, target = _sides(work)
    written = work.written
    target_id = written.target_id if written is not None else work.record_id(target)
    code = work.decision.code if work.decision is not None else None
    merged = dict(details or {})
    if code and "reason" not in merged:
        merged["reason"] = code
    return Outcome(
        kind="invoice",
        source=source,
        source_id=work.record_id(source) or "?",
        target=target,
        target_id=target_id,
        number=work.number,
        action=action,
        changes=changes or {},
        error=error,
        warnings=warnings,
        details=merged,
    )


def _sides(work: Work) -> tuple[str, str]:
    decision = work.decision
    if decision is not None and decision.source is not None:
        return decision.source, decision.target or other(decision.source)
    if decision is not None and decision.target is not None:
        return other(decision.target), decision.target
    source = "perfex" if work.listed.get("perfex") is not None else "onlyoffice"
    if work.listed.get(source) is None and work.link is not None:
        source = "perfex"
    return source, other(source)


def describe(error: BaseException, *, internal: bool = False) -> str:
    """One line for a report: which system said what."""
    text = " ".join(str(error).split()) or type(error).__name__
    if internal:
        return f"internal error ({type(error).__name__}): {text}; run with -v for details"
    if isinstance(error, RemoteError):
        name = system_name(error.system)
        return text if text.startswith(name) else f"{name}: {text}"
    return text
