"""Fixtures for bank tests: a bank service on a temporary SQLite database and state dir."""

from __future__ import annotations

import numpy as np
import pytest

from seawall.banks.flood import FloodGuard
from seawall.banks.service import BankService
from seawall.storage.base import make_engine


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(tmp_path, clock) -> BankService:
    engine = make_engine(f"sqlite:///{tmp_path / 'seawall.db'}")
    # Small index thresholds so a test's few hundred hashes use key tables and segments.
    return BankService(engine, tmp_path / "home", flood=FloodGuard(clock=clock),
                       reload_check_s=0.0,
                       index_options={"delta_limit": 200, "mih_min": 100, "max_segments": 3})


@pytest.fixture
def rng():
    return np.random.default_rng(42)
