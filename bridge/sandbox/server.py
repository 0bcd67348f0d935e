"""Loopback HTTP servers for the simulators, with fault injection and a request log.

A simulator is an *app*: an object with `handle(SimRequest) -> SimResponse` that knows nothing
about sockets. `SimulatorServer` serves one app on 127.0.0.1, adds the configured latency,
injects faults, and records every request in a `RequestLog` that tests read to count reads and
writes. Apps must be thread-safe (the server handles connections on threads); the simulators
serialise their own state behind a lock.

Fault kinds (what real servers and networks do to a client):

    server_error   5xx before the request is applied
    rate_limited   429 with Retry-After before the request is applied
    drop           the connection closes before the request is applied, no answer
    slow           the answer is delayed by `slow_seconds`, then served normally
    lost_answer    the request is applied, then the connection closes with no answer
    applied_error  the request is applied, then a 502 is returned instead of its answer

`lost_answer` and `applied_error` only hit writes (POST, PUT, DELETE): they are the faults
that make a blind retry of a create duplicate a record.

A server may also carry an `admin` app (the sandbox's edit endpoint): requests under
`ADMIN_PREFIX` go to it instead of the simulator, from loopback clients only, without latency,
faults or a log entry, so that an operator's edits neither disturb nor show in what the
bridge sees.
"""

from __future__ import annotations

import random
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
FAULT_KINDS = (
    "server_error",
    "rate_limited",
    "drop",
    "slow",
    "lost_answer",
    "applied_error",
)
AFTER_APPLY_KINDS = frozenset({"lost_answer", "applied_error"})
ADMIN_PREFIX = "/__sandbox__/"
LOOPBACK = frozenset({"127.0.0.1", "::1"})


class Headers:
    """Request headers: case-insensitive look-up, original order kept."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = list(pairs)

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        for key, value in self._pairs:
            if key.strip().lower() == wanted:
                return value
        return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)


@dataclass(frozen=True)
class SimRequest:
    method: str
    path: str  # percent-encoded path, without the query string
    query: tuple[tuple[str, str], ...]
    headers: Headers
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> SimRequest:
        parts = urlsplit(target)
        query = tuple(parse_qsl(parts.query, keep_blank_values=True))
        return cls(method.upper(), parts.path, query, Headers(headers), body)

    def query_first(self, name: str, *, case_insensitive: bool = False) -> str | None:
        for key, value in self.query:
            if key == name or (case_insensitive and key.lower() == name.lower()):
                return value
        return None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


@dataclass
class SimResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None


class SimApp(Protocol):
    def handle(self, request: SimRequest) -> SimResponse: ...


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int | None  # None when no answer was sent
    fault: str | None
    applied: bool  # whether the app handled the request

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


class RequestLog:
    """Every request a server received, in order. Thread-safe."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        return sum(
            1
            for e in self.entries()
            if (method is None or e.method == method.upper())
            and (path_contains is None or path_contains in e.path)
        )

    def writes(self) -> list[LoggedRequest]:
        """Requests that could have changed the server's data (POST, PUT, DELETE)."""
        return [e for e in self.entries() if e.is_write]

    def reads(self) -> list[LoggedRequest]:
        return [e for e in self.entries() if not e.is_write]


@dataclass
class ScriptedFault:
    """A fault that hits the next `times` requests for which `match` is true."""

    kind: str
    match: Callable[[SimRequest], bool]
    times: int = 1


