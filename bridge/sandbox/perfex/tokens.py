"""API tokens of the simulated module: JWT issue and check, the `tbluser_api` registry, permissions.

Owns: HS256 JWTs signed with the simulator's module key (payload `{user, name, API_TIME}`,
API notes 1.1), decoding with the exception texts of php-jwt 6.x (the module answers them
verbatim in a 404), the registry of issued tokens, and each token's permission table
(feature -> capabilities; `None` = `permission_enable` 0, everything allowed).

Must not: read headers or build responses; `auth.py` decides which header carries the token and
what the client is told. Tokens are secrets: nothing here logs them or puts them in messages.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The simulator's own key: it stands in for the fixed key in the module's config/jwt.php.
MODULE_KEY = b"crm-bridge-sandbox perfex api module key"
SUPPORTED_ALGS = frozenset(
    {"ES384", "ES256", "ES256K", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "EdDSA"}
)
TOKEN_EXPIRE_SECONDS = 315569260  # config/jwt.php token_expire_time, about ten years
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")


class TokenInvalid(Exception):
    """The JWT library refused the token; `str(error)` is the text the module answers."""


@dataclass(frozen=True)
class ApiUser:
    """One `tbluser_api` row."""

    user: str
    token: str
    permissions: Mapping[str, frozenset[str]] | None  # None: permission_enable = 0

    def allows(self, feature: str, capability: str) -> bool:
        if self.permissions is None:
            return True
        return capability in self.permissions.get(feature, frozenset())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(segment: str) -> bytes:
    """php-jwt `urlsafeB64Decode`: PHP's lenient `base64_decode` drops invalid characters."""
    cleaned = _NOT_BASE64.sub("", segment.replace("-", "+").replace("_", "/"))
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        return b""


def encode(payload: Mapping[str, object], key: bytes = MODULE_KEY) -> str:
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def decode(token: str, now: float, key: bytes = MODULE_KEY) -> dict[str, object]:
    """`JWT::decode` followed by the module's API_TIME check, raising `TokenInvalid`."""
    payload = dict(_verified(token, key))
    _check_api_time(payload, now)
    return payload


@functools.lru_cache(maxsize=512)
def _verified(token: str, key: bytes) -> tuple[tuple[str, object], ...]:
    """The signature checks, cached: the same token is presented on every request."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenInvalid("Wrong number of segments")
    header = _json_segment(parts[0], "Invalid header encoding")
    payload = _json_segment(parts[1], "Invalid claims encoding")
    if not isinstance(payload, dict):
        raise TokenInvalid("Payload must be a JSON object")
    algorithm = header.get("alg") if isinstance(header, dict) else None
    if not algorithm:
        raise TokenInvalid("Empty algorithm")
    if algorithm not in SUPPORTED_ALGS:
        raise TokenInvalid("Algorithm not supported")
    if algorithm != "HS256":
        raise TokenInvalid("Incorrect key for this algorithm")
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _unb64(parts[2])):
        raise TokenInvalid("Signature verification failed")
    return tuple(payload.items())


def _json_segment(segment: str, null_message: str) -> object:
    text = _unb64(segment)
    try:
        value = json.loads(text.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise TokenInvalid("Malformed UTF-8 characters") from error
    except ValueError as error:
        raise TokenInvalid("Syntax error, malformed JSON") from error
    if value is None:
        raise TokenInvalid(null_message)
    return value


def _check_api_time(payload: Mapping[str, object], now: float) -> None:
    """The module library's own check (texts as in its Authorization_Token library)."""
    issued = payload.get("API_TIME")
    if not isinstance(issued, int | float) or isinstance(issued, bool) or not issued:
        raise TokenInvalid("Token Time Not Define!")
    if now - issued >= TOKEN_EXPIRE_SECONDS:
        raise TokenInvalid("Token Time Expire.")


class TokenRegistry:
    """`tbluser_api`: the tokens the admin created, with their permission tables."""

    def __init__(self) -> None:
        self._users: dict[str, ApiUser] = {}
        self._lock = threading.Lock()

    def issue(
        self,
        user: str,
        issued_at: int,
        permissions: Mapping[str, Iterable[str]] | None = None,
    ) -> str:
        token = encode({"user": user, "name": user, "API_TIME": issued_at})
        table = None
        if permissions is not None:
            table = {feature: frozenset(caps) for feature, caps in permissions.items()}
        with self._lock:
            self._users[token] = ApiUser(user, token, table)
        return token

    def find(self, token: str) -> ApiUser | None:
        with self._lock:
            return self._users.get(token)

    def revoke(self, token: str) -> None:
        with self._lock:
            self._users.pop(token, None)
