"""An audit as the bookkeeper and a script read it: the JSON document of the README, the text
with field labels and what to do, and an HTML page that escapes what people typed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from bridge.audit.findings import AuditResult, CurrencyTotals, Difference, SideTotal, Unchecked
from bridge.audit.html import audit_html
from bridge.audit.render import audit_json, audit_text
from bridge.audit.repair import plan_repair
from bridge.engine.plan import direction

CHECKED = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
DUE = Difference(
    "INV-001042",
    "58",
    "42",
    "fields",
    {"dueDate": ("2026-11-30", "2026-12-15")},
    customer="Café <Olé> & Co",
    linked=True,
)
GONE = Difference(
    "INV-001043", "59", None, "missing_in_onlyoffice", customer="Acme Ltd", linked=True
)


def result(*differences: Difference, unchecked: tuple[Unchecked, ...] = ()) -> AuditResult:
    return AuditResult(
        checked_at=CHECKED,
        direction="perfex_to_onlyoffice",
        pairs=412,
        agree=411 - len(differences) + 1,
        accepted=1,
        differences=differences,
        unchecked=unchecked,
        totals={
            "EUR": CurrencyTotals(
                SideTotal(300, Decimal("81234.50")), SideTotal(299, Decimal("81034.50"))
            )
        },
    )


def test_json_holds_the_documented_keys_with_decimal_strings() -> None:
    document = json.loads(audit_json(result(DUE, GONE)))

    assert document["checked_at"] == "2026-12-04T10:00:00Z"
    assert document["differences"] == [
        {
            "number": "INV-001042",
            "perfex_id": "58",
            "onlyoffice_id": "42",
            "kind": "fields",
            "fields": {"dueDate": ["2026-11-30", "2026-12-15"]},
        },
        {
            "number": "INV-001043",
            "perfex_id": "59",
            "onlyoffice_id": None,
            "kind": "missing_in_onlyoffice",
            "fields": {},
        },
    ]
    assert document["totals"]["EUR"]["perfex"] == {"count": 300, "sum": "81234.50"}
    assert document["totals"]["EUR"]["onlyoffice"] == {"count": 299, "sum": "81034.50"}
    assert document["totals"]["EUR"]["difference"] == "200.00"
    assert {"pairs", "agree", "accepted"} <= document.keys()
    assert "repair" not in document


def test_json_with_repair_lists_one_step_per_difference() -> None:
    audit = result(DUE, GONE)
    steps = plan_repair(audit.differences, direction("perfex_to_onlyoffice"))

    document = json.loads(audit_json(audit, steps))

    assert [(s["number"], s["action"], s["writes"]) for s in document["repair"]] == [
        ("INV-001042", "restore", "onlyoffice"),
        ("INV-001043", "recreate", "onlyoffice"),
    ]


def test_text_names_fields_by_label_and_says_what_to_do() -> None:
    audit = result(DUE)
    text = audit_text(audit, plan_repair(audit.differences, direction("perfex_to_onlyoffice")))

    assert "INV-001042 Café <Olé> & Co (Perfex 58, ONLYOFFICE 42)" in text
    assert "due date:" in text and "dueDate" not in text
    assert "Perfex: 2026-11-30" in text and "ONLYOFFICE: 2026-12-15" in text
    assert "→ rewrite ONLYOFFICE's invoice from Perfex" in text
    assert "300 invoices, 81234.50" in text and "200.00" in text


def test_text_says_everything_agrees_only_when_it_does() -> None:
    assert "Everything agrees." in audit_text(result(), [])
    unreadable = Unchecked("INV-9", "9", "90", "Perfex: invoice 9 cannot be read")
    text = audit_text(result(unchecked=(unreadable,)), [])
    assert "Everything agrees." not in text
    assert "INV-9 (Perfex 9, ONLYOFFICE 90): Perfex: invoice 9 cannot be read" in text


def test_html_escapes_customer_names_and_loads_nothing() -> None:
    audit = result(DUE, GONE)
    page = audit_html(audit, plan_repair(audit.differences, direction("both")))

    assert "Café &lt;Olé&gt; &amp; Co" in page and "<Olé>" not in page
    assert "default-src 'none'" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1]
    assert "2026-11-30" in page and "missing in ONLYOFFICE" in page
