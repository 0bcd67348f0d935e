"""PHP runtime behaviour the Perfex simulator reproduces byte for byte.

Owns: `json_encode` output (default flags), PHP `serialize`, `nl2br`, PHP's string conversion of
scalars, `is_numeric`, `number_format` with two decimals (and its PHP 8 TypeError), a small
`strip_tags`, a partial CodeIgniter `xss_clean`, and `PhpFatalError`, the exception that stands
for an uncaught PHP error (HTTP 500 with an empty body in production mode).

Must not: know about invoices, HTTP routing or the store. Values are PHP-shaped here: a PHP array
is a Python `dict` with `int | str` keys in insertion order.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote_to_bytes

PhpValue = Any  # str | int | float | bool | None | dict[int | str, PhpValue]

TWO_PLACES = Decimal("0.01")


class PhpFatalError(Exception):
    """An uncaught PHP Error/TypeError: production Perfex answers HTTP 500 with an empty body."""


def json_encode(value: object) -> bytes:
    """PHP `json_encode` with default flags: `/` as `\\/`, non-ASCII as `\\uXXXX`, no spaces.

    Python's escaping already matches PHP's for quotes, backslashes, control characters and
    non-ASCII (lowercase hex, surrogate pairs); PHP additionally escapes `/` and leaves DEL raw.
    Only JSON strings can contain `/`, so a plain replace is exact.

    A string that is not valid UTF-8 (bytes kept as surrogate escapes) makes PHP's
    `json_encode` return false, which the module prints as an empty body: b"" here.
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    if "\\ud" in text and _has_invalid_utf8(value):
        return b""
    return text.replace("/", "\\/").replace("\\u007f", "\x7f").encode("ascii")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_invalid_utf8(value: object) -> bool:
    """Whether any string holds a lone surrogate, i.e. bytes that were not UTF-8."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_invalid_utf8(k) or _has_invalid_utf8(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_invalid_utf8(item) for item in value)
    return False


def php_key(key: str) -> int | str:
    """PHP turns canonical decimal-integer string keys into integer keys."""
    if re.fullmatch(r"0|-?[1-9][0-9]{0,18}", key) and -(2**63) <= int(key) < 2**63:
        return int(key)
    return key


def from_json(value: object) -> PhpValue:
    """`json_decode($text, true)`: objects and lists both become PHP arrays."""
    if isinstance(value, dict):
        return {php_key(str(k)): from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return {index: from_json(item) for index, item in enumerate(value)}
    return value


def to_php_string(value: PhpValue) -> str:
    """PHP's `(string)` cast of a scalar (arrays raise, as PHP 8 would on trim/strlen)."""
    if isinstance(value, dict):
        raise PhpFatalError("array given where a string was expected")
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float):
        return _php_float(value)
    return str(value)


def _php_float(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{exponent.lstrip('+-')}"
    return text


def php_float_string(value: float) -> str:
    """A float interpolated into SQL text: PHP's `(string)` with `precision = 14`."""
    if value != value or value in (float("inf"), float("-inf")):
        return "NAN" if value != value else ("INF" if value > 0 else "-INF")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".14G")


_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*")
_LEADING_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_numeric(value: PhpValue) -> bool:
    """PHP 8 `is_numeric`: numbers, and strings that are entirely a number (whitespace allowed)."""
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return False
    if isinstance(value, int | float):
        return True
    return _NUMERIC.fullmatch(value) is not None


