"""Clearing what a count leaves of secret ballots in the database's files (``scrub``):
SQLite's write-ahead log truncated, PostgreSQL's dead rows vacuumed and its table of wrapped
keys rewritten, and tried again in the background until no reader holds them back."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.pool import Pool

from veche.db import in_memory

log = logging.getLogger(__name__)


def scrub(engine: Engine, tables: tuple[str, ...]) -> None:
    """Clear what deleted rows of ``tables`` left behind, once their deletion is committed.

    PostgreSQL keeps a deleted or updated row's old version in the table until a vacuum
    frees it; SQLite (with ``secure_delete``, set on every connection) zeroes it in the
    file at once, but the write-ahead log still holds the pages as they were until a
    checkpoint copies the log back and truncates it. Either is kept from finishing by a
    reader holding an older snapshot (a page being rendered, a backup, ``veche verify``):
    the clean-up is then tried again in the background until it is done, with a warning
    logged while it cannot be (``_keep_cleaning``); the server's start and clean stop try
    again too (``finish_scrubbing``). Until then the key file opens what is left.

    PostgreSQL's vacuum runs in a thread of its own, so that the request that asked for it
    is answered first: its time grows with the tables (it may read their indexes whole),
    not with the poll, and it may wait up to two seconds for autovacuum, which a vote's
    thousands of new rows set going. The thread is not a daemon: a server that stops
    finishes the vacuums it has begun or queued. SQLite's checkpoint copies only what was
    written since the last one, and stays in line.

    A vacuum frees a dead row's space but leaves its bytes in the page until a new row is
    written over them, so the tables in ``REWRITTEN`` are copied whole to a new file and the
    old one dropped (``VACUUM FULL``): the wrapped keys go, and with them what opens the
    sealed ballots still lying in the rights' pages.
    """
    pool = engine.pool
    if engine.dialect.name == "postgresql":
        _vacuums.submit(_vacuum, engine, pool, tables)
        return
    if in_memory(engine.url):
        return
    raw = engine.raw_connection()
    try:
        # Without waiting: a reader still in the log makes the checkpoint give up at once
        # rather than hold up the request that closed the poll; a thread tries again.
        truncated = _truncate_log(raw.driver_connection, wait_ms=0)
    except sqlite3.Error as failure:  # the poll is closed all the same: tried again
        log.warning("could not checkpoint the write-ahead log now (tried again soon): %s", failure)
        truncated = False
    finally:
        raw.close()
    if not truncated:
        _clean_later(engine, pool, tables, _Horizon(0))


def finish_scrubbing(engine: Engine) -> None:
    """At a clean stop, before ``engine`` is disposed of: the clean-ups still waiting are
    tried once more, waiting a little for readers to end, and SQLite's write-ahead log is
    truncated whatever happened before. What still cannot be cleared is said in a warning,
    and cleared at the next start (where ``scrub`` is called again)."""
    with _cleanings_lock:
        cleaning = _cleanings.pop(engine, None)
    if cleaning is not None:
        cleaning.stop.set()
    if engine.dialect.name == "postgresql":
        if (
            cleaning is not None
            and not _vacuumed_clean(engine, engine.pool, cleaning.tables, cleaning.horizon)[0]
        ):
            log.warning(_LEFT_AT_STOP, ", ".join(cleaning.tables))
        return
    if in_memory(engine.url):
        return
    if not _clean_sqlite_quietly(engine, wait_ms=STOP_WAIT_MS):
        log.warning(_LEFT_AT_STOP, "the write-ahead log")


#: How long a clean stop waits for SQLite's readers to leave the write-ahead log.
STOP_WAIT_MS = 500
#: Between two attempts of a clean-up left unfinished: from the first, doubling up to the
#: second. A reader is usually a page being rendered, gone in milliseconds; a backup may
#: take an hour.
RETRY_SECONDS = (0.05, 10.0)
#: A clean-up left unfinished this long is warned of (a page being rendered as the poll
#: closed is not worth a warning), then again this often while it stays so.
WARN_AFTER_SECONDS = 1.0
WARN_EVERY_SECONDS = 60.0

_LEFT_AT_STOP = (
    "%s still holds what counted secret polls left (a reader kept it): "
    "it is cleared when the server starts again"
)


def _truncate_log(sqlite: Any, wait_ms: int) -> bool:
    """Checkpoint SQLite's write-ahead log and truncate it, waiting up to ``wait_ms`` for
    readers; whether it was done (the pragma answers busy, else 0, rather than fail)."""
    sqlite.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
    try:
        busy, _log_frames, _copied = sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        sqlite.execute("PRAGMA busy_timeout=30000")
    return int(busy) == 0


def _clean_sqlite(engine: Engine, wait_ms: int) -> bool:
    """Truncate the log on a connection of its own, outside the pool (which may have been
    disposed of meanwhile). A database whose file is gone has nothing left to clear."""
    path = Path(str(engine.url.database))
    if not path.exists():
        return True
    sqlite = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    try:
        return _truncate_log(sqlite, wait_ms)
    finally:
        sqlite.close()


#: Tables rewritten whole rather than vacuumed (``VACUUM FULL``): the wrapped poll keys,
#: one small row per open secret poll. The rewrite locks the table against every reader
#: while it lasts, milliseconds: a ballot reads it only when it is a poll's first in its
#: process (``veche.actions.poll_seal``), and it waits for the lock only so long
#: (``REWRITE_LOCK_TIMEOUT``) before giving up and trying again later, as a lock waited for
#: would hold up every reader queued behind it.
REWRITTEN = frozenset({"poll_secret"})
REWRITE_LOCK_TIMEOUT = "10ms"

#: One vacuum at a time: two at once on the same table would only wait for each other.
_vacuums = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veche-vacuum")


class _Horizon(int):
    """The next transaction id, 32 bits, taken once a count's deletions were committed: a
    snapshot older than it may still see them, and keeps a vacuum from freeing them."""


def _vacuum(engine: Engine, pool: Pool, tables: tuple[str, ...]) -> None:
    if engine.pool is not pool:  # disposed of meanwhile: the next start vacuums
        return
    clean, horizon = _vacuumed_clean(engine, pool, tables, _Horizon(0))
    if not clean:
        _clean_later(engine, pool, tables, horizon)


#: How many transaction ids there are before they wrap around.
_XIDS = 2**32


def _vacuumed_clean(
    engine: Engine, pool: Pool, tables: tuple[str, ...], horizon: _Horizon
) -> tuple[bool, _Horizon]:
    """Vacuum ``tables``; whether that freed every row deleted before ``horizon`` (so whether
    no snapshot older than it was held as the vacuum began: ``_held_back``), and the horizon.
    A horizon of 0 (not known yet) is taken now, just after the deletions it follows."""
    names = ", ".join(tables)  # of veche's own tables, never input
    vacuumed = ", ".join(table for table in tables if table not in REWRITTEN)
    try:
        with _own_connection(engine) as connection:
            if not horizon:
                (next_id,) = connection.execute(
                    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text"
                ).fetchone()
                horizon = _Horizon(int(next_id) % _XIDS)
            held = _held_back(connection, horizon)
            # Never waits long for a table's lock (another vacuum, a migration): tried
            # again soon instead.
            connection.execute("SET lock_timeout = '2s'")
            if vacuumed:
                connection.execute(f"VACUUM {vacuumed}")
            connection.execute(f"SET lock_timeout = '{REWRITE_LOCK_TIMEOUT}'")
            for table in sorted(REWRITTEN.intersection(tables)):
                connection.execute(f"VACUUM FULL {table}")
    except Exception as failure:  # nothing waits for this thread's outcome: it is told here
        if engine.pool is pool:  # else disposed of meanwhile, and the next start vacuums
            log.warning("could not vacuum %s now (tried again soon): %s", names, failure)
        return False, horizon
    return not held, horizon


def _held_back(connection: Any, horizon: _Horizon) -> bool:
    """Whether anything keeps this database's rows deleted before ``horizon`` from being
    removed: a transaction's snapshot or id (a pg_dump, a long report, a standby's feedback),
    a prepared transaction or a replication slot. Vacuums' own snapshots hold back nothing,
    nor (for a table that is not shared) do other databases'. Read from the views anyone may
    read, so that no extension is needed (pageinspect would show the dead rows, and need a
    superuser)."""
    held = connection.execute(
        "SELECT backend_xmin::text FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
        " AND backend_type IS DISTINCT FROM 'autovacuum worker'"
        " AND (datname = current_database() OR datname IS NULL)"
        " UNION ALL SELECT backend_xid::text FROM pg_stat_activity"
        " WHERE pid <> pg_backend_pid() AND datname = current_database()"
        " UNION ALL SELECT xmin::text FROM pg_replication_slots"
        " WHERE database = current_database() OR database IS NULL"
        " UNION ALL SELECT transaction::text FROM pg_prepared_xacts"
        " WHERE database = current_database()"
    ).fetchall()
    # Transaction ids wrap around: one precedes another by less than half their range.
    return any(xid is not None and (int(xid) - horizon) % _XIDS >= _XIDS // 2 for (xid,) in held)


@contextmanager
def _own_connection(engine: Engine) -> Iterator[Any]:
    """A driver's connection in autocommit, closed when done rather than pooled: the engine
    may have been disposed of meanwhile (a server stopping), and its pool would then never
    close it. On the driver's connection, the vacuum is no statement of any request."""
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        raw.detach()
        connection.autocommit = True
        yield connection
    finally:
        raw.close()


