"""The JSON report keeps the README's shape exactly (scripts parse it), with warnings on every
record, with_warnings in the counts, names beside the ids in `details`, and counts per kind."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import run_samples as samples

from bridge.report import report_json
from state.records import Outcome, RunRecord, RunSummary

# The example of the README, "The JSON report", verbatim.
INTERFACE_EXAMPLE = """
{
  "run": {"id": 12, "command": "sync", "direction": "perfex_to_onlyoffice", "dry_run": false,
          "started_at": "2026-11-21T10:00:00Z", "finished_at": "2026-11-21T10:00:04Z",
          "status": "ok"},
  "counts": {"created": 3, "updated": 2, "linked": 0, "unchanged": 40, "skipped": 1,
             "failed": 1, "conflicts": 0, "with_warnings": 1},
  "records": [
    {"kind": "invoice", "source": "perfex", "source_id": "58", "target": "onlyoffice",
     "target_id": "42", "number": "INV-001042", "action": "updated",
     "changes": {"dueDate": ["2026-11-30", "2026-12-15"]}, "error": null,
     "warnings": ["total: ONLYOFFICE totals 1663.47 EUR where Perfex shows 1663.46 EUR (tax rounded per line)"]}
  ]
}
"""  # noqa: E501 (verbatim)
WARNING = (
    "total: ONLYOFFICE totals 1663.47 EUR where Perfex shows 1663.46 EUR (tax rounded per line)"
)
COUNTS = {
    "created": 3,
    "updated": 2,
    "linked": 0,
    "unchanged": 40,
    "skipped": 1,
    "failed": 1,
    "conflicts": 0,
    "with_warnings": 1,
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
    warnings=(WARNING,),
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
    by_kind = rendered.pop("counts_by_kind")  # additions to the documented shape
    assert rendered.pop("requests") == {}  # a run journalled without request statistics
    assert rendered == json.loads(INTERFACE_EXAMPLE)
    assert list(rendered) == ["run", "counts", "records"]
    assert list(rendered["counts"]) == list(COUNTS)
    assert by_kind["invoice"]["unchanged"] == 40 and by_kind["invoice"]["with_warnings"] == 1


def test_every_record_has_warnings_and_details_only_when_the_engine_sent_them() -> None:
    rendered = json.loads(report_json(samples.RECORD))
    records = {r["number"] or r["source_id"]: r for r in rendered["records"]}
    assert all(isinstance(r["warnings"], list) for r in records.values())
    updated = records["INV-000102"]
    assert updated["warnings"] == [samples.ROUNDING_WARNING] and updated["error"] is None
    assert updated["changes"]["contactId"] == ["12", "15"]  # ids stay ids ...
    assert updated["details"]["names"]["contactId"]["15"] == "Beta GmbH"  # ... named beside
    assert updated["details"]["total"] == ["214.00", "442.00"]
    assert records["INV-000109"]["details"]["reason"] == "rounding"
    assert "details" not in records["Acme Ltd"]


def test_a_warning_journalled_as_the_error_of_a_write_is_a_warning() -> None:
    legacy = replace(UPDATED, warnings=(), error=f"{WARNING}; status: Paid kept as Sent")
    (record,) = json.loads(report_json(RunRecord(RUN, (legacy,))))["records"]
    assert record["error"] is None
    assert record["warnings"] == [WARNING, "status: Paid kept as Sent"]


def test_counts_per_kind_cover_every_kind() -> None:
    by_kind = {"invoice": {"created": 24}, "contact": {"created": 8}, "item": {}, "tax": {}}
    run = replace(RUN, counts_by_kind=by_kind)
    rendered = json.loads(report_json(RunRecord(run, ())))["counts_by_kind"]
    assert list(rendered) == ["invoice", "contact", "item", "tax"]
    assert rendered["invoice"]["created"] == 24 and rendered["contact"]["created"] == 8
    assert rendered["item"] == dict.fromkeys(COUNTS, 0)


def test_an_interrupted_run_says_so() -> None:
    run = replace(RUN, status="interrupted")
    assert json.loads(report_json(RunRecord(run, ())))["run"]["status"] == "interrupted"


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
    assert set(rendered) == {"run", "counts", "counts_by_kind", "requests", "records"}
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
