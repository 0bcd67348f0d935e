"""The same sync against servers configured differently: a portal far from UTC, Perfex 3.x."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_dates_keep_their_calendar_day_in_a_portal_far_from_utc(make_rig, zone):
    rig = make_rig(invoices=20, seed=9, onlyoffice_timezone=zone)
    rig.run("backfill")
    mirrored = rig.onlyoffice_by_number()
    store = rig.onlyoffice.store
    checked = 0
    for invoice in rig.perfex_invoices().values():
        copy = mirrored.get(f"INV-{invoice.number:06d}")
        if copy is None:
            continue
        shown = store.invoice(copy.id)
        # The store keeps UTC; the portal's calendar day is the day in its own zone.
        local = shown.issue_date.astimezone(ZoneInfo(zone)).date()
        assert local == invoice.date
        due = shown.due_date.astimezone(ZoneInfo(zone)).date()
        assert due == (invoice.duedate or invoice.date + timedelta(days=30))
        checked += 1
    assert checked > 10
    rig.clear_logs()
    assert rig.run("sync").run.counts["updated"] == 0  # read-backs compare equal
    assert rig.writes() == []


def test_backfill_and_sync_against_perfex_module_3(make_rig):
    rig = make_rig(invoices=45, seed=4, perfex_version="3")
    first = rig.run("backfill")
    assert first.run.counts["created"] > 40
    paged = [e for e in rig.sandbox.perfex.request_log.entries() if ("page", "1") in e.query]
    assert paged  # module 3 lists come in pages
    rig.clear_logs()
    again = rig.run("sync")
    assert rig.writes() == [] and again.run.counts["created"] == 0
