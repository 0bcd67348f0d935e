"""`PerfexSimulator`: the in-process Perfex REST API module, an app for `SimulatorServer`.

Owns: the request pipeline in the module's order (API notes 1.2): URI character check,
routing (unknown controllers get CodeIgniter's HTML 404), output format, verb emulation, the
token check of the constructor, M3.0.3 quota, method existence (405 "Unknown method"), M3.0.3
per-method limit, permission (403 "necessay"), then the handler under the store lock; and the
public surface other code uses: `token`, `handle`, `load`, `currency_ids`, `store`.

Must not: implement endpoint rules (the controllers do) or inject transport faults and latency
(`SimulatorServer` does).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date

from bridge.sandbox.perfex import invoices_api, others_api
from bridge.sandbox.perfex.auth import RateLimits, authenticate_v2, authenticate_v3
from bridge.sandbox.perfex.context import Call, read_post
from bridge.sandbox.perfex.framing import (
    Answer,
    disallowed_characters_page,
    fatal_error,
    not_found_page,
    render_json,
    requested_format,
    unsupported_format,
)
from bridge.sandbox.perfex.options import PerfexOptions
from bridge.sandbox.perfex.php import PhpFatalError
from bridge.sandbox.perfex.routing import Route, detect_verb, resolve, uri_is_permitted
from bridge.sandbox.perfex.seeding import load_seed
from bridge.sandbox.perfex.store import PerfexStore
from bridge.sandbox.perfex.tokens import ApiUser
from bridge.sandbox.seed import SeedData
from bridge.sandbox.server import SimRequest, SimResponse

Handler = Callable[[Call], "Answer | SimResponse"]

HANDLERS: dict[tuple[str, str], Handler] = {
    ("invoices", "data_get"): invoices_api.get,
    ("invoices", "data_search_get"): invoices_api.search,
    ("invoices", "data_post"): invoices_api.create,
    ("invoices", "data_put"): invoices_api.update,
    ("invoices", "data_delete"): invoices_api.delete,
    ("customers", "data_get"): others_api.customers_get,
    ("customers", "data_search_get"): others_api.customers_search,
    ("customers", "data_post"): others_api.customers_post,
    ("customers", "data_put"): others_api.customers_put,
    ("customers", "data_delete"): others_api.customers_delete,
    ("items", "data_get"): others_api.items_get,
    ("items", "data_search_get"): others_api.items_search,
    ("common", "data_get"): others_api.common_get,
}
FORBIDDEN = "Your API token does not have the necessay permissions for the requested operation"


class PerfexSimulator:
    """A strict Perfex CRM REST API module (2.0.8 by default; `version="3"` for 3.0.3).

    `version` overrides `options.version` when given. `today` drives due dates, statuses and
    creation times (default: the real date). `clock` (epoch seconds) is only used for token
    ages and the 3.x rate-limit windows. `token` is registered for `token_user` at
    `token_issued_at` (defaults: a numbered user, now), limited to `permissions` when given
    (permission checks on, as for every token made in the admin UI).
    """

    def __init__(
        self,
        version: str | None = None,
        today: date | None = None,
        options: PerfexOptions | None = None,
        *,
        clock: Callable[[], float] = time.time,
        token_user: str | None = None,
        token_issued_at: int | None = None,
        permissions: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        options = options or PerfexOptions()
        if version is not None:
            options = replace(options, version=str(version))
        self.options = options
        self.store = PerfexStore(options, today or date.today(), clock)
        self.token = self.store.issue_token(permissions, user=token_user, issued_at=token_issued_at)
        self._limits = RateLimits(options.v3_rate_limit, options.v3_method_limit, clock)

    @property
    def version(self) -> str:
        return self.options.version

    @property
    def currency_ids(self) -> dict[str, str]:
        return self.store.currency_ids

    def load(self, seed: SeedData) -> None:
        load_seed(self.store, seed)

    def handle(self, request: SimRequest) -> SimResponse:
        if not uri_is_permitted(request.path):
            return disallowed_characters_page()
        route = resolve(request.path)
        if route is None:
            return not_found_page()
        wanted = requested_format(request)
        if wanted != "json":
            return unsupported_format(wanted)
        try:
            return self._dispatch(request, route)
        except PhpFatalError:
            return fatal_error()

    def _dispatch(self, request: SimRequest, route: Route) -> SimResponse:
        post = read_post(request, self.options)
        verb = detect_verb(request.method, post, request.headers.get("X-HTTP-Method-Override"))
        outcome = self._admit(request, route, verb)
        if isinstance(outcome, Answer):
            return self._render(outcome, request)
        handler, extra_headers = outcome
        with self.store.lock:
            result = handler(Call(request, route, verb, self.store, post))
        if isinstance(result, SimResponse):
            return result
        if extra_headers:
            result = replace(result, headers=result.headers + extra_headers)
        return self._render(result, request)

    def _admit(
        self, request: SimRequest, route: Route, verb: str
    ) -> Answer | tuple[Handler, tuple[tuple[str, str], ...]]:
        """Constructor and `_remap` checks, in the module's order."""
        v3 = self.options.is_v3
        user = authenticate_v3(request, self.store) if v3 else authenticate_v2(request, self.store)
        if isinstance(user, Answer):
            return user
        headers: tuple[tuple[str, str], ...] = ()
        if v3:
            quota = self._limits.check_quota(user)
            if isinstance(quota, Answer):
                return quota
            headers = quota
        handler = HANDLERS.get((route.controller, route.method_name(verb)))
        if handler is None:
            return Answer(405, {"status": False, "error": "Unknown method"})
        refusal = self._refuse(user, route, verb, v3)
        return refusal if refusal is not None else (handler, headers)

    def _refuse(self, user: ApiUser, route: Route, verb: str, v3: bool) -> Answer | None:
        if v3:
            limited = self._limits.check_method(f"{route.controller}/{route.method_name(verb)}")
            if limited is not None:
                return limited
        if not user.allows(*route.permission(verb, v3)):
            return Answer(403, {"status": False, "message": FORBIDDEN})
        return None

    def _render(self, answer: Answer, request: SimRequest) -> SimResponse:
        return render_json(answer, request, self.options.development_mode)
