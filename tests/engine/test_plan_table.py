"""The decision table, branch by branch: what the engine does with one pair, for every
direction. Each row names the situation a person would recognise."""

from __future__ import annotations

import pytest

from bridge.engine.plan import (
    Adoption,
    Decision,
    PairView,
    Prepared,
    SideState,
    Step,
    Verdict,
    decide,
    direction,
    needs_agreement,
    settle,
)

A, U, S, C, P, X = (
    SideState.ABSENT,
    SideState.UNLINKED,
    SideState.SAME,
    SideState.CHANGED,
    SideState.PENDING,
    SideState.UNREADABLE,
)
P2O = direction("perfex_to_onlyoffice")
O2P = direction("onlyoffice_to_perfex")
BOTH = direction("both")
BOTH_P = direction("both", "perfex_wins")
BOTH_O = direction("both", "onlyoffice_wins")
P2O_REPORT = direction("perfex_to_onlyoffice", on_mirror_edit="report")


def view(perfex: SideState, onlyoffice: SideState, way=P2O, **facts) -> PairView:
    return PairView(perfex=perfex, onlyoffice=onlyoffice, direction=way, **facts)


# (situation, view, step, source, target, code)
TABLE = [
    # A side that cannot be read is that record's failure, whatever the other side says.
    ("unreadable-perfex-row", view(X, S), Step.FAIL, None, None, "unreadable"),
    ("unreadable-onlyoffice-unlinked", view(U, X, BOTH), Step.FAIL, None, None, "unreadable"),
    # Deletions are reported, never carried.
    ("deleted-on-both-sides", view(A, A), Step.SKIP, None, None, "deleted"),
    ("deleted-in-perfex-source", view(A, S), Step.SKIP, None, None, "deleted"),
    ("mirror-deleted-in-onlyoffice", view(S, A), Step.SKIP, None, None, "deleted"),
    ("deleted-in-onlyoffice-both-ways", view(C, A, BOTH), Step.SKIP, None, None, "deleted"),
    # New on one side.
    ("new-in-perfex-is-created", view(U, A), Step.CREATE, "perfex", "onlyoffice", None),
    ("new-in-onlyoffice-reverse", view(A, U, O2P), Step.CREATE, "onlyoffice", "perfex", None),
    ("new-in-onlyoffice-both-ways", view(A, U, BOTH), Step.CREATE, "onlyoffice", "perfex", None),
    ("only-the-mirror-has-it", view(A, U, P2O), Step.IGNORE, None, None, None),
    (
        "placeholder-draft-is-not-carried",
        view(U, A, skip_reason="placeholder"),
        Step.SKIP,
        "perfex",
        None,
        "not_carried",
    ),
    (
        "number-linked-to-another-invoice",
        view(U, A, adoption=Adoption.TAKEN),
        Step.FAIL,
        "perfex",
        "onlyoffice",
        "number_in_use",
    ),
    # The same number on both sides, neither linked.
    (
        "candidate-is-somebody-elses-invoice",
        view(U, U, adoption=Adoption.FOREIGN),
        Step.CONFLICT,
        None,
        None,
        "foreign_number",
    ),
    (
        "candidate-number-already-linked",
        view(U, U, BOTH, adoption=Adoption.TAKEN),
        Step.CONFLICT,
        None,
        None,
        "foreign_number",
    ),
    (
        "candidate-agrees-is-linked",
        view(U, U, adoption=Adoption.SAME_INVOICE, agree=True),
        Step.ADOPT,
        "perfex",
        "onlyoffice",
        "agree",
    ),
    (
        "candidate-differs-one-way-source-wins",
        view(U, U, O2P, adoption=Adoption.SAME_INVOICE, agree=False),
        Step.ADOPT,
        "onlyoffice",
        "perfex",
        None,
    ),
    (
        "lost-create-is-adopted",
        view(U, U, adoption=Adoption.OWN_CREATE, agree=False),
        Step.ADOPT,
        "perfex",
        "onlyoffice",
        None,
    ),
    (
        "candidate-differs-both-ways-winner",
        view(U, U, BOTH_O, adoption=Adoption.SAME_INVOICE, agree=False),
        Step.ADOPT,
        "onlyoffice",
        "perfex",
        None,
    ),
    (
        "candidate-differs-both-ways-no-winner",
        view(U, U, BOTH, adoption=Adoption.SAME_INVOICE, agree=False),
        Step.CONFLICT,
        None,
        None,
        "conflict",
    ),
    (
        "candidate-draft-one-way",
        view(U, U, adoption=Adoption.SAME_INVOICE, skip_reason="draft"),
        Step.SKIP,
        "perfex",
        None,
        "not_carried",
    ),
    # The bridge's own unfinished write.
    ("pending-mirror-is-finished", view(S, P), Step.UPDATE, "perfex", "onlyoffice", "finish"),
    ("pending-perfex-both-ways", view(P, C, BOTH), Step.UPDATE, "onlyoffice", "perfex", "finish"),
    ("pending-both-winner", view(P, P, BOTH_P), Step.UPDATE, "perfex", "onlyoffice", "finish"),
    ("pending-both-no-winner", view(P, P, BOTH), Step.CONFLICT, None, None, "conflict"),
    # Linked pairs.
    ("nothing-moved", view(S, S), Step.UNCHANGED, None, None, None),
    ("source-edited", view(C, S), Step.UPDATE, "perfex", "onlyoffice", None),
    ("onlyoffice-edited-both-ways", view(S, C, BOTH), Step.UPDATE, "onlyoffice", "perfex", None),
    (
        "mirror-edited-is-restored",
        view(S, C),
        Step.UPDATE,
        "perfex",
        "onlyoffice",
        "mirror_restored",
    ),
    ("mirror-edited-is-reported", view(S, C, P2O_REPORT), Step.SKIP, None, None, "mirror_edited"),
    ("same-edit-on-both-sides", view(C, C, BOTH, agree=True), Step.UNCHANGED, None, None, None),
    (
        "source-and-mirror-edited-restore",
        view(C, C, agree=False),
        Step.UPDATE,
        "perfex",
        "onlyoffice",
        "mirror_restored",
    ),
    (
        "source-and-mirror-edited-report",
        view(C, C, P2O_REPORT, agree=False),
        Step.CONFLICT,
        None,
        None,
        "conflict",
    ),
    (
        "both-edited-perfex-wins",
        view(C, C, BOTH_P, agree=False),
        Step.UPDATE,
        "perfex",
        "onlyoffice",
        "conflict_settled",
    ),
    ("both-edited-no-winner", view(C, C, BOTH, agree=False), Step.CONFLICT, None, None, "conflict"),
]


