"""The service kit in deploy/: the units pass systemd's own checks, and the daemon runs under the
exact command line the unit starts, logging JSON lines to its file and stopping on its signal."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge.config.sections import OnlyofficeConfig, PerfexConfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("crm-bridge.service", "crm-bridge-sync.service", "crm-bridge-sync.timer")
UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def unit_settings(name: str) -> dict[str, list[str]]:
    """`Key=value` lines of a unit file, every value of a key in order."""
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def one(name: str, key: str) -> str:
    (value,) = unit_settings(name)[key]
    return value


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    # verify insists that ExecStart's program exists; the program lives where an install puts it
    # (/opt/crm-bridge/bin), so a stand-in takes its place for the check.
    stand_in = tmp_path / "crm-bridge"
    stand_in.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    stand_in.chmod(0o755)
    for name in UNITS:
        program = shlex.split(one(name, "ExecStart"))[0] if name.endswith(".service") else None
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(
            text.replace(program, str(stand_in)) if program else text, encoding="utf-8"
        )
    result = subprocess.run(
        [tool, "verify", "--man=no", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [line for line in result.stderr.splitlines() if any(n in line for n in UNITS)]
    assert result.returncode == 0 and complaints == [], result.stderr


def test_the_daemon_unit_is_hardened_and_waits_for_records_in_flight() -> None:
    unit = unit_settings("crm-bridge.service")
    for key, wanted in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "Restart": "on-failure",
        "KillSignal": "SIGTERM",
        "User": "crm-bridge",
    }.items():
        assert unit[key] == [wanted], key
    writable = one("crm-bridge.service", "ReadWritePaths").split()
    assert set(writable) == {"/var/lib/crm-bridge", "/var/log/crm-bridge"}
    assert unit["EnvironmentFile"] and unit["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    # A record in flight may wait out one request's timeout and its whole retry budget.
    worst = max(
        model.model_fields["timeout"].default + model.model_fields["retry_max_seconds"].default
        for model in (PerfexConfig, OnlyofficeConfig)
    )
    assert int(one("crm-bridge.service", "TimeoutStopSec")) > worst


def test_the_containerfile_copies_only_what_exists_and_runs_unprivileged() -> None:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
    assert re.search(r"^USER crm-bridge", text, re.M)
    assert re.search(r'^VOLUME \["/data"\]', text, re.M)
    assert re.search(r"^FROM python:3\.\d+-slim$", text, re.M)


def test_the_cron_line_runs_sync_as_the_service_user() -> None:
    (line,) = [
        line
        for line in (DEPLOY / "crm-bridge.cron").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    fields = line.split(None, 6)
    assert fields[5] == "crm-bridge"  # /etc/cron.d lines name the user
    assert "crm-bridge sync" in fields[6] and "flock -n" in fields[6]


def wait_for(predicate, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def log_entries(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_the_daemon_runs_under_the_units_command_line(rig) -> None:
    argv = shlex.split(one("crm-bridge.service", "ExecStart"))
    assert Path(argv[0]).name == "crm-bridge"  # the console script `pip install` puts there
    environment = dict(v.split("=", 1) for v in unit_settings("crm-bridge.service")["Environment"])
    assert set(environment) == {"CRM_BRIDGE_CONFIG"}
    rig.write_config('interval = 10\n\n[log]\nfile = "logs/crm-bridge.log"\nformat = "json"')
    log_file = rig.folder / "logs" / "crm-bridge.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", *argv[1:]],
        env={**os.environ, **rig.environ, "CRM_BRIDGE_CONFIG": str(rig.config_path)},
        cwd=rig.folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        cycled = wait_for(lambda: any("run_id" in e for e in log_entries(log_file)))
        # `systemctl reload` sends SIGHUP: the interval changes between cycles.
        rig.config_path.write_text(
            rig.config_path.read_text(encoding="utf-8").replace("interval = 10", "interval = 20"),
            encoding="utf-8",
        )
        process.send_signal(signal.SIGHUP)
        reloaded = wait_for(
            lambda: any("configuration reloaded" in e["message"] for e in log_entries(log_file))
        )
        process.send_signal(getattr(signal, one("crm-bridge.service", "KillSignal")))
        out, err = process.communicate(timeout=int(one("crm-bridge.service", "TimeoutStopSec")))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert cycled and reloaded, log_file.read_text(encoding="utf-8") if log_file.exists() else err
    assert process.returncode == 0, err
    assert "Traceback" not in err and out == ""
    entries = log_entries(log_file)
    for entry in entries:
        assert UTC_STAMP.match(entry["time"]) and entry["level"] in ("info", "warning")
        assert entry["logger"].startswith("bridge") and entry["message"]
    cycle = next(e for e in entries if e.get("cycle") == 1)
    assert cycle["message"].startswith("cycle 1: run 1 ok") and cycle["counts"]["created"] > 0
    reload = next(e for e in entries if "configuration reloaded" in e["message"])
    assert reload["applied"] == ["[sync].interval"]
    assert entries[-1]["message"].startswith("daemon stopped after")
    text = log_file.read_text(encoding="utf-8")
    for token in rig.environ.values():
        assert token not in text
    assert (rig.folder / "reports" / "run-000001-daemon.html").exists()
