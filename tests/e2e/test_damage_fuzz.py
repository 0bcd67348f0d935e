"""Seeded fuzz: one field of one record broken at a time, across both APIs' answers.

The fields come from valid answers of both simulators (invoice, line, customer or contact,
catalogue item, tax and payment mode, read through their APIs); a seeded sample of
(record kind, field, damage) covers every record kind of both systems and every kind of damage
(missing, null, empty, wrong type, zero date, huge number, 10,000 characters, bytes that are
not UTF-8), in a one-way and in the two-way direction. For each, a backfill through the
command line must:

* finish: no traceback, the journal closed, the exit code as the report says (0 all well,
  1 records failed or the run stopped);
* mirror, exactly once, every invoice that does not depend on the damaged record (which
  invoices depend on which record is read from the books, not from the bridge);
* for an invoice that does depend on it: mirror it (under its number, or under what the
  damage made of it: an empty prefix is legal), or fail it with one error that names the
  damaged field, quotes what the damage made of the value, or quotes the other system's
  refusal of it (Perfex hides which field holds bytes that are not UTF-8: it answers with an
  empty body, and the error must say so);
* when the damage empties Perfex's whole invoice list, stop before any write and say why.

The sample is small enough for CI (33 backfills of a 10-invoice book, a few seconds); `SEED`
picks another sample, `PER_KIND` a larger one (up to every field of the smallest record).
"""

from __future__ import annotations

import json
import random
import re
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from isolation_world import (
    MIX,
    UTF8,
    carried_numbers,
    held_by,
    onlyoffice_contact,
    onlyoffice_contact_invoices,
    onlyoffice_invoice,
    onlyoffice_invoice_number,
    onlyoffice_line,
    onlyoffice_line_owner,
    onlyoffice_rare_tax,
    onlyoffice_taxed_with,
    other,
    perfex_customer,
    perfex_customer_invoices,
    perfex_invoice,
    perfex_invoice_number,
    perfex_line,
    perfex_line_owner,
    perfex_number,
    perfex_paid_mode,
    perfex_paid_with,
    run_statuses,
)
from rigs import TODAY, Rig, rig_factory

from bridge.sandbox.damage import HOWS
from bridge.sandbox.seed import generate

SEED = 20261204
PER_KIND = 3  # damaged fields per record kind; 11 kinds
BOOK = generate(seed=11, invoices=10, today=TODAY, mix=MIX)
HIDDEN_BY_PERFEX = ("empty body", UTF8)  # what an invalid-UTF-8 answer's error must say
# The other system refused what the damaged value became, and the error quotes its answer.
REFUSED = re.compile(r"^(Perfex|ONLYOFFICE) (rejected|GET \S+: not found)")
# What each damage makes of a value, as an error may quote it (see bridge.sandbox.damage).
QUOTED = {
    "huge_number": re.compile(r"2147483647|99999999"),  # the two servers' column limits
    "zero_date": re.compile(r"0000-00-00|0001-01-01"),  # MySQL's and .NET's empty dates
    "long_text": re.compile(r"lorem ipsum", re.IGNORECASE),
}
NEVER = re.compile(r"(?!)")
UNKNOWN = re.compile(r"uses unknown ONLYOFFICE tax \d+")


@dataclass(frozen=True)
class Case:
    side: str
    kind: str
    field: str
    how: str
    direction: str

    def __str__(self) -> str:
        return f"{self.direction}: {self.side} {self.kind}.{self.field} {self.how}"


# -- the record of each kind that gets damaged, and the invoices that depend on it ------------


def _perfex_item(rig: Rig) -> int:
    return min(rig.perfex.store.catalogue)


def _perfex_item_lines(rig: Rig, item_id: int) -> set[str]:
    """A catalogue item is a hint for the taxes of lines with its description."""
    store = rig.perfex.store
    title = store.catalogue[item_id].description
    return {
        perfex_number(i)
        for i in store.invoices.values()
        if any(line.description == title for line in store.lines_of(i.id))
    }


def _perfex_tax(rig: Rig) -> int:
    return min(rig.perfex.store.taxes)


def _perfex_taxed_with(rig: Rig, tax_id: int) -> set[str]:
    """The tax list is a hint for the taxes of lines carrying that tax."""
    store = rig.perfex.store
    name = store.taxes[tax_id].name
    return {
        perfex_number(i)
        for i in store.invoices.values()
        if any(t.name == name for line in store.lines_of(i.id) for t in line.taxes)
    }


def _onlyoffice_item(rig: Rig) -> int:
    return rig.onlyoffice.store.invoice(onlyoffice_invoice(rig, 1)).lines[0].item_id


