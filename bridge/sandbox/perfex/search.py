"""Which rows the `search/{key}` endpoints find, and in what order (API notes 2.4, 4.1, 4.2).

Owns: key preparation (URL-decoding, invoice prefix and leading-zero stripping, `#tag`), the
OR of an exact number match with substring matches on client and invoice text (so a numeric
key also finds invoices whose client phone or zip contains the digits), the INNER JOIN on
currency, and the `number DESC, YEAR(date) DESC` order. Matching follows MySQL's default
collation: case- and accent-insensitive.

Must not: shape rows (views.py) or answer HTTP.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote_plus

from bridge.sandbox.perfex.php import is_numeric
from bridge.sandbox.perfex.reference import CatalogueItem
from bridge.sandbox.perfex.store import PerfexStore, StoredCustomer, StoredInvoice

_INVOICE_TEXT = (
    "clientnote",
    "adminnote",
    "billing_street",
    "billing_city",
    "billing_state",
    "billing_zip",
    "shipping_street",
    "shipping_city",
    "shipping_state",
    "shipping_zip",
)
_CLIENT_TEXT = (
    "company",
    "vat",
    "phonenumber",
    "city",
    "state",
    "zip",
    "address",
    "billing_street",
    "billing_city",
    "billing_state",
    "billing_zip",
    "shipping_street",
    "shipping_city",
    "shipping_state",
    "shipping_zip",
)


# Letters the Unicode collation treats as a base letter (or two) plus a secondary difference,
# but which do not decompose in NFKD.
_LIGATURES = str.maketrans({"æ": "ae", "ø": "o", "ł": "l", "đ": "d", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form, like MySQL's `*_unicode_ci` comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_LIGATURES)


def _like(needle: str, values: Iterable[object]) -> bool:
    """`value LIKE '%needle%'` for any non-NULL value (an empty needle matches every value)."""
    return any(value is not None and needle in fold(str(value)) for value in values)


def prepare_invoice_key(raw: str, prefix: str) -> str:
    key = unquote_plus(raw)
    if is_numeric(key):
        return key.strip().lstrip("0")
    if prefix and key.startswith(prefix):
        return key[len(prefix) :].strip().lstrip("0")
    return key


def search_invoices(store: PerfexStore, raw_key: str) -> list[StoredInvoice]:
    key = prepare_invoice_key(raw_key, store.options.invoice_prefix)
    if key.startswith("#"):
        wanted = fold(key[1:])
        found = [
            inv for inv in store.invoices.values() if any(fold(tag) == wanted for tag in inv.tags)
        ]
    else:
        found = [inv for inv in store.invoices.values() if _invoice_matches(store, inv, key)]
    # INNER JOIN tblcurrencies: an invoice whose currency row is gone is never found.
    found = [inv for inv in found if inv.currency in store.currencies]
    found.sort(key=lambda inv: inv.id)
    found.sort(key=lambda inv: (inv.number, inv.date.year), reverse=True)
    return found


def _invoice_matches(store: PerfexStore, invoice: StoredInvoice, key: str) -> bool:
    if key != "" and str(invoice.number) == key:
        return True
    needle = fold(key)
    if _like(needle, (invoice.row[name] for name in _INVOICE_TEXT)):
        return True
    if _like(needle, invoice.custom_values.values()):
        return True
    customer = store.customers.get(invoice.clientid)
    return customer is not None and _customer_text_matches(customer, needle)


def _customer_text_matches(customer: StoredCustomer, needle: str) -> bool:
    if _like(needle, (customer.row[name] for name in _CLIENT_TEXT)):
        return True
    contact = customer.contact
    return contact is not None and _like(needle, [f"{contact.firstname} {contact.lastname}"])


def search_customers(store: PerfexStore, raw_key: str) -> list[StoredCustomer]:
    """Active customers whose company, primary contact name or e-mail contains the key."""
    needle = fold(unquote_plus(raw_key))
    found = []
    for customer in store.customers.values():
        if customer.row["active"] != 1:
            continue
        contact = customer.contact
        texts: list[object] = [customer.row["company"]]
        if contact is not None:
            texts += [f"{contact.firstname} {contact.lastname}", contact.email]
        if _like(needle, texts):
            found.append(customer)
    return found


def search_catalogue(store: PerfexStore, raw_key: str) -> list[CatalogueItem]:
    needle = fold(unquote_plus(raw_key))
    items = [
        item
        for item in store.catalogue.values()
        if _like(needle, (item.description, item.long_description))
    ]
    return sorted(items, key=lambda item: fold(item.description))
