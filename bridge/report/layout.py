"""How one run's report is arranged, whatever the format: counts per kind, the records that need
a person grouped by reason, invoices by number, then customers, products and taxes.

Owns the sections and their order. Failed and conflicting records come first, grouped by their
reason code (`details.reason`) or, without one, by their identical error text, so that 74
invoices failing for one cent of rounding read as one group with 74 numbers. Skipped records
follow the same way. Written invoices are sorted by number; customers, products and taxes have
their own section.

Must not: know any format's markup, or drop a record: every listed outcome lands in exactly
one section.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bridge.report.links import WebLinks
from bridge.report.reading import RecordView, read, run_names
from bridge.report.wording import (
    KIND_ORDER,
    kind_noun,
    listed_outcomes,
    number_order,
    reason_text,
)
from state.records import COUNT_KEYS, RunRecord, RunSummary, empty_counts, tally

PROBLEM_ORDER = ("failed", "conflict", "skipped")
PROBLEM_HEADINGS = {"failed": "Failed", "conflict": "Conflicts", "skipped": "Skipped"}


def counted(records: Sequence[RecordView]) -> str:
    """`74 invoices`, `1 customer`, `3 records` for a mix of kinds."""
    kinds = {view.kind for view in records}
    what = kind_noun(kinds.pop(), len(records)) if len(kinds) == 1 else "records"
    return f"{len(records)} {what}"


@dataclass(frozen=True)
class ProblemGroup:
    """Records that failed, conflicted or were skipped for one reason."""

    action: str  # "failed", "conflict" or "skipped"
    reason: str | None  # the stable code, when the engine gave one
    description: str  # what the reason means, or the error the records share
    records: tuple[RecordView, ...]

    @property
    def noun(self) -> str:
        return counted(self.records)


@dataclass(frozen=True)
class WarningGroup:
    """One warning that several written records share, word for word."""

    warning: str
    records: tuple[RecordView, ...]

    @property
    def noun(self) -> str:
        return counted(self.records)


@dataclass(frozen=True)
class Layout:
    run: RunSummary
    failed_only: bool
    counts: dict[str, int]  # the run's counts, every key of COUNT_KEYS
    counts_by_kind: dict[str, dict[str, int]]  # kinds with anything counted, in KIND_ORDER
    problems: tuple[ProblemGroup, ...]
    warnings: tuple[WarningGroup, ...]  # shared warnings, said once with their records
    invoices: tuple[RecordView, ...]  # written invoices, by number
    others: tuple[RecordView, ...]  # written customers, products and taxes

    @property
    def empty(self) -> bool:
        return not (self.problems or self.invoices or self.others)

    def own_warnings(self, view: RecordView) -> tuple[str, ...]:
        """The record's warnings that no other record shares (the shared ones have their own
        section)."""
        shared = {group.warning for group in self.warnings}
        return tuple(warning for warning in view.warnings if warning not in shared)


def lay_out(
    record: RunRecord, *, failed_only: bool = False, links: WebLinks | None = None
) -> Layout:
    names = run_names(record.outcomes)
    views = [
        read(outcome, dry_run=record.run.dry_run, names=names, links=links)
        for outcome in listed_outcomes(record, failed_only=failed_only)
    ]
    written = [view for view in views if view.outcome.action not in PROBLEM_ORDER]
    by_kind = counts_by_kind(record)
    return Layout(
        run=record.run,
        failed_only=failed_only,
        counts=_counts(record.run, by_kind),
        counts_by_kind=by_kind,
        problems=problem_groups(views),
        warnings=warning_groups(written),
        invoices=tuple(sorted((v for v in written if v.kind == "invoice"), key=_by_number)),
        others=tuple(sorted((v for v in written if v.kind != "invoice"), key=_by_kind_and_name)),
    )


def _by_number(view: RecordView) -> tuple[object, ...]:
    return (number_order(view.outcome.number), number_order(view.outcome.source_id))


def _by_kind_and_name(view: RecordView) -> tuple[object, ...]:
    kind = KIND_ORDER.index(view.kind) if view.kind in KIND_ORDER else len(KIND_ORDER)
    return (kind, view.outcome.action, number_order(view.title))


def problem_groups(views: Sequence[RecordView]) -> tuple[ProblemGroup, ...]:
    """Failed, then conflicting, then skipped records, each grouped by reason, largest first."""
    groups: dict[tuple[str, str], list[RecordView]] = {}
    for view in views:
        if view.outcome.action in PROBLEM_ORDER:
            key = f"reason:{view.reason}" if view.reason else f"error:{view.error or ''}"
            groups.setdefault((view.outcome.action, key), []).append(view)
    found = [
        ProblemGroup(
            action=action,
            reason=members[0].reason,
            description=_description(members[0]),
            records=tuple(sorted(members, key=_by_number)),
        )
        for (action, _), members in groups.items()
    ]
    return tuple(
        sorted(
            found,
            key=lambda g: (PROBLEM_ORDER.index(g.action), -len(g.records), g.description),
        )
    )


def warning_groups(views: Sequence[RecordView]) -> tuple[WarningGroup, ...]:
    """Warnings that two or more records share word for word (a payment Perfex cannot record,
    the same tax rule), most frequent first; amounts make most other warnings unique."""
    shared: dict[str, list[RecordView]] = {}
    for view in views:
        for warning in dict.fromkeys(view.warnings):
            shared.setdefault(warning, []).append(view)
    groups = [
        WarningGroup(warning, tuple(sorted(members, key=_by_number)))
        for warning, members in shared.items()
        if len(members) > 1
    ]
    return tuple(sorted(groups, key=lambda group: (-len(group.records), group.warning)))


def _description(view: RecordView) -> str:
    if view.reason:
        return reason_text(view.reason)
    return view.error or "no reason given"


def counts_by_kind(record: RunRecord) -> dict[str, dict[str, int]]:
    """The run's counts per kind, for kinds with anything counted. A summary that was not
    counted per kind (an engine's dry run) is tallied from its outcomes, the unchanged
    records it only counted being invoices."""
    by_kind = record.run.counts_by_kind
    if not by_kind:
        _, by_kind = tally(record.outcomes)
        itemised = sum(counts["unchanged"] for counts in by_kind.values())
        quiet = record.run.counts.get("unchanged", 0) - itemised
        if quiet > 0:
            by_kind.setdefault("invoice", empty_counts())["unchanged"] += quiet
    ordered = sorted(by_kind, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99)
    return {
        kind: {key: by_kind[kind].get(key, 0) for key in COUNT_KEYS}
        for kind in ordered
        if any(by_kind[kind].values())
    }


def _counts(run: RunSummary, by_kind: dict[str, dict[str, int]]) -> dict[str, int]:
    counts = {key: int(run.counts.get(key, 0)) for key in COUNT_KEYS}
    if not run.counts_by_kind:  # perhaps not counted by whoever built the summary
        derived = sum(kind["with_warnings"] for kind in by_kind.values())
        counts["with_warnings"] = max(counts["with_warnings"], derived)
    return counts
