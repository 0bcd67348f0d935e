"""The sync decision table: what to do with one invoice, from plain facts about its two sides.

Every direction runs the same algorithm (`bridge.engine.sync`); a direction is only which sides
may be written and which side wins (`Direction`): Perfex → ONLYOFFICE is the two-way algorithm
with Perfex read-only and winning, the reverse likewise. For each pair of records (linked by the
ledger, or paired by invoice number, or alone on one side) the engine observes each side's
state and asks `decide` what to do. A write is then prepared (mapped, checked, its dependencies
worked out) and `settle` decides, from what the preparation found, whether it goes ahead. Nothing
downstream decides again: the executor carries out the `Decision` it is given.

Vocabulary: a *link* is the ledger's record that two invoices correspond; a side has *changed*
when its content fingerprint differs from the one stored in the link at the last sync; the
*source* is the side whose content is carried, the *target* the side written; in a one-way
direction the writable side is the *mirror*.

Nothing here performs I/O or reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SIDES = ("perfex", "onlyoffice")
SYSTEM_NAMES = {"perfex": "Perfex", "onlyoffice": "ONLYOFFICE"}


class SideState(StrEnum):
    ABSENT = "absent"  # not listed by its system: deleted, or never existed
    UNLINKED = "unlinked"  # listed, and the ledger links it to nothing
    SAME = "same"  # linked, its content as at the last sync
    CHANGED = "changed"  # linked, its content differs from the last sync
    PENDING = "pending"  # linked, and the bridge's own last write to it did not finish
    UNREADABLE = "unreadable"  # listed, but its row or its full record cannot be parsed


class Adoption(StrEnum):
    """What an unlinked record on the other side with the wanted number is to this one."""

    NONE = "none"  # no unlinked record there carries the number
    SAME_INVOICE = "same_invoice"  # same customer and year (and totals): the same invoice
    OWN_CREATE = "own_create"  # what the bridge's own create, whose answer was lost, left
    FOREIGN = "foreign"  # somebody else's invoice that happens to carry the number
    TAKEN = "taken"  # the number already belongs to an invoice linked to another one


class Step(StrEnum):
    CREATE = "create"  # write a new counterpart on the target
    ADOPT = "adopt"  # link an existing counterpart; rewrite it only if it says otherwise
    UPDATE = "update"  # rewrite the target from the source
    UNCHANGED = "unchanged"  # nothing to write; remember what was read
    SKIP = "skip"  # leave both sides alone, for a reason the report gives
    CONFLICT = "conflict"  # touch neither side: a person must decide
    FAIL = "fail"  # this record cannot be synced now; the report says why
    IGNORE = "ignore"  # not the bridge's business (a record only the mirror has)


@dataclass(frozen=True)
class Direction:
    """Which sides a run may write and which side's content wins a disagreement."""

    name: str
    writable: frozenset[str]
    winner: str | None  # the side that wins a conflict; None: report it, touch neither
    on_mirror_edit: str = "restore"  # one-way: a person edited the mirror: "restore" or "report"

    @property
    def one_way(self) -> bool:
        return len(self.writable) == 1

    @property
    def source(self) -> str | None:
        """The read-only side of a one-way direction."""
        return next(iter(set(SIDES) - self.writable)) if self.one_way else None


def direction(
    name: str, conflict_policy: str = "report", on_mirror_edit: str = "restore"
) -> Direction:
    """The `Direction` a `[sync].direction` value names."""
    if name == "perfex_to_onlyoffice":
        return Direction(name, frozenset({"onlyoffice"}), "perfex", on_mirror_edit)
    if name == "onlyoffice_to_perfex":
        return Direction(name, frozenset({"perfex"}), "onlyoffice", on_mirror_edit)
    if name == "both":
        winner = {"perfex_wins": "perfex", "onlyoffice_wins": "onlyoffice"}.get(conflict_policy)
        return Direction(name, frozenset(SIDES), winner, on_mirror_edit)
    raise ValueError(f"unknown direction {name!r}")


@dataclass(frozen=True)
class PairView:
    """Plain facts about one pair, as observed this run."""

    perfex: SideState
    onlyoffice: SideState
    direction: Direction
    adoption: Adoption = Adoption.NONE  # for an unlinked record with a counterpart candidate
    agree: bool | None = None  # both sides already say the same under the mapping
    skip_reason: str | None = None  # the listed side must not be carried (e.g. a draft number)
    unreadable: str | None = None  # why a side could not be read, when one could not

    def state(self, side: str) -> SideState:
        return self.perfex if side == "perfex" else self.onlyoffice


@dataclass(frozen=True)
class Decision:
    step: Step
    source: str | None = None  # the side whose content is carried
    target: str | None = None  # the side written
    reason: str | None = None  # for a person: why (skip, conflict, fail, a restored mirror)
    code: str | None = None  # a short stable name of the reason, for grouping in reports

    @property
    def writes(self) -> bool:
        return self.step in (Step.CREATE, Step.ADOPT, Step.UPDATE)


