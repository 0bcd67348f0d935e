"""Who is calling: the token checks of the REST controller's constructor (API notes 1.1, 1.2).

Owns: where each module version looks for the token and the exact 404 answers when it is
missing, malformed, wrongly signed or not registered; and M3.0.3's two rate limits (a per-token
quota answered 429 with `X-RateLimit-*` headers, and CodeIgniter REST's per-method hourly limit
answered 401).

Must not: check permissions or method existence (the app does, in that order, after this), or
ever echo a token back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from bridge.sandbox.perfex.framing import Answer, message
from bridge.sandbox.perfex.store import PerfexStore
from bridge.sandbox.perfex.tokens import ApiUser, TokenInvalid, decode
from bridge.sandbox.server import SimRequest

HOUR = 3600.0


def authenticate_v2(request: SimRequest, store: PerfexStore) -> ApiUser | Answer:
    """M2.0.8: only the `authtoken` header (any case); JWT first, then the registry."""
    token = request.headers.get("authtoken")
    if token is None:
        return message(404, "Token is not defined.")
    try:
        decode(token, store.clock())
    except TokenInvalid as error:
        return message(404, str(error))
    user = store.tokens.find(token)
    if user is None:
        # The module reads a `message` key its own result does not have: PHP gives null.
        return message(404, None)
    return user


def authenticate_v3(request: SimRequest, store: PerfexStore) -> ApiUser | Answer:
    """M3.0.3: REST key pre-check (header or query), then the JWT library's own pick."""
    key = request.headers.get("authtoken")
    for name in ("authtoken", "Authtoken", "api_key"):
        if key is None:
            key = request.query_first(name)
    user = store.tokens.find(key) if key else None
    if user is None:
        return message(404, "Token is not found")
    try:
        decode(_jwt_candidate(request, key or ""), store.clock())
    except TokenInvalid as error:
        return message(404, str(error))
    return user


def _jwt_candidate(request: SimRequest, fallback: str) -> str:
    """The first `authtoken` or `Authorization` header in request order (Bearer stripped)."""
    for name, value in request.headers.items():
        lowered = name.strip().lower()
        if lowered == "authtoken":
            return value
        if lowered == "authorization":
            return value.removeprefix("Bearer ").strip()
    return fallback


@dataclass
class _Window:
    started: float
    count: int = 0


class RateLimits:
    """M3.0.3 limits, counted per hour from the first request of each window."""

    def __init__(
        self, quota: int | None, method_limit: int | None, clock: Callable[[], float]
    ) -> None:
        self.quota = quota
        self.method_limit = method_limit
        self._clock = clock
        self._windows: dict[tuple[str, ...], _Window] = {}
        self._lock = threading.Lock()

    def _window(self, key: tuple[str, ...]) -> _Window:
        now = self._clock()
        window = self._windows.get(key)
        if window is None or now - window.started >= HOUR:
            window = self._windows[key] = _Window(now)
        return window

    def check_quota(self, user: ApiUser) -> Answer | tuple[tuple[str, str], ...]:
        """429 when the token's quota is spent; otherwise the headers for the answer."""
        if self.quota is None:
            return ()
        with self._lock:
            window = self._window(("quota", user.token))
            reset = str(int(window.started + HOUR))
            if window.count >= self.quota:
                headers = self._headers(0, reset)
                return Answer(
                    429, {"status": False, "message": "Rate limit exceeded"}, headers=headers
                )
            window.count += 1
            return self._headers(self.quota - window.count, reset)

    def _headers(self, remaining: int, reset: str) -> tuple[tuple[str, str], ...]:
        return (
            ("X-RateLimit-Limit", str(self.quota)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", reset),
        )

    def check_method(self, method_key: str) -> Answer | None:
        """CodeIgniter REST `_check_limit` by IP: one loopback client, so per method."""
        if self.method_limit is None:
            return None
        with self._lock:
            window = self._window(("method", method_key))
            if window.count >= self.method_limit:
                return Answer(
                    401,
                    {
                        "status": False,
                        "error": "This API key has reached the time limit for this method",
                    },
                )
            window.count += 1
            return None
