"""Request parameter binding the way ONLYOFFICE's ApiArgumentBuilder does it (§2.6).

Owns how route values, the query string and the body become named values, and how a value is
converted to int, decimal, bool, ApiDateTime or a list. The rules it reproduces, all from
the ONLYOFFICE API notes, §2.6:

* the body is JSON only when the media type is exactly `application/json`; other bodies of
  non-GET requests are read as a url-encoded form (a JSON body sent as text/plain binds nothing);
* a JSON body is flattened to name/value pairs: scalars as `name=value`, arrays of scalars as
  repeated names, arrays of objects as `name[0][field]`, a one-element array as `name[field]`;
* top-level names are case-insensitive, but the fields inside objects (invoice lines, an
  address) match only three spellings of the C# property: `InvoiceItemID`, `invoiceItemID`,
  `invoiceitemid`; the array key itself must be spelled exactly;
* a missing scalar or a JSON null binds the type's default; an unconvertible value is a 400.

It must not validate business rules; handlers do that with the bound values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from bridge.sandbox.onlyoffice.failures import (
    HRESULT_ARGUMENT,
    HRESULT_OVERFLOW,
    conversion_failed,
)
from bridge.sandbox.onlyoffice.wire import parse_api_datetime
from bridge.sandbox.server import SimRequest

_INT = re.compile(r"\s*[+-]?\d+\s*")
_DECIMAL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*")
_INDEXED = re.compile(r"\[(\d+)\]\[([^\]]+)\]")
_SINGLE = re.compile(r"\[([^\]]+)\]")
# Json.NET reads ISO date strings as DateTime before the JSON→XML step and writes them back
# with trailing zeros of the fraction trimmed, so ".120Z" arrives as ".12Z" (§2.4).
_JSON_DATE = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d+)(Z|[+-]\d{2}:\d{2})?")
_NOT_A_NUMBER = "Input string was not in a correct format."
INT32_MAX = 2**31 - 1


def read_pairs(request: SimRequest) -> list[tuple[str, str]]:
    """Every name/value pair of a request: the query, then the body."""
    pairs = list(request.query)
    if request.method not in ("GET", "HEAD") and request.body:
        pairs.extend(_body_pairs(request))
    return pairs


def _body_pairs(request: SimRequest) -> list[tuple[str, str]]:
    media = (request.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media == "application/json":
        return _json_pairs(request.body)
    if media in ("text/xml", "application/xml") or media.startswith("multipart/"):
        return []  # XML and multipart bodies are not simulated
    text = request.body.decode("utf-8", "replace")
    return parse_qsl(text, keep_blank_values=True)


def _json_pairs(body: bytes) -> list[tuple[str, str]]:
    try:
        document = json.loads(body.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise conversion_failed(_parser_message(exc), HRESULT_ARGUMENT) from None
    if document is None:
        return []
    if not isinstance(document, dict):
        # DeserializeXNode needs an object at the root to name the XML root element.
        raise conversion_failed(
            "XmlNodeConverter can only convert JSON that begins with an object.", HRESULT_ARGUMENT
        )
    pairs: list[tuple[str, str]] = []
    for name, value in document.items():
        _flatten(name, value, pairs)
    return pairs


def _parser_message(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return (
            f"Unexpected character encountered while parsing value. "
            f"Path '', line {exc.lineno}, position {exc.colno}."
        )
    return "Invalid character in the body: it is not UTF-8."


def _flatten(name: str, value: object, out: list[tuple[str, str]]) -> None:
    if value is None:
        return  # a JSON null behaves like a missing value
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{name}[{key}]", inner, out)
    elif isinstance(value, list):
        _flatten_array(name, value, out)
    else:
        out.append((name, _scalar_text(value)))


def _flatten_array(name: str, values: list[object], out: list[tuple[str, str]]) -> None:
    if not values:
        out.append((name, ""))  # the key is there, without values
    elif all(isinstance(v, dict) for v in values) and len(values) > 1:
        for index, value in enumerate(values):
            _flatten(f"{name}[{index}]", value, out)
    else:
        for value in values:  # scalars repeat the name; one object becomes name[field]
            _flatten(name, value, out)


def _scalar_text(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, str):
        match = _JSON_DATE.fullmatch(value)
        if match:
            fraction = match.group(2).rstrip("0")
            return match.group(1) + (f".{fraction}" if fraction else "") + (match.group(3) or "")
    return str(value)


def spellings(pascal: str) -> tuple[str, str, str]:
    """The three spellings a nested field may take: Pascal, first-lowered, all-lower."""
    return pascal, pascal[0].lower() + pascal[1:], pascal.lower()


class Params:
    """The bound parameters of one request, with typed, .NET-like conversions."""

    def __init__(
        self,
        pairs: Iterable[tuple[str, str]],
        zone: ZoneInfo,
        route: dict[str, str] | None = None,
    ) -> None:
        self._pairs = list(pairs)
        self._zone = zone
        self._route = route or {}
        self._index: dict[str, list[str]] = {}
        for name, value in self._pairs:
            key = name.lower().removesuffix("[]")
            self._index.setdefault(key, []).append(value)

    def route(self, name: str) -> str:
        """A value matched by the route template (route values win over query and body)."""
        return self._route[name]

    def route_id(self, name: str) -> int:
        return to_int(self._route[name])

    def has(self, name: str) -> bool:
        return name.lower() in self._index

    def text(self, name: str) -> str | None:
        """A string parameter; repeated values join with commas like a NameValueCollection."""
        values = self._index.get(name.lower())
        return None if values is None else ",".join(values)

    def integer(self, name: str, default: int = 0) -> int:
        value = self.opt_integer(name)
        return default if value is None else value

    def opt_integer(self, name: str) -> int | None:
        text = self.text(name)
        return None if not text else to_int(text)

    def decimal(self, name: str) -> Decimal:
        text = self.text(name)
        return Decimal(0) if not text else to_decimal(text)

    def boolean(self, name: str) -> bool:
        return bool(self.opt_boolean(name))

    def opt_boolean(self, name: str) -> bool | None:
        text = self.text(name)
        return None if not text else to_bool(text)

    def datetime(self, name: str) -> datetime | None:
        text = self.text(name)
        return None if not text else parse_api_datetime(text, self._zone)

    def int_list(self, name: str) -> list[int] | None:
        values = self._index.get(name.lower())
        return None if values is None else [to_int(v) for v in values if v != ""]

    def text_list(self, name: str) -> list[str] | None:
        values = self._index.get(name.lower())
        return None if values is None else [v for v in values if v != ""]

    def objects(self, name: str, fields: Iterable[str]) -> list[dict[str, str]] | None:
        """An array of objects bound by exact key and the three field spellings (§2.6)."""
        known = {spelled: pascal for pascal in fields for spelled in spellings(pascal)}
        rows: dict[int, dict[str, str]] = {}
        found = False
        for key, value in self._pairs:
            if not key.startswith(name + "["):
                continue
            found = True
            index, field = _element(key[len(name) :])
            if field is not None and field in known:
                rows.setdefault(index, {})[known[field]] = value
            else:
                rows.setdefault(index, {})
        return [rows[i] for i in sorted(rows)] if found else None

    def object(self, name: str, fields: Iterable[str]) -> dict[str, str] | None:
        rows = self.objects(name, fields)
        return None if rows is None else rows[0]


def _element(rest: str) -> tuple[int, str | None]:
    match = _INDEXED.fullmatch(rest)
    if match:
        return int(match.group(1)), match.group(2)
    match = _SINGLE.fullmatch(rest)
    return (0, match.group(1)) if match else (0, None)


def to_int(text: str) -> int:
    if not _INT.fullmatch(text):
        raise conversion_failed(_NOT_A_NUMBER)
    value = int(text)
    if not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise conversion_failed(
            "Value was either too large or too small for an Int32.", HRESULT_OVERFLOW
        )
    return value


def to_decimal(text: str) -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise conversion_failed(_NOT_A_NUMBER)
    return Decimal(text.strip())


def to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise conversion_failed("String was not recognized as a valid Boolean.")
    return lowered == "true"