def other(side: str) -> str:
    return "onlyoffice" if side == "perfex" else "perfex"


def name(side: str) -> str:
    return SYSTEM_NAMES[side]


LINKED_STATES = frozenset({SideState.SAME, SideState.CHANGED, SideState.PENDING})


def needs_agreement(view: PairView) -> bool:
    """Whether `decide` needs to know if both sides already agree (so the engine reads both)."""
    pair = (view.perfex, view.onlyoffice)
    if pair == (SideState.CHANGED, SideState.CHANGED):
        return True
    both_unlinked = pair == (SideState.UNLINKED, SideState.UNLINKED)
    return both_unlinked and view.adoption in (Adoption.SAME_INVOICE, Adoption.OWN_CREATE)


def decide(view: PairView) -> Decision:
    """The one decision table. Each branch says why it exists."""
    pair = (view.perfex, view.onlyoffice)
    one_way = view.direction.one_way

    if SideState.UNREADABLE in pair:
        # A record that cannot be parsed is that record's failure, never the run's, and never
        # mistaken for a deletion or an edit: the other side is left alone.
        return Decision(Step.FAIL, reason=view.unreadable or "unreadable", code="unreadable")

    if pair == (SideState.ABSENT, SideState.ABSENT):
        # Both gone: nothing is left to keep in step, and nothing to write.
        return Decision(Step.SKIP, reason="deleted in Perfex and in ONLYOFFICE", code="deleted")

    linked = pair[0] in LINKED_STATES or pair[1] in LINKED_STATES
    if linked and SideState.ABSENT in pair:
        # A linked invoice vanished from one side. Financial documents are never deleted by
        # the bridge, and a deleted copy is not silently recreated either: report it.
        gone = "perfex" if view.perfex is SideState.ABSENT else "onlyoffice"
        hint = ""
        if one_way and gone in view.direction.writable:
            hint = "; `crm-bridge audit --repair` recreates it"
        return Decision(
            Step.SKIP,
            reason=f"deleted in {name(gone)}; its counterpart in {name(other(gone))} was "
            f"left as it is{hint}",
            code="deleted",
        )

    if not linked:
        return _decide_unlinked(view)
    return _decide_linked(view)


def _decide_unlinked(view: PairView) -> Decision:
    pair = (view.perfex, view.onlyoffice)
    if pair == (SideState.UNLINKED, SideState.UNLINKED):
        return _decide_candidates(view)
    listed = "perfex" if view.perfex is SideState.UNLINKED else "onlyoffice"
    target = other(listed)
    if target not in view.direction.writable:
        # One-way: a record only the mirror has is somebody else's invoice there; `audit`
        # lists it, the sync leaves it alone.
        return Decision(Step.IGNORE)
    if view.skip_reason:
        # The source cannot be carried yet (a Perfex draft still holding its placeholder
        # number, which the other side could never renumber later).
        return Decision(Step.SKIP, source=listed, reason=view.skip_reason, code="not_carried")
    if view.adoption is Adoption.TAKEN:
        # The number already names an invoice linked to another one: writing would merge two
        # invoices into one (numbers restarting each year, say).
        return Decision(
            Step.FAIL,
            source=listed,
            target=target,
            reason=f"its number is already used in {name(target)} by an invoice linked to "
            "another one",
            code="number_in_use",
        )
    # New on one side and nothing carries its number on the other: mirror it.
    return Decision(Step.CREATE, source=listed, target=target)


def _decide_candidates(view: PairView) -> Decision:
    """Unlinked records with the same number on both sides (a first backfill over existing
    data, or the bridge's own create whose answer was lost)."""
    writable = view.direction.writable
    source = view.direction.source
    if source is not None and view.skip_reason:
        return Decision(Step.SKIP, source=source, reason=view.skip_reason, code="not_carried")
    if view.adoption in (Adoption.FOREIGN, Adoption.TAKEN, Adoption.NONE):
        # Plainly not the same invoice (another customer or year, other totals, or already the
        # counterpart of something else): adopting it would overwrite somebody's invoice.
        return Decision(
            Step.CONFLICT,
            reason="the same number belongs to a different invoice on the other side",
            code="foreign_number",
        )
    if view.agree:
        # The same invoice, saying the same on both sides: link it, write nothing.
        return Decision(
            Step.ADOPT, source=source or "perfex", target=_target_of(source, view), code="agree"
        )
    if source is not None:
        # One-way: the source is the truth; its adopted mirror is rewritten where it differs.
        return Decision(Step.ADOPT, source=source, target=other(source))
    if view.direction.winner is not None and view.direction.winner in SIDES:
        winner = view.direction.winner
        if other(winner) in writable:
            return Decision(Step.ADOPT, source=winner, target=other(winner))
    # Both ways with no winning side: whose content the pair keeps is a person's call.
    return Decision(
        Step.CONFLICT,
        reason="the same invoice exists on both sides with different content",
        code="conflict",
    )


