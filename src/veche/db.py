"""Database engines and sessions: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from veche.errors import InvalidInput
from veche.folding import register_fold
from veche.models.base import MAX_INT, WideInteger

log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


#: How many requests of one server process may hold a database session at once. Each pool
#: has room for all of them and a few more (the ballot intake's writer, the live events, the
#: command line), and stays below the 40 worker threads the server runs sync routes on.
SESSIONS_AT_ONCE = 20
#: Last in, first out: the connection used last is used next. Each connection keeps its own
#: prepared statements (psycopg prepares a statement on its fifth use) and PostgreSQL its
#: plans, so a few connections kept busy serve better than every pooled one in turn. After
#: a burst of page requests had filled the pool, taking them in turn cost the ballot
#: writers about a fifth of their speed in benchmarks/vote_spike.py.
_POOL = {"pool_size": SESSIONS_AT_ONCE + 5, "max_overflow": 10, "pool_use_lifo": True}


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, foreign keys, immediate writes
    and the searches' fold of text."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # An in-memory database lives in one connection: no pool to size.
        pool = {} if in_memory(url) else _POOL
        if not in_memory(url):
            _made_private(make_url(url))
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **pool
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, **_POOL)
        _configure_postgresql(engine)
    event.listen(engine, "before_cursor_execute", _refuse_unstorable_values)
    return engine


def _made_private(url: URL) -> None:
    """Make a new SQLite database's file readable by its owner alone before SQLite makes it
    with the process's umask (commonly readable by all): it holds password hashes and, while
    a secret poll is open, sealed ballots, and SQLite gives its write-ahead log the same mode.
    An existing file, or one opened with options (read-only), is left as it is."""
    path = Path(str(url.database))
    if url.query or path.exists() or not path.parent.is_dir():
        return
    with suppress(FileExistsError):  # made meanwhile by another process: theirs to decide
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


#: A pooled PostgreSQL connection left unused for longer than this is pinged before it is
#: used again, as the server may have restarted or dropped it meanwhile. One used a moment
#: ago is trusted: under a burst of ballots a ping at every checkout was a round trip for
#: every group, and should such a connection have died after all, its failure invalidates
#: the pool and the next request gets a fresh connection.
PING_AFTER_IDLE_SECONDS = 5.0
_RETURNED_AT = "veche.returned_at"


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as failure:
            # The pool drops this connection and checks out another (SQLAlchemy's custom
            # pessimistic disconnect handling).
            raise DisconnectionError(f"an idle connection was lost: {failure}") from failure


#: The integers veche's columns hold on every database (PostgreSQL's ``integer``).
_STORABLE_INTEGERS = range(-MAX_INT - 1, MAX_INT + 1)
#: What a 64-bit column holds (``WideInteger``).
_WIDEST = 2**63


def _refuse_unstorable_values(
    _connection: Any,
    _cursor: Any,
    _statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """Refuse, before the driver sees it, a value no database of veche's stores: text with a
    NUL character (PostgreSQL refuses it, SQLite would keep it and cut it short in places) or
    an integer no column holds (a client's id of 2**63; the drivers fail with an error that
    is nobody's refusal, and SQLite would look for the row where PostgreSQL cannot).
    Whatever a client sends thus ends in the same 422 on both databases, and the transaction
    it came in is rolled back."""
    pending = [parameters]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise InvalidInput("text may not contain NUL characters (\\u0000); remove them")
        elif isinstance(value, WideInteger):
            # Compared, not ``in range(…)``: a range looks for an int subclass item by item.
            if not -_WIDEST <= value < _WIDEST:
                raise InvalidInput(f"the number {value} is too large to be stored")
        elif isinstance(value, int):
            if value not in _STORABLE_INTEGERS:
                raise InvalidInput(f"the number {value} is too large to be stored")
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)


def in_memory(url: str | URL) -> bool:
    return make_url(url).database in (None, "", ":memory:")


_HOLDS_WRITER = "veche.holds_writer_lock"


def _on_sqlite_connect(engine: Engine, *pragmas: str) -> None:
    """Set up each new SQLite connection of ``engine`` with ``pragmas`` and the searches'
    fold of text (``veche.folding``), leaving BEGIN to SQLAlchemy, so that the engine's
    "begin" listener chooses it (BEGIN IMMEDIATE to write)."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        register_fold(dbapi_connection)
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()


def _configure_sqlite(engine: Engine) -> None:
    _on_sqlite_connect(
        engine,
        "PRAGMA journal_mode=WAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA busy_timeout=30000",
        # Deleted content is overwritten with zeros, not left in free pages: a secret poll's
        # sealed ballots are gone from the file once counted (see scrub).
        "PRAGMA secure_delete=ON",
    )

    # SQLite lets one writer in at a time. Waiting for its file lock means sleeping and
    # retrying (SQLite's busy handler backs off up to 100 ms), which under a burst of votes
    # costs far more than the work; so this process's transactions queue on a lock of
    # its own first and meet the file lock free. Another process still waits on the file.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        writer.acquire()
        connection.info[_HOLDS_WRITER] = True
        try:
            # Writers take the file lock at BEGIN: two transactions that read and then write
            # (the journal's chain head) queue up instead of failing midway.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop(_HOLDS_WRITER, False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def make_reader(engine: Engine) -> Engine:
    """An engine for transactions that only read, beside ``engine`` which writes.

    On SQLite it is a second engine on the same file whose transactions start with a plain
    (deferred) BEGIN: in WAL mode readers see a consistent snapshot and never wait for the
    writer, so signing in, checking rights and rendering pages do not queue behind the
    writer lock. Its connections are read-only (``query_only``), so a stray write fails
    loudly. PostgreSQL readers need nothing special: the engine itself is returned.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or in_memory(url):
        return engine
    reader = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **_POOL)
    event.listen(reader, "before_cursor_execute", _refuse_unstorable_values)

    _on_sqlite_connect(reader, "PRAGMA query_only=ON", "PRAGMA busy_timeout=30000")

    @event.listens_for(reader, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return reader


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed together at the end, or rolled back on error."""
    with factory() as session, session.begin():
        yield session
