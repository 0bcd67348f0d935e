"""Reads that are only hints degrade: without the Perfex items catalogue a run still mirrors
every invoice and says once, in its report, what it went without and why; `crm-bridge check`
tells the operator the same before a run.

Two ways an install refuses the catalogue: a token made in Perfex's admin screen without the
`items` permission (403, "necessay permissions": Perfex API notes 1.2), and an install whose
API module has no items controller, which answers with Perfex's HTML 404 page.
"""

from __future__ import annotations

import pytest
from isolation_world import BOOKS, carried_numbers, onlyoffice_numbers, quiet, run_statuses
from rigs import Rig, rig_factory

from bridge.sandbox.perfex.framing import not_found_page
from bridge.sandbox.server import SimApp, SimRequest, SimResponse

# What a bookkeeper's token needs for Perfex → ONLYOFFICE on module 3.x, minus the catalogue.
WITHOUT_ITEMS = (
    ("invoices", "get"),
    ("invoices", "search_get"),
    ("customers", "get"),
    ("customers", "search_get"),
    ("taxes", "get"),
)
CATALOGUE_NOTE = "the Perfex items catalogue was not available"


class WithoutItemsController:
    """A Perfex install whose API module has no items controller: its router falls through
    to CodeIgniter's HTML 404 page for every /api/items path."""

    def __init__(self, app: SimApp) -> None:
        self.app = app

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path.startswith("/api/items"):
            return not_found_page()
        return self.app.handle(request)


@pytest.fixture
def make(tmp_path):
    with rig_factory(tmp_path, "perfex_to_onlyoffice") as factory:
        yield factory


def _refusing_rig(make, refusal: str) -> Rig:  # noqa: ANN001
    if refusal == "403":
        return make(perfex=BOOKS, perfex_version="3", perfex_permissions=WITHOUT_ITEMS)
    rig = make(perfex=BOOKS)
    rig.sandbox.perfex.app = WithoutItemsController(rig.sandbox.perfex.app)
    return rig


WHY = {
    "403": "lacks the 'get' permission on 'items'",
    "404": "GET /api/items answered 404 with a page that is not the API's",
}


@pytest.mark.parametrize("refusal", ["403", "404"])
def test_without_the_items_catalogue_the_run_succeeds_and_says_so_once(
    make, monkeypatch, refusal: str
) -> None:
    rig = _refusing_rig(make, refusal)

    result = rig.cli("sync", monkeypatch=monkeypatch)

    quiet(result)
    assert result.code == 0, result.text
    assert set(onlyoffice_numbers(rig)) == carried_numbers(rig, "perfex")
    assert result.out.count(CATALOGUE_NOTE) == 1
    (note,) = [line for line in result.out.splitlines() if CATALOGUE_NOTE in line]
    assert note.startswith("Note: ") and WHY[refusal] in note
    assert run_statuses(rig.ledger_path) == ["ok"]
    shown = rig.cli("report", "latest", monkeypatch=monkeypatch)  # the note stays with the run
    assert shown.out.count(CATALOGUE_NOTE) == 1


@pytest.mark.parametrize("refusal", ["403", "404"])
def test_check_names_what_the_catalogue_refused_and_still_probes_the_rest(
    make, monkeypatch, refusal: str
) -> None:
    rig = _refusing_rig(make, refusal)

    result = rig.cli("check", monkeypatch=monkeypatch)

    assert result.code == 0, result.text  # a hint is a warning, not a failure
    (items,) = [line for line in result.out.splitlines() if "items catalogue" in line]
    assert items.startswith("warn")
    if refusal == "403":
        assert "the token lacks the `items` permission `get`" in items
    else:
        assert "answered 404 with a page that is not the API's" in items
    assert "infers line taxes without the catalogue" in items
    assert "further probes skipped" not in result.out
    (taxes,) = [line for line in result.out.splitlines() if "common/tax_data" in line]
    assert taxes.startswith("ok")
