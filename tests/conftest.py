"""Shared fixtures. Real BPS data live in ../shared/data beside the checkout: tests that
read them skip when it is absent on a user's machine and fail when it is absent in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of real reference data; skip locally when missing, fail in CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"shared reference data missing at {SHARED_DATA} (required in CI)")
        pytest.skip("shared reference data not present beside the checkout")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO
