"""A hand-built run with every kind of record, the way the engine journals them with details.

Shared by the text, HTML, JSON and browser tests. The values are what a bookkeeper would check
on screen: customer names, a quantity edit on line 2, a line added, totals before and after,
a warning next to a write, failures grouped by reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

from state.records import COUNT_KEYS, Outcome, RunRecord, RunSummary

PERFEX_URL = "https://crm.example.com"
ONLYOFFICE_URL = "https://office.example.com/"
ROUNDING_WARNING = (
    "total: ONLYOFFICE totals 325.51 EUR where Perfex shows 325.50 EUR (tax rounded per line)"
)
NAMES = {
    "contactId": {"12": "Acme Ltd", "15": "Beta GmbH"},
    "invoiceTax1ID": {"2": "VAT 20.00%"},
}


def invoice(action: str, source_id: str, number: str | None, **extra: object) -> Outcome:
    values: dict[str, object] = {
        "kind": "invoice",
        "source": "perfex",
        "source_id": source_id,
        "target": "onlyoffice",
        "target_id": str(int(source_id) + 900) if action not in ("failed", "skipped") else None,
        "number": number,
        "action": action,
    }
    values.update(extra)
    return Outcome(**values)  # type: ignore[arg-type]


def dependency(kind: str, name: str, target_id: str, action: str = "created") -> Outcome:
    return Outcome(kind, "perfex", name, "onlyoffice", target_id, name, action)


CREATED = invoice(
    "created",
    "104",
    "INV-000104",
    changes={
        "number": [None, "INV-000104"],
        "issueDate": [None, "2026-11-20"],
        "dueDate": [None, "2026-12-20"],
        "contactId": [None, "12"],
        "currency": [None, "EUR"],
        "exchangeRate": [None, "1.00"],
        "invoiceLines": [None, ["Consulting × 10 @ 95.00 + tax 2", "Hosting plan × 1 @ 250.00"]],
    },
    details={
        "customer": "Acme Ltd",
        "currency": "EUR",
        "total": [None, "1390.00"],
        "lines": [
            {"line": 1, "change": "added", "text": "Consulting × 10 @ 95.00 + VAT 20%"},
            {"line": 2, "change": "added", "text": "Hosting plan × 1 @ 250.00"},
        ],
        "names": NAMES,
        "shape": "onlyoffice invoice",
    },
)
UPDATED = invoice(
    "updated",
    "102",
    "INV-000102",
    changes={
        "dueDate": ["2026-11-30", "2026-12-15"],
        "contactId": ["12", "15"],
        "status": [1, 2],
        "invoiceLines": [
            ["Design × 1 @ 100.00", "Consulting × 1 @ 95.00 + tax 2"],
            ["Design × 1 @ 100.00", "Consulting × 3 @ 95.00 + tax 2", "Express × 1 @ 15.00"],
        ],
    },
    warnings=(ROUNDING_WARNING,),
    details={
        "customer": "Beta GmbH",
        "currency": "EUR",
        "total": ["214.00", "442.00"],
        "lines": [
            {
                "line": 2,
                "change": "changed",
                "text": "Consulting × 3 @ 95.00 + VAT 20%",
                "fields": {"quantity": ["1", "3"]},
            },
            {"line": 3, "change": "added", "text": "Express delivery × 1 @ 15.00"},
        ],
        "names": NAMES,
        "shape": "onlyoffice invoice",
    },
)
LINKED = invoice("linked", "101", "INV-000101", details={"customer": "Acme Ltd"})
DRAFT = invoice(
    "skipped",
    "140",
    None,
    error="Perfex draft without a number yet",
    details={"reason": "placeholder_draft"},
)
ROUNDING_A = invoice(
    "failed",
    "110",
    "INV-000110",
    error="total: ONLYOFFICE would show 99.99 EUR where Perfex shows 100.00 EUR",
    details={"reason": "rounding", "customer": "Acme Ltd"},
)
ROUNDING_B = invoice(
    "failed",
    "109",
    "INV-000109",
    error="total: ONLYOFFICE would show 50.01 EUR where Perfex shows 50.00 EUR",
    details={"reason": "rounding", "customer": "Beta GmbH"},
)
REFUSED = invoice("failed", "120", "INV-000120", error="ONLYOFFICE answered 400: terms is required")
CONFLICT = invoice(
    "conflict",
    "130",
    "INV-000130",
    error="both sides changed since the last sync",
    details={"reason": "conflict"},
)
UNCHANGED = invoice("unchanged", "150", "INV-000150")
CONTACT = dependency("contact", "Acme Ltd", "12")
ITEM = dependency("item", "Consulting", "6")
TAX = Outcome(
    "tax",
    "perfex",
    "VAT|20.00",
    "onlyoffice",
    "2",
    "VAT 20.00%",
    "linked",
    warnings=("rate: ONLYOFFICE holds 20.0000 where Perfex shows 20.00",),
)

OUTCOMES = (
    CONTACT,
    ITEM,
    TAX,
    UPDATED,
    ROUNDING_A,
    CREATED,
    DRAFT,
    LINKED,
    REFUSED,
    ROUNDING_B,
    CONFLICT,
    UNCHANGED,
)
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
        "created": 3,
        "updated": 1,
        "linked": 2,
        "unchanged": 5,
        "skipped": 1,
        "failed": 3,
        "conflicts": 1,
        "with_warnings": 2,
    },
)
RECORD = RunRecord(RUN, OUTCOMES)
