"""A bridge wired to both simulators, for end-to-end tests of Perfex → ONLYOFFICE.

Each test gets its own sandbox (both servers on loopback, Perfex seeded), a config file in its
own temporary folder, and helpers to run the engine in-process or the real CLI. Retries wait
through a sleep that returns at once, so fault drills take no wall time.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bridge import cli
from bridge.config import BridgeConfig, load_config
from bridge.engine import RunRequest, SyncEngine
from bridge.sandbox import Sandbox, SandboxOptions
from bridge.sandbox.perfex_admin import PerfexAdmin
from bridge.sandbox.seed import SeedData, generate
from bridge.wiring import build_clients, engine_settings
from state import Ledger
from state.records import RunRecord

TODAY = date(2026, 11, 21)
DIRECTION = "perfex_to_onlyoffice"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Rig:
    def __init__(self, sandbox: Sandbox, folder: Path, data: SeedData) -> None:
        self.sandbox = sandbox
        self.folder = folder
        self.data = data
        self.perfex = sandbox.perfex_app
        self.onlyoffice = sandbox.onlyoffice_app
        self.admin = PerfexAdmin(sandbox.perfex_app)
        self.config_path = folder / "config.toml"
        self.environ = {
            "PERFEX_API_TOKEN": sandbox.perfex_token,
            "ONLYOFFICE_API_TOKEN": sandbox.onlyoffice_token,
        }
        self.write_config()

    # -- configuration ------------------------------------------------------------------

    def write_config(self, extra: str = "") -> None:
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
direction = "{DIRECTION}"
ledger = "ledger.db"
{extra}
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
        config = self.config()
        dry_run = bool(request.get("dry_run"))
        ledger = (
            Ledger.open_readonly(self.ledger_path) if dry_run else Ledger.open(self.ledger_path)
        )
        try:
            clients = build_clients(config, sleep=lambda seconds: None)
            engine = SyncEngine(
                perfex=clients.perfex,
                onlyoffice=clients.onlyoffice,
                ledger=ledger,
                settings=engine_settings(config),
            )
            return engine.run(RunRequest(command, DIRECTION, **request))  # type: ignore[arg-type]
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
        return {
            kind: sorted(name for name, n in Counter(names).items() if n > 1)
            for kind, names in found.items()
            if any(n > 1 for n in Counter(names).values())
        }


@pytest.fixture
def make_rig(tmp_path: Path):
    started: list[Sandbox] = []

    def make(invoices: int = 30, seed: int = 3, **options: object) -> Rig:
        sandbox = Sandbox(SandboxOptions(today=TODAY, **options)).start()  # type: ignore[arg-type]
        started.append(sandbox)
        sandbox.perfex.faults.slow_seconds = 0.01
        sandbox.onlyoffice.faults.slow_seconds = 0.01
        data = generate(seed=seed, invoices=invoices, today=TODAY)
        sandbox.seed_perfex(data)
        folder = tmp_path / f"rig{len(started)}"
        folder.mkdir()
        return Rig(sandbox, folder, data)

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def rig(make_rig) -> Rig:
    return make_rig()
