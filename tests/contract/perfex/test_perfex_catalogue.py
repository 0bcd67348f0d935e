"""API notes 8, "Customers / catalogue / common": the reference data a sync resolves against."""

from __future__ import annotations

import pytest
from perfex_wire import Perfex

NO_DATA = {"status": False, "message": "No data were found"}


def test_customers_list_is_everyone_ordered_by_company(perfex: Perfex) -> None:
    perfex.store.customers[3].row["active"] = 0  # inactive customers are listed too
    rows = perfex.get("/api/customers").json()
    # MySQL's collation sorts Æ as AE and Ł as L: accents and case do not count.
    assert [row["userid"] for row in rows] == ["2", "4", "3", "1", "5"]
    assert all(row["customfields"] == [] for row in rows)


def test_v3_customers_list_is_wrapped(perfex3: Perfex) -> None:
    body = perfex3.get("/api/customers?per_page=2").json()
    assert len(body["data"]) == 2 and body["meta"]["total"] == 5


def test_customer_has_userid_no_id_and_zero_for_the_base_currency(perfex: Perfex) -> None:
    customer = perfex.get("/api/customers/1").json()
    assert customer["userid"] == "1" and "id" not in customer
    assert customer["default_currency"] == "0"  # EUR is the base currency
    assert perfex.get("/api/customers/2").json()["default_currency"] == "3"  # GBP
    assert customer["country"] == "215" and customer["vat"] is not None


def test_vat_is_null_when_the_vat_option_is_off(make_perfex) -> None:
    perfex = make_perfex(vat_field_enabled=False)
    assert perfex.get("/api/customers/1").json()["vat"] is None


def test_unknown_customer_is_404_no_data(perfex: Perfex) -> None:
    answer = perfex.get("/api/customers/99")
    assert answer.status_code == 404 and answer.json() == NO_DATA


def test_customer_search_finds_active_customers_by_company_contact_or_email(
    perfex: Perfex,
) -> None:
    assert [r["userid"] for r in perfex.get("/api/customers/search/fiskeri").json()] == ["2"]
    assert [r["userid"] for r in perfex.get("/api/customers/search/customer3.ex").json()] == ["3"]
    perfex.store.customers[2].row["active"] = 0
    answer = perfex.get("/api/customers/search/fiskeri")
    assert answer.status_code == 404 and answer.json() == NO_DATA


def test_customer_create_needs_a_company_and_returns_no_id_on_v2(perfex: Perfex) -> None:
    missing = perfex.post_form("/api/customers", {"vat": "DE1"})
    assert missing.status_code == 404
    assert missing.json() == {
        "status": False,
        "error": {"company": "The Company field is required."},
        "message": "<p>The Company field is required.</p>\n",
    }
    created = perfex.post_form("/api/customers", {"company": "  Neu GmbH ", "country": ""})
    assert created.json() == {"status": True, "message": "Client add successful."}
    newest = perfex.store.customers[max(perfex.store.customers)]
    assert newest.row["company"] == "Neu GmbH" and newest.row["country"] == 0
    duplicate = perfex.post_form("/api/customers", {"company": "Neu GmbH"})
    assert duplicate.status_code == 200  # duplicate names are allowed


def test_customer_create_with_an_unknown_field_fails(perfex: Perfex) -> None:
    answer = perfex.post_form("/api/customers", {"company": "X", "email": "x@example.com"})
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Client add fail."}


def test_v3_customer_create_returns_record_id(perfex3: Perfex) -> None:
    answer = perfex3.http.post(perfex3.url + "/api/customers", json={"company": "J"}, timeout=5)
    assert answer.json() == {"status": True, "message": "Client add successful.", "record_id": 6}


def test_customer_update_and_delete_messages(perfex: Perfex) -> None:
    assert perfex.put_json("/api/customers/1", {"city": "Bonn"}).json() == {
        "status": True,
        "message": "Customers Update Successful.",
    }
    same = perfex.put_json("/api/customers/1", {"city": "Bonn"})
    assert same.status_code == 404
    assert same.json() == {"status": False, "message": "Customers Update Fail."}
    assert perfex.request("DELETE", "/api/customers/1").json()["message"] == (
        "Customer Delete Successful."
    )
    assert perfex.request("DELETE", "/api/customers/1").status_code == 404


def test_items_list_get_and_search_shapes(perfex: Perfex) -> None:
    rows = perfex.get("/api/items").json()
    descriptions = [row["description"] for row in rows]
    assert descriptions[0] == "Consulting" and len(descriptions) == 10
    assert descriptions.index("Übersetzung") == descriptions.index("Travel expenses") + 1
    consulting = perfex.get("/api/items/1").json()
    assert list(consulting)[:5] == ["itemid", "rate", "taxrate", "taxid", "taxname"]
    assert consulting["itemid"] == "1" and consulting["rate"] == "95.00"
    found = perfex.get("/api/items/search/workshop").json()
    assert found == [
        {"rate": "780.00", "id": "3", "name": "(780.00) Design workshop", "subtext": "..."}
    ]
    assert perfex.get("/api/items/99").json() == NO_DATA


def test_tax_data_is_ordered_by_rate(perfex: Perfex) -> None:
    assert perfex.get("/api/common/tax_data").json() == [
        {"id": "2", "name": "Reduced VAT", "taxrate": "7.00"},
        {"id": "1", "name": "VAT", "taxrate": "20.00"},
    ]


def test_payment_modes_are_active_non_invoice_only_then_gateways(perfex: Perfex) -> None:
    rows = perfex.get("/api/common/payment_mode").json()
    assert [row["id"] for row in rows] == ["1", "2", "paypal", "stripe"]
    assert rows[0]["invoices_only"] == "0" and rows[0]["active"] == "1"


def test_expense_categories_and_unknown_types(perfex: Perfex) -> None:
    assert perfex.get("/api/common/expense_category").json()[0]["name"] == "Travel"
    answer = perfex.get("/api/common/currencies")
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "Not valid data"}


@pytest.mark.parametrize(
    ("version", "permissions", "status"),
    [
        ("2", {"taxes": ["get"]}, 403),  # what the admin UI offers: useless on 2.0.8
        ("2", {"common": ["get"]}, 200),
        ("3", {"taxes": ["get"]}, 200),  # 3.0.3 maps tax_data to the taxes feature
        ("3", {"common": ["get"]}, 403),
    ],
)
def test_common_permission_feature_differs_between_versions(
    make_perfex, version: str, permissions: dict, status: int
) -> None:
    perfex = make_perfex(version=version, invoices=1)
    token = perfex.store.issue_token(permissions)
    answer = perfex.raw("GET", "/api/common/tax_data", headers={"authtoken": token})
    assert answer.status_code == status


@pytest.mark.parametrize("path", ["/api/currencies", "/api/currencies/1", "/api/common"])
def test_there_is_no_currencies_endpoint(perfex: Perfex, path: str) -> None:
    answer = perfex.get(path)
    assert answer.status_code == 404
    if path.startswith("/api/currencies"):
        assert answer.headers["Content-Type"].startswith("text/html")
