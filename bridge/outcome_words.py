"""One sentence per invoice a run touched, for the per-invoice commands (`sync --invoice`,
`resolve`, `retry`, `audit --repair --yes`): what was done, where, and which fields changed,
named the way a bookkeeper names them (`mappings.fields` labels).

Must not: read the ledger or either system; it words a `RunRecord` the engine returned.
"""

from __future__ import annotations

import re
from collections import Counter

from bridge.errors import system_name
from mappings.fields import label
from state.records import Outcome, RunRecord

# Remote messages and customer data are untrusted: no terminal control sequences or
# bidirectional overrides may reach the operator's screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")
_DEPENDENCIES = {"contact": "customer", "item": "product", "tax": "tax"}


def clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def run_sentences(
    record: RunRecord, *, dry_run: bool = False, subject: str | None = None
) -> list[str]:
    """`subject` names the invoices the run was limited to, for a run that wrote nothing."""
    invoices = [o for o in record.outcomes if o.kind == "invoice"]
    sentences = [outcome_sentence(o, dry_run=dry_run) for o in invoices]
    if not invoices:
        if record.run.counts.get("unchanged"):
            said = "Perfex and ONLYOFFICE already say the same"
            if subject:
                said = f"{subject} already says the same in Perfex and ONLYOFFICE"
            sentences.append(f"{clean(said)}; nothing was written.")
        else:
            sentences.append("Nothing was done.")
    created = Counter(
        (o.target, _DEPENDENCIES[o.kind])
        for o in record.outcomes
        if o.kind in _DEPENDENCIES and o.action == "created"
    )
    for (target, what), count in sorted(created.items()):
        plural = "" if count == 1 else ("es" if what == "tax" else "s")
        verb = "would be created" if dry_run else "created"
        sentences.append(f"{count} {what}{plural} {verb} in {system_name(target)}.")
    if record.run.status == "interrupted":
        sentences.append("The run was interrupted; run it again to finish.")
    return sentences


def outcome_sentence(outcome: Outcome, *, dry_run: bool = False) -> str:
    number = outcome.number or f"{system_name(outcome.source)} invoice {outcome.source_id}"
    source, target = system_name(outcome.source), system_name(outcome.target)
    action = outcome.action
    would = "would be " if dry_run else ""
    if action == "created":
        text = f"{number} {would}created in {target} from {source}"
    elif action == "updated":
        text = f"{number} {would}updated in {target} from {source}{_changed(outcome)}"
    elif action == "linked":
        text = f"{number} {would}linked to the same invoice in {target}; nothing written"
    elif action == "unchanged":
        text = f"{number} already says the same in {source} and {target}"
    else:
        text = f"{number} {action}: {outcome.error or 'no reason given'}"
    if outcome.warnings:
        text += f" (warning: {'; '.join(outcome.warnings)})"
    return clean(text) + "."


def _changed(outcome: Outcome) -> str:
    if not outcome.changes:
        return ""
    shape = outcome.details.get("shape") if outcome.details else None
    labels = [label(field, shape) for field in outcome.changes]
    return f" ({', '.join(labels)})"
