"""`crm-bridge audit --repair [--yes]`: the writes that would make the pairs agree, and doing them.

Every difference gets one step (`step_for`, pure), which `audit` also prints as what to do:
- **restore**: a linked pair says different things, and one side is the bridge's to write (the
  mirror of a one-way direction, the losing side under `[sync].conflict_policy`, or in `both`
  the side that was not edited since the last sync when only the other one was): that side
  is marked pending in its link, so the engine's decision table sends the other side's content
  again (`plan._decide_pending`);
- **recreate**: the mirror of a one-way direction was deleted: the link is dropped, so the
  engine creates the mirror again from its source;
- **create** / **adopt**: an invoice with no counterpart, or a same-number pair not linked yet,
  in a direction that writes there: the engine does what a sync does;
- **person**: nothing the bridge may decide alone: both ways with no winning side and both
  sides edited (`resolve`),
  different invoices sharing one number, or a deletion in `both` direction;
- **leave**: not the bridge's to write: the read-only side of a one-way direction, or an
  invoice only the mirror has.
Repairs never delete an invoice and never write the read-only side. Only with `--yes` are the
steps carried out: the ledger is prepared under the runner lock and the engine runs, limited to
those invoices (`RunRequest.invoices`), journalled as a run of its own (`repair`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from bridge.audit.check import names_of
from bridge.audit.findings import FIELDS, Difference
from bridge.engine import RunRequest, SyncEngine
from bridge.engine.plan import Direction, name, other
from bridge.engine.sides import PENDING
from state import Ledger
from state.records import RunRecord

RESTORE, RECREATE, CREATE, ADOPT, PERSON, LEAVE = (
    "restore",
    "recreate",
    "create",
    "adopt",
    "person",
    "leave",
)
WRITING = frozenset({RESTORE, RECREATE, CREATE, ADOPT})


@dataclass(frozen=True)
class RepairStep:
    difference: Difference
    action: str  # one of the module docstring's steps
    target: str | None  # the side a writing step writes
    text: str  # what will be done, or what a person can do

    @property
    def writes(self) -> bool:
        return self.action in WRITING


def plan_repair(differences: Iterable[Difference], direction: Direction) -> list[RepairStep]:
    return [step_for(difference, direction) for difference in differences]


def step_for(difference: Difference, direction: Direction) -> RepairStep:
    if difference.kind == FIELDS:
        return _for_fields(difference, direction)
    return _for_missing(difference, direction)


def _for_fields(difference: Difference, direction: Direction) -> RepairStep:
    number = difference.number or "?"
    if difference.foreign is not None:
        return RepairStep(
            difference,
            PERSON,
            None,
            f"two different invoices carry {number}: give one of them another number "
            "(Perfex numbers can be edited, ONLYOFFICE numbers cannot), then sync",
        )
    winner = direction.source or direction.winner
    if winner is None and difference.linked and len(difference.changed) == 1:
        # Both ways, and only one side was edited since the last sync: what a sync would do
        # (forced, so an edit to lines alone, which a list row does not show, is carried too).
        [edited] = difference.changed
        return RepairStep(
            difference,
            RESTORE,
            other(edited),
            f"carry {name(edited)}'s edit, made since the last sync, to {name(other(edited))}",
        )
    if winner is None:
        return RepairStep(
            difference,
            PERSON,
            None,
            f"needs a person: `crm-bridge resolve {number} --keep perfex` or "
            f"`--keep onlyoffice` writes one side's content to the other, "
            f"`crm-bridge accept {number}` keeps both as they are",
        )
    target = other(winner)
    if difference.linked:
        return RepairStep(
            difference,
            RESTORE,
            target,
            f"rewrite {name(target)}'s invoice from {name(winner)}",
        )
    return RepairStep(
        difference,
        ADOPT,
        target,
        f"link the two and rewrite {name(target)}'s invoice from {name(winner)}",
    )


def _for_missing(difference: Difference, direction: Direction) -> RepairStep:
    number = difference.number or "?"
    missing = difference.missing_side
    assert missing is not None
    present = other(missing)
    if difference.linked:
        if direction.one_way and missing in direction.writable:
            return RepairStep(
                difference,
                RECREATE,
                missing,
                f"create it again in {name(missing)} from {name(present)}",
            )
        if direction.one_way:
            return RepairStep(
                difference,
                LEAVE,
                None,
                f"the bridge never deletes invoices: delete it in {name(present)} yourself if "
                f"it should go, or `crm-bridge accept {number}` to stop it being listed",
            )
        return RepairStep(
            difference,
            PERSON,
            None,
            f"needs a person: `crm-bridge resolve {number} --keep {present}` creates it "
            f"again in {name(missing)}; or delete it in {name(present)} too, or "
            f"`crm-bridge accept {number}`",
        )
    if difference.taken_by is not None:
        return RepairStep(
            difference,
            PERSON,
            None,
            f"its number is already used in {name(missing)} by invoice {difference.taken_by}: "
            "give one of them another number, then sync",
        )
    if missing in direction.writable:
        return RepairStep(difference, CREATE, missing, f"create it in {name(missing)}")
    return RepairStep(
        difference,
        LEAVE,
        None,
        f"not the bridge's to copy in {direction.name}; `crm-bridge accept {number}` stops it "
        "being listed",
    )


def carry_out(
    steps: Iterable[RepairStep],
    *,
    ledger: Ledger,
    engine: SyncEngine,
    direction: str,
    now: Callable[[], datetime],
) -> RunRecord | None:
    """Prepares the ledger for the writing steps and runs the engine for those invoices;
    None when no step writes."""
    writing = [step for step in steps if step.writes]
    if not writing:
        return None
    ledger.acquire_lock("repair", now())
    try:
        for step in writing:
            _prepare(ledger, step)
        invoices = names_of(step.difference for step in writing)
        return engine.run(RunRequest("repair", direction, invoices=invoices, deep_pass=False))
    finally:
        ledger.release_lock()


def _prepare(ledger: Ledger, step: RepairStep) -> None:
    difference = step.difference
    link = _link(ledger, difference)
    if link is None:
        return  # not linked (create, adopt), or no longer: the engine sees it as it is
    if step.action == RESTORE:
        assert step.target is not None
        ledger.save_link(replace(link, **{f"{step.target}_fp": PENDING}))
    elif step.action == RECREATE:
        # Forgetting the link of a deleted mirror makes its source new to the bridge again.
        ledger.delete_link("invoice", "perfex", link.perfex_id)


def _link(ledger: Ledger, difference: Difference):  # type: ignore[no-untyped-def]
    if difference.perfex_id:
        found = ledger.link_for("invoice", "perfex", difference.perfex_id)
        if found is not None:
            return found
    if difference.onlyoffice_id:
        return ledger.link_for("invoice", "onlyoffice", difference.onlyoffice_id)
    return None
