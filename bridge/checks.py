"""`crm-bridge check`: is this installation ready to run? Every probe, read-only, one line each.

Owns the probes and how they are judged. Each probe reads one thing a run will need (Perfex:
the invoice list, one invoice in full, invoice and customer search, the customer list, the
items catalogue, taxes, payment modes; ONLYOFFICE: invoice filter, the invoice template,
currencies, taxes, products, contacts; the ledger: open it and take and roll back a write
transaction). A probe is **essential** when a run cannot work without it, or a **hint** when the
bridge copes without it (the Perfex items catalogue, tax list and payment modes; the Perfex
invoice search, which only runs that write Perfex use): a failing hint is a warning. Probing
goes on after a failure, so one run of `check` lists everything to fix. A Perfex 403
"necessay permissions" answer names the permission the token lacks (docs/perfex-api.md 1.2).

Exit code (`exit_code`): 0 when every essential probe passed; otherwise 3 for a configuration
problem, else 4 for a system that refused the credentials, a permission, or could not be
reached, else 5 for a ledger problem.

Must not: write to either system (only GETs are sent) or leave anything written in the ledger
(its probe rolls back); show a secret.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from bridge.config import BridgeConfig, OnlyofficeConfig, PerfexConfig
from bridge.errors import BridgeError, ConfigError, CredentialsRejected, Unreachable
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from bridge.perfex_answers import PERMISSION_MISSING
from bridge.wiring import build_onlyoffice, build_perfex
from state import Ledger, LedgerError

Status = Literal["ok", "warn", "fail"]
Tuning = TypeVar("Tuning", PerfexConfig, OnlyofficeConfig)
EXIT_CONFIG, EXIT_REMOTE, EXIT_LEDGER = 3, 4, 5
# A key no invoice, customer or product should contain: searches answer "nothing found", which
# still proves the token may search.
ABSENT_KEY = "crmbridgecheckprobe"
# `check` should answer within seconds, not wait out a run's full retry budget.
CHECK_ATTEMPTS, CHECK_RETRY_SECONDS = 2, 10.0
LEDGER_BUSY_SECONDS = 2.0


@dataclass(frozen=True)
class Finding:
    area: str  # "config", "Perfex", "ONLYOFFICE" or "ledger"
    status: Status
    text: str
    exit_code: int = 0  # for a failure: what it makes the whole check exit with


@dataclass(frozen=True)
class Probe:
    label: str
    read: Callable[[], str]  # returns what it found, in a few words
    essential: bool = True
    permission: tuple[str, str] | None = None  # Perfex (feature, capability)
    without: str = ""  # for a hint: what the bridge does without it
    v3_feature: str | None = None  # a `common` endpoint's feature on module 3.x


@dataclass
class _Seen:
    """What earlier probes found that later ones use."""

    newest_invoice: str | None = None
    version: str | None = None
    notes: list[Finding] = field(default_factory=list)


def run_checks(
    config: BridgeConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    busy_timeout: float = LEDGER_BUSY_SECONDS,
) -> list[Finding]:
    quick = _quick(config)
    findings = [Finding("config", "ok", f"{config.source}: valid")]
    findings += [Finding("config", "warn", warning) for warning in config.warnings]
    findings += _system("Perfex", lambda: build_perfex(quick, sleep), _perfex_probes, config)
    findings += _system(
        "ONLYOFFICE", lambda: build_onlyoffice(quick, sleep), _onlyoffice_probes, config
    )
    findings += ledger_findings(config.ledger_path, busy_timeout)
    return findings


def exit_code(findings: list[Finding]) -> int:
    codes = {f.exit_code for f in findings if f.status == "fail"}
    return next((code for code in (EXIT_CONFIG, EXIT_REMOTE, EXIT_LEDGER) if code in codes), 0)


def _quick(config: BridgeConfig) -> BridgeConfig:
    return config.model_copy(
        update={"perfex": _tuned(config.perfex), "onlyoffice": _tuned(config.onlyoffice)}
    )


def _tuned(section: Tuning) -> Tuning:
    return section.model_copy(
        update={
            "max_attempts": min(section.max_attempts, CHECK_ATTEMPTS),
            "retry_max_seconds": min(section.retry_max_seconds, CHECK_RETRY_SECONDS),
        }
    )


# -- running probes ----------------------------------------------------------------------


def _system(
    area: str,
    build: Callable[[], PerfexClient | OnlyofficeClient],
    probes: Callable[..., list[Probe]],
    config: BridgeConfig,
) -> list[Finding]:
    try:
        client = build()
    except ConfigError as error:  # a token variable that is not set, for instance
        return [Finding(area, "fail", str(error), EXIT_CONFIG)]
    seen = _Seen()
    findings: list[Finding] = []
    for probe in probes(client, config, seen):
        try:
            findings.append(Finding(area, "ok", f"{probe.label}: {probe.read()}"))
        except BridgeError as error:
            answered = any(finding.status == "ok" for finding in findings)
            findings.append(_judged(area, probe, error, seen))
            if _hopeless(error, answered):
                findings.append(Finding(area, "warn", "further probes skipped: fix the above"))
                break
    return findings + seen.notes


def _judged(area: str, probe: Probe, error: BridgeError, seen: _Seen) -> Finding:
    text = _permission_text(probe, error, seen) or f"{probe.label}: {error}"
    if not probe.essential:
        text = f"{text.rstrip('.')}; {probe.without}" if probe.without else text
        return Finding(area, "warn", text)
    code = EXIT_CONFIG if isinstance(error, ConfigError) else EXIT_REMOTE
    return Finding(area, "fail", text, code)


def _hopeless(error: BridgeError, answered: bool) -> bool:
    """Credentials refused or nothing reachable: every further probe would say the same.
    A page that is not the API's on one path, once other paths of the system have answered,
    is that path's problem (an install without the items controller, say), not the system's."""
    if isinstance(error, Unreachable):
        return error.status is None or not answered
    return isinstance(error, CredentialsRejected) and not _lacks_permission(error)


def _lacks_permission(error: BridgeError) -> bool:
    said = getattr(error, "remote_message", None) or ""
    return getattr(error, "status", None) == 403 and PERMISSION_MISSING in said


def _permission_text(probe: Probe, error: BridgeError, seen: _Seen) -> str | None:
    if probe.permission is None or not _lacks_permission(error):
        return None
    feature, capability = probe.permission
    if feature == "common":
        return _common_permission_text(probe, seen)
    return (
        f"{probe.label}: the token lacks the `{feature}` permission `{capability}`; "
        f"grant it in Perfex under Setup > API (docs/going-live.md lists every permission)"
    )


def _common_permission_text(probe: Probe, seen: _Seen) -> str:
    # Module 2.x checks /api/common/* against a feature `common` that its permission screen
    # never offers; module 3.x maps them to `taxes` and `payment_methods` (docs/perfex-api.md 1.2).
    if seen.version == "3" and probe.v3_feature:
        return f"{probe.label}: the token lacks the `{probe.v3_feature}` permission `get`"
    return (
        f"{probe.label}: API module 2.x checks this against a `common` permission its screen "
        "never offers; only a token with permissions disabled (or module 3.x) can read it"
    )


# -- Perfex ------------------------------------------------------------------------------


def _perfex_probes(client: PerfexClient, config: BridgeConfig, seen: _Seen) -> list[Probe]:
    def invoices() -> str:
        rows = client.list_invoices()
        seen.version = client.detect_version()
        ids = [int(row["id"]) for row in rows if str(row.get("id", "")).isdigit()]
        seen.newest_invoice = str(max(ids)) if ids else None
        return f"{len(rows)} invoices, REST API module {seen.version}.x"

    def one_invoice() -> str:
        if seen.newest_invoice is None:
            return "no invoice to read yet"
        invoice = client.get_invoice(seen.newest_invoice)
        return f"invoice {seen.newest_invoice} read with {len(invoice.get('items') or [])} lines"

    def payment_modes() -> str:
        known = {str(row.get("id")) for row in client.payment_modes()}
        unknown = sorted(set(config.perfex.payment_modes) - known)
        if unknown:
            seen.notes.append(
                Finding(
                    "Perfex",
                    "warn",
                    f"[perfex].payment_modes names {', '.join(unknown)}, which Perfex does not "
                    "list as an active invoice payment mode",
                )
            )
        return f"{len(known)} modes"

    perfex_written = config.sync.direction != "perfex_to_onlyoffice"
    return [
        Probe("invoices list", invoices, permission=("invoices", "get")),
        Probe("one invoice in full", one_invoice, permission=("invoices", "get")),
        Probe(
            "invoice search",
            lambda: _found(client.search_invoices(ABSENT_KEY)),
            # Only a write to Perfex looks its invoices up by number (the id of a create).
            essential=perfex_written,
            permission=("invoices", "search_get"),
            without="only needed once [sync].direction writes to Perfex",
        ),
        Probe(
            "customers list",
            lambda: f"{len(client.list_customers())} customers",
            permission=("customers", "get"),
        ),
        Probe(
            "customer search",
            lambda: _found(client.search_customers(ABSENT_KEY)),
            permission=("customers", "search_get"),
        ),
        Probe(
            "items catalogue",
            lambda: f"{len(client.list_items())} items",
            essential=False,
            permission=("items", "get"),
            without="the bridge then infers line taxes without the catalogue",
        ),
        Probe(
            "taxes (common/tax_data)",
            lambda: f"{len(client.tax_data())} taxes",
            essential=False,
            permission=("common", "get"),
            without="the bridge then takes candidate taxes from the items catalogue only",
            v3_feature="taxes",
        ),
        Probe(
            "payment modes (common/payment_mode)",
            payment_modes,
            essential=False,
            permission=("common", "get"),
            without="[perfex].payment_modes cannot be checked against Perfex",
            v3_feature="payment_methods",
        ),
    ]


def _found(rows: list[dict]) -> str:
    return "allowed" if not rows else f"allowed ({len(rows)} rows)"


# -- ONLYOFFICE --------------------------------------------------------------------------


def _onlyoffice_probes(client: OnlyofficeClient, config: BridgeConfig, seen: _Seen) -> list[Probe]:
    def sign_in_and_filter() -> str:
        client.list_invoices(filterValue=ABSENT_KEY)
        return "signed in, invoice list allowed"

    def sample() -> str:
        template = client.invoice_sample()
        currency = (template.get("currency") or {}).get("abbreviation", "?")
        return f"next number {template.get('number') or '(not generated)'}, default {currency}"

    def currencies() -> str:
        codes = {str(row.get("abbreviation", "")).upper() for row in client.currencies()}
        missing = sorted(set(config.perfex.currencies) - codes)
        if missing:
            seen.notes.append(
                Finding(
                    "ONLYOFFICE",
                    "warn",
                    f"currencies {', '.join(missing)} of [perfex].currencies are unknown to "
                    "ONLYOFFICE: invoices in them will fail",
                )
            )
        return f"{len(codes)} currencies"

    def taxes() -> str:
        rows = client.list_taxes()
        if rows and not rows[0].get("canEdit"):
            seen.notes.append(_not_admin())
        return f"{len(rows)} taxes"

    return [
        Probe("invoice filter", sign_in_and_filter),
        Probe("invoice template (invoice/sample)", sample),
        Probe("currencies (settings/currency)", currencies),
        Probe("taxes (invoice/tax)", taxes),
        Probe(
            "products (invoiceitem/filter)",
            lambda: _found(client.list_items(ABSENT_KEY)),
        ),
        Probe("contacts (contact/filter)", lambda: _found(client.find_contacts(ABSENT_KEY))),
    ]


def _not_admin() -> Finding:
    return Finding(
        "ONLYOFFICE",
        "warn",
        "the account is not a CRM administrator: creating products and taxes will be refused; "
        "make it a CRM admin or create them by hand (docs/going-live.md)",
    )


# -- the ledger --------------------------------------------------------------------------


def ledger_findings(path: Path, busy_timeout: float = LEDGER_BUSY_SECONDS) -> list[Finding]:
    if not path.exists():
        return [_future_ledger(path)]
    try:
        ledger = Ledger.open(path, busy_timeout=busy_timeout)
    except LedgerError as error:
        return [Finding("ledger", "fail", str(error), EXIT_LEDGER)]
    try:
        return _open_ledger_findings(ledger, path)
    finally:
        ledger.close()


def _open_ledger_findings(ledger: Ledger, path: Path) -> list[Finding]:
    holder = _holder(ledger)
    try:
        ledger.probe_write()
    except LedgerError as error:
        held = f" (the runner lock is held by {holder})" if holder else ""
        return [Finding("ledger", "fail", f"{error}{held}", EXIT_LEDGER)]
    findings = [Finding("ledger", "ok", f"{path}: readable and writable")]
    if holder:
        findings.append(
            Finding(
                "ledger",
                "warn",
                f"held now by {holder}: a run started meanwhile is refused "
                "(a lock whose process is gone is taken over)",
            )
        )
    return findings


def _holder(ledger: Ledger) -> str | None:
    try:
        holder = ledger.lock_holder()
    except LedgerError:
        return None
    return holder.describe() if holder else None


def _future_ledger(path: Path) -> Finding:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK | os.X_OK):
        return Finding("ledger", "ok", f"{path}: not there yet, will be created by the first run")
    return Finding(
        "ledger",
        "fail",
        f"{path}: cannot be created, {folder} is not writable for this user; "
        "fix the folder's permissions or point [sync].ledger elsewhere",
        EXIT_LEDGER,
    )


# -- printing ----------------------------------------------------------------------------

SYMBOLS = {"ok": "\u2713", "warn": "!", "fail": "\u2717"}
WORDS = {"ok": "ok", "warn": "warn", "fail": "FAIL"}


def render(findings: list[Finding], *, encoding: str | None) -> list[str]:
    """One line per finding: ✓/!/✗ when the output can show them, ok/warn/FAIL otherwise."""
    marks = SYMBOLS if _can_show(encoding) else WORDS
    width = max(len(mark) for mark in marks.values())
    return [f"{marks[f.status]:<{width}} {f.area:<10} {f.text}" for f in findings]


def summary(findings: list[Finding]) -> str:
    failed = sum(f.status == "fail" for f in findings)
    warned = sum(f.status == "warn" for f in findings)
    if failed:
        return f"{failed} essential check(s) failed and {warned} warning(s): fix the FAIL lines."
    if warned:
        return f"Ready to run, with {warned} warning(s) worth reading."
    return "Ready to run."


def _can_show(encoding: str | None) -> bool:
    try:
        "".join(SYMBOLS.values()).encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True
