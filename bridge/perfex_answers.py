"""How Perfex answers: reading its JSON and classifying its replies into the bridge's errors.

Owns: the flat table from Perfex's statuses and messages to `bridge.errors` (a bad token is a
404 here, validation failures are 404 on POST and 409 on PUT, a no-op update is a 404 too:
contract perfex-api.md 1.2, 2.5-2.7, 7.2), the operator-facing sentences for each refusal, and
tolerant JSON reading (a development-mode install prints PHP warnings before its JSON: 1.3).

Must not: send requests (that is `bridge.perfex` through `bridge.http`), or put anything but
the method, path and Perfex's own message into an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bridge.errors import (
    CredentialsRejected,
    NotFound,
    NumberInUse,
    RateLimited,
    RecordRejected,
    RemoteError,
    RetryableError,
    Unreachable,
    UnreadableAnswer,
)
from bridge.http import Response, default_classify, error_facts

NO_DATA = "No data were found"
UPDATE_FAIL = "Invoice Update Fail"
NUMBER_IN_USE = "The Invoice number is already in use"
MODULE_INACTIVE = "API Module is not active"
TIME_LIMIT = "This API key has reached the time limit"
PERMISSION_MISSING = "does not have the necessay permissions"  # the typo is Perfex's own
# 404 messages that really mean "no such record"; other 404s are refusals (perfex-api.md 2.3-2.7).
NOT_FOUND_MESSAGES = frozenset({NO_DATA, "Invalid Invoice ID", "Invoice ID Doesn't Not Exist."})
# A bad token is answered 404 with one of these (module 2.x: the php-jwt library's own texts;
# module 3.x: "Token is not found"), or with "message": null for a well-signed but unknown token.
TOKEN_MESSAGE_STARTS = (
    "Token is not defined",
    "Token is not found",
    "Wrong number of segments",
    "Signature verification failed",
    "Syntax error, malformed JSON",
    "Invalid header encoding",
    "Invalid claims encoding",
    "Invalid signature encoding",
    "Expired token",
    "Cannot handle token",
    "Algorithm not supported",
    "Empty algorithm",
    "Malformed UTF-8",
)
# Module 3.x checks the `common` endpoints against these permission features (perfex-api.md 1.2).
COMMON_FEATURES_V3 = {
    "tax_data": "taxes",
    "payment_mode": "payment_methods",
    "expense_category": "expense_categories",
}


def classify_perfex_response(response: Response, version: str | None = None) -> RemoteError | None:
    """A flat table from Perfex's answers to bridge errors (perfex-api.md 1.2, 2.5-2.7, 7.2)."""
    body = perfex_json(response)
    if response.ok:
        return None if body is not None else _unreadable(response)
    said = _said(body)
    facts = error_facts(response, said)
    status = response.status
    fields = _field_errors(body)
    if status == 404 and _token_refused(body):
        # Perfex answers a missing, malformed or unknown token with 404, not 401.
        return CredentialsRejected(_token_sentence(response, said), **facts)
    if status == 401 and said and said.startswith(TIME_LIMIT):
        # Module 3.x's per-hour request limit: refused before anything ran.
        return RateLimited(f"{response.where}: the API key reached its request limit", **facts)
    if status == 401 and said == MODULE_INACTIVE:
        return CredentialsRejected(_inactive_sentence(response), **facts)
    if status == 403 and said and PERMISSION_MISSING in said:
        return CredentialsRejected(_permission_sentence(response, version), **facts)
    if status == 429:
        return RateLimited(f"{response.where}: rate limit exceeded", **facts)
    if fields:
        # Validation: 404 on POST, 409 on PUT, with an `error` object per field.
        rejected = NumberInUse if NUMBER_IN_USE in fields.values() else RecordRejected
        return rejected(_fields_sentence(response, fields), **facts)
    if status in (404, 409) and said in NOT_FOUND_MESSAGES:
        return NotFound(f"{response.where}: {said}", **facts)
    if status == 404 and not isinstance(body, dict):
        # Every answer of the API module is JSON; an HTML 404 means no module at this URL.
        return Unreachable(_no_api_sentence(response), **facts)
    if 400 <= status < 500 and status not in (401, 403):
        return RecordRejected(f"Perfex rejected {response.method} {response.path}: {said}", **facts)
    if status >= 500:
        return RetryableError(f"{response.where} answered {status} {response.reason}", **facts)
    return default_classify(response)


