"""Fixtures for the adapter tests: a fake clock and an HttpClient factory that never sleeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from adapter_fakes import FIXED_NOW, ONLYOFFICE_URL, PERFEX_URL, FakeClock, TopOfRange

from bridge.http import HttpClient, RetryPolicy


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_http(clock: FakeClock) -> Callable[..., HttpClient]:
    def build(system: str = "perfex", base_url: str | None = None, **options: Any) -> HttpClient:
        url = base_url or (PERFEX_URL if system == "perfex" else ONLYOFFICE_URL)
        options.setdefault("sleep", clock.sleep)
        options.setdefault("clock", clock.monotonic)
        options.setdefault("rng", TopOfRange())
        options.setdefault("now", lambda: FIXED_NOW)
        options.setdefault("retry", RetryPolicy())
        return HttpClient(system, url, **options)

    return build
