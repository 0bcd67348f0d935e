"""The row shapes the module returns, built from stored data (API notes sections 2.2-2.4, 3, 4).

Owns: invoice list rows (columns + joined currency + `currencyid`/`currency_name` +
`customfields`), the full invoice object (`items`, `client`, `payments`, ...; never line
taxes or tags), search rows (invoice columns overwritten by the client's same-named columns),
customer rows, catalogue rows and the `common` lists. Every database value is a string or
None, as mysqli returns them.

Must not: decide which rows are returned (handlers, `search.py`) or change anything.
"""

from __future__ import annotations

from decimal import Decimal

from bridge.sandbox.perfex.php import strip_tags
from bridge.sandbox.perfex.reference import CatalogueItem, PaymentMode
from bridge.sandbox.perfex.schema import CLIENT_COLUMNS, INVOICE_COLUMNS, render
from bridge.sandbox.perfex.store import (
    Payment,
    PerfexStore,
    StoredCustomer,
    StoredInvoice,
    StoredLine,
)

Row = dict[str, object]

_INVOICE_NAMES = tuple(column.name for column in INVOICE_COLUMNS)
_INVOICE_NAMES_OLD = tuple(name for name in _INVOICE_NAMES if name != "formatted_number")
_CLIENT_NAMES = tuple(column.name for column in CLIENT_COLUMNS)
_PAYMENT_MODE_FIELDS = (
    "name",
    "description",
    "show_on_pdf",
    "invoices_only",
    "expenses_only",
    "selected_by_default",
    "active",
)


def _invoice_names(store: PerfexStore) -> tuple[str, ...]:
    return _INVOICE_NAMES if store.options.formatted_number_column else _INVOICE_NAMES_OLD


def invoice_columns(store: PerfexStore, invoice: StoredInvoice) -> Row:
    row = invoice.row
    return {name: render(row[name]) for name in _invoice_names(store)}


def invoice_list_row(store: PerfexStore, invoice: StoredInvoice) -> Row:
    """`Invoices_model::get('')` row: columns, currency join, then the API's `customfields`."""
    out = invoice_columns(store, invoice)
    _add_currency(store, invoice, out)
    out["customfields"] = invoice_custom_fields(store, invoice)
    return store.damage.apply("invoice", invoice.id, out)


def invoice_custom_fields(store: PerfexStore, invoice: StoredInvoice) -> list[Row]:
    """`get_api_custom_data`: every invoice custom field with this invoice's value or ""."""
    return [
        {"label": field.name, "value": invoice.custom_values.get(field.id, "")}
        for field in store.invoice_custom_fields()
    ]


def _add_currency(store: PerfexStore, invoice: StoredInvoice, out: Row) -> None:
    currency = store.invoice_currency(invoice)
    if currency is None:  # LEFT JOIN with no currency row: every joined column is NULL
        out.update(
            dict.fromkeys(
                (
                    "symbol",
                    "name",
                    "decimal_separator",
                    "thousand_separator",
                    "placement",
                    "isdefault",
                    "currencyid",
                    "currency_name",
                )
            )
        )
        return
    out.update(
        symbol=currency.symbol,
        name=currency.name,
        decimal_separator=currency.decimal_separator,
        thousand_separator=currency.thousand_separator,
        placement=currency.placement,
        isdefault=str(currency.isdefault),
        currencyid=str(currency.id),
        currency_name=currency.name,
    )


def invoice_full(store: PerfexStore, invoice: StoredInvoice) -> Row:
    """`GET /api/invoices/{id}` (API notes 3): no line taxes and no tags, by design of Perfex."""
    out = invoice_columns(store, invoice)
    _add_currency(store, invoice, out)
    out["total_left_to_pay"] = f"{store.left_to_pay(invoice.id):.2f}"
    out["items"] = [line_row(store, line) for line in store.lines_of(invoice.id)]
    out["attachments"] = []
    if invoice.row["project_id"]:
        out["project_data"] = None  # no projects are simulated: projects_model->get() is null
    out["visible_attachments_to_customer_found"] = False
    out["client"] = _invoice_client(store, invoice)
    out["payments"] = [payment_row(store, payment) for payment in store.payments_of(invoice.id)]
    out["scheduled_email"] = None
    out["customfields"] = invoice_custom_fields(store, invoice)
    return store.damage.apply("invoice", invoice.id, out)


def line_row(store: PerfexStore, line: StoredLine) -> Row:
    return store.damage.apply(
        "line",
        line.id,
        {
            "id": str(line.id),
            "rel_id": str(line.rel_id),
            "rel_type": line.rel_type,
            "description": line.description,
            "long_description": line.long_description,
            "qty": render(line.qty),
            "rate": render(line.rate),
            "unit": line.unit,
            "item_order": render(line.item_order),
            "customfields": [],
        },
    )


def _invoice_client(store: PerfexStore, invoice: StoredInvoice) -> Row:
    customer = store.customers.get(invoice.clientid)
    if customer is None:
        return {"company": invoice.row["deleted_customer_name"]}
    return customer_columns(store, customer)


