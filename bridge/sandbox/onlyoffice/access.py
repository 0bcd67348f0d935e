"""Who may read, edit or delete what (CRMSecurity; ONLYOFFICE API notes §3, §7.3).

Owns the permission rules of the simulated portal: an admin may do everything; another user
may read contacts and deals shared with the portal or privately shared with them, and invoices
they created or whose contact they can read; may edit only their own Draft invoices; may delete
only their own invoices. It must not look anything up by id or raise HTTP errors; handlers do both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.sandbox.onlyoffice.records import Contact, Deal, Invoice, InvoiceStatus, User

SHARE_NONE = 0
SHARE_READ_WRITE = 1


@dataclass(frozen=True)
class Caller:
    """The authenticated user of one request."""

    user: User

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    @property
    def id(self) -> str:
        return self.user.id


def can_read_contact(caller: Caller, contact: Contact) -> bool:
    # A private contact (share type None) is readable only through its access list, even for
    # the user who created it (§7.3, "Access pitfall").
    if caller.is_admin or contact.share_type != SHARE_NONE:
        return True
    return caller.id in contact.managers


def can_edit_contact(caller: Caller, contact: Contact) -> bool:
    if caller.is_admin or contact.share_type == SHARE_READ_WRITE:
        return True
    return contact.share_type == SHARE_NONE and caller.id in contact.managers


def can_read_deal(caller: Caller, deal: Deal) -> bool:
    # A private deal is readable through its access list only, like a private contact.
    return caller.is_admin or not deal.is_private or caller.id in deal.access


def can_read_invoice(caller: Caller, invoice: Invoice, contact: Contact | None) -> bool:
    if caller.is_admin or invoice.create_by == caller.id:
        return True
    return contact is not None and can_read_contact(caller, contact)


def can_edit_invoice(caller: Caller, invoice: Invoice) -> bool:
    # Edit needs admin or creator AND Draft; the API answers 404 otherwise (§3.4).
    return invoice.status == InvoiceStatus.DRAFT and can_delete_invoice(caller, invoice)


def can_delete_invoice(caller: Caller, invoice: Invoice) -> bool:
    return caller.is_admin or invoice.create_by == caller.id
