"""`crm-bridge sandbox edit` and the loopback admin endpoint it talks to."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from datetime import date

import pytest
import requests

from bridge import cli
from bridge.sandbox import Sandbox, SandboxOptions, credentials
from bridge.sandbox.edits import ADMIN_HEADER, EDIT_PATH
from bridge.sandbox.seed import generate
from bridge.sandbox.server import SimRequest, SimResponse, admin_answer

TODAY = date(2026, 11, 21)
SEED = 6


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    options = SandboxOptions(
        today=TODAY, token_seed=SEED, admin_token=credentials.admin_token(SEED)
    )
    with Sandbox(options) as running:
        running.seed(generate(seed=SEED, invoices=12, today=TODAY, mix="simple"))
        yield running


def _edit(url: str, body: object, token: str | None) -> requests.Response:
    headers = {ADMIN_HEADER: token} if token else {}
    return requests.post(url + EDIT_PATH, json=body, headers=headers, timeout=5)


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(["sandbox", "edit", *args])
    return code, out.getvalue()


def _perfex_row(sandbox: Sandbox, invoice_id: int) -> dict:
    rows = requests.get(
        f"{sandbox.perfex_url}/api/invoices",
        headers={"authtoken": sandbox.perfex_token},
        timeout=5,
    ).json()
    return next(row for row in rows if row["id"] == str(invoice_id))


def test_the_endpoint_wants_the_admin_token(sandbox: Sandbox):
    body = {"invoice": "INV-000003", "changes": [["due_date", "2027-01-31"]]}
    assert _edit(sandbox.perfex_url, body, None).status_code == 401
    assert _edit(sandbox.perfex_url, body, "guess").status_code == 401
    answer = _edit(sandbox.perfex_url, body, credentials.admin_token(SEED))
    assert answer.status_code == 200 and answer.json()["number"] == "INV-000003"
    assert _perfex_row(sandbox, 3)["duedate"] == "2027-01-31"


def test_admin_requests_bypass_faults_and_the_request_log(sandbox: Sandbox):
    sandbox.set_fault_rate(1.0)
    body = {"invoice": "3", "changes": [["status", "paid"]]}
    answer = _edit(sandbox.onlyoffice_url, body, credentials.admin_token(SEED))
    assert answer.status_code == 200
    assert sandbox.onlyoffice.request_log.entries() == []
    assert sandbox.onlyoffice_app.store.invoice_by_number("INV-000003").status == 4


def test_only_loopback_clients_reach_the_endpoint():
    class Recorder:
        def handle(self, request: SimRequest) -> SimResponse:
            return SimResponse(200, b"edited")

    request = SimRequest.build("POST", EDIT_PATH)
    assert admin_answer(Recorder(), request, "10.0.0.7").status == 403
    assert admin_answer(Recorder(), request, "127.0.0.1").body == b"edited"


def test_the_endpoint_says_what_it_cannot_do(sandbox: Sandbox):
    token = credentials.admin_token(SEED)
    cases = [
        ({"invoice": "INV-009999", "changes": [["note", "x"]]}, "no invoice numbered"),
        ({"invoice": "3", "changes": [["quantity", "9", "1"]]}, "lines 1 to"),
        ({"invoice": "3", "changes": [["po", "A-1"]]}, "not a Perfex edit"),
        ({"invoice": "3", "changes": []}, "non-empty list"),
        ({"invoice": "3", "changes": [["due_date", "tomorrow"]]}, "not a date"),
    ]
    for body, words in cases:
        answer = _edit(sandbox.perfex_url, body, token)
        assert answer.status_code == 400 and words in answer.json()["error"], body
    assert requests.get(sandbox.perfex_url + EDIT_PATH, timeout=5).status_code == 404


def test_perfex_edits_as_a_person_makes_them(sandbox: Sandbox):
    port = str(sandbox.perfex.port)
    code, said = _cli(
        "perfex", "INV-000005", "--port", port, "--seed", str(SEED),
        "--add-line", "Express delivery", "1", "15.00",
        "--quantity", "1", "2.5",
        "--note", "Danke!\nBis bald",
        "--pay", "full",
    )  # fmt: skip
    assert code == 0, said
    assert "line added: Express delivery" in said and "payment of" in said
    row = _perfex_row(sandbox, 5)
    store = sandbox.perfex_app.store
    assert (
        store.lines_of(5)[0].qty == 2.5 and store.lines_of(5)[-1].description == "Express delivery"
    )
    assert row["clientnote"] == "Danke!<br />\r\nBis bald"
    assert row["status"] == "2"


def test_onlyoffice_edits_reopen_and_send_again(sandbox: Sandbox):
    store = sandbox.onlyoffice_app.store
    sent = next(i for i in store.invoices.values() if i.status == 2)
    item = store.item(sent.lines[0].item_id)
    code, said = _cli(
        "onlyoffice", sent.number, "--port", str(sandbox.onlyoffice.port), "--seed", str(SEED),
        "--price", "1", "99.90", "--po", "PO-77", "--exchange-rate", "1.17",
        "--add-line", item.title, "2", "10",
    )  # fmt: skip
    assert code == 0, said
    after = store.invoice(sent.id)
    assert (after.status, after.purchase_order_number, str(after.exchange_rate)) == (
        2,
        "PO-77",
        "1.17",
    )
    assert str(after.lines[0].price) == "99.90" and len(after.lines) == len(sent.lines) + 1


def test_the_command_s_exit_codes(sandbox: Sandbox):
    port = str(sandbox.perfex.port)
    assert _cli("perfex", "3", "--port", port, "--seed", str(SEED))[0] == 2  # nothing to do
    refused = _cli("perfex", "3", "--port", port, "--seed", str(SEED), "--status", "paid")
    assert refused[0] == 1 and "cancelled" in refused[1]
    wrong_seed = _cli("perfex", "3", "--port", port, "--seed", "99", "--note", "x")
    assert wrong_seed[0] == 4 and "admin token" in wrong_seed[1]
    with Sandbox(SandboxOptions(today=TODAY)) as gone:
        free = str(gone.perfex.port)
    nobody = _cli("perfex", "3", "--port", free, "--note", "x")
    assert nobody[0] == 4 and "No sandbox answers" in nobody[1]


def test_sending_a_perfex_draft_gives_it_the_next_number(sandbox: Sandbox):
    store = sandbox.perfex_app.store
    admin_token = credentials.admin_token(SEED)
    body = {"invoice": "3", "changes": [["note", "draft me"]]}
    assert _edit(sandbox.perfex_url, body, admin_token).status_code == 200
    store.edit_invoice(3, status=6, number=1000000000, sent=0)  # saved back as a draft
    following = store.next_invoice_number
    body = {"invoice": "#3", "changes": [["status", "sent"]]}
    answer = _edit(sandbox.perfex_url, body, admin_token)
    assert answer.status_code == 200, answer.text
    row = _perfex_row(sandbox, 3)
    assert (row["number"], row["sent"]) == (str(following), "1")
    assert row["status"] in ("1", "2", "3", "4") and store.next_invoice_number == following + 1
