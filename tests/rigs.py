"""A bridge wired to both simulators, shared by the end-to-end tests.

A `Rig` is one sandbox (both servers on loopback, seeded as the test asks), a config file in its
own folder, the people who edit each system by hand, and ways to run the engine in-process or
the real CLI. Retries wait through a sleep that returns at once, so fault drills take no wall
time. `rig_factory` builds rigs for a test and stops their servers afterwards.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bridge import cli
from bridge.config import BridgeConfig, load_config
from bridge.engine import RunRequest, SyncEngine
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.onlyoffice_admin import OnlyofficeAdmin
from bridge.sandbox.perfex_admin import PerfexAdmin
from bridge.sandbox.seed import SeedData
from bridge.wiring import build_clients, engine_settings
from state import Ledger
from state.records import RunRecord

TODAY = date(2026, 11, 21)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Rig:
    def __init__(
        self,
        sandbox: Sandbox,
        folder: Path,
        *,
        direction: str,
        sync: str = "",
        data: SeedData | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.folder = folder
        self.direction = direction
        self.data = data
        self.perfex = sandbox.perfex_app
        self.onlyoffice = sandbox.onlyoffice_app
        self.perfex_admin = PerfexAdmin(sandbox.perfex_app)
        self.onlyoffice_admin = OnlyofficeAdmin(sandbox.onlyoffice_app)
        self.config_path = folder / "config.toml"
        self.environ = {
            "PERFEX_API_TOKEN": sandbox.perfex_token,
            "ONLYOFFICE_API_TOKEN": sandbox.onlyoffice_token,
        }
        self.write_config(sync)

    # -- configuration ------------------------------------------------------------------

    def write_config(self, sync: str = "") -> None:
        """The config file; `sync` adds lines to its [sync] table."""
        currencies = ", ".join(
            f"{code} = {ident}" for code, ident in self.perfex.currency_ids.items()
        )
        self.config_path.write_text(
            f"""
[perfex]
url = "{self.sandbox.perfex_url}"
currencies = {{ {currencies} }}
max_attempts = 6

[onlyoffice]
url = "{self.sandbox.onlyoffice_url}"
max_attempts = 6

[sync]
direction = "{self.direction}"
ledger = "ledger.db"
{sync}
""",
            encoding="utf-8",
        )

    def config(self) -> BridgeConfig:
        return load_config(self.config_path, self.environ)

    @property
    def ledger_path(self) -> Path:
        return self.folder / "ledger.db"

    # -- running ------------------------------------------------------------------------

    def run(self, command: str = "sync", **request: object) -> RunRecord:
        """One engine run in-process; a dry run opens the ledger read-only, as the CLI does."""
        config = self.config()
        dry_run = bool(request.get("dry_run"))
        path = self.ledger_path
        ledger = Ledger.open_readonly(path) if dry_run else Ledger.open(path)
        try:
            clients = build_clients(config, sleep=lambda seconds: None)
            engine = SyncEngine(
                perfex=clients.perfex,
                onlyoffice=clients.onlyoffice,
                ledger=ledger,
                settings=engine_settings(config),
            )
            return engine.run(RunRequest(command, self.direction, **request))  # type: ignore[arg-type]
        finally:
            ledger.close()

    def cli(self, *args: str, monkeypatch: pytest.MonkeyPatch) -> CliResult:
        for name, value in self.environ.items():
            monkeypatch.setenv(name, value)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["--config", str(self.config_path), *args])
        return CliResult(code, out.getvalue(), err.getvalue())

    def clear_logs(self) -> None:
        self.sandbox.perfex.request_log.clear()
        self.sandbox.onlyoffice.request_log.clear()

    def writes(self) -> list[str]:
        logs = (self.sandbox.perfex.request_log, self.sandbox.onlyoffice.request_log)
        return [f"{e.method} {e.path}" for log in logs for e in log.writes()]

    # -- what the two systems hold ------------------------------------------------------

    def perfex_invoices(self) -> dict[int, object]:
        return dict(self.perfex.store.invoices)

    def onlyoffice_by_number(self) -> dict[str, object]:
        return {inv.number: inv for inv in self.onlyoffice.store.invoices.values()}

    def duplicates(self) -> dict[str, list[str]]:
        """Anything ONLYOFFICE holds twice: invoice numbers, companies, products, taxes."""
        store = self.onlyoffice.store
        found = {
            "invoices": [inv.number for inv in store.invoices.values()],
            "companies": [c.company_name for c in store.contacts.values() if c.is_company],
            "items": [item.title for item in store.items.values()],
            "taxes": [tax.name for tax in store.taxes.values()],
        }
        twice = {
            kind: sorted(n for n, k in Counter(names).items() if k > 1)
            for kind, names in found.items()
        }
        return {kind: names for kind, names in twice.items() if names}


RigFactory = Callable[..., Rig]


@contextlib.contextmanager
def rig_factory(tmp_path: Path, default_direction: str) -> Iterator[RigFactory]:
    """Builds rigs: `make(perfex=data, onlyoffice=data, direction=..., sync=..., **sandbox)`."""
    started: list[Sandbox] = []

    def make(
        *,
        perfex: SeedData | None = None,
        onlyoffice: SeedData | None = None,
        direction: str = default_direction,
        sync: str = "",
        **options: object,
    ) -> Rig:
        sandbox = Sandbox(SandboxOptions(today=TODAY, **options)).start()  # type: ignore[arg-type]
        started.append(sandbox)
        sandbox.perfex.faults.slow_seconds = 0.005
        sandbox.onlyoffice.faults.slow_seconds = 0.005
        if perfex is not None:
            sandbox.seed_perfex(perfex)
        if onlyoffice is not None:
            sandbox.seed_onlyoffice(onlyoffice)
        folder = tmp_path / f"rig{len(started)}"
        folder.mkdir()
        return Rig(sandbox, folder, direction=direction, sync=sync, data=perfex or onlyoffice)

    try:
        yield make
    finally:
        for sandbox in started:
            sandbox.stop()
