"""The route table of the simulated ONLYOFFICE API, below `/api/2.0/`.

Owns which template and verb reach which handler, and which route needs no token. Templates
use the server's route constraints (ids are digits, so `crm/invoice/abc` matches nothing and
never reaches the API). It must not contain handler logic.
"""

from __future__ import annotations

from bridge.sandbox.onlyoffice import (
    auth,
    catalogue,
    contact_info,
    contacts,
    invoice_reads,
    invoice_writes,
    lines,
    portal,
)
from bridge.sandbox.onlyoffice.routing import Route, route

ID = r"\d+"

ROUTES: tuple[Route, ...] = (
    route("authentication", anonymous=True, post=auth.create_token),
    # invoices (§3)
    route("crm/invoice", post=invoice_writes.create_invoice, delete=invoice_writes.delete_invoices),
    route("crm/invoice/filter", get=invoice_reads.filter_invoices),
    route(
        f"crm/invoice/{{invoiceid:{ID}}}",
        get=invoice_reads.get_invoice,
        put=invoice_writes.update_invoice,
        delete=invoice_writes.delete_invoice,
    ),
    route(r"crm/invoice/status/{status:[\w-]+}", put=invoice_writes.change_status),
    route("crm/invoice/bynumber", get=invoice_reads.invoice_by_number),
    route("crm/invoice/bynumber/exist", get=invoice_reads.number_exists),
    route("crm/invoice/sample", get=invoice_reads.sample_invoice),
    route(f"crm/invoice/jsondata/{{invoiceid:{ID}}}", get=invoice_reads.invoice_print_data),
    route(
        f"crm/{{kind:contact|person|company|opportunity}}/invoicelist/{{entityid:{ID}}}",
        get=invoice_reads.entity_invoices,
    ),
    route("crm/invoice/settings", get=portal.get_settings),
    route("crm/invoice/settings/name", put=portal.set_numbering),
    route("crm/invoice/settings/terms", put=portal.set_terms),
    # lines, items, taxes (§5, §6)
    route("crm/invoiceline", post=lines.create_line),
    route(f"crm/invoiceline/{{lineid:{ID}}}", put=lines.update_line, delete=lines.delete_line),
    route("crm/invoiceitem/filter", get=catalogue.filter_items),
    route("crm/invoiceitem", post=catalogue.create_item, delete=catalogue.delete_items),
    route(
        f"crm/invoiceitem/{{itemid:{ID}}}",
        get=catalogue.get_item,
        put=catalogue.update_item,
        delete=catalogue.delete_item,
    ),
    route("crm/invoice/tax", get=catalogue.list_taxes, post=catalogue.create_tax),
    route(f"crm/invoice/tax/{{taxid:{ID}}}", put=catalogue.update_tax, delete=catalogue.delete_tax),
    # contacts (§7)
    route("crm/contact/filter", get=contacts.filter_contacts),
    route("crm/contact/bycontactinfo", get=contacts.contacts_by_info),
    route("crm/contact/company", post=contacts.create_company),
    route("crm/contact/person", post=contacts.create_person),
    route(f"crm/contact/company/{{companyid:{ID}}}", put=contacts.update_company),
    route(f"crm/contact/person/{{personid:{ID}}}", put=contacts.update_person),
    route(
        f"crm/contact/{{contactid:{ID}}}",
        get=contacts.get_contact,
        delete=contacts.delete_contact,
    ),
    route(
        f"crm/contact/{{contactid:{ID}}}/data",
        get=contact_info.list_infos,
        post=contact_info.create_info,
    ),
    route(
        f"crm/contact/{{contactid:{ID}}}/data/{{infoid:{ID}}}",
        get=contact_info.get_info,
        put=contact_info.update_info,
        delete=contact_info.delete_info,
    ),
    # A numeric segment goes to the {infoid} route above; names reach this one (§7.4).
    route(
        f"crm/contact/{{contactid:{ID}}}/data/{{infotype:[A-Za-z]+}}",
        get=contact_info.infos_of_type,
    ),
    route(f"crm/contact/{{contactid:{ID}}}/addressdata", post=contact_info.create_address),
    route(
        f"crm/contact/{{contactid:{ID}}}/addressdata/{{infoid:{ID}}}",
        put=contact_info.update_address,
    ),
    # currencies (§8)
    route(
        "crm/settings/currency",
        get=portal.list_currencies,
        put=portal.set_default_currency,
    ),
)
