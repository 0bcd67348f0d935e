"""Sandbox credentials derived from the seed, so a config keeps working across restarts.

Owns how `crm-bridge sandbox --seed N` turns N into the Perfex token (a JWT for the user
`sandbox-seed-N`, issued at a fixed time), the ONLYOFFICE token and admin password, and the
token that guards the sandbox's own edit endpoint. They are not secrets: anyone who knows the
seed can derive them, which is fine for simulators that listen on loopback only.

Must not: be used for anything but the sandbox.
"""

from __future__ import annotations

import base64
import hashlib

# 2026-01-01T00:00:00Z: the Perfex token's API_TIME, well inside the module's ten-year window.
PERFEX_ISSUED_AT = 1_767_225_600
DEFAULT_PERFEX_PORT = 8081
DEFAULT_ONLYOFFICE_PORT = 8082


def _derived(seed: int, purpose: str, length: int) -> str:
    digest = hashlib.sha256(f"crm-bridge sandbox/{purpose}/{seed}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:length]


def perfex_token_user(seed: int) -> str:
    return f"sandbox-seed-{seed}"


def onlyoffice_token(seed: int) -> str:
    return _derived(seed, "onlyoffice-token", 43)


def onlyoffice_password(seed: int) -> str:
    return _derived(seed, "onlyoffice-password", 16)


def admin_token(seed: int) -> str:
    """The token the edit endpoint asks for in `X-Sandbox-Admin`."""
    return _derived(seed, "admin", 32)
