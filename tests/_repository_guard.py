"""A pytest plugin that fails any test reading files outside the repository: a clone must be enough.

Tests once read real elections from a folder beside the project, which a fresh clone does not
have. An audit hook (PEP 578) sees every file the test process opens or lists; a test, or a test
module's collection, that touched a path outside the allowed places fails and names the path.

Allowed: the repository, temporary folders, ``VECHE_ELECTIONS_DATA`` (the documented override),
the installed Python and its packages, the operating system's folders, and the per-user cache and
configuration folders that libraries keep for themselves (matplotlib's font cache) — but never
the ``shared`` folder beside the project, where the data used to come from. Other
processes (the servers and Chromium the tests start) are not watched: they read what they are given.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Audit events that name a path about to be opened or listed.
_PATH_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "glob.glob"})

#: The folder beside the project that its tests once read real elections from: refused even
#: when a clone lies in an allowed place (a temporary folder), as in CI.
_BESIDE = os.path.join(os.path.dirname(REPO_ROOT), "shared")

_SYSTEM_FOLDERS = (
    "/usr",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/run",
)


def _allowed_roots() -> tuple[str, ...]:
    home = Path.home()
    roots = [
        str(REPO_ROOT),
        tempfile.gettempdir(),
        "/tmp",
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        *sysconfig.get_paths().values(),
        *site.getsitepackages(),
        site.getusersitepackages(),
        os.environ.get("XDG_CACHE_HOME", str(home / ".cache")),
        os.environ.get("XDG_CONFIG_HOME", str(home / ".config")),
        # The user's own fonts, which matplotlib lists when it first builds its font cache
        # (on a new machine, so on CI): the machine's, not a test's data.
        os.path.join(os.environ.get("XDG_DATA_HOME", str(home / ".local" / "share")), "fonts"),
        str(home / ".fonts"),
        *_SYSTEM_FOLDERS,
    ]
    override = os.environ.get("VECHE_ELECTIONS_DATA")
    if override:
        roots.append(override)
    # realpath: the interpreter may live behind a symbolic link (pyenv, a venv's lib64).
    return tuple({os.path.realpath(root) for root in roots if root})


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


class RepositoryGuard:
    """Collects the paths outside the allowed places that this process opened or listed."""

    def __init__(self) -> None:
        self._roots = _allowed_roots()
        self._outside: list[str] = []
        self._lock = threading.Lock()

    def allows(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        override = os.environ.get("VECHE_ELECTIONS_DATA")
        if override and _within(absolute, os.path.abspath(override)):
            return True
        if _within(absolute, _BESIDE):
            return False
        return any(
            absolute == root or absolute.startswith(root + os.sep) for root in self._roots
        ) or any(
            os.path.realpath(absolute) == root
            or os.path.realpath(absolute).startswith(root + os.sep)
            for root in self._roots
        )

    def audit(self, event: str, args: tuple[object, ...]) -> None:
        if event not in _PATH_EVENTS or not args:
            return
        target = args[0]
        if isinstance(target, int) or target is None:  # an open file descriptor, or the cwd
            return
        try:
            path = os.fsdecode(target)  # type: ignore[arg-type]
        except TypeError:
            return
        if not self.allows(path):
            with self._lock:
                self._outside.append(os.path.abspath(path))

    def take(self) -> list[str]:
        """The paths seen since the last call, each once, in the order first seen."""
        with self._lock:
            seen, self._outside = self._outside, []
        return list(dict.fromkeys(seen))


GUARD = RepositoryGuard()
sys.addaudithook(GUARD.audit)  # a hook cannot be removed; it lives as long as the test process


def _explain(paths: list[str]) -> str:
    listed = "\n".join(f"  {path}" for path in paths[:20])
    return (
        "read outside the repository (a fresh clone has none of these; put test data under "
        f"tests/data/):\n{listed}"
    )


def _fail_if_outside(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Fail a report whose test, or module's collection, read outside the repository."""
    paths = GUARD.take()
    if paths and not report.failed:
        report.outcome = "failed"
        report.longrepr = _explain(paths)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    outcome = yield
    _fail_if_outside(outcome.get_result())  # type: ignore[attr-defined]
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> object:
    outcome = yield
    _fail_if_outside(outcome.get_result())  # type: ignore[attr-defined]
    return None
