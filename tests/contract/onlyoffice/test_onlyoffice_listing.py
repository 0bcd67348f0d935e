"""Checklist §10 "Paging and listing": count/startIndex/sortOrder/total, invoice/filter,
updatedSince."""

from __future__ import annotations

import pytest

from bridge.sandbox.onlyoffice import OnlyofficeOptions


def _numbers(reply) -> list[str]:
    return [row["number"] for row in reply.json()["response"]]


def test_count_defaults_to_and_is_capped_at_1000(make_api):
    api = make_api(invoices=1003)
    assert api.get("crm/invoice/filter").json()["count"] == 1000
    capped = api.get("crm/invoice/filter", params={"count": 5000}).json()
    assert capped["count"] == 1000 and capped["total"] == 1003
    for junk in ("-3", "lots"):
        assert api.get("crm/invoice/filter", params={"count": junk}).json()["count"] == 1000


def test_start_index_skips_rows_and_negative_means_zero(api):
    everything = _numbers(api.get("crm/invoice/filter"))
    assert _numbers(api.get("crm/invoice/filter", params={"startIndex": 4})) == everything[4:]
    assert _numbers(api.get("crm/invoice/filter", params={"startIndex": -4})) == everything


@pytest.mark.parametrize(
    ("order", "descending"),
    [("descending", True), ("DESCENDING", False), ("desc", False), ("ascending", False)],
)
def test_sort_order_descending_is_exact_and_case_sensitive(api, order, descending):
    numbers = _numbers(api.get("crm/invoice/filter", params={"sortOrder": order}))
    assert numbers == sorted(numbers, reverse=descending)


def test_total_is_start_plus_rows_on_a_short_page(api):
    page = api.get("crm/invoice/filter", params={"startIndex": 10, "count": 5}).json()
    assert page["count"] == 2 and page["total"] == 12
    beyond = api.get("crm/invoice/filter", params={"startIndex": 40, "count": 5}).json()
    assert beyond["response"] == [] and beyond["total"] == 40  # no count query: start + 0


def test_total_is_the_full_count_on_a_full_page(api):
    assert api.get("crm/invoice/filter", params={"count": 3}).json()["total"] == 12


def test_count_zero_still_returns_one_row(api):
    assert api.get("crm/invoice/filter", params={"count": 0}).json()["count"] == 1


def test_filter_default_sort_is_number_as_string(api):
    for number in ("INV-9", "INV-10", "A-1"):
        api.create_invoice(number=number)
    numbers = _numbers(api.get("crm/invoice/filter"))
    assert numbers == sorted(numbers, key=str.lower)
    assert numbers.index("INV-10") < numbers.index("INV-9")  # string order, not numeric


@pytest.mark.parametrize("status", ["2", "Sent", "sent", "Billed"])
def test_filter_by_status_accepts_number_name_and_title(api, status):
    rows = api.ok(api.get("crm/invoice/filter", params={"status": status}))
    expected = sum(1 for inv in api.store.invoices.values() if inv.status == 2)
    assert len(rows) == expected > 0
    assert all(row["status"]["id"] == 2 for row in rows)


def test_filter_by_unconvertible_status_answers_400(api):
    api.error(api.get("crm/invoice/filter", params={"status": "overdue"}), 400)


@pytest.mark.parametrize(
    ("sort_by", "key"),
    [
        ("issueDate", lambda row: (row["issueDate"], row["number"])),
        ("dueDate", lambda row: (row["dueDate"], row["number"])),
        ("status", lambda row: (row["status"]["id"], row["number"])),
        ("contact", lambda row: (row["contact"]["displayName"].lower(), row["number"])),
        ("ISSUEDATE", lambda row: (row["issueDate"], row["number"])),
    ],
)
def test_filter_sort_keys(api, sort_by, key):
    rows = api.ok(api.get("crm/invoice/filter", params={"sortBy": sort_by}))
    assert rows == sorted(rows, key=key)
    desc = api.ok(
        api.get("crm/invoice/filter", params={"sortBy": sort_by, "sortOrder": "descending"})
    )
    assert desc == sorted(rows, key=key, reverse=True)


def test_filter_unknown_sort_key_sorts_by_wrapper_property_and_inflates_total(api):
    rows = api.ok(api.get("crm/invoice/filter", params={"sortBy": "cost"}))
    assert [r["cost"] for r in rows] == sorted(r["cost"] for r in rows)
    page = api.get("crm/invoice/filter", params={"sortBy": "id", "startIndex": 5}).json()
    assert page["count"] == 7 and page["total"] == 5 + 12


