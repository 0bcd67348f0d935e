"""The daemon as an operator meets it: the cycle line, SIGHUP reloads, quiet stretches, pruning."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.daemon import NAMED_PROBLEMS, Daemon, plan_reload, summary_fields, summary_line
from bridge.housekeeping import Housekeeping
from bridge.wiring import build_clients, build_engine
from state import Ledger, Outcome, RunRecord, RunSummary

T0 = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def problem(number: int, action: str = "failed", error: str = "Perfex rejected it") -> Outcome:
    return Outcome(
        "invoice",
        "perfex",
        str(number),
        "onlyoffice",
        None,
        f"INV-{number:06d}",
        action,
        error=error,
    )


def record(*outcomes: Outcome, status: str = "partial") -> RunRecord:
    counts = {"created": 0, "updated": 0, "failed": len(outcomes)}
    summary = RunSummary(7, "daemon", "perfex_to_onlyoffice", False, T0, T0, status, counts)
    return RunRecord(summary, outcomes)


# -- the cycle line ----------------------------------------------------------------------


def test_the_cycle_line_names_each_failed_or_conflicting_invoice_with_its_reason() -> None:
    line = summary_line(
        3,
        record(
            problem(12, error="total: ONLYOFFICE totals 10.01\nwhere Perfex shows 10.00"),
            problem(13, "conflict", "both sides changed since the last sync"),
            Outcome("contact", "perfex", "5", "onlyoffice", None, None, "failed", error="403"),
        ),
        2.25,
    )
    assert line.startswith(
        "cycle 3: run 7 partial created=0 updated=0 failed=3 in 2.2s; problems: "
    )
    assert "INV-000012 failed (total: ONLYOFFICE totals 10.01 where Perfex shows 10.00)" in line
    assert "INV-000013 conflict (both sides changed since the last sync)" in line
    assert "contact perfex 5 failed (403)" in line
    assert "\n" not in line


def test_the_cycle_line_caps_the_list_and_says_how_many_more() -> None:
    problems = [problem(n, error="x" * 500) for n in range(NAMED_PROBLEMS + 4)]
    line = summary_line(1, record(*problems), 1.0)
    assert line.count(" failed (") == NAMED_PROBLEMS
    assert line.endswith("; and 4 more (crm-bridge report 7 --failed)")
    assert len(line) < 1200  # each reason is shortened; the report has it in full

    fields = summary_fields(1, record(*problems), 1.0)
    assert len(fields["problems"]) == NAMED_PROBLEMS and fields["more_problems"] == 4
    assert fields["problems"][0]["record"] == "INV-000000"


def test_a_clean_cycle_line_lists_no_problems() -> None:
    line = summary_line(2, record(status="ok"), 0.1)
    assert "problems" not in line


# -- reloading ---------------------------------------------------------------------------


def edit(rig, old: str, new: str) -> None:
    text = rig.config_path.read_text(encoding="utf-8")
    assert old in text
    rig.config_path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_plan_reload_applies_what_is_safe_and_keeps_connections_until_a_restart(rig) -> None:
    running = rig.config()
    edit(rig, 'ledger = "ledger.db"', 'ledger = "ledger.db"\ninterval = 60\nkeep_runs_days = 30')
    edit(rig, "[onlyoffice]\n", '[mapping]\nmoney_mismatch = "fail"\n\n[onlyoffice]\n')
    edit(rig, "max_attempts = 6\n\n[mapping]", "max_attempts = 2\n\n[mapping]")
    edit(rig, 'direction = "perfex_to_onlyoffice"', 'direction = "both"')

    plan = plan_reload(running, rig.config())

    assert set(plan.applied) == {
        "[sync].interval",
        "[sync].keep_runs_days",
        "[mapping].money_mismatch",
    }
    assert set(plan.needs_restart) == {"[perfex].max_attempts", "[sync].direction"}
    kept = plan.effective
    assert (kept.sync.direction, kept.perfex.max_attempts) == ("perfex_to_onlyoffice", 6)
    assert (kept.sync.interval, kept.mapping.money_mismatch) == (60, "fail")
    assert kept.ledger_path == running.ledger_path


def daemon_for(rig, ledger: Ledger, **options) -> Daemon:
    config = rig.config()
    engine = build_engine(config, ledger, clients=build_clients(config, sleep=lambda s: None))
    return Daemon(
        engine,
        direction=config.sync.direction,
        interval=config.sync.interval,
        housekeeping=Housekeeping.from_config(config, ledger, **options),
        config=config,
        reload=rig.config,
    )


def test_a_reload_changes_the_engine_settings_the_interval_and_the_log(rig, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bridge.daemon")
    with Ledger.open(rig.ledger_path) as ledger:
        daemon = daemon_for(rig, ledger)
        assert daemon.engine.settings.mapping.money_mismatch == "warn"
        edit(rig, 'ledger = "ledger.db"', 'ledger = "ledger.db"\ninterval = 45')
        edit(rig, "[onlyoffice]\n", '[mapping]\nmoney_mismatch = "fail"\n\n[onlyoffice]\n')
        edit(rig, 'url = "http://', 'url = "http://localhost.invalid:1/x" #')

        daemon.reload()

        assert daemon.engine.settings.mapping.money_mismatch == "fail"
        assert daemon.interval == 45
        assert daemon.config.perfex.url == rig.sandbox.perfex_url  # kept until a restart
    text = caplog.text
    assert "configuration reloaded: applied [sync].interval, [mapping].money_mismatch" in text
    assert "these changes wait for a restart: [perfex].url" in text


def test_a_broken_file_is_refused_whole_and_the_running_configuration_stays(rig, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bridge.daemon")
    with Ledger.open(rig.ledger_path) as ledger:
        daemon = daemon_for(rig, ledger)
        edit(rig, 'ledger = "ledger.db"', 'ledger = "ledger.db"\ninterval = 5\nintervall = 60')

        assert daemon.reload() is None

        assert daemon.interval == 300
    assert "configuration not reloaded, the running one stays" in caplog.text
    assert "[sync].interval must be greater than or equal to 10" in caplog.text
    assert "intervall" in caplog.text


# -- quiet stretches, pages, daily pruning -----------------------------------------------


def move_due_date(rig, position: int = 0) -> None:
    """A person moves an invoice's due date in Perfex."""
    invoice_id = sorted(rig.perfex_invoices())[position]
    rig.perfex_admin.set_due_date(invoice_id, T0.date() + timedelta(days=90 + position))


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def test_quiet_cycles_fold_into_one_run_and_get_no_page(rig) -> None:
    with Ledger.open(rig.ledger_path) as ledger:
        daemon = daemon_for(rig, ledger)
        first = daemon.cycle()
        quiet = [daemon.cycle() for _ in range(3)]
        move_due_date(rig)
        eventful = daemon.cycle()
        runs = ledger.runs(limit=50)

    assert first is not None and first.run.counts["created"] > 0
    assert all(r is not None and r.run.status == "ok" for r in quiet)
    assert eventful is not None and eventful.run.counts["updated"] == 1
    stretch = quiet[-1].run.id
    assert [run.id for run in runs] == [eventful.run.id, stretch, first.run.id]
    assert next(r for r in runs if r.id == stretch).started_at == quiet[0].run.started_at
    pages = sorted(path.name for path in (rig.folder / "reports").glob("run-*.html"))
    assert pages == [
        f"run-{first.run.id:06d}-daemon.html",
        f"run-{eventful.run.id:06d}-daemon.html",
    ]
    latest = (rig.folder / "reports" / "latest.html").read_text(encoding="utf-8")
    assert latest.startswith("<!DOCTYPE html>") and "INV-" in latest


