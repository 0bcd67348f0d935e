"""Line-tax evidence: the taxes each line description was last known to carry in Perfex.

Perfex's API never returns the taxes of an invoice line, only the invoice's total tax, so the
bridge infers them when it reads a Perfex invoice. Whatever it learns for certain (taxes it
wrote itself, or an inference that explained the totals exactly) is kept here by description,
as evidence for reading later invoices. Taxes are stored as Perfex writes them: "NAME|RATE".

Plain functions over a `Database`; this module must not decide what counts as evidence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlite_utils import Database

from state.codec import time_to_text


def remember(db: Database, taxes: Mapping[str, Sequence[str]], now: datetime) -> None:
    """Store the taxes of each description (an empty list means "no tax")."""
    stamp = time_to_text(now)
    rows = [
        {"description": description, "taxes": json.dumps(list(names)), "seen_at": stamp}
        for description, names in taxes.items()
    ]
    if rows:
        db["line_taxes"].upsert_all(rows, pk="description")


def known(db: Database) -> dict[str, tuple[str, ...]]:
    """Every description's last known taxes."""
    rows = db.execute("SELECT description, taxes FROM line_taxes")
    return {description: tuple(json.loads(taxes)) for description, taxes in rows}
