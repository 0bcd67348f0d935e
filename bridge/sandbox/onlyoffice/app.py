"""The ONLYOFFICE CRM simulator app: one request in, one response out, under one lock.

Owns the request pipeline of the real API handler (ONLYOFFICE API notes §0-§2):
the `/api/2.0/` prefix and `.json` suffix, the web app's own non-JSON 404 for paths no route
matches, authentication before the method (plain-text 401), "Method not found" for a verb a
route lacks, parameter binding, the `updatedSince` quirk, paging of lists, the envelope, and
mapping raised `ApiError`s to the error envelope. It must not hold data (the store does) nor
know any endpoint's rules (the handler modules do). Socket handling, latency and fault
injection belong to `bridge.sandbox.server.SimulatorServer`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote

from bridge.sandbox.onlyoffice.access import Caller
from bridge.sandbox.onlyoffice.auth import identify, unauthorized
from bridge.sandbox.onlyoffice.binding import Params, read_pairs
from bridge.sandbox.onlyoffice.failures import ApiError, server_error
from bridge.sandbox.onlyoffice.options import OnlyofficeOptions
from bridge.sandbox.onlyoffice.paging import list_params, memory_page, next_index
from bridge.sandbox.onlyoffice.records import User
from bridge.sandbox.onlyoffice.routes import ROUTES
from bridge.sandbox.onlyoffice.routing import Call, Reply, first_match, match_route
from bridge.sandbox.onlyoffice.seeding import load_seed
from bridge.sandbox.onlyoffice.store import OnlyofficeStore
from bridge.sandbox.onlyoffice.wire import failure, html_page, parse_api_datetime, success
from bridge.sandbox.onlyoffice.wrappers import EMPTY_GUID, View
from bridge.sandbox.seed import SeedData
from bridge.sandbox.server import SimRequest, SimResponse

API_PREFIX = "/api/2.0/"
NOT_FOUND_PAGE = "<html><body><h1>404 Not Found</h1></body></html>"
SERVER_ERROR_PAGE = "<html><body><h1>500 Internal Server Error</h1></body></html>"
ANONYMOUS = Caller(User(EMPTY_GUID, "", "", False))


class OnlyofficeSimulator:
    """A strict in-process ONLYOFFICE CRM API; serve it with `SimulatorServer`.

    `token` is valid for the admin; `username`/`password` log in at `POST authentication`;
    `store` gives tests direct, thread-safe access to the data. `now` is the clock (naive
    values are taken as UTC).
    """

    def __init__(
        self,
        options: OnlyofficeOptions | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.options = options or OnlyofficeOptions()
        self._now = now or (lambda: datetime.now(UTC))
        self._zone = self.options.zone
        self.store = OnlyofficeStore(self.options, self.clock)
        self.username = self.options.username
        self.password = self.store.password_of(self.store.admin) or ""
        self.token = self.store.issue_token(token=self.options.fixed_token)

    def clock(self) -> datetime:
        moment = self._now()
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def load(self, seed: SeedData) -> None:
        """Adds taxes, items, companies (with e-mail and billing address) and invoices."""
        load_seed(self.store, seed, self._zone, self.clock())

    def handle(self, request: SimRequest) -> SimResponse:
        with self.store.lock:
            try:
                return self._dispatch(request)
            except ApiError as error:
                return failure(error)
            except Exception as exc:  # the real handler turns any other exception into a 500
                return failure(server_error(f"{type(exc).__name__}: {exc}"))

    def _dispatch(self, request: SimRequest) -> SimResponse:
        path = _api_path(request.path)
        known = None if path is None else first_match(ROUTES, path)
        if path is None or known is None:
            return html_page(404, NOT_FOUND_PAGE, "Not Found")
        caller = ANONYMOUS
        if not known.anonymous:
            user = identify(request, self.store)
            if user is None:
                return unauthorized(request)
            caller = Caller(user)
        matched = match_route(ROUTES, path, request.method)
        assert matched is not None
        _, handler, values = matched
        params = Params(read_pairs(request), self._zone, values)
        if self._bad_updated_since(params):
            # Parsed while the request context is built, before the API handler (§2.7).
            return html_page(500, SERVER_ERROR_PAGE, "Internal Server Error")
        call = self._call(request, caller, params)
        return self._envelope(request, call, handler(call))

    def _call(self, request: SimRequest, caller: Caller, params: Params) -> Call:
        host = request.headers.get("Host") or "localhost"
        view = View(self.store, caller, self._zone, f"http://{host}/")
        return Call(
            self.store, caller, params, view, self.options, self.clock(), list_params(params)
        )

    def _bad_updated_since(self, params: Params) -> bool:
        since = params.text("updatedSince")
        if not since or not self.options.updated_since_quirk:
            return False
        try:
            parse_api_datetime(since, self._zone)
        except ApiError:
            return True
        return False

    def _envelope(self, request: SimRequest, call: Call, result: object) -> SimResponse:
        reply = result if isinstance(result, Reply) else Reply(result)
        status = 201 if request.method == "POST" else 200  # every successful POST is 201
        payload, total, paging = reply.payload, reply.total, call.paging
        if not isinstance(payload, list):
            return success(payload, status)
        if not reply.paged:
            payload, total = memory_page(payload, paging)
        following = next_index(len(payload), paging, total)
        if self.options.updated_since_quirk and call.params.text("updatedSince"):
            # The in-memory filter looks for a property named "updated", finds none and
            # drops every row (§2.7).
            payload, following = [], None
        return success(payload, status, start=paging.start, next_index=following, total=total)


def _api_path(raw: str) -> str | None:
    """The route part of a path below /api/2.0/, without a `.json` suffix; None otherwise."""
    path = unquote(raw)
    if not path.lower().startswith(API_PREFIX):
        return None
    rest = path[len(API_PREFIX) :].rstrip("/")
    if rest.lower().endswith(".json"):
        return rest[: -len(".json")]
    if rest.lower().endswith(".xml"):
        return None  # XML output is not simulated
    return rest
