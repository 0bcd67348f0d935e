"""Operator choices and first-install situations: adoption, locked invoices, --since, logins."""

from __future__ import annotations

from datetime import date, timedelta

# The strict money policy: inexact invoices fail instead of being written with a warning.
STRICT = '[mapping]\nmoney_mismatch = "fail"'

PAID, SENT = 4, 2


def test_a_first_backfill_adopts_invoices_that_already_exist_in_onlyoffice(rig):
    rig.sandbox.seed_onlyoffice(rig.data)  # someone kept both systems in step by hand
    before = len(rig.onlyoffice.store.invoices)
    record = rig.run("backfill")
    actions = {o.action for o in record.outcomes if o.kind == "invoice"}
    assert "linked" in actions and "created" not in actions
    assert len(rig.onlyoffice.store.invoices) == before
    assert rig.duplicates() == {}


def test_reopen_policy_rewrites_a_paid_invoice_and_restores_its_status(rig):
    rig.run("backfill")
    mirrored = rig.onlyoffice_by_number()
    paid = next(
        i
        for i in rig.perfex_invoices().values()
        if i.status == 2 and mirrored.get(f"INV-{i.number:06d}") is not None
    )
    number = f"INV-{paid.number:06d}"
    assert mirrored[number].status == PAID
    rig.perfex_admin.set_due_date(paid.id, paid.date + timedelta(days=90))
    record = rig.run("sync")
    after = rig.onlyoffice_by_number()[number]
    assert after.status == PAID
    assert after.due_date.date() == paid.date + timedelta(days=90)
    assert any(o.number == number and o.action == "updated" for o in record.outcomes)


def test_report_policy_leaves_sent_invoices_alone_and_says_why(rig):
    rig.write_config('locked_invoices = "report"')
    rig.run("backfill")
    mirrored = rig.onlyoffice_by_number()
    sent = next(
        i
        for i in rig.perfex_invoices().values()
        if mirrored.get(f"INV-{i.number:06d}") is not None
        and mirrored[f"INV-{i.number:06d}"].status == SENT
    )
    number = f"INV-{sent.number:06d}"
    rig.perfex_admin.set_due_date(sent.id, sent.date + timedelta(days=90))
    rig.clear_logs()
    record = rig.run("sync")
    outcome = next(o for o in record.outcomes if o.number == number)
    assert outcome.action == "skipped" and "Draft" in outcome.error
    assert rig.onlyoffice_by_number()[number].due_date == mirrored[number].due_date
    assert not [w for w in rig.writes() if "/status/" in w]


def test_backfill_since_a_date_leaves_older_invoices_alone(rig):
    since = date(2026, 1, 1)
    rig.run("backfill", since=since)
    numbers = set(rig.onlyoffice_by_number())
    for invoice in rig.perfex_invoices().values():
        if invoice.date < since:
            assert f"INV-{invoice.number:06d}" not in numbers


def test_onlyoffice_login_by_user_name_and_password(rig, monkeypatch):
    rig.environ.pop("ONLYOFFICE_API_TOKEN")
    rig.environ["SYNC_PASSWORD"] = rig.onlyoffice.password
    text = rig.config_path.read_text(encoding="utf-8").replace(
        "[onlyoffice]\n",
        f'[onlyoffice]\nusername = "{rig.onlyoffice.username}"\npassword_env = "SYNC_PASSWORD"\n',
    )
    rig.config_path.write_text(text, encoding="utf-8")
    monkeypatch.delenv("ONLYOFFICE_API_TOKEN", raising=False)
    result = rig.cli("backfill", monkeypatch=monkeypatch)
    assert result.code == 0, result.text
    assert rig.onlyoffice_by_number()
    assert rig.onlyoffice.password not in result.text


def test_report_failed_lists_only_what_needs_attention(make_rig, monkeypatch):
    rig = make_rig(invoices=12, seed=5, sync=STRICT)
    first = next(i for i in rig.perfex_invoices().values() if i.status != 6)
    rig.perfex.store.edit_invoice(first.id, adjustment="1.00", total=first.total + 1)
    rig.cli("backfill", monkeypatch=monkeypatch)
    result = rig.cli("report", "latest", "--failed", monkeypatch=monkeypatch)
    assert result.code == 0
    assert f"INV-{first.number:06d}" in result.out
    assert "created  invoice" not in result.out
