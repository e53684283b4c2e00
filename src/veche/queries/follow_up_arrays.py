"""Rows of whole numbers read straight into a numpy array, without a Python object per row:
how the follow-up's roll-up reads up to millions of reported values in a second.

A row through SQLAlchemy costs some microseconds (the driver's tuple, then SQLAlchemy's row,
then numpy taking it apart); at a million values a period that is seconds before any figure
is computed. So the query is compiled once to SQL and run on the driver's own connection —
inside the session's transaction, so it sees what the session sees:

- PostgreSQL packs the rows into one ``bytea`` itself, each number as its eight bytes
  (``string_agg(int8send(…) || …)``), fetched in binary and read at once by numpy. (A
  binary ``COPY`` sends a message a row, and Python handling 200,000 messages took longer
  than the query.) A ``bytea`` holds at most 1 GB: 30 million rows of four numbers.
- SQLite's driver hands its rows over as tuples, flattened straight into the array.

Every column must be a whole number that is never NULL (``coalesce`` or ``case`` it first).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any, TypeVarTuple

import numpy as np
from sqlalchemy import Select
from sqlalchemy.orm import Session

from veche.follow_up.rollup import IntArray

Columns = TypeVarTuple("Columns")


def integer_rows(session: Session, query: Select[*Columns]) -> IntArray:
    """The rows of ``query``, every column a whole number, as a (rows, columns) int64 array."""
    connection = session.connection()
    columns = len(query.selected_columns)
    dialect = connection.dialect
    # Literal values rather than bound parameters, for one statement to run on the driver:
    # they are ids and enum names this module's callers chose, never a user's text.
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        return _packed(driver, sql, columns)
    with collector_paused():
        rows = driver.execute(sql).fetchall()  # type: ignore[union-attr]
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * columns)
    return flat.reshape(len(rows), columns)


def _packed(driver: Any, sql: str, columns: int) -> IntArray:
    """The rows of ``sql`` packed by PostgreSQL into one string of big-endian int8s."""
    names = [f"c{number}" for number in range(columns)]
    packed = " || ".join(f"int8send(CAST({name} AS BIGINT))" for name in names)
    with driver.cursor(binary=True) as cursor:
        cursor.execute(
            f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS found ({', '.join(names)})"
        )
        (data,) = cursor.fetchone()
    if data is None:  # no rows
        return np.zeros((0, columns), dtype=np.int64)
    return np.frombuffer(data, dtype=">i8").astype(np.int64).reshape(-1, columns)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: a million row tuples set it off again and again,
    each pass walking every one of them, and tuples of numbers hold no cycles to find.

    For every read of many rows of figures: the cycle's arrays here, a unit's report card,
    a freeze's records and the freezing itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
