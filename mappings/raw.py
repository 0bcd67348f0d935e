"""Reading one raw API object (a decoded JSON dict) field by field.

Owns the small typed accessors both parsers use, so that every failure becomes a
`MappingError` naming the object and the field. System-specific rules (Perfex's `<br />`,
ONLYOFFICE's ApiDateTime) live in `perfex.py` and `onlyoffice.py`.

Must not: guess: a value of the wrong shape is an error, not a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from mappings.money import parse_money
from mappings.problems import MappingError, clipped

_INTEGER = re.compile(r"[+-]?\d+")
MYSQL_ZERO_DATE = "0000-00-00"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
LABEL_CHARS = 40  # the most of a record's id an error quotes to name the record


class RawRecord:
    """A raw object; `what` ("Perfex invoice 58") prefixes every error's field name."""

    def __init__(self, raw: object, what: str, *, any_case: bool = False) -> None:
        if not isinstance(raw, Mapping):
            raise MappingError(what, f"expected a JSON object, got {type(raw).__name__}")
        self.what = what
        # ONLYOFFICE documents PascalCase in places while the wire is camelCase (its contract
        # 2.3); with `any_case` a key is found whatever its case.
        self._raw: Mapping[str, Any] = (
            {str(key).lower(): value for key, value in raw.items()} if any_case else raw
        )
        self._any_case = any_case

    @classmethod
    def named(cls, raw: object, kind: str, key: str = "id", *, any_case: bool = False) -> RawRecord:
        """A record whose errors read "<kind> <raw[key]>: field", e.g. "Perfex invoice 58"."""
        label = raw.get(key, "?") if isinstance(raw, Mapping) else "?"
        return cls(raw, f"{kind} {clipped(str(label), LABEL_CHARS)}", any_case=any_case)

    def get(self, name: str) -> Any:
        return self._raw.get(name.lower() if self._any_case else name)

    def has(self, name: str) -> bool:
        return (name.lower() if self._any_case else name) in self._raw

    def error(self, name: str, message: str) -> MappingError:
        return MappingError(f"{self.what}: {name}", message)

    def required(self, name: str) -> Any:
        value = self.get(name)
        if value is None:
            raise self.error(name, "missing")
        return value

    def text(self, name: str) -> str:
        """A string field; missing or null reads as ""."""
        value = self.get(name)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(name, f"expected text, got {type(value).__name__}")
        return str(value)

    def integer(self, name: str) -> int:
        return self._to_int(name, self.required(name))

    def optional_integer(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None or value == "" else self._to_int(name, value)

    def _to_int(self, name: str, value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value.strip())
        raise self.error(name, f"expected a whole number, got {value!r}")

    def id_text(self, name: str) -> str:
        """An id as a string: Perfex sends "12", a tolerant reader also takes 12."""
        return str(self.integer(name))

    def money(self, name: str) -> Decimal:
        return parse_money(self.required(name), f"{self.what}: {name}")

    def money_or_zero(self, name: str) -> Decimal:
        value = self.get(name)
        return Decimal("0") if value is None or value == "" else self.money(name)

    def iso_date(self, name: str) -> date:
        raw = self.get(name)
        if raw == MYSQL_ZERO_DATE:
            # MySQL's zero date is legal in a real database but names no day.
            raise self.error(name, f'"{MYSQL_ZERO_DATE}" is not a date')
        value = self.optional_iso_date(name)
        if value is None:
            raise self.error(name, "missing" if raw is None else f"{raw!r} is not a date")
        return value

    def optional_iso_date(self, name: str) -> date | None:
        """`YYYY-MM-DD`; null, "" and MySQL's zero date read as None."""
        value = self.get(name)
        if value is None or value in ("", MYSQL_ZERO_DATE):
            return None
        return self.date_from(name, value)

    def date_from(self, name: str, value: object) -> date:
        match = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise self.error(name, f"expected a date like 2024-03-01, got {value!r}")
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as error:
            raise self.error(name, f"not a calendar date: {value!r}") from error


def one_newline_style(text: str) -> str:
    """CRLF and CR become LF, so text typed in a browser compares equal after a round trip."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