def test_filter_upper_date_bound_covers_the_whole_day(make_api):
    api = make_api(OnlyofficeOptions(timezone="Europe/Berlin"), invoices=0)
    api.create_invoice(number="LATE", issueDate="2026-11-02T23:58:00+01:00")
    api.create_invoice(number="NEXT", issueDate="2026-11-03T00:00:00+01:00")
    rows = api.ok(api.get("crm/invoice/filter", params={"issueDateTo": "2026-11-02"}))
    assert [r["number"] for r in rows] == ["LATE"]
    rows = api.ok(api.get("crm/invoice/filter", params={"issueDateFrom": "2026-11-03"}))
    assert [r["number"] for r in rows] == ["NEXT"]


def test_filter_due_date_range(api):
    api.create_invoice(number="DUE", dueDate="2030-01-15T00:00:00Z")
    params = {"dueDateFrom": "2030-01-15", "dueDateTo": "2030-01-15"}
    assert _numbers(api.get("crm/invoice/filter", params=params)) == ["DUE"]


def test_filter_rejects_unknown_entity_type(api):
    api.error(api.get("crm/invoice/filter", params={"entityType": "person"}), 400)
    assert api.ok(api.get("crm/invoice/filter", params={"entityType": "CONTACT"}))


def test_filter_entityid_without_entity_type_is_empty(api):
    body = api.get("crm/invoice/filter", params={"entityid": 1}).json()
    assert body["response"] == []


def test_filter_by_contact_matches_the_contact_not_the_consignee(api):
    api.create_invoice(number="MINE")
    api.create_invoice(number="SHIP", contactId=2, billingAddressID=0, consigneeId=1)
    rows = api.ok(api.get("crm/invoice/filter", params={"entityType": "contact", "entityid": 1}))
    assert all(r["contact"]["id"] == 1 for r in rows)
    assert "MINE" in [r["number"] for r in rows] and "SHIP" not in [r["number"] for r in rows]
    case = api.get("crm/invoice/filter", params={"entityType": "case", "entityid": 1})
    assert api.ok(case) == []


def test_filter_by_currency(api):
    api.create_invoice(number="CHF-1", currency="chf")
    assert _numbers(api.get("crm/invoice/filter", params={"currency": "CHF"})) == ["CHF-1"]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("INV-0000", True),  # prefix of the number
        ("spring", True),  # start of a later word of the description
        ("ring", False),  # inside a word
        ("spring cleaning", True),  # every word must match
        ("spring summer", False),
        ("SPRING", True),
    ],
)
def test_filter_value_matches_word_prefixes(api, words, found):
    api.create_invoice(number="INV-000099", description="Big spring cleaning")
    rows = _numbers(api.get("crm/invoice/filter", params={"filterValue": words}))
    assert ("INV-000099" in rows) is found


def test_filter_list_items_have_no_lines(api):
    rows = api.ok(api.get("crm/invoice/filter"))
    assert all("invoiceLines" not in row for row in rows)
    assert all(isinstance(row["cost"], float | int) for row in rows)


def test_invoicelist_of_a_contact(api):
    api.create_invoice(number="MINE")
    rows = api.ok(api.get("crm/contact/invoicelist/1"))
    expected = sorted(i.id for i in api.store.invoices.values() if i.contact_id == 1)
    assert [r["id"] for r in rows] == expected
    api.error(api.get("crm/company/invoicelist/0"), 400)


def test_updated_since_empties_every_list(api):
    for route in ("crm/invoice/filter", "crm/invoice/tax", "crm/contact/filter"):
        body = api.get(route, params={"updatedSince": "2000-01-01"}).json()
        assert body["response"] == [] and "count" not in body


def test_unparsable_updated_since_fails_before_the_api(api):
    reply = api.get("crm/invoice/filter", params={"updatedSince": "yesterday"})
    assert reply.status_code == 500
    assert not reply.headers["Content-Type"].startswith("application/json")


def test_updated_since_is_ignored_when_the_quirk_is_off(make_api):
    api = make_api(OnlyofficeOptions(updated_since_quirk=False))
    body = api.get("crm/invoice/filter", params={"updatedSince": "2000-01-01"}).json()
    assert body["count"] == 12


def test_get_invoice_zero_400_missing_404_unreadable_403(api):
    api.error(api.get("crm/invoice/0"), 400)
    api.error(api.get("crm/invoice/999"), 404)
    private = api.ok(api.post("crm/contact/company", json={"companyName": "Hidden"}), 201)
    hidden = api.create_invoice(contactId=private["id"], billingAddressID=0)
    clerk = api.store.issue_token(user="clerk")
    api.error(api.get(f"crm/invoice/{hidden['id']}", token=clerk), 403)
    lines = api.ok(api.get(f"crm/invoice/{hidden['id']}"))["invoiceLines"]
    assert [line["sortOrder"] for line in lines] == [0]
