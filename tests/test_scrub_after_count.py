"""What a count leaves in the database's files when a reader held a snapshot as it closed:
cleared once the reader ends, without holding up the close (``veche.scrubbing.scrub``).

The attacker holds the database's files and the key file: any sealed ballot or wrapped key
left in SQLite's write-ahead log or in PostgreSQL's dead rows opens with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import ADMIN
from tests.sealed_ballots import cast_sealed
from tests.test_secrecy_attacks import _tuples
from veche import scrubbing
from veche.actions.closing import SEALED_TABLES, do_close_poll
from veche.db import make_reader, transaction
from veche.scrubbing import finish_scrubbing
from veche.web.app import create_app

#: The tests on a database start from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _cast(sessions: sessionmaker[Session], voters: int = 5) -> tuple[int, list[bytes]]:
    """A decision open with ``voters`` ballots cast: its id, and every sealed ballot and its
    wrapped key, as the attacker would look for them."""
    poll_id, sealed, wrapped = cast_sealed(sessions, voters)
    return poll_id, [*sealed, wrapped]


def _close(sessions: sessionmaker[Session], poll_id: int) -> None:
    with transaction(sessions) as session:
        do_close_poll(session, ADMIN, poll_id)


def _until(done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tries again and warns sooner than a server does, so that the tests wait less."""
    monkeypatch.setattr(scrubbing, "RETRY_SECONDS", (0.01, 0.05))
    monkeypatch.setattr(scrubbing, "WARN_AFTER_SECONDS", 0.0)


def _cleaning(engine: Engine) -> bool:
    return engine in scrubbing._cleanings


def _warned(caplog: pytest.LogCaptureFixture) -> bool:
    return any(
        r.levelno == logging.WARNING and "still holds" in r.getMessage() for r in caplog.records
    )


# SQLite


def _sqlite_files(engine: Engine) -> dict[str, bytes]:
    database = Path(str(make_url(str(engine.url)).database))
    return {
        suffix: Path(f"{database}{suffix}").read_bytes()
        for suffix in ("", "-wal")
        if Path(f"{database}{suffix}").exists()
    }


def _left_in(files: dict[str, bytes], secrets: list[bytes]) -> list[str]:
    return [name or "main" for name, data in files.items() for s in secrets if s in data]


@contextmanager
def _reading(engine: Engine) -> Iterator[None]:
    """A request reading through the server's read-only engine (a page being rendered, a
    backup, ``veche verify``): its snapshot keeps the write-ahead log from being truncated."""
    reader = make_reader(engine)
    try:
        with reader.connect() as connection, connection.begin():
            connection.execute(text("SELECT count(*) FROM participation")).scalar_one()
            yield
    finally:
        reader.dispose()


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlites_log_is_truncated_once_a_reader_held_at_the_close_ends(
    engine: Engine, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    poll_id, secrets = _cast(sessions)
    with _reading(engine):
        started = time.monotonic()
        _close(sessions, poll_id)
        assert time.monotonic() - started < 5  # the close does not wait for the reader
        assert _left_in(_sqlite_files(engine), secrets), "the reader keeps the log as it was"
        _until(lambda: _warned(caplog), "a warning says the log could not be cleared")
    _until(lambda: not _cleaning(engine), "tried again until the log is truncated")
    assert _left_in(_sqlite_files(engine), secrets) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlites_log_is_truncated_at_the_servers_start_and_stop(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that stopped while a reader held the log, or that was killed, clears it as
    it starts; one that stops cleanly clears it then."""
    monkeypatch.setattr(scrubbing, "RETRY_SECONDS", (3600.0, 3600.0))  # no retry in between
    poll_id, secrets = _cast(sessions)
    with _reading(engine):
        _close(sessions, poll_id)
    assert _left_in(_sqlite_files(engine), secrets)
    with TestClient(create_app(engine)):
        assert _left_in(_sqlite_files(engine), secrets) == []  # cleared as it started

    poll_id, secrets = _cast(sessions)
    with _reading(engine):
        _close(sessions, poll_id)
    assert _left_in(_sqlite_files(engine), secrets)
    finish_scrubbing(engine)
    assert not _cleaning(engine)
    assert _left_in(_sqlite_files(engine), secrets) == []


# PostgreSQL


@contextmanager
def _snapshot_held(engine: Engine) -> Iterator[None]:
    """A REPEATABLE READ transaction (a pg_dump, a long report) holding its snapshot."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SELECT count(*) FROM participation")).scalar_one()
            yield


def _dead_copies(engine: Engine, secrets: list[bytes]) -> list[str]:
    """The sealed ballots and keys the tables' pages still hold, dead rows included."""
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        connection.commit()
        pages = {table: _tuples(connection, table) for table in ("participation", "poll_secret")}
    return [table for table, rows in pages.items() for _, d in rows for s in secrets if s in d]


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresqls_dead_rows_are_vacuumed_once_a_snapshot_held_at_the_close_ends(
    engine: Engine, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    poll_id, secrets = _cast(sessions)
    with _snapshot_held(engine):
        _close(sessions, poll_id)
        scrubbing._vacuums.submit(lambda: None).result(timeout=60)  # the close's vacuum has run
        assert _dead_copies(engine, secrets), "the snapshot keeps the dead rows"
        _until(lambda: _warned(caplog), "a warning says the rows could not be freed")
        assert _cleaning(engine)
    _until(lambda: not _cleaning(engine), "vacuumed again until no dead row is left")
    assert _dead_copies(engine, secrets) == []


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresqls_dead_rows_are_vacuumed_at_the_servers_stop_and_start(
    engine: Engine, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scrubbing, "RETRY_SECONDS", (3600.0, 3600.0))  # no retry in between
    poll_id, secrets = _cast(sessions)
    with _snapshot_held(engine):
        _close(sessions, poll_id)
        scrubbing._vacuums.submit(lambda: None).result(timeout=60)
    assert _dead_copies(engine, secrets)
    finish_scrubbing(engine)
    assert _dead_copies(engine, secrets) == []

    poll_id, secrets = _cast(sessions)
    with _snapshot_held(engine):
        _close(sessions, poll_id)
        scrubbing._vacuums.submit(lambda: None).result(timeout=60)
    with scrubbing._cleanings_lock:  # as if the server had been killed: nothing left to retry
        scrubbing._cleanings.pop(engine).stop.set()
    assert _dead_copies(engine, secrets)
    scrubbing.scrub(engine, SEALED_TABLES)  # what a starting server does
    scrubbing._vacuums.submit(lambda: None).result(timeout=60)
    assert _dead_copies(engine, secrets) == []


@pytest.mark.usefixtures("impatient")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_wrapped_keys_are_rewritten_once_a_reader_of_them_lets_go(
    engine: Engine, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """A transaction that read the wrapped keys (another poll's first ballot, ``veche
    verify``) holds a lock the rewrite needs: it waits only a moment for it
    (``REWRITE_LOCK_TIMEOUT``), so that no reader queues behind it, and tries again."""
    poll_id, secrets = _cast(sessions)
    with engine.connect() as reading:
        reading.execute(text("SELECT count(*) FROM poll_secret")).scalar_one()  # lock kept
        _close(sessions, poll_id)
        scrubbing._vacuums.submit(lambda: None).result(timeout=60)
        assert "lock timeout" in caplog.text
        assert "poll_secret" in _dead_copies(engine, secrets[-1:])
        assert _cleaning(engine)
        reading.rollback()
    _until(lambda: not _cleaning(engine), "rewritten once the reader let go")
    assert _dead_copies(engine, secrets) == []
