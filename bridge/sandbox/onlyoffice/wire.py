"""What ONLYOFFICE puts on the wire: the envelope, JSON text, money and ApiDateTime values.

Owns the byte-level form of every answer (ONLYOFFICE API notes §2.1-§2.5): the
success and error envelopes with their headers, the JSON writer (decimals as numbers with two
decimals, `/` escaped as `\\/`, lone surrogates as `\\uXXXX`), and ApiDateTime output and input
in the portal's time zone. It must not decide what goes into a payload.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from zoneinfo import ZoneInfo

from bridge.sandbox.onlyoffice.failures import ApiError, bad_argument
from bridge.sandbox.server import SimResponse

CENT = Decimal("0.01")
MIN_DATE_TEXT = "0001-01-01T00:00:00.0000000Z"
JSON_TYPE = "application/json; charset=UTF-8"
_SURROGATE = re.compile("[\ud800-\udfff]")
_etags = itertools.count(1)

# --- ApiDateTime (§2.4) --------------------------------------------------------------------


def format_api_datetime(moment: datetime | None, zone: ZoneInfo) -> str:
    """`yyyy-MM-ddTHH:mm:ss.fffffff` local to the portal, then `Z` or `±hh:mm`."""
    if moment is None:
        return MIN_DATE_TEXT
    local = moment.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{local.microsecond:06d}0"
    if not offset:
        return stamp + "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{stamp}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


_DAY = r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
_ZONE = r"(?P<z>Z|[+-]\d{2}:\d{2})?"


def _time(sep: str, digits: int | None) -> str:
    clock = rf"T(?P<h>\d{{2}}){sep}(?P<mi>\d{{2}}){sep}(?P<s>\d{{2}})"
    fraction = rf"\.(?P<f>\d{{{digits}}})" if digits else ""
    return clock + fraction


# The seven formats ApiDateTime.Parse tries, in its order (§2.4).
_INPUT_FORMATS = tuple(
    re.compile(pattern)
    for pattern in (
        _DAY + _time(":", 7) + _ZONE,  # the .NET round-trip "o" format
        _DAY + _time("-", 7) + _ZONE,
        _DAY + _time("-", 3) + _ZONE,
        _DAY + _time(":", 3) + _ZONE,
        _DAY + _time("-", None) + _ZONE,
        _DAY + _time(":", None) + _ZONE,
        _DAY,
    )
)


def parse_api_datetime(text: str, zone: ZoneInfo) -> datetime:
    """Reads an ApiDateTime and returns the instant in UTC; naive values are portal-local."""
    if len(text) >= 7:
        for pattern in _INPUT_FORMATS:
            match = pattern.fullmatch(text)
            if match:
                moment = _moment(match.groupdict(), zone)
                if moment is not None:
                    return moment
    raise bad_argument(f"invalid date time format: {text}")


def _moment(parts: dict[str, str | None], zone: ZoneInfo) -> datetime | None:
    fraction = (parts.get("f") or "").ljust(6, "0")[:6]
    try:
        naive = datetime(
            int(parts["y"] or 0),
            int(parts["mo"] or 0),
            int(parts["d"] or 0),
            int(parts.get("h") or 0),
            int(parts.get("mi") or 0),
            int(parts.get("s") or 0),
            int(fraction),
        )
        return naive.replace(tzinfo=_zone_of(parts.get("z"), zone)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None  # 2024-02-30, an offset of 24 hours or more, year 0001 minus an offset


def _zone_of(designator: str | None, portal: ZoneInfo) -> tzinfo:
    if designator is None:
        return portal
    if designator == "Z":
        return UTC
    sign = -1 if designator[0] == "-" else 1
    hours, minutes = int(designator[1:3]), int(designator[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# --- JSON text (§2.3, §2.5) ----------------------------------------------------------------


def wire_decimal(value: Decimal) -> str:
    if not value:
        return "0.00"  # never "-0.00"
    return f"{value.quantize(CENT, rounding=ROUND_HALF_EVEN):f}"


def to_json(value: object) -> str:
    parts: list[str] = []
    _write(value, parts.append)
    text = "".join(parts).replace("/", "\\/")  # JsonStringConverter escapes "/" (§2.5)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def _write(value: object, out: Callable[[str], None]) -> None:
    if isinstance(value, str):
        out(encode_basestring(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(str(value))
    elif isinstance(value, Decimal):
        out(wire_decimal(value))
    elif isinstance(value, dict):
        _write_object(value, out)
    elif isinstance(value, list | tuple):
        _write_array(value, out)
    else:
        raise TypeError(f"cannot put {type(value).__name__} on the wire")


def _write_object(value: dict[str, object], out: Callable[[str], None]) -> None:
    out("{")
    first = True
    for key, item in value.items():
        if not first:
            out(",")
        first = False
        out(encode_basestring(key))
        out(":")
        _write(item, out)
    out("}")


def _write_array(value: list[object] | tuple[object, ...], out: Callable[[str], None]) -> None:
    out("[")
    for index, item in enumerate(value):
        if index:
            out(",")
        _write(item, out)
    out("]")


def net_length(text: str) -> int:
    """A .NET string's Length: UTF-16 code units, so astral characters count twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- Envelopes (§2.1, §2.2) ----------------------------------------------------------------


def response_count(payload: object) -> int:
    """The envelope's `count`: list length, string length, 1 for anything else, 0 for null."""
    if payload is None:
        return 0
    if isinstance(payload, list):
        return len(payload)
    if isinstance(payload, str):
        return net_length(payload)
    return 1


def success(
    payload: object,
    status: int,
    *,
    start: int = 0,
    next_index: int | None = None,
    total: int | None = None,
) -> SimResponse:
    body: dict[str, object] = {}
    count = response_count(payload)
    if count:
        body["count"] = count
    if start:
        body["startIndex"] = start
    if next_index is not None:
        body["nextIndex"] = next_index
    if total is not None:
        body["total"] = total
    body.update(status=0, statusCode=status, response=payload)
    return _json_response(status, "Created" if status == 201 else "OK", body)


def failure(error: ApiError) -> SimResponse:
    body = {
        "status": 1,
        "statusCode": error.status,
        "error": {"message": error.message, "hresult": error.hresult, "data": {}},
    }
    return _json_response(error.status, error.reason, body)


def _json_response(status: int, reason: str, body: dict[str, object]) -> SimResponse:
    headers = [
        ("Content-Type", JSON_TYPE),
        ("ETag", f'"{next(_etags):x}"'),
        ("Cache-Control", "max-age=0"),
        ("Access-Control-Allow-Origin", "*"),
    ]
    return SimResponse(status, to_json(body).encode("utf-8"), headers, reason)


def html_page(
    status: int, text: str, reason: str, headers: list[tuple[str, str]] | None = None
) -> SimResponse:
    """A non-JSON answer from the web application around the API (§1.3, §2.2, §2.7)."""
    all_headers = [("Content-Type", "text/html; charset=utf-8"), *(headers or [])]
    return SimResponse(status, text.encode("utf-8"), all_headers, reason)
