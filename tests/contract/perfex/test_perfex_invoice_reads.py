"""API notes 8, "GET /api/invoices", "GET /api/invoices/{id}" and "GET .../search/{key}"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from perfex_wire import Perfex, invoice_form, newest_id

CURRENCY_COLUMNS = (
    "symbol",
    "name",
    "decimal_separator",
    "thousand_separator",
    "placement",
    "isdefault",
    "currencyid",
    "currency_name",
)


def test_v2_list_is_every_invoice_ascending_with_currency_columns_and_no_lines(
    perfex: Perfex,
) -> None:
    perfex.store.edit_invoice(4, status=5)  # cancelled invoices are listed too
    rows = perfex.get("/api/invoices?page=2&per_page=1&status=1").json()  # params ignored
    assert isinstance(rows, list)
    assert [row["id"] for row in rows] == [str(n) for n in range(1, 13)]
    assert rows[3]["status"] == "5"
    first = rows[0]
    for column in CURRENCY_COLUMNS:
        assert column in first
    assert (first["currency_name"], first["currencyid"], first["symbol"]) == ("EUR", "1", "€")
    assert first["customfields"] == []
    for absent in ("items", "client", "payments", "total_left_to_pay"):
        assert absent not in first


def test_list_includes_drafts(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(save_as_draft="true"))
    rows = perfex.get("/api/invoices").json()
    assert rows[-1]["status"] == "6" and rows[-1]["number"] == "1000000000"


@pytest.mark.parametrize("version", ["2", "3"])
def test_empty_list_is_404_no_data_were_found(make_perfex, version: str) -> None:
    perfex = make_perfex(version=version, invoices=0)
    answer = perfex.get("/api/invoices")
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "No data were found"}


def test_v3_list_is_a_data_meta_envelope_of_20_per_page(make_perfex) -> None:
    perfex = make_perfex(version="3", invoices=45)
    body = perfex.get("/api/invoices").json()
    assert set(body) == {"data", "meta"}
    assert len(body["data"]) == 20 and body["data"][0]["id"] == "1"
    assert body["meta"] == {
        "page": 1,
        "per_page": 20,
        "total": 45,
        "total_pages": 3,
        "has_more": True,
        "current_page": 1,
        "last_page": 3,
    }


@pytest.mark.parametrize(
    ("query", "page", "per_page", "first_id", "count"),
    [
        ("?page=2&per_page=10", 2, 10, "11", 10),
        ("?per_page=500", 1, 100, "1", 45),
        ("?per_page=0", 1, 1, "1", 1),
        ("?page=9&per_page=20", 3, 20, "41", 5),  # beyond the end: the last page
        ("?page=2&limit=5", 2, 5, "6", 5),  # limit is per_page only together with page
        ("?limit=5", 1, 20, "1", 20),
    ],
)
def test_v3_paging_parameters_are_clamped(
    make_perfex, query: str, page: int, per_page: int, first_id: str, count: int
) -> None:
    perfex = make_perfex(version="3", invoices=45)
    body = perfex.get("/api/invoices" + query).json()
    assert (body["meta"]["page"], body["meta"]["per_page"]) == (page, per_page)
    assert body["data"][0]["id"] == first_id and len(body["data"]) == count


def test_v3_sort_and_fields(perfex3: Perfex) -> None:
    body = perfex3.get("/api/invoices?sort=-total&fields=total,number").json()
    totals = [Decimal(row["total"]) for row in body["data"]]
    assert totals == sorted(totals, reverse=True)
    assert set(body["data"][0]) == {"id", "total", "number"}  # id is always kept


def test_v3_created_filters_and_422_on_a_bad_bound(perfex3: Perfex) -> None:
    body = perfex3.get("/api/invoices?created_after=2026-01-01&date_to=2026-06-30").json()
    created = {row["datecreated"][:10] for row in body["data"]}
    assert created and all("2026-01-01" <= day <= "2026-06-30" for day in created)
    bad = perfex3.get("/api/invoices?created_before=next-tuesday")
    assert bad.status_code == 422
    assert bad.json()["error"] == "validation_failed"
    assert bad.json()["message"] == "Invalid date filter"
    assert "created_before" in bad.json()["errors"]


def test_get_one_returns_the_full_object_without_line_taxes_or_tags(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(tags="urgent,eu"))
    invoice = perfex.get(f"/api/invoices/{newest_id(perfex)}").json()
    keys = list(invoice)
    assert keys[:3] == ["id", "sent", "datesend"]
    tail = keys[keys.index("currency_name") + 1 :]
    assert tail == [
        "total_left_to_pay",
        "items",
        "attachments",
        "visible_attachments_to_customer_found",
        "client",
        "payments",
        "scheduled_email",
        "customfields",
    ]
    item = invoice["items"][0]
    assert set(item) == {
        "id",
        "rel_id",
        "rel_type",
        "description",
        "long_description",
        "qty",
        "rate",
        "unit",
        "item_order",
        "customfields",
    }
    assert "tags" not in invoice and "taxname" not in item and "taxes" not in item
    assert invoice["client"]["userid"] == "1" and "id" not in invoice["client"]
    assert invoice["total_left_to_pay"] == "120.00" and invoice["payments"] == []


def test_get_one_lists_payments_with_the_modes_id_and_name(perfex: Perfex) -> None:
    invoice = perfex.get("/api/invoices/5").json()  # seeded as partly paid
    payment = invoice["payments"][0]
    assert payment["id"] == "1" and payment["name"] == "Bank transfer"
    assert payment["paymentid"] != "" and payment["invoiceid"] == "5"
    left = Decimal(invoice["total"]) - Decimal(payment["amount"])
    assert invoice["total_left_to_pay"] == f"{left:.2f}"


def test_client_of_a_deleted_customer_falls_back_to_its_stored_name(perfex: Perfex) -> None:
    perfex.store.edit_invoice(2, deleted_customer_name="Gone GmbH")
    del perfex.store.customers[5]
    assert perfex.get("/api/invoices/2").json()["client"] == {"company": "Gone GmbH"}


def test_get_one_that_does_not_exist_is_404_no_data(perfex: Perfex) -> None:
    answer = perfex.get("/api/invoices/999")
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "No data were found"}


def test_php8_legacy_bug_makes_get_one_a_500_with_an_empty_body(make_perfex) -> None:
    perfex = make_perfex(php8_get_bug=True)
    broken = perfex.get("/api/invoices/1")
    assert broken.status_code == 500 and broken.content == b""
    assert perfex.get("/api/invoices/999").status_code == 404  # no object, no usort
    assert perfex.get("/api/invoices").status_code == 200
    fixed = make_perfex(version="3", php8_get_bug=True)
    assert fixed.get("/api/invoices/1").status_code == 200


@pytest.mark.parametrize("key", ["INV-000007", "000007", "7", "INV-7"])
def test_search_strips_prefix_and_leading_zeros(perfex: Perfex, key: str) -> None:
    rows = perfex.get(f"/api/invoices/search/{key}").json()
    assert "7" in [row["number"] for row in rows]


def test_numeric_search_also_finds_invoices_whose_client_phone_contains_the_digits(
    perfex: Perfex,
) -> None:
    # Customer 5's phone is "+44 699 8424": searching "8424" finds its invoices by phone.
    rows = perfex.get("/api/invoices/search/8424").json()
    assert rows and {row["clientid"] for row in rows} == {"5"}
    assert all(row["number"] != "8424" for row in rows)


def test_search_finds_by_tag(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(tags="urgent"))
    rows = perfex.get("/api/invoices/search/%23urgent").json()
    assert [row["invoiceid"] for row in rows] == [str(newest_id(perfex))]


def test_search_never_finds_invoices_whose_currency_row_is_gone(perfex: Perfex) -> None:
    assert perfex.get("/api/invoices/search/INV-000006").status_code == 200
    del perfex.store.currencies[3]  # invoice 6 is in GBP
    rows = perfex.get("/api/invoices/search/INV-000006")
    found = [] if rows.status_code == 404 else [row["number"] for row in rows.json()]
    assert "6" not in found


def test_search_orders_by_number_then_year_descending(perfex: Perfex) -> None:
    perfex.post_form("/api/invoices", invoice_form(number="3", on="2027-01-10"))
    rows = perfex.get("/api/invoices/search/Logistyka").json()  # customer 3's invoices
    keys = [(int(row["number"]), row["date"][:4]) for row in rows]
    assert keys == sorted(keys, reverse=True)
    same = [row for row in perfex.get("/api/invoices/search/3").json() if row["number"] == "3"]
    assert [row["date"][:4] for row in same] == ["2027", "2025"]


def test_search_rows_are_invoice_columns_overwritten_by_the_clients(perfex: Perfex) -> None:
    perfex.store.edit_invoice(7, billing_city="Invoice City")
    row = next(r for r in perfex.get("/api/invoices/search/7").json() if r["invoiceid"] == "7")
    client = perfex.store.customers[2].row
    assert row["billing_city"] == client["billing_city"] != "Invoice City"
    assert row["datecreated"] == client["datecreated"].strftime("%Y-%m-%d %H:%M:%S")
    assert row["id"] == "7" and row["userid"] == "2" and row["company"] == client["company"]
    assert row["customfields"] == []
    for absent in ("currency_name", "symbol", "items"):
        assert absent not in row


def test_search_without_match_is_404(perfex: Perfex) -> None:
    answer = perfex.get("/api/invoices/search/zzz-nothing")
    assert answer.status_code == 404
    assert answer.json() == {"status": False, "message": "No data were found"}


def test_v2_empty_search_key_matches_everything(perfex: Perfex) -> None:
    rows = perfex.get("/api/invoices/search").json()
    assert len(rows) == 12


def test_v3_empty_search_key_is_400_and_q_is_accepted(perfex3: Perfex) -> None:
    answer = perfex3.get("/api/invoices/search")
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("Search term is required.")
    rows = perfex3.get("/api/invoices/search?q=INV-000007").json()
    assert "7" in [row["number"] for row in rows]


def test_search_matching_ignores_case_and_accents(perfex: Perfex) -> None:
    rows = perfex.get("/api/invoices/search/sumava%20DREVO").json()  # "Šumava Dřevo SAS"
    assert {row["clientid"] for row in rows} == {"5"}


def test_newer_perfex_formatted_number_column_is_optional(make_perfex) -> None:
    assert "formatted_number" not in make_perfex(invoices=1).get("/api/invoices/1").json()
    perfex = make_perfex(invoices=1, formatted_number_column=True)
    perfex.post_form("/api/invoices", invoice_form(number="42"))
    perfex.post_form("/api/invoices", invoice_form(number="43", save_as_draft="1"))
    rows = perfex.get("/api/invoices").json()
    assert [row["formatted_number"] for row in rows] == ["INV-000001", "INV-000042", "INV-DRAFT"]
    assert list(rows[0])[8] == "formatted_number"  # right after number_format