@dataclass
class _Cleaning:
    """A clean-up left unfinished, tried again by a thread of its own (``_keep_cleaning``)."""

    pool: Pool
    tables: tuple[str, ...]
    horizon: _Horizon
    #: How many times it was asked for: one asked for during an attempt is tried again.
    asked: int = 1
    stop: threading.Event = field(default_factory=threading.Event)


#: The clean-ups left unfinished, by engine: one thread for each.
_cleanings: dict[Engine, _Cleaning] = {}
_cleanings_lock = threading.Lock()


def _clean_later(engine: Engine, pool: Pool, tables: tuple[str, ...], horizon: _Horizon) -> None:
    with _cleanings_lock:
        cleaning = _cleanings.get(engine)
        if cleaning is not None and cleaning.pool is pool:
            cleaning.asked += 1
            cleaning.tables = tuple(dict.fromkeys(cleaning.tables + tables))
            if horizon and (
                not cleaning.horizon or (horizon - cleaning.horizon) % _XIDS < _XIDS // 2
            ):
                cleaning.horizon = horizon  # the later of the two
            return
        if cleaning is not None:
            cleaning.stop.set()
        cleaning = _cleanings[engine] = _Cleaning(pool, tables, horizon)
    # A daemon: a stopping server tries once more and warns (finish_scrubbing), and the
    # next start cleans; a backup held open must not keep the process from ending.
    threading.Thread(
        target=_keep_cleaning, args=(engine, cleaning), name="veche-scrub", daemon=True
    ).start()


