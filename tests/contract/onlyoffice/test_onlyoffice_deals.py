"""API notes 3.2, 3.3, 3.7, 4.1: invoices linked to deals (opportunities).

`entityId` on create and update must name a deal that exists (400), that the caller may read
(403), and that the invoice's contact belongs to (400). The link shows as `entity` in every
wrapper but `bynumber`, filters by `entityType=opportunity`, lists under
`opportunity/invoicelist/{id}`, and goes away on a PUT that leaves it out.
"""

from __future__ import annotations

import pytest

from bridge.sandbox.onlyoffice_admin import OnlyofficeAdmin, ScreenRefused


@pytest.fixture
def deals(api):
    admin = OnlyofficeAdmin(api.sim)
    open_deal = admin.create_deal("Website relaunch", 1, members=(3,))
    other = admin.create_deal("Someone else's", 2)
    return api, admin, open_deal, other


def test_an_invoice_of_a_deal_member_shows_the_deal(deals):
    api, _, deal, _ = deals
    created = api.create_invoice(entityId=deal)
    entity = {"entityType": "opportunity", "entityId": deal, "entityTitle": "Website relaunch"}
    assert created["entity"] == entity
    assert api.ok(api.get(f"crm/invoice/{created['id']}"))["entity"] == entity
    listed = api.ok(api.get("crm/invoice/filter", params={"filterValue": "T-0001"}))
    assert listed[0]["entity"] == entity
    partial = api.ok(api.get("crm/invoice/bynumber", params={"number": "T-0001"}))
    assert partial["entity"] is None  # bynumber builds no entity (3.9)


def test_a_second_member_may_be_invoiced_for_the_deal(deals):
    api, _, deal, _ = deals
    created = api.create_invoice(contactId=3, billingAddressID=0, entityId=deal)
    assert created["entity"]["entityId"] == deal


@pytest.mark.parametrize("which", ["unknown", "not-a-member"])
def test_a_deal_that_is_missing_or_not_the_contact_s_is_400(deals, which):
    api, _, _, other = deals
    deal = 999 if which == "unknown" else other
    error = api.error(api.post("crm/invoice", json=api.invoice_body(entityId=deal)), 400)
    assert error["message"] == "Value does not fall within the expected range."


def test_a_private_deal_is_403_unless_the_caller_is_on_its_access_list(deals):
    api, admin, _, _ = deals
    clerk = api.store.issue_token(user="clerk")
    clerk_id = api.store.user_by_name("clerk").id
    hidden = admin.create_deal("Board only", 1, private_to=())
    shared = admin.create_deal("Clerk may see", 1, private_to=(clerk_id,))
    api.error(api.post("crm/invoice", json=api.invoice_body(entityId=hidden), token=clerk), 403)
    body = api.invoice_body(number="T-0002", entityId=shared)
    assert api.ok(api.post("crm/invoice", json=body, token=clerk), 201)["entity"]
    # The admin reads every deal.
    assert api.create_invoice(number="T-0003", entityId=hidden)["entity"]["entityId"] == hidden


def test_the_deal_is_checked_on_update_too_and_dropped_when_left_out(deals):
    api, _, deal, other = deals
    created = api.create_invoice(entityId=deal)
    path = f"crm/invoice/{created['id']}"
    api.error(api.put(path, json=api.invoice_body(entityId=other)), 400)
    kept = api.ok(api.put(path, json=api.invoice_body(entityId=deal)))
    assert kept["entity"]["entityId"] == deal
    body = api.invoice_body()
    del body["description"]
    dropped = api.ok(api.put(path, json=body))
    assert dropped["entity"] is None and api.store.invoice(created["id"]).entity_id == 0


def test_invoices_of_a_deal_by_filter_and_by_list(deals):
    api, _, deal, other = deals
    mine = api.create_invoice(number="D-1", entityId=deal)["id"]
    api.create_invoice(number="D-2")
    by_filter = api.ok(
        api.get("crm/invoice/filter", params={"entityType": "opportunity", "entityid": deal})
    )
    assert [row["id"] for row in by_filter] == [mine]
    assert [row["id"] for row in api.ok(api.get(f"crm/opportunity/invoicelist/{deal}"))] == [mine]
    assert api.ok(api.get(f"crm/opportunity/invoicelist/{other}")) == []
    api.error(api.get("crm/opportunity/invoicelist/0"), 400)


def test_contacts_with_a_deal_are_listed_as_such(deals):
    api, _, _, _ = deals
    rows = api.ok(api.get("crm/contact/filter", params={"contactListView": "WithOpportunity"}))
    assert sorted(row["id"] for row in rows) == [1, 2, 3]


def test_a_person_links_a_sent_invoice_to_a_deal_and_it_stays_sent(deals):
    api, admin, deal, other = deals
    sent = api.create_invoice()["id"]
    admin.move_to(sent, 2)
    admin.set_deal(sent, deal)
    row = api.ok(api.get(f"crm/invoice/{sent}"))
    assert row["entity"]["entityId"] == deal and row["status"]["id"] == 2
    with pytest.raises(ScreenRefused):
        admin.set_deal(sent, other)