def test_old_runs_and_their_pages_are_pruned_once_a_day(make_rig) -> None:
    rig = make_rig(sync="keep_runs_days = 10")
    clock = Clock(datetime.now(UTC))  # the engine stamps runs with the real time
    with Ledger.open(rig.ledger_path) as ledger:
        keeper = Housekeeping.from_config(rig.config(), ledger, now=clock)
        daemon = daemon_for(rig, ledger)
        daemon.housekeeping = keeper
        first = daemon.cycle()  # prunes (nothing yet) and remembers the day
        move_due_date(rig, 0)
        second = daemon.cycle()
        clock.moment += timedelta(days=30)
        move_due_date(rig, 1)
        third = daemon.cycle()  # a day has passed: the runs of 30 days ago go
        remaining = [run.id for run in ledger.runs(limit=50)]

    assert first is not None and second is not None and third is not None
    assert remaining == [third.run.id]
    pages = sorted(path.name for path in (rig.folder / "reports").glob("run-*.html"))
    assert pages == [f"run-{third.run.id:06d}-daemon.html"]


def test_housekeeping_trouble_never_ends_the_cycle(rig, tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    with Ledger.open(rig.ledger_path) as ledger:
        daemon = daemon_for(rig, ledger)
        daemon.housekeeping.report_dir = blocker / "reports"  # cannot be created
        assert daemon.cycle() is not None
        assert daemon.cycle() is not None
    assert "could not be written" in caplog.text


@pytest.mark.parametrize("direction", ["perfex_to_onlyoffice"])
def test_a_dry_run_record_is_left_alone(rig, direction: str) -> None:
    with Ledger.open(rig.ledger_path) as ledger:
        keeper = Housekeeping.from_config(rig.config(), ledger)
        summary = RunSummary(1, "sync", direction, True, T0, T0, "ok", {})
        keeper.after_run(RunRecord(summary, ()))
        assert ledger.get_meta("retention.last_pruned_at") is None
    assert not (rig.folder / "reports").exists()
