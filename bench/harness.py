"""What every bridge benchmark shares: simulators here, the real `crm-bridge` as a child process.

A benchmark serves both simulators in its own process (seeded from `bridge.sandbox.seed`),
writes a config file, and runs `python -m bridge --config ... COMMAND` as a child, exactly as an
operator would. It talks to the bridge only through that command line, its config and its JSON
report, so the same scripts measure whatever engine the bridge has. What is measured:

- the child's CPU (user + system) and peak resident memory, from `os.wait4` of that child;
- wall time, and the simulators' CPU in this process (for context: they share the machine);
- every request each simulator received, split into reads and writes and by endpoint.

Why a launcher: on Linux a child's peak-memory figure starts at the memory its parent had when
it was forked (the high-water mark survives exec), so a bridge started from a process holding
10,000 simulated invoices would report the simulators' memory as its own. The launcher is a
small Python process started before anything is loaded here; it starts every bridge run and
reports that run's `wait4` figures. Its own peak is printed, since it is the lowest figure a
child can report.

Bridge modules are imported only inside `Bench`, after the launcher has started. What is
printed, and the careful client's floor, are in `figures.py`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the checkout whose bridge is measured
if str(ROOT) not in sys.path:  # the simulators here come from the same checkout as the bridge
    sys.path.insert(1, str(ROOT))
TODAY = date(2026, 11, 21)
WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})

_LAUNCHER = r"""
import json, os, resource, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["stdout"], "wb") as out, open(job["stderr"], "wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(job["argv"], env=job["env"], cwd=job["cwd"],
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"exit": child.returncode, "wall": wall, "user": usage.ru_utime,
                      "sys": usage.ru_stime, "peak_kib": usage.ru_maxrss,
                      "launcher_peak_kib": own}), flush=True)
"""


# `crm-bridge` under cProfile on every thread (each with its own CPU clock), for `--profile`:
# python -c PROFILED STATS_PATH CLI_ARGS...; the stats of all threads are merged at exit.
_PROFILED = r"""
import atexit, cProfile, pstats, runpy, sys, threading, time
out, sys.argv = sys.argv[1], ["crm-bridge", *sys.argv[2:]]
profiles = [cProfile.Profile(time.thread_time)]
thread_run = threading.Thread.run
def profiled_run(self):
    profile = cProfile.Profile(time.thread_time)
    profiles.append(profile)
    profile.runcall(thread_run, self)
threading.Thread.run = profiled_run
def dump():
    profiles[0].disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    stats.dump_stats(out)
