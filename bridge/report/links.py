"""Links from a report to an invoice in each system's web screens, built from the configured URLs.

Owns the two address patterns: the Perfex admin screen of one invoice
(`<url>/admin/invoices/list_invoices/<id>`) and the ONLYOFFICE CRM invoice card
(`<url>/Products/CRM/Invoices.aspx?id=<id>&action=card`).

Must not: invent a link without a configured URL, or build one from anything but an http(s)
URL and a plain record id (a report may be opened by someone who trusts its links).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from bridge.errors import system_name
from state.records import Outcome

_PLAIN_ID = re.compile(r"^[0-9A-Za-z_-]+$")


@dataclass(frozen=True)
class WebLinks:
    """The two systems' base URLs, as configured (`[perfex].url`, `[onlyoffice].url`)."""

    perfex_url: str | None = None
    onlyoffice_url: str | None = None

    def invoice(self, system: str, record_id: str | None) -> str | None:
        """The invoice's page in `system`'s web screens, or None when it cannot be linked."""
        base = _base(self.perfex_url if system == "perfex" else self.onlyoffice_url)
        if base is None or not record_id or not _PLAIN_ID.match(record_id):
            return None
        if system == "perfex":
            return f"{base}/admin/invoices/list_invoices/{quote(record_id)}"
        return f"{base}/Products/CRM/Invoices.aspx?id={quote(record_id)}&action=card"

    def of(self, outcome: Outcome) -> tuple[tuple[str, str], ...]:
        """(system name, link) for each side of an invoice outcome that can be linked, Perfex
        first whichever way the invoice went."""
        if outcome.kind != "invoice":
            return ()
        ids = {outcome.source: outcome.source_id, outcome.target: outcome.target_id}
        sides = [(system, ids[system]) for system in ("perfex", "onlyoffice") if system in ids]
        found = ((system, self.invoice(system, record_id)) for system, record_id in sides)
        return tuple((system_name(system), link) for system, link in found if link)


def _base(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.strip().rstrip("/")
