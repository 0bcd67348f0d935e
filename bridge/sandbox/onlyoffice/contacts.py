"""Handlers of contacts: list, read, look up by contact info, create, update, delete (§7.1-§7.3).

Owns `contact/filter` (default order: created, newest first), `contact/{id}` (404 also when
unreadable), `contact/bycontactinfo` (substring match, `infoType` required), company and
person creation (`companyName` / `firstName` required; a missing `lastName` is the server's
500), their updates, and the rule that a contact used by an invoice cannot be deleted (403).
Tags, stages, types and managers' responsibility are not simulated: filters on them match
nothing; `WithOpportunity` lists the contacts linked to a deal. It must not handle
contact-info rows beyond reading them for look-ups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

from bridge.sandbox.onlyoffice import access
from bridge.sandbox.onlyoffice.contact_views import contact_wrapper
from bridge.sandbox.onlyoffice.failures import (
    access_denied,
    bad_argument,
    not_found,
    null_reference,
)
from bridge.sandbox.onlyoffice.paging import db_page, words_match
from bridge.sandbox.onlyoffice.records import (
    INFO_TYPE_NAMES,
    LIST_VIEW_NAMES,
    SHARE_TYPE_NAMES,
    Contact,
    categories_of,
    parse_enum,
)
from bridge.sandbox.onlyoffice.routing import Call, Reply

Predicate = Callable[[Contact], bool]
_DAY_MINUS_MINUTE = timedelta(days=1) - timedelta(minutes=1)  # upper bound covers the day
CONTACT_SORT_KEYS: dict[str, Callable[[Contact], object]] = {
    "displayname": lambda c: c.display_name.lower(),
    "contacttype": lambda c: 0,  # contact types are not simulated
    "created": lambda c: c.created,
    "firstname": lambda c: c.first_name.lower(),
    "lastname": lambda c: c.last_name.lower(),
    "history": lambda c: c.created,  # no history events: creation is the last one
}


def readable_contact(call: Call, contact_id: int) -> Contact:
    """A contact the caller may read; missing and unreadable are both 404 (§7.1)."""
    contact = call.store.contact(contact_id)
    if contact is None or not access.can_read_contact(call.caller, contact):
        raise not_found()
    return contact


def _list_view_filter(call: Call) -> Predicate | None:
    text = call.params.text("contactListView")
    view = parse_enum(text, LIST_VIEW_NAMES) if text else 0
    if view == 1:
        return lambda c: c.is_company
    if view == 2:
        return lambda c: not c.is_company
    if view == 3:
        members = {m for deal in call.store.deals.values() for m in deal.members}
        return lambda c: c.id in members
    return None


def _contact_filters(call: Call) -> list[Predicate]:
    params = call.params
    found: list[Predicate] = [lambda c: access.can_read_contact(call.caller, c)]
    by_view = _list_view_filter(call)
    if by_view is not None:
        found.append(by_view)
    shared = params.opt_boolean("isShared")
    if shared is not None:
        found.append(lambda c: (c.share_type != access.SHARE_NONE) == shared)
    low, high = params.datetime("fromDate"), params.datetime("toDate")
    if low is not None:
        found.append(lambda c: c.created >= low)
    if high is not None:
        stretched = high + _DAY_MINUS_MINUTE
        found.append(lambda c: c.created <= stretched)
    if params.text_list("tags") or params.integer("contactStage") > 0:
        found.append(lambda c: False)  # no tags or stages exist
    if params.integer("contactType") > 0 or params.text("responsibleid"):
        found.append(lambda c: False)
    words = call.paging.filter_value
    if words:
        found.append(lambda c: words_match(words, (c.display_name,)))
    return found


def filter_contacts(call: Call) -> object:
    filters = _contact_filters(call)
    rows = [c for c in call.store.contacts.values() if all(f(c) for f in filters)]
    paging = call.paging
    if paging.sort_by:
        key = CONTACT_SORT_KEYS.get(paging.sort_by.lower(), CONTACT_SORT_KEYS["created"])
        rows.sort(key=lambda c: (key(c), c.id), reverse=paging.descending)  # type: ignore[arg-type, return-value]
    else:
        rows.sort(key=lambda c: (c.created, c.id), reverse=True)  # newest first by default
    page, total = db_page(rows, paging)
    return Reply([contact_wrapper(call.view, c) for c in page], total, True)


def get_contact(call: Call) -> object:
    return contact_wrapper(call.view, readable_contact(call, call.params.route_id("contactid")))


def contacts_by_info(call: Call) -> object:
    params = call.params
    type_text = params.text("infoType")
    if not type_text:
        raise bad_argument()
    info_type = parse_enum(type_text, INFO_TYPE_NAMES)
    category_text = params.text("category")
    category = parse_enum(category_text, categories_of(info_type)) if category_text else None
    primary = params.opt_boolean("isPrimary")
    needle = (params.text("data") or "").lower()
    owners = {
        info.contact_id
        for info in call.store.contact_infos.values()
        if info.info_type == info_type
        and needle in info.data.lower()  # LIKE %data%: a substring, not equality (§7.1)
        and (category is None or info.category == category)
        and (primary is None or info.is_primary == primary)
    }
    found = (call.store.contact(cid) for cid in sorted(owners))
    return [
        contact_wrapper(call.view, c)
        for c in found
        if c is not None and access.can_read_contact(call.caller, c)
    ]


def _share_type(call: Call) -> int:
    text = call.params.text("shareType")
    return parse_enum(text, SHARE_TYPE_NAMES) if text else access.SHARE_NONE


def _new_contact(call: Call, **fields: object) -> Contact:
    base: dict[str, object] = {
        "id": call.store.next_id("contact"),
        "is_company": False,
        "company_name": "",
        "first_name": "",
        "last_name": "",
        "job_title": None,
        "company_id": 0,
        "about": call.params.text("about"),
        "share_type": _share_type(call),
        "managers": tuple(call.params.text_list("managerList") or ()),
        "currency": None,
        "created": call.now,
        "create_by": call.caller.id,
    }
    base.update(fields)
    return call.store.put_contact(Contact(**base))  # type: ignore[arg-type]


def create_company(call: Call) -> object:
    name = call.params.text("companyName")
    if not name or not name.strip():
        raise bad_argument()
    company = _new_contact(call, is_company=True, company_name=name)
    for person_id in call.params.int_list("personList") or []:
        person = call.store.contact(person_id)
        if person and not person.is_company and access.can_read_contact(call.caller, person):
            call.store.put_contact(dataclasses.replace(person, company_id=company.id))
    return contact_wrapper(call.view, company)


def _person_fields(call: Call) -> dict[str, object]:
    params = call.params
    company_id = params.integer("companyId")
    if company_id > 0:
        company = call.store.contact(company_id)
        if company is None or not access.can_read_contact(call.caller, company):
            raise not_found()
    first, last = params.text("firstName"), params.text("lastName")
    if not first or not first.strip():
        raise bad_argument()
    if last is None:
        raise null_reference()  # ConDao trims LastName without a null check (§7.3)
    return {
        "first_name": first,
        "last_name": last,
        "job_title": params.text("jobTitle"),
        "company_id": max(company_id, 0),
    }


def create_person(call: Call) -> object:
    return contact_wrapper(call.view, _new_contact(call, **_person_fields(call)))


def _editable(call: Call, contact_id: int, company: bool) -> Contact:
    contact = call.store.contact(contact_id)
    if contact is None or contact.is_company != company:
        raise not_found()
    if not access.can_edit_contact(call.caller, contact):
        raise access_denied()
    return contact


def update_company(call: Call) -> object:
    name = call.params.text("companyName")
    if not name or not name.strip():
        raise bad_argument()
    company = _editable(call, call.params.route_id("companyid"), True)
    call.store.damage.repair("contact", company.id)
    changed = dataclasses.replace(
        company,
        company_name=name,
        about=call.params.text("about"),
        share_type=_share_type(call),
        managers=tuple(call.params.text_list("managerList") or ()),
    )
    return contact_wrapper(call.view, call.store.put_contact(changed))


def update_person(call: Call) -> object:
    params = call.params
    if not params.text("firstName") or not params.text("lastName"):
        raise bad_argument()
    person = _editable(call, params.route_id("personid"), False)
    fields = _person_fields(call)
    call.store.damage.repair("contact", person.id)
    changed = dataclasses.replace(
        person,
        about=params.text("about"),
        share_type=_share_type(call),
        managers=tuple(params.text_list("managerList") or ()),
        **fields,  # type: ignore[arg-type]
    )
    return contact_wrapper(call.view, call.store.put_contact(changed))


def delete_contact(call: Call) -> object:
    contact_id = call.params.route_id("contactid")
    if contact_id <= 0:
        raise bad_argument()
    contact = readable_contact(call, contact_id)
    # Contacts an invoice points at (as contact or consignee) stay (ContactDao.CanDelete, §3.5).
    if not access.can_edit_contact(call.caller, contact) or call.store.contact_in_use(contact_id):
        raise access_denied()
    wire = contact_wrapper(call.view, contact)
    for person in call.store.contacts.values():
        if person.company_id == contact_id:
            call.store.put_contact(dataclasses.replace(person, company_id=0))
    call.store.remove_contact(contact_id)
    return wire
