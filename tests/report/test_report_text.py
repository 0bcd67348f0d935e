"""The plain-text report: header, counts, problems first, changes, dry-run wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bridge.report import report_text
from state.records import COUNT_KEYS, Outcome, RunRecord, RunSummary

RUN = RunSummary(
    id=12,
    command="sync",
    direction="perfex_to_onlyoffice",
    dry_run=False,
    started_at=datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC),
    finished_at=datetime(2026, 11, 21, 10, 2, 5, tzinfo=UTC),
    status="partial",
    counts={
        **dict.fromkeys(COUNT_KEYS, 0),
        "created": 1,
        "updated": 1,
        "unchanged": 5,
        "failed": 1,
        "conflicts": 1,
    },
)


def outcome(action: str, source_id: str, **extra: object) -> Outcome:
    fields = {"target_id": str(int(source_id) + 100), "number": f"INV-{int(source_id):06d}"}
    fields.update(extra)
    return Outcome(
        kind="invoice",
        source="perfex",
        source_id=source_id,
        target="onlyoffice",
        action=action,
        **fields,
    )


CREATED = outcome("created", "57", changes={"total": [None, "120.00"]})
UPDATED = outcome("updated", "58", changes={"dueDate": ["2026-11-30", "2026-12-15"]})
FAILED = outcome("failed", "59", target_id=None, error="ONLYOFFICE answered 400: terms required")
CONFLICT = outcome("conflict", "60", error="both sides changed since the last sync")
UNCHANGED = outcome("unchanged", "61")
RECORD = RunRecord(RUN, (CREATED, UPDATED, UNCHANGED, FAILED, CONFLICT))


def body_lines(text: str) -> list[str]:
    """The record lines, without the header block."""
    return text.split("\n\n", 1)[1].splitlines()


def test_header_names_run_command_direction_status_and_duration() -> None:
    first, _, counts = report_text(RECORD).splitlines()[:3]
    assert first == "Run 12 · sync · Perfex → ONLYOFFICE · partial · 2m 05s"
    assert counts == (
        "created 1, updated 1, linked 0, unchanged 5, skipped 0, failed 1, conflicts 1"
    )


def test_failed_and_conflicting_records_come_first_then_run_order() -> None:
    heads = [line for line in body_lines(report_text(RECORD)) if not line.startswith(" ")]
    assert [line.split()[0] for line in heads] == ["FAILED", "CONFLICT", "created", "updated"]


def test_record_line_shows_number_ids_and_changes() -> None:
    lines = body_lines(report_text(RECORD))
    at = lines.index(next(line for line in lines if line.startswith("updated")))
    assert "invoice INV-000058  Perfex 58 → ONLYOFFICE 158" in lines[at]
    assert lines[at + 1].strip() == "dueDate: 2026-11-30 → 2026-12-15"


def test_error_follows_a_failed_record_and_a_missing_target_says_none() -> None:
    lines = body_lines(report_text(RECORD))
    assert "Perfex 59 → ONLYOFFICE (none)" in lines[0]
    assert lines[1].strip() == "error: ONLYOFFICE answered 400: terms required"


def test_empty_before_value_is_labelled() -> None:
    assert "total: (empty) → 120.00" in report_text(RECORD)


def test_unchanged_records_are_not_listed() -> None:
    assert "INV-000061" not in report_text(RECORD)


def test_dry_run_is_labelled_and_uses_would() -> None:
    dry = RunRecord(replace(RUN, id=0, dry_run=True), RECORD.outcomes)
    text = report_text(dry)
    assert text.startswith("Dry run · sync")
    assert "(dry run: nothing was written)" in text.splitlines()[0]
    heads = [line.split("  ")[0] for line in body_lines(text) if not line.startswith(" ")]
    assert heads == ["FAILED", "CONFLICT", "would create", "would update"]
    assert "created" not in " ".join(body_lines(text))


def test_failed_only_lists_only_problems() -> None:
    text = report_text(RECORD, failed_only=True)
    assert "INV-000057" not in text and "INV-000058" not in text
    assert "INV-000059" in text and "INV-000060" in text


def test_nothing_to_list_is_said_plainly() -> None:
    quiet = RunRecord(replace(RUN, status="ok"), (UNCHANGED,))
    assert report_text(quiet).rstrip().endswith("No records to list: everything was unchanged.")
    assert (
        report_text(quiet, failed_only=True).rstrip().endswith("No failed or conflicting records.")
    )


def test_stopped_run_says_why() -> None:
    stopped = replace(RUN, status="failed", message="Perfex listed no invoices; safety stop")
    assert "Stopped: Perfex listed no invoices; safety stop" in report_text(RunRecord(stopped, ()))


def test_untrusted_text_cannot_break_lines_or_drive_the_terminal() -> None:
    hostile = outcome(
        "failed", "62", error="bad\n\x1b[2J\x1b[31mFAKE created line\u202e", changes={}
    )
    text = report_text(RunRecord(RUN, (hostile,)))
    assert "\x1b" not in text and "\u202e" not in text
    assert "error: bad [2J[31mFAKE created line" in text
    assert len(body_lines(text)) == 2


def test_status_codes_are_shown_with_the_target_systems_names():
    from bridge.report.wording import change_pair

    assert change_pair([4, 2], "status", "onlyoffice") == ("4 (Paid)", "2 (Sent)")
    assert change_pair([None, 6], "status", "perfex") == ("(empty)", "6 (draft)")
    assert change_pair(["2026-11-30", "2026-12-15"], "dueDate", "onlyoffice") == (
        "2026-11-30",
        "2026-12-15",
    )
