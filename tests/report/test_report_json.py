"""The JSON report is exactly INTERFACE.md's shape: scripts parse it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from bridge.report import report_json
from state.records import Outcome, RunRecord, RunSummary

# The example of INTERFACE.md, "The JSON report", verbatim.
INTERFACE_EXAMPLE = """
{
  "run": {"id": 12, "command": "sync", "direction": "perfex_to_onlyoffice", "dry_run": false,
          "started_at": "2026-11-21T10:00:00Z", "finished_at": "2026-11-21T10:00:04Z",
          "status": "ok"},
  "counts": {"created": 3, "updated": 2, "linked": 0, "unchanged": 40, "skipped": 1,
             "failed": 1, "conflicts": 0},
  "records": [
    {"kind": "invoice", "source": "perfex", "source_id": "58", "target": "onlyoffice",
     "target_id": "42", "number": "INV-001042", "action": "updated",
     "changes": {"dueDate": ["2026-11-30", "2026-12-15"]}, "error": null}
  ]
}
"""
COUNTS = {
    "created": 3,
    "updated": 2,
    "linked": 0,
    "unchanged": 40,
    "skipped": 1,
    "failed": 1,
    "conflicts": 0,
}
RUN = RunSummary(
    id=12,
    command="sync",
    direction="perfex_to_onlyoffice",
    dry_run=False,
    started_at=datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC),
    finished_at=datetime(2026, 11, 21, 10, 0, 4, tzinfo=UTC),
    status="ok",
    counts=COUNTS,
)
UPDATED = Outcome(
    kind="invoice",
    source="perfex",
    source_id="58",
    target="onlyoffice",
    target_id="42",
    number="INV-001042",
    action="updated",
    changes={"dueDate": ["2026-11-30", "2026-12-15"]},
)


def unchanged(source_id: int) -> Outcome:
    return Outcome(
        "invoice",
        "perfex",
        str(source_id),
        "onlyoffice",
        str(source_id + 100),
        f"INV-{source_id:06d}",
        "unchanged",
    )


def problem(action: str, source_id: str, error: str) -> Outcome:
    return Outcome("invoice", "perfex", source_id, "onlyoffice", None, None, action, error=error)


def test_interface_example_is_reproduced_exactly() -> None:
    outcomes = (unchanged(1), UPDATED, *(unchanged(n) for n in range(2, 41)))
    rendered = json.loads(report_json(RunRecord(RUN, outcomes)))
    assert rendered == json.loads(INTERFACE_EXAMPLE)
    assert list(rendered) == ["run", "counts", "records"]
    assert list(rendered["counts"]) == list(COUNTS)


def test_unchanged_records_are_counted_but_not_listed() -> None:
    rendered = json.loads(report_json(RunRecord(RUN, (unchanged(1), unchanged(2)))))
    assert rendered["records"] == []
    assert rendered["counts"]["unchanged"] == 40


def test_failed_only_keeps_failed_and_conflicting_records() -> None:
    outcomes = (
        UPDATED,
        problem("skipped", "3", "Perfex draft"),
        problem("failed", "4", "ONLYOFFICE answered 400: terms is required"),
        problem("conflict", "5", "both sides changed"),
    )
    rendered = json.loads(report_json(RunRecord(RUN, outcomes), failed_only=True))
    assert [(r["action"], r["source_id"]) for r in rendered["records"]] == [
        ("failed", "4"),
        ("conflict", "5"),
    ]
    assert rendered["counts"] == COUNTS  # the run's counts, not the filtered list's


def test_dry_run_with_id_zero_renders_the_same_shape() -> None:
    dry = replace(RUN, id=0, dry_run=True)
    rendered = json.loads(report_json(RunRecord(dry, (UPDATED,))))
    assert rendered["run"]["id"] == 0 and rendered["run"]["dry_run"] is True
    assert set(rendered) == {"run", "counts", "records"}
    assert rendered["records"][0]["action"] == "updated"


def test_times_are_utc_with_z_and_an_unfinished_run_has_null() -> None:
    paris = timezone(timedelta(hours=1))
    run = replace(
        RUN,
        started_at=datetime(2026, 11, 21, 11, 0, 0, 500, tzinfo=paris),
        finished_at=None,
        status="running",
    )
    rendered = json.loads(report_json(RunRecord(run, ())))["run"]
    assert rendered["started_at"] == "2026-11-21T10:00:00Z"
    assert rendered["finished_at"] is None


def test_money_keeps_every_digit_and_is_never_a_number() -> None:
    outcome = replace(UPDATED, changes={"total": [Decimal("120.10"), "130.00"]})
    rendered = json.loads(report_json(RunRecord(RUN, (outcome,))))
    assert rendered["records"][0]["changes"]["total"] == ["120.10", "130.00"]


def test_record_with_error_and_no_target_id() -> None:
    outcome = problem("skipped", "77", "Perfex draft: no number yet")
    record = json.loads(report_json(RunRecord(RUN, (outcome,))))["records"][0]
    assert record["target_id"] is None and record["number"] is None
    assert record["error"] == "Perfex draft: no number yet"
