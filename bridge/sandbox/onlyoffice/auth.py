"""Authentication: the token endpoint and the three ways a request may carry credentials (§1).

Owns `POST api/2.0/authentication` (201 with a token, or the 500 "User authentication failed"
envelope on wrong or empty credentials), recognising the caller from the `asc_auth_key`
cookie, a raw `Authorization: <token>` header, `Basic` or `Bearer`, and the plain-text 401
with `WWW-Authenticate` that a request without valid credentials gets. It must never put a
token or password into a message, a log or an error body.
"""

from __future__ import annotations

import base64
import binascii
from http.cookies import CookieError, SimpleCookie

from bridge.sandbox.onlyoffice.failures import authentication_failed
from bridge.sandbox.onlyoffice.records import User
from bridge.sandbox.onlyoffice.routing import Call
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wire import html_page
from bridge.sandbox.server import SimRequest, SimResponse

AUTH_COOKIE = "asc_auth_key"


def identify(request: SimRequest, store: OnlyofficeStore) -> User | None:
    """The user behind a request, trying the authorizers in the server's order (§1.2)."""
    user = _from_cookie(request, store)
    header = (request.headers.get("Authorization") or "").strip()
    if user is not None or not header:
        return user
    # The cookie authorizer takes the whole header value as a token, so no scheme is needed.
    user = store.user_for_token(header)
    if user is not None:
        return user
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "basic":
        return _from_basic(rest.strip(), store)
    if scheme.lower() == "bearer":
        return store.user_for_token(rest.strip())
    return None


def _from_cookie(request: SimRequest, store: OnlyofficeStore) -> User | None:
    raw = request.headers.get("Cookie")
    if not raw:
        return None
    try:
        morsel = SimpleCookie(raw).get(AUTH_COOKIE)
    except CookieError:
        return None
    return None if morsel is None else store.user_for_token(morsel.value)


def _from_basic(encoded: str, store: OnlyofficeStore) -> User | None:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user_name, sep, password = decoded.partition(":")
    return store.user_by_credentials(user_name, password) if sep else None


def unauthorized(request: SimRequest) -> SimResponse:
    """ErrorHttpHandler(401): plain text, not the JSON envelope (§1.3)."""
    headers: list[tuple[str, str]] = []
    if request.headers.get("Authorization") is not None:
        host = (request.headers.get("Host") or "localhost").rsplit(":", 1)[0]
        headers.append(("WWW-Authenticate", f'Basic Realm="{host}"'))
    return html_page(401, "Unauthorized", "Unauthorized", headers)


def create_token(call: Call) -> object:
    """POST authentication: names are case-insensitive; any failure is the same 500 (§1.1)."""
    params = call.params
    provider = params.text("provider")
    if provider and provider.lower() != "email":
        raise authentication_failed()  # social logins are not simulated
    user_name = params.text("userName") or ""
    user = call.store.user_by_credentials(user_name, params.text("password") or "")
    if not user_name or user is None:
        raise authentication_failed()
    token = call.store.issue_token(user)
    return {"token": token, "expires": call.view.date(call.store.token_expiry(token))}