def payment_row(store: PerfexStore, payment: Payment) -> Row:
    """Payment record joined with its mode: `id`/`name` are the mode's, `paymentid` the record's."""
    out: Row = {
        "id": None,
        "invoiceid": str(payment.invoiceid),
        "amount": render(payment.amount),
        "paymentmode": payment.paymentmode,
        "paymentmethod": payment.paymentmethod,
        "date": render(payment.date),
        "daterecorded": render(payment.daterecorded),
        "note": payment.note,
        "transactionid": payment.transactionid,
    }
    out.update(dict.fromkeys(_PAYMENT_MODE_FIELDS))
    mode = (
        store.payment_modes.get(int(payment.paymentmode)) if payment.paymentmode.isdigit() else None
    )
    if mode is not None:
        out["id"] = str(mode.id)
        out.update(store.damage.apply("payment_mode", mode.id, payment_mode_columns(mode)))
    else:
        for gateway in store.gateways:
            if gateway.id == payment.paymentmode:
                out.update(id=gateway.id, name=gateway.name)
    out["paymentid"] = str(payment.id)
    return out


def payment_mode_columns(mode: PaymentMode) -> Row:
    return {name: render(getattr(mode, name)) for name in _PAYMENT_MODE_FIELDS}


def customer_columns(store: PerfexStore, customer: StoredCustomer) -> Row:
    out = {name: render(customer.row[name]) for name in _CLIENT_NAMES}
    if customer.row["company"] == " " and customer.contact is not None:
        # A person without a company: Perfex shows the primary contact's name instead.
        out["company"] = f"{customer.contact.firstname} {customer.contact.lastname}"
    if not store.options.vat_field_enabled:
        out["vat"] = None
    return store.damage.apply("customer", customer.userid, out)


def customer_row(store: PerfexStore, customer: StoredCustomer) -> Row:
    out = customer_columns(store, customer)
    out["customfields"] = []
    return out


def invoice_search_row(store: PerfexStore, invoice: StoredInvoice) -> Row:
    """`SELECT invoices.*, clients.*`: same-named client columns win, even when NULL (and
    even over a broken invoice column)."""
    out = store.damage.apply("invoice", invoice.id, invoice_columns(store, invoice))
    customer = store.customers.get(invoice.clientid)
    client = customer_columns(store, customer) if customer else dict.fromkeys(_CLIENT_NAMES)
    out.update(client)
    out["invoiceid"] = str(invoice.id)
    out["customfields"] = invoice_custom_fields(store, invoice)
    return out


def catalogue_row(store: PerfexStore, item: CatalogueItem) -> Row:
    tax = store.taxes.get(item.taxid) if item.taxid else None
    tax2 = store.taxes.get(item.taxid_2) if item.taxid_2 else None
    return store.damage.apply(
        "item",
        item.id,
        {
            "itemid": str(item.id),
            "rate": render(item.rate),
            "taxrate": render(tax.taxrate) if tax else None,
            "taxid": str(tax.id) if tax else None,
            "taxname": tax.name if tax else None,
            "taxrate_2": render(tax2.taxrate) if tax2 else None,
            "taxid_2": str(tax2.id) if tax2 else None,
            "taxname_2": tax2.name if tax2 else None,
            "description": item.description,
            "long_description": item.long_description,
            "group_id": str(item.group_id),
            "group_name": None,
            "unit": item.unit,
            "customfields": [],
        },
    )


def catalogue_search_row(store: PerfexStore, item: CatalogueItem) -> Row:
    subtext = strip_tags(item.long_description[:200]) + "..."
    row: Row = {
        "rate": render(item.rate),
        "id": str(item.id),
        "name": f"({app_format_number(item.rate)}) {item.description}",
        "subtext": subtext,
    }
    # The search row holds only some of the item's columns: only their damage shows.
    damaged = store.damage.apply("item", item.id, dict(row))
    return {key: damaged[key] for key in row if key in damaged}


def app_format_number(amount: Decimal) -> str:
    """Perfex number formatting with the default company separators (`.` decimal, `,` groups)."""
    return f"{amount:,.2f}"


def tax_rows(store: PerfexStore) -> list[Row]:
    taxes = sorted(store.taxes.values(), key=lambda tax: (tax.taxrate, tax.id))
    return [
        store.damage.apply(
            "tax", t.id, {"id": str(t.id), "name": t.name, "taxrate": render(t.taxrate)}
        )
        for t in taxes
    ]


def payment_mode_rows(store: PerfexStore) -> list[Row]:
    """Active offline modes that are not invoice-only, then the active online gateways."""
    rows: list[Row] = []
    for mode in store.payment_modes.values():
        if mode.active and mode.invoices_only != 1:
            row: Row = {"id": str(mode.id), **payment_mode_columns(mode)}
            rows.append(store.damage.apply("payment_mode", mode.id, row))
    for gateway in store.gateways:
        if gateway.active:
            rows.append(
                {
                    "id": gateway.id,
                    "name": gateway.name,
                    "description": "",
                    "selected_by_default": str(gateway.selected_by_default),
                    "active": str(gateway.active),
                }
            )
    return rows


def expense_category_rows(store: PerfexStore) -> list[Row]:
    return [
        {"id": str(c.id), "name": c.name, "description": c.description}
        for c in store.expense_categories.values()
    ]
