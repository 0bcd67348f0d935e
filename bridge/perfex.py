"""The Perfex CRM adapter: paths, encodings and quirks of the REST API module (2.0.8 and 3.0.3).

Owns: which path each operation uses, how bodies are encoded (form with PHP bracket keys for
POST, JSON for PUT: contract perfex-api.md 7.2), the `authtoken` header, list envelopes and
paging, and the module version. Answers are classified by `bridge.perfex_answers`. Returns raw
JSON (dicts and lists).

Must not: parse payloads into models (that is `mappings/`), import requests or retry on its own
(that is `bridge.http`), or let the token reach a message, a log line or a return value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from bridge.errors import ConfigError, NotFound, RecordRejected, RemoteError, RetryableError
from bridge.http import HttpClient, RequestSnapshot, Response
from bridge.perfex_answers import NO_DATA, UPDATE_FAIL, classify_perfex_response, perfex_json

Row = dict[str, Any]
Form = Sequence[tuple[str, str]]

PAGE_SIZE = 100  # module 3.x caps per_page at 100 (perfex-api.md 2.2)
SINGLE_READ_BROKEN = (
    "Perfex answers GET /api/invoices/<id> with an empty HTTP 500: its REST API module "
    "2.0.7/2.0.8 cannot return a single invoice on PHP 8, so invoice lines cannot be read; "
    "update the API module to 3.x"
)


class SingleInvoiceUnreadable(RecordRejected):
    """This Perfex install cannot return one invoice with its lines."""


class PerfexClient:
    """One Perfex install. Thread-safe as far as its `HttpClient` is."""

    def __init__(self, http: HttpClient, token: str, *, version: str = "auto") -> None:
        if version not in ("auto", "2", "3"):
            raise ConfigError(f'Perfex module version must be "auto", "2" or "3", not {version!r}')
        self._http = http
        # authtoken works on every module version; never add an Authorization header
        # (module 3.x may read it first and fail: perfex-api.md 1.1).
        self._headers = {"authtoken": token, "Accept": "application/json"}
        self._version: str | None = None if version == "auto" else version
        self._single_reads_broken = False

    def request_stats(self) -> RequestSnapshot:
        """Requests, retries and slow exchanges so far (see `bridge.http_stats`)."""
        return self._http.request_stats()

    # --- invoices -------------------------------------------------------------------------

    def list_invoices(self) -> list[Row]:
        """Every invoice (list rows: no lines). 2.x sends one array; 3.x pages of 100."""
        return self._list_all("/api/invoices", tells_version=True, sort="id")

    def get_invoice(self, invoice_id: str | int) -> Row:
        """One invoice with its lines; `NotFound` when it does not exist."""
        if self._single_reads_broken:
            raise SingleInvoiceUnreadable(SINGLE_READ_BROKEN, system="perfex", status=500)
        try:
            return self._get_object(f"/api/invoices/{_segment(invoice_id)}")
        except RetryableError as error:
            if error.status != 500 or error.remote_message is not None:
                raise
            # Module 2.0.7/2.0.8 on PHP 8 fails every single-invoice read with an empty 500
            # (perfex-api.md 2.3). After the retries, stop asking for the rest of this run.
            self._single_reads_broken = True
            raise SingleInvoiceUnreadable(
                SINGLE_READ_BROKEN, system="perfex", status=500
            ) from error

    def search_invoices(self, key: str) -> list[Row]:
        """Invoices matching `key` (number or text; filter the rows yourself: perfex-api.md 2.4)."""
        return self._search(f"/api/invoices/search/{_segment(key)}")

    def create_invoice(self, form: Form) -> str | None:
        """POST a form-encoded invoice; the new id on 3.x, None on 2.x (search by number then)."""
        if any(key.startswith(("items", "removed_items")) for key, _ in form):
            # Unknown columns make the insert fail as "Invoice Add Fail" (perfex-api.md 2.5).
            raise ValueError("a Perfex invoice create takes `newitems`, not items/removed_items")
        return self._create("/api/invoices", form)

    def update_invoice(self, invoice_id: str | int, body: Mapping[str, Any]) -> bool:
        """PUT the full invoice as JSON. False when Perfex answers "Invoice Update Fail", which
        it also does when nothing changed (perfex-api.md 2.6, 5.1): re-read and compare."""
        try:
            # Not repeated by the retry policy: a replace-all PUT applied twice appends its new
            # lines twice (the removed ids are gone by then). The caller reads back instead.
            path = f"/api/invoices/{_segment(invoice_id)}"
            self._send("PUT", path, json=dict(body), idempotent=False)
        except RecordRejected as exc:
            if exc.remote_message == UPDATE_FAIL:
                return False
            raise
        return True

    def delete_invoice(self, invoice_id: str | int) -> None:
        self._send("DELETE", f"/api/invoices/{_segment(invoice_id)}")

    # --- customers, catalogue, taxes, payment modes ---------------------------------------

    def list_customers(self) -> list[Row]:
        return self._list_all("/api/customers", tells_version=True)

    def get_customer(self, customer_id: str | int) -> Row:
        return self._get_object(f"/api/customers/{_segment(customer_id)}")

    def search_customers(self, key: str) -> list[Row]:
        """Active customers whose company, contact name, e-mail or custom fields contain `key`."""
        return self._search(f"/api/customers/search/{_segment(key)}")

    def create_customer(self, form: Form) -> str | None:
        """POST a form-encoded customer; the new `userid` on 3.x, None on 2.x."""
        return self._create("/api/customers", form)

    def tax_data(self) -> list[Row]:
        return self._search("/api/common/tax_data")

    def payment_modes(self) -> list[Row]:
        return self._search("/api/common/payment_mode")

    def list_items(self) -> list[Row]:
        """The saved items catalogue (not invoice lines)."""
        return self._list_all("/api/items")

    # --- version --------------------------------------------------------------------------

    def detect_version(self) -> str:
        """ "2" or "3", from the invoice list's shape (perfex-api.md 7.3); cached."""
        if self._version is not None:
            return self._version
        try:
            body = self._get("/api/invoices", params={"page": 1, "per_page": 1})
        except NotFound as exc:
            if exc.remote_message != NO_DATA:
                raise
            return self._learn(self._version_from_tokenless_probe())
        return self._learn("2" if isinstance(body, list) else "3")

    def _version_from_tokenless_probe(self) -> str:
        """With no invoices to look at: the two versions word a missing token differently."""
        response = self._http.request(
            "GET", "/api/invoices", headers={"Accept": "application/json"}, classify=_accept_all
        )
        return "3" if response.server_message() == "Token is not found" else "2"

    def _learn(self, version: str) -> str:
        self._version = version
        return version

    # --- plumbing -------------------------------------------------------------------------

    def _send(self, method: str, path: str, **options: Any) -> Any:
        response = self._http.request(
            method, path, headers=self._headers, classify=self.classify, **options
        )
        return perfex_json(response)

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._send("GET", path, params=params)

    def _get_object(self, path: str) -> Row:
        body = self._get(path)
        if isinstance(body, dict) and isinstance(body.get("data"), dict) and "meta" in body:
            return body["data"]  # module 3.x with response transformers switched on
        if not isinstance(body, dict):
            raise _unexpected_shape("GET", path, "an object")
        return body

    def _search(self, path: str) -> list[Row]:
        """A read that Perfex answers with 404 "No data were found" when empty."""
        try:
            return _rows(self._get(path), path)
        except NotFound as exc:
            if exc.remote_message == NO_DATA:
                return []
            raise

    def _list_all(self, path: str, tells_version: bool = False, **extra: Any) -> list[Row]:
        """Every row of a list. The invoice and customer lists are plain arrays on 2.x and
        `{data, meta}` envelopes on 3.x (perfex-api.md 2.2, 4.1), which tells the version."""
        first = self._list_page(path, 1, extra)
        if first is None:
            return []
        if isinstance(first, list):  # module 2.x: every row at once, paging ignored
            if tells_version:
                self._learn("2")
            return first
        if tells_version:
            self._learn("3")
        return self._all_pages(path, first, extra)

    def _list_page(self, path: str, page: int, extra: Mapping[str, Any]) -> Any | None:
        """One page, or None for Perfex's 404 "No data were found" (an empty list)."""
        try:
            return self._get(path, params={"page": page, "per_page": PAGE_SIZE, **extra})
        except NotFound as exc:
            if exc.remote_message != NO_DATA:
                raise
            return None

    def _all_pages(self, path: str, body: Any, extra: Mapping[str, Any]) -> list[Row]:
        rows: dict[Any, Row] = {}  # keyed by id: offset pages can repeat a row
        page = 1
        while body is not None:
            fresh = {_row_key(row, len(rows) + i): row for i, row in enumerate(_rows(body, path))}
            # Past the end, 3.x repeats the last page (2.2): nothing new also means done.
            done = not fresh.keys() - rows.keys() or not _more_pages(body.get("meta"), page)
            rows.update(fresh)
            if done:
                break
            page += 1
            body = self._list_page(path, page, extra)
        return list(rows.values())

    def _create(self, path: str, form: Form) -> str | None:
        body = self._send("POST", path, data=list(form))
        record_id = body.get("record_id") if isinstance(body, dict) else None
        if record_id is None:
            return None
        self._learn("3")
        return str(record_id)

    def classify(self, response: Response) -> RemoteError | None:
        """Perfex's answers as bridge errors; see `classify_perfex_response`."""
        return classify_perfex_response(response, self._version)


def _unexpected_shape(method: str, path: str, wanted: str) -> RemoteError:
    return RemoteError(f"Perfex {method} {path} did not answer with {wanted}", system="perfex")


def _rows(body: Any, path: str) -> list[Row]:
    """A plain array (2.x) or the `data` of a 3.x `{data, meta}` envelope."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body["data"]
    raise _unexpected_shape("GET", path, "a list")


def _more_pages(meta: Any, page: int) -> bool:
    if not isinstance(meta, dict):
        return False
    if "has_more" in meta:
        return bool(meta["has_more"])
    try:
        return page < int(meta.get("total_pages") or meta.get("last_page") or 0)
    except (TypeError, ValueError):
        return False


def _row_key(row: Any, position: int) -> Any:
    if isinstance(row, dict):
        for key in ("id", "userid", "itemid"):
            if row.get(key) is not None:
                return (key, str(row[key]))
    return ("position", position)


def _segment(value: str | int) -> str:
    """One path segment, percent-encoded: Perfex refuses most punctuation in URIs (2.4)."""
    return quote(str(value).strip(), safe="")


def _accept_all(response: Response) -> RemoteError | None:
    return None
