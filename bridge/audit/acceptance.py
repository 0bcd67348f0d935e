"""Accepted differences: what `crm-bridge accept` remembers and `audit` honours.

An acceptance holds the full fingerprint of each side's invoice as it was when a person
accepted it (None for a side that has no invoice). It holds exactly as long as both
fingerprints still match: the moment either invoice changes, the acceptance no longer applies
and the difference is listed again. A linked pair keeps it in its link's facts (`accepted`);
an invoice that has no link (one only one system has) keeps it in the ledger's meta values
under `accepted:<side>:<id>`.

Must not: read either system; callers pass the fingerprints they read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from state import Ledger, Link

FACT = "accepted"
Prints = Mapping[str, str | None]  # side -> full fingerprint, None where there is no invoice


def record(prints: Prints, at: datetime) -> dict[str, str | None]:
    """What is stored for an acceptance made `at`."""
    return {
        "perfex": prints.get("perfex"),
        "onlyoffice": prints.get("onlyoffice"),
        "at": at.isoformat(),
    }


def holds(stored: Mapping[str, object] | None, prints: Prints) -> bool:
    """Whether an acceptance still applies to invoices with these fingerprints."""
    if not stored:
        return False
    return all(stored.get(side) == prints.get(side) for side in ("perfex", "onlyoffice"))


def meta_key(side: str, record_id: str) -> str:
    return f"accepted:{side}:{record_id}"


def of_link(link: Link | None) -> Mapping[str, object] | None:
    return link.fact(FACT) if link is not None else None


def of_lone(ledger: Ledger, side: str, record_id: str) -> Mapping[str, object] | None:
    """The acceptance of an invoice no link names, if one was made."""
    text = ledger.get_meta(meta_key(side, record_id))
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def remember_lone(ledger: Ledger, side: str, record_id: str, prints: Prints, at: datetime) -> None:
    ledger.set_meta(meta_key(side, record_id), json.dumps(record(prints, at), sort_keys=True))
