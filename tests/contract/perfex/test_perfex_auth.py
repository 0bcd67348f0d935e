"""API notes 8, "Authentication and permissions" (API notes 1.1, 1.2), on module 2.0.8 and 3.0.3."""

from __future__ import annotations

import base64
import json
import time

import pytest
from perfex_wire import Perfex

from bridge.sandbox.perfex.tokens import encode

NECESSAY = "Your API token does not have the necessay permissions for the requested operation"


@pytest.mark.parametrize("header", ["authtoken", "Authtoken", "AUTHTOKEN"])
def test_token_is_read_from_the_authtoken_header_in_any_case(perfex: Perfex, header: str) -> None:
    answer = perfex.raw("GET", "/api/invoices/1", headers={header: perfex.sim.token})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/invoices/1", {"Authorization": "Bearer {token}"}),
        ("/api/invoices/1?authtoken={token}", {}),
        ("/api/invoices/1", {"X-API-KEY": "{token}"}),
    ],
)
def test_v2_reads_no_other_token_source(perfex: Perfex, path: str, headers: dict) -> None:
    token = perfex.sim.token
    filled = {name: value.format(token=token) for name, value in headers.items()}
    answer = perfex.raw("GET", path.format(token=token), headers=filled)
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Token is not defined."}


def test_missing_token_is_404_token_is_not_defined(perfex: Perfex) -> None:
    answer = perfex.raw("GET", "/api/invoices")
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Token is not defined."}


def _resign_payload(token: str) -> str:
    header, _, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"user": "x"}).encode()).rstrip(b"=")
    return f"{header}.{forged.decode()}.{signature}"


@pytest.mark.parametrize(
    ("make_token", "expected"),
    [
        (lambda token: "not-a-jwt", "Wrong number of segments"),
        (lambda token: "", "Wrong number of segments"),
        (_resign_payload, "Signature verification failed"),
        (lambda token: "e30.e30.abc", "Empty algorithm"),
        (lambda token: "bm90IGpzb24.e30.abc", "Syntax error, malformed JSON"),
        (lambda token: encode({"user": "u", "name": "u"}), "Token Time Not Define!"),
        (lambda token: encode({"user": "u", "name": "u", "API_TIME": 1}), "Token Time Expire."),
        (lambda token: encode({"user": "u", "name": "u", "API_TIME": int(time.time())}), None),
    ],
    ids=[
        "segments",
        "empty",
        "signature",
        "no-alg",
        "bad-json",
        "no-api-time",
        "expired",
        "unregistered",
    ],
)
def test_invalid_tokens_get_404_with_the_jwt_library_message(
    perfex: Perfex, make_token, expected: str | None
) -> None:
    answer = perfex.raw("GET", "/api/invoices", headers={"authtoken": make_token(perfex.sim.token)})
    assert answer.status_code == 404
    # A valid JWT that is not in tbluser_api answers a null message (API notes 1.2).
    assert answer.json() == {"status": False, "message": expected}


def test_token_without_a_capability_gets_403_necessay(perfex: Perfex) -> None:
    limited = perfex.store.issue_token({"invoices": ["get", "search_get"]})
    headers = {"authtoken": limited}
    assert perfex.raw("GET", "/api/invoices/1", headers=headers).status_code == 200
    assert perfex.raw("GET", "/api/invoices/search/1", headers=headers).status_code == 200
    refused = perfex.raw("DELETE", "/api/invoices/12", headers=headers)
    assert refused.status_code == 403
    assert refused.json() == {"status": False, "message": NECESSAY}
    assert 12 in perfex.store.invoices  # nothing happened
    other_feature = perfex.raw("GET", "/api/customers/1", headers=headers)
    assert other_feature.status_code == 403


def test_a_token_with_permissions_disabled_may_do_everything(perfex: Perfex) -> None:
    assert perfex.store.tokens.find(perfex.sim.token).permissions is None
    answer = perfex.request("DELETE", "/api/invoices/12")
    assert answer.status_code == 200


def test_checks_run_token_then_method_then_permission(perfex: Perfex) -> None:
    limited = perfex.store.issue_token({"customers": ["get"]})
    no_token = perfex.raw("PATCH", "/api/invoices/1")
    assert (no_token.status_code, no_token.json()["message"]) == (404, "Token is not defined.")
    unknown_method = perfex.raw("PATCH", "/api/invoices/1", headers={"authtoken": limited})
    assert unknown_method.status_code == 405  # before the permission check
    forbidden = perfex.raw("GET", "/api/invoices/1", headers={"authtoken": limited})
    assert forbidden.status_code == 403


def test_v3_accepts_the_token_as_a_query_parameter(perfex3: Perfex) -> None:
    for name in ("authtoken", "Authtoken", "api_key"):
        answer = perfex3.raw("GET", f"/api/invoices/1?{name}={perfex3.sim.token}")
        assert answer.status_code == 200


@pytest.mark.parametrize("token", [None, "not-registered", "Bearer-only"])
def test_v3_missing_or_unknown_token_is_404_token_is_not_found(
    perfex3: Perfex, token: str | None
) -> None:
    headers = {}
    if token == "not-registered":
        headers = {"authtoken": encode({"user": "u", "name": "u", "API_TIME": 1})}
    elif token == "Bearer-only":
        # The REST key pre-check only looks at authtoken/query: Bearer alone never gets in.
        headers = {"Authorization": f"Bearer {perfex3.sim.token}"}
    answer = perfex3.raw("GET", "/api/invoices", headers=headers)
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Token is not found"}


def test_v3_a_foreign_authorization_header_before_authtoken_breaks_the_request(
    perfex3: Perfex,
) -> None:
    # M3.0.3's JWT reader takes the first of authtoken/Authorization in header order.
    headers = {"Authorization": "Basic cHJveHk6cHc=", "authtoken": perfex3.sim.token}
    answer = perfex3.raw("GET", "/api/invoices/1", headers=headers)
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Wrong number of segments"}


def test_v3_quota_answers_429_with_rate_limit_headers(make_perfex) -> None:
    perfex = make_perfex(version="3", invoices=2, v3_rate_limit=3)
    answers = [perfex.get("/api/invoices/1") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"
    assert answers[3].json() == {"status": False, "message": "Rate limit exceeded"}
    assert answers[3].headers["X-RateLimit-Remaining"] == "0"
    assert int(answers[3].headers["X-RateLimit-Reset"]) > 0


def test_v3_hourly_method_limit_answers_401_time_limit(make_perfex) -> None:
    perfex = make_perfex(version="3", invoices=2, v3_method_limit=2)
    statuses = [perfex.get("/api/invoices/1").status_code for _ in range(3)]
    assert statuses == [200, 200, 401]
    assert perfex.get("/api/invoices/1").json() == {
        "status": False,
        "error": "This API key has reached the time limit for this method",
    }
    assert perfex.get("/api/customers/1").status_code == 200  # another method, its own count


def test_v2_has_no_rate_limit(make_perfex) -> None:
    perfex = make_perfex(invoices=1, v3_rate_limit=1, v3_method_limit=1)
    assert {perfex.get("/api/invoices/1").status_code for _ in range(5)} == {200}
