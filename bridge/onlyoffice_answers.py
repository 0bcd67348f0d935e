"""How ONLYOFFICE answers: classifying its replies into the bridge's errors.

Owns: the flat table from ONLYOFFICE's statuses and error envelopes to `bridge.errors`
(API notes onlyoffice-api.md 1.3, 2.1, 2.2): the plain-text 401 before a method runs, the JSON
error envelope (also inside a 2xx), the 500 of a refused login, and a 404 that also means "not
a Draft" on updates.

Must not: send requests (that is `bridge.onlyoffice` through `bridge.http`), or put anything but
the method, path and ONLYOFFICE's own message into an error.
"""

from __future__ import annotations

from typing import Any

from bridge.errors import (
    CredentialsRejected,
    NotFound,
    RateLimited,
    RecordRejected,
    RemoteError,
    RetryableError,
)
from bridge.http import Response, default_classify, message_in

# A refused login is not a 401 but a JSON 500 with one of these messages (1.1).
LOGIN_FAILURES = ("User authentication failed", "Login Fail")


def classify_onlyoffice_response(response: Response) -> RemoteError | None:
    """ONLYOFFICE's answers as bridge errors (onlyoffice-api.md 1.3, 2.1, 2.2)."""
    body = response.json_or_none()
    status = response.status
    if response.ok:
        if not _is_envelope(body):
            return RetryableError(
                f"{response.where} answered {status} with a body that is not an API envelope",
                system="onlyoffice",
                status=status,
            )
        if body.get("status") != 1:
            return None
        status = _as_int(body.get("statusCode"), 500)  # an error envelope inside a 2xx
    said = message_in(body) if isinstance(body, dict) else response.server_message()
    return _error_for(response, status, said)


def _error_for(response: Response, status: int, said: str | None) -> RemoteError | None:
    """A flat table: status (and the server's message where it matters) -> error."""
    facts: dict[str, Any] = {"system": "onlyoffice", "status": status, "remote_message": said}
    where = response.where
    if status == 401:  # plain text "Unauthorized", before the method ran (1.3)
        return CredentialsRejected(f"{where} answered 401 Unauthorized", **facts)
    if status == 402:
        return CredentialsRejected(
            f"{where}: the portal refuses API calls (unpaid or suspended)", **facts
        )
    if status == 403 and said == "Forbidden":  # the CRM module is off for this account (1.3)
        return CredentialsRejected(f"{where}: the account may not use the CRM module", **facts)
    if status == 403:
        return RecordRejected(
            f"{where}: access denied ({said}): the sync account must be a CRM admin", **facts
        )
    if status == 404:
        return NotFound(f"{where}: not found ({said or 'no such record or route'})", **facts)
    if status == 429:  # not the API's own (it has no rate limiter), but a proxy's (9.1)
        return RateLimited(f"{where}: rate limit exceeded", **facts)
    if status >= 500 and said and said.startswith(LOGIN_FAILURES):
        return CredentialsRejected(f"{where}: {said}", **facts)
    if status >= 500:
        return RetryableError(f"{where} answered {status} ({said or response.reason})", **facts)
    if 400 <= status < 500:
        return RecordRejected(
            f"ONLYOFFICE rejected {response.method} {response.path}: {said}", **facts
        )
    return default_classify(response)


def _is_envelope(body: Any) -> bool:
    return isinstance(body, dict) and "status" in body and ("response" in body or "error" in body)


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