def _onlyoffice_item_lines(rig: Rig, item_id: int) -> set[str]:
    return {
        i.number
        for i in rig.onlyoffice.store.invoices.values()
        if any(line.item_id == item_id for line in i.lines)
    }


Pick = Callable[[Rig], int]
Dependents = Callable[[Rig, int], set[str]]
RECORDS: dict[tuple[str, str], tuple[Pick, Dependents]] = {
    ("perfex", "invoice"): (perfex_invoice, perfex_invoice_number),
    ("perfex", "line"): (perfex_line, perfex_line_owner),
    ("perfex", "customer"): (perfex_customer, perfex_customer_invoices),
    ("perfex", "item"): (_perfex_item, _perfex_item_lines),
    ("perfex", "tax"): (_perfex_tax, _perfex_taxed_with),
    ("perfex", "payment_mode"): (perfex_paid_mode, perfex_paid_with),
    ("onlyoffice", "invoice"): (onlyoffice_invoice, onlyoffice_invoice_number),
    ("onlyoffice", "line"): (onlyoffice_line, onlyoffice_line_owner),
    ("onlyoffice", "contact"): (onlyoffice_contact, onlyoffice_contact_invoices),
    ("onlyoffice", "item"): (_onlyoffice_item, _onlyoffice_item_lines),
    ("onlyoffice", "tax"): (onlyoffice_rare_tax, onlyoffice_taxed_with),
}
ONE_WAY = {"perfex": "perfex_to_onlyoffice", "onlyoffice": "onlyoffice_to_perfex"}


# -- valid answers, read through each simulator's API ----------------------------------------


