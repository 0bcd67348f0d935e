"""What `crm-bridge sandbox` tells an operator: where the systems are, how to reach them.

Owns the text the sandbox prints when it starts: the two site addresses to paste into a
config (the sites, not endpoint URLs: the bridge adds `/api/...` itself), `export` lines for
both tokens, a complete `config.toml` (with `[perfex].currencies` for the currency ids the
seed created), what was pre-seeded and how, and how to edit an invoice by hand while it runs.

Must not: import the bridge's config code (the config text follows the documented keys), or
print anything but the sandbox's own, seed-derived credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bridge.sandbox import Sandbox
from bridge.sandbox.credentials import DEFAULT_ONLYOFFICE_PORT, DEFAULT_PERFEX_PORT
from bridge.sandbox.seed import SeedData

PERFEX_TOKEN_ENV = "PERFEX_API_TOKEN"
ONLYOFFICE_TOKEN_ENV = "ONLYOFFICE_API_TOKEN"


@dataclass(frozen=True)
class Seeded:
    """What the sandbox put where."""

    data: SeedData
    sides: str  # "both", "perfex" or "onlyoffice"
    seed: int

    @property
    def perfex_invoices(self) -> int:
        return len(self.data.invoices) if self.sides in ("both", "perfex") else 0

    @property
    def onlyoffice_invoices(self) -> int:
        if self.sides not in ("both", "onlyoffice"):
            return 0
        return sum(1 for invoice in self.data.invoices if invoice.onlyoffice.copied)


def config_toml(sandbox: Sandbox, direction: str = "perfex_to_onlyoffice") -> str:
    """A complete config for the running sandbox; tokens come from the environment."""
    ids = sandbox.perfex_app.currency_ids
    currencies = ", ".join(f"{code} = {ids[code]}" for code in sorted(ids, key=ids.get))  # type: ignore[arg-type]
    return (
        "# crm-bridge config for the sandbox; the tokens are read from the environment.\n"
        "[perfex]\n"
        f'url = "{sandbox.perfex_url}"\n'
        f'token_env = "{PERFEX_TOKEN_ENV}"\n'
        f"currencies = {{ {currencies} }}\n"
        'payment_modes = ["1"]\n'
        "\n"
        "[onlyoffice]\n"
        f'url = "{sandbox.onlyoffice_url}"\n'
        f'token_env = "{ONLYOFFICE_TOKEN_ENV}"\n'
        "\n"
        "[sync]\n"
        f'direction = "{direction}"\n'
        "interval = 300\n"
        'ledger = "ledger.db"\n'
    )


def write_config(sandbox: Sandbox, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config_toml(sandbox), encoding="utf-8")


def exports(sandbox: Sandbox) -> list[str]:
    return [
        f"export {PERFEX_TOKEN_ENV}={sandbox.perfex_token}",
        f"export {ONLYOFFICE_TOKEN_ENV}={sandbox.onlyoffice_token}",
    ]


def seeded_lines(seeded: Seeded) -> list[str]:
    mix = seeded.data.mix
    perfex, onlyoffice = seeded.perfex_invoices, seeded.onlyoffice_invoices
    lines = [f"Pre-seeded from seed {seeded.seed}, {mix} mix (see docs/sandbox.md):"]
    lines.append(f"  Perfex      {perfex} invoices" if perfex else "  Perfex      empty")
    if onlyoffice and perfex:
        kept_out = perfex - onlyoffice
        drafts = (
            "draft without a number yet is" if kept_out == 1 else "drafts without a number yet are"
        )
        note = f" ({kept_out} Perfex {drafts} not there)" if kept_out else ""
        lines.append(
            f"  ONLYOFFICE  {onlyoffice} invoices with the same numbers, as if kept in step "
            f"by hand{note}"
        )
    else:
        lines.append(
            f"  ONLYOFFICE  {onlyoffice} invoices" if onlyoffice else "  ONLYOFFICE  empty"
        )
    return lines


def describe(sandbox: Sandbox, seeded: Seeded, *, config_path: Path | None = None) -> list[str]:
    opts = sandbox.options
    extras = []
    if opts.latency_ms:
        extras.append(f"{opts.latency_ms:g} ms latency")
    if opts.fault_rate:
        extras.append(f"{opts.fault_rate:.0%} faults")
    head = "crm-bridge sandbox" + (f" ({', '.join(extras)})" if extras else "")
    lines = [
        head,
        "",
        f"Perfex      {sandbox.perfex_url}      (module 2.0.8 API at /api/...)",
        f"ONLYOFFICE  {sandbox.onlyoffice_url}      (API at /api/2.0/...)",
        f"            login {sandbox.onlyoffice_app.username} / {sandbox.onlyoffice_app.password}",
    ]
    if opts.perfex_permissions is not None:
        granted = ", ".join(f"{f}:{c}" for f, c in opts.perfex_permissions) or "nothing"
        lines.append(f"            the Perfex token may only: {granted}")
    lines += ["", *seeded_lines(seeded), "", "Paste into your shell:"]
    lines += [f"  {line}" for line in exports(sandbox)]
    lines.append("")
    if config_path is not None:
        lines.append(
            f"Config written to {config_path}; run: crm-bridge --config {config_path} check"
        )
    else:
        lines.append("config.toml (or start with --write-config PATH):")
        lines += [f"  {line}" if line else "" for line in config_toml(sandbox).splitlines()]
    lines += ["", *edit_hints(seeded, sandbox.perfex.port, sandbox.onlyoffice.port)]
    if opts.token_seed is not None:
        lines.append("The tokens derive from --seed: with the same ports, a config keeps working.")
    lines.append("Serving until Ctrl-C.")
    return lines


def edit_hints(seeded: Seeded, perfex_port: int, onlyoffice_port: int) -> list[str]:
    seed = "" if seeded.seed == 1 else f" --seed {seeded.seed}"
    example = next(
        (f"INV-{i.number:06d}" for i in seeded.data.invoices if i.onlyoffice.copied), None
    )
    if example is None:
        return []
    perfex = "" if perfex_port == DEFAULT_PERFEX_PORT else f" --port {perfex_port}"
    office = "" if onlyoffice_port == DEFAULT_ONLYOFFICE_PORT else f" --port {onlyoffice_port}"
    return [
        "Change an invoice as a person would, while the daemon runs (docs/sandbox.md):",
        f"  crm-bridge sandbox edit perfex {example}{seed}{perfex} --due-date 2027-01-31",
        f"  crm-bridge sandbox edit onlyoffice {example}{seed}{office} --quantity 1 3",
    ]
