"""Links: which Perfex record corresponds to which ONLYOFFICE record, and what each side
looked like when the two were last in step (full and list-row fingerprints).

A link is unique per (kind, perfex_id) and per (kind, onlyoffice_id); saving one replaces
whatever links shared either id, so the ledger can never map one record to two. These are
plain functions over a `Database`; the caller (`state.ledger.Ledger`) owns transactions and
error translation. This module must not decide anything about syncing: it stores what it is
told.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from state.codec import optional_time_to_text, time_from_text

KINDS = ("invoice", "contact", "item", "tax")
SIDES = ("perfex", "onlyoffice")
FINGERPRINT_FIELDS = (
    "perfex_fp",
    "onlyoffice_fp",
    "perfex_row_fp",
    "onlyoffice_row_fp",
    "perfex_raw_fp",
    "onlyoffice_raw_fp",
)
_COLUMNS = (
    "kind",
    "perfex_id",
    "onlyoffice_id",
    "natural_key",
    *FINGERPRINT_FIELDS,
    "extra",
    "checked_at",
    "synced_at",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM links"


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")


def check_side(side: str) -> None:
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {', '.join(SIDES)}")


def check_id(name: str, value: object) -> None:
    # Ids are strings everywhere (the README); an int slipping in would match in SQLite
    # but come back as a different type, so refuse it at the door.
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string, got {value!r}")


@dataclass(frozen=True)
class Link:
    """One record on each side that the bridge treats as the same document."""

    kind: str
    perfex_id: str
    onlyoffice_id: str
    natural_key: str
    perfex_fp: str | None = None
    onlyoffice_fp: str | None = None
    perfex_row_fp: str | None = None
    onlyoffice_row_fp: str | None = None
    # A cheap hash of each side's raw list row as last seen (see `bridge.engine.sides`).
    perfex_raw_fp: str | None = None
    onlyoffice_raw_fp: str | None = None
    # Small JSON facts about the pair, by name (see `Link.fact`); never secrets.
    extra: Mapping[str, Any] = field(default_factory=dict)
    checked_at: datetime | None = None  # when the deep pass last compared the pair in full
    synced_at: datetime | None = None

    def __post_init__(self) -> None:
        check_kind(self.kind)
        check_id("perfex_id", self.perfex_id)
        check_id("onlyoffice_id", self.onlyoffice_id)
        if not isinstance(self.natural_key, str):
            raise TypeError(f"natural_key must be a string, got {self.natural_key!r}")

    def fact(self, name: str, default: Any = None) -> Any:
        """One of the pair's remembered facts (`extra`)."""
        return self.extra.get(name, default)

    def with_facts(self, **facts: Any) -> Link:
        """This link with some facts set (None removes one)."""
        merged = {**self.extra, **facts}
        return replace(self, extra={k: v for k, v in merged.items() if v is not None})

    def id_on(self, side: str) -> str:
        """This link's record id on `side` ("perfex" or "onlyoffice")."""
        check_side(side)
        return self.perfex_id if side == "perfex" else self.onlyoffice_id


def _check_record(kind: str, side: str, record_id: str) -> None:
    # `side` is interpolated into column names below, so it must be one of SIDES.
    check_kind(kind)
    check_side(side)
    check_id("record_id", record_id)


class StoredFacts(Mapping[str, Any]):
    """A link's facts as stored, decoded on first use: a run loads every link, and most of
    them are never asked for their facts."""

    __slots__ = ("_text", "_facts")

    def __init__(self, text: str) -> None:
        self._text = text
        self._facts: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._facts is None:
            self._facts = json.loads(self._text)
            self._text = ""
        return self._facts

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._decoded()) == dict(other)

    __hash__ = None  # type: ignore[assignment]


def _link_from_row(row: tuple[Any, ...]) -> Link:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["synced_at"] = time_from_text(values["synced_at"])
    values["checked_at"] = time_from_text(values["checked_at"])
    values["extra"] = StoredFacts(values["extra"]) if values["extra"] else {}
    return Link(**values)