atexit.register(dump)
profiles[0].enable()
runpy.run_module("bridge", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class ChildRun:
    """One `crm-bridge` run as the launcher saw it."""

    args: tuple[str, ...]
    exit_code: int
    wall: float
    user: float
    system: float
    peak_kib: int
    launcher_peak_kib: int
    stderr: str

    @property
    def cpu(self) -> float:
        return self.user + self.system


class Launcher:
    """Starts bridge runs from a process that holds nothing else (see the module docstring)."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: Sequence[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
        out, err = cwd / "bridge.out", cwd / "bridge.err"
        job = {
            "argv": list(argv),
            "env": env,
            "cwd": str(cwd),
            "stdout": str(out),
            "stderr": str(err),
        }
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(job) + "\n")
        self._process.stdin.flush()
        answer = json.loads(self._process.stdout.readline())
        answer["stderr"] = err.read_text(encoding="utf-8", errors="replace")
        return answer

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)


@dataclass(frozen=True)
class Measured:
    """A measured run: the child's figures, the requests it made, and its report."""

    run: ChildRun
    simulators_cpu: float
    perfex: tuple[Any, ...]  # the simulators' LoggedRequest entries
    onlyoffice: tuple[Any, ...]
    report: dict[str, Any]
    onlyoffice_status_before: dict[int, int] = field(default_factory=dict)
    onlyoffice_status_after: dict[int, int] = field(default_factory=dict)

    def invoice_actions(self) -> Counter[str]:
        """Invoice records of the report by action (`unchanged` ones may be left out)."""
        return Counter(r["action"] for r in self.report.get("records", []) if _is_invoice(r))

    def written_invoices(self) -> list[dict[str, Any]]:
        return [
            r
            for r in self.report.get("records", [])
            if _is_invoice(r) and r["action"] in ("created", "updated")
        ]

    def created(self, kind: str) -> int:
        records = self.report.get("records", [])
        return sum(1 for r in records if r.get("kind") == kind and r["action"] == "created")


class Bench:
    """Both simulators on loopback, a config folder, and the runs of one scenario."""

    def __init__(
        self,
        launcher: Launcher,
        *,
        latency_ms: float,
        concurrency: int,
        perfex_version: str = "2",
        direction: str = "perfex_to_onlyoffice",
    ) -> None:
        from bridge.sandbox import Sandbox, SandboxOptions

        self.launcher = launcher
        self.latency_ms = latency_ms
        self.perfex_version = perfex_version
        options = SandboxOptions(today=TODAY, perfex_version=perfex_version)
        self.sandbox = Sandbox(options).start()  # no latency while seeding and setting up
        self.folder = Path(tempfile.mkdtemp(prefix="crm-bridge-bench-"))
        self.config = self.folder / "config.toml"
        self._write_config(direction, concurrency)

    # -- set-up ---------------------------------------------------------------------------

    def seed(self, side: str, invoices: int, seed: int) -> float:
        """Seeds `side` ("perfex" or "onlyoffice") with generated invoices; seconds taken."""
        from bridge.sandbox.seed import generate

        started = time.perf_counter()
        data = generate(seed=seed, invoices=invoices, today=TODAY)
        getattr(self.sandbox, f"seed_{side}")(data)
        return time.perf_counter() - started

    def set_up(self, *args: str) -> ChildRun:
        """A run that prepares the scenario: no added latency, not reported as a figure."""
        run = self._launch(args, latency_ms=0.0)
        if run.exit_code not in (0, 1):
            raise SystemExit(f"set-up `crm-bridge {' '.join(args)}` failed:\n{run.stderr}")
        return run

    def perfex_admin(self) -> Any:
        from bridge.sandbox.perfex_admin import PerfexAdmin

        return PerfexAdmin(self.sandbox.perfex_app)

    def onlyoffice_admin(self) -> Any:
        from bridge.sandbox.onlyoffice_admin import OnlyofficeAdmin

        return OnlyofficeAdmin(self.sandbox.onlyoffice_app)

    # -- the measured run -----------------------------------------------------------------

    def measure(self, *args: str, profile: Path | None = None) -> Measured:
        """The scenario's run. With `profile`, it runs under cProfile (all threads) and writes
        its stats there: its CPU figure then includes the profiler's own cost."""
        for server in (self.sandbox.perfex, self.sandbox.onlyoffice):
            server.request_log.clear()
        before = self._onlyoffice_statuses()
        own = _own_cpu()
        run = self._launch(args, latency_ms=self.latency_ms, profile=profile)
        simulators_cpu = _own_cpu() - own
        if run.exit_code not in (0, 1):
            raise SystemExit(f"`crm-bridge {' '.join(args)}` exited {run.exit_code}:\n{run.stderr}")
        return Measured(
            run=run,
            simulators_cpu=simulators_cpu,
            perfex=tuple(self.sandbox.perfex.request_log.entries()),
            onlyoffice=tuple(self.sandbox.onlyoffice.request_log.entries()),
            report=self.latest_report(),
            onlyoffice_status_before=before,
            onlyoffice_status_after=self._onlyoffice_statuses(),
        )

    def latest_report(self) -> dict[str, Any]:
        result = subprocess.run(
            self._argv("report", "latest", "--format", "json"),
            env=self._environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    def close(self) -> None:
        self.sandbox.stop()

    # -- plumbing -------------------------------------------------------------------------

    def _launch(
        self, args: Sequence[str], latency_ms: float, profile: Path | None = None
    ) -> ChildRun:
        for server in (self.sandbox.perfex, self.sandbox.onlyoffice):
            server.latency_ms = latency_ms
        argv = self._argv(*args)
        if profile is not None:
            argv[1:3] = ["-c", _PROFILED, str(profile.resolve())]
        answer = self.launcher.run(argv, self._environment(), self.folder)
        return ChildRun(
            args=tuple(args),
            exit_code=answer["exit"],
            wall=answer["wall"],
            user=answer["user"],
            system=answer["sys"],
            peak_kib=answer["peak_kib"],
            launcher_peak_kib=answer["launcher_peak_kib"],
            stderr=answer["stderr"],
        )

    def _argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "bridge", "--config", str(self.config), *args]

    def _environment(self) -> dict[str, str]:
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        return {
            **os.environ,
            "PYTHONPATH": path,
            "PERFEX_API_TOKEN": self.sandbox.perfex_token,
            "ONLYOFFICE_API_TOKEN": self.sandbox.onlyoffice_token,
        }

    def _write_config(self, direction: str, concurrency: int) -> None:
        ids = self.sandbox.perfex_app.currency_ids
        currencies = ", ".join(f"{code} = {ident}" for code, ident in ids.items())
        self.config.write_text(
            f"""
[perfex]
url = "{self.sandbox.perfex_url}"
currencies = {{ {currencies} }}
concurrency = {concurrency}

[onlyoffice]
url = "{self.sandbox.onlyoffice_url}"
concurrency = {concurrency}

[sync]
direction = "{direction}"
ledger = "ledger.db"
""",
            encoding="utf-8",
        )

    def _onlyoffice_statuses(self) -> dict[int, int]:
        store = self.sandbox.onlyoffice_app.store
        with store.lock:
            return {ident: int(inv.status) for ident, inv in store.invoices.items()}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _is_invoice(record: dict[str, Any]) -> bool:
    return record.get("kind", "invoice") == "invoice"
