"""The two API simulators and what they share: loopback servers, faults, seeded data.

`Sandbox` starts a Perfex and an ONLYOFFICE simulator side by side, optionally seeded, and hands
back their base URLs and tokens. `crm-bridge sandbox`, `crm-bridge demo`, the end-to-end tests
and the benchmarks all start the simulators through it.

Nothing under `bridge.sandbox` imports the bridge's own code (`bridge.*` outside this package,
`mappings`, `state`): the simulators stand in for the remote systems and must not share the
client's assumptions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bridge.sandbox import credentials
from bridge.sandbox.seed import SeedData, generate
from bridge.sandbox.server import FaultInjector, SimApp, SimulatorServer

__all__ = ["Sandbox", "SandboxOptions", "SeedData", "generate"]
SIDES = ("both", "perfex", "onlyoffice")


@dataclass(frozen=True)
class SandboxOptions:
    """How the sandbox runs.

    token_seed          derive the tokens (and the ONLYOFFICE password) from this seed, so
                        they are the same every run; None: fresh random ones
    perfex_permissions  (feature, capability) pairs: the Perfex token then has permission
                        checks on and only these, like a token made in Perfex's admin UI
    admin_token         serve the edit endpoint (`bridge.sandbox.edits`) guarded by it
    """

    perfex_port: int = 0  # 0 = any free port
    onlyoffice_port: int = 0
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_seed: int = 0
    perfex_version: str = "2"
    onlyoffice_timezone: str = "UTC"
    today: date = field(default_factory=date.today)
    token_seed: int | None = None
    perfex_permissions: tuple[tuple[str, str], ...] | None = None
    admin_token: str | None = None


class Sandbox:
    """Both simulators on loopback. Use as a context manager, or call start() and stop()."""

    def __init__(self, options: SandboxOptions | None = None) -> None:
        # Imported here so that `bridge.sandbox.seed` and `.server` stay importable on their own.
        from bridge.sandbox.onlyoffice import OnlyofficeOptions, OnlyofficeSimulator
        from bridge.sandbox.perfex import PerfexSimulator

        self.options = options or SandboxOptions()
        opts = self.options
        seed = opts.token_seed
        self.perfex_app = PerfexSimulator(
            version=opts.perfex_version,
            today=opts.today,
            token_user=None if seed is None else credentials.perfex_token_user(seed),
            token_issued_at=None if seed is None else credentials.PERFEX_ISSUED_AT,
            permissions=_permission_table(opts.perfex_permissions),
        )
        self.onlyoffice_app = OnlyofficeSimulator(
            options=OnlyofficeOptions(
                timezone=opts.onlyoffice_timezone,
                password=None if seed is None else credentials.onlyoffice_password(seed),
                fixed_token=None if seed is None else credentials.onlyoffice_token(seed),
            )
        )
        self.perfex = SimulatorServer(
            self.perfex_app,
            name="perfex",
            port=opts.perfex_port,
            latency_ms=opts.latency_ms,
            faults=FaultInjector(opts.fault_rate, seed=opts.fault_seed),
            admin=self._edit_endpoint("perfex"),
        )
        self.onlyoffice = SimulatorServer(
            self.onlyoffice_app,
            name="onlyoffice",
            port=opts.onlyoffice_port,
            latency_ms=opts.latency_ms,
            faults=FaultInjector(opts.fault_rate, seed=opts.fault_seed + 1),
            admin=self._edit_endpoint("onlyoffice"),
        )

    def _edit_endpoint(self, side: str) -> SimApp | None:
        if self.options.admin_token is None:
            return None
        from bridge.sandbox.edits import EditEndpoint, OnlyofficeEdits, PerfexEdits

        edits = (
            PerfexEdits(self.perfex_app)
            if side == "perfex"
            else OnlyofficeEdits(self.onlyoffice_app)
        )
        return EditEndpoint(self.options.admin_token, edits)

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

    def seed(self, data: SeedData, sides: str = "both") -> None:
        """Seeds one side, or both as if someone had kept them in step by hand."""
        if sides not in SIDES:
            raise ValueError(f"sides must be one of {SIDES}, not {sides!r}")
        if sides in ("both", "perfex"):
            self.seed_perfex(data)
        if sides in ("both", "onlyoffice"):
            self.seed_onlyoffice(data)

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


def _permission_table(
    pairs: Iterable[tuple[str, str]] | None,
) -> dict[str, list[str]] | None:
    if pairs is None:
        return None
    table: dict[str, list[str]] = {}
    for feature, capability in pairs:
        table.setdefault(feature, []).append(capability)
    return table
