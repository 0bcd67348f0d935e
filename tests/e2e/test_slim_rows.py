"""A run keeps thousands of list rows until it needs them, so it keeps only the fields the
parsers read. Dropping the rest must change nothing the bridge sees: for every row both real
list endpoints return on the realistic mix, parsing the slim row gives the same invoice."""

from __future__ import annotations

import sys

from rigs import TODAY

from bridge.sandbox.seed import generate
from bridge.wiring import build_clients
from mappings import onlyoffice, perfex


def test_slim_rows_parse_to_the_same_invoices_on_both_sides(make_rig):
    rig = make_rig()
    rig.sandbox.seed_perfex(generate(seed=21, invoices=80, today=TODAY))
    rig.sandbox.seed_onlyoffice(generate(seed=22, invoices=40, today=TODAY))  # typed there
    rig.run("backfill")  # ONLYOFFICE now holds rows with contacts, lines and owned fields
    clients = build_clients(rig.config(), sleep=lambda seconds: None)

    perfex_rows = clients.perfex.list_invoices()
    onlyoffice_rows = clients.onlyoffice.list_invoices()
    assert len(perfex_rows) >= 80 and len(onlyoffice_rows) >= 70

    for raw in perfex_rows:
        slim = perfex.slim_invoice_row(raw, share=sys.intern)
        assert len(slim) < len(raw)
        assert perfex.PerfexInvoice.from_api(slim) == perfex.PerfexInvoice.from_api(raw)
    for raw in onlyoffice_rows:
        slim = onlyoffice.slim_invoice_row(raw, share=sys.intern)
        assert len(str(slim)) < len(str(raw))
        assert onlyoffice.OnlyofficeInvoice.from_api(slim) == onlyoffice.OnlyofficeInvoice.from_api(
            raw
        )