def _get(rig: Rig, side: str, path: str) -> object:
    if side == "perfex":
        url, headers = rig.sandbox.perfex_url + path, {"authtoken": rig.sandbox.perfex_token}
    else:
        url = f"{rig.sandbox.onlyoffice_url}/api/2.0/{path}"
        headers = {"Authorization": rig.sandbox.onlyoffice_token}
    request = urllib.request.Request(url, headers={**headers, "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = answer.read()
    if not body:
        return None
    document = json.loads(body)
    return document["response"] if side == "onlyoffice" else document


def answer_fields(rig: Rig) -> dict[tuple[str, str], list[str]]:
    """The fields each kind of record shows in a valid answer."""
    invoice = perfex_invoice(rig)
    perfex_full = _get(rig, "perfex", f"/api/invoices/{invoice}")
    office = _get(rig, "onlyoffice", f"crm/invoice/{onlyoffice_invoice(rig)}")
    answers = {
        ("perfex", "invoice"): perfex_full,
        ("perfex", "line"): perfex_full["items"][0],
        ("perfex", "customer"): _get(rig, "perfex", f"/api/customers/{perfex_customer(rig)}"),
        ("perfex", "item"): _get(rig, "perfex", f"/api/items/{_perfex_item(rig)}"),
        ("perfex", "tax"): _get(rig, "perfex", "/api/common/tax_data")[0],
        ("perfex", "payment_mode"): _get(rig, "perfex", "/api/common/payment_mode")[0],
        ("onlyoffice", "invoice"): office,
        ("onlyoffice", "line"): office["invoiceLines"][0],
        ("onlyoffice", "contact"): _get(
            rig, "onlyoffice", f"crm/contact/{office['contact']['id']}"
        ),
        ("onlyoffice", "item"): _get(rig, "onlyoffice", f"crm/invoiceitem/{_onlyoffice_item(rig)}"),
        ("onlyoffice", "tax"): _get(rig, "onlyoffice", "crm/invoice/tax")[0],
    }
    return {key: sorted(answer) for key, answer in answers.items()}


def sample(fields: dict[tuple[str, str], list[str]], rng: random.Random) -> list[Case]:
    """`PER_KIND` damaged fields of every record kind; the kinds of damage dealt in turn from
    a shuffled deck, so every kind of damage is met on both systems."""
    deck: list[str] = []
    cases = []
    for (side, kind), names in sorted(fields.items()):
        for field in rng.sample(names, PER_KIND):
            if not deck:
                deck = rng.sample(HOWS, len(HOWS))
            direction = rng.choice((ONE_WAY[side], "both"))
            cases.append(Case(side, kind, field, deck.pop(), direction))
    return cases


# -- one case ---------------------------------------------------------------------------------


def broken_run(make, monkeypatch, case: Case) -> list[str]:  # noqa: ANN001
    """Damages the case's record, runs a backfill, returns what went against the rules."""
    rig = make(**{case.side: BOOK}, direction=case.direction)
    ids = _carried_ids(rig, case.side)  # invoice number -> id, read before the damage
    pick, dependents = RECORDS[(case.side, case.kind)]
    record_id = pick(rig)
    depending = {ids[number] for number in dependents(rig, record_id) if number in ids}
    admin = rig.perfex_admin if case.side == "perfex" else rig.onlyoffice_admin
    admin.damage(case.kind, record_id, case.field, case.how)
    list_lost = case.side == "perfex" and _get(rig, "perfex", "/api/invoices") is None

    result = rig.cli("backfill", monkeypatch=monkeypatch)

    statuses = run_statuses(rig.ledger_path)
    problems = [] if "Traceback" not in result.text else ["printed a traceback"]
    if "running" in statuses or len(statuses) != 1:
        problems.append(f"journal left as {statuses}")
    if list_lost:
        return problems + _stopped(rig, result, statuses)
    shown = rig.cli("report", "latest", "--format", "json", monkeypatch=monkeypatch)
    document = json.loads(shown.out)
    records = [r for r in document["records"] if r["kind"] == "invoice"]
    failing = [r for r in records if r["action"] in ("failed", "conflict")]
    if (result.code, document["run"]["status"]) != ((1, "partial") if failing else (0, "ok")):
        problems.append(f"exit {result.code}, {document['run']['status']}, {len(failing)} failed")
    mirror = held_by(rig, other(case.side))
    good = {number for number, invoice_id in ids.items() if invoice_id not in depending}
    actions = {number: {r["action"] for r in records if r["number"] == number} for number in good}
    problems += [
        f"{number} does not depend on it but was not mirrored once"
        for number in sorted(good)
        if mirror[number] != 1 or actions[number] != {"created"}
    ]
    # A dependent invoice is mirrored (under its number, or under what the damage made of
    # it: an empty prefix is legal) or it fails; a damaged id or number may rename it in the
    # report, so failures are counted, not matched.
    created = {r["source_id"] for r in records if r["action"] == "created"}
    unaccounted = depending - created
    if len(failing) != len(unaccounted) or any(r["number"] in good for r in failing):
        problems.append(f"failed {[r['number'] for r in failing]}, unaccounted {unaccounted}")
    problems += [
        f"{record['number']} failed without naming {case.field}: {record['error'][:200]}"
        for record in failing
        if not _names_the_damage(record["error"] or "", case)
    ]
    return problems


def _carried_ids(rig: Rig, side: str) -> dict[str, str]:
    """Invoice number -> id of the source's invoices a clean run carries."""
    if side == "onlyoffice":
        return {i.number: str(i.id) for i in rig.onlyoffice.store.invoices.values()}
    invoices = rig.perfex.store.invoices.values()
    wanted = carried_numbers(rig, side)
    return {perfex_number(i): str(i.id) for i in invoices if perfex_number(i) in wanted}


def _stopped(rig: Rig, result, statuses: list[str]) -> list[str]:  # noqa: ANN001
    """Perfex sent its whole invoice list empty: the run must stop before any write."""
    problems = []
    if (result.code, statuses, rig.writes()) != (1, ["failed"], []):
        problems.append(f"an empty invoice list did not stop the run: {result.text[-300:]}")
    if not all(words in result.err for words in HIDDEN_BY_PERFEX):
        problems.append(f"the stop does not say why: {result.err[-300:]}")
    return problems


def _names_the_damage(error: str, case: Case) -> bool:
    """The error names the damaged field; Perfex hides where bytes that are not UTF-8 are
    (its answer is empty), and a remote refusal of the damaged value is named by its answer."""
    if case.side == "perfex" and case.how == "invalid_utf8":
        return all(words in error for words in HIDDEN_BY_PERFEX)
    if f"{case.field}:" in error or f"{case.field} " in error or REFUSED.search(error):
        return True
    if QUOTED.get(case.how, NEVER).search(error):
        return True  # the error quotes what the damage made of the value
    # A record whose id became another well-formed id is simply not where the invoice says.
    return case.field == "id" and case.how == "huge_number" and UNKNOWN.search(error) is not None


def test_every_kind_of_damage_in_every_kind_of_record_fails_only_what_depends_on_it(
    tmp_path, monkeypatch
) -> None:
    with rig_factory(tmp_path, "perfex_to_onlyoffice") as make:
        cases = sample(answer_fields(make(perfex=BOOK, onlyoffice=BOOK)), random.Random(SEED))
        assert {c.how for c in cases} == set(HOWS)
        assert {(c.side, c.kind) for c in cases} == set(RECORDS)
        found = {str(case): broken_run(make, monkeypatch, case) for case in cases}
    assert {case: problems for case, problems in found.items() if problems} == {}
