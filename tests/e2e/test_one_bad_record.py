"""One bad record never stops a run: a damaged row of each kind among 30 good invoices, in every
direction, through the real command line.

Each damage is the way a real database row breaks (a zero date, NULL where a value belongs, a
pasted 10,000-character text, bytes that are not UTF-8) and the simulators serve it where the
real servers would. The run must mirror every invoice the damage does not touch, fail exactly
the ones it does with the field (and value) in the report, say once what an optional read went
without, exit as INTERFACE.md says, close its journal, and print no traceback.
"""

from __future__ import annotations

import pytest
from isolation_world import (
    BOOKS,
    ONLYOFFICE_DAMAGE,
    PERFEX_DAMAGE,
    PLACEHOLDER,
    UTF8,
    Damage,
    carried_numbers,
    held_by,
    invoice_records,
    onlyoffice_invoice,
    onlyoffice_numbers,
    other,
    perfex_invoice,
    perfex_number,
    perfex_numbers,
    quiet,
    report,
    run_statuses,
)
from rigs import rig_factory

from bridge.engine import onlyoffice_side
from mappings.perfex import PerfexInvoice

DIRECTIONS = ("perfex_to_onlyoffice", "onlyoffice_to_perfex", "both")
# The damaged side holds the books and is the source; in two-way sync either side can be.
SOURCE_DAMAGE = [
    *(("perfex_to_onlyoffice", d) for d in PERFEX_DAMAGE),
    *(("onlyoffice_to_perfex", d) for d in ONLYOFFICE_DAMAGE),
    *(("both", d) for d in (*PERFEX_DAMAGE, *ONLYOFFICE_DAMAGE)),
]


@pytest.fixture
def make(tmp_path):
    with rig_factory(tmp_path, "perfex_to_onlyoffice") as factory:
        yield factory


