"""The repair plan, difference by difference and direction by direction: which side a repair
writes, and which differences are left to a person or are not the bridge's at all."""

from __future__ import annotations

import pytest

from bridge.audit.findings import Difference
from bridge.audit.repair import ADOPT, CREATE, LEAVE, PERSON, RECREATE, RESTORE, step_for
from bridge.engine.plan import direction

P2O = direction("perfex_to_onlyoffice")
O2P = direction("onlyoffice_to_perfex")
BOTH = direction("both")
BOTH_P = direction("both", "perfex_wins")
BOTH_O = direction("both", "onlyoffice_wins")


def fields(linked: bool = True, foreign: str | None = None, changed: str = "") -> Difference:
    return Difference(
        "INV-000007",
        "7",
        "70",
        "fields",
        {"dueDate": ("2026-12-01", "2026-12-15")},
        linked=linked,
        foreign=foreign,
        changed=frozenset(changed.split()),
    )


def missing(side: str, linked: bool, taken_by: str | None = None) -> Difference:
    return Difference(
        "INV-000008",
        None if side == "perfex" else "8",
        None if side == "onlyoffice" else "80",
        f"missing_in_{side}",
        linked=linked,
        taken_by=taken_by,
    )


@pytest.mark.parametrize(
    ("difference", "way", "action", "target"),
    [
        pytest.param(fields(), P2O, RESTORE, "onlyoffice", id="one-way: the mirror is restored"),
        pytest.param(fields(), O2P, RESTORE, "perfex", id="reverse: Perfex is the mirror"),
        pytest.param(fields(), BOTH, PERSON, None, id="both, no winner: a person decides"),
        pytest.param(
            fields(changed="perfex onlyoffice"), BOTH, PERSON, None, id="both, edited on both"
        ),
        pytest.param(
            fields(changed="onlyoffice"), BOTH, RESTORE, "perfex", id="both, edited on one side"
        ),
        pytest.param(
            fields(changed="onlyoffice"), P2O, RESTORE, "onlyoffice", id="one-way: source rules"
        ),
        pytest.param(fields(), BOTH_P, RESTORE, "onlyoffice", id="both, Perfex wins"),
        pytest.param(fields(), BOTH_O, RESTORE, "perfex", id="both, ONLYOFFICE wins"),
        pytest.param(fields(linked=False), P2O, ADOPT, "onlyoffice", id="unlinked twin: adopted"),
        pytest.param(fields(linked=False), BOTH, PERSON, None, id="unlinked twin, no winner"),
        pytest.param(
            fields(linked=False, foreign="customer"),
            P2O,
            PERSON,
            None,
            id="another customer's invoice with the number: never merged",
        ),
        pytest.param(
            missing("onlyoffice", linked=True), P2O, RECREATE, "onlyoffice", id="deleted mirror"
        ),
        pytest.param(
            missing("perfex", linked=True), O2P, RECREATE, "perfex", id="deleted Perfex mirror"
        ),
        pytest.param(
            missing("perfex", linked=True), P2O, LEAVE, None, id="deleted source: never mirrored"
        ),
        pytest.param(
            missing("onlyoffice", linked=True), BOTH, PERSON, None, id="both: a deletion is a call"
        ),
        pytest.param(
            missing("onlyoffice", linked=False), P2O, CREATE, "onlyoffice", id="not copied yet"
        ),
        pytest.param(
            missing("perfex", linked=False), P2O, LEAVE, None, id="only the mirror has it"
        ),
        pytest.param(
            missing("perfex", linked=False), BOTH, CREATE, "perfex", id="both: copied either way"
        ),
        pytest.param(
            missing("onlyoffice", linked=False, taken_by="INV-000008"),
            P2O,
            PERSON,
            None,
            id="its number is taken by a linked invoice",
        ),
    ],
)
def test_each_difference_gets_one_step(difference, way, action, target) -> None:
    step = step_for(difference, way)
    assert (step.action, step.target) == (action, target)
    assert step.writes == (target is not None)


@pytest.mark.parametrize("way", [P2O, O2P, BOTH, BOTH_P, BOTH_O])
@pytest.mark.parametrize(
    "difference",
    [fields(), fields(linked=False), missing("perfex", True), missing("onlyoffice", True)]
    + [missing("perfex", False), missing("onlyoffice", False)],
)
def test_no_step_ever_writes_the_read_only_side(difference, way) -> None:
    step = step_for(difference, way)
    assert step.target is None or step.target in way.writable


def test_a_step_left_to_a_person_names_the_command_to_use() -> None:
    step = step_for(fields(), BOTH)
    assert "crm-bridge resolve INV-000007 --keep" in step.text
    assert "crm-bridge accept INV-000007" in step.text
