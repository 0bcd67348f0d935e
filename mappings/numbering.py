"""Invoice numbers: Perfex's integer + prefix to one display string, and back.

Owns the configurable pattern that turns a Perfex number (integer `number`, `prefix`, year of
`date`; docs/perfex-api.md 3.1) into the ONLYOFFICE `number` string, which is the
natural key both sides are matched on, and the reverse parse for the ONLYOFFICE → Perfex
direction.

Must not: look numbers up anywhere or decide uniqueness; that is the engine's business.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

_FIELDS = ("prefix", "number", "year")
_FIELD_PATTERNS = {"prefix": r"(?P<prefix>.*?)", "number": r"(?P<number>\d+)", "year": r"\d+"}
# Used when a number does not follow the configured pattern: whatever ends in digits.
_TRAILING_DIGITS = re.compile(r"(?P<prefix>.*?)(?P<number>\d+)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A display number split back into Perfex's `prefix` and integer `number`."""

    prefix: str
    number: int


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """A `str.format` pattern over the fields `prefix`, `number` and `year`.

    The default renders like Perfex's own number format 1 (`INV-001042`).
    """

    pattern: str = "{prefix}{number:06d}"
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern))
        try:
            self.format("INV-", 1, 2024)
        except (ValueError, TypeError) as error:
            raise ValueError(f"number format {self.pattern!r}: {error}") from error

    def format(self, prefix: str, number: int, year: int) -> str:
        return self.pattern.format(prefix=prefix, number=number, year=year)

    def parse(self, text: str) -> ParsedNumber | None:
        """The prefix and number inside `text`, or None when it has no trailing digits."""
        match = self._regex.fullmatch(text) or _TRAILING_DIGITS.fullmatch(text)
        if match is None:
            return None
        return ParsedNumber(prefix=match.group("prefix") or "", number=int(match.group("number")))


def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    for literal, name, _spec, _conversion in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name not in _FIELDS:
            raise ValueError(f"number format {pattern!r}: unknown field {{{name}}}")
        if name in seen:
            raise ValueError(f"number format {pattern!r}: {{{name}}} appears twice")
        seen.add(name)
        parts.append(_FIELD_PATTERNS[name])
    if "number" not in seen:
        raise ValueError(f"number format {pattern!r} must contain {{number}}")
    if "prefix" not in seen:
        parts.insert(0, r"(?P<prefix>)")
    return re.compile("".join(parts), re.DOTALL)