def _link_to_row(link: Link) -> list[Any]:
    values = [getattr(link, column) for column in _COLUMNS[:-3]]
    extra = json.dumps(dict(link.extra), sort_keys=True, separators=(",", ":"))
    return [
        *values,
        extra if link.extra else None,
        optional_time_to_text(link.checked_at),
        optional_time_to_text(link.synced_at),
    ]


def find_by_id(db: Database, kind: str, side: str, record_id: str) -> Link | None:
    _check_record(kind, side, record_id)
    sql = f"{_SELECT} WHERE kind = ? AND {side}_id = ?"
    row = db.execute(sql, [kind, record_id]).fetchone()
    return None if row is None else _link_from_row(row)


def find_by_key(db: Database, kind: str, natural_key: str) -> Link | None:
    """The link with this natural key; the most recently saved one if several share it."""
    check_kind(kind)
    sql = f"{_SELECT} WHERE kind = ? AND natural_key = ? ORDER BY id DESC LIMIT 1"
    row = db.execute(sql, [kind, natural_key]).fetchone()
    return None if row is None else _link_from_row(row)


def all_of_kind(db: Database, kind: str) -> list[Link]:
    """Every link of `kind`, in the order they were saved."""
    check_kind(kind)
    return [
        _link_from_row(row) for row in db.execute(f"{_SELECT} WHERE kind = ? ORDER BY id", [kind])
    ]


def count(db: Database, kind: str) -> int:
    check_kind(kind)
    return db.execute("SELECT COUNT(*) FROM links WHERE kind = ?", [kind]).fetchone()[0]


def save(db: Database, link: Link) -> None:
    """Store `link`, replacing any link that shares its Perfex or its ONLYOFFICE id.

    Two statements: run inside a transaction.
    """
    db.execute(
        "DELETE FROM links WHERE kind = ? AND (perfex_id = ? OR onlyoffice_id = ?)",
        [link.kind, link.perfex_id, link.onlyoffice_id],
    )
    placeholders = ", ".join("?" for _ in _COLUMNS)
    db.execute(
        f"INSERT INTO links ({', '.join(_COLUMNS)}) VALUES ({placeholders})", _link_to_row(link)
    )


def update_fingerprints(
    db: Database, kind: str, side: str, record_id: str, fields: dict[str, Any]
) -> None:
    """Change only the named fingerprint fields (and `synced_at`) of one link."""
    _check_record(kind, side, record_id)
    values = _fingerprint_values(fields)
    if not values:
        raise ValueError("update_fingerprints needs at least one field to change")
    assignments = ", ".join(f"{column} = ?" for column in values)
    cursor = db.execute(
        f"UPDATE links SET {assignments} WHERE kind = ? AND {side}_id = ?",
        [*values.values(), kind, record_id],
    )
    if cursor.rowcount == 0:
        raise LookupError(f"no {kind} link for {side} id {record_id!r}")


def _fingerprint_values(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - {*FINGERPRINT_FIELDS, "synced_at", "checked_at"})
    if unknown:
        raise ValueError(f"not a fingerprint field: {', '.join(unknown)}")
    values = {name: fields[name] for name in FINGERPRINT_FIELDS if name in fields}
    for moment in ("synced_at", "checked_at"):
        if moment in fields:
            values[moment] = optional_time_to_text(fields[moment])
    return values


def set_raw_digests(
    db: Database, kind: str, digests: list[tuple[str, str | None, str | None]]
) -> None:
    """(perfex_id, perfex_raw_fp, onlyoffice_raw_fp) for many links at once."""
    check_kind(kind)
    db.conn.executemany(
        "UPDATE links SET perfex_raw_fp = ?, onlyoffice_raw_fp = ?"
        " WHERE kind = ? AND perfex_id = ?",
        [
            (perfex_raw, onlyoffice_raw, kind, perfex_id)
            for perfex_id, perfex_raw, onlyoffice_raw in digests
        ],
    )


def delete(db: Database, kind: str, side: str, record_id: str) -> None:
    """Forget the link of this record; nothing happens when there is none."""
    _check_record(kind, side, record_id)
    db.execute(f"DELETE FROM links WHERE kind = ? AND {side}_id = ?", [kind, record_id])
