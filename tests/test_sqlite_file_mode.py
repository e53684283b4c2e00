"""A new SQLite database is its owner's alone: it holds password hashes and, while a secret
poll is open, sealed ballots, and SQLite gives its write-ahead log the file's mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from veche import migrate
from veche.db import make_engine


@pytest.fixture
def common_umask() -> Iterator[None]:
    """The umask most systems give a process: new files readable by all."""
    was = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(was)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("common_umask")
def test_a_new_database_and_its_log_are_made_for_their_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "veche.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:  # the log exists while a connection is open
            connection.exec_driver_sql("SELECT 1")
            assert _mode(path) == 0o600
            assert _mode(path.with_name(path.name + "-wal")) == 0o600
    finally:
        engine.dispose()


@pytest.mark.usefixtures("common_umask")
def test_an_existing_database_keeps_the_mode_its_operator_gave_it(tmp_path: Path) -> None:
    path = tmp_path / "veche.sqlite3"
    path.touch(mode=0o640)
    path.chmod(0o640)
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    assert _mode(path) == 0o640
