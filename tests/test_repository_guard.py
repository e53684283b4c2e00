"""The guard that keeps tests inside the repository notices a read beside it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tests._repository_guard import GUARD, REPO_ROOT


def test_a_file_beside_the_repository_is_caught_and_named() -> None:
    beside = REPO_ROOT.parent / "shared" / "data" / "elections" / "README.md"
    GUARD.take()
    # The audit event comes before the open, so a file that is missing here is caught too.
    with contextlib.suppress(OSError):
        beside.read_text()
    assert GUARD.take() == [str(beside)]


def test_listing_a_folder_beside_the_repository_is_caught() -> None:
    GUARD.take()
    with contextlib.suppress(OSError):
        os.listdir(REPO_ROOT.parent / "shared")
    assert GUARD.take() == [str(REPO_ROOT.parent / "shared")]


def test_the_repository_and_temporary_folders_are_allowed(tmp_path: Path) -> None:
    GUARD.take()
    (tmp_path / "scratch.txt").write_text("x")
    (REPO_ROOT / "tests" / "data" / "README.md").read_text()
    sorted((REPO_ROOT / "tests" / "data" / "elections").glob("*"))
    assert GUARD.take() == []
    assert not GUARD.allows("/home/someone/elections.blt")
    assert GUARD.allows(str(REPO_ROOT / "tests" / "data"))
