"""The Perfex adapter's wire details and its classification of Perfex's answers."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import pytest
import responses
from adapter_fakes import PERFEX_URL, count_json_parses
from responses import matchers

from bridge.errors import (
    ConfigError,
    CredentialsRejected,
    NotFound,
    NumberInUse,
    RateLimited,
    RecordRejected,
    RemoteError,
    RetryableError,
    Unreachable,
    UnreadableAnswer,
)
from bridge.http import Response, RetryPolicy
from bridge.perfex import PerfexClient
from bridge.perfex_answers import classify_perfex_response, perfex_json

TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoic3luYyJ9.c2lnbmF0dXJl"
NO_DATA = {"status": False, "message": "No data were found"}
ANY_API_URL = re.compile(rf"{re.escape(PERFEX_URL)}/api/.*")


@pytest.fixture
def perfex(make_http) -> PerfexClient:
    return PerfexClient(make_http("perfex"), TOKEN)


def _url(path: str) -> str:
    return f"{PERFEX_URL}{path}"


# --- headers and encodings ------------------------------------------------------------------


@responses.activate
def test_every_request_carries_authtoken_and_asks_for_json(perfex) -> None:
    responses.get(_url("/api/invoices/7"), json={"id": "7"})
    responses.get(_url("/api/customers/search/Acme"), json=[])
    perfex.get_invoice(7)
    perfex.search_customers("Acme")
    for call in responses.calls:
        assert call.request.headers["authtoken"] == TOKEN
        assert call.request.headers["Accept"] == "application/json"
        assert "Authorization" not in call.request.headers


@responses.activate
def test_an_answer_is_parsed_once_for_the_classifier_and_the_caller(perfex, monkeypatch) -> None:
    responses.get(_url("/api/invoices/7"), json={"id": "7", "total": "121.00", "items": []})
    parsed = count_json_parses(monkeypatch)
    invoice = perfex.get_invoice(7)
    assert invoice == {"id": "7", "total": "121.00", "items": []}
    assert len(parsed) == 1


@responses.activate
def test_create_sends_php_bracket_form_fields_in_order(perfex) -> None:
    responses.post(_url("/api/invoices"), json={"status": True, "message": "Invoice Added"})
    form = [
        ("clientid", "7"),
        ("number", "1042"),
        ("allowed_payment_modes[]", "1"),
        ("allowed_payment_modes[]", "2"),
        ("newitems[1][description]", "Consulting & co"),
        ("newitems[1][taxname][]", "VAT|20.00"),
        ("subtotal", "900.00"),
    ]
    assert perfex.create_invoice(form) is None  # module 2.x: no id, search by number
    sent = responses.calls[0].request
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(sent.body) == form
    assert "newitems%5B1%5D%5Btaxname%5D%5B%5D=VAT%7C20.00" in sent.body


@responses.activate
def test_create_returns_the_record_id_on_module_3(perfex) -> None:
    responses.post(_url("/api/invoices"), json={"status": True, "record_id": 58})
    assert perfex.create_invoice([("number", "1")]) == "58"


def test_create_refuses_update_only_keys_that_would_fail_the_insert(perfex) -> None:
    with pytest.raises(ValueError):
        perfex.create_invoice([("items[0][itemid]", "3")])


@responses.activate
def test_update_sends_json_and_reports_success(perfex) -> None:
    responses.put(
        _url("/api/invoices/58"),
        json={"status": True, "message": "Invoice Updated Successfully"},
        match=[matchers.json_params_matcher({"number": "1042", "items": []})],
    )
    assert perfex.update_invoice(58, {"number": "1042", "items": []}) is True
    assert responses.calls[0].request.headers["Content-Type"] == "application/json"


@responses.activate
def test_update_that_changed_nothing_is_false_not_an_error(perfex) -> None:
    responses.put(
        _url("/api/invoices/58"),
        status=404,
        json={"status": False, "message": "Invoice Update Fail"},
    )
    assert perfex.update_invoice(58, {"number": "1042"}) is False


@responses.activate
def test_search_key_is_one_percent_encoded_segment(perfex) -> None:
    responses.get(_url("/api/invoices/search/M%C3%BCller%20%26%20S%C3%B6hne%2FGmbH"), json=[])
    assert perfex.search_invoices("Müller & Söhne/GmbH") == []


# --- lists, paging, version -----------------------------------------------------------------


@responses.activate
def test_module_2_list_is_one_plain_array(perfex) -> None:
    rows = [{"id": "1"}, {"id": "2"}]
    responses.get(_url("/api/invoices"), json=rows)
    assert perfex.list_invoices() == rows
    assert perfex.detect_version() == "2"
    assert len(responses.calls) == 1  # the version was learned from the list


@responses.activate
def test_module_3_list_is_paged_by_100_until_the_last_page(perfex) -> None:
    for page, (ids, more) in enumerate([(range(1, 101), True), (range(101, 131), False)], 1):
        responses.get(
            _url("/api/invoices"),
            json={
                "data": [{"id": str(i)} for i in ids],
                "meta": {"page": page, "per_page": 100, "total": 130, "has_more": more},
            },
            match=[
                matchers.query_param_matcher({"page": str(page), "per_page": "100", "sort": "id"})
            ],
        )
    rows = perfex.list_invoices()
    assert [row["id"] for row in rows] == [str(i) for i in range(1, 131)]
    assert perfex.detect_version() == "3"


@responses.activate
def test_module_3_clamped_last_page_does_not_loop_forever(perfex) -> None:
    # Past the end, module 3.x answers the last page again (perfex-api.md 2.2).
    responses.get(
        _url("/api/customers"),
        json={"data": [{"userid": "1"}], "meta": {"total_pages": 9}},
    )
    assert perfex.list_customers() == [{"userid": "1"}]
    assert len(responses.calls) == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.list_invoices(),
        lambda p: p.list_customers(),
        lambda p: p.list_items(),
        lambda p: p.search_invoices("1042"),
        lambda p: p.search_customers("Acme"),
        lambda p: p.tax_data(),
        lambda p: p.payment_modes(),
    ],
    ids=["invoices", "customers", "items", "search-invoices", "search-customers", "taxes", "modes"],
)
@responses.activate
def test_no_data_were_found_means_empty(perfex, call) -> None:
    responses.add(responses.GET, ANY_API_URL, status=404, json=NO_DATA)
    assert call(perfex) == []


@responses.activate
def test_get_of_a_missing_invoice_is_not_found(perfex) -> None:
    responses.get(_url("/api/invoices/999"), status=404, json=NO_DATA)
    with pytest.raises(NotFound):
        perfex.get_invoice(999)


@responses.activate
def test_empty_install_version_comes_from_the_tokenless_probe(perfex) -> None:
    responses.get(
        _url("/api/invoices"),
        status=404,
        json=NO_DATA,
        match=[matchers.header_matcher({"authtoken": TOKEN})],
    )
    responses.get(
        _url("/api/invoices"), status=404, json={"status": False, "message": "Token is not found"}
    )
    assert perfex.detect_version() == "3"
    assert "authtoken" not in responses.calls[1].request.headers


@pytest.mark.parametrize("version", ["2", "3"])
def test_a_configured_version_is_not_probed(make_http, version) -> None:
    assert PerfexClient(make_http(), TOKEN, version=version).detect_version() == version


def test_unknown_version_is_a_config_error(make_http) -> None:
    with pytest.raises(ConfigError):
        PerfexClient(make_http(), TOKEN, version="4")


# --- classification -------------------------------------------------------------------------


def _answer(status: int, body: object, method: str = "GET", path: str = "/api/invoices"):
    text = body if isinstance(body, str) else json.dumps(body)
    return Response(status, text, system="perfex", method=method, path=path)


VALIDATION = {
    "status": False,
    "error": {"number": "The Invoice number is already in use"},
    "message": "<p>The Invoice number is already in use</p>\n",
}
FIELDS = {
    "status": False,
    "error": {
        "clientid": "The Customer field is required.",
        "total": "The Total field must contain a decimal number.",
    },
    "message": "<p>The Customer field is required.</p>\n<p>The Total field ...</p>\n",
}


def _says(text: str | None) -> dict:
    return {"status": False, "message": text}


NO_PERMISSION = "Your API token does not have the necessay permissions for the requested operation"
TIME_LIMIT = "This API key has reached the time limit for this method"


@pytest.mark.parametrize(
    ("status", "body", "method", "expected"),
    [
        (404, _says("Token is not defined."), "GET", CredentialsRejected),
        (404, _says("Wrong number of segments"), "GET", CredentialsRejected),
        (404, _says("Signature verification failed"), "POST", CredentialsRejected),
        (404, _says("Token is not found"), "GET", CredentialsRejected),
        (404, _says(None), "PUT", CredentialsRejected),
        (404, _says("Expired token"), "GET", CredentialsRejected),
        (403, _says(NO_PERMISSION), "GET", CredentialsRejected),
        (401, _says("API Module is not active"), "GET", CredentialsRejected),
        (429, _says("Rate limit exceeded"), "GET", RateLimited),
        (401, {"status": False, "error": TIME_LIMIT}, "POST", RateLimited),
        (404, VALIDATION, "POST", NumberInUse),
        (409, VALIDATION, "PUT", NumberInUse),
        (404, FIELDS, "POST", RecordRejected),
        (409, FIELDS, "PUT", RecordRejected),
        (404, _says("Invoice Add Fail"), "POST", RecordRejected),
        (404, _says("Invoice Update Fail"), "PUT", RecordRejected),
        (404, _says("Invoice Delete Fail"), "DELETE", RecordRejected),
        (404, NO_DATA, "GET", NotFound),
        (404, _says("Invalid Invoice ID"), "DELETE", NotFound),
        (409, _says("Invoice ID Doesn't Not Exist."), "PUT", NotFound),
        (406, _says("Data Not Acceptable OR Not Provided"), "PUT", RecordRejected),
        (405, {"status": False, "error": "Unknown method"}, "GET", RecordRejected),
        (400, _says("Search term is required."), "GET", RecordRejected),
        (500, "", "GET", RetryableError),
        (500, "<html>A Database Error Occurred</html>", "GET", RetryableError),
        (404, "<html><h1>404 Page Not Found</h1></html>", "GET", Unreachable),
        (200, "<html>not json at all</html>", "GET", RetryableError),
        (200, "", "GET", UnreadableAnswer),
    ],
)
def test_classification(status, body, method, expected) -> None:
    error = classify_perfex_response(_answer(status, body, method))
    assert type(error) is expected
    assert error.system == "perfex"
    assert error.status == status


@responses.activate
def test_an_empty_200_is_asked_once_and_blamed_on_a_record_that_is_not_utf8(make_http) -> None:
    # Perfex's json_encode fails on bytes that are not UTF-8, and the module prints nothing.
    perfex = PerfexClient(make_http(retry=RetryPolicy(max_attempts=4)), TOKEN)
    responses.get(_url("/api/invoices"), status=200, body="")
    with pytest.raises(UnreadableAnswer, match="empty body.*not valid UTF-8") as caught:
        perfex.list_invoices()
    assert caught.value.status == 200
    assert len(responses.calls) == 1


def test_success_is_success() -> None:
    assert classify_perfex_response(_answer(200, {"status": True})) is None


def test_development_mode_warnings_before_the_json_are_tolerated() -> None:
    warning = (
        '<div style="border:1px solid #990000;padding-left:20px;margin:0 0 10px 0;">'
        "<h4>A PHP Error was encountered</h4><p>Severity: Warning</p>"
        '<p>Message:  Undefined array key "duedate"</p></div>'
    )
    answer = _answer(200, warning + '{"status":true,"message":"Invoice Updated Successfully"}')
    assert classify_perfex_response(answer) is None
    assert perfex_json(answer) == {"status": True, "message": "Invoice Updated Successfully"}


def test_bad_token_sentence_names_perfex_and_the_setting_but_not_the_token() -> None:
    answer = _answer(404, {"status": False, "message": "Signature verification failed"})
    message = str(classify_perfex_response(answer))
    assert message.startswith("Perfex rejected the API token")
    assert "[perfex].token_env" in message
    assert "Signature verification failed" in message


def test_validation_message_lists_fields_without_html() -> None:
    message = str(classify_perfex_response(_answer(404, FIELDS, "POST")))
    assert "clientid: The Customer field is required." in message
    assert "total: The Total field must contain a decimal number." in message
    assert "<p>" not in message


@pytest.mark.parametrize(
    ("method", "path", "version", "says"),
    [
        ("GET", "/api/invoices/search/1042", None, "'search_get' permission on 'invoices'"),
        ("PUT", "/api/invoices/5", None, "'put' permission on 'invoices'"),
        ("DELETE", "/api/delete/invoices/5", None, "'delete' permission on 'invoices'"),
        ("GET", "/api/common/tax_data", "3", "'get' permission on 'taxes'"),
        ("GET", "/api/common/tax_data", "2", "module 2.x offers no such permission"),
    ],
)
def test_permission_sentence_says_what_is_missing(method, path, version, says) -> None:
    body = {"status": False, "message": "Your API token does not have the necessay permissions"}
    answer = Response(403, json.dumps(body), system="perfex", method=method, path=path)
    assert says in str(classify_perfex_response(answer, version))


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"status": False, "message": "Token is not defined."}),
        (404, {"status": False, "message": None}),
        (403, {"status": False, "message": "does not have the necessay permissions"}),
        (404, {"status": False, "message": f"Wrong number of segments in {TOKEN}"}),
        (409, {"status": False, "error": {"number": f"bad {TOKEN}"}, "message": ""}),
        (503, "<html>down</html>"),
    ],
)
@responses.activate
def test_token_never_appears_in_an_error(make_http, status, body) -> None:
    perfex = PerfexClient(make_http(retry=RetryPolicy(max_attempts=2)), TOKEN)
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    responses.put(_url("/api/invoices/5"), status=status, **kwargs)
    with pytest.raises(RemoteError) as caught:
        perfex.update_invoice(5, {"number": "1"})
    error = caught.value
    assert TOKEN not in str(error)
    assert TOKEN not in (getattr(error, "remote_message", None) or "")
    assert TOKEN not in repr(error.args)
