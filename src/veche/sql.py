"""SQL constructs that SQLAlchemy does not give the same on every database."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    ColumnElement,
    Connection,
    Insert,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

from veche.models.base import Base


class OneOf(ColumnElement[bool]):
    """``column`` is one of the values of the list parameter ``name``.

    A group of ballots asks for some two hundred ids at a time. On PostgreSQL they go as
    one array, ``column = ANY(:name)``. As ``IN (…)`` they would cost a bound value each to
    render, and the statement's text would change with the list's length, so psycopg
    would parse every one afresh. SQLite has no arrays, and there the expanded ``IN (…)``
    costs little.
    """

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: SQLite needs no "= 1" after it
    # What tells two of them apart in SQLAlchemy's cache of compiled statements.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012  # SQLAlchemy's own form
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: QueryableAttribute[Any], name: str) -> None:
        self.column: ColumnElement[Any] = column.__clause_element__()
        self.name = name


@compiles(OneOf)
def _expanded(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _as_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)


def insert_rows(
    connection: Connection, model: type[Base], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows``, which all name the same columns, into ``model``'s table.

    On PostgreSQL the rows go as one JSON document that the server turns into rows of the
    table's own type (``json_populate_recordset``), so their values must be what JSON holds,
    or dates, times and enums. psycopg would otherwise send each row as a statement of its
    own (or, as arrays, escape every value in Python), and for a group of two hundred
    ballots that cost more than everything else the group needs. SQLite runs a prepared
    statement per row at little cost, so there it does just that.
    """
    if not rows:
        return
    if connection.dialect.name != "postgresql" or len(rows) == 1:
        connection.execute(insert(model), rows)
        return
    document = json.dumps(rows, default=_json_value, separators=(",", ":"))
    connection.execute(_insert_from_json(model, tuple(rows[0])), {"rows": document})


@functools.cache
def _insert_from_json(model: type[Base], names: tuple[str, ...]) -> Insert:
    # NULL::table is how PostgreSQL is told the type each field becomes; columns the rows
    # do not name are left out of the insert, so that their defaults still apply.
    table = model.__table__
    assert isinstance(table, Table)
    # A table name of our own, never input, so it may stand in the statement's text.
    row_type: ColumnElement[Any] = literal_column(f"NULL::{table.name}")
    source = func.json_populate_recordset(
        row_type, cast(bindparam("rows", type_=Text), JSON)
    ).table_valued(*(table.c[name] for name in names))
    return insert(model).from_select(list(names), select(*(source.c[name] for name in names)))


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return "\\x" + value.hex()  # bytea's hexadecimal input form
    raise TypeError(f"{type(value).__name__} cannot be inserted through JSON")