@pytest.mark.parametrize("command", ["backfill", "sync"])
@pytest.mark.parametrize(
    ("direction", "damage"),
    SOURCE_DAMAGE,
    ids=[f"{direction}-{damage.id}" for direction, damage in SOURCE_DAMAGE],
)
def test_one_damaged_record_fails_alone_and_every_other_invoice_is_mirrored(
    make, monkeypatch, direction: str, damage: Damage, command: str
) -> None:
    rig = make(**{damage.side: BOOKS}, direction=direction)
    wanted = carried_numbers(rig, damage.side)
    affected = damage.affected(rig, damage.apply(rig))
    assert affected <= wanted and bool(affected) == bool(damage.says)  # the books are as meant

    result = rig.cli(command, monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == (1 if affected else 0), result.text
    mirror = held_by(rig, other(damage.side))
    assert {number: mirror[number] for number in wanted - affected} == dict.fromkeys(
        wanted - affected, 1
    )
    assert not affected & set(mirror)  # nothing was written for a damaged invoice
    document = report(rig, monkeypatch)
    assert document["run"]["status"] == ("partial" if affected else "ok")
    records = invoice_records(document)
    failed = {n for n, found in records.items() if any(r["action"] == "failed" for r in found)}
    assert failed == affected
    for number in affected:
        (record,) = records[number]
        assert all(words in record["error"] for words in damage.says), record["error"]
        assert "\n" not in record["error"] and len(record["error"]) < 400
    assert {r["action"] for n in wanted - affected for r in records[n]} == {"created"}
    for words in damage.note:
        assert words in result.out
    if damage.note:
        assert result.out.count(damage.note[0]) == 1  # said once, however many invoices
        assert "Note: " in result.out and "Stopped" not in result.out
    assert run_statuses(rig.ledger_path) == [document["run"]["status"]]


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_an_invoice_list_perfex_sends_empty_stops_the_run_before_any_write(
    make, monkeypatch, direction: str
) -> None:
    # One invoice holding bytes that are not UTF-8 makes the API module print nothing at all
    # for the whole list (Perfex API notes 1.3): there is no list to act on in any direction.
    rig = make(perfex=BOOKS, onlyoffice=BOOKS, direction=direction)
    rig.perfex_admin.damage("invoice", perfex_invoice(rig), "clientnote", "invalid_utf8")

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == 1
    assert "Perfex GET /api/invoices answered 200 with an empty body" in result.err
    assert UTF8 in result.err and "correct that text in Perfex" in result.err
    assert rig.writes() == []
    assert run_statuses(rig.ledger_path) == ["failed"]
    assert rig.sandbox.perfex.request_log.count("GET", "/api/invoices") == 1  # asked once


SIDES_AGAINST_ROWS = [
    ("onlyoffice_to_perfex", "perfex"),
    ("both", "perfex"),
    ("perfex_to_onlyoffice", "onlyoffice"),
    ("both", "onlyoffice"),
]


@pytest.mark.parametrize(("direction", "damaged"), SIDES_AGAINST_ROWS)
def test_an_unreadable_row_keeps_its_number_so_its_counterpart_is_not_created_again(
    make, monkeypatch, direction: str, damaged: str
) -> None:
    rig = make(perfex=BOOKS, onlyoffice=BOOKS, direction=direction)
    if damaged == "perfex":
        invoice_id = perfex_invoice(rig)
        number = perfex_number(rig.perfex.store.invoices[invoice_id])
        rig.perfex_admin.damage("invoice", invoice_id, "date", "zero_date")
        says = f'Perfex invoice {invoice_id}: date: "0000-00-00" is not a date'
    else:
        invoice_id = onlyoffice_invoice(rig)
        number = rig.onlyoffice.store.invoice(invoice_id).number
        rig.onlyoffice_admin.damage("invoice", invoice_id, "issueDate", "empty")
        says = f"ONLYOFFICE invoice {invoice_id}: issueDate: expected an ApiDateTime"

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == 1
    (record,) = invoice_records(report(rig, monkeypatch))[number]
    assert record["action"] == "failed" and record["error"].startswith(says), record
    assert max(perfex_numbers(rig).values()) == max(onlyoffice_numbers(rig).values()) == 1
    assert perfex_numbers(rig)[number] == onlyoffice_numbers(rig)[number] == 1
    assert "running" not in run_statuses(rig.ledger_path)


def _onlyoffice_product(rig) -> tuple[int, set[str]]:  # noqa: ANN001
    """A product of the catalogue and the Perfex invoices whose lines need it by its title."""
    store = rig.perfex.store
    item = rig.onlyoffice_admin.item_id("Consulting")
    return item, {
        perfex_number(i)
        for i in store.invoices.values()
        if i.number != PLACEHOLDER
        and any(line.description == "Consulting" for line in store.lines_of(i.id))
    }


def _onlyoffice_tax(rig) -> tuple[int, set[str]]:  # noqa: ANN001
    """The tax named like the Reduced VAT of Perfex's lines, and the invoices that carry it."""
    store = rig.perfex.store
    tax = next(t for t in rig.onlyoffice.store.taxes.values() if t.name == "Reduced VAT")
    return tax.id, {
        perfex_number(i)
        for i in store.invoices.values()
        if i.number != PLACEHOLDER
        and any(t.name == "Reduced VAT" for line in store.lines_of(i.id) for t in line.taxes)
    }


def _onlyoffice_company(rig) -> tuple[int, set[str]]:  # noqa: ANN001
    """The company of one Perfex customer, and that customer's invoices."""
    store = rig.perfex.store
    customer = store.customers[int(store.invoices[perfex_invoice(rig, 6)].clientid)]
    company = rig.onlyoffice_admin.company_id(customer.row["company"])
    return company, {
        perfex_number(i)
        for i in store.invoices.values()
        if int(i.clientid) == customer.row["userid"] and i.number != PLACEHOLDER
    }


TARGET_ROWS = [
    pytest.param("item", "price", "null", _onlyoffice_product, 'product "Consulting"', id="item"),
    pytest.param("tax", "rate", "missing", _onlyoffice_tax, 'tax "Reduced VAT"', id="tax"),
    pytest.param("contact", "commonData", "wrong_type", _onlyoffice_company, "company", id="co"),
]


@pytest.mark.parametrize(("kind", "field", "how", "pick", "says"), TARGET_ROWS)
def test_a_product_tax_or_company_onlyoffice_cannot_read_is_not_created_a_second_time(
    make, monkeypatch, kind, field, how, pick, says
) -> None:
    # Both systems already know the customers, products and taxes (kept in step by hand); the
    # bridge matches them by name, and must not take a row it cannot read for a missing one.
    rig = make(perfex=BOOKS, onlyoffice=BOOKS, direction="perfex_to_onlyoffice")
    record_id, affected = pick(rig)
    assert affected
    rig.onlyoffice_admin.damage(kind, record_id, field, how)

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == 1
    assert rig.duplicates() == {}
    records = invoice_records(report(rig, monkeypatch))
    failed = {n for n, found in records.items() if found[0]["action"] == "failed"}
    assert failed == affected
    for number in affected:
        error = records[number][0]["error"]
        assert says in error and f"{field}:" in error and "none was created" in error, error
    assert "a row of ONLYOFFICE" in result.out  # the unreadable row is noted once
    assert "running" not in run_statuses(rig.ledger_path)


def test_a_perfex_customer_that_cannot_be_read_is_not_created_a_second_time(
    make, monkeypatch
) -> None:
    rig = make(onlyoffice=BOOKS, direction="onlyoffice_to_perfex")
    contact = rig.onlyoffice.store.contact(
        rig.onlyoffice.store.invoice(onlyoffice_invoice(rig)).contact_id
    )
    userid = rig.perfex_admin.create_customer(contact.company_name, "Dock 4", "Hamburg")
    rig.perfex_admin.damage("customer", userid, "billing_city", "wrong_type")
    theirs = {
        i.number for i in rig.onlyoffice.store.invoices.values() if i.contact_id == contact.id
    }

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == 1
    companies = [c.row["company"] for c in rig.perfex.store.customers.values()]
    assert companies.count(contact.company_name) == 1
    records = invoice_records(report(rig, monkeypatch))
    failed = {n for n, found in records.items() if found[0]["action"] == "failed"}
    assert failed == theirs
    for number in theirs:
        error = records[number][0]["error"]
        assert "billing_city: expected text" in error and "none was created" in error, error
    assert set(perfex_numbers(rig)) == carried_numbers(rig, "onlyoffice") - theirs


def test_an_unexpected_error_fails_only_its_invoice_and_shows_a_traceback_only_with_v(
    make, monkeypatch
) -> None:
    rig = make(perfex=BOOKS, direction="perfex_to_onlyoffice")
    in_mapping, in_listing = perfex_invoice(rig, 3), perfex_invoice(rig, 8)
    numbers = {
        invoice_id: perfex_number(rig.perfex.store.invoices[invoice_id])
        for invoice_id in (in_mapping, in_listing)
    }
    mapping, parsing = onlyoffice_side.perfex_to_onlyoffice, PerfexInvoice.from_api

    def mapping_bug(source, *args, **kwargs):  # noqa: ANN001, ANN202
        if source.id == str(in_mapping):
            raise ZeroDivisionError("division by zero")
        return mapping(source, *args, **kwargs)

    def parsing_bug(raw):  # noqa: ANN001, ANN202
        if isinstance(raw, dict) and raw.get("id") == str(in_listing):
            raise AttributeError("'NoneType' object has no attribute 'strip'")
        return parsing(raw)

    monkeypatch.setattr(onlyoffice_side, "perfex_to_onlyoffice", mapping_bug)
    monkeypatch.setattr(PerfexInvoice, "from_api", staticmethod(parsing_bug))

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == 1
    records = invoice_records(report(rig, monkeypatch))
    for invoice_id, error in ((in_mapping, "ZeroDivisionError"), (in_listing, "AttributeError")):
        (record,) = records[numbers[invoice_id]]
        assert record["action"] == "failed"
        assert f"internal error ({error}): " in record["error"]
        assert record["error"].endswith("run with -v for details")
    wanted = carried_numbers(rig, "perfex") - set(numbers.values())
    assert set(onlyoffice_numbers(rig)) == wanted
    assert run_statuses(rig.ledger_path) == ["partial"]

    again = rig.cli("-v", "sync", monkeypatch=monkeypatch)  # the failures are tried again

    assert again.code == 1
    assert "Traceback" in again.err
    assert "ZeroDivisionError: division by zero" in again.err
    assert "AttributeError: 'NoneType' object has no attribute 'strip'" in again.err
    assert run_statuses(rig.ledger_path) == ["partial", "partial"]
