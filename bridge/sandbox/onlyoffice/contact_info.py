"""Handlers of a contact's e-mails, phones and addresses: `contact/{id}/data`, `addressdata` (§7.4).

Owns listing, reading, creating, replacing and deleting contact-info rows, with the two
creation paths' different category rules: `POST contact/{id}/data` takes the category as the
enum *name*, case-sensitive (a number string is a 400), while `addressdata` takes an address
object whose `category` is a number (Billing 3, Delivery/Postal 1) and stores the address as
indented camelCase JSON text. Output always shows `infoType` and `category` as numbers. It
must not touch the contact row itself.
"""

from __future__ import annotations

import json

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.binding import to_bool, to_int
from bridge.sandbox.onlyoffice.contact_views import ADDRESS_FIELDS, info_wrapper
from bridge.sandbox.onlyoffice.failures import bad_argument, not_found
from bridge.sandbox.onlyoffice.records import (
    ADDRESS_CATEGORIES,
    INFO_ADDRESS,
    INFO_TYPE_NAMES,
    Contact,
    ContactInfo,
    categories_of,
    parse_enum,
)
from bridge.sandbox.onlyoffice.routing import Call

ADDRESS_PROPERTIES = ("Street", "City", "State", "Zip", "Country", "Category", "IsPrimary")


def _readable(call: Call) -> Contact:
    contact = call.store.contact(call.params.route_id("contactid"))
    if contact is None or not access.can_read_contact(call.caller, contact):
        raise not_found()
    return contact


def _editable(call: Call) -> Contact:
    # Not editable is reported as missing on these endpoints (§7.4).
    contact = call.store.contact(call.params.route_id("contactid"))
    if contact is None or not access.can_edit_contact(call.caller, contact):
        raise not_found()
    return contact


def _owned_info(call: Call, contact: Contact) -> ContactInfo:
    info = call.store.info(call.params.route_id("infoid"))
    if info is None:
        raise not_found()
    if info.contact_id != contact.id:
        raise bad_argument()  # a row of another contact
    return info


def list_infos(call: Call) -> object:
    contact = _readable(call)
    infos = sorted(call.store.infos_of(contact.id), key=lambda i: i.id, reverse=True)
    return [info_wrapper(info) for info in infos]  # newest id first


def get_info(call: Call) -> object:
    return info_wrapper(_owned_info(call, _readable(call)))


def infos_of_type(call: Call) -> object:
    info_type = parse_enum(call.params.route("infotype"), INFO_TYPE_NAMES)
    contact = _readable(call)
    infos = sorted(call.store.infos_of(contact.id), key=lambda i: i.id)
    return [info.data for info in infos if info.info_type == info_type]


def _info_fields(call: Call) -> tuple[int, int, str, bool]:
    """infoType (name or number), data (required), category (exact enum name), isPrimary."""
    params = call.params
    type_text = params.text("infoType")
    info_type = parse_enum(type_text, INFO_TYPE_NAMES) if type_text else 0
    data, primary = params.text("data"), params.boolean("isPrimary")
    if not data:
        raise bad_argument()
    return info_type, _category_by_name(info_type, params.text("category")), data, primary


def _category_by_name(info_type: int, name: str | None) -> int:
    # Enum.IsDefined(type, string): the exact, case-sensitive name; "3" or "billing" fail.
    for number, known in categories_of(info_type).items():
        if name == known:
            return number
    raise bad_argument()


def _check_address_data(info_type: int, data: str) -> None:
    if info_type != INFO_ADDRESS:
        return
    try:
        parsed = json.loads(data)
    except ValueError:
        raise bad_argument() from None
    if not isinstance(parsed, dict):
        raise bad_argument()


def create_info(call: Call) -> object:
    info_type, category, data, primary = _info_fields(call)
    contact = _editable(call)
    _check_address_data(info_type, data)
    info = ContactInfo(
        call.store.next_id("contactinfo"), contact.id, info_type, category, data, primary
    )
    return info_wrapper(call.store.put_info(info))


def update_info(call: Call) -> object:
    info_type, category, data, primary = _info_fields(call)
    contact = _editable(call)
    old = _owned_info(call, contact)
    _check_address_data(info_type, data)
    info = ContactInfo(old.id, contact.id, info_type, category, data, primary)
    return info_wrapper(call.store.put_info(info))


def delete_info(call: Call) -> object:
    info = _owned_info(call, _editable(call))
    call.store.remove_info(info.id)
    return info_wrapper(info)


def _address_input(call: Call) -> tuple[int, str, bool]:
    fields = call.params.object("address", ADDRESS_PROPERTIES)
    if fields is None:
        raise bad_argument()
    category = to_int(fields["Category"]) if fields.get("Category") else 0
    if category not in ADDRESS_CATEGORIES:
        raise bad_argument()
    primary = to_bool(fields["IsPrimary"]) if fields.get("IsPrimary") else False
    parts = {key: fields.get(key.capitalize()) or "" for key in ADDRESS_FIELDS}
    # Stored and echoed as indented camelCase JSON text (§7.4).
    return category, json.dumps(parts, ensure_ascii=False, indent=2), primary


def create_address(call: Call) -> object:
    category, data, primary = _address_input(call)
    contact = _editable(call)
    info = ContactInfo(
        call.store.next_id("contactinfo"), contact.id, INFO_ADDRESS, category, data, primary
    )
    return info_wrapper(call.store.put_info(info))


def update_address(call: Call) -> object:
    category, data, primary = _address_input(call)
    contact = _editable(call)
    old = _owned_info(call, contact)
    if old.info_type != INFO_ADDRESS:
        raise bad_argument()
    info = ContactInfo(old.id, contact.id, INFO_ADDRESS, category, data, primary)
    return info_wrapper(call.store.put_info(info))
