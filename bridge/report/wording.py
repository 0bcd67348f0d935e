"""The words and order every report format shares: labels, times, durations, which records show.

Owns how a run and its outcomes are named for operators (so text, HTML and the runs table say the
same thing), which outcomes a report lists, and in what order.

Must not: read the ledger, know about any one output format's markup, or reformat values the
engine already rendered (money and dates arrive in `changes` as strings and are shown as given).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bridge.errors import system_name
from state.records import COUNT_KEYS, Outcome, RunRecord, RunSummary

DRY_RUN_NOTE = "(dry run: nothing was written)"
PROBLEM_ACTIONS = ("failed", "conflict")
# A dry run only plans; the verbs say what the real run would do.
_DRY_VERBS = {"created": "would create", "updated": "would update", "linked": "would link"}
_DIRECTIONS = {
    "perfex_to_onlyoffice": "Perfex → ONLYOFFICE",
    "onlyoffice_to_perfex": "ONLYOFFICE → Perfex",
    "both": "Perfex ⇄ ONLYOFFICE",
}
# Remote error messages and customer data are untrusted: no terminal escape sequences, no
# bidirectional overrides that would make a line read differently from what it contains.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


STOPPED_STATUSES = frozenset({"failed", "interrupted"})


def run_title(run: RunSummary) -> str:
    """`Run 12`; a dry run that was not journalled has id 0 and is just `Dry run`."""
    return "Dry run" if run.dry_run and run.id == 0 else f"Run {run.id}"


def message_label(run: RunSummary) -> str:
    """What a run's message is: why it stopped, or a note on a run that finished (an optional
    read it went without, failures waiting for their retry)."""
    return "Stopped" if run.status in STOPPED_STATUSES else "Note"


def action_label(action: str, dry_run: bool) -> str:
    return _DRY_VERBS.get(action, action) if dry_run else action


def direction_label(direction: str) -> str:
    return _DIRECTIONS.get(direction, direction)


def side_label(system: str, record_id: str | None) -> str:
    """`Perfex 58`; a record not yet written on the target shows `(none)`."""
    return f"{system_name(system)} {record_id if record_id else '(none)'}"


def iso_utc(moment: datetime | None) -> str | None:
    """`2026-11-21T10:00:00Z` (the README, the JSON report); a naive time is taken as UTC."""
    if moment is None:
        return None
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return _as_utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC")


def short_time(moment: datetime) -> str:
    """`2026-11-21 10:00` in UTC, for table cells."""
    return _as_utc(moment).strftime("%Y-%m-%d %H:%M")


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def duration_label(run: RunSummary) -> str:
    """`4s`, `2m 05s`, `1h 02m`; `running` while the run has not finished."""
    if run.finished_at is None:
        return "running"
    seconds = max(0, round((_as_utc(run.finished_at) - _as_utc(run.started_at)).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def counts_in_order(run: RunSummary) -> list[tuple[str, int]]:
    return [(key, int(run.counts.get(key, 0))) for key in COUNT_KEYS]


def listed_outcomes(record: RunRecord, *, failed_only: bool) -> tuple[Outcome, ...]:
    """What a report lists: unchanged records are only counted; `failed_only` keeps problems."""
    wanted = PROBLEM_ACTIONS if failed_only else None
    return tuple(
        outcome
        for outcome in record.outcomes
        if outcome.action != "unchanged" and (wanted is None or outcome.action in wanted)
    )


# Status codes as each system's people call them (ONLYOFFICE shows Sent as "Billed").
STATUS_NAMES = {
    "onlyoffice": {1: "Draft", 2: "Sent", 3: "Rejected", 4: "Paid", 5: "Archived"},
    "perfex": {1: "unpaid", 2: "paid", 3: "partly paid", 4: "overdue", 5: "cancelled", 6: "draft"},
}
# Record kinds as a bookkeeper calls them: (one, several).
KIND_NOUNS = {
    "invoice": ("invoice", "invoices"),
    "contact": ("customer", "customers"),
    "item": ("product", "products"),
    "tax": ("tax", "taxes"),
}
KIND_ORDER = tuple(KIND_NOUNS)
# What the stable reason codes of failures and skips mean (state.records, "details").
REASONS = {
    "rounding": "a cent of rounding between the two systems' totals",
    "number_in_use": "the number is already used by another invoice on the target",
    "unparsable_row": "the source listed a row that could not be read",
    "locked": "ONLYOFFICE edits only Drafts, and the policy leaves sent invoices alone",
    "deleted": "deleted on the source; the bridge never deletes the copy",
    "placeholder_draft": "Perfex drafts wait until Perfex gives them a real number",
    "conflict": "changed on both sides since the last sync",
}
_COUNT_LABELS = {"with_warnings": "with warnings"}
LIST_SEPARATOR = "; "


def status_name(value: Any, system: str) -> str:
    """`Paid` for ONLYOFFICE status 4; a code no table knows is shown as given."""
    try:
        code = int(value)
    except (TypeError, ValueError):
        return plain_value(value)
    return STATUS_NAMES.get(system, {}).get(code, plain_value(value))


def kind_noun(kind: str, count: int) -> str:
    one, several = KIND_NOUNS.get(kind, (kind, f"{kind}s"))
    return one if count == 1 else several


def count_label(key: str) -> str:
    """`with warnings` for the counts key `with_warnings`."""
    return _COUNT_LABELS.get(key, key)


def reason_text(reason: str) -> str:
    return REASONS.get(reason, reason.replace("_", " "))


def number_order(text: str | None) -> tuple[tuple[int, int, str], ...]:
    """Sorts INV-000009 before INV-000010 and 2025/9 before 2025/10: digit runs as numbers."""
    parts = re.split(r"(\d+)", text or "")
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in parts
    )


def closing_sentence(run: RunSummary) -> str | None:
    """The last line after the report of a run that exits 1: how many records need a person
    and the command that lists them; None for a run that exits 0."""
    failed, conflicts = run.counts.get("failed", 0), run.counts.get("conflicts", 0)
    if failed or conflicts:
        noun = "record" if failed + conflicts == 1 else "records"
        if failed and conflicts:
            what = f"{failed} {noun} failed and {conflicts} conflicted"
        elif failed:
            what = f"{failed} {noun} failed"
        else:
            what = f"{conflicts} {noun} conflicted"
        if run.dry_run:  # not journalled: `report latest` would show another run
            return f"{what} in this dry run: see them above."
        return f"{what}: crm-bridge report latest --failed lists them."
    if run.status in ("failed", "interrupted"):
        return "The run did not finish: run it again to carry on, and see its report above."
    return None


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)


def plain_value(value: Any) -> str:
    """A change's before or after value as text; the engine has already formatted it."""
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return value
    if _is_text_list(value):
        # Line summaries: one item after the other, readable without JSON quoting.
        return LIST_SEPARATOR.join(value) if value else "(none)"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=jsonable)
    return str(jsonable(value))


def jsonable(value: Any) -> Any:
    """For `json.dumps(default=...)`: Decimal keeps every digit, dates use ISO form."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def one_line(text: str) -> str:
    """Untrusted text made safe for one terminal line: no newlines, no control characters."""
    return _CONTROL.sub("", text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
