"""The HTTP boundary's values and wire details: Response, the generic status table, bodies,
headers, logging, and secrets kept out of messages."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal

import pytest
import requests
import responses
from adapter_fakes import PERFEX_URL

from bridge.errors import (
    ConfigError,
    CredentialsRejected,
    NotFound,
    RateLimited,
    RecordRejected,
    RetryableError,
    Unreachable,
)
from bridge.http import HttpClient, Response, default_classify, encode_form, encode_json

# --- Response -------------------------------------------------------------------------------


def test_json_money_is_decimal_never_float() -> None:
    response = Response(200, '{"cost": 1210.10, "count": 2}')
    body = response.json()
    assert body["cost"] == Decimal("1210.10")
    assert isinstance(body["cost"], Decimal)
    assert body["count"] == 2


def test_a_body_is_read_once_per_reader_even_when_it_is_not_json() -> None:
    reads: list[str] = []

    def reader(text: str) -> object:
        reads.append(text)
        return json.loads(text)

    answer, page = Response(200, '{"a": 1}'), Response(502, "<html>Bad Gateway</html>")
    assert answer.decoded(reader) is answer.decoded(reader)
    for _ in range(2):
        with pytest.raises(ValueError):
            page.decoded(reader)
    assert reads == ['{"a": 1}', "<html>Bad Gateway</html>"]


def test_headers_are_read_without_regard_to_case_and_cannot_be_changed() -> None:
    response = Response(429, headers={"Retry-After": "3"})
    assert response.headers["retry-after"] == "3"
    assert response.headers.get("RETRY-AFTER") == "3"
    with pytest.raises(TypeError):
        response.headers["x"] = "y"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"status": 1, "error": {"message": "Not found"}}', "Not found"),
        ('{"status": false, "message": "No data were found"}', "No data were found"),
        ('{"status": false, "error": "Unknown method"}', "Unknown method"),
        ("Unauthorized", "Unauthorized"),
        ("<html><body><h1>502 Bad Gateway</h1></body></html>", None),
        ("", None),
    ],
    ids=["envelope", "message", "string-error", "plain-text", "html-page", "empty"],
)
def test_server_message(text: str, expected: str | None) -> None:
    assert Response(400, text).server_message() == expected


# --- the generic status table ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, RecordRejected),
        (401, CredentialsRejected),
        (403, CredentialsRejected),
        (404, NotFound),
        (406, RecordRejected),
        (409, RecordRejected),
        (422, RecordRejected),
        (429, RateLimited),
        (500, RetryableError),
        (502, RetryableError),
        (503, RetryableError),
        (504, RetryableError),
        (301, Unreachable),
    ],
)
def test_default_classification(status: int, expected: type) -> None:
    response = Response(status, '{"message": "nope"}', system="perfex", path="/api/x")
    error = default_classify(response)
    assert type(error) is expected
    assert error.status == status
    assert error.system == "perfex"
    assert "Perfex GET /api/x" in str(error)


def test_success_is_not_an_error() -> None:
    assert default_classify(Response(201, "{}")) is None


# --- what goes out --------------------------------------------------------------------------


def test_json_body_sends_decimals_as_exact_strings_and_dates_as_iso() -> None:
    body = {"total": Decimal("1080.00"), "rate": Decimal("1E+2"), "date": date(2024, 3, 1)}
    assert json.loads(encode_json(body)) == {
        "total": "1080.00",
        "rate": "100",
        "date": "2024-03-01",
    }


FORMS = {
    "invoice-create": [
        ("clientid", "17"),
        ("billing_street", "Hauptstraße 12"),
        ("terms", "Zahlbar in 30 Tagen.\nDanke!"),
        ("total", "1469.06"),
        ("allowed_payment_modes[]", "1"),
        ("newitems[1][description]", "Beratung & Konzept (50% vorab)"),
        ("newitems[1][taxname][]", "VAT|20.00"),
        ("newitems[1][long_description]", "Zeitraum: März<br />Inkl. Anfahrt"),
    ],
    "awkward-text": [
        ("a b", "x+y=z;w/v?u#t"),
        ("emoji", "🧾 paid"),
        ("tilde~dash-dot._", "~-._ plain"),
        ("empty", ""),
        ("percent", "100%"),
    ],
    "values-that-are-not-text": [("count", 3), ("flag", True), ("rate", Decimal("20.00"))],
    "none-is-left-out": [("kept", "1"), ("dropped", None), ("kept too", "2")],
    "a-list-repeats-its-key": [("allowed_payment_modes[]", ["1", "2"]), ("ids", ("7",))],
    "bytes-as-they-are": [("raw", b"caf\xc3\xa9 & co")],
}


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_form_body_is_what_requests_would_send(form) -> None:
    prepared = requests.PreparedRequest()
    prepared.prepare_headers({})
    prepared.prepare_body(form, None)
    assert encode_form(form) == prepared.body
    assert encode_form(dict(form)) == encode_form(form)


@responses.activate
def test_form_request_carries_its_content_type(make_http) -> None:
    responses.post(f"{PERFEX_URL}/api/customers", json={"status": True})
    make_http().request("POST", "/api/customers", data=[("company", "Müller & Söhne GmbH")])
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.body == "company=M%C3%BCller+%26+S%C3%B6hne+GmbH"


def test_json_body_refuses_values_it_cannot_state_exactly() -> None:
    with pytest.raises(TypeError):
        encode_json({"when": object()})


@responses.activate
def test_json_request_carries_content_type_and_encoded_body(make_http) -> None:
    responses.put(f"{PERFEX_URL}/api/invoices/5", json={"status": True})
    make_http().request("PUT", "/api/invoices/5", json={"total": Decimal("9.50")})
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == {"total": "9.50"}


@responses.activate
def test_params_with_none_are_left_out(make_http) -> None:
    responses.get(f"{PERFEX_URL}/api/x", json=[])
    make_http().request("GET", "/api/x", params={"a": "1", "b": None})
    assert responses.calls[0].request.url == f"{PERFEX_URL}/api/x?a=1"


@responses.activate
def test_redirects_are_not_followed(make_http) -> None:
    # A redirected POST would silently become a GET and "succeed".
    responses.post(
        f"{PERFEX_URL}/api/invoices",
        status=301,
        headers={"Location": "https://crm.example.com/api/invoices?authtoken=x"},
    )
    with pytest.raises(Unreachable) as caught:
        make_http().request("POST", "/api/invoices", data=[("a", "b")])
    assert len(responses.calls) == 1
    assert "https://crm.example.com" in str(caught.value)
    assert "authtoken" not in str(caught.value)


@pytest.mark.parametrize("url", ["crm.example.com", "ftp://crm.example.com", ""])
def test_base_url_must_be_http(url: str) -> None:
    with pytest.raises(ConfigError):
        HttpClient("perfex", url)


# --- secrets and logs -----------------------------------------------------------------------


@responses.activate
def test_echoed_token_is_redacted_from_the_error(make_http) -> None:
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret.part"
    responses.get(
        f"{PERFEX_URL}/api/invoices",
        status=400,
        json={"status": False, "message": f"bad token {token}"},
    )
    with pytest.raises(RecordRejected) as caught:
        make_http().request("GET", "/api/invoices", headers={"authtoken": token})
    assert token not in str(caught.value)
    assert token not in (caught.value.remote_message or "")
    assert "[redacted]" in str(caught.value)


@responses.activate
def test_extra_secrets_can_be_named_for_redaction(make_http) -> None:
    responses.post(
        f"{PERFEX_URL}/api/login", status=400, json={"message": "password hunter2 is wrong"}
    )
    with pytest.raises(RecordRejected) as caught:
        make_http().request("POST", "/api/login", json={"password": "hunter2"}, redact=["hunter2"])
    assert "hunter2" not in str(caught.value)


@responses.activate
def test_one_debug_line_per_request_without_query_or_headers(make_http, caplog) -> None:
    responses.get(f"{PERFEX_URL}/api/invoices", json=[])
    with caplog.at_level(logging.DEBUG, logger="bridge.http"):
        make_http().request(
            "GET", "/api/invoices", params={"authtoken": "tok-123"}, headers={"authtoken": "tok-9"}
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "bridge.http"]
    assert len(lines) == 1
    assert lines[0].startswith("perfex GET /api/invoices -> 200 (")
    assert lines[0].endswith(" ms)")
    assert "tok-" not in lines[0]


@responses.activate
def test_user_agent_names_the_bridge(make_http) -> None:
    responses.get(f"{PERFEX_URL}/api/x", json=[])
    make_http().request("GET", "/api/x")
    assert responses.calls[0].request.headers["User-Agent"].startswith("crm-bridge/")