def perfex_json(response: Response) -> Any | None:
    """The body as JSON, or None. Tolerates the HTML PHP warnings that an install running in
    development mode prints before its JSON (perfex-api.md 1.3)."""
    body = response.json_or_none()
    if body is not None or not response.text:
        return body
    return response.decoded(_json_after_warnings)  # kept: the adapter reads it after the classifier


def _json_after_warnings(text: str, max_tries: int = 50) -> Any | None:
    decoder = json.JSONDecoder(parse_float=Decimal)
    for tries, match in enumerate(re.finditer(r"[\[{]", text)):
        if tries >= max_tries:
            break
        try:
            value, end = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if not text[end:].strip():
            return value
    return None


def _said(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in ("message", "error"):  # 405 and the 3.x time limit use `error`
        if isinstance(body.get(key), str) and body[key]:
            return _without_tags(body[key])
    return None


def _field_errors(body: Any) -> dict[str, str]:
    errors = body.get("error") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {str(field): _without_tags(str(text)) for field, text in errors.items()}


def _token_refused(body: Any) -> bool:
    if not isinstance(body, dict) or "message" not in body or "error" in body:
        return False
    message = body["message"]
    return message is None or str(message).startswith(TOKEN_MESSAGE_STARTS)


def _without_tags(text: str) -> str:
    """'<p>a</p>\\n<p>b</p>\\n' -> 'a; b' (Perfex wraps validation messages in <p>)."""
    parts = re.sub(r"</?p>", "\n", text).splitlines()
    return "; ".join(part.strip() for part in parts if part.strip())


def _token_sentence(response: Response, said: str | None) -> str:
    reason = said or "the token is not registered"
    return (
        f"Perfex rejected the API token on {response.method} {response.path} ({reason}); "
        "check the token in the environment variable named by [perfex].token_env."
    )


def _inactive_sentence(response: Response) -> str:
    return (
        f"Perfex refused {response.method} {response.path} because its REST API module is not "
        "active; an administrator must activate it under Setup > Modules."
    )


def _permission_sentence(response: Response, version: str | None) -> str:
    feature, capability = _permission_of(response)
    advice = "grant it to the token under Setup > API, or use a token without permission limits"
    if feature in COMMON_FEATURES_V3:
        v3_feature = COMMON_FEATURES_V3[feature]
        if version == "3":
            feature = v3_feature
        else:
            # Module 2.x checks the feature `common`, which its permission screen never offers.
            feature = "common" if version == "2" else f"common (module 3.x: {v3_feature})"
            advice = "module 2.x offers no such permission: use a token with permissions disabled"
    return (
        f"Perfex refused {response.method} {response.path}: the API token lacks the "
        f"'{capability}' permission on '{feature}'; {advice}."
    )


def _permission_of(response: Response) -> tuple[str, str]:
    """(feature, capability) the module checks for a request (perfex-api.md 1.2)."""
    segments = [s for s in response.path.split("/") if s][1:]  # drop "api"
    if segments and segments[0] == "delete":  # legacy alias /api/delete/invoices/{id}
        segments = segments[1:]
    controller = segments[0] if segments else ""
    searching = len(segments) > 1 and segments[1] == "search"
    if controller == "common" and len(segments) > 1:
        controller = segments[1]
    method = response.method.lower()
    capability = "search_get" if method == "get" and searching else method
    return controller, capability


def _fields_sentence(response: Response, fields: Mapping[str, str]) -> str:
    listed = "; ".join(f"{field}: {text}" for field, text in fields.items())
    return f"Perfex rejected {response.method} {response.path}: {listed}"


def _no_api_sentence(response: Response) -> str:
    return (
        f"{response.where} answered 404 with a page that is not the API's; check [perfex].url "
        "and that the REST API module is installed."
    )


def _unreadable(response: Response) -> RemoteError:
    if not response.text.strip():
        # PHP's json_encode fails on text that is not valid UTF-8 and the module prints its
        # `false` as nothing: one such record empties every answer that carries it, the same
        # way each time (perfex-api.md 1.3), so asking again is no use.
        return UnreadableAnswer(
            f"{response.where} answered {response.status} with an empty body, which the API "
            "module sends when a record in its answer holds text that is not valid UTF-8; "
            "correct that text in Perfex (a name, note or line pasted from elsewhere)",
            **error_facts(response, None),
        )
    return RetryableError(
        f"{response.where} answered {response.status} with a body that is not JSON",
        **error_facts(response, None),
    )
