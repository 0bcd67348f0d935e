"""Broken database rows, as each simulator serves them: a test and admin facility, no API route.

Real installs hold rows no API would write: a column missing after a half-done upgrade, NULL
or "" where a value belongs, MySQL's zero date, numbers at the column's limit, a pasted 10,000
character text, bytes that are not UTF-8. A test damages one field of one stored record
(`PerfexAdmin.damage`, `OnlyofficeAdmin.damage`), and from then on every answer that carries
that record shows the damage, exactly where the real server would show it, until the test
repairs it or an API write rewrites the field.

Owns: the kinds of damage (`HOWS`), the book of damaged fields per record (`DamageBook`), and
what each kind looks like on each side's wire:

                 Perfex (PHP, mysqli strings)            ONLYOFFICE (.NET, Json.NET)
    missing      key absent                              key absent
    null         null                                    null
    empty        ""                                      ""
    wrong_type   numeric text as a JSON number, other    numbers as text ("12.50"), text as
                 text as false, null as 0                the number 0, objects as text
    zero_date    "0000-00-00" ("... 00:00:00" for        "0001-01-01T00:00:00.0000000Z" (what
                 datetimes), as mysqli returns it        a zero date reads as in .NET)
    huge_number  "9999999999999.99" (DECIMAL(15,2)'s     99999999.99 (decimal(10,2)'s limit),
                 limit), "2147483647" for integers       2147483647 for integers
    long_text    10,000 characters                       10,000 characters
    invalid_utf8 the answer's body is EMPTY, status      U+FFFD where the bad bytes were: the
                 200: PHP `json_encode` fails on bad     connector decodes them with
                 UTF-8 and returns false, which the      replacement characters, and the JSON
                 module prints as nothing, so one bad    stays valid
                 row empties the whole list

Must not: change the stored typed values (the servers' own logic keeps working on them) or
be reachable through an API route.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from decimal import Decimal

HOWS = (
    "missing",
    "null",
    "empty",
    "wrong_type",
    "zero_date",
    "huge_number",
    "long_text",
    "invalid_utf8",
)
MISSING = object()  # the wire value that removes the key
LONG_TEXT_SIZE = 10_000
_LONG_UNIT = "Lorem ipsum dolor sit amet, Größe ½ – ünïcödé. "
INVALID_BYTES = b"\xff\xfe\xc3("  # never valid UTF-8


def long_text() -> str:
    return (_LONG_UNIT * (LONG_TEXT_SIZE // len(_LONG_UNIT) + 1))[:LONG_TEXT_SIZE]


class DamageBook:
    """Damaged fields per (kind, record id): the wire values that replace the real ones."""

    def __init__(self) -> None:
        self._fields: dict[tuple[str, int], dict[str, object]] = {}
        self._lock = threading.Lock()

    def set(self, kind: str, record_id: int, field: str, wire_value: object) -> None:
        with self._lock:
            self._fields.setdefault((kind, record_id), {})[field] = wire_value

    def repair(self, kind: str, record_id: int, fields: Iterable[str] | None = None) -> None:
        """Forgets the damage of a record, or of some of its fields (an API write did it)."""
        with self._lock:
            entry = self._fields.get((kind, record_id))
            if entry is None:
                return
            for name in list(entry) if fields is None else list(fields):
                entry.pop(name, None)
            if not entry:
                del self._fields[(kind, record_id)]

    def apply(self, kind: str, record_id: int, wire: dict[str, object]) -> dict[str, object]:
        """`wire` with the record's damage applied (the same dict, changed in place)."""
        if not self._fields:
            return wire
        with self._lock:
            entry = dict(self._fields.get((kind, record_id), {}))
        for name, value in entry.items():
            if value is MISSING:
                wire.pop(name, None)
            else:
                wire[name] = value
        return wire

    def __bool__(self) -> bool:
        return bool(self._fields)


def perfex_wire_value(how: str, current: object) -> object:
    """What a broken `how` looks like in a Perfex answer, given the field's normal value."""
    if how == "wrong_type":
        return _php_wrong_type(current)
    if how == "zero_date":
        return (
            "0000-00-00 00:00:00" if isinstance(current, str) and ":" in current else "0000-00-00"
        )
    if how == "huge_number":
        integer = isinstance(current, str) and current.lstrip("-").isdigit()
        return "2147483647" if integer else "9999999999999.99"
    if how == "invalid_utf8":
        text = current if isinstance(current, str) else "Müller"
        # Stored bytes that are not UTF-8, kept as surrogate escapes (PHP strings are bytes).
        return text + INVALID_BYTES.decode("utf-8", "surrogateescape")
    return _common(how)


def onlyoffice_wire_value(how: str, current: object) -> object:
    """What a broken `how` looks like in an ONLYOFFICE answer, given the field's normal value."""
    if how == "wrong_type":
        return _net_wrong_type(current)
    if how == "zero_date":
        return "0001-01-01T00:00:00.0000000Z"
    if how == "huge_number":
        is_int = isinstance(current, int) and not isinstance(current, bool)
        return 2147483647 if is_int else Decimal("99999999.99")
    if how == "invalid_utf8":
        text = current if isinstance(current, str) else "Müller"
        return text + INVALID_BYTES.decode("utf-8", "replace")
    return _common(how)


def _common(how: str) -> object:
    if how == "missing":
        return MISSING
    if how == "null":
        return None
    if how == "empty":
        return ""
    if how == "long_text":
        return long_text()
    raise ValueError(f"unknown damage {how!r}; one of {HOWS}")


def _php_wrong_type(current: object) -> object:
    if current is None:
        return 0
    if isinstance(current, str):
        try:
            number = Decimal(current)
        except ArithmeticError:
            return False
        return int(number) if number == number.to_integral_value() else float(number)
    return "Array" if isinstance(current, list | dict) else str(current)


def _net_wrong_type(current: object) -> object:
    if isinstance(current, bool):
        return "true" if current else "false"
    if isinstance(current, int | Decimal):
        return f"{current:.2f}" if isinstance(current, Decimal) else str(current)
    if isinstance(current, str):
        return 0
    if current is None:
        return 0
    return str(current)
