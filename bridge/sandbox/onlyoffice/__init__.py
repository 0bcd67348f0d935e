"""A strict in-process simulator of the ONLYOFFICE Workspace CRM API (invoices and contacts).

It follows the ONLYOFFICE API notes (sections cited as §), quirks included, so that a bridge
that works against it has met the real server's rules. Serve it with `bridge.sandbox.server.
SimulatorServer(OnlyofficeSimulator(...))`; see docs/simulator-onlyoffice.md.

Public names: `OnlyofficeSimulator`, `OnlyofficeOptions`, `CurrencyInfo`, `OnlyofficeStore`,
`InvoiceStatus` and the stored record types. This package must not import the bridge's own
client code: it stands in for the remote system.
"""

from bridge.sandbox.onlyoffice.app import OnlyofficeSimulator
from bridge.sandbox.onlyoffice.options import DEFAULT_CURRENCIES, CurrencyInfo, OnlyofficeOptions
from bridge.sandbox.onlyoffice.records import (
    Contact,
    ContactInfo,
    Invoice,
    InvoiceLine,
    InvoiceSettings,
    InvoiceStatus,
    Item,
    Tax,
    User,
)
from bridge.sandbox.onlyoffice.store import OnlyofficeStore

__all__ = [
    "DEFAULT_CURRENCIES",
    "Contact",
    "ContactInfo",
    "CurrencyInfo",
    "Invoice",
    "InvoiceLine",
    "InvoiceSettings",
    "InvoiceStatus",
    "Item",
    "OnlyofficeOptions",
    "OnlyofficeSimulator",
    "OnlyofficeStore",
    "Tax",
    "User",
]
