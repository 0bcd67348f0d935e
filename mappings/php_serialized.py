"""Reading the one PHP-serialized value the sync meets: Perfex's `allowed_payment_modes`.

Perfex stores that column with PHP `serialize()` and the API returns it verbatim, e.g.
`a:2:{i:0;s:1:"1";i:1;s:1:"2";}` (docs/perfex-api.md 2.5 step 3 and 3.1; the
apidoc's `"['1']"` sample is wrong). Only arrays of strings and integers are understood.

Must not: evaluate anything or accept objects: this is a strict reader, not `unserialize`.
"""

from __future__ import annotations

import re

_ARRAY_HEAD = re.compile(rb"a:(\d+):\{")
_INT = re.compile(rb"i:(-?\d+);")
_STR_HEAD = re.compile(rb"s:(\d+):\"")


class PhpSerializedError(ValueError):
    pass


def parse_string_list(text: str) -> tuple[str, ...]:
    """The values of a serialized PHP array of strings/ints, in order, as strings."""
    data = text.strip().encode("utf-8")
    if data in (b"", b"N;", b"b:0;"):
        return ()
    head = _ARRAY_HEAD.match(data)
    if head is None:
        raise PhpSerializedError(f"not a serialized PHP array: {text!r}")
    position = head.end()
    values: list[str] = []
    for _ in range(int(head[1])):
        _key, position = _scalar(data, position)
        value, position = _scalar(data, position)
        values.append(value)
    if data[position:] != b"}":
        raise PhpSerializedError(f"unexpected text after the array: {text!r}")
    return tuple(values)


def _scalar(data: bytes, position: int) -> tuple[str, int]:
    integer = _INT.match(data, position)
    if integer is not None:
        return integer[1].decode("ascii"), integer.end()
    head = _STR_HEAD.match(data, position)
    if head is None:
        raise PhpSerializedError(f"expected i: or s: at byte {position}")
    # The length counts bytes, not characters, so a UTF-8 gateway name still parses.
    start = head.end()
    end = start + int(head[1])
    if data[end : end + 2] != b'";':
        raise PhpSerializedError(f"string length does not match at byte {position}")
    return data[start:end].decode("utf-8"), end + 2
