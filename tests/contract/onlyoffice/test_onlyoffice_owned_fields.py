"""API notes 3.3, 3.4, 3.6, 3.8: fields a person sets on an ONLYOFFICE invoice, and the screens'
rules for setting them (`OnlyofficeAdmin`): only a Draft is edited, so a sent invoice is reopened
(Sent -> Rejected -> Draft), saved and sent again; the delivery address of the consignee is
readable only through `invoice/jsondata`; a PUT resets whatever it leaves out.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bridge.sandbox.onlyoffice_admin import OnlyofficeAdmin, ScreenRefused


@pytest.fixture
def person(api):
    return api, OnlyofficeAdmin(api.sim)


def _sent(api, admin: OnlyofficeAdmin, **overrides) -> int:
    invoice_id = api.create_invoice(**overrides)["id"]
    admin.move_to(invoice_id, 2)
    return invoice_id


def test_a_person_sets_every_carried_along_field_on_a_sent_invoice(person):
    api, admin = person
    invoice_id = _sent(api, admin)
    delivery = admin.add_address(2, "Dock 4", "Hamburg", "20457", "DE")
    admin.set_purchase_order_number(invoice_id, "PO-4711")
    admin.set_exchange_rate(invoice_id, Decimal("1.0849"))
    admin.set_language(invoice_id, "de-DE")
    admin.set_template_type(invoice_id, 1)
    admin.set_consignee(invoice_id, 2, delivery)
    row = api.ok(api.get(f"crm/invoice/{invoice_id}"))
    assert row["status"]["id"] == 2  # sent again after each edit
    assert (row["purchaseOrderNumber"], row["exchangeRate"], row["language"]) == (
        "PO-4711",
        1.08,
        "de-DE",
    )
    assert row["templateType"] == 1 and row["consignee"]["id"] == 2
    assert "deliveryAddressID" not in row and "DeliveryAddressID" not in row
    printed = json.loads(api.ok(api.get(f"crm/invoice/jsondata/{invoice_id}")))
    assert printed["DeliveryAddressID"] == delivery
    assert printed["Consignee"]["Item2"].endswith("Dock 4, Hamburg, 20457, DE")


def test_reopening_a_sent_invoice_gives_its_stock_back_and_takes_it_again(person):
    api, admin = person
    item = api.ok(
        api.post(
            "crm/invoiceitem",
            json={"title": "Boxed", "price": 5, "trackInventory": True, "stockQuantity": 10},
        ),
        201,
    )
    line = {"invoiceItemID": item["id"], "quantity": 3, "price": 5}
    invoice_id = _sent(api, admin, invoiceLines=[line])
    assert api.store.item(item["id"]).stock_quantity == Decimal(7)
    admin.set_purchase_order_number(invoice_id, "PO-1")
    assert api.store.item(item["id"]).stock_quantity == Decimal(7)  # +3 rejected, -3 sent
    assert api.store.invoice(invoice_id).status == 2


def test_a_paid_invoice_is_edited_through_sent_rejected_draft_and_paid_again(person):
    api, admin = person
    invoice_id = _sent(api, admin)
    admin.move_to(invoice_id, 4)
    admin.set_purchase_order_number(invoice_id, "PO-2")
    row = api.ok(api.get(f"crm/invoice/{invoice_id}"))
    assert (row["status"]["id"], row["purchaseOrderNumber"]) == (4, "PO-2")


def test_the_screens_refuse_what_the_api_refuses(person):
    api, admin = person
    invoice_id = api.create_invoice()["id"]
    other_delivery = admin.add_address(3, "Elsewhere 1")
    billing = api.billing_address_of(2)
    with pytest.raises(ScreenRefused):
        admin.set_exchange_rate(invoice_id, Decimal(0))
    with pytest.raises(ScreenRefused):
        admin.set_language(invoice_id, "xx-YY")
    with pytest.raises(ScreenRefused):
        admin.set_consignee(invoice_id, 2, other_delivery)  # the address is contact 3's
    with pytest.raises(ScreenRefused):
        admin.set_consignee(invoice_id, 2, billing)  # a billing address, not a delivery one
    with pytest.raises(ScreenRefused):
        admin.move_to(invoice_id, 5)  # Archived is out of reach


def test_a_put_resets_every_field_a_person_set_that_it_leaves_out(person):
    api, admin = person
    deal = admin.create_deal("Relaunch", 1)
    delivery = admin.add_address(2, "Dock 4")
    created = api.create_invoice(
        purchaseOrderNumber="PO-9",
        templateType=1,
        consigneeId=2,
        deliveryAddressID=delivery,
        entityId=deal,
        exchangeRate="1.17",
    )
    body = api.invoice_body()  # exchangeRate 1, no consignee, no deal, no PO
    del body["description"]
    updated = api.ok(api.put(f"crm/invoice/{created['id']}", json=body))
    assert (updated["purchaseOrderNumber"], updated["templateType"]) == ("", 0)
    assert (updated["consignee"], updated["entity"], updated["exchangeRate"]) == (None, None, 1)
    assert updated["description"] == ""
    printed = json.loads(api.ok(api.get(f"crm/invoice/jsondata/{created['id']}")))
    assert printed["DeliveryAddressID"] == 0


def test_a_delivery_address_needs_its_consignee_on_update_as_on_create(person):
    api, admin = person
    delivery = admin.add_address(2, "Dock 4")
    created = api.create_invoice(consigneeId=2, deliveryAddressID=delivery)
    path = f"crm/invoice/{created['id']}"
    api.error(api.put(path, json=api.invoice_body(deliveryAddressID=delivery)), 400)
    kept = api.invoice_body(consigneeId=2, deliveryAddressID=delivery)
    assert api.ok(api.put(path, json=kept))["consignee"]["id"] == 2
