"""Checklist §10 "Transport and auth": routes, tokens, credentials, body binding."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest


@pytest.mark.parametrize(
    "route",
    ["crm/invoice/1", "crm/invoice/filter", "crm/invoice/tax", "crm/settings/currency"],
)
def test_every_route_answers_with_and_without_json_suffix(api, route):
    plain = api.ok(api.get(route))
    suffixed = api.ok(api.get(route + ".json"))
    assert plain == suffixed


def test_paths_no_route_matches_get_the_web_apps_html_404(api):
    for route in ("crm/invoice/abc", "crm/nothing", "crm/invoice/1.xml"):
        reply = api.get(route)
        assert reply.status_code == 404
        assert not reply.headers["Content-Type"].startswith("application/json")


def test_routes_outside_api_2_0_are_not_the_api(api):
    reply = api.session.get(api.server.base_url + "/api/1.0/crm/invoice/1", timeout=5)
    assert reply.status_code == 404


@pytest.mark.parametrize("style", ["json", "form", "json-odd-case"])
def test_authentication_issues_a_token_for_json_and_form_bodies(api, style):
    creds = {"userName": api.sim.username, "password": api.sim.password}
    if style == "json":
        reply = api.post("authentication", json=creds, token=None)
    elif style == "form":
        reply = api.post("authentication", data=creds, token=None)
    else:
        odd = {"USERNAME": api.sim.username, "Password": api.sim.password}
        reply = api.post("authentication.json", json=odd, token=None)
    assert reply.json()["count"] == 1
    token = api.ok(reply, 201)["token"]
    assert api.ok(api.get("crm/invoice/1", token=token))["id"] == 1


def test_authentication_token_expires_about_a_year_later(api):
    creds = {"userName": api.sim.username, "password": api.sim.password}
    reply = api.ok(api.post("authentication", json=creds, token=None), 201)
    assert reply["expires"] == (api.clock.now + timedelta(days=365)).strftime(
        "%Y-%m-%dT%H:%M:%S.0000000Z"
    )


@pytest.mark.parametrize(
    "creds",
    [
        {"userName": "admin@sandbox.example", "password": "wrong"},
        {"userName": "", "password": ""},
        {"userName": "nobody@example.com", "password": "x"},
        {},
    ],
    ids=["wrong-password", "empty", "unknown-user", "missing"],
)
def test_wrong_or_empty_credentials_answer_500_user_authentication_failed(api, creds):
    error = api.error(api.post("authentication", json=creds, token=None), 500)
    assert error["message"] == "User authentication failed"
    assert error["hresult"] == -2146233087
    assert api.sim.password not in str(error)


@pytest.mark.parametrize("scheme", ["raw", "bearer", "basic", "cookie"])
def test_token_is_accepted_raw_bearer_and_basic(api, scheme):
    token = api.sim.token
    headers = {}
    if scheme == "raw":
        headers["Authorization"] = token
    elif scheme == "bearer":
        headers["Authorization"] = f"Bearer {token}"
    elif scheme == "basic":
        pair = f"{api.sim.username}:{api.sim.password}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        headers["Cookie"] = f"asc_auth_key={token}"
    assert api.ok(api.get("crm/invoice/1", token=None, headers=headers))["id"] == 1


@pytest.mark.parametrize("case", ["missing", "unknown", "expired", "bearer-unknown"])
def test_missing_unknown_or_expired_token_answers_plain_401(api, case):
    token = {"missing": None, "unknown": "nope", "bearer-unknown": "Bearer nope"}.get(case)
    if case == "expired":
        token = api.store.issue_token(user="temp", admin=True)
        api.store.expire_token(token)
    reply = api.get("crm/invoice/1", token=token)
    assert reply.status_code == 401
    assert reply.text == "Unauthorized"
    if token is None:
        assert "WWW-Authenticate" not in reply.headers
    else:
        assert reply.headers["WWW-Authenticate"] == 'Basic Realm="127.0.0.1"'


def test_token_stops_working_when_its_lifetime_is_over(api):
    api.clock.advance(timedelta(days=366))
    assert api.get("crm/invoice/1").status_code == 401


def test_json_body_with_another_content_type_binds_nothing(api):
    reply = api.post(
        "crm/invoice",
        data=json.dumps(api.invoice_body()).encode(),
        headers={"Content-Type": "text/plain"},
    )
    api.error(reply, 400)  # every required field looks missing
    assert api.store.invoice_by_number("T-0001") is None


def test_json_media_type_may_carry_a_charset(api):
    reply = api.post(
        "crm/invoice",
        data=json.dumps(api.invoice_body()).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert api.ok(reply, 201)["number"] == "T-0001"


def test_form_body_creates_an_invoice(api):
    body = api.invoice_body()
    form = {k: v for k, v in body.items() if k != "invoiceLines"}
    for key, value in body["invoiceLines"][0].items():
        form[f"invoiceLines[0][{key}]"] = value
    created = api.ok(api.post("crm/invoice", data=form), 201)
    assert created["invoiceLines"][0]["invoiceItemID"] == 1


def test_top_level_names_are_case_insensitive(api):
    body = api.invoice_body()
    renamed = {k.upper() if k != "invoiceLines" else k: v for k, v in body.items()}
    created = api.ok(api.post("crm/invoice", json=renamed), 201)
    assert created["number"] == "T-0001" and created["contact"]["id"] == 1


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        ("InvoiceItemID", True),
        ("invoiceItemID", True),
        ("invoiceitemid", True),
        ("invoiceItemId", False),
        ("InvoiceItemId", False),
        ("INVOICEITEMID", False),
    ],
)
def test_line_keys_bind_only_in_three_spellings(api, key, accepted):
    line = {key: 1, "quantity": 1, "price": 10}
    reply = api.post("crm/invoice", json=api.invoice_body(invoiceLines=[line]))
    if accepted:
        assert api.ok(reply, 201)["invoiceLines"][0]["invoiceItemID"] == 1
    else:
        api.error(reply, 400)  # the field is dropped, the item id stays 0


def test_line_array_key_is_case_sensitive(api):
    body = api.invoice_body()
    body["InvoiceLines"] = body.pop("invoiceLines")
    api.error(api.post("crm/invoice", json=body), 400)


def test_line_fields_other_than_the_item_follow_the_same_spelling_rule(api):
    line = {"invoiceItemID": 1, "quantity": 3, "Price": 10, "invoiceTax1Id": 1}
    created = api.ok(api.post("crm/invoice", json=api.invoice_body(invoiceLines=[line])), 201)
    assert created["invoiceLines"][0]["price"] == 10
    assert created["invoiceLines"][0]["invoiceTax1ID"] == 0  # "Id" never bound
