"""Checklist §10 "Invoice create / update / delete"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.sandbox.onlyoffice import InvoiceStatus, OnlyofficeOptions

GOOD_LINE = {"invoiceItemID": 1, "invoiceTax1ID": 1, "quantity": 2, "price": 95}


def _contact(api, name: str, share_type: int = 1) -> int:
    body = {"companyName": name, "shareType": share_type}
    return api.ok(api.post("crm/contact/company", json=body), 201)["id"]


def _address(api, contact_id: int, category: int) -> int:
    body = {"address": {"street": "Main 1", "city": "Bern", "category": category}}
    return api.ok(api.post(f"crm/contact/{contact_id}/addressdata", json=body), 201)["id"]


def test_create_checks_lines_before_anything_else(api):
    # Everything is wrong, but the bad line is what decides the answer: 400, not 403.
    private = _contact(api, "Hidden AG", share_type=0)
    clerk = api.store.issue_token(user="clerk")
    body = api.invoice_body(
        contactId=private, currency="XXX", number="", invoiceLines=[{"invoiceItemID": 999}]
    )
    api.error(api.post("crm/invoice", json=body, token=clerk), 400)
    body["invoiceLines"] = [GOOD_LINE]
    api.error(api.post("crm/invoice", json=body, token=clerk), 403)


@pytest.mark.parametrize(
    "field",
    ["issueDate", "dueDate", "contactId", "currency", "exchangeRate", "terms", "invoiceLines"],
)
def test_create_rejects_missing_required_fields(api, field):
    body = api.invoice_body()
    del body[field]
    api.error(api.post("crm/invoice", json=body), 400)


@pytest.mark.parametrize(
    ("field", "value"),
    [("exchangeRate", 0), ("exchangeRate", -1), ("terms", ""), ("contactId", -5)],
)
def test_create_rejects_non_positive_rate_empty_terms_and_bad_contact_id(api, field, value):
    api.error(api.post("crm/invoice", json=api.invoice_body(**{field: value})), 400)


def test_create_with_unreadable_contact_answers_403_but_missing_contact_400(api):
    private = _contact(api, "Hidden AG", share_type=0)
    clerk = api.store.issue_token(user="clerk")
    body = api.invoice_body(contactId=private, billingAddressID=0)
    api.error(api.post("crm/invoice", json=body, token=clerk), 403)
    api.error(api.post("crm/invoice", json=api.invoice_body(contactId=999)), 400)
    api.error(api.post("crm/invoice", json=api.invoice_body(consigneeId=999)), 400)
    api.error(
        api.post("crm/invoice", json=body | {"consigneeId": private, "contactId": 1}, token=clerk),
        403,
    )


def test_create_with_an_unknown_deal_answers_400(api):
    api.error(api.post("crm/invoice", json=api.invoice_body(entityId=5)), 400)


def test_create_with_unknown_currency_answers_400(api):
    error = api.error(api.post("crm/invoice", json=api.invoice_body(currency="XYZ")), 400)
    assert error["message"] == "Value does not fall within the expected range."


@pytest.mark.parametrize(
    "case",
    ["missing", "email-row", "delivery-as-billing", "other-contact", "delivery-no-consignee"],
)
def test_create_checks_billing_and_delivery_address_ids(api, case):
    other_billing = api.billing_address_of(2)
    delivery = _address(api, 1, 1)
    email_row = next(i.id for i in api.store.infos_of(1) if i.info_type == 1)
    overrides = {
        "missing": {"billingAddressID": 9999},
        "email-row": {"billingAddressID": email_row},
        "delivery-as-billing": {"billingAddressID": delivery},
        "other-contact": {"billingAddressID": other_billing},
        "delivery-no-consignee": {"deliveryAddressID": delivery},
    }[case]
    api.error(api.post("crm/invoice", json=api.invoice_body(**overrides)), 400)


def test_create_accepts_a_delivery_address_of_the_consignee(api):
    delivery = _address(api, 2, 1)
    created = api.create_invoice(consigneeId=2, deliveryAddressID=delivery)
    assert created["consignee"]["id"] == 2
    assert api.store.invoice(created["id"]).delivery_address_id == delivery


@pytest.mark.parametrize("number", ["", None, "INV-000001", "inv-000001"])
def test_create_rejects_empty_or_duplicate_number(api, number):
    body = api.invoice_body(number=number)
    error = api.error(api.post("crm/invoice", json=body), 400)
    assert error["message"] == "Value does not fall within the expected range."


def test_create_stores_a_draft_with_upper_currency_and_rounded_money(api):
    line = {"invoiceItemID": 1, "quantity": "1.005", "price": "10.555", "discount": "2.5"}
    created = api.create_invoice(currency="chf", exchangeRate="54.321", invoiceLines=[line])
    assert created["status"] == {"id": 1, "title": "Draft"}
    assert created["currency"]["abbreviation"] == "CHF"
    assert created["exchangeRate"] == 54.32
    stored = api.store.invoice(created["id"])
    assert stored.currency == "CHF" and stored.exchange_rate == Decimal("54.32")
    assert (stored.lines[0].quantity, stored.lines[0].price) == (Decimal("1.01"), Decimal("10.56"))
    assert created["entity"] is None


def test_create_gives_lines_new_ids_and_positions(api):
    lines = [dict(GOOD_LINE, id=77, sortOrder=9, invoiceID=5), dict(GOOD_LINE, sortOrder=3)]
    created = api.create_invoice(invoiceLines=lines)
    assert [line["sortOrder"] for line in created["invoiceLines"]] == [0, 1]
    assert all(line["invoiceID"] == created["id"] for line in created["invoiceLines"])
    assert 77 not in [line["id"] for line in created["invoiceLines"]]


def test_create_reply_has_empty_create_on_until_reread(api):
    created = api.create_invoice(description=None)
    assert created["createOn"] == "0001-01-01T00:00:00.0000000Z"
    assert created["createBy"]["displayName"] == ""
    assert created["description"] is None
    again = api.ok(api.get(f"crm/invoice/{created['id']}"))
    assert again["createOn"] == "2026-11-21T10:00:00.0000000Z"
    assert again["createBy"]["displayName"] == "Sandbox Administrator"
    assert again["description"] == ""
    assert again["cost"] == created["cost"] == 228.00


def test_create_reply_shows_real_create_on_when_the_quirk_is_off(make_api):
    api = make_api(OnlyofficeOptions(create_on_quirk=False))
    assert api.create_invoice()["createOn"] == "2026-11-21T10:00:00.0000000Z"


def test_create_reply_of_a_non_admin_denies_edit_and_delete(api):
    clerk = api.store.issue_token(user="clerk")
    created = api.create_invoice(token=clerk)
    assert created["canEdit"] is False and created["canDelete"] is False
    again = api.ok(api.get(f"crm/invoice/{created['id']}", token=clerk))
    assert again["canEdit"] is True and again["canDelete"] is True


def test_create_with_unknown_language_fails_after_saving(api):
    error = api.error(api.post("crm/invoice", json=api.invoice_body(language="xx-XX")), 400)
    assert "xx-XX" in error["message"]
    assert api.ok(api.get("crm/invoice/bynumber/exist", params={"number": "T-0001"})) is True
    api.error(api.post("crm/invoice", json=api.invoice_body(language="en-US")), 400)


def test_due_date_before_issue_date_is_accepted(api):
    created = api.create_invoice(issueDate="2026-11-20", dueDate="2026-01-01")
    assert created["dueDate"] < created["issueDate"]


def test_update_replaces_every_field_and_line(api):
    created = api.create_invoice(purchaseOrderNumber="PO-1", consigneeId=2, templateType=1)
    body = api.invoice_body(
        number="IGNORED", terms="Now due", invoiceLines=[dict(GOOD_LINE, quantity=1), GOOD_LINE]
    )
    del body["description"]
    updated = api.ok(api.put(f"crm/invoice/{created['id']}", json=body))
    assert updated["number"] == "T-0001"  # the number never changes
    assert updated["terms"] == "Now due"
    assert updated["purchaseOrderNumber"] == "" and updated["consignee"] is None
    assert updated["templateType"] == 0 and updated["description"] == ""
    old_ids = {line["id"] for line in created["invoiceLines"]}
    new_ids = [line["id"] for line in updated["invoiceLines"]]
    assert len(new_ids) == 2 and not old_ids & set(new_ids)
    assert updated["createOn"] == "2026-11-21T10:00:00.0000000Z"  # read back: real values


def test_update_requires_the_create_fields_again(api):
    created = api.create_invoice()
    body = api.invoice_body()
    del body["terms"]
    api.error(api.put(f"crm/invoice/{created['id']}", json=body), 400)


@pytest.mark.parametrize(
    "status",
    [InvoiceStatus.SENT, InvoiceStatus.PAID, InvoiceStatus.REJECTED, InvoiceStatus.ARCHIVED],
)
def test_update_of_a_sent_invoice_answers_404(api, status):
    created = api.create_invoice()
    api.store.set_status(created["id"], status)
    error = api.error(api.put(f"crm/invoice/{created['id']}", json=api.invoice_body()), 404)
    assert error["message"] == "Not found"


def test_update_by_another_user_answers_404(api):
    created = api.create_invoice()
    clerk = api.store.issue_token(user="clerk")
    api.error(api.put(f"crm/invoice/{created['id']}", json=api.invoice_body(), token=clerk), 404)


def test_update_checks_lines_before_the_invoice(api):
    body = api.invoice_body(invoiceLines=[{"invoiceItemID": 0}])
    api.error(api.put("crm/invoice/999", json=body), 400)
    api.error(api.put("crm/invoice/999", json=api.invoice_body()), 404)


def test_update_resets_file_id(api):
    created = api.create_invoice()
    api.store.edit_invoice(created["id"], file_id=77)
    assert api.ok(api.get(f"crm/invoice/{created['id']}"))["fileID"] == 77
    assert api.ok(api.put(f"crm/invoice/{created['id']}", json=api.invoice_body()))["fileID"] == 0


def test_delete_answers_with_cost_zero(api):
    created = api.create_invoice()
    deleted = api.ok(api.delete(f"crm/invoice/{created['id']}"))
    assert deleted["id"] == created["id"] and deleted["cost"] == 0
    assert "invoiceLines" not in deleted
    api.error(api.get(f"crm/invoice/{created['id']}"), 404)


def test_delete_any_status_is_allowed(api):
    paid = next(i for i in api.store.invoices.values() if i.status == InvoiceStatus.PAID)
    api.ok(api.delete(f"crm/invoice/{paid.id}"))


def test_delete_missing_invoice_404_zero_400_and_foreign_403(api):
    api.error(api.delete("crm/invoice/999"), 404)
    api.error(api.delete("crm/invoice/0"), 400)
    clerk = api.store.issue_token(user="clerk")
    api.error(api.delete("crm/invoice/1", token=clerk), 403)


def test_batch_delete_skips_unknown_and_foreign_ids(api):
    clerk = api.store.issue_token(user="clerk")
    mine = api.create_invoice(token=clerk)
    reply = api.delete("crm/invoice", json={"invoiceids": [1, mine["id"], 999]}, token=clerk)
    assert [row["id"] for row in api.ok(reply)] == [mine["id"]]
    assert api.store.invoice(1) is not None


def test_batch_delete_reads_ids_from_the_query_too(api):
    reply = api.delete("crm/invoice", params=[("invoiceids[]", 1), ("invoiceids[]", 2)])
    assert [row["cost"] for row in api.ok(reply)] == [0, 0]


@pytest.mark.parametrize("body", [{}, {"invoiceids": []}])
def test_batch_delete_without_ids_answers_400(api, body):
    api.error(api.delete("crm/invoice", json=body), 400)


def test_contact_used_by_an_invoice_cannot_be_deleted(api):
    used = api.store.invoice(1).contact_id
    api.error(api.delete(f"crm/contact/{used}"), 403)
    consignee = _contact(api, "Ship-to GmbH")
    api.create_invoice(consigneeId=consignee)
    api.error(api.delete(f"crm/contact/{consignee}"), 403)
    free = _contact(api, "Free GmbH")
    assert api.ok(api.delete(f"crm/contact/{free}"))["id"] == free
    api.error(api.get(f"crm/contact/{free}"), 404)
