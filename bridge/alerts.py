"""Announcing new failures and conflicts to `[alerts].webhook`, once each.

Owns: which problems of a run are news, the JSON body of the announcement, and remembering what
was announced. A problem is one record (kind, side, id) with the action `failed` or `conflict`;
it is announced the first time a run reports it and not again while it stays open. It stops
being open when a later run writes or links that record, or when no run has reported it for
`FORGET_AFTER` (a record retried less and less often may be absent from many runs in a row).
The memory lives in the ledger's meta table, so a restart announces nothing twice.

Must not: put a secret into the body (it carries run facts, numbers, ids and the one-line error
the report shows, all of which are built secret-free), or let the webhook address reach a log
line or message: many chat webhooks carry their secret in the path.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from bridge.errors import BridgeError
from bridge.http import HttpClient, RetryPolicy, Timeouts
from state.records import Outcome, RunRecord

log = logging.getLogger("bridge.alerts")

PROBLEM_ACTIONS = ("failed", "conflict")
SETTLED_ACTIONS = ("created", "updated", "linked")
MEMORY_KEY = "alerts.open"
FORGET_AFTER = timedelta(days=7)
BATCH = 50  # problems per POST: a first backfill over a broken install can fail hundreds

Poster = Callable[[str, dict[str, Any]], None]


class Memory(Protocol):
    """Where announced problems are remembered (the ledger's meta table)."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class Problem:
    kind: str
    source: str
    source_id: str
    action: str

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.source}|{self.source_id}|{self.action}"

    @classmethod
    def of(cls, outcome: Outcome) -> Problem:
        return cls(outcome.kind, outcome.source, outcome.source_id, outcome.action)


class AlertSender:
    """Posts each new problem once. `post` is injectable; the default goes over HTTP."""

    def __init__(self, webhook: str | None, memory: Memory, *, post: Poster | None = None) -> None:
        self._webhook = webhook
        self._memory = memory
        self._post = post or post_json

    @property
    def enabled(self) -> bool:
        return bool(self._webhook)

    def notify(self, record: RunRecord, now: datetime) -> int:
        """Announce what is new in `record`; returns how many problems were announced.

        A failing webhook is logged (without its address) and does not raise: the problems
        stay unannounced and are tried again after the next run.
        """
        if not self._webhook or record.run.dry_run:
            return 0
        remembered = self._remembered()
        fresh = _new_problems(record.outcomes, remembered)
        sent = 0
        try:
            while sent < len(fresh):
                batch = fresh[sent : sent + BATCH]
                self._post(self._webhook, alert_body(record, batch))
                sent += len(batch)
        except BridgeError as error:
            log.warning("the alert webhook refused the alert (%s)", _kind_of(error))
        self._remember(remembered, record.outcomes, fresh[:sent], now)
        return sent

    def _remembered(self) -> dict[str, str]:
        try:
            stored = json.loads(self._memory.get_meta(MEMORY_KEY) or "{}")
        except ValueError:
            return {}
        return stored if isinstance(stored, dict) else {}

    def _remember(
        self,
        remembered: dict[str, str],
        outcomes: Iterable[Outcome],
        announced: list[Outcome],
        now: datetime,
    ) -> None:
        stamp = now.isoformat()
        kept = {key: seen for key, seen in remembered.items() if not _stale(seen, now)}
        for outcome in outcomes:
            problem = Problem.of(outcome)
            if outcome.action in SETTLED_ACTIONS:  # written or linked: whatever was wrong is over
                for action in PROBLEM_ACTIONS:
                    kept.pop(replace(problem, action=action).key, None)
            elif problem.key in kept:  # still open: seen again now
                kept[problem.key] = stamp
        kept.update({Problem.of(outcome).key: stamp for outcome in announced})
        self._memory.set_meta(MEMORY_KEY, json.dumps(kept, sort_keys=True))


def _new_problems(outcomes: Iterable[Outcome], remembered: dict[str, str]) -> list[Outcome]:
    fresh: dict[str, Outcome] = {}
    for outcome in outcomes:
        if outcome.action in PROBLEM_ACTIONS and Problem.of(outcome).key not in remembered:
            fresh.setdefault(Problem.of(outcome).key, outcome)
    return list(fresh.values())


def _stale(seen: str, now: datetime) -> bool:
    try:
        return now - datetime.fromisoformat(seen) > FORGET_AFTER
    except (TypeError, ValueError):
        return True


def alert_body(record: RunRecord, problems: list[Outcome]) -> dict[str, Any]:
    """The JSON posted: the run, and one entry per new problem, as the JSON report words them."""
    run = record.run
    return {
        "source": "crm-bridge",
        "run": {
            "id": run.id,
            "command": run.command,
            "direction": run.direction,
            "status": run.status,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        },
        "problems": [
            {
                "kind": outcome.kind,
                "number": outcome.number,
                "action": outcome.action,
                "source": outcome.source,
                "source_id": outcome.source_id,
                "target": outcome.target,
                "target_id": outcome.target_id,
                "error": outcome.error,
            }
            for outcome in problems
        ],
    }


def post_json(url: str, body: dict[str, Any], sleep: Callable[[float], None] = time.sleep) -> None:
    """POST `body` as JSON to `url` through the bridge's HTTP boundary; never logs the URL.

    Not repeated after an answer that may mean it arrived (a duplicate alert is noise), only
    when nothing reached the receiver or it asked to wait (429)."""
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path or "/"
    client = HttpClient(
        "alerts",
        base,
        timeouts=Timeouts(connect=5.0, read=15.0),
        retry=RetryPolicy(max_attempts=3, max_seconds=30.0),
        sleep=sleep,
    )
    with client:
        client.request(
            "POST",
            path,
            params=dict(parse_qsl(parts.query)) or None,
            json=body,
            redact=(url, path, parts.query),
        )


def _kind_of(error: BridgeError) -> str:
    status = getattr(error, "status", None)
    return f"HTTP {status}" if status else type(error).__name__
