"""Fixtures for the counting engine's tests: where the real election data live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def elections_path() -> Path:
    """The real elections the project carries (tests/data/elections), or where VECHE_ELECTIONS_DATA says."""
    override = os.environ.get("VECHE_ELECTIONS_DATA")
    path = Path(override) if override else REPO_ROOT / "tests" / "data" / "elections"
    if not path.is_dir():
        raise RuntimeError(
            f"real election data not found at {path}; set VECHE_ELECTIONS_DATA to the folder"
        )
    return path


@pytest.fixture(scope="session")
def elections() -> Path:
    return elections_path()
