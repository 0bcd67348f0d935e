"""Alerts: each new failure or conflict is posted once, nothing secret is posted or logged."""

from __future__ import annotations

import http.server
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bridge.alerts import FORGET_AFTER, AlertSender, post_json
from bridge.errors import BridgeError, RetryableError
from state import Ledger, Outcome, RunRecord, RunSummary

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
WEBHOOK = "https://hooks.example.com/services/T0/B1/secret-part"


def outcome(action: str, source_id: str, error: str | None = None) -> Outcome:
    return Outcome(
        "invoice", "perfex", source_id, "onlyoffice", None, f"INV-{source_id}", action, error=error
    )


def record(*outcomes: Outcome, run_id: int = 1, dry_run: bool = False) -> RunRecord:
    summary = RunSummary(
        id=run_id,
        command="daemon",
        direction="perfex_to_onlyoffice",
        dry_run=dry_run,
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=3),
        status="partial",
        counts={},
    )
    return RunRecord(summary, outcomes)


class Webhook:
    """Stands in for the receiving end; can be told to refuse."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.refuse = False

    def __call__(self, url: str, body: dict[str, Any]) -> None:
        if self.refuse:
            raise RetryableError("alerts POST answered 502", system="alerts", status=502)
        self.posts.append((url, body))

    def numbers(self) -> list[list[str]]:
        return [[p["number"] for p in body["problems"]] for _, body in self.posts]


@pytest.fixture
def hook() -> Webhook:
    return Webhook()


@pytest.fixture
def ledger():
    ledger = Ledger.in_memory()
    yield ledger
    ledger.close()


def test_a_new_failure_is_posted_once_while_it_stays_open(hook: Webhook, ledger) -> None:
    sender = AlertSender(WEBHOOK, ledger, post=hook)
    broken = outcome("failed", "7", "Perfex rejected POST /api/invoices: total: must be > 0")

    assert sender.notify(record(broken, outcome("created", "8")), NOW) == 1
    assert sender.notify(record(broken, run_id=2), NOW + timedelta(minutes=5)) == 0
    conflict = outcome("conflict", "9", "both sides changed")
    assert sender.notify(record(broken, conflict, run_id=3), NOW + timedelta(minutes=10)) == 1

    assert hook.numbers() == [["INV-7"], ["INV-9"]]
    url, body = hook.posts[0]
    assert url == WEBHOOK
    assert body["run"]["id"] == 1 and body["run"]["status"] == "partial"
    assert body["problems"][0]["error"] == broken.error
    assert body["problems"][0]["action"] == "failed"


def test_a_fixed_record_that_fails_again_is_announced_again(hook: Webhook, ledger) -> None:
    sender = AlertSender(WEBHOOK, ledger, post=hook)
    sender.notify(record(outcome("failed", "7")), NOW)
    sender.notify(record(outcome("updated", "7"), run_id=2), NOW + timedelta(minutes=5))
    sender.notify(record(outcome("failed", "7"), run_id=3), NOW + timedelta(minutes=10))
    assert hook.numbers() == [["INV-7"], ["INV-7"]]


def test_the_memory_survives_a_restart_and_forgets_what_nobody_saw_for_a_week(
    hook: Webhook, ledger
) -> None:
    AlertSender(WEBHOOK, ledger, post=hook).notify(record(outcome("failed", "7")), NOW)
    restarted = AlertSender(WEBHOOK, ledger, post=hook)
    assert restarted.notify(record(outcome("failed", "7"), run_id=2), NOW + timedelta(hours=1)) == 0
    later = NOW + timedelta(hours=1) + FORGET_AFTER + timedelta(minutes=1)
    restarted.notify(record(outcome("created", "8"), run_id=3), later)  # "7" not seen: forgotten
    assert restarted.notify(record(outcome("failed", "7"), run_id=4), later) == 1


def test_a_refusing_webhook_is_logged_without_its_address_and_retried_next_time(
    hook: Webhook, ledger, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="bridge.alerts")
    sender = AlertSender(WEBHOOK, ledger, post=hook)
    hook.refuse = True
    assert sender.notify(record(outcome("failed", "7")), NOW) == 0
    hook.refuse = False
    assert sender.notify(record(outcome("failed", "7"), run_id=2), NOW) == 1
    assert "HTTP 502" in caplog.text and "secret-part" not in caplog.text


def test_many_problems_go_out_in_batches(hook: Webhook, ledger) -> None:
    failures = [outcome("failed", str(n)) for n in range(120)]
    assert AlertSender(WEBHOOK, ledger, post=hook).notify(record(*failures), NOW) == 120
    assert [len(numbers) for numbers in hook.numbers()] == [50, 50, 20]


def test_dry_runs_and_a_missing_webhook_post_nothing(hook: Webhook, ledger) -> None:
    assert (
        AlertSender(WEBHOOK, ledger, post=hook).notify(
            record(outcome("failed", "7"), dry_run=True), NOW
        )
        == 0
    )
    assert AlertSender(None, ledger, post=hook).notify(record(outcome("failed", "7")), NOW) == 0
    assert hook.posts == []


def test_the_body_is_plain_json_of_run_facts(hook: Webhook, ledger) -> None:
    AlertSender(WEBHOOK, ledger, post=hook).notify(record(outcome("conflict", "7", "x")), NOW)
    _, body = hook.posts[0]
    assert json.loads(json.dumps(body)) == body
    assert set(body["problems"][0]) == {
        "kind",
        "number",
        "action",
        "source",
        "source_id",
        "target",
        "target_id",
        "error",
    }


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.received = []
    _Receiver.status = 200
    yield server
    server.shutdown()
    server.server_close()


def test_the_default_poster_sends_json_and_keeps_the_path_out_of_errors(receiver) -> None:
    url = f"http://127.0.0.1:{receiver.server_port}/hooks/T0/secret-part?key=abc"
    post_json(url, {"problems": [{"number": "INV-7"}]}, sleep=lambda seconds: None)
    ((path, content_type, body),) = _Receiver.received
    assert path == "/hooks/T0/secret-part?key=abc"
    assert content_type == "application/json"
    assert json.loads(body) == {"problems": [{"number": "INV-7"}]}

    _Receiver.status = 500
    with pytest.raises(BridgeError) as refused:
        post_json(url, {"problems": []}, sleep=lambda seconds: None)
    assert "secret-part" not in str(refused.value) and "abc" not in str(refused.value)
