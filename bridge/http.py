"""The HTTP boundary: the only module that talks to the network and that imports requests.

Owns: one pooled session per remote system, explicit timeouts, the per-system rate limit,
retries with exponential backoff and full jitter (tenacity, injected sleep and clock), the
translation of every transport failure and HTTP status into the bridge's error tree
(`bridge.errors`), and the client's request statistics (`bridge.http_stats`: requests, retries
by cause, give-ups, the slowest exchanges; `HttpClient.request_stats()` snapshots them). Answers
come back as `Response` (`bridge.http_response`, re-exported here).

The remote host is known when the client is built, so everything requests would otherwise work
out on every call is settled once there: the environment is never read per request (requests'
proxy, no_proxy and netrc look-ups were the largest single share of a request's CPU), headers
are merged once per call, and proxies from the environment are used only when the operator asks
for them (`use_env_proxies`).

Must not: know any API's paths or payloads (that is `bridge.perfex` and `bridge.onlyoffice`),
repeat a request that may already have been applied unless it is idempotent, follow redirects
(a redirected POST silently becomes a GET), or put a secret into an exception or a log line:
messages carry the system, method, path (never the query string) and the server's own message.
"""

from __future__ import annotations

import http.cookiejar
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception

from bridge import __version__
from bridge.errors import (
    AnswerLost,
    ConfigError,
    RateLimited,
    RemoteError,
    RetryableError,
    Unreachable,
    system_name,
)
from bridge.http_response import (
    Classifier,
    Response,
    ResponseHeaders,
    default_classify,
    encode_form,
    encode_json,
    error_facts,
    message_in,
    origin,
)
from bridge.http_stats import RequestSnapshot, RequestTally
from bridge.ratelimit import RateLimiter, RetryPolicy, backoff_seconds, parse_retry_after

__all__ = [
    "Classifier",
    "HttpClient",
    "RateLimiter",
    "RequestSnapshot",
    "Response",
    "ResponseHeaders",
    "RetryPolicy",
    "Timeouts",
    "default_classify",
    "encode_form",
    "encode_json",
    "error_facts",
    "message_in",
]

