"""The plain values that cross the HTTP boundary, and the generic status table.

Owns: `Response` (the bridge's own small, frozen HTTP answer), reading a server's one-line
message out of it, `default_classify` (HTTP status -> bridge error, for whatever an adapter does
not override), and the encoding of request bodies (JSON, and forms).

Must not: import requests or do any I/O (that is `bridge.http`, which re-exports these names),
or put anything but the system, method, path and the server's own message into an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, urlsplit

from bridge.errors import (
    CredentialsRejected,
    NotFound,
    RateLimited,
    RecordRejected,
    RemoteError,
    RetryableError,
    Unreachable,
    system_name,
)

Classifier = Callable[["Response"], RemoteError | None]


class ResponseHeaders(Mapping[str, str]):
    """Response headers, read-only, looked up without regard to case.

    The look-up table is built on first use: most answers are read without a glance at their
    headers (only failures and redirects need them), and building it costs more than a parse
    of a small body. `pairs` must not change after it is handed over.
    """

    def __init__(self, pairs: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = pairs
        self._table: dict[str, tuple[str, str]] | None = None

    def _by_lower(self) -> dict[str, tuple[str, str]]:
        if self._table is None:
            pairs = self._pairs
            items = pairs.items() if isinstance(pairs, Mapping) else pairs
            self._table = {name.lower(): (name, value) for name, value in items}
        return self._table

    def __getitem__(self, name: str) -> str:
        return self._by_lower()[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._by_lower().values())

    def __len__(self) -> int:
        return len(self._by_lower())

    def __repr__(self) -> str:
        return f"ResponseHeaders({dict(self.items())!r})"


@dataclass(frozen=True)
class Response:
    """One HTTP answer. `path` is the request path without its query string (safe to show).

    The body is parsed at most once per reader (`decoded`): the classifier and the adapter that
    asked share one parse, so the parsed value is the same object for both. Once the classifier
    has accepted the answer, that value belongs to the caller.
    """

    status: int
    text: str = ""
    headers: Mapping[str, str] = field(default_factory=ResponseHeaders)
    reason: str = ""
    system: str = ""
    method: str = "GET"
    path: str = "/"
    _decoded: dict[Callable[[str], Any], tuple[Any, ValueError | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.headers, ResponseHeaders):
            object.__setattr__(self, "headers", ResponseHeaders(self.headers))

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def where(self) -> str:
        """'Perfex GET /api/invoices': who was asked what."""
        return f"{system_name(self.system)} {self.method} {self.path}"

    def json(self) -> Any:
        """The body as JSON. Fractional numbers become Decimal, never float (they are money)."""
        return self.decoded(read_json)

    def decoded(self, reader: Callable[[str], Any]) -> Any:
        """`reader(self.text)`, worked out on the first call and kept; a `ValueError` from the
        reader is kept too and raised again on every call."""
        try:
            value, error = self._decoded[reader]
        except KeyError:
            try:
                value, error = reader(self.text), None
            except ValueError as exc:
                value, error = None, exc
            # Two threads may both parse the first time; either result is the same value.
            self._decoded[reader] = (value, error)
        if error is not None:
            raise error.with_traceback(None)
        return value

    def json_or_none(self) -> Any | None:
        try:
            return self.json()
        except ValueError:
            return None

    def server_message(self) -> str | None:
        """The server's own one-line explanation, if it gave one (never an HTML page)."""
        body = self.json_or_none()
        if isinstance(body, Mapping):
            return message_in(body)
        text = self.text.strip()
        if text and "<" not in text and "\n" not in text:
            return text[:200]
        return None


def read_json(text: str) -> Any:
    """JSON text with its fractional numbers as Decimal, never float (they are money)."""
    return json.loads(text, parse_float=Decimal)


def message_in(body: Mapping[str, Any]) -> str | None:
    """The message of a JSON error body: `error.message`, `message` or a string `error`."""
    error = body.get("error")
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return error["message"]
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def error_facts(response: Response, said: str | None) -> dict[str, Any]:
    """The keyword arguments every `RemoteError` built from a response carries."""
    return {"system": response.system, "status": response.status, "remote_message": said}


def default_classify(response: Response) -> RemoteError | None:
    """The generic status table; adapters call it for whatever their API does not override."""
    if response.ok:
        return None
    said = response.server_message()
    what = f"{response.status} {response.reason}".strip() + (f" ({said})" if said else "")
    message = f"{response.where} answered {what}"
    facts = error_facts(response, said)
    status = response.status
    if 300 <= status < 400:
        target = origin(response.headers.get("Location", "")) or "another address"
        return Unreachable(f"{message}: it redirects to {target}; use that URL", **facts)
    if status == 429:
        return RateLimited(message, **facts)
    if status >= 500:
        return RetryableError(message, **facts)
    if status in (401, 403):
        return CredentialsRejected(f"{message}; check the credentials", **facts)
    if status == 404:
        return NotFound(message, **facts)
    return RecordRejected(message, **facts)


def encode_json(value: Any) -> bytes:
    """A JSON request body. Decimal goes out as a decimal string without exponent: Perfex wants
    money as strings (perfex-api.md 7.2), and ONLYOFFICE flattens JSON bodies to text before
    binding, so a string and a number read the same there (onlyoffice-api.md 2.6)."""
    return json.dumps(value, default=_json_value).encode("utf-8")


def encode_form(pairs: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> str:
    """An `application/x-www-form-urlencoded` body (ASCII text), character for character what
    requests prepares for the same pairs (UTF-8, `quote_plus`; a None value is left out, a list
    value repeats its key), in a quarter of the time: a Perfex invoice create has some 40
    fields (perfex-api.md 2.5), most keys recur from form to form, and most values need no
    escaping."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    fields = []
    for key, values in items:
        single = isinstance(values, str | bytes) or not hasattr(values, "__iter__")
        for value in (values,) if single else values:
            if value is not None:
                fields.append(f"{_form_key(str(key))}={_form_value(value)}")
    return "&".join(fields)


@lru_cache(maxsize=2048)
def _form_key(key: str) -> str:
    return quote_plus(key)


def _form_value(value: Any) -> str:
    if isinstance(value, bytes):
        return quote_plus(value)
    text = str(value)
    if _FORM_PLAIN.fullmatch(text):
        return text.replace(" ", "+")
    return quote_plus(text)


# What `quote_plus` leaves as it is, and the space it turns into "+".
_FORM_PLAIN = re.compile(r"[A-Za-z0-9_.~ -]*")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, without user info, path or query (they may hold secrets)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
