"""API notes 8, "Transport and framing": what every Perfex answer looks like on the wire."""

from __future__ import annotations

import re

import pytest
from perfex_wire import Perfex, invoice_form, newest_id


def test_json_bodies_use_php_json_encode_escaping(perfex: Perfex) -> None:
    answer = perfex.get("/api/customers/1")
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    raw = answer.content.decode("ascii")  # PHP escapes every non-ASCII character
    assert "M\\u00fcller" in raw  # "Müller", lowercase hex like PHP
    assert ", " not in raw and '": ' not in raw  # no spaces between tokens
    created = perfex.post_form("/api/invoices", invoice_form(billing_street="Unit 4/5"))
    assert created.status_code == 200
    raw_invoice = perfex.get(f"/api/invoices/{newest_id(perfex)}").text
    assert "Unit 4\\/5" in raw_invoice  # "/" is escaped as "\/"


def test_db_values_are_strings_null_is_null_and_the_attachment_flag_is_boolean(
    perfex: Perfex,
) -> None:
    invoice = perfex.get("/api/invoices/1").json()
    assert invoice["id"] == "1" and invoice["status"] == "2" and invoice["currency"] == "1"
    assert re.fullmatch(r"\d+\.\d\d", invoice["total"])
    assert invoice["datesend"] is not None and invoice["last_overdue_reminder"] is None
    assert invoice["items"][0]["qty"].count(".") == 1
    assert invoice["visible_attachments_to_customer_found"] is False
    scalars = [v for v in invoice.values() if not isinstance(v, list | dict | bool)]
    assert all(value is None or isinstance(value, str) for value in scalars)


def test_every_success_is_200_even_create_and_delete(perfex: Perfex) -> None:
    created = perfex.post_form("/api/invoices", invoice_form())
    assert created.status_code == 200
    deleted = perfex.request("DELETE", f"/api/invoices/{newest_id(perfex)}")
    assert deleted.status_code == 200
    assert deleted.json() == {"status": True, "message": "Invoice Deleted Successfully"}


def test_method_override_header_turns_a_post_into_a_put(perfex: Perfex) -> None:
    answer = perfex.request(
        "POST",
        "/api/invoices/1",
        data=b"not json",
        headers={"X-HTTP-Method-Override": "PUT"},
    )
    # The PUT handler ran: it reads the raw body as JSON and refuses this one (API notes 2.6).
    assert answer.status_code == 406
    assert answer.json()["message"] == "Data Not Acceptable OR Not Provided"


def test_method_field_in_a_form_post_is_honoured(perfex: Perfex) -> None:
    answer = perfex.post_form("/api/invoices/3", {"_method": "delete"})
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Invoice Delete Fail"}


@pytest.mark.parametrize("verb", ["PATCH", "OPTIONS"])
def test_unknown_verb_on_a_resource_answers_405_unknown_method(perfex: Perfex, verb: str) -> None:
    answer = perfex.request(verb, "/api/invoices/1")
    assert answer.status_code == 405
    assert answer.json() == {"status": False, "error": "Unknown method"}


def test_an_unknown_verb_name_is_treated_as_get(perfex: Perfex) -> None:
    answer = perfex.request("GET", "/api/invoices/1", headers={"X-HTTP-Method-Override": "FOO"})
    assert answer.status_code == 200 and answer.json()["id"] == "1"


@pytest.mark.parametrize(
    ("accept", "query"),
    [("application/xml", ""), ("text/html", ""), ("*/*", "?format=csv")],
)
def test_asking_for_xml_html_or_csv_is_refused_with_406(
    perfex: Perfex, accept: str, query: str
) -> None:
    answer = perfex.get(f"/api/invoices/1{query}", headers={"Accept": accept})
    assert answer.status_code == 406
    assert "JSON only" in answer.text


def test_a_browser_accept_header_naming_both_html_and_xml_still_gets_json(perfex: Perfex) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = perfex.get("/api/invoices/1", headers={"Accept": accept})
    assert answer.status_code == 200 and answer.json()["id"] == "1"


def test_jsonp_callback_wraps_the_json(perfex: Perfex) -> None:
    answer = perfex.get("/api/common/tax_data?callback=show")
    assert answer.text.startswith("show([") and answer.text.endswith("]);")


def test_disallowed_uri_characters_get_codeigniters_400_page(perfex: Perfex) -> None:
    answer = perfex.get("/api/invoices/search/M%C3%BCller&Co")
    assert answer.status_code == 400
    assert "disallowed characters" in answer.text
    assert answer.headers["Content-Type"].startswith("text/html")


def test_paths_outside_the_module_get_an_html_404(perfex: Perfex) -> None:
    answer = perfex.raw("GET", "/api/clients")
    assert answer.status_code == 404 and "404 Page Not Found" in answer.text


def test_a_non_numeric_id_falls_to_default_routing_and_405(perfex: Perfex) -> None:
    answer = perfex.get("/api/invoices/abc")
    assert answer.status_code == 405 and answer.json()["error"] == "Unknown method"
