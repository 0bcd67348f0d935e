"""`crm-bridge check`: the configuration is valid and both APIs answer, read-only.

Each check reads one cheap thing and says in a line what it found. The first check that fails
raises the bridge's own error (wrong credentials: exit 4), so the operator reads one sentence
naming the system and what to fix. Nothing is written anywhere.
"""

from __future__ import annotations

from bridge.config import BridgeConfig
from bridge.wiring import Clients


def check_systems(config: BridgeConfig, clients: Clients) -> list[str]:
    lines = [f"config      {config.source}: valid", f"ledger      {config.ledger_path}"]
    version = clients.perfex.detect_version()
    lines.append(f"Perfex      {config.perfex.url}: reachable, API module {version}.x")
    settings = clients.onlyoffice.invoice_settings()
    codes = sorted(str(row.get("abbreviation")) for row in clients.onlyoffice.currencies())
    lines.append(
        f"ONLYOFFICE  {config.onlyoffice.url}: reachable, invoice prefix "
        f"{settings.get('prefix', '')!r}, {len(codes)} currencies"
    )
    missing = sorted(set(config.perfex.currencies) - set(codes))
    if missing:
        lines.append(
            f"warning     currencies {', '.join(missing)} of [perfex].currencies are unknown "
            "to ONLYOFFICE: invoices in them will fail"
        )
    return lines
