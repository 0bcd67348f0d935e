"""Fixtures for ONLYOFFICE → Perfex and two-way end-to-end tests: rigs seeded as asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from rigs import rig_factory


@pytest.fixture
def make_rig(tmp_path: Path):
    with rig_factory(tmp_path, "onlyoffice_to_perfex") as make:
        yield make