logger = logging.getLogger("bridge.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Header values that are credentials; they are scrubbed from every message as a last defence.
SENSITIVE_HEADERS = frozenset({"authtoken", "authorization", "cookie", "x-api-key"})
USER_AGENT = f"crm-bridge/{__version__}"
# The headers requests' session would add to every request, with our User-Agent; built once.
BASE_HEADERS: Mapping[str, str] = {**requests.utils.default_headers(), "User-Agent": USER_AGENT}


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0


@dataclass(frozen=True)
class _Call:
    """One logical request, as tried (maybe several times) by `HttpClient.request`."""

    method: str
    path: str
    url: str = field(repr=False)
    params: Mapping[str, Any] | None = field(repr=False)
    body: Any = field(repr=False)  # these three may hold credentials: never in a repr
    headers: dict[str, str] = field(repr=False)
    idempotent: bool = True
    classify: Classifier = default_classify
    redact: tuple[str, ...] = field(default=(), repr=False)

    @property
    def what(self) -> str:
        return f"{self.method} {self.path}"

    def secrets(self) -> tuple[str, ...]:
        """Credentials this call carries; only failures need them, so they are found then."""
        sent = (v for k, v in self.headers.items() if k.lower() in SENSITIVE_HEADERS)
        return tuple(s for s in (*sent, *self.redact) if s)


@dataclass(frozen=True)
class _Transport:
    """What requests needs besides the request itself, settled once per client."""

    proxies: dict[str, str] = field(default_factory=dict, repr=False)  # may hold credentials
    verify: bool | str = True  # or the path of a CA bundle
    url_credentials: bool = False  # the configured URL names a user: send it as Basic auth


@dataclass
class _Tries:
    """What the tries of one request met so far (one per request, never shared)."""

    failures: list[RemoteError] = field(default_factory=list)
    cause: str = "transport"  # why the latest try failed: see `state.records.RequestStats`


class _NotConnected(Unreachable):
    """This attempt never reached the server: nothing was sent, so any request may be repeated."""


class HttpClient:
    """Requests to one remote system, with retries, a rate limit and error translation.

    Thread-safe: one instance (and its connection pool) is shared by all workers of a system.
    """

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        timeouts: Timeouts = Timeouts(),  # noqa: B008 (frozen value)
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 (frozen value)
        rate_limiter: RateLimiter | None = None,
        max_connections: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
        classify: Classifier | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        use_env_proxies: bool = False,
    ) -> None:
        """`use_env_proxies`: send through the proxies named by HTTP_PROXY, HTTPS_PROXY and
        ALL_PROXY (minus NO_PROXY); off, they are ignored. A CA bundle named by
        REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (a self-hosted install's own CA) is used either
        way. Both are read once, here. netrc is never read: its Basic credentials would replace
        the ONLYOFFICE token in the Authorization header."""
        self.system = system
        self.base_url = _checked_base_url(system, base_url)
        self.timeouts = timeouts
        self.retry = retry
        self._rate_limiter = rate_limiter
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._session = session or _pooled_session(max_connections)
        self._session.trust_env = False  # the environment is read once, below, or not at all
        self._adapter = self._session.get_adapter(self.base_url)
        self._transport = _transport_for(self.base_url, use_env_proxies)
        self._timeout = (timeouts.connect, timeouts.read)
        self._classify = classify or default_classify
        self._now = now
        self._tally = RequestTally()

    def request_stats(self) -> RequestSnapshot:
        """The requests, retries and slow exchanges so far; `.since(earlier)` gives a stretch."""
        return self._tally.snapshot()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        classify: Classifier | None = None,
        redact: Iterable[str] = (),
    ) -> Response:
        """Send one request, retrying what is safe to retry; raise a `RemoteError` on failure.

        `json` is encoded here (Decimal as a plain decimal string, dates as ISO text);
        `data` that is a list of pairs or a mapping is form-encoded here, anything else is sent
        as it is. `classify` overrides the
        client's classifier for this call; `redact` names extra secrets (a password in the
        body) to scrub from messages.
        """
        call = self._call(method, path, params, json, data, headers, idempotent, classify, redact)
        tries = _Tries()
        started = self._clock()
        retrying = Retrying(
            sleep=self._sleep,
            stop=lambda state: self._should_stop(state, started),
            wait=self._wait_seconds,
            retry=retry_if_exception(lambda exc: _worth_repeating(call, exc)),
            before_sleep=lambda state: self._before_retry(state, tries),
            retry_error_callback=lambda state: self._give_up(call, state, tries),
        )
        self._tally.request_started()
        try:
            return retrying(self._attempt, call, tries)
        except AnswerLost:
            self._tally.gave_up_one()  # a write is never repeated blind: it ends here
            raise

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: Any,
        headers: Mapping[str, str] | None,
        idempotent: bool | None,
        classify: Classifier | None,
        redact: Iterable[str],
    ) -> _Call:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        method = method.upper()
        merged = {**BASE_HEADERS, **headers} if headers else dict(BASE_HEADERS)
        body = data
        if json_body is not None:
            merged["Content-Type"] = "application/json"
            body = encode_json(json_body)
        elif data and isinstance(data, Mapping | list | tuple):
            merged["Content-Type"] = "application/x-www-form-urlencoded"
            body = encode_form(data)
        return _Call(
            method=method,
            path=path,
            url=self.base_url + path,
            params=_without_nones(params),
            body=body,
            headers=merged,
            idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
            classify=classify or self._classify,
            redact=tuple(redact),
        )

    def _attempt(self, call: _Call, tries: _Tries) -> Response:
        try:
            response = self._exchange(call, tries)
            error = call.classify(response)
        except RemoteError as exc:
            error = exc
        else:
            if error is None:
                return response
            tries.cause = str(response.status)
            error = self._with_retry_after(error, response)
        error = _scrubbed(_as_lost_if_unsafe(call, error), call.secrets())
        tries.failures.append(error)
        raise error

    def _exchange(self, call: _Call, tries: _Tries) -> Response:
        if self._rate_limiter is not None:
            self._rate_limiter.acquire()
        started = self._clock()
        try:
            raw = self._send(call)
        except requests.RequestException as exc:
            what = _transport_what(exc, self.timeouts)
            self._timed(call, what, self._clock() - started)
            tries.cause = _transport_cause(exc)
            raise self._transport_error(call, exc, what) from None
        self._timed(call, str(raw.status_code), self._clock() - started)
        return self._response(call, raw)

    def _timed(self, call: _Call, outcome: str, seconds: float) -> None:
        _log_exchange(self.system, call, outcome, seconds)
        self._tally.exchanged(call.method, _shown_path(call), seconds)

    def _send(self, call: _Call) -> requests.Response:
        """One exchange, straight through the host's adapter. The session's merging of default
        headers, cookies and environment settings is skipped: the headers are complete already,
        no cookie is ever kept or sent, and the transport was settled when the client was built."""
        prepared = requests.PreparedRequest()
        prepared.prepare_method(call.method)
        prepared.prepare_url(call.url, call.params)
        prepared.prepare_headers(call.headers)
        prepared.prepare_body(call.body, None)
        if self._transport.url_credentials:  # http://user:password@host: Basic auth, as before
            prepared.prepare_auth(None)
        raw = self._adapter.send(
            prepared,
            stream=False,
            timeout=self._timeout,
            verify=self._transport.verify,
            cert=None,
            proxies=self._transport.proxies,
        )
        raw.content  # noqa: B018 (read here, where an answer cut short is a transport error)
        return raw

    def _response(self, call: _Call, raw: requests.Response) -> Response:
        try:
            text = raw.content.decode(raw.encoding or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            text = raw.content.decode("utf-8", errors="replace")
        return Response(
            status=raw.status_code,
            text=text,
            headers=ResponseHeaders(raw.headers),  # requests' own, read when needed
            reason=raw.reason or "",
            system=self.system,
            method=call.method,
            path=call.path,
        )

    def _transport_error(self, call: _Call, exc: requests.RequestException, what: str) -> Exception:
        name = system_name(self.system)
        facts: dict[str, Any] = {"system": self.system}
        if isinstance(exc, requests.exceptions.SSLError):
            return Unreachable(f"{name} {call.what}: {what} at {origin(self.base_url)}", **facts)
        if _nothing_sent(exc):
            message = f"{name} {call.what}: could not connect to {origin(self.base_url)} ({what})"
            return _NotConnected(message, **facts)
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidHeader):
            return ConfigError(f"{name} {call.what}: the request could not be built ({what})")
        return RetryableError(f"{name} {call.what}: {what}", **facts)

    def _with_retry_after(self, error: RemoteError, response: Response) -> RemoteError:
        if isinstance(error, RetryableError) and error.retry_after is None:
            error.retry_after = parse_retry_after(response.headers.get("Retry-After"), self._now())
        return error

    def _wait_seconds(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        return backoff_seconds(self.retry, state.attempt_number, retry_after, self._rng)

    def _should_stop(self, state: RetryCallState, started: float) -> bool:
        """Out of attempts, or the coming wait would end past the time budget."""
        if state.attempt_number >= self.retry.max_attempts:
            return True
        elapsed = self._clock() - started
        return elapsed + state.upcoming_sleep > self.retry.max_seconds

    def _before_retry(self, state: RetryCallState, tries: _Tries) -> None:
        _log_retry(state, self.retry.max_attempts)
        self._tally.retried(tries.cause, state.upcoming_sleep)

    def _give_up(self, call: _Call, state: RetryCallState, tries: _Tries) -> NoReturn:
        self._tally.gave_up_one()
        failures = tries.failures
        last = failures[-1]
        tries = state.attempt_number
        message = f"{last}; gave up after {tries} attempt{'s' if tries != 1 else ''}"
        facts = {
            "system": last.system,
            "status": last.status,
            "remote_message": last.remote_message,
        }
        if all(isinstance(f, _NotConnected) for f in failures):
            raise Unreachable(message, **facts)
        kind = type(last) if isinstance(last, RetryableError) else RetryableError
        retry_after = getattr(last, "retry_after", None)
        raise kind(message, retry_after=retry_after, **facts)


def _worth_repeating(call: _Call, exc: BaseException) -> bool:
    if isinstance(exc, _NotConnected | RateLimited):
        return True  # the server did nothing: safe even for a create
    if isinstance(exc, AnswerLost):
        return False
    return call.idempotent and isinstance(exc, RetryableError)


def _as_lost_if_unsafe(call: _Call, error: RemoteError) -> RemoteError:
    """A transient failure of a non-idempotent request may have been applied: say so."""
    if call.idempotent or not isinstance(error, RetryableError):
        return error
    if isinstance(error, RateLimited | AnswerLost):
        return error
    message = f"{error}; it may or may not have been applied, so it is not repeated"
    return AnswerLost(
        message, system=error.system, status=error.status, remote_message=error.remote_message
    )


def _scrubbed(error: RemoteError, secrets: tuple[str, ...]) -> RemoteError:
    """Remove credentials a server might have echoed into its message."""
    text, said = str(error), error.remote_message
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
        said = said.replace(secret, "[redacted]") if said else said
    error.args = (text,)
    error.remote_message = said
    return error


def _nothing_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never established (refused, DNS, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _transport_cause(exc: requests.RequestException) -> str:
    """The cause a retry is counted under (`state.records.RequestStats.retried_because`)."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout"
    if _nothing_sent(exc):
        return "connect"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "reset"
    return "transport"


def _shown_path(call: _Call) -> str:
    """The path as statistics keep it: no query string (never part of it), no credential."""
    path = call.path
    for secret in call.secrets():
        path = path.replace(secret, "[redacted]")
    return path


def _transport_what(exc: requests.RequestException, timeouts: Timeouts) -> str:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connect timed out after {timeouts.connect:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within {timeouts.read:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed (check the URL and the server's certificate)"
    if _nothing_sent(exc):
        return "connection refused or host not found"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection dropped before the answer arrived"
    return f"transport error ({type(exc).__name__})"


def _log_exchange(system: str, call: _Call, outcome: str, seconds: float) -> None:
    logger.debug("%s %s %s -> %s (%d ms)", system, call.method, call.path, outcome, seconds * 1000)


def _log_retry(state: RetryCallState, max_attempts: int) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.info(
        "%s; retry %d of %d in %.1f s",
        error,
        state.attempt_number + 1,
        max_attempts,
        state.upcoming_sleep,
    )


def _pooled_session(max_connections: int) -> requests.Session:
    session = requests.Session()
    # requests' own retries off (max_retries=0): every retry decision is made here.
    adapter = HTTPAdapter(pool_maxsize=max_connections, pool_block=True, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # No cookies: an ONLYOFFICE auth cookie would outrank the Authorization header
    # (onlyoffice-api.md 1.2), and cookies are credentials we must not keep.
    session.cookies.set_policy(_NO_COOKIES)
    return session


def _transport_for(base_url: str, use_env_proxies: bool) -> _Transport:
    """Proxies (when asked) and CA bundle for this host, read from the environment the way
    requests reads them (`Session.merge_environment_settings`), and never netrc."""
    proxies = requests.utils.get_environ_proxies(base_url) if use_env_proxies else {}
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    url_credentials = bool(urlsplit(base_url).username)
    return _Transport(dict(proxies), bundle or True, url_credentials)


def _checked_base_url(system: str, base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"the {system_name(system)} URL must start with http:// or https:// and name a host"
        )
    return base_url.rstrip("/")


def _without_nones(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {key: value for key, value in params.items() if value is not None}


_NO_COOKIES = http.cookiejar.DefaultCookiePolicy(allowed_domains=[])  # accepts no cookie at all
