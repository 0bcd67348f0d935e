"""The sync decision tables: pure functions from what was observed to what to do.

Nothing here performs I/O. The engine observes both sides and the ledger, asks these tables
what each record needs, and executes the answer. Every branch carries the reason it exists.

Vocabulary: a *link* is the ledger's record that two invoices correspond; a *fingerprint* is the
hash of a record's canonical content; a side has *changed* when its fingerprint differs from the
one stored in the link at the last sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Step(StrEnum):
    CREATE = "create"  # write a new counterpart on the target
    LINK = "link"  # adopt an existing, unlinked counterpart with the same natural key
    UPDATE = "update"  # rewrite the counterpart from the source (if its content differs)
    UNCHANGED = "unchanged"  # nothing to do
    SKIP = "skip"  # leave both sides alone and say why
    CONFLICT = "conflict"  # both sides changed; the policy said to touch neither


class SideState(StrEnum):
    ABSENT = "absent"  # not listed by its system (deleted, or never existed)
    UNLINKED = "unlinked"  # listed, no link in the ledger
    SAME = "same"  # linked, content as at the last sync
    CHANGED = "changed"  # linked, content differs from the last sync


# What a reported conflict asks of the operator.
CONFLICT_ADVICE = (
    '; [sync].conflict_policy = "report" left both as they are: make the two agree by hand, '
    "or set the policy to perfex_wins or onlyoffice_wins"
)


@dataclass(frozen=True)
class Decision:
    step: Step
    source: str | None = None  # the side whose content wins: "perfex" or "onlyoffice"
    reason: str | None = None


def needs_full_read(*, linked: bool, row_changed: bool, deep_pass: bool) -> bool:
    """Whether a listed record must be fetched in full (list rows carry no lines)."""
    if not linked:
        return True  # new to the bridge: its lines are needed to create or compare
    if row_changed:
        return True  # the header moved; the lines may have too
    # Line-only edits leave the list row as it was; only a periodic deep pass sees them.
    return deep_pass


def decide_one_way(
    *, source: str, linked: bool, source_changed: bool, counterpart_by_key: bool
) -> Decision:
    """One direction: the source side is the truth, the target its mirror."""
    if not linked and counterpart_by_key:
        # The target already holds an invoice with this number (an earlier install, a crash
        # after a create whose answer was lost): adopt it instead of creating a duplicate.
        return Decision(Step.LINK, source)
    if not linked:
        return Decision(Step.CREATE, source)
    if not source_changed:
        return Decision(Step.UNCHANGED)
    # The source moved since the last sync. The executor compares the mapped content with the
    # target's current content and writes only when they differ.
    return Decision(Step.UPDATE, source)


def decide_two_way(
    *,
    perfex: SideState,
    onlyoffice: SideState,
    conflict_policy: str,
    in_agreement: bool = False,
) -> Decision:
    """Both directions at once, from the state of each side of one (possible) link.

    `in_agreement` says that the two sides already say the same under the mapping; it only
    matters where both sides moved (or neither was linked yet).
    """
    pair = (perfex, onlyoffice)
    if pair == (SideState.UNLINKED, SideState.UNLINKED) and in_agreement:
        # Same number on both sides and the same content: adopt the pair, nothing to write.
        return Decision(Step.LINK)
    if pair == (SideState.UNLINKED, SideState.UNLINKED):
        # Same number on both sides, different content: whose content the pair keeps is the
        # operator's policy, as for any edit made on both sides.
        return _resolved(
            conflict_policy, Step.LINK, "the same number exists on both sides with other content"
        )
    if perfex is SideState.UNLINKED:
        return Decision(Step.CREATE, "perfex")  # new in Perfex: mirror it to ONLYOFFICE
    if onlyoffice is SideState.UNLINKED:
        return Decision(Step.CREATE, "onlyoffice")  # new in ONLYOFFICE: mirror it to Perfex
    if pair == (SideState.ABSENT, SideState.ABSENT):
        # Both gone: there is nothing left to keep in step, and nothing to write.
        return Decision(Step.SKIP, reason="deleted in Perfex and in ONLYOFFICE")
    if SideState.ABSENT in pair:
        # A linked invoice vanished from one side. Financial documents are never deleted on
        # the other side by the bridge: report it and let a person decide.
        gone = "Perfex" if perfex is SideState.ABSENT else "ONLYOFFICE"
        return Decision(Step.SKIP, reason=f"deleted in {gone}; its counterpart was left as it is")
    if pair == (SideState.SAME, SideState.SAME):
        return Decision(Step.UNCHANGED)
    if pair == (SideState.CHANGED, SideState.SAME):
        return Decision(Step.UPDATE, "perfex")
    if pair == (SideState.SAME, SideState.CHANGED):
        return Decision(Step.UPDATE, "onlyoffice")
    if in_agreement:
        # Both changed, and in the same way (the same edit made twice): nothing to write.
        return Decision(Step.UNCHANGED)
    # Both changed since the last sync, differently: whose edit wins is the operator's policy.
    return _resolved(conflict_policy, Step.UPDATE, "changed on both sides since the last sync")


def _resolved(conflict_policy: str, step: Step, reason: str) -> Decision:
    """`step` from the side the policy names, or a conflict that touches neither side."""
    winner = _winner(conflict_policy)
    if winner is None:
        return Decision(Step.CONFLICT, reason=reason + CONFLICT_ADVICE)
    return Decision(step, winner)


def _winner(conflict_policy: str) -> str | None:
    return {"perfex_wins": "perfex", "onlyoffice_wins": "onlyoffice"}.get(conflict_policy)