def _target_of(source: str | None, view: PairView) -> str:
    return other(source) if source else next(iter(sorted(view.direction.writable)))


def _decide_linked(view: PairView) -> Decision:
    pair = (view.perfex, view.onlyoffice)
    writable = view.direction.writable

    if SideState.PENDING in pair:
        return _decide_pending(view)

    if pair == (SideState.SAME, SideState.SAME):
        return Decision(Step.UNCHANGED)

    if SideState.SAME in pair:
        changed = "perfex" if view.perfex is SideState.CHANGED else "onlyoffice"
        unchanged = other(changed)
        if unchanged in writable:
            # One side moved since the last sync: carry its change over.
            return Decision(Step.UPDATE, source=changed, target=unchanged)
        # One-way and the mirror moved: a person edited the copy (or reset it).
        return _mirror_edited(view, mirror=changed)

    # Both changed since the last sync.
    if view.agree:
        # The same edit made on both sides: nothing to write.
        return Decision(Step.UNCHANGED)
    if view.direction.one_way:
        source = view.direction.source
        assert source is not None
        return _mirror_edited(view, mirror=other(source), source_changed=True)
    winner = view.direction.winner
    if winner is not None:
        return Decision(
            Step.UPDATE,
            source=winner,
            target=other(winner),
            reason=f"changed on both sides; {name(winner)} wins by [sync].conflict_policy",
            code="conflict_settled",
        )
    return Decision(
        Step.CONFLICT,
        reason="changed on both sides since the last sync",
        code="conflict",
    )


def _mirror_edited(view: PairView, *, mirror: str, source_changed: bool = False) -> Decision:
    """One-way, and the mirror differs from what the bridge last wrote there."""
    source = other(mirror)
    if view.direction.on_mirror_edit == "restore":
        # The source is the truth in a one-way sync: put the copy back.
        return Decision(
            Step.UPDATE,
            source=source,
            target=mirror,
            reason=f"the copy in {name(mirror)} had been edited there; restored from "
            f"{name(source)}",
            code="mirror_restored",
        )
    if source_changed:
        return Decision(
            Step.CONFLICT,
            reason=f"changed in {name(source)} while its copy in {name(mirror)} was edited "
            'there; [sync].on_mirror_edit = "report" leaves both as they are',
            code="conflict",
        )
    return Decision(
        Step.SKIP,
        reason=f"the copy in {name(mirror)} was edited there and left as it is "
        '([sync].on_mirror_edit = "report")',
        code="mirror_edited",
    )


def _decide_pending(view: PairView) -> Decision:
    """The bridge's last write to one side did not finish (a failed step, or a crash between
    steps): that side holds the bridge's unfinished work, not a person's edit, so the other
    side's content is sent again."""
    pending = [side for side in SIDES if view.state(side) is SideState.PENDING]
    if len(pending) == 2:
        # Both unfinished: only a winning side can say which content the pair keeps.
        winner = view.direction.winner or view.direction.source
        if winner is None:
            return Decision(
                Step.CONFLICT,
                reason="unfinished writes on both sides; a person must decide",
                code="conflict",
            )
        return Decision(Step.UPDATE, source=winner, target=other(winner), code="finish")
    target = pending[0]
    return Decision(Step.UPDATE, source=other(target), target=target, code="finish")


# -- after preparing a write ---------------------------------------------------------------


class Verdict(StrEnum):
    """What preparing a write found (mapping, checks and the target's current content)."""

    WRITE = "write"  # the target must be written
    SAME = "same"  # the target already holds exactly what would be written
    REFUSED = "refused"  # a check refused the invoice (strict money, unknown currency, ...)
    DECLINED = "declined"  # a policy leaves it alone (e.g. ONLYOFFICE invoices that are locked)


@dataclass(frozen=True)
class Prepared:
    verdict: Verdict
    reason: str | None = None
    code: str | None = None


def settle(decision: Decision, prepared: Prepared) -> Decision:
    """The final step of a write `decision`, given what preparing it found."""
    if prepared.verdict is Verdict.REFUSED:
        # Refused before the first write for it: nothing was created on the target.
        return Decision(Step.FAIL, decision.source, decision.target, prepared.reason, prepared.code)
    if prepared.verdict is Verdict.DECLINED:
        # The operator's policy, not a failure: reported as skipped every run until settled.
        return Decision(Step.SKIP, decision.source, decision.target, prepared.reason, prepared.code)
    if prepared.verdict is Verdict.SAME:
        if decision.step is Step.ADOPT:
            # The adopted counterpart already says it all: link only.
            return Decision(Step.ADOPT, decision.source, decision.target, code="agree")
        # The source's edit does not show on the target (a field the target has no place
        # for), or the target already caught up: nothing to write.
        return Decision(Step.UNCHANGED, decision.source, decision.target)
    return decision
