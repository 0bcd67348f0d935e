"""What the HTTP boundary takes from the process environment: proxies only when the operator
asks (`use_env_proxies`), a CA bundle always, and netrc never.

The proxy tests run over real sockets: one loopback server stands for the API, another for a
forward proxy, so a request that went through the proxy is seen there and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from adapter_fakes import PERFEX_URL, FakeClock

from bridge.http import HttpClient, RetryPolicy
from bridge.sandbox.server import SimRequest, SimResponse, SimulatorServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class Recorder:
    """Answers every request with `{"via": name}` and keeps what it was sent."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[SimRequest] = []

    def handle(self, request: SimRequest) -> SimResponse:
        self.seen.append(request)
        body = json.dumps({"via": self.name}).encode()
        return SimResponse(200, body, [("Content-Type", "application/json")])


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NETRC"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api() -> Iterator[tuple[SimulatorServer, Recorder]]:
    recorder = Recorder("api")
    with SimulatorServer(recorder) as server:
        yield server, recorder


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """A forward proxy named by http_proxy, as a company network would set it."""
    recorder = Recorder("proxy")
    with SimulatorServer(recorder) as server:
        monkeypatch.setenv("HTTP_PROXY", server.base_url)
        monkeypatch.setenv("http_proxy", server.base_url)
        yield recorder


def _client(base_url: str, **options: object) -> HttpClient:
    clock = FakeClock()
    return HttpClient(
        "onlyoffice",
        base_url,
        sleep=clock.sleep,
        clock=clock.monotonic,
        retry=RetryPolicy(max_attempts=1),
        **options,  # type: ignore[arg-type]
    )


def test_environment_proxies_are_ignored_by_default(api, proxy) -> None:
    server, direct = api
    answer = _client(server.base_url).request("GET", "/api/2.0/crm/invoice/1")
    assert answer.json() == {"via": "api"}
    assert len(direct.seen) == 1
    assert proxy.seen == []


def test_environment_proxies_are_used_when_the_operator_asks(api, proxy) -> None:
    server, direct = api
    client = _client(server.base_url, use_env_proxies=True)
    answer = client.request("GET", "/api/2.0/crm/invoice/1")
    assert answer.json() == {"via": "proxy"}
    assert direct.seen == []
    [forwarded] = proxy.seen
    assert forwarded.headers.get("Host") == server.base_url.removeprefix("http://")
    assert forwarded.path == "/api/2.0/crm/invoice/1"


def test_no_proxy_still_exempts_the_host_when_proxies_are_used(api, proxy, monkeypatch) -> None:
    server, direct = api
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    answer = _client(server.base_url, use_env_proxies=True).request("GET", "/x")
    assert answer.json() == {"via": "api"}
    assert proxy.seen == []


@pytest.mark.parametrize("use_env_proxies", [False, True])
def test_netrc_never_replaces_the_token(api, tmp_path: Path, monkeypatch, use_env_proxies) -> None:
    # requests would read netrc for the host and send its Basic credentials in place of the
    # ONLYOFFICE token, which also travels in the Authorization header.
    server, direct = api
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password elsewhere\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    client = _client(server.base_url, use_env_proxies=use_env_proxies)
    client.request("GET", "/x", headers={"Authorization": "raw-token"})
    assert direct.seen[0].headers.get("Authorization") == "raw-token"


@responses.activate
def test_ca_bundle_from_the_environment_with_or_without_proxies(monkeypatch, tmp_path) -> None:
    # A self-hosted Perfex often has a certificate from the company's own CA.
    bundle = tmp_path / "company-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    responses.get(f"{PERFEX_URL}/api/x", json=[])
    _client(PERFEX_URL).request("GET", "/api/x")
    _client(PERFEX_URL, use_env_proxies=True).request("GET", "/api/x")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    _client(PERFEX_URL).request("GET", "/api/x")
    verified_with = [call.request.req_kwargs["verify"] for call in responses.calls]
    assert verified_with == [str(bundle), str(bundle), True]


def test_user_in_the_url_is_still_sent_as_basic_auth(api) -> None:
    # A Perfex behind a password-protected directory is configured as http://user:pw@host.
    server, direct = api
    url = server.base_url.replace("http://", "http://alice:wonder@")
    _client(url).request("GET", "/x")
    assert direct.seen[0].headers.get("Authorization") == "Basic YWxpY2U6d29uZGVy"
