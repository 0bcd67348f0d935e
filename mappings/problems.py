"""The two ways translation can go wrong: bad input (an exception) and an honest refusal (a value).

`MappingError` is raised while *parsing* a raw API object that does not have the shape the
contracts describe (a missing field, a number that is not a number). `MappingProblem` is
*returned* when a well-formed invoice cannot be carried to the other side without guessing or
losing money; the sync engine reports it as `failed`, or `skipped` when `skip` is set.

This module must not know about any particular model or API; messages are built by callers.
"""

from __future__ import annotations

from dataclasses import dataclass

# The most of a field name and of a reason a message keeps: a reason quotes the raw value, and a
# damaged row may hold 10,000 characters where a date belongs; the report needs only its start.
FIELD_CHARS = 120
REASON_CHARS = 200


class MappingError(ValueError):
    """A raw API value could not be parsed. The message names the field (and quotes the start
    of the value)."""

    def __init__(self, field: str, message: str) -> None:
        field, message = _tail(field, FIELD_CHARS), clipped(message, REASON_CHARS)
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def clipped(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """An invoice that cannot be translated, said in one line a user understands."""

    field: str
    message: str
    skip: bool = False

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _tail(text: str, limit: int) -> str:
    """`text` on one line, its start cut when longer: a field's own name comes last."""
    line = " ".join(text.split())
    return line if len(line) <= limit else "…" + line[-(limit - 1) :]
