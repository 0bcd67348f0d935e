"""The two API simulators and what they share: loopback servers, faults, seeded data.

`Sandbox` starts a Perfex and an ONLYOFFICE simulator side by side, optionally seeded, and hands
back their base URLs and tokens. `crm-bridge sandbox`, `crm-bridge demo`, the end-to-end tests
and the benchmarks all start the simulators through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bridge.sandbox.seed import SeedData, generate
from bridge.sandbox.server import FaultInjector, SimulatorServer

__all__ = ["Sandbox", "SandboxOptions", "SeedData", "generate"]


@dataclass(frozen=True)
class SandboxOptions:
    perfex_port: int = 0  # 0 = any free port
    onlyoffice_port: int = 0
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_seed: int = 0
    perfex_version: str = "2"
    onlyoffice_timezone: str = "UTC"
    today: date = field(default_factory=date.today)


class Sandbox:
    """Both simulators on loopback. Use as a context manager, or call start() and stop()."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        # Imported here so that `bridge.sandbox.seed` and `.server` stay importable on their own.
        from bridge.sandbox.onlyoffice import OnlyofficeOptions, OnlyofficeSimulator
        from bridge.sandbox.perfex import PerfexSimulator

        self.options = options or SandboxOptions()
        opts = self.options
        self.perfex_app = PerfexSimulator(version=opts.perfex_version, today=opts.today)
        self.onlyoffice_app = OnlyofficeSimulator(
            options=OnlyofficeOptions(timezone=opts.onlyoffice_timezone)
        )
        self.perfex = SimulatorServer(
            self.perfex_app,
            name="perfex",
            port=opts.perfex_port,
            latency_ms=opts.latency_ms,
            faults=FaultInjector(opts.fault_rate, seed=opts.fault_seed),
        )
        self.onlyoffice = SimulatorServer(
            self.onlyoffice_app,
            name="onlyoffice",
            port=opts.onlyoffice_port,
            latency_ms=opts.latency_ms,
            faults=FaultInjector(opts.fault_rate, seed=opts.fault_seed + 1),
        )

    @property
    def perfex_url(self) -> str:
        return self.perfex.base_url

    @property
    def onlyoffice_url(self) -> str:
        return self.onlyoffice.base_url

    @property
    def perfex_token(self) -> str:
        return self.perfex_app.token

    @property
    def onlyoffice_token(self) -> str:
        return self.onlyoffice_app.token

    def seed_perfex(self, data: SeedData) -> None:
        self.perfex_app.load(data)

    def seed_onlyoffice(self, data: SeedData) -> None:
        self.onlyoffice_app.load(data)

    def set_fault_rate(self, rate: float) -> None:
        self.perfex.faults.rate = rate
        self.onlyoffice.faults.rate = rate

    def start(self) -> Sandbox:
        self.perfex.start()
        self.onlyoffice.start()
        return self

    def stop(self) -> None:
        self.perfex.stop()
        self.onlyoffice.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
