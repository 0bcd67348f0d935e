"""Builds the running parts from a configuration: clients, mapping settings, the engine.

Kept apart from the CLI so that the demo, the benchmarks and the end-to-end tests assemble a
bridge exactly the way `crm-bridge sync` does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bridge.config import BridgeConfig
from bridge.config.sections import OnlyofficeConfig, PerfexConfig
from bridge.engine import EngineSettings, SyncEngine
from bridge.http import HttpClient, RateLimiter, RetryPolicy, Timeouts
from bridge.onlyoffice import OnlyofficeClient
from bridge.perfex import PerfexClient
from mappings.numbering import NumberFormat
from mappings.settings import MappingSettings
from mappings.status import OnlyofficeStatus, PerfexStatus
from state import Ledger


@dataclass(frozen=True)
class Clients:
    perfex: PerfexClient
    onlyoffice: OnlyofficeClient


def http_client(
    system: str,
    section: PerfexConfig | OnlyofficeConfig,
    sleep: Callable[[float], None] = time.sleep,
) -> HttpClient:
    limiter = None
    if section.rate_limit > 0:  # 0 means unlimited
        limiter = RateLimiter(section.rate_limit, burst=max(1, section.concurrency))
    return HttpClient(
        system,
        section.url,
        timeouts=Timeouts(connect=section.connect_timeout, read=section.timeout),
        retry=RetryPolicy(max_attempts=section.max_attempts, max_seconds=section.retry_max_seconds),
        rate_limiter=limiter,
        max_connections=max(section.concurrency, 2),
        sleep=sleep,
        use_env_proxies=section.use_env_proxies,
    )


def build_clients(config: BridgeConfig, sleep: Callable[[float], None] = time.sleep) -> Clients:
    """Both adapters; `sleep` is what retries wait with (tests pass one that returns at once)."""
    return Clients(build_perfex(config, sleep), build_onlyoffice(config, sleep))


def build_perfex(config: BridgeConfig, sleep: Callable[[float], None] = time.sleep) -> PerfexClient:
    return PerfexClient(
        http_client("perfex", config.perfex, sleep),
        config.perfex_token().get_secret_value(),
        version=config.perfex.version,
    )


def build_onlyoffice(
    config: BridgeConfig, sleep: Callable[[float], None] = time.sleep
) -> OnlyofficeClient:
    credentials = config.onlyoffice_credentials()
    return OnlyofficeClient(
        http_client("onlyoffice", config.onlyoffice, sleep),
        token=credentials.token.get_secret_value() if credentials.token else None,
        username=credentials.username,
        password=credentials.password.get_secret_value() if credentials.password else None,
    )


def mapping_settings(config: BridgeConfig) -> MappingSettings:
    mapping = config.mapping
    return MappingSettings(
        number_format=NumberFormat(mapping.number_format),
        perfex_to_onlyoffice_status={
            PerfexStatus[perfex.upper()]: OnlyofficeStatus[onlyoffice.upper()]
            for perfex, onlyoffice in mapping.status_perfex_to_onlyoffice.items()
        },
        onlyoffice_to_perfex_status={
            OnlyofficeStatus[onlyoffice.upper()]: PerfexStatus[perfex.upper()]
            for onlyoffice, perfex in mapping.status_onlyoffice_to_perfex.items()
            if perfex.upper() in _SETTABLE_PERFEX
        },
        default_terms=mapping.default_terms,
        default_due_days=mapping.default_due_days,
        language=config.onlyoffice.language,
        perfex_drafts=config.sync.perfex_drafts,
        perfex_currency_ids=dict(config.perfex.currencies),
        perfex_payment_modes=tuple(config.perfex.payment_modes),
        default_billing_street=config.perfex.default_billing_street,
        money_mismatch=mapping.money_mismatch,
        uncertain_taxes=mapping.uncertain_taxes,
    )


# Perfex sets paid, partially paid and overdue itself; the bridge may only ask for these.
_SETTABLE_PERFEX = frozenset({"UNPAID", "CANCELLED", "DRAFT"})


def engine_settings(config: BridgeConfig) -> EngineSettings:
    return EngineSettings(
        mapping=mapping_settings(config),
        conflict_policy=config.sync.conflict_policy,
        locked_invoices=config.sync.locked_invoices,
        on_mirror_edit=config.sync.on_mirror_edit,
        deep_pass_every=config.sync.deep_pass_every,
        deep_pass_budget=config.sync.deep_pass_budget,
        retry_backoff_max=config.sync.retry_backoff_max,
        safety_stop=config.sync.safety_stop,
        perfex_concurrency=config.perfex.concurrency,
        onlyoffice_concurrency=config.onlyoffice.concurrency,
    )


def open_ledger(config: BridgeConfig, *, dry_run: bool) -> Ledger:
    """A dry run reads the ledger without creating or changing it."""
    path = config.ledger_path
    return Ledger.open_readonly(path) if dry_run else Ledger.open(path)


def build_engine(
    config: BridgeConfig,
    ledger: Ledger,
    *,
    clients: Clients | None = None,
    stop: threading.Event | None = None,
) -> SyncEngine:
    clients = clients or build_clients(config)
    return SyncEngine(
        perfex=clients.perfex,
        onlyoffice=clients.onlyoffice,
        ledger=ledger,
        settings=engine_settings(config),
        stop=stop,
    )
