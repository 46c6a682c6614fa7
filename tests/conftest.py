"""Shared fixtures: a small text model trained in seconds, and an isolated SEAWALL_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own state directory; nothing leaks into the working tree."""
    if "SEAWALL_HOME" not in os.environ or os.environ.get("SEAWALL_TEST_KEEP_HOME") != "1":
        monkeypatch.setenv("SEAWALL_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory) -> Path:
    """A fast-tier-only model trained on the project's seed corpus (no shared data needed)."""
    from seawall.training.corpus import load_seed
    from seawall.training.train import Recipe, train

    out = tmp_path_factory.mktemp("small-model")
    train(load_seed(), out, recipe=Recipe(bits=15, encoder=False), version="test-small")
    return out