@pytest.mark.parametrize(
    ("pair", "step", "source", "target", "code"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_decide(pair: PairView, step: Step, source, target, code) -> None:
    decision = decide(pair)
    assert (decision.step, decision.source, decision.target, decision.code) == (
        step,
        source,
        target,
        code,
    )


def test_every_skip_conflict_and_failure_says_why() -> None:
    for _situation, pair, *_ in TABLE:
        decision = decide(pair)
        if decision.step in (Step.SKIP, Step.CONFLICT, Step.FAIL):
            assert decision.reason, _situation


def test_a_one_way_run_never_writes_its_source() -> None:
    for _situation, pair, *_ in TABLE:
        decision = decide(pair)
        if decision.writes and pair.direction.one_way:
            assert decision.target in pair.direction.writable, _situation


WRITE = Decision(Step.UPDATE, "perfex", "onlyoffice")
ADOPT = Decision(Step.ADOPT, "perfex", "onlyoffice")


@pytest.mark.parametrize(
    ("decision", "prepared", "step", "code"),
    [
        pytest.param(
            WRITE,
            Prepared(Verdict.REFUSED, "currency: no id", "currency"),
            Step.FAIL,
            "currency",
            id="refused-before-any-write",
        ),
        pytest.param(
            WRITE,
            Prepared(Verdict.DECLINED, "locked", "locked"),
            Step.SKIP,
            "locked",
            id="declined-by-policy",
        ),
        pytest.param(WRITE, Prepared(Verdict.SAME), Step.UNCHANGED, None, id="target-holds-it"),
        pytest.param(ADOPT, Prepared(Verdict.SAME), Step.ADOPT, "agree", id="adopted-as-is"),
        pytest.param(WRITE, Prepared(Verdict.WRITE), Step.UPDATE, None, id="goes-ahead"),
    ],
)
def test_settle(decision: Decision, prepared: Prepared, step: Step, code) -> None:
    settled = settle(decision, prepared)
    assert (settled.step, settled.code) == (step, code)
    if settled.step in (Step.FAIL, Step.SKIP):
        assert settled.reason == prepared.reason


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        pytest.param(view(C, C, BOTH), True, id="both-changed"),
        pytest.param(view(U, U, adoption=Adoption.SAME_INVOICE), True, id="same-invoice"),
        pytest.param(view(U, U, adoption=Adoption.FOREIGN), False, id="foreign-needs-no-read"),
        pytest.param(view(C, S), False, id="one-side-changed"),
    ],
)
def test_which_pairs_are_compared_in_full(pair: PairView, expected: bool) -> None:
    assert needs_agreement(pair) is expected