class FaultInjector:
    """Decides, per request, whether and how it fails.

    Random faults hit a share `rate` of requests (seeded, so a run can be replayed); scripted
    faults hit exactly the requests a test names. After-apply kinds never hit reads: a random
    draw of one on a read becomes a plain `server_error`.
    """

    def __init__(
        self,
        rate: float = 0.0,
        *,
        seed: int = 0,
        kinds: Iterable[str] = FAULT_KINDS,
        slow_seconds: float = 0.5,
        retry_after: int = 1,
    ) -> None:
        self.rate = rate
        self.kinds = tuple(kinds)
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self._rng = random.Random(seed)
        self._scripted: list[ScriptedFault] = []
        self._lock = threading.Lock()
        self.enabled = True

    def script(self, kind: str, match: Callable[[SimRequest], bool], times: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._scripted.append(ScriptedFault(kind, match, times))

    def clear(self) -> None:
        with self._lock:
            self._scripted.clear()
        self.rate = 0.0

    def decide(self, request: SimRequest) -> str | None:
        if not self.enabled:
            return None
        with self._lock:
            for fault in self._scripted:
                if fault.times > 0 and fault.match(request):
                    fault.times -= 1
                    if fault.times == 0:
                        self._scripted.remove(fault)
                    return fault.kind
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
        if kind in AFTER_APPLY_KINDS and not request.is_write:
            return "server_error"
        return kind


class SimulatorServer:
    """Serves one simulator app on loopback until stopped."""

    def __init__(
        self,
        app: SimApp,
        *,
        name: str = "simulator",
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        faults: FaultInjector | None = None,
        sleep: Callable[[float], None] = time.sleep,
        admin: SimApp | None = None,
    ) -> None:
        self.app = app
        self.admin = admin
        self.name = name
        self.latency_ms = latency_ms
        self.faults = faults or FaultInjector()
        self.request_log = RequestLog()
        self._sleep = sleep
        self._httpd = _LoopbackServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self._httpd.server_address[0]
        return f"http://{host}:{self.port}"

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Called on a handler thread for every request.
    def serve(self, request: SimRequest) -> tuple[SimResponse | None, str | None, bool]:
        """Returns (response or None to drop the connection, fault kind, applied)."""
        if self.latency_ms:
            self._sleep(self.latency_ms / 1000)
        fault = self.faults.decide(request)
        if fault == "server_error":
            return _plain(503, "Service Unavailable"), fault, False
        if fault == "rate_limited":
            response = _plain(429, "Too Many Requests")
            response.headers.append(("Retry-After", str(self.faults.retry_after)))
            return response, fault, False
        if fault == "drop":
            return None, fault, False
        if fault == "slow":
            self._sleep(self.faults.slow_seconds)
        response = self.app.handle(request)
        if fault == "lost_answer":
            return None, fault, True
        if fault == "applied_error":
            return _plain(502, "Bad Gateway"), fault, True
        return response, fault, True


class _LoopbackServer(ThreadingHTTPServer):
    # The default backlog of 5 stalls a client pool of 8 or more for a second at a time.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that stopped waiting (its read timeout, during a `slow` fault) closes the
        # connection before the answer is written: that is the client's business, no traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _plain(status: int, text: str) -> SimResponse:
    return SimResponse(
        status,
        f"<html><body><h1>{status} {text}</h1></body></html>".encode(),
        [("Content-Type", "text/html")],
    )


def admin_answer(admin: SimApp, request: SimRequest, client: str) -> SimResponse:
    if client not in LOOPBACK:
        return _plain(403, "Forbidden")
    return admin.handle(request)


def _make_handler(server: SimulatorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes
        server_version = "crm-bridge-sandbox"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # the request log replaces stderr chatter

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = SimRequest.build(self.command, self.path, self.headers.items(), body)
            if server.admin is not None and request.path.startswith(ADMIN_PREFIX):
                self._send(admin_answer(server.admin, request, self.client_address[0]))
                return
            response, fault, applied = server.serve(request)
            server.request_log.append(
                LoggedRequest(
                    request.method,
                    request.path,
                    request.query,
                    response.status if response else None,
                    fault,
                    applied,
                )
            )
            if response is None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            self._send(response)

        def _send(self, response: SimResponse) -> None:
            self.send_response(response.status, response.reason)
            names = {name.lower() for name, _ in response.headers}
            for name, value in response.headers:
                self.send_header(name, value)
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    return Handler