def _keep_cleaning(engine: Engine, cleaning: _Cleaning) -> None:
    delay, next_warning = RETRY_SECONDS[0], time.monotonic() + WARN_AFTER_SECONDS
    while not cleaning.stop.wait(delay):
        if engine.pool is not cleaning.pool:  # disposed of: the next start cleans
            break
        with _cleanings_lock:
            asked, tables, horizon = cleaning.asked, cleaning.tables, cleaning.horizon
        if engine.dialect.name == "postgresql":
            done, horizon = _vacuumed_clean(engine, cleaning.pool, tables, horizon)
            with _cleanings_lock:
                cleaning.horizon = cleaning.horizon or horizon  # once taken, kept
            what = ", ".join(tables)
        else:
            done = _clean_sqlite_quietly(engine, wait_ms=0)
            what = "the write-ahead log"
        if done:
            with _cleanings_lock:
                if cleaning.asked == asked:
                    break
            delay = RETRY_SECONDS[0]  # asked again meanwhile
            continue
        if time.monotonic() >= next_warning:
            next_warning = time.monotonic() + WARN_EVERY_SECONDS
            log.warning(
                "%s still holds the sealed ballots and keys of polls counted since it was "
                "last cleared: an older snapshot (a long read, a backup) keeps them; "
                "trying again until it ends",
                what,
            )
        delay = min(delay * 2, RETRY_SECONDS[1])
    with _cleanings_lock:
        if _cleanings.get(engine) is cleaning:
            del _cleanings[engine]


def _clean_sqlite_quietly(engine: Engine, wait_ms: int) -> bool:
    try:
        return _clean_sqlite(engine, wait_ms)
    except sqlite3.Error as failure:
        log.warning("could not checkpoint the write-ahead log now (tried again soon): %s", failure)
        return False