def to_decimal(value: PhpValue) -> Decimal:
    """The numeric value of a PHP scalar that `is_numeric` accepted (or of a number)."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | float):
        return Decimal(str(value))
    return Decimal(str(value).strip())


def number_format_2(value: PhpValue) -> str:
    """`number_format($value, 2, '.', '')` under PHP 8.

    NULL counts as 0 (a deprecation only). A string that does not start with a number is a
    TypeError, which escapes the controller: the request ends as an HTTP 500 (API notes 2.5).
    """
    if value is None or value is False:
        return "0.00"
    if isinstance(value, dict):
        raise PhpFatalError("number_format(): Argument #1 must be of type float, array given")
    if isinstance(value, str) and not is_numeric(value):
        match = _LEADING_NUMERIC.match(value)
        if match is None:
            raise PhpFatalError("number_format(): Argument #1 must be of type float, string given")
        value = match.group(0)
    return str(round_half_up(to_decimal(value)))


def round_half_up(value: Decimal, places: Decimal = TWO_PLACES) -> Decimal:
    """PHP `round`/`number_format` and MySQL DECIMAL rounding: half away from zero."""
    try:
        return value.quantize(places, rounding=ROUND_HALF_UP)
    except InvalidOperation as error:  # e.g. 1e400 does not fit
        raise PhpFatalError("number out of range") from error


def serialize(value: PhpValue) -> str:
    """PHP `serialize` of strings, numbers, booleans, NULL and arrays (string lengths in bytes)."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{_php_float(value)};"
    if isinstance(value, dict):
        body = "".join(serialize(key) + serialize(item) for key, item in value.items())
        return f"a:{len(value)}:{{{body}}}"
    text = str(value)
    return f's:{len(text.encode("utf-8"))}:"{text}";'


_NEWLINE = re.compile(r"(\r\n|\n\r|\n|\r)")


def nl2br(value: PhpValue) -> str:
    """PHP `nl2br`: `<br />` before every line break, the break itself kept (so it doubles)."""
    return _NEWLINE.sub(r"<br />\1", to_php_string(value))


def php_trim(value: PhpValue) -> str:
    """PHP `trim` with its default character list."""
    return to_php_string(value).strip(" \t\n\r\0\x0b")


_TAG = re.compile(r"<[^>]*>")


def strip_tags(text: str) -> str:
    return _TAG.sub("", text)


# --- CodeIgniter 3 Security::xss_clean, the parts that change ordinary invoice text ------------

_INVISIBLE = re.compile(rb"%0[0-8bcef]|%1[0-9a-f]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", re.IGNORECASE)
_PERCENT_HEX = re.compile(rb"%[0-9a-fA-F]{2}")
_NEVER_ALLOWED = {
    "document.cookie": "[removed]",
    "(document).cookie": "[removed]",
    "document.write": "[removed]",
    "(document).write": "[removed]",
    ".parentNode": "[removed]",
    ".innerHTML": "[removed]",
    "-moz-binding": "[removed]",
    "<!--": "&lt;!--",
    "-->": "--&gt;",
    "<![CDATA[": "&lt;![CDATA[",
    "<comment>": "&lt;comment&gt;",
    "<%": "&lt;&#37;",
}
_NEVER_ALLOWED_RE = re.compile(
    r"javascript\s*:|vbscript\s*:|wscript\s*:|jscript\s*:|vbs\s*:|Redirect\s+30\d"
    r"|expression\s*(\(|&\#40;)",
    re.IGNORECASE,
)


def xss_clean(raw: bytes) -> bytes:
    """What `xss_clean` does to a raw request body before M2.0.8's PUT decodes it (API notes 2.6).

    Simulated: invisible-character removal, the repeated `rawurldecode` (so `%22` inside a JSON
    string becomes a quote and breaks the JSON), and the never-allowed strings and patterns.
    Not simulated: the tag and attribute rewriting for HTML markup.
    """
    text = _remove_invisible(raw)
    while _PERCENT_HEX.search(text):
        decoded = unquote_to_bytes(text)
        if decoded == text:
            break
        text = decoded
    cleaned = _remove_invisible(text).decode("utf-8", "surrogateescape")
    for needle, replacement in _NEVER_ALLOWED.items():
        cleaned = cleaned.replace(needle, replacement)
    cleaned = _NEVER_ALLOWED_RE.sub("[removed]", cleaned)
    return cleaned.encode("utf-8", "surrogateescape")


def _remove_invisible(raw: bytes) -> bytes:
    return _INVISIBLE.sub(b"", raw)
