"""The wire shapes of contacts and their contact info (§7.2, §7.4).

Owns ContactWrapper (person or company, with `addresses` and `commonData`), ContactInfoWrapper
and the Address object. Many ContactWrapper members are omitted when null, 0 or false, as the
server's `EmitDefaultValue=false` does. It must not change data or check permissions beyond
what a wrapper shows (`canEdit`, `canDelete`).
"""

from __future__ import annotations

import json

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.records import INFO_ADDRESS, Contact, ContactInfo, category_title
from bridge.sandbox.onlyoffice.wrappers import View, Wire, contact_base, employee_wrapper

ADDRESS_FIELDS = ("street", "city", "state", "zip", "country")


def info_wrapper(info: ContactInfo) -> Wire:
    return {
        "id": info.id,
        "infoType": info.info_type,
        "category": info.category,
        "data": info.data,
        "categoryName": category_title(info.info_type, info.category),
        "isPrimary": info.is_primary,
    }


def address_parts(data: str) -> dict[str, str]:
    """The five address fields of an Address info row's JSON text ("" when absent)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    return {key: str(parsed.get(key) or "") for key in ADDRESS_FIELDS}


def address_object(info: ContactInfo) -> Wire:
    # The Address object carries no contact-info id (§7.2): clients find billing ids
    # through `contact/{id}/data`.
    wire: Wire = dict(address_parts(info.data))
    if info.category:
        wire["category"] = info.category
    wire["categoryName"] = category_title(INFO_ADDRESS, info.category)
    if info.is_primary:
        wire["isPrimary"] = True
    return wire


def contact_wrapper(view: View, contact: Contact) -> Wire:
    store = view.store
    deletable = (
        view.caller is not None
        and access.can_edit_contact(view.caller, contact)
        and not store.contact_in_use(contact.id)
    )
    wire = contact_base(view, contact, can_delete=deletable)
    wire.update(_kind_fields(view, contact))
    infos = sorted(store.infos_of(contact.id), key=lambda i: i.id)
    wire["addresses"] = [address_object(i) for i in infos if i.info_type == INFO_ADDRESS]
    wire["commonData"] = [info_wrapper(i) for i in infos if i.info_type != INFO_ADDRESS]
    wire["createBy"] = employee_wrapper(view, contact.create_by)
    wire["created"] = view.date(contact.created)
    if contact.about:
        wire["about"] = contact.about
    wire["customFields"] = []
    wire["tags"] = []
    return store.damage.apply("contact", contact.id, wire)


def _kind_fields(view: View, contact: Contact) -> Wire:
    if contact.is_company:
        wire: Wire = {"companyName": contact.company_name}
        persons = sum(1 for c in view.store.contacts.values() if c.company_id == contact.id)
        if persons:
            wire["personsCount"] = persons
        return wire
    wire = {"firstName": contact.first_name, "lastName": contact.last_name}
    if contact.job_title:
        wire["title"] = contact.job_title
    company = view.store.contact(contact.company_id) if contact.company_id else None
    if company is not None:
        wire["company"] = contact_base(view, company)
    return wire
