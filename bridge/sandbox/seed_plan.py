"""Which invoices of the realistic mix get which feature, in exact shares.

Owns the shares of `bridge.sandbox.seed`'s realistic mix and the `Plan` that picks, for each
per-invoice feature, exactly round(share x invoices) invoices (at least one from 20 invoices
on), keeping exclusive features apart (a tax pattern, Perfex money against ONLYOFFICE line
discounts, the two kinds of odd due date) and drafts among the newest invoices. Must not:
build invoices (`seed_realistic.py` does) or use any randomness but the one it is given.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Shares of invoices (exact counts, at least one from 20 invoices on).
SHARES = {
    "draft": 0.08,
    "cancelled": 0.04,
    "partially_paid": 0.08,
    "paid": 0.50,
    "zero_tax": 0.08,
    "mixed_taxes": 0.25,
    "two_taxes": 0.10,
    "discount": 0.18,
    "adjustment": 0.07,
    "line_discounts": 0.15,
    "long_invoice": 0.08,
    "long_line": 0.03,
    "due_none": 0.08,
    "due_zero": 0.03,
    "recurring": 0.05,
    "shipping": 0.10,
    "sale_agent": 0.30,
    "adminnote": 0.30,
    "cancel_overdue_reminders": 0.05,
    "tags": 0.10,
    "purchase_order": 0.20,
    "deal": 0.10,
    "language": 0.15,
    "rus_template": 0.03,
    "other_currency": 0.05,
}
DISCOUNT_KINDS = (
    ("before_tax", "percent"),
    ("after_tax", "percent"),
    ("before_tax", "fixed"),
    ("after_tax", "fixed"),
)


def share_count(share: float, total: int) -> int:
    """round(share x total), at least one once there are 20 or more."""
    count = int(Decimal(str(share * total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if total >= 20:
        count = max(count, 1)
    return min(count, total)


@dataclass
class Plan:
    """Which invoices (0-based positions in date order) get which per-invoice feature."""

    picks: dict[str, set[int]] = field(default_factory=dict)
    states: dict[int, str] = field(default_factory=dict)
    discount_kinds: dict[int, tuple[str, str]] = field(default_factory=dict)

    def has(self, feature: str, index: int) -> bool:
        return index in self.picks.get(feature, set())


def draw_plan(rng: random.Random, total: int) -> Plan:
    plan = Plan()
    everyone = list(range(total))
    _states(rng, plan, everyone)
    _pick_exclusive(rng, plan, everyone, ("zero_tax", "mixed_taxes"))
    taxed = [i for i in everyone if not plan.has("zero_tax", i)]
    _pick(rng, plan, "two_taxes", taxed, total)
    _pick(rng, plan, "discount", everyone, total)
    _pick(rng, plan, "adjustment", everyone, total)
    plain_money = [
        i for i in everyone if not (plan.has("discount", i) or plan.has("adjustment", i))
    ]
    _pick(rng, plan, "line_discounts", plain_money, total)
    ordered = sorted(plan.picks["discount"])
    rng.shuffle(ordered)
    plan.discount_kinds = {i: DISCOUNT_KINDS[n % 4] for n, i in enumerate(ordered)}
    _pick_exclusive(rng, plan, everyone, ("due_none", "due_zero"))
    running = [i for i in everyone if plan.states[i] not in ("draft", "cancelled")]
    _pick(rng, plan, "recurring", running, total)
    for feature in (
        "long_invoice",
        "long_line",
        "shipping",
        "sale_agent",
        "adminnote",
        "cancel_overdue_reminders",
        "tags",
        "purchase_order",
        "deal",
        "language",
        "rus_template",
        "other_currency",
    ):
        _pick(rng, plan, feature, everyone, total)
    return plan


def _pick(rng: random.Random, plan: Plan, feature: str, pool: Sequence[int], total: int) -> None:
    wanted = min(share_count(SHARES[feature], total), len(pool))
    plan.picks[feature] = set(rng.sample(list(pool), wanted))


def _pick_exclusive(
    rng: random.Random, plan: Plan, pool: Sequence[int], features: Sequence[str]
) -> None:
    left = list(pool)
    for feature in features:
        wanted = min(share_count(SHARES[feature], len(pool)), len(left))
        chosen = set(rng.sample(left, wanted))
        plan.picks[feature] = chosen
        left = [i for i in left if i not in chosen]


def _states(rng: random.Random, plan: Plan, everyone: list[int]) -> None:
    """Drafts among the newest quarter, payments mostly on older invoices."""
    total = len(everyone)
    newest = everyone[-max(1, total // 4) :]
    drafts = rng.sample(newest, min(share_count(SHARES["draft"], total), len(newest)))
    left = [i for i in everyone if i not in drafts]
    chosen: dict[str, list[int]] = {"draft": drafts}
    for state in ("cancelled", "partially_paid"):
        chosen[state] = rng.sample(left, min(share_count(SHARES[state], total), len(left)))
        left = [i for i in left if i not in chosen[state]]
    older = left[: max(0, len(left) - total // 10)]  # the newest tenth is rarely paid yet
    chosen["paid"] = rng.sample(older, min(share_count(SHARES["paid"], total), len(older)))
    plan.states = dict.fromkeys(everyone, "unpaid")
    for state, indexes in chosen.items():
        for index in indexes:
            plan.states[index] = state
    plan.picks["placeholder"] = set(drafts[: (len(drafts) + 1) // 2])
