"""The ONLYOFFICE CRM adapter: paths, envelope and quirks of the Community Server API 2.0.

Owns: which path each operation uses, the raw `Authorization: <token>` header, logging in with
a user name and password and keeping that token fresh (re-authenticating once on a 401),
unwrapping the `{status, response}` envelope, and paging lists with `count`/`startIndex`.
`bridge.onlyoffice_answers` classifies the answers. Returns raw JSON (fractions as Decimal).

Must not: parse payloads into models (that is `mappings/`), import requests or retry on its own
(that is `bridge.http`), send `updatedSince` (it empties every list: 2.7), or let the token or
the password reach a message, a log line or a return value.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from bridge.errors import (
    ConfigError,
    CredentialsRejected,
    NotFound,
    RemoteError,
)
from bridge.http import HttpClient, RequestSnapshot, Response
from bridge.onlyoffice_answers import classify_onlyoffice_response

Row = dict[str, Any]

API = "/api/2.0"
CRM = "/api/2.0/crm"
PAGE_SIZE = 1000  # the server's default and cap (onlyoffice-api.md 2.7)
TOKEN_RENEWAL_MARGIN = timedelta(minutes=1)
BILLING_ADDRESS = 3  # AddressCategory.Billing (onlyoffice-api.md 7.4)
# Query names the adapter owns: paging, and `updatedSince`, which the server turns into an
# empty result (onlyoffice-api.md 2.7). Top-level names are case-insensitive there (2.6).
RESERVED_FILTERS = frozenset({"count", "startindex", "updatedsince"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OnlyofficeClient:
    """One ONLYOFFICE portal, with a fixed API token or a user who logs in. Thread-safe."""

    def __init__(
        self,
        http: HttpClient,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        now: Callable[[], datetime] = _utc_now,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if not token and not (username and password):
            raise ConfigError(
                "ONLYOFFICE needs an API token ([onlyoffice].token_env) or a user name and "
                "password ([onlyoffice].username and password_env)"
            )
        self._http = http
        self._fixed_token = token or None
        self._username = username
        self._password = password
        self._now = now
        self._page_size = page_size
        self._session: tuple[str, datetime | None] | None = None  # login token, its expiry
        self._lock = threading.Lock()

    def request_stats(self) -> RequestSnapshot:
        """Requests, retries and slow exchanges so far (see `bridge.http_stats`)."""
        return self._http.request_stats()

    # --- invoices -------------------------------------------------------------------------

    def list_invoices(self, **filters: Any) -> list[Row]:
        """Every invoice matching `filters` (invoice/filter parameters), without lines."""
        return self._paged(f"{CRM}/invoice/filter", filters)

    def iter_invoices(self, **filters: Any) -> Iterator[Row]:
        """`list_invoices` a page at a time: a caller that keeps less of each row than the
        server sends never holds more than one page of whole rows."""
        for page in self._pages(f"{CRM}/invoice/filter", filters):
            yield from page

    def get_invoice(self, invoice_id: int | str) -> Row:
        return self._call("GET", f"{CRM}/invoice/{_segment(invoice_id)}")

    def invoice_by_number(self, number: str) -> Row | None:
        """The invoice with this number, or None. Its lines, contact and cost are empty
        (onlyoffice-api.md 3.9): use it to learn the id, then `get_invoice`."""
        try:
            return self._call("GET", f"{CRM}/invoice/bynumber", params={"number": number})
        except NotFound:
            return None

    def invoice_number_exists(self, number: str) -> bool:
        return bool(self._call("GET", f"{CRM}/invoice/bynumber/exist", params={"number": number}))

    def create_invoice(self, payload: Mapping[str, Any]) -> Row:
        """POST a new invoice (never repeated: a lost answer raises `AnswerLost`). A duplicate
        number is a bare 400 "Value does not fall within the expected range.", the same text as
        several other mistakes (3.3): on that `RecordRejected`, ask `invoice_number_exists`."""
        return self._call("POST", f"{CRM}/invoice", json=dict(payload))

    def update_invoice(self, invoice_id: int | str, payload: Mapping[str, Any]) -> Row:
        """PUT the full invoice (no `number`). Only Drafts can be edited; the server answers
        404 for a missing invoice and for one that is not a Draft alike (3.4)."""
        path = f"{CRM}/invoice/{_segment(invoice_id)}"
        try:
            return self._call("PUT", path, json=dict(payload))
        except NotFound as exc:
            message = (
                f"ONLYOFFICE answered 404 to PUT {path}: the invoice is missing or is not a "
                "Draft (only Drafts can be edited)"
            )
            raise NotFound(
                message, system="onlyoffice", status=404, remote_message=exc.remote_message
            ) from None

    def set_invoice_status(self, invoice_ids: Iterable[int | str], status: int | str) -> Row:
        """Move invoices to `status`; moves outside the transition table are silently ignored
        by the server (3.6). Returns `{key: [invoices], value: [items whose stock changed]}`."""
        body = {"invoiceids": [int(i) for i in invoice_ids]}
        return self._call("PUT", f"{CRM}/invoice/status/{_segment(status)}", json=body)

    def print_data(self, invoice_id: int | str) -> Row:
        """The invoice's stored print data: a JSON *string* in the envelope, parsed here
        (PascalCase keys). The only place that names the billing and delivery address ids
        (3.8); an empty object when the invoice has none."""
        text = self._call("GET", f"{CRM}/invoice/jsondata/{_segment(invoice_id)}")
        if not isinstance(text, str) or not text.strip():
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def delete_invoice(self, invoice_id: int | str) -> Row:
        return self._call("DELETE", f"{CRM}/invoice/{_segment(invoice_id)}")

    def invoice_sample(self) -> Row:
        """Template with the next proposed number, default currency and terms (3.10)."""
        return self._call("GET", f"{CRM}/invoice/sample")

    def invoice_settings(self) -> Row:
        """Numbering and default terms; a cheap read that proves the CRM is reachable."""
        return self._call("GET", f"{CRM}/invoice/settings")

    # --- products and taxes ---------------------------------------------------------------

    def list_items(self, filter_value: str | None = None) -> list[Row]:
        return self._paged(f"{CRM}/invoiceitem/filter", {"filterValue": filter_value})

    def get_item(self, item_id: int | str) -> Row:
        return self._call("GET", f"{CRM}/invoiceitem/{_segment(item_id)}")

    def create_item(
        self,
        title: str,
        price: Any,
        description: str = "",
        tax1_id: int = 0,
        tax2_id: int = 0,
    ) -> Row:
        """Create a product (CRM admins only). `price` > 0, ideally a Decimal."""
        body = {
            "title": title,
            "description": description,
            "price": price,
            "invoiceTax1id": tax1_id,
            "invoiceTax2id": tax2_id,
        }
        return self._call("POST", f"{CRM}/invoiceitem", json=body)

    def list_taxes(self) -> list[Row]:
        return self._call("GET", f"{CRM}/invoice/tax")

    def create_tax(self, name: str, rate: Any, description: str = "") -> Row:
        body = {"name": name, "description": description, "rate": rate}
        return self._call("POST", f"{CRM}/invoice/tax", json=body)

    # --- contacts and currencies ----------------------------------------------------------

    def get_contact(self, contact_id: int | str) -> Row:
        return self._call("GET", f"{CRM}/contact/{_segment(contact_id)}")

    def find_contacts(self, filter_value: str) -> list[Row]:
        """Contacts whose display-name words start with the words of `filter_value`."""
        return self._paged(f"{CRM}/contact/filter", {"filterValue": filter_value})

    def contacts_by_email(self, email: str) -> list[Row]:
        """Contacts with an e-mail *containing* `email` (7.1): compare exactly yourself."""
        params = {"infoType": "Email", "data": email}
        return self._call("GET", f"{CRM}/contact/bycontactinfo", params=params)

    def create_company(self, name: str, share_type: int = 1) -> Row:
        """A company contact; shared read-write by default so the sync account can read it
        back even when it is not a CRM admin (7.3)."""
        body = {"companyName": name, "shareType": share_type}
        return self._call("POST", f"{CRM}/contact/company", json=body)

    def contact_data(self, contact_id: int | str) -> list[Row]:
        """All contact-info items (e-mail, phone, addresses with their ids)."""
        return self._call("GET", f"{CRM}/contact/{_segment(contact_id)}/data")

    def add_address(
        self,
        contact_id: int | str,
        address: Mapping[str, Any],
        category: int = BILLING_ADDRESS,
        primary: bool = True,
    ) -> Row:
        """Add an address; the returned item's `id` is what `billingAddressID` wants."""
        body = {"address": {**address, "category": category, "isPrimary": primary}}
        return self._call("POST", f"{CRM}/contact/{_segment(contact_id)}/addressdata", json=body)

    def currencies(self) -> list[Row]:
        return self._call("GET", f"{CRM}/settings/currency")

    # --- plumbing -------------------------------------------------------------------------

    def _paged(self, path: str, filters: Mapping[str, Any]) -> list[Row]:
        return [row for page in self._pages(path, filters) for row in page]

    def _pages(self, path: str, filters: Mapping[str, Any]) -> Iterator[list[Row]]:
        """All rows, in pages of `count` from `startIndex` until a short page, each row once.
        `nextIndex` is off by one on this server, so it is not used (2.1)."""
        params = _query(filters)
        seen: set[Any] = set()
        start = 0
        while True:
            page = self._call(
                "GET", path, params={**params, "count": self._page_size, "startIndex": start}
            )
            fresh = [row for row in page if row.get("id") is None or row.get("id") not in seen]
            seen.update(row.get("id") for row in fresh)
            yield fresh
            if len(page) < self._page_size or not fresh:
                return
            start += self._page_size

    def _call(self, method: str, path: str, **options: Any) -> Any:
        """One request with a valid token; with a login, re-authenticate once on a 401."""
        token = self._token()
        try:
            return _unwrap(self._send(method, path, token, **options))
        except CredentialsRejected as exc:
            if exc.status != 401:
                raise
            if self._fixed_token is not None:
                raise _token_refused(method, path, exc) from None
        token = self._renewed_token(stale=token)
        try:
            return _unwrap(self._send(method, path, token, **options))
        except CredentialsRejected as exc:
            if exc.status != 401:
                raise
            raise self._fresh_token_refused(method, path, exc) from None

    def _send(self, method: str, path: str, token: str, **options: Any) -> Response:
        headers = {"Authorization": token, "Accept": "application/json"}
        return self._http.request(
            method, path, headers=headers, classify=classify_onlyoffice_response, **options
        )

    def _token(self) -> str:
        if self._fixed_token is not None:
            return self._fixed_token
        with self._lock:
            if self._session is None or self._expiring(self._session[1]):
                self._session = self._login()
            return self._session[0]

    def _renewed_token(self, stale: str) -> str:
        with self._lock:
            if self._session is None or self._session[0] == stale:  # else a thread renewed it
                self._session = self._login()
            return self._session[0]

    def _expiring(self, expires: datetime | None) -> bool:
        return expires is not None and self._now() >= expires - TOKEN_RENEWAL_MARGIN

    def _login(self) -> tuple[str, datetime | None]:
        """POST api/2.0/authentication (1.1). A wrong password is a JSON 500 there, not a 401."""
        body = {"userName": self._username, "password": self._password}
        try:
            response = self._http.request(
                "POST",
                f"{API}/authentication",
                json=body,
                idempotent=True,  # a login creates nothing
                classify=classify_onlyoffice_response,
                redact=(self._password or "",),
            )
        except CredentialsRejected as exc:
            raise self._login_refused(exc.remote_message, exc.status) from None
        return self._token_from(_unwrap(response))

    def _token_from(self, answer: Any) -> tuple[str, datetime | None]:
        if not isinstance(answer, dict) or not answer.get("token"):
            if isinstance(answer, dict) and (answer.get("tfa") or answer.get("sms")):
                raise self._login_refused("the account uses two-factor authentication", None)
            raise self._login_refused("the login answer carried no token", None)
        return str(answer["token"]), _parse_expiry(answer.get("expires"))

    def _login_refused(self, reason: str | None, status: int | None) -> CredentialsRejected:
        return CredentialsRejected(
            f"ONLYOFFICE refused the login of user {self._username!r} "
            f"({reason or 'no reason given'}); check [onlyoffice].username and the password in "
            "the environment variable named by [onlyoffice].password_env.",
            system="onlyoffice",
            status=status,
            remote_message=reason,
        )

    def _fresh_token_refused(self, method: str, path: str, exc: RemoteError) -> CredentialsRejected:
        return CredentialsRejected(
            f"ONLYOFFICE refused {method} {path} twice with 401, even with a token just issued "
            f"to user {self._username!r}; check that this account may use the API and the CRM.",
            system="onlyoffice",
            status=401,
            remote_message=exc.remote_message,
        )


def _token_refused(method: str, path: str, exc: RemoteError) -> CredentialsRejected:
    return CredentialsRejected(
        f"ONLYOFFICE refused the API token on {method} {path} (401 Unauthorized); check the "
        "token in the environment variable named by [onlyoffice].token_env.",
        system="onlyoffice",
        status=401,
        remote_message=exc.remote_message,
    )


def _unwrap(response: Response) -> Any:
    return response.json().get("response")


def _parse_expiry(value: Any) -> datetime | None:
    """An ApiDateTime (7 fractional digits, `Z` or an offset: 2.4); None when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _query(filters: Mapping[str, Any]) -> dict[str, str]:
    reserved = sorted(name for name in filters if name.lower() in RESERVED_FILTERS)
    if reserved:
        raise ValueError(f"the adapter sets these itself or never sends them: {reserved}")
    return {name: _query_value(value) for name, value in filters.items() if value is not None}


def _query_value(value: Any) -> str:
    """Query text the server binds: dates as YYYY-MM-DD, times without fractions (2.4)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _segment(value: int | str) -> str:
    return quote(str(value).strip(), safe="")
