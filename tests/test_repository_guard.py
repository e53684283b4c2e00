"""The guard that keeps tests inside the repository notices a read beside it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from tests._repository_guard import GUARD, REPO_ROOT

#: The folder beside the project the tests once read from. The tests below only hand its
#: name to the guard, as the audit hook would; nothing there is opened.
BESIDE = REPO_ROOT.parent / "shared"


def test_a_file_beside_the_repository_is_caught_and_named() -> None:
    GUARD.take()
    GUARD.audit("open", (str(BESIDE / "data" / "elections" / "README.md"), "r", 0))
    GUARD.audit("os.listdir", (BESIDE,))
    assert GUARD.take() == [str(BESIDE / "data" / "elections" / "README.md"), str(BESIDE)]


def test_the_audit_hook_sees_a_real_open_outside_the_allowed_places() -> None:
    probe = Path("/veche-guard-probe") / "elections.blt"  # never there
    GUARD.take()
    with contextlib.suppress(OSError):  # the audit event comes before the open fails
        probe.read_text()
    with contextlib.suppress(OSError):
        os.listdir(probe.parent)
    assert GUARD.take() == [str(probe), str(probe.parent)]


def test_the_repository_and_temporary_folders_are_allowed(tmp_path: Path) -> None:
    GUARD.take()
    (tmp_path / "scratch.txt").write_text("x")
    (REPO_ROOT / "tests" / "data" / "README.md").read_text()
    sorted((REPO_ROOT / "tests" / "data" / "elections").glob("*"))
    assert GUARD.take() == []
    assert not GUARD.allows("/home/someone/elections.blt")
    assert GUARD.allows(str(REPO_ROOT / "tests" / "data"))
