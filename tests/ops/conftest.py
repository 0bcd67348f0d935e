"""Fixtures for the operations tests: a sandbox rig with Perfex seeded (Perfex → ONLYOFFICE)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rigs import TODAY, Rig, rig_factory

from bridge.sandbox.seed import generate


@pytest.fixture
def make_rig(tmp_path: Path):
    with rig_factory(tmp_path, "perfex_to_onlyoffice") as make:

        def seeded(
            invoices: int = 8,
            seed: int = 3,
            sync: str = "",
            mix: str = "realistic",
            **options: object,
        ) -> Rig:
            data = generate(seed=seed, invoices=invoices, today=TODAY, mix=mix)
            return make(perfex=data, sync=sync, **options)

        yield seeded


@pytest.fixture
def rig(make_rig) -> Rig:
    return make_rig()
