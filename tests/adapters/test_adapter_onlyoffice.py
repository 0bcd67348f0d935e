"""The ONLYOFFICE adapter's wire details, login and token life, and answer classification."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import responses
from adapter_fakes import FIXED_NOW, ONLYOFFICE_URL, count_json_parses
from responses import matchers

from bridge.errors import (
    AnswerLost,
    ConfigError,
    CredentialsRejected,
    NotFound,
    RateLimited,
    RecordRejected,
    RetryableError,
)
from bridge.http import Response
from bridge.onlyoffice import OnlyofficeClient
from bridge.onlyoffice_answers import classify_onlyoffice_response

TOKEN = "8Xw2qL0r4v/fixed+token=="
PASSWORD = "s3cret-pass-phrase"
CRM = f"{ONLYOFFICE_URL}/api/2.0/crm"
AUTH = f"{ONLYOFFICE_URL}/api/2.0/authentication"


def ok(payload: object, status: int = 200) -> dict:
    """The success envelope (onlyoffice-api.md 2.1)."""
    return {"count": 1, "status": 0, "statusCode": status, "response": payload}


def failed(status: int, message: str) -> dict:
    """The error envelope (onlyoffice-api.md 2.2)."""
    return {"status": 1, "statusCode": status, "error": {"message": message, "hresult": -1}}


def login_answer(token: str, expires: str = "2027-11-21T10:00:00.0000000Z") -> dict:
    return ok({"token": token, "expires": expires}, 201)


@pytest.fixture
def office(make_http) -> OnlyofficeClient:
    return OnlyofficeClient(make_http("onlyoffice"), token=TOKEN)


@pytest.fixture
def login_office(make_http):
    def build(now=lambda: FIXED_NOW) -> OnlyofficeClient:
        http = make_http("onlyoffice")
        return OnlyofficeClient(http, username="sync@example.com", password=PASSWORD, now=now)

    return build


# --- headers, envelope, bodies --------------------------------------------------------------


@responses.activate
def test_token_is_sent_raw_and_the_envelope_is_unwrapped(office) -> None:
    responses.get(f"{CRM}/invoice/42", json=ok({"id": 42, "cost": 1210.10}))
    invoice = office.get_invoice(42)
    assert invoice == {"id": 42, "cost": Decimal("1210.10")}
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == TOKEN  # no "Bearer" scheme (API notes 1.2)
    assert sent.headers["Accept"] == "application/json"


@responses.activate
def test_an_answer_is_parsed_once_and_money_stays_exact(office, monkeypatch) -> None:
    body = '{"count": 1, "status": 0, "statusCode": 200, "response": {"id": 42, "cost": 0.10}}'
    responses.get(f"{CRM}/invoice/42", body=body, content_type="application/json")
    parsed = count_json_parses(monkeypatch)
    invoice = office.get_invoice(42)
    assert invoice["cost"] == Decimal("0.10")
    assert str(invoice["cost"]) == "0.10"  # as sent: not 0.1000000000000000055511151231257827
    assert parsed == [body]


@responses.activate
def test_create_posts_json_once_and_decimals_go_out_exactly(office) -> None:
    responses.post(
        f"{CRM}/invoiceitem",
        status=201,
        json=ok({"id": 3, "title": "Consulting"}, 201),
        match=[
            matchers.json_params_matcher(
                {
                    "title": "Consulting",
                    "description": "",
                    "price": "19.90",
                    "invoiceTax1id": 1,
                    "invoiceTax2id": 0,
                }
            )
        ],
    )
    item = office.create_item("Consulting", Decimal("19.90"), tax1_id=1)
    assert item["id"] == 3
    assert responses.calls[0].request.headers["Content-Type"] == "application/json"


@responses.activate
def test_status_change_names_the_status_in_the_path_and_ids_in_the_body(office) -> None:
    responses.put(
        f"{CRM}/invoice/status/2",
        json=ok({"key": [{"id": 5}], "value": []}),
        match=[matchers.json_params_matcher({"invoiceids": [5, 6]})],
    )
    assert office.set_invoice_status(["5", 6], 2)["key"] == [{"id": 5}]


@responses.activate
def test_billing_address_is_posted_with_its_category(office) -> None:
    address = {"street": "Hauptstraße 1", "city": "Berlin", "zip": "10115", "country": "DE"}
    responses.post(
        f"{CRM}/contact/10/addressdata",
        status=201,
        json=ok({"id": 55, "infoType": 7, "category": 3}, 201),
        match=[
            matchers.json_params_matcher({"address": {**address, "category": 3, "isPrimary": True}})
        ],
    )
    assert office.add_address(10, address)["id"] == 55


@responses.activate
def test_contacts_by_email_asks_with_the_info_type_name(office) -> None:
    responses.get(
        f"{CRM}/contact/bycontactinfo",
        json=ok([{"id": 10}]),
        match=[matchers.query_param_matcher({"infoType": "Email", "data": "a@b.example"})],
    )
    assert office.contacts_by_email("a@b.example") == [{"id": 10}]


@responses.activate
def test_number_look_ups(office) -> None:
    responses.get(f"{CRM}/invoice/bynumber/exist", json=ok(True))
    responses.get(
        f"{CRM}/invoice/bynumber",
        status=404,
        json=failed(404, "Not found"),
        match=[matchers.query_param_matcher({"number": "INV-0042"})],
    )
    assert office.invoice_number_exists("INV-0041") is True
    assert office.invoice_by_number("INV-0042") is None


# --- paging ---------------------------------------------------------------------------------


@responses.activate
def test_invoice_list_pages_by_1000_until_a_short_page(office) -> None:
    for start, size in [(0, 1000), (1000, 5)]:
        responses.get(
            f"{CRM}/invoice/filter",
            json=ok([{"id": start + i} for i in range(size)]),
            match=[
                matchers.query_param_matcher(
                    {
                        "status": "2",
                        "issueDateFrom": "2024-05-01",
                        "count": "1000",
                        "startIndex": str(start),
                    }
                )
            ],
        )
    rows = office.list_invoices(status=2, issueDateFrom=date(2024, 5, 1))
    assert len(rows) == 1005
    assert len(responses.calls) == 2


@responses.activate
def test_an_exactly_full_last_page_costs_one_empty_request(make_http) -> None:
    office = OnlyofficeClient(make_http("onlyoffice"), token=TOKEN, page_size=2)
    responses.get(f"{CRM}/invoiceitem/filter", json=ok([{"id": 1}, {"id": 2}]))
    responses.get(f"{CRM}/invoiceitem/filter", json=ok([]))
    assert office.list_items() == [{"id": 1}, {"id": 2}]
    assert "filterValue" not in responses.calls[0].request.url


@pytest.mark.parametrize("name", ["updatedSince", "UPDATEDSINCE", "count", "startIndex"])
def test_reserved_list_parameters_are_refused(office, name) -> None:
    # updatedSince makes the server drop every row (onlyoffice-api.md 2.7).
    with pytest.raises(ValueError):
        office.list_invoices(**{name: "2024-01-01"})


# --- update of a non-draft ------------------------------------------------------------------


@responses.activate
def test_update_404_explains_missing_or_not_a_draft(office) -> None:
    responses.put(f"{CRM}/invoice/42", status=404, json=failed(404, "Not found"))
    with pytest.raises(NotFound) as caught:
        office.update_invoice(42, {"terms": "x"})
    assert "not a Draft" in str(caught.value)
    assert caught.value.remote_message == "Not found"


@responses.activate
def test_create_whose_answer_is_lost_is_not_repeated(office) -> None:
    responses.post(f"{CRM}/invoice", status=502, body="<html>Bad Gateway</html>")
    with pytest.raises(AnswerLost):
        office.create_invoice({"number": "INV-1"})
    assert len(responses.calls) == 1


@responses.activate
def test_ambiguous_create_refusal_keeps_the_server_message(office) -> None:
    text = "Value does not fall within the expected range."
    responses.post(f"{CRM}/invoice", status=400, json=failed(400, text))
    with pytest.raises(RecordRejected) as caught:
        office.create_invoice({"number": "INV-1"})
    assert caught.value.remote_message == text
    assert text in str(caught.value)


# --- login and token life -------------------------------------------------------------------


@responses.activate
def test_login_once_then_reuse_the_token(login_office) -> None:
    responses.post(
        AUTH,
        status=201,
        json=login_answer("tok-A"),
        match=[
            matchers.json_params_matcher({"userName": "sync@example.com", "password": PASSWORD})
        ],
    )
    responses.get(f"{CRM}/invoice/settings", json=ok({"prefix": "INV-"}))
    office = login_office()
    office.invoice_settings()
    office.invoice_settings()
    assert [c.request.method for c in responses.calls] == ["POST", "GET", "GET"]
    assert responses.calls[1].request.headers["Authorization"] == "tok-A"


@responses.activate
def test_a_token_near_its_expiry_is_renewed_before_use(login_office) -> None:
    now = [FIXED_NOW]
    responses.post(AUTH, status=201, json=login_answer("tok-A", "2026-11-21T11:00:00Z"))
    responses.post(AUTH, status=201, json=login_answer("tok-B"))
    responses.get(f"{CRM}/invoice/settings", json=ok({}))
    office = login_office(now=lambda: now[0])
    office.invoice_settings()
    now[0] += timedelta(minutes=59, seconds=30)  # inside the renewal margin
    office.invoice_settings()
    used = [
        c.request.headers.get("Authorization") for c in responses.calls if c.request.method == "GET"
    ]
    assert used == ["tok-A", "tok-B"]


@responses.activate
def test_401_re_authenticates_once_and_repeats_the_request(login_office) -> None:
    responses.post(AUTH, status=201, json=login_answer("tok-A"))
    responses.post(AUTH, status=201, json=login_answer("tok-B"))
    responses.get(
        f"{CRM}/invoice/7",
        status=401,
        body="Unauthorized",
        match=[matchers.header_matcher({"Authorization": "tok-A"})],
    )
    responses.get(
        f"{CRM}/invoice/7",
        json=ok({"id": 7}),
        match=[matchers.header_matcher({"Authorization": "tok-B"})],
    )
    assert login_office().get_invoice(7) == {"id": 7}
    assert [c.request.method for c in responses.calls] == ["POST", "GET", "POST", "GET"]


@responses.activate
def test_second_401_is_credentials_rejected_naming_onlyoffice(login_office) -> None:
    responses.post(AUTH, status=201, json=login_answer("tok-A"))
    responses.post(AUTH, status=201, json=login_answer("tok-B"))
    responses.get(f"{CRM}/invoice/7", status=401, body="Unauthorized")
    with pytest.raises(CredentialsRejected) as caught:
        login_office().get_invoice(7)
    assert str(caught.value).startswith("ONLYOFFICE")
    assert len(responses.calls) == 4  # login, 401, login again, 401: no third round
    for secret in ("tok-A", "tok-B", PASSWORD):
        assert secret not in str(caught.value)


@responses.activate
def test_failed_login_is_credentials_rejected_without_the_password(login_office) -> None:
    responses.post(AUTH, status=500, json=failed(500, "User authentication failed"))
    with pytest.raises(CredentialsRejected) as caught:
        login_office().invoice_settings()
    message = str(caught.value)
    assert "ONLYOFFICE refused the login of user 'sync@example.com'" in message
    assert "User authentication failed" in message
    assert "[onlyoffice].password_env" in message
    assert PASSWORD not in message
    assert len(responses.calls) == 1  # a refused login is not retried


@responses.activate
def test_two_factor_account_is_refused_with_a_reason(login_office) -> None:
    responses.post(AUTH, status=201, json=ok({"tfa": True, "tfaKey": "xyz"}, 201))
    with pytest.raises(CredentialsRejected) as caught:
        login_office().invoice_settings()
    assert "two-factor" in str(caught.value)


@responses.activate
def test_fixed_token_refused_is_not_retried_and_not_shown(office) -> None:
    responses.get(f"{CRM}/invoice/7", status=401, body="Unauthorized")
    with pytest.raises(CredentialsRejected) as caught:
        office.get_invoice(7)
    assert len(responses.calls) == 1
    assert "[onlyoffice].token_env" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_no_credentials_is_a_config_error(make_http) -> None:
    with pytest.raises(ConfigError):
        OnlyofficeClient(make_http("onlyoffice"), username="someone")


# --- classification -------------------------------------------------------------------------


def _answer(status: int, body: object, method: str = "GET") -> Response:
    text = body if isinstance(body, str) else json.dumps(body)
    return Response(status, text, system="onlyoffice", method=method, path="/api/2.0/crm/invoice")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, failed(400, "Value does not fall within the expected range."), RecordRejected),
        (400, failed(400, "invalid date time format: x"), RecordRejected),
        (401, "Unauthorized", CredentialsRejected),
        (402, failed(402, "PaymentRequired"), CredentialsRejected),
        (403, failed(403, "Forbidden"), CredentialsRejected),
        (403, failed(403, "Access denied"), RecordRejected),
        (404, failed(404, "Not found"), NotFound),
        (404, "<html>page not found</html>", NotFound),
        (429, "Too Many Requests", RateLimited),
        (500, failed(500, "User authentication failed"), CredentialsRejected),
        (500, failed(500, "Login Fail. Too many attempts"), CredentialsRejected),
        (500, failed(500, "Object reference not set to an instance of an object."), RetryableError),
        (503, failed(503, "ServiceUnavailable"), RetryableError),
        (200, failed(400, "Value does not fall within the expected range."), RecordRejected),
        (200, "<html>sign in</html>", RetryableError),
    ],
)
def test_classification(status, body, expected) -> None:
    error = classify_onlyoffice_response(_answer(status, body))
    assert type(error) is expected
    assert error.system == "onlyoffice"


def test_access_denied_says_the_account_must_be_a_crm_admin() -> None:
    error = classify_onlyoffice_response(_answer(403, failed(403, "Access denied"), "POST"))
    assert "CRM admin" in str(error)


@pytest.mark.parametrize("status", [200, 201])
def test_success_envelopes_are_success(status) -> None:
    assert classify_onlyoffice_response(_answer(status, ok([], status))) is None
