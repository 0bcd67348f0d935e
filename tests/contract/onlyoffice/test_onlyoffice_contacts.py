"""Checklist §10 "Contacts and currencies", plus the permission model for other users."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bridge.sandbox.onlyoffice import OnlyofficeOptions


def _company(api, name: str, share_type: int = 1, token=None, **extra) -> dict:
    body = {"companyName": name, "shareType": share_type, **extra}
    kwargs = {} if token is None else {"token": token}
    return api.ok(api.post("crm/contact/company", json=body, **kwargs), 201)


def test_contact_filter_lists_newest_first(api):
    api.clock.advance(timedelta(minutes=5))
    newest = _company(api, "Newest Ltd")
    body = api.get("crm/contact/filter").json()
    assert body["response"][0]["id"] == newest["id"]
    assert body["total"] == len(api.store.contacts)
    created = [row["created"] for row in body["response"]]
    assert created == sorted(created, reverse=True)


def test_contact_filter_searches_words_and_sorts_by_name(api):
    _company(api, "Zebra Works")
    rows = api.ok(api.get("crm/contact/filter", params={"filterValue": "work"}))
    assert "Zebra Works" in [r["displayName"] for r in rows]
    rows = api.ok(api.get("crm/contact/filter", params={"sortBy": "displayName"}))
    names = [r["displayName"].lower() for r in rows]
    assert names == sorted(names)


def test_contact_filter_by_kind(api):
    api.ok(
        api.post("crm/contact/person", json={"firstName": "Ada", "lastName": "L", "shareType": 1}),
        201,
    )
    people = api.ok(api.get("crm/contact/filter", params={"contactListView": "Person"}))
    assert [p["displayName"] for p in people] == ["Ada L"]
    companies = api.ok(api.get("crm/contact/filter", params={"contactListView": 1}))
    assert all(c["isCompany"] for c in companies)


def test_contact_get_shows_addresses_and_common_data(api):
    contact = api.ok(api.get("crm/contact/1"))
    assert contact["isCompany"] is True and contact["shareType"] == 1
    assert contact["addresses"][0]["category"] == 3
    assert contact["addresses"][0]["categoryName"] == "Billing"
    assert "id" not in contact["addresses"][0]
    assert contact["commonData"][0]["infoType"] == 1
    assert "@" in contact["commonData"][0]["data"]


def test_contact_get_hides_private_contacts_with_404(api):
    private = _company(api, "Secret SA", share_type=0)
    clerk = api.store.issue_token(user="clerk")
    api.error(api.get(f"crm/contact/{private['id']}", token=clerk), 404)
    api.error(api.get("crm/contact/999"), 404)
    assert api.ok(api.get(f"crm/contact/{private['id']}"))["isPrivate"] is True


def test_private_contact_is_unreadable_even_for_its_creator(api):
    clerk = api.store.issue_token(user="clerk")
    mine = _company(api, "Mine Oy", share_type=0, token=clerk)
    api.error(api.get(f"crm/contact/{mine['id']}", token=clerk), 404)
    clerk_id = api.store.user_for_token(clerk).id
    listed = _company(api, "Listed Oy", share_type=0, token=clerk, managerList=[clerk_id])
    assert api.ok(api.get(f"crm/contact/{listed['id']}", token=clerk))["id"] == listed["id"]


def test_bycontactinfo_matches_substrings_and_requires_info_type(api):
    rows = api.ok(
        api.get("crm/contact/bycontactinfo", params={"infoType": "Email", "data": "USTOMER"})
    )
    assert {r["id"] for r in rows} == set(api.store.contacts)  # inside every address
    by_number = api.ok(
        api.get(
            "crm/contact/bycontactinfo",
            params={"infoType": 1, "data": "billing1@customer1.example"},
        )
    )
    assert [r["id"] for r in by_number] == [1]
    api.error(api.get("crm/contact/bycontactinfo", params={"data": "x"}), 400)


def test_company_create_requires_company_name(api):
    api.error(api.post("crm/contact/company", json={"companyName": " "}), 400)
    api.error(api.post("crm/contact/company", json={}), 400)
    created = _company(api, "Ny Firma AS")
    assert created["companyName"] == "Ny Firma AS" and created["displayName"] == "Ny Firma AS"


def test_company_create_attaches_persons(api):
    person = api.ok(
        api.post("crm/contact/person", json={"firstName": "P", "lastName": "Q", "shareType": 1}),
        201,
    )
    company = _company(api, "Holding", personList=[person["id"]])
    again = api.ok(api.get(f"crm/contact/{person['id']}"))
    assert again["company"]["id"] == company["id"]
    assert api.ok(api.get(f"crm/contact/{company['id']}"))["personsCount"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"firstName": "", "lastName": "X"}, 400),
        ({"lastName": "X"}, 400),
        ({"firstName": "Ada"}, 500),
        ({"firstName": "Ada", "lastName": ""}, 201),
        ({"firstName": "Ada", "lastName": "L", "companyId": 999}, 404),
    ],
)
def test_person_requires_first_name_and_last_name_present(api, body, status):
    reply = api.post("crm/contact/person", json=body)
    if status == 201:
        assert api.ok(reply, 201)["firstName"] == "Ada"
    else:
        api.error(reply, status)


def test_contact_updates(api):
    company = _company(api, "Old Name")
    renamed = api.ok(
        api.put(
            f"crm/contact/company/{company['id']}", json={"companyName": "New Name", "shareType": 1}
        )
    )
    assert renamed["displayName"] == "New Name"
    api.error(api.put(f"crm/contact/company/{company['id']}", json={"companyName": ""}), 400)
    person = api.ok(
        api.post("crm/contact/person", json={"firstName": "A", "lastName": "B", "shareType": 1}),
        201,
    )
    api.error(api.put(f"crm/contact/person/{person['id']}", json={"firstName": "A"}), 400)
    changed = api.ok(
        api.put(
            f"crm/contact/person/{person['id']}",
            json={"firstName": "A", "lastName": "C", "shareType": 1},
        )
    )
    assert changed["displayName"] == "A C"


@pytest.mark.parametrize(
    ("category", "status"), [("Work", 201), ("Home", 201), ("work", 400), ("1", 400), (None, 400)]
)
def test_contact_data_category_must_be_a_name(api, category, status):
    body = {"infoType": "Phone", "data": "+41 1 234", "category": category}
    reply = api.post("crm/contact/1/data", json=body)
    if status == 201:
        info = api.ok(reply, 201)
        assert info["infoType"] == 0 and isinstance(info["category"], int)
    else:
        api.error(reply, 400)


def test_contact_data_requires_data_and_an_editable_contact(api):
    api.error(api.post("crm/contact/1/data", json={"infoType": 1, "category": "Work"}), 400)
    api.error(
        api.post("crm/contact/999/data", json={"infoType": 1, "data": "a@b.c", "category": "Work"}),
        404,
    )
    body = {"infoType": "Address", "data": "not json", "category": "Billing"}
    api.error(api.post("crm/contact/1/data", json=body), 400)


def test_contact_data_lists_newest_first_with_numeric_types(api):
    added = api.ok(
        api.post(
            "crm/contact/1/data",
            json={"infoType": "Website", "data": "https://x.example", "category": "Work"},
        ),
        201,
    )
    rows = api.ok(api.get("crm/contact/1/data"))
    assert rows[0]["id"] == added["id"] and rows[0]["infoType"] == 2
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert api.ok(api.get(f"crm/contact/1/data/{added['id']}"))["data"] == "https://x.example"
    assert api.ok(api.get("crm/contact/1/data/Email")) == ["billing1@customer1.example"]
    api.error(api.get(f"crm/contact/2/data/{added['id']}"), 400)  # another contact's row


def test_contact_data_update_and_delete(api):
    email = next(i for i in api.store.infos_of(1) if i.info_type == 1)
    body = {"infoType": "Email", "data": "new@x.example", "category": "Other"}
    updated = api.ok(api.put(f"crm/contact/1/data/{email.id}", json=body))
    assert updated["data"] == "new@x.example" and updated["category"] == 2
    deleted = api.ok(api.delete(f"crm/contact/1/data/{email.id}"))
    assert deleted["id"] == email.id
    api.error(api.delete(f"crm/contact/1/data/{email.id}"), 404)


def test_addressdata_creates_billing_address_usable_on_invoice(api):
    body = {
        "address": {
            "street": "Bahnhofstr. 1",
            "city": "Zürich",
            "zip": "8001",
            "country": "CH",
            "category": 3,
            "isPrimary": True,
        }
    }
    info = api.ok(api.post("crm/contact/2/addressdata", json=body), 201)
    assert info["infoType"] == 7 and info["category"] == 3 and info["isPrimary"] is True
    assert json.loads(info["data"])["city"] == "Zürich"
    assert "\n" in info["data"]  # indented JSON text
    created = api.create_invoice(contactId=2, billingAddressID=info["id"])
    data = json.loads(api.ok(api.get(f"crm/invoice/jsondata/{created['id']}")))
    assert data["BillingAddressID"] == info["id"]


def test_addressdata_delivery_is_category_1_and_category_is_checked(api):
    body = {"address": {"street": "Dock 4", "category": 1}}
    info = api.ok(api.post("crm/contact/2/addressdata", json=body), 201)
    assert info["categoryName"] == "Delivery"
    api.error(api.post("crm/contact/2/addressdata", json={"address": {"category": 9}}), 400)
    api.error(api.post("crm/contact/2/addressdata", json={"address": {"category": "x"}}), 400)
    moved = api.ok(
        api.put(
            f"crm/contact/2/addressdata/{info['id']}",
            json={"address": {"street": "Dock 5", "category": 3}},
        )
    )
    assert moved["category"] == 3 and json.loads(moved["data"])["street"] == "Dock 5"


def test_currencies_sorted_by_abbreviation(api):
    rows = api.ok(api.get("crm/settings/currency"))
    abbreviations = [r["abbreviation"] for r in rows]
    assert abbreviations == sorted(abbreviations)
    assert {"EUR", "USD", "GBP", "CHF", "PLN"} <= set(abbreviations)
    assert set(rows[0]) == {
        "title",
        "symbol",
        "abbreviation",
        "cultureName",
        "isConvertable",
        "isBasic",
    }


def test_default_currency_is_visible_in_the_sample(make_api):
    api = make_api(OnlyofficeOptions(default_currency="CHF"), invoices=None)
    assert api.ok(api.get("crm/invoice/sample"))["currency"]["abbreviation"] == "CHF"
    api.ok(api.put("crm/settings/currency", json={"currency": "usd"}))
    assert api.ok(api.get("crm/invoice/sample"))["currency"]["abbreviation"] == "USD"


def test_non_admin_sees_only_invoices_it_can_read(api):
    clerk = api.store.issue_token(user="clerk")
    private = _company(api, "Secret SA", share_type=0)
    hidden = api.create_invoice(contactId=private["id"], billingAddressID=0, number="HIDDEN")
    rows = api.ok(api.get("crm/invoice/filter", token=clerk))
    assert "HIDDEN" not in [r["number"] for r in rows] and len(rows) == 12
    api.error(api.get(f"crm/invoice/{hidden['id']}", token=clerk), 403)
    assert api.ok(api.get(f"crm/invoice/{hidden['id']}"))["contact"]["id"] == private["id"]
